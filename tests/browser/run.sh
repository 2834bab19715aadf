#!/bin/bash
# tests/browser/run.sh [FILTER] — end-to-end tests of the web page (www/) in
# Debian's headless Chromium, driven by playwright-core (tests/browser/run.mjs).
#
# Installs what is missing: the Debian package chromium (as root, apt-get)
# and playwright-core at the version pinned in package-lock.json (npm ci into
# tests/browser/node_modules, git-ignored).  With STACK_DIR set, tests the
# stack running there; otherwise starts its own private stack (tests/lib/stack.sh)
# with DEMO_ROWS demo rows (default 20000) under mktemp -d behind lighttpd
# (XQ_WEB_SERVER=apache for Apache) and always tears it down.  Screenshots of every screen: $XQ_TEST_OUT/browser/screenshots (else
# tests/out/browser/screenshots).  Last line: "N passed, N failed"; exit 0
# only when nothing failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
XQ_ROOT=$(cd "$here/../.." && pwd)
export XQ_ROOT
export XQ_BUILD=${XQ_BUILD:-$XQ_ROOT/build}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
filter=${1:-}

fail_setup() {
    echo "FAIL setup: $*"
    echo "0 passed, 1 failed"
    exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    is_root && command -v apt-get >/dev/null 2>&1 || return 1
    echo "browser: installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }
}

# Chromium from Debian (playwright-core downloads no browser of its own here).
if [ ! -x "$CHROMIUM" ]; then
    apt_install chromium || fail_setup "$CHROMIUM is missing; install the Debian package chromium (as root: apt-get install chromium)"
    [ -x "$CHROMIUM" ] || fail_setup "$CHROMIUM still missing after apt-get install chromium"
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || fail_setup "node and npm are missing; install them (apt-get install nodejs npm)"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] 2>/dev/null || fail_setup "playwright-core needs Node.js 20 or newer (found $(node --version))"

# playwright-core at the locked version; npm ci when absent or different.
want=$(node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' \
       "$here/package-lock.json") || fail_setup "cannot read tests/browser/package-lock.json"
have=$(node -p 'try { require(process.argv[1]).version } catch { "" }' \
       "$here/node_modules/playwright-core/package.json" 2>/dev/null)
if [ "$have" != "$want" ]; then
    echo "browser: npm ci (playwright-core $want)"
    (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
        fail_setup "npm ci failed in tests/browser"
fi

own_stack=0
if [ -z "${STACK_DIR:-}" ]; then
    [ -x "$XQ_BUILD/fcgi/exportq.fcgi" ] && [ -x "$XQ_BUILD/workerd/exportq-workerd" ] ||
        fail_setup "no build in $XQ_BUILD (exportq.fcgi, exportq-workerd): build first (./dev test does)"
    # shellcheck source=../lib/stack.sh
    . "$XQ_ROOT/tests/lib/stack.sh" || fail_setup "cannot load tests/lib/stack.sh"
    STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/exportq-browser.XXXXXX") || fail_setup "mktemp failed"
    export STACK_DIR
    own_stack=1
fi

cleanup() {
    local rc=$?
    trap "" INT TERM
    trap - EXIT
    if [ "$own_stack" = 1 ]; then stack_destroy >/dev/null 2>&1; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$own_stack" = 1 ]; then
    export DEMO_ROWS=${DEMO_ROWS:-20000}
    if ! { stack_init "$STACK_DIR" && stack_up --server "${XQ_WEB_SERVER:-lighttpd}"; }; then
        for f in "$STACK_DIR"/log/*.log; do
            [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
        done
        fail_setup "the private stack did not start"
    fi
fi
[ -f "$STACK_DIR/env" ] || fail_setup "$STACK_DIR/env is missing: is that a stack?"

echo "== browser ($(. "$STACK_DIR/env" && echo "$BASE_URL"), $("$CHROMIUM" --version 2>/dev/null | head -n1))"
(cd "$here" && node run.mjs ${filter:+"$filter"})
