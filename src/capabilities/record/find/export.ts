// Exports of the children a person may see: CSV (RFC 4180) and Excel (XLSX, with exceljs).
// Every text cell is neutralised against formula injection (rules.ts neutraliseCell).
import ExcelJS from 'exceljs';
import { neutraliseCell } from './rules.js';

export interface ExportColumn<R> {
  header: string;
  /** Text, or a calendar date 'YYYY-MM-DD' when `date` is set. */
  value(row: R): string | null;
  date?: boolean;
  width?: number;
}

/** One CSV field: quoted when it holds a comma, a double quote, a line break or leading/trailing space. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const v = neutraliseCell(value);
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * RFC 4180: CRLF between records, a header line, fields quoted when needed. Starts with a UTF-8
 * byte order mark so spreadsheet programs read accented names correctly.
 */
export function toCsv<R>(columns: readonly ExportColumn<R>[], rows: readonly R[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const excelDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
};

/** One worksheet with a bold, frozen header row; dates as real dates shown day/month/year. */
export async function toXlsx<R>(sheetName: string, columns: readonly ExportColumn<R>[], rows: readonly R[], now = new Date()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jointly';
  wb.created = now;
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width ?? Math.max(12, c.header.length + 2),
    ...(c.date ? { style: { numFmt: 'dd/mm/yyyy' } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    ws.addRow(
      columns.map((c) => {
        const v = c.value(r);
        if (v === null || v === '') return null;
        return c.date ? excelDate(v) : neutraliseCell(v);
      }),
    );
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
