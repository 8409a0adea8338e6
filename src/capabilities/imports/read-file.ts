// An uploaded extract as a table of text: CSV (UTF-8, with or without a byte order mark) through
// csv-parse, XLSX through exceljs (the first worksheet). Problems become FileProblem messages.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { decodeUtf8, fileType, FileProblem, type Table } from './rules.js';

export async function readTable(name: string, bytes: Uint8Array): Promise<{ type: 'csv' | 'xlsx'; table: Table }> {
  const type = fileType(name, bytes);
  return { type, table: type === 'csv' ? readCsv(name, bytes) : await readXlsx(name, bytes) };
}

function readCsv(name: string, bytes: Uint8Array): Table {
  const text = decodeUtf8(name, bytes);
  if (!text.trim()) throw new FileProblem(`The file ${name} is empty. Choose the agency’s extract, which has a header row and at least one row of data`);
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new FileProblem(`The file ${name} is not a readable CSV file${line ? ` (the problem is near line ${line}: check its quotation marks)` : ''}`);
  }
  return toTable(records);
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text; // hyperlink
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue); // formula: its value, never the formula
    return '';
  }
  return String(v);
}

async function readXlsx(name: string, bytes: Uint8Array): Promise<Table> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw new FileProblem(`The file ${name} could not be opened as an Excel workbook. Save it again from Excel as “Excel Workbook (.xlsx)”`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new FileProblem(`The workbook ${name} has no worksheets`);
  const records: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).trim());
    if (cells.some((x) => x)) records.push(cells);
  });
  if (!records.length) throw new FileProblem(`The file ${name} is empty. Choose the agency’s extract, which has a header row and at least one row of data`);
  return toTable(records);
}

function toTable(records: string[][]): Table {
  const [head = [], ...body] = records;
  const header = head.map((h) => h.trim());
  const rows = body.map((cells) => {
    const r: Record<string, string> = {};
    header.forEach((h, i) => {
      if (h) r[h] = cells[i] ?? '';
    });
    return r;
  });
  return { header, rows };
}
