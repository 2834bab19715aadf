#!/usr/bin/python3
"""xlsx_py.py ROWS.tsv OUT.xlsx - Debian's Python XlsxWriter in constant-memory
mode over the same rows (the engine's query, COPY text format)."""
import datetime, sys
import xlsxwriter

names = ['requestId', 'startTime', 'endTime', 'userId', 'modelId', 'model', 'provider',
         'callType', 'status', 'promptTokens', 'completionTokens', 'totalTokens', 'spend',
         'durationMs', 'cacheHit', 'teamId', 'endUser']
ESC = {'t': '\t', 'n': '\n', 'r': '\r', 'b': '\b', 'f': '\f', 'v': '\v'}


def unesc(s):
    if '\\' not in s:
        return s
    out, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s):
            out.append(ESC.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


wb = xlsxwriter.Workbook(sys.argv[2], {'constant_memory': True})
ws = wb.add_worksheet('Export')
bold = wb.add_format({'bold': True})
date = wb.add_format({'num_format': 'yyyy-mm-dd hh:mm:ss.000'})
ws.freeze_panes(1, 0)
for c, n in enumerate(names):
    ws.write_string(0, c, n, bold)
r = 0
with open(sys.argv[1], encoding='utf-8') as f:
    for line in f:
        v = line.rstrip('\n').split('\t')
        r += 1
        fields = [v[0], v[1], v[3], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                  v[14], v[15], v[16], v[17], v[18]]
        for c, x in enumerate(fields):
            if x == '\\N':
                continue
            if c in (1, 2):
                ws.write_datetime(r, c, datetime.datetime.fromisoformat(x), date)
            elif 9 <= c <= 13:
                ws.write_number(r, c, float(x))
            elif x:
                ws.write_string(r, c, unesc(x))
ws.autofilter(0, 0, r, len(names) - 1)
wb.close()
