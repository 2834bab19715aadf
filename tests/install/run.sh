#!/bin/bash
# tests/install/run.sh [--reuse BUILD_DIR] - `make install DESTDIR=...`
# into a temporary directory and check the tree an operator gets: binaries,
# the sample and live configuration (never overwritten), web server and
# Redis snippets, schema SQL, systemd units with real paths, man pages,
# docs, the static page when the source tree has one; then that the
# installed exportqctl accepts/refuses configurations and that uninstall
# leaves only an edited configuration behind.
#
# By default it configures a fresh build under the temporary directory with
# --prefix=/opt/exportq --sysconfdir=/etc/xq-test (so both options are
# proven honoured, not just DESTDIR) and builds it (about a minute on two
# cores).  --reuse BUILD_DIR installs an existing build instead, checking
# the prefix and sysconfdir it was configured with.  Exit 0 when every
# check passes; each failure prints one "FAIL:" line.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest=$(mktemp -d /tmp/xq-install.XXXXXX)
trap 'rm -rf "$dest" "$dest.build"' EXIT
log=$dest.log
fails=0

if [ "${1:-}" = --reuse ]; then
    build=$(cd "${2:?--reuse needs a build directory}" && pwd) || exit 1
else
    build=$dest.build
    mkdir -p "$build"
    echo "configuring and building in $build (log: $log)"
    (cd "$build" && "$root/configure" --prefix=/opt/exportq --sysconfdir=/etc/xq-test \
        >"$log" 2>&1 && make -j"$(nproc)" >>"$log" 2>&1) ||
        { echo "FAIL: build with --prefix=/opt/exportq failed (log: $log)"; tail -n 20 "$log"; exit 1; }
fi
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
etc=$(sed -n 's/^sysconfdir = //p' "$build/Makefile")
etc=${etc//\$\{prefix\}/$prefix}

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
have_file() { if [ -f "$dest$1" ]; then ok "$1"; else fail "$1 missing"; fi; }
have_exec() { if [ -x "$dest$1" ] && [ -f "$dest$1" ]; then ok "$1 (executable)"; else fail "$1 missing or not executable"; fi; }

inst() {
    make -C "$build" install DESTDIR="$dest" >>"$log" 2>&1 ||
        { fail "make install failed (log: $log)"; tail -n 20 "$log"; exit 1; }
}

inst
ok "make install DESTDIR=$dest (prefix $prefix, sysconfdir $etc)"

# ---- binaries: exportqctl in bin; the daemons wherever their Makefile puts them
have_exec "$prefix/bin/exportqctl"
for prog in exportq-workerd exportq.fcgi; do
    found=
    for d in sbin bin libexec libexec/exportq; do
        if [ -x "$dest$prefix/$d/$prog" ]; then found=$prefix/$d/$prog; fi
    done
    if [ -n "$found" ]; then ok "$found (executable)"; else fail "$prog not installed under $prefix"; fi
    eval "path_${prog//[-.]/_}=\$found"
done

# ---- configuration
have_file "$etc/exportq/exportq.conf.sample"
have_file "$etc/exportq/exportq.conf"
if cmp -s "$root/etc/exportq.conf" "$dest$etc/exportq/exportq.conf.sample"; then
    ok "sample is etc/exportq.conf"
else
    fail "installed sample differs from etc/exportq.conf"
fi
mode=$(stat -c %a "$dest$etc/exportq/exportq.conf" 2>/dev/null)
[ "$mode" = 640 ] && ok "exportq.conf mode 0640" || fail "exportq.conf mode is $mode, want 640"

# ---- snippets and SQL
share=$prefix/share/exportq
have_file "$share/lighttpd/exportq.conf"
have_file "$share/apache/exportq.conf"
have_file "$share/redis/exportq.conf"
have_file "$share/schema/litellm-subset.sql"
have_file "$share/schema/readonly-role.sql"
have_file "$share/prometheus/scrape.yml"
have_file "$share/prometheus/exportq-rules.yml"
if command -v promtool >/dev/null 2>&1; then
    out=$(cd "$dest$share/prometheus" && promtool test rules exportq-rules.test.yml 2>&1) &&
        ok "promtool test rules: every alert fires and stays quiet where it should" ||
        fail "promtool test rules: $out"
    mkdir -p "$dest/verify"
    echo "metrics-token" >"$dest/verify/token"
    sed -e "s|$share/|$dest$share/|" -e "s|credentials_file: .*|credentials_file: $dest/verify/token|" \
        "$dest$share/prometheus/scrape.yml" >"$dest/verify/scrape.yml"
    out=$(promtool check config "$dest/verify/scrape.yml" 2>&1) &&
        ok "promtool check config scrape.yml" || fail "promtool check config: $out"
fi
grep -qx 'maxmemory-policy noeviction' "$dest$share/redis/exportq.conf" &&
    grep -qx 'appendonly yes' "$dest$share/redis/exportq.conf" &&
    ok "redis snippet: AOF on, noeviction" || fail "redis snippet lacks appendonly yes / noeviction"

# ---- systemd units: placeholders filled with the installed paths
units=$prefix/lib/systemd/system
for u in exportq-workerd.service exportq-fcgi.service; do
    have_file "$units/$u"
    if grep -q '@[a-z]*@' "$dest$units/$u" 2>/dev/null; then fail "$u has unsubstituted @dir@"; fi
done
want="ExecStart=$path_exportq_workerd"
grep -qx "$want" "$dest$units/exportq-workerd.service" 2>/dev/null &&
    ok "workerd unit runs $path_exportq_workerd" || fail "workerd unit lacks '$want'"
grep -q -- "-- $path_exportq_fcgi\$" "$dest$units/exportq-fcgi.service" 2>/dev/null &&
    ok "fcgi unit runs $path_exportq_fcgi" || fail "fcgi unit does not run $path_exportq_fcgi"
grep -qx "Environment=EXPORTQ_CONFIG=$etc/exportq/exportq.conf" "$dest$units/exportq-workerd.service" &&
    ok "unit names the installed config" || fail "unit EXPORTQ_CONFIG is not $etc/exportq/exportq.conf"
grep -qx "ExecStartPre=$prefix/bin/exportqctl check-config --quiet" \
    "$dest$units/exportq-workerd.service" && ok "unit checks the config first" ||
    fail "unit ExecStartPre does not run the installed exportqctl"
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify needs the binaries at their paths: check against a copy with
    # the DESTDIR paths.  spawn-fcgi and multiwatch are runtime packages the
    # fcgi unit names; without them, only that complaint is tolerated.
    tmpu=$dest/verify
    mkdir -p "$tmpu"
    for u in exportq-workerd.service exportq-fcgi.service; do
        sed -e "s|=$prefix/|=$dest$prefix/|g" -e "s| -- $prefix/| -- $dest$prefix/|g" \
            "$dest$units/$u" >"$tmpu/$u"
        out=$(cd "$tmpu" && systemd-analyze verify --man=no "./$u" 2>&1 |
            grep -v -e '/usr/bin/multiwatch' -e '/usr/bin/spawn-fcgi' || true)
        if [ -z "$out" ]; then ok "systemd-analyze verify $u"; else fail "systemd-analyze $u: $out"; fi
        # hardening: systemd's exposure score (0 best .. 10); ours is 1.8
        score=$(cd "$tmpu" && systemd-analyze security --offline=true "./$u" 2>/dev/null |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
            ok "$u exposure $score (<= 2.5)"
        else
            fail "$u exposure level '$score' (want <= 2.5)"
        fi
    done
fi

# ---- man pages and docs
man=$prefix/share/man
have_file "$man/man1/exportqctl.1"
have_file "$man/man5/exportq.conf.5"
have_file "$man/man8/exportq-workerd.8"
have_file "$man/man8/exportq.fcgi.8"
have_file "$prefix/share/doc/exportq/operations.md"
if [ -d "$root/www" ]; then
    n_src=$(find "$root/www" -type f | wc -l)
    n_dst=$(find "$dest$share/www" -type f 2>/dev/null | wc -l)
    [ "$n_src" -gt 0 ] && [ "$n_src" = "$n_dst" ] && ok "static page: $n_dst file(s) in $share/www" ||
        fail "static page: $n_src file(s) in www/, $n_dst installed in $share/www"
fi

# ---- the installed exportqctl against the installed configuration
ctl=$dest$prefix/bin/exportqctl
conf=$dest$etc/exportq/exportq.conf
out=$(env -i PATH=/usr/bin:/bin "$ctl" check-config "$conf" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q 'DATABASE_URL: required key is missing' &&
    ok "shipped config refused until DATABASE_URL is set (exit 2)" ||
    fail "check-config on the shipped config: exit $rc, '$out'"
sed -i -e 's|^DATABASE_URL=$|DATABASE_URL=postgresql://exportq_ro:pw@db/litellm|' \
    -e 's|^JWT_SECRET=$|JWT_SECRET=0123456789abcdef0123456789abcdef|' "$conf"
out=$(env -i PATH=/usr/bin:/bin "$ctl" check-config "$conf" 2>/dev/null)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -qx 'JWT_SECRET=\*\*\*' &&
    echo "$out" | grep -qx 'DATABASE_URL=postgresql://exportq_ro:\*\*\*@db/litellm' &&
    ok "edited config accepted, secrets hidden" || fail "check-config on the edited config: exit $rc"

# ---- reinstall keeps the edited configuration
inst
grep -q '^JWT_SECRET=0123456789abcdef' "$conf" && ok "reinstall kept the edited exportq.conf" ||
    fail "reinstall overwrote exportq.conf"

# ---- uninstall: everything goes but the edited configuration
make -C "$build" uninstall DESTDIR="$dest" >>"$log" 2>&1 ||
    fail "make uninstall failed (log: $log)"
left=$(cd "$dest" && find . -path ./verify -prune -o -type f -print | sort)
[ "$left" = ".$etc/exportq/exportq.conf" ] && ok "uninstall left only the edited exportq.conf" ||
    fail "uninstall left: $(echo $left)"

rm -f "$log"
if [ $fails -gt 0 ]; then
    echo "install test: $fails failure(s)"
    exit 1
fi
echo "install test: all checks passed"
