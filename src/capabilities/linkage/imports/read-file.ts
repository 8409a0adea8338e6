// An uploaded extract as a table of text: CSV (UTF-8, with or without a byte order mark) through
// csv-parse, XLSX through exceljs (the first worksheet). Problems become FileProblem messages.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { decodeUtf8, fileType, FileProblem, xlsxSizeProblem, type Table } from './rules.js';

export async function readTable(name: string, bytes: Uint8Array): Promise<{ type: 'csv' | 'xlsx'; table: Table }> {
  const type = fileType(name, bytes);
  return { type, table: type === 'csv' ? readCsv(name, bytes) : await readXlsx(name, bytes) };
}

/**
 * The cheap checks an upload request may make before storing a file: its type and size, the
 * encoding of its first 64 KB, and for a CSV the header row; for an XLSX the zip's declared
 * sizes (see xlsxSizeProblem). The full read happens in the dry run job, outside the request.
 */
export function quickCheck(name: string, bytes: Uint8Array): { type: 'csv' | 'xlsx'; header: string[] | null } {
  const type = fileType(name, bytes);
  if (type === 'xlsx') {
    const problem = xlsxSizeProblem(name, bytes);
    if (problem) throw new FileProblem(problem);
    return { type, header: null };
  }
  return { type, header: csvHeader(name, bytes) };
}

/** The header row of a CSV, from its first 64 KB (cut at the last whole line). */
export function csvHeader(name: string, bytes: Uint8Array): string[] {
  let head = bytes.subarray(0, 64 * 1024);
  if (head.length < bytes.length) {
    const nl = head.lastIndexOf(0x0a);
    if (nl > 0) head = head.subarray(0, nl + 1);
  }
  const text = decodeUtf8(name, head);
  if (!text.trim()) throw new FileProblem(`The file ${name} is empty. Choose the agency’s extract, which has a header row and at least one row of data`);
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, to_line: 1 });
  } catch {
    throw new FileProblem(`The file ${name} is not a readable CSV file (the problem is in its first line: check its quotation marks)`);
  }
  return (records[0] ?? []).map((h) => h.trim());
}

function readCsv(name: string, bytes: Uint8Array): Table {
  const text = decodeUtf8(name, bytes);
  if (!text.trim()) throw new FileProblem(`The file ${name} is empty. Choose the agency’s extract, which has a header row and at least one row of data`);
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true });
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
    if ('result' in v) return cellText(v.result); // formula: its value, never the formula
    return '';
  }
  return String(v);
}

async function readXlsx(name: string, bytes: Uint8Array): Promise<Table> {
  const tooBig = xlsxSizeProblem(name, bytes);
  if (tooBig) throw new FileProblem(tooBig);
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
    // No prototype: a column named __proto__ or constructor is just a column.
    const r = Object.create(null) as Record<string, string>;
    header.forEach((h, i) => {
      if (h) r[h] = cells[i] ?? '';
    });
    return r;
  });
  return { header, rows };
}
