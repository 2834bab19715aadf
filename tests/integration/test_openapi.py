"""doc/openapi.yaml against the responder: the same paths and methods as
the route table (exportq.fcgi --routes), every $ref resolves, and a request
without credentials to each operation gets a status the document lists."""
import os
import re
import subprocess

import yaml

import xq

DOC = os.path.join(xq.ROOT, "doc", "openapi.yaml")
METHODS = ("get", "head", "post", "put", "delete", "patch")


def load():
    with open(DOC, encoding="utf-8") as f:
        return yaml.safe_load(f)


def documented():
    ops = set()
    for path, item in load()["paths"].items():
        for m in item:
            if m in METHODS:
                ops.add((m.upper(), path))
    return ops


def router_table():
    fcgi = os.path.join(os.environ.get("XQ_BUILD", os.path.join(xq.ROOT, "build")), "fcgi",
                        "exportq.fcgi")
    out = subprocess.run([fcgi, "--routes"], capture_output=True, check=True, timeout=10)
    ops = set()
    for line in out.stdout.decode().splitlines():
        method, pattern = line.split(" ")
        ops.add((method, re.sub(r":([A-Za-z]+)", r"{\1}", pattern)))
    return ops


def test_paths_and_methods_match_the_router():
    table, doc = router_table(), documented()
    assert len(table) == 18, table
    assert table == doc, {"missing from doc": table - doc, "not in router": doc - table}


def test_every_ref_resolves():
    d = load()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    parts = v.lstrip("#/").split("/")
                    cur = d
                    for p in parts:
                        assert p in cur, "unresolved " + v
                        cur = cur[p]
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(d)


def test_unauthenticated_answers_are_documented():
    d = load()
    fill = {"jobId": "00000000-0000-4000-8000-000000000000",
            "fileName": "raw-data-00000000-0000-4000-8000-000000000000.csv"}
    for path, item in d["paths"].items():
        for m, op in item.items():
            if m not in METHODS:
                continue
            url = re.sub(r"\{([A-Za-z]+)\}", lambda mo: fill[mo.group(1)], path)
            body = {} if "requestBody" in op else None
            r = xq.http(m.upper(), url, body=body)
            assert str(r.status) in op["responses"], (m, path, r.status, list(op["responses"]))
