// Search and lists of children: pure rules (age bands, postcode search, safe spreadsheet cells).
import { normalisePostcode } from '../children/index.js';

/** The age bands of the register's filters, in years (inclusive). */
export const AGE_BANDS = {
  '0-4': { from: 0, to: 4, label: '0 to 4' },
  '5-10': { from: 5, to: 10, label: '5 to 10' },
  '11-15': { from: 11, to: 15, label: '11 to 15' },
  '16-19': { from: 16, to: 19, label: '16 to 19' },
  '20-25': { from: 20, to: 25, label: '20 to 25' },
} as const;
export type AgeBand = keyof typeof AGE_BANDS;
export const isAgeBand = (s: string): s is AgeBand => Object.hasOwn(AGE_BANDS, s);

/**
 * The same calendar day `years` years before `iso` ('YYYY-MM-DD'). 29 February becomes
 * 28 February in a year that has none, which is when someone born on 29 February has their
 * birthday for ageOn().
 */
export function yearsBefore(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year = y - years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Dates of birth of people aged `from` to `to` (inclusive) on `today`:
 * born after `after` and on or before `onOrBefore`.
 */
export function birthDatesForAges(from: number, to: number, today: string): { after: string; onOrBefore: string } {
  return { after: yearsBefore(today, to + 1), onOrBefore: yearsBefore(today, from) };
}

// An outward code (the postcode district): area letters, a digit, then a digit or a letter.
const DISTRICT = /^(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z])$/;

export type PostcodeSearch = { kind: 'full'; compact: string } | { kind: 'district'; compact: string };

/**
 * A postcode as typed for a search: a full postcode ("dm1 4ab") or its first part, the district
 * ("DM1"). Spaces and case are ignored. Null when it is neither.
 */
export function parsePostcodeSearch(input: string): PostcodeSearch | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  const full = normalisePostcode(compact);
  if (full) return { kind: 'full', compact: full.replace(' ', '') };
  // A district is one word: "DM1 4" is part of a full postcode, not the district DM14.
  if (DISTRICT.test(compact) && !/\s/.test(input.trim())) return { kind: 'district', compact };
  return null;
}

/**
 * A LIKE pattern on the postcode with spaces removed and in upper case: a district is followed by
 * exactly the three characters of the inward code, so "DM1" finds DM1 4AB but not DM14 4AB.
 */
export const postcodePattern = (p: PostcodeSearch) => (p.kind === 'full' ? p.compact : `${p.compact}___`);

/**
 * Spreadsheet formula injection: a cell starting with = + - @ (or a tab or carriage return that
 * spreadsheets skip before them) could run as a formula when the file is opened. Such text gets a
 * leading apostrophe, so it shows as typed and never runs.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
