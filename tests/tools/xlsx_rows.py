#!/usr/bin/python3
"""xlsx_rows: print the number of data rows of an exportq .xlsx (the rows of
every "Export*" sheet minus one header row each), streaming the sheet XML so
that a million-row file needs no more memory than a small one.

    /usr/bin/python3 tests/tools/xlsx_rows.py FILE.xlsx
"""
import re
import sys
import zipfile


def main(path):
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in
                        re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        total = 0
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
            if not name.startswith("Export"):
                continue
            target = targets[rid].lstrip("/")
            member = target if target.startswith("xl/") else "xl/" + target
            rows, tail = 0, b""
            with z.open(member) as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    data = tail + chunk
                    rows += data.count(b"<row ")
                    tail = data[-4:]  # shorter than "<row ": never counted twice
            total += rows - 1
        print(total)


if __name__ == "__main__":
    main(sys.argv[1])
