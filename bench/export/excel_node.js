// excel_node.js ROWS.tsv OUT.xlsx - the exceljs baseline: the same rows (the
// engine's query for UTC, COPY text format: timestamps as wall-time text)
// through stream.xlsx.WorkbookWriter.
const fs = require('fs');
const readline = require('readline');
const ExcelJS = require('exceljs');

const names = ['requestId', 'startTime', 'endTime', 'userId', 'modelId', 'model', 'provider',
  'callType', 'status', 'promptTokens', 'completionTokens', 'totalTokens', 'spend', 'durationMs',
  'cacheHit', 'teamId', 'endUser'];
function unesc(s) {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(.)/g, (m, c) => ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' }[c] || c));
}
(async () => {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: process.argv[3], useStyles: true,
    useSharedStrings: false });
  const ws = wb.addWorksheet('Export', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = names.map((n) => ({ header: n, key: n, width: 16 }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  const rl = readline.createInterface({ input: fs.createReadStream(process.argv[2]), crlfDelay: Infinity });
  const num = (v) => (v === '\\N' ? null : Number(v));
  const txt = (v) => (v === '\\N' ? '' : unesc(v));
  const dt = (v) => (v === '\\N' ? null : new Date(v.replace(' ', 'T') + 'Z'));
  for await (const line of rl) {
    const f = line.split('\t');
    const row = ws.addRow([txt(f[0]), dt(f[1]), dt(f[3]), txt(f[5]), txt(f[6]), txt(f[7]), txt(f[8]),
      txt(f[9]), txt(f[10]), num(f[11]), num(f[12]), num(f[13]), num(f[14]), num(f[15]), txt(f[16]),
      txt(f[17]), txt(f[18])]);
    row.getCell(2).numFmt = 'yyyy-mm-dd hh:mm:ss.000';
    row.getCell(3).numFmt = 'yyyy-mm-dd hh:mm:ss.000';
    row.commit();
  }
  ws.commit();
  await wb.commit();
})();
