#!/usr/bin/python3
"""sql_rule: fail when C code could send SQL that is not parameterised.

    /usr/bin/python3 tests/security/sql_rule.py [ROOT]     (make check runs it)

SPEC §2 says all SQL is parameterised: values go to PostgreSQL as $n
parameters of PQexecParams/PQsendQueryParams, never inside the SQL text.
Scanned: every .c and .h file under src/ fcgi/ workerd/ ctl/.  Rules:

  R1  no PQexec( / PQsendQuery( / PQexecPrepared with built text: only the
      *Params calls (and PQprepare + PQexecPrepared) exist; PQexec and
      PQsendQuery take no parameters, so any value would be in the text.
  R2  no PQescapeLiteral / PQescapeString / PQescapeStringConn /
      PQescapeIdentifier: escaping is string building by another name.
  R3  a printf-style format (snprintf, xq_buf_printf, xq_buf_vprintf,
      fprintf to a buffer...) that holds SQL words may only insert numbers
      (%d %ld %lld %u ...: the $n placeholder numbers); a %s (or %.*s, %c)
      inserting text into SQL is refused unless the file and the argument
      are listed in ALLOWED below with the reason the text is a constant.
  R4  a quote right before a conversion ('%s, '%d, "%s) in a format with
      SQL words: a value spliced into a literal or identifier.

--self-test runs the rules on bad snippets and fails unless each is caught,
so the check itself cannot silently stop working.
"""
import os
import re
import sys

SCANNED = ("src", "fcgi", "workerd", "ctl")
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|GROUP BY|ORDER BY|SET|"
                       r"VALUES|JOIN|LIMIT|AND|OR)\b")
PRINTF = re.compile(r"\b(snprintf|sprintf|asprintf|vsnprintf|xq_buf_printf|xq_buf_vprintf|"
                    r"fprintf|dprintf)\s*\(")
TEXT_CONV = re.compile(r"%[-+ #0]*(\d+|\*)?(\.(\d+|\*))?(s|c|ls)")
QUOTED_CONV = re.compile(r"['\"]%|\\\"%")
BANNED_CALLS = {
    "R1": re.compile(r"\b(PQexec|PQsendQuery)\s*\("),
    "R2": re.compile(r"\bPQescape(Literal|String|StringConn|Identifier|Bytea|ByteaConn)\s*\("),
}

# (file, text that must appear in the statement): why the %s is a constant.
ALLOWED = {
    ("src/query.c", "group_key[req->type]"):
        "group_key[] is a static table of column expressions chosen by the validated "
        "export type (an enum), never client text",
}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def statements(text):
    """(line number, statement text) for each printf-family call, joined
    across lines up to the closing parenthesis."""
    for m in PRINTF.finditer(text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            elif c == '"':  # skip a string literal
                i += 1
                while i < len(text) and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
            i += 1
        yield text.count("\n", 0, m.start()) + 1, text[m.start():i + 1]


def literal_text(stmt):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', stmt))


def check_text(rel, text):
    """Problems in one file's text: list of (rule, line, message)."""
    out = []
    clean = strip_comments(text)
    for rule, rx in BANNED_CALLS.items():
        for m in rx.finditer(clean):
            line = clean.count("\n", 0, m.start()) + 1
            out.append((rule, line, "%s is not allowed (use PQexecParams with $n)" % m.group(0)))
    for line, stmt in statements(clean):
        fmt = literal_text(stmt)
        if not SQL_WORDS.search(fmt):
            continue
        if QUOTED_CONV.search(fmt):
            out.append(("R4", line, "a value quoted into SQL text: %s" % stmt[:120]))
            continue
        if TEXT_CONV.search(fmt):
            if any(rel == f and needle in stmt for (f, needle) in ALLOWED):
                continue
            out.append(("R3", line, "text inserted into SQL with printf: %s" % stmt[:120]))
    return out


def scan(root):
    problems = []
    for d in SCANNED:
        base = os.path.join(root, d)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for rule, line, msg in check_text(rel, f.read()):
                        problems.append("%s:%d: %s %s" % (rel, line, rule, msg))
    return problems


BAD = {
    "R1": 'r = PQexec(conn, "SELECT 1");',
    "R1b": 'PQsendQuery(c, xq_buf_str(&b));',
    "R2": 'char *q = PQescapeLiteral(conn, user, strlen(user));',
    "R3": 'xq_buf_printf(&b, "SELECT * FROM t WHERE u = %s", user);',
    "R3b": 'snprintf(q, sizeof(q),\n  "DELETE FROM \\"T\\" WHERE id = %.*s", n, id);',
    "R4": 'xq_buf_printf(&b, " AND model = \'%d\'", n);',
}
GOOD = [
    'xq_buf_printf(b, " AND " USER_ID " = $%d", q->nparams);',
    'snprintf(msg, sizeof(msg), "job %s from %s", id, who);',
    'r = PQexecParams(conn, "SELECT 1 WHERE $1", 1, NULL, v, NULL, NULL, 0);',
    '/* PQexec( is banned */',
]


def self_test():
    ok = True
    for name, snippet in BAD.items():
        found = check_text("src/x.c", snippet)
        if not any(r == name.rstrip("b") for r, _, _ in found):
            print("sql_rule self-test: %s not caught in %r (got %r)" % (name, snippet, found))
            ok = False
    for snippet in GOOD:
        found = check_text("src/x.c", snippet)
        if found:
            print("sql_rule self-test: false alarm on %r: %r" % (snippet, found))
            ok = False
    return ok


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--self-test"
                           else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    if not self_test():
        return 1
    if "--self-test" in sys.argv:
        print("sql_rule: self-test passed")
        return 0
    problems = scan(root)
    for p in problems:
        print(p)
    nfiles = sum(1 for d in SCANNED for _, _, fs in os.walk(os.path.join(root, d))
                 for f in fs if f.endswith((".c", ".h")))
    print("sql_rule: %d files, %d problem(s)" % (nfiles, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
