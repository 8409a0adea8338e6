// Report tables as CSV (RFC 4180) and Excel (XLSX, with exceljs), for any report's downloads.
// Amounts are pounds with two decimals (numbers in Excel, formatted as money); text cells are neutralised against formula
// injection: a cell starting with = + - @ or a tab or carriage return gets a leading apostrophe.
import ExcelJS from 'exceljs';

export type CellValue = string | { pence: number } | number | null;

export interface Table {
  /** The worksheet's name (at most 31 characters). */
  sheet: string;
  columns: string[];
  rows: CellValue[][];
}

export const neutraliseCell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

const pounds = (pence: number) => `${pence < 0 ? '-' : ''}${Math.floor(Math.abs(pence) / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

function csvText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return pounds(v.pence);
  const s = neutraliseCell(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Several tables one after another, each with a title line and a blank line between them. */
export function toCsv(tables: readonly Table[]): string {
  const lines: string[] = [];
  tables.forEach((t, i) => {
    if (i > 0) lines.push('');
    if (tables.length > 1) lines.push(csvText(t.sheet));
    lines.push(t.columns.map(csvText).join(','));
    for (const r of t.rows) lines.push(r.map(csvText).join(','));
  });
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One worksheet per table, header row bold and frozen; money as numbers shown as £. */
export async function toXlsx(tables: readonly Table[], now = new Date()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jointly';
  wb.created = now;
  const used = new Set<string>();
  for (const t of tables) {
    let name = t.sheet.replace(/[\\/*?:[\]]/g, ' ').slice(0, 31);
    for (let n = 2; used.has(name); n++) name = `${t.sheet.slice(0, 27)} ${n}`;
    used.add(name);
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.columns.map((c) => ({ header: neutraliseCell(c), width: Math.max(14, Math.min(50, c.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    for (const r of t.rows) {
      const row = ws.addRow(r.map((v) => (v === null ? null : typeof v === 'number' ? v : typeof v === 'object' ? v.pence / 100 : neutraliseCell(v))));
      r.forEach((v, i) => {
        if (v !== null && typeof v === 'object') row.getCell(i + 1).numFmt = '"£"#,##0.00;-"£"#,##0.00';
      });
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A report's tables as a file to download, CSV or Excel, never cached (reports can name children). */
export async function tablesDownload(name: string, tables: readonly Table[], format: 'csv' | 'xlsx') {
  const headers = { 'content-disposition': `attachment; filename="${name}.${format}"`, 'cache-control': 'no-store' };
  if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', headers, body: toCsv(tables) };
  return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', headers, body: await toXlsx(tables) };
}
