"""A worker SIGKILLed mid-export leaves its temporary file; when the job then
ends without another attempt (here: cancelled while its worker was dead), the
reaper removes that file (found by the soak, tests/soak/; doc/security.md
§12).  A temporary of a job that is still waiting is left alone."""
import os
import signal
import time

import api
import xq

DAY = "2035-05-05"
ROWS = 300000


def setup():
    xq.sql("DELETE FROM \"LiteLLM_SpendLogs\" WHERE request_id LIKE 'fxo-%';"
           "INSERT INTO \"LiteLLM_SpendLogs\"(request_id, call_type, spend, total_tokens, "
           "prompt_tokens, completion_tokens, \"startTime\", \"endTime\", model, "
           "custom_llm_provider, \"user\") "
           "SELECT 'fxo-' || g, 'completion', 0.01, 3, 1, 2, "
           "timestamp '" + DAY + "' + g * interval '200 ms', "
           "timestamp '" + DAY + "' + g * interval '200 ms' + interval '1 s', "
           "'m', 'openai', 'orphan-user' FROM generate_series(1, " + str(ROWS) + ") g;")


def _temps():
    d = xq.env["EXPORT_DIR"]
    return sorted(n for n in os.listdir(d) if n.startswith(".") and n.endswith(".part"))


def _kill_while_writing(tok, adm):
    """Queue an export and SIGKILL its worker while its temporary file
    exists; the job id, or None when the export finished first."""
    r = api.submit(tok, {"startDate": DAY, "endDate": DAY, "exportType": "raw-data",
                         "format": "excel"})
    assert r.status == 202, r
    jid = r.json["jobId"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(jid in n for n in _temps()):
            w = xq.http("GET", "/api/v1/admin/queue/workers", token=adm)
            for x in w.json.get("workers", []):
                if x.get("jobId") == jid:
                    os.kill(int(x["pid"]), signal.SIGKILL)
                    return jid
        if api.status(tok, jid).json["status"] in ("completed", "failed", "cancelled"):
            return None
        time.sleep(0.01)
    raise AssertionError("job %s never seen writing" % jid)


def test_cancelled_dead_job_leaves_no_temporary():
    tok = api.reader()
    adm = api.admin()
    for _ in range(3):
        jid = _kill_while_writing(tok, adm)
        if jid is not None:
            break
    assert jid is not None, "three exports finished before their worker could be killed"
    assert any(jid in n for n in _temps()), _temps()
    r = xq.http("DELETE", api.USAGE + "/export/" + jid, token=tok)
    assert r.status in (200, 202), r
    # the lease runs out (EXPORT_LEASE_MS), the reaper makes it cancelled ...
    api.wait_state(tok, jid, states=("cancelled",), timeout=60)
    # ... and removes the dead attempt's temporary file
    xq.wait_for(lambda: not any(jid in n for n in _temps()), timeout=10,
                what="the temporary file of the cancelled job to go")


def test_cleanup():
    xq.sql("DELETE FROM \"LiteLLM_SpendLogs\" WHERE request_id LIKE 'fxo-%';")
