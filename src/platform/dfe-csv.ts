// Department for Education statistics files (explore-education-statistics "tidy" CSV): one row per
// time period, geography and breakdown. Shared by the needs assessment's comparison with England
// and the forecast's backtest, so the quirks are handled once: a byte-order mark, header case that
// varies between files, and markers in place of numbers that must never be read as zero.
import { parse } from 'csv-parse/sync';

/** DfE's symbols for a value that is not given: x unavailable, z not applicable, c confidential
 * (suppressed), low (rounds to zero), u (low reliability), ':' not available. */
export const DFE_MARKERS = ['x', 'z', 'c', 'low', 'u', ':'] as const;
export type DfeMarker = (typeof DFE_MARKERS)[number];

/** A cell: a number, or the marker that stands in for it (never both, never a guessed zero). */
export type DfeCell = { value: number; marker: null } | { value: null; marker: DfeMarker };

export type GeographicLevel = 'National' | 'Regional' | 'Local authority';

export interface DfeRow {
  line: number;
  /** 2024 for a calendar year; 202425 for the academic year 2024/25. */
  timePeriod: number;
  geographicLevel: GeographicLevel;
  /** The 3-digit DfE number (SEN2 LEA), for local-authority rows. */
  laCode: string | null;
  /** The 9-character ONS code, for local-authority rows. */
  onsCode: string | null;
  laName: string | null;
  regionName: string | null;
  breakdownTopic: string;
  breakdown: string;
  /** A measure column by name (any case). Throws DfeFileProblem if the file has no such column. */
  cell(column: string): DfeCell;
}

export class DfeFileProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DfeFileProblem';
  }
}

const LEVELS: readonly GeographicLevel[] = ['National', 'Regional', 'Local authority'];
const IDENTITY = ['time_period', 'geographic_level', 'breakdown_topic', 'breakdown'];

/** Reads a DfE tidy CSV. `measures` are the columns the caller needs: a file without one of them
 * is refused before any row is read. Any problem names the line and column, in plain words. */
export function readDfeCsv(text: string, measures: readonly string[] = []): DfeRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new DfeFileProblem(`The file is not a readable CSV file: ${(e as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new DfeFileProblem('The file is empty.');
  const index = new Map(header.map((name, i) => [name.toLowerCase(), i]));
  const missing = [...IDENTITY, ...measures.map((m) => m.toLowerCase())].filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new DfeFileProblem(`The file has no ${missing.map((c) => `"${c}"`).join(', ')} column. Is it the right DfE file?`);
  }
  const text_ = (r: string[], column: string): string | null => {
    const i = index.get(column);
    const v = i === undefined ? undefined : r[i];
    return v === undefined || v === '' ? null : v;
  };
  return body.map((r, n) => {
    const line = n + 2;
    const period = Number(text_(r, 'time_period'));
    if (!Number.isInteger(period) || !/^\d{4}(\d{2})?$/.test(String(period))) {
      throw new DfeFileProblem(`Line ${line}: the time period "${text_(r, 'time_period') ?? ''}" is not a year (2024) or an academic year (202425).`);
    }
    const level = text_(r, 'geographic_level') as GeographicLevel | null;
    if (!level || !LEVELS.includes(level)) {
      throw new DfeFileProblem(`Line ${line}: the geographic level "${level ?? ''}" is not National, Regional or Local authority.`);
    }
    return {
      line,
      timePeriod: period,
      geographicLevel: level,
      laCode: text_(r, 'old_la_code'),
      onsCode: text_(r, 'new_la_code'),
      laName: text_(r, 'la_name'),
      regionName: text_(r, 'region_name'),
      breakdownTopic: text_(r, 'breakdown_topic') ?? '',
      breakdown: text_(r, 'breakdown') ?? '',
      cell(column: string): DfeCell {
        const i = index.get(column.toLowerCase());
        if (i === undefined) throw new DfeFileProblem(`The file has no "${column}" column.`);
        return readCell(r[i] ?? '', line, column);
      },
    };
  });
}

/** One cell: a number, or a DfE marker. Anything else is a specific problem, never a zero. */
export function readCell(raw: string, line: number, column: string): DfeCell {
  const v = raw.trim();
  if ((DFE_MARKERS as readonly string[]).includes(v.toLowerCase())) return { value: null, marker: v.toLowerCase() as DfeMarker };
  if (v === '') throw new DfeFileProblem(`Line ${line}: "${column}" is empty. DfE files mark a missing value with x, z or c.`);
  const n = Number(v.replace(/,/g, ''));
  if (!Number.isFinite(n)) {
    throw new DfeFileProblem(`Line ${line}: "${column}" is "${v}", which is neither a number nor a DfE marker (${DFE_MARKERS.join(', ')}).`);
  }
  return { value: n, marker: null };
}

/** "2024/25" for 202425; "2024" for a calendar year. */
export function periodLabel(timePeriod: number): string {
  const s = String(timePeriod);
  return s.length === 6 ? `${s.slice(0, 4)}/${s.slice(4)}` : s;
}
