#!/usr/bin/python3
"""The load and the checks of tests/scaleout/run.sh (which starts the two
hosts and exports URL_A, URL_B, CONF_A, CONF_B, CTL, QTOOL, N, WD_A, WD_B,
LOG_A, LOG_B, EXPORT_DIR_SHARED, JWT, XQ_ROOT, and the stack dirs through
CONF_*).  Prints "ok ..." / "FAIL ..." / "SKIP ..." lines and
"P passed, F failed" last; exit 1 on any failure.
"""
import hashlib
import http.client as httpclient
import json
import os
import subprocess
import sys
import time
import urllib.parse

E = os.environ
URL = {"A": E["URL_A"], "B": E["URL_B"]}
CONF = {"A": E["CONF_A"], "B": E["CONF_B"]}
CTL, QTOOL, N = E["CTL"], E["QTOOL"], int(E["N"])
WD = {"A": int(E["WD_A"]), "B": int(E["WD_B"])}
LOG = {"A": E["LOG_A"], "B": E["LOG_B"]}
EXPORT_DIR = E["EXPORT_DIR_SHARED"]
TYPES = ["user-breakdown", "model-breakdown", "provider-breakdown", "raw-data"]
FORMATS = ["csv", "json", "excel"]
USERS = ["scale-u%d" % i for i in range(6)]

passed = failed = 0


def ok(what):
    global passed
    passed += 1
    print("ok " + what, flush=True)


def bad(what):
    global failed
    failed += 1
    print("FAIL " + what, flush=True)


def check(what, cond, detail=""):
    if cond:
        ok(what)
    else:
        bad(what + (": " + str(detail)[:400] if detail else ""))
    return cond


def ctl(host, *args):
    p = subprocess.run([CTL] + list(args) + ["--json"], capture_output=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "EXPORTQ_CONFIG": CONF[host]})
    if p.returncode != 0:
        raise RuntimeError("exportqctl %s: exit %d: %s" % (args, p.returncode, p.stderr.decode()))
    return json.loads(p.stdout)


def http(host, method, path, token=None, body=None):
    u = urllib.parse.urlsplit(URL[host])
    hdrs = {}
    data = None
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    c = httpclient.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        c.request(method, path, body=data, headers=hdrs)
        r = c.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        c.close()


def token(user, role="admin"):
    return ctl("A", "token", "--user", user, "--email", user + "@example.com", "--role",
               role)["token"]


def completed_counter():
    p = subprocess.run([QTOOL, "metrics"], capture_output=True, timeout=30,
                       env=dict(E, EXPORTQ_CONFIG=CONF["A"]))
    total = 0
    for line in p.stdout.decode().splitlines():
        if line.startswith('export_jobs_total{status="completed"'):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def stack_b(fn):
    """Run a stack.sh function for host B (start/stop its workerd)."""
    bdir = os.path.dirname(CONF["B"])
    script = '. "$XQ_ROOT/tests/lib/stack.sh" && STACK_DIR=%s && . "$STACK_DIR/env" && %s' % (
        bdir, fn)
    p = subprocess.run(["bash", "-c", script], capture_output=True, timeout=120, env=dict(E))
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (fn, (p.stdout + p.stderr).decode()))


def request(i):
    # the demo data spans the 400 days up to 2026-11-30
    return {"startDate": "2026-06-01", "endDate": "2026-11-30",
            "exportType": TYPES[i % len(TYPES)], "format": FORMATS[(i // 4) % len(FORMATS)]}


def submit_all(use_http, tag):
    """Queue N jobs, alternating hosts; returns [(jobId, host, user)]."""
    out = []
    for i in range(N):
        host = "A" if i % 2 == 0 else "B"
        user = USERS[i % len(USERS)]
        body = request(i)
        if use_http:
            st, payload, _ = http(host, "POST", "/api/v1/admin/usage/export-async", token(user),
                                  body)
            if st != 202:
                raise RuntimeError("%s submit %d via %s: %d %r" % (tag, i, host, st, payload[:200]))
            jid = json.loads(payload)["jobId"]
        else:
            p = subprocess.run([QTOOL, "add", user, user + "@example.com", json.dumps(body)],
                               capture_output=True, timeout=30,
                               env=dict(E, EXPORTQ_CONFIG=CONF[host]))
            if p.returncode != 0:
                raise RuntimeError("%s xq-qtool add: %s" % (tag, p.stderr.decode()))
            jid = p.stdout.decode().strip()
        out.append((jid, host, user))
    return out


def wait_all(jobs, timeout=600):
    deadline = time.monotonic() + timeout
    host_of = {j: h for j, h, _ in jobs}
    pending = set(host_of)
    final = {}
    while pending and time.monotonic() < deadline:
        for jid in list(pending):
            j = ctl(host_of[jid], "show", jid)  # each host's exportqctl reads the same queue
            if j["status"] in ("completed", "failed", "cancelled"):
                final[jid] = j
                pending.discard(jid)
        time.sleep(0.2)
    return final, pending


def log_events(host):
    """{jobId: {"started": n, "completed": n}} from one workerd's JSON log."""
    ev = {}
    with open(LOG[host], encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            jid, msg = o.get("jobId"), o.get("msg", "")
            if not jid:
                continue
            d = ev.setdefault(jid, {"started": 0, "completed": 0})
            if msg.startswith("job started"):
                d["started"] += 1
            elif msg.startswith("job completed"):
                d["completed"] += 1
    return ev


def ppid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("PPid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    # Does the responder queue exports yet (routes merged)?
    st, payload, _ = http("A", "POST", "/api/v1/admin/usage/export-async", token(USERS[0]),
                          request(0))
    use_http = st == 202
    if use_http:
        first = json.loads(payload)["jobId"]
        ctl("A", "remove", first)  # the probe is not part of the load
        print("submitting through the web servers, alternating A and B", flush=True)
    else:
        print("SKIP HTTP submission: export-async answers %d in this build; queueing with "
              "xq-qtool through each host's configuration instead" % st, flush=True)

    # -- the same load on host A's workerd alone, for the timing figure
    stack_b("stack_workerd_stop")
    t0 = time.monotonic()
    jobs1 = submit_all(use_http, "A-only")
    final1, pending1 = wait_all(jobs1)
    t_one = time.monotonic() - t0
    check("A alone: all %d jobs finished" % N, not pending1, pending1)
    for jid, _, _ in jobs1:
        ctl("A", "remove", jid)
    stack_b("stack_workerd_start")
    WD["B"] = int(open(os.path.join(os.path.dirname(CONF["B"]), "run", "workerd.pid")).read())

    # -- the load on both hosts
    before = completed_counter()
    t0 = time.monotonic()
    jobs = submit_all(use_http, "A+B")
    final, pending = wait_all(jobs)
    t_two = time.monotonic() - t0
    check("A+B: all %d jobs finished" % N, not pending, pending)
    rows = sum(j["result"]["rowCount"] for j in final.values() if j.get("result"))
    print("timing: %d jobs (%d rows in all) in %.2f s on one workerd, %.2f s on two "
          "(ratio %.2f)" % (N, rows, t_one, t_two, t_one / t_two if t_two else 0), flush=True)
    check("the jobs exported rows", rows > N, rows)

    states = {jid: j["status"] for jid, j in final.items()}
    check("every job completed", all(s == "completed" for s in states.values()),
          {k: v for k, v in states.items() if v != "completed"})
    check("every job ran one attempt",
          all(j["attemptsMade"] == 1 for j in final.values()),
          [(k, j["attemptsMade"]) for k, j in final.items() if j["attemptsMade"] != 1])
    check("completed counter grew by exactly N", completed_counter() - before == N,
          completed_counter() - before)

    names = [j["result"]["fileName"] for j in final.values() if j.get("result")]
    check("one distinct file per job", len(set(names)) == N, len(set(names)))
    sizes_ok = all(os.path.getsize(os.path.join(EXPORT_DIR, j["result"]["fileName"]))
                   == j["result"]["fileSize"] for j in final.values() if j.get("result"))
    check("each file is in the shared EXPORT_DIR with its size", sizes_ok)
    check("no temporary file left",
          not [n for n in os.listdir(EXPORT_DIR) if n.endswith(".part")])

    ev = {h: log_events(h) for h in ("A", "B")}
    ids = [jid for jid, _, _ in jobs]
    starts = {jid: ev["A"].get(jid, {}).get("started", 0) + ev["B"].get(jid, {}).get("started", 0)
              for jid in ids}
    dones = {jid: (ev["A"].get(jid, {}).get("completed", 0), ev["B"].get(jid, {}).get("completed", 0))
             for jid in ids}
    check("every job started exactly once across both workerd",
          all(v == 1 for v in starts.values()), {k: v for k, v in starts.items() if v != 1})
    check("every job completed exactly once across both workerd",
          all(sum(v) == 1 for v in dones.values()),
          {k: v for k, v in dones.items() if sum(v) != 1})
    by_a = sum(1 for v in dones.values() if v[0] == 1)
    by_b = sum(1 for v in dones.values() if v[1] == 1)
    print("work split: host A completed %d, host B completed %d" % (by_a, by_b), flush=True)
    check("both supervisors completed jobs", by_a > 0 and by_b > 0, (by_a, by_b))

    ws = ctl("B", "workers")["workers"]
    parents = {ppid(w["pid"]) for w in ws}
    check("exportqctl workers (on B) lists the workers of both supervisors",
          WD["A"] in parents and WD["B"] in parents, (parents, WD))

    # -- downloads through either web server
    sample = list(final.values())
    st, _, _ = http("A", "GET", urllib.parse.urlsplit(sample[0]["result"]["downloadUrl"]).path
                    + "?" + urllib.parse.urlsplit(sample[0]["result"]["downloadUrl"]).query)
    if st == 501:
        print("SKIP downloads: the responder has no download route in this build (501); the "
              "files are on the shared EXPORT_DIR (checked above)", flush=True)
    else:
        okdl = True
        for j in sample:
            u = urllib.parse.urlsplit(j["result"]["downloadUrl"])
            want = hashlib.sha256(open(os.path.join(EXPORT_DIR, j["result"]["fileName"]),
                                       "rb").read()).hexdigest()
            for host in ("A", "B"):
                st, body, hdrs = http(host, "GET", u.path + "?" + u.query)
                if st != 200 or hashlib.sha256(body).hexdigest() != want:
                    okdl = False
                    print("  %s via %s: %d, %d bytes" % (j["jobId"], host, st, len(body)))
            owner = token(j["owner"], "adminReadonly")
            st, body, _ = http("B" if u.port == urllib.parse.urlsplit(URL["A"]).port else "A",
                               "GET", u.path, owner)
            if st != 200 or hashlib.sha256(body).hexdigest() != want:
                okdl = False
                print("  %s with the owner's token on the other host: %d" % (j["jobId"], st))
        check("every file downloads byte-identical from both web servers (signed link and "
              "owner token)", okdl)

    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # one clear line, counted as a failure
        bad("scenario aborted: %s: %s" % (type(exc).__name__, exc))
        print("%d passed, %d failed" % (passed, failed), flush=True)
        sys.exit(1)
