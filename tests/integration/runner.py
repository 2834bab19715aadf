#!/usr/bin/python3
"""runner: run the integration test modules against the stack in $STACK_DIR.

    /usr/bin/python3 tests/integration/runner.py [--server lighttpd|apache] [FILTER]

Imports every tests/integration/test_*.py (sorted by name), calls its
module-level setup() if present, then each test_* function in file order.
A test passes when it returns; any exception fails it.  FILTER keeps tests
whose "module.function" name contains it.  With --server apache only the
modules with WEB_SERVERS containing "apache" run (default: ("lighttpd",)).
Prints "ok NAME" or "FAIL NAME: reason" per test and "N passed, N failed"
last; exits 1 on any failure.
"""
import glob
import importlib.util
import inspect
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reason(exc):
    tb = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(tb):
        if os.path.basename(frame.filename).startswith("test_"):
            where = " (%s:%d)" % (os.path.basename(frame.filename), frame.lineno)
            break
    text = str(exc) or type(exc).__name__
    if isinstance(exc, AssertionError) and not str(exc):
        text = "assertion failed"
    return "%s: %s%s" % (type(exc).__name__, text.replace("\n", " | ")[:500], where)


def main(argv):
    server = "lighttpd"
    args = list(argv)
    if args[:1] == ["--server"]:
        server = args[1]
        args = args[2:]
    filt = args[0] if args else ""
    sys.path.insert(0, HERE)
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        try:
            mod = load(path)
        except Exception as exc:  # a module that does not import is one failure
            print("FAIL %s: import: %s" % (modname, reason(exc)), flush=True)
            failed += 1
            continue
        if server not in getattr(mod, "WEB_SERVERS", ("lighttpd",)):
            continue
        tests = [(n, f) for n, f in vars(mod).items()
                 if n.startswith("test_") and inspect.isfunction(f) and f.__module__ == mod.__name__]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        tests = [(n, f) for n, f in tests if filt in "%s.%s" % (modname, n)]
        if not tests:
            continue
        if hasattr(mod, "setup"):
            try:
                mod.setup()
            except Exception as exc:
                for n, _ in tests:
                    print("FAIL %s.%s: setup: %s" % (modname, n, reason(exc)), flush=True)
                failed += len(tests)
                continue
        for n, f in tests:
            name = "%s.%s" % (modname, n)
            t0 = time.monotonic()
            try:
                f()
            except Exception as exc:
                print("FAIL %s: %s" % (name, reason(exc)), flush=True)
                failed += 1
            else:
                print("ok %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
                passed += 1
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
