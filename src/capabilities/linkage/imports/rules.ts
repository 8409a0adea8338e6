// The rules of an import, pure so they are tested on their own: which files are accepted, how a
// row's values are checked with the register's own rules (NHS number, UPN, dates, postcodes),
// and which value a child's record shows when sources disagree.
import { isIsoDate } from '../../../platform/dates.js';
import { ageProblems, normalisePostcode, parseNhsNumber, parseUpn } from '../../record/children/index.js';
import { firstInvalidUtf8 } from '../../../linker/csv.js';
import { FIELDS, FIELD_KEYS, type DateFormat, type Field, type Mapping, type RowValues } from './fields.js';

/** Extracts larger than this are refused (the issue's 100 MB). */
export const MAX_BYTES = 100 * 1024 * 1024;
export const MAX_MB = MAX_BYTES / (1024 * 1024);

export class FileProblem extends Error {}

/**
 * Zip bomb limits for an XLSX, read from its zip central directory without inflating anything:
 * the parts may add up to at most 250 MB uncompressed, and no part over 1 MB may be more than
 * 200 times smaller compressed (real extracts compress about 10 to 30 times). See ADR 0010.
 */
export const MAX_XLSX_UNCOMPRESSED = 250 * 1024 * 1024;
export const MAX_XLSX_RATIO = 200;

// ---------------------------------------------------------------------------------------------
// The file as a whole

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // old binary .xls, .doc
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** CSV or XLSX from the name and the first bytes; anything else is refused with what to do. */
export function fileType(name: string, bytes: Uint8Array): 'csv' | 'xlsx' {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  if (bytes.length === 0) throw new FileProblem(`The file ${name} is empty. Choose the agency’s extract, which has a header row and at least one row of data`);
  if (bytes.length > MAX_BYTES) throw new FileProblem(`The file ${name} is larger than ${MAX_MB} MB. Split the extract into smaller files and upload each one`);
  if (ext === 'xlsx') {
    if (!startsWith(bytes, ZIP))
      throw new FileProblem(`The file ${name} is named .xlsx but is not an Excel workbook. Save it again from Excel as “Excel Workbook (.xlsx)”`);
    return 'xlsx';
  }
  if (ext === 'csv' || ext === 'txt') {
    if (startsWith(bytes, ZIP) || startsWith(bytes, OLE))
      throw new FileProblem(`The file ${name} is named .${ext} but is a spreadsheet or document, not text. Save it as “CSV UTF-8 (comma delimited) (.csv)”`);
    return 'csv';
  }
  if (ext === 'xls' || startsWith(bytes, OLE))
    throw new FileProblem(`The file ${name} is an old Excel (.xls) file. Save it as “Excel Workbook (.xlsx)” or “CSV UTF-8 (.csv)”`);
  throw new FileProblem(`The file ${name} must be a CSV (.csv) or Excel (.xlsx) file`);
}

/**
 * The XLSX's zip central directory, read without inflating: refuses a workbook whose parts
 * declare more than MAX_XLSX_UNCOMPRESSED in all, or a part compressed more than MAX_XLSX_RATIO
 * times, or a zip whose directory cannot be read (including ZIP64, which no extract needs).
 */
export function xlsxSizeProblem(name: string, bytes: Uint8Array): string | null {
  const unreadable = `The file ${name} could not be opened as an Excel workbook. Save it again from Excel as “Excel Workbook (.xlsx)”`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return unreadable;
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || at === 0xffffffff) return unreadable;
  const tooBig = `The file ${name} would be more than ${MAX_XLSX_UNCOMPRESSED / (1024 * 1024)} MB once opened, which is more than an extract needs. Save it again from Excel, or save it as “CSV UTF-8 (.csv)”, and upload it again`;
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return unreadable;
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    if (compressed === 0xffffffff || size === 0xffffffff) return tooBig;
    total += size;
    if (total > MAX_XLSX_UNCOMPRESSED) return tooBig;
    if (size > 1024 * 1024 && size > compressed * MAX_XLSX_RATIO) return tooBig;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return null;
}

/** UTF-8 text, with or without a byte order mark; other encodings are refused, naming the first bad byte. */
export function decodeUtf8(name: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new FileProblem(`The file ${name} is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (comma delimited) (.csv)” and upload it again`);
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    let line = 1;
    for (let i = 0; i < at && i < body.length; i++) if (body[i] === 0x0a) line++;
    throw new FileProblem(
      `The file ${name} is not UTF-8 text (line ${line} has a character in another encoding, perhaps “ANSI” or Windows-1252). Save it as “CSV UTF-8 (comma delimited) (.csv)” and upload it again`,
    );
  }
}

export interface Table {
  header: string[];
  /** Data rows as column -> value, in file order (row 1 is the first row under the header). */
  rows: Record<string, string>[];
}

/** The problems with a table against a source's mapping: each stops the import before anything is checked row by row. */
export function tableProblems(name: string, table: Table, mapping: Mapping, idColumn: string): string[] {
  const out: string[] = [];
  if (!table.header.length || table.header.every((h) => !h.trim())) return [`The file ${name} has no header row. The first row must name the columns`];
  if (!table.rows.length) return [`The file ${name} has a header row but no rows of data`];
  const seen = new Set<string>();
  for (const h of table.header) {
    if (h && seen.has(h)) out.push(`The column “${h}” appears twice in the header of ${name}. Rename one of them`);
    seen.add(h);
  }
  const wanted = [idColumn, ...Object.values(mapping)].filter((c): c is string => Boolean(c));
  const missing = [...new Set(wanted)].filter((c) => !seen.has(c));
  if (missing.length) {
    out.push(
      `The file ${name} has no column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `“${m}”`).join(', ')}, which the source’s column mapping uses. Check the file is this agency’s extract, or change the mapping`,
    );
    return out;
  }
  const firstRow = new Map<string, number>();
  const dupes: string[] = [];
  table.rows.forEach((r, i) => {
    const id = (r[idColumn] ?? '').trim();
    if (!id) return;
    const before = firstRow.get(id);
    if (before !== undefined) {
      if (dupes.length < 5) dupes.push(`record id “${id}” is on rows ${before + 2} and ${i + 2}`);
      else if (dupes.length === 5) dupes.push('and more');
    } else firstRow.set(id, i);
  });
  if (dupes.length) out.push(`The file ${name} has the same record id on more than one row: ${dupes.join('; ')}. Each record id must appear once`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One row

const pad = (n: number) => String(n).padStart(2, '0');

/** A date written in the source's format as 'YYYY-MM-DD', or null when it is not a real date in that format. */
export function parseDate(value: string, format: DateFormat): string | null {
  const v = value.trim();
  let m: RegExpExecArray | null;
  let y: string, mo: string, d: string;
  switch (format) {
    case 'YYYY-MM-DD':
      m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(v);
      if (!m) return null;
      [y, mo, d] = [m[1]!, m[2]!, m[3]!];
      break;
    case 'YYYYMMDD':
      m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(v);
      if (!m) return null;
      [y, mo, d] = [m[1]!, m[2]!, m[3]!];
      break;
    case 'DD/MM/YYYY':
    case 'DD-MM-YYYY':
      m = (format === 'DD/MM/YYYY' ? /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/ : /^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$/).exec(v);
      if (!m) return null;
      [d, mo, y] = [m[1]!, m[2]!, m[3]!];
      break;
    case 'MM/DD/YYYY':
      m = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(v);
      if (!m) return null;
      [mo, d, y] = [m[1]!, m[2]!, m[3]!];
      break;
  }
  const iso = `${y}-${pad(Number(mo))}-${pad(Number(d))}`;
  return isIsoDate(iso) && Number(y) >= 1900 ? iso : null;
}

const SEX_CODES: Record<string, 'M' | 'F' | 'U'> = {
  m: 'M',
  male: 'M',
  '1': 'M',
  boy: 'M',
  f: 'F',
  female: 'F',
  '2': 'F',
  girl: 'F',
  u: 'U',
  unknown: 'U',
  'not known': 'U',
  '0': 'U',
  '9': 'U',
  x: 'U',
  i: 'U',
  indeterminate: 'U',
};

export interface RowProblem {
  column: string;
  message: string;
}

export interface CheckedRow {
  /** 1-based data row (the spreadsheet row is one more, for the header). */
  row: number;
  recordId: string;
  values: RowValues;
  problems: RowProblem[];
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * One data row through the register's rules. Names are required (a register record cannot be
 * made without them), as is a real date of birth that makes the child 0 to 25 today.
 */
export function checkRow(raw: Record<string, string>, row: number, mapping: Mapping, idColumn: string, dateFormat: DateFormat, today: string): CheckedRow {
  const problems: RowProblem[] = [];
  const values: RowValues = {};
  const recordId = collapse(raw[idColumn] ?? '');
  if (!recordId) problems.push({ column: idColumn, message: 'The record id is empty' });
  for (const f of FIELD_KEYS) {
    const column = mapping[f];
    if (!column) continue;
    const v = collapse(raw[column] ?? '');
    if (!v) {
      if (FIELDS[f].required) problems.push({ column, message: `The ${FIELDS[f].label.toLowerCase()} is empty` });
      continue;
    }
    const problem = checkValue(f, v, dateFormat, today, values);
    if (problem) problems.push({ column, message: problem });
  }
  for (const f of FIELD_KEYS)
    if (FIELDS[f].required && !mapping[f])
      problems.push({ column: FIELDS[f].label, message: `The source’s mapping has no column for the ${FIELDS[f].label.toLowerCase()}` });
  return { row, recordId, values, problems };
}

/** Checks and stores one value; answers the problem in plain English, or null. */
function checkValue(f: Field, v: string, dateFormat: DateFormat, today: string, out: RowValues): string | null {
  switch (f) {
    case 'birth_date': {
      // A spreadsheet's date cells arrive as YYYY-MM-DD whatever the source's format: unambiguous, so accepted.
      const iso = parseDate(v, dateFormat) ?? (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v) ? parseDate(v, 'YYYY-MM-DD') : null);
      if (!iso) return `The date of birth is not a real date in the format ${dateFormat}`;
      const age = ageProblems(iso, today, today);
      if (age.includes('born-in-future')) return 'The date of birth is in the future';
      if (age.includes('over-25-on-joining')) return 'The date of birth makes them over 25: the register is for 0 to 25';
      out.birth_date = iso;
      return null;
    }
    case 'nhs_number': {
      const p = parseNhsNumber(v);
      if (!p.ok) return p.problem === 'format' ? 'The NHS number is not 10 digits' : 'The NHS number is not valid: its check digit is wrong';
      out.nhs_number = p.value;
      return null;
    }
    case 'upn': {
      const p = parseUpn(v);
      if (!p.ok) return p.problem === 'format' ? 'The UPN is not a letter, 11 digits and a digit or letter' : 'The UPN is not valid: its check letter is wrong';
      out.upn = p.value;
      return null;
    }
    case 'postcode': {
      const p = normalisePostcode(v);
      if (!p) return 'The postcode is not a UK postcode';
      out.postcode = p;
      return null;
    }
    case 'sex': {
      const s = SEX_CODES[v.toLowerCase()];
      if (!s) return 'The sex is not one the register knows: use M, F or U (not known)';
      out.sex = s;
      return null;
    }
    case 'given_name':
    case 'family_name':
    case 'middle_name':
      if (v.length > 100) return `The ${FIELDS[f].label.toLowerCase()} is longer than 100 characters`;
      out[f] = v;
      return null;
    default:
      if (v.length > 200) return `The ${FIELDS[f].label.toLowerCase()} is longer than 200 characters`;
      out[f] = v;
      return null;
  }
}

/** Row problems as one line for the report: "column DOB: The date of birth is not a real date …" (never the value itself). */
export const describeProblems = (problems: readonly RowProblem[]) => problems.map((p) => `column ${p.column}: ${p.message}`).join('; ');

// ---------------------------------------------------------------------------------------------
// Which value the record shows

/**
 * Whether a value a source supplies replaces the child's current value: when the record has none
 * (or sex not known), or when the current value is the one this same source record supplied
 * before (the agency has corrected its own record). Otherwise the record keeps its value and
 * the new one is kept beside it as an alternative, with its source.
 */
export function replacesCurrent(
  current: string | null | undefined,
  incoming: string,
  previousFromThisRecord: string | null | undefined,
  field: Field,
): boolean {
  if (current === incoming) return false;
  if (current === null || current === undefined || current === '') return true;
  if (field === 'sex' && current === 'U' && incoming !== 'U') return true;
  return previousFromThisRecord !== undefined && previousFromThisRecord !== null && previousFromThisRecord === current;
}

/** The fields whose values differ between two versions of a source record. */
export function changedFields(before: RowValues, after: RowValues): Field[] {
  return FIELD_KEYS.filter((f) => (before[f] ?? null) !== (after[f] ?? null));
}
