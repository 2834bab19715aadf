#!/usr/bin/python3
"""deploy_rule: what runs as which user in the shipped configs (issue 8).

    /usr/bin/python3 tests/security/deploy_rule.py [ROOT]     (make check runs it)

Checks the files exportq ships, not the test stack:
  D1  systemd units (etc/systemd/*.service.in): a User= that is not root, a
      Group=, NoNewPrivileges=yes, an empty CapabilityBoundingSet=, a
      read-only system (ProtectSystem=strict) where only EXPORT_DIR is
      writable; no unit runs anything as root at run time ("+" or "!"
      prefixes on Exec lines, PermissionsStartOnly, User=root/0).
  D2  web server snippets: X-Sendfile is confined to EXPORT_DIR
      (lighttpd x-sendfile-docroot, Apache XSendFilePath) and nothing maps a
      URL straight onto EXPORT_DIR (no alias or document root there), so a
      file reaches a client only through the responder's checks.
  D3  EXPORT_DIR (the built-in default and the documented defaults of every
      snippet and the sample config) is not inside any document root the
      snippets define or document, nor under /var/www, /srv/www, /usr/share.
--self-test feeds bad snippets to each rule and fails unless each is caught.
"""
import glob
import os
import re
import sys

DOCROOT_PREFIXES = ("/var/www", "/srv/www", "/srv/http", "/usr/share", "/usr/local/share")


def unit_problems(name, text):
    out = []
    svc = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("["):
            continue
        if "=" in line:
            k, v = line.split("=", 1)
            svc.setdefault(k.strip(), []).append(v.strip())
    user = (svc.get("User") or [""])[-1]
    if not user:
        out.append("%s: no User= (the service would run as root)" % name)
    elif user in ("root", "0"):
        out.append("%s: User=%s" % (name, user))
    if not svc.get("Group"):
        out.append("%s: no Group=" % name)
    if (svc.get("NoNewPrivileges") or [""])[-1] != "yes":
        out.append("%s: NoNewPrivileges=yes missing" % name)
    if "CapabilityBoundingSet" not in svc or svc["CapabilityBoundingSet"][-1] != "":
        out.append("%s: CapabilityBoundingSet= (empty) missing" % name)
    if (svc.get("ProtectSystem") or [""])[-1] != "strict":
        out.append("%s: ProtectSystem=strict missing" % name)
    for k, vals in svc.items():
        if k.startswith("Exec"):
            for v in vals:
                if v[:1] in ("+", "!") or v[:2] in ("!!", "-+", "+-"):
                    out.append("%s: %s=%s runs with full privileges" % (name, k, v))
    if svc.get("PermissionsStartOnly"):
        out.append("%s: PermissionsStartOnly= runs Exec*Pre as root" % name)
    for v in svc.get("ReadWritePaths", []):
        for p in v.split():
            if "exports" not in p:
                out.append("%s: writable path %s other than EXPORT_DIR" % (name, p))
    return out


def lighttpd_problems(name, text):
    out = []
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    m = re.search(r'"x-sendfile-docroot"\s*=>\s*\(([^)]*)\)', body)
    if '"x-sendfile"' in body and '"enable"' in body:
        if m is None or m.group(1).strip() != "var.exportq_export_dir":
            out.append("%s: x-sendfile not confined to var.exportq_export_dir" % name)
    for rx in (r"document-root\s*=\s*var\.exportq_export_dir", r"alias\.url[^\n]*exportq_export_dir"):
        if re.search(rx, body):
            out.append("%s: a URL maps onto EXPORT_DIR (%s)" % (name, rx))
    return out


def apache_problems(name, text):
    out = []
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    paths = re.findall(r"^\s*XSendFilePath\s+(\S+)", body, flags=re.M)
    if re.search(r"^\s*XSendFile\s+On", body, flags=re.M | re.I):
        if not paths or any(p.strip('"') != "${EXPORTQ_EXPORT_DIR}" for p in paths):
            out.append("%s: XSendFilePath not confined to EXPORTQ_EXPORT_DIR: %r" % (name, paths))
    for rx in (r"^\s*(Alias|AliasMatch|DocumentRoot)\b[^\n]*EXPORTQ_EXPORT_DIR",):
        if re.search(rx, body, flags=re.M):
            out.append("%s: a URL maps onto EXPORT_DIR" % name)
    return out


def documented(text, var):
    """Default paths given in comments, e.g. '#   var.x = "/a/b"' or 'Define X "/a"'."""
    return re.findall(r'%s\s*=?\s*"(/[^"]*)"' % re.escape(var), text)


def inside(child, parent):
    child, parent = child.rstrip("/") + "/", parent.rstrip("/") + "/"
    return child.startswith(parent)


def exportdir_problems(export_dirs, docroots):
    out = []
    for e in export_dirs:
        for d in docroots:
            if inside(e, d):
                out.append("EXPORT_DIR %s is inside the document root %s" % (e, d))
        for p in DOCROOT_PREFIXES:
            if inside(e, p):
                out.append("EXPORT_DIR %s is under %s, a usual web root" % (e, p))
    return out


def scan(root):
    problems, checked = [], []
    units = sorted(glob.glob(os.path.join(root, "etc", "systemd", "*.service*")))
    if os.path.isdir(os.path.join(root, "etc", "systemd")):
        names = {os.path.basename(u).split(".service")[0] for u in units}
        for need in ("exportq-workerd", "exportq-fcgi"):
            if need not in names:
                problems.append("etc/systemd: no %s unit" % need)
    for u in units:
        with open(u, encoding="utf-8") as f:
            problems += unit_problems(os.path.relpath(u, root), f.read())
        checked.append(u)
    export_dirs, docroots = [], []
    with open(os.path.join(root, "src", "config.c"), encoding="utf-8") as f:
        m = re.search(r'\{"EXPORT_DIR", T_STR, "([^"]+)"', f.read())
    if m is None:
        problems.append("src/config.c: no built-in EXPORT_DIR default found")
    else:
        export_dirs.append(m.group(1))
    lt = os.path.join(root, "etc", "lighttpd", "exportq.conf")
    ap = os.path.join(root, "etc", "apache", "exportq.conf")
    for path, fn in ((lt, lighttpd_problems), (ap, apache_problems)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        problems += fn(os.path.relpath(path, root), text)
        checked.append(path)
        export_dirs += documented(text, "var.exportq_export_dir") + documented(text, "EXPORTQ_EXPORT_DIR")
        docroots += documented(text, "var.exportq_www") + documented(text, "EXPORTQ_WWW")
        docroots += documented(text, "server.document-root") + documented(text, "DocumentRoot")
    sample = os.path.join(root, "etc", "exportq.conf")
    if os.path.isfile(sample):
        with open(sample, encoding="utf-8") as f:
            export_dirs += re.findall(r"^#?\s*EXPORT_DIR=(/\S+)", f.read(), flags=re.M)
        checked.append(sample)
    problems += exportdir_problems(sorted(set(export_dirs)), sorted(set(docroots)))
    return problems, checked, sorted(set(export_dirs)), sorted(set(docroots))


BAD_UNIT = "[Service]\nUser=root\nExecStart=+/usr/sbin/x\nPermissionsStartOnly=true\n"
GOOD_UNIT = ("[Service]\nUser=exportq\nGroup=exportq\nNoNewPrivileges=yes\n"
             "CapabilityBoundingSet=\nProtectSystem=strict\nReadWritePaths=/var/lib/exportq/exports\n"
             "ExecStart=/usr/sbin/exportq-workerd\n")
BAD_LIGHTTPD = ('"x-sendfile" => "enable",\n"x-sendfile-docroot" => ( "/" ),\n'
                'alias.url += ( "/files/" => var.exportq_export_dir )\n')
BAD_APACHE = "XSendFile On\nXSendFilePath /\nAlias /files ${EXPORTQ_EXPORT_DIR}\n"


def self_test():
    ok = True
    checks = [
        (len(unit_problems("bad", BAD_UNIT)) >= 6, "bad unit"),
        (unit_problems("good", GOOD_UNIT) == [], "good unit flagged"),
        (len(unit_problems("nouser", GOOD_UNIT.replace("User=exportq\n", ""))) == 1, "no User"),
        (len(lighttpd_problems("bad", BAD_LIGHTTPD)) == 2, "bad lighttpd"),
        (len(apache_problems("bad", BAD_APACHE)) == 2, "bad apache"),
        (len(exportdir_problems(["/var/www/html/exports"], [])) == 1, "export dir in /var/www"),
        (len(exportdir_problems(["/srv/site/x"], ["/srv/site"])) == 1, "export dir in docroot"),
        (exportdir_problems(["/var/lib/exportq/exports"], ["/usr/local/share/exportq/www"]) == [],
         "good export dir flagged"),
    ]
    for good, what in checks:
        if not good:
            print("deploy_rule self-test failed: " + what)
            ok = False
    return ok


def main():
    args = [a for a in sys.argv[1:] if a != "--self-test"]
    root = os.path.abspath(args[0] if args else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    if not self_test():
        return 1
    if "--self-test" in sys.argv:
        print("deploy_rule: self-test passed")
        return 0
    problems, checked, exps, docs = scan(root)
    for p in problems:
        print(p)
    print("deploy_rule: %d files (%s); EXPORT_DIR defaults %s; document roots %s; %d problem(s)"
          % (len(checked), ", ".join(os.path.relpath(c, root) for c in checked), exps, docs,
             len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
