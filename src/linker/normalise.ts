// Normalisation of raw values, one function per kind of value. Pure; '' means missing.

const NULL_WORDS = new Set(['', 'null', 'none', 'n/a', 'n a', 'na', 'unknown', 'not known', 'notknown', 'nk', '-', '?']);

function stripAccents(s: string): string {
  // NFKD splits accented letters into letter + combining mark; the marks are then removed.
  return /[\u0080-\uffff]/.test(s) ? s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : s;
}

/** Lower case, accents removed, apostrophes dropped, other punctuation and space runs become one space. */
export function normaliseText(raw: string): string {
  const s = stripAccents(raw.toLowerCase())
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return NULL_WORDS.has(s) ? '' : s;
}

const NAME_TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mstr', 'master', 'dr']);

/** A name: like text, without digits and titles; hyphenated and double names keep one space between parts. */
export function normaliseName(raw: string): string {
  const s = normaliseText(raw)
    .replace(/[0-9]+/g, ' ')
    .trim();
  if (s === '') return '';
  const parts = s.split(/\s+/).filter((p) => !NAME_TITLES.has(p));
  return parts.join(' ');
}

export interface Postcode {
  unit: string; // full normalised postcode, e.g. "EX1 1AA" (or the whole value when not a UK postcode)
  sector: string; // "EX1 1" ('' when not a UK postcode)
  district: string; // "EX1"
  area: string; // "EX"
}

const UK_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$/;
const UK_OUTWARD = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;

/** UK postcodes are split into unit/sector/district/area; other postal codes are kept whole. */
export function normalisePostcode(raw: string): Postcode | undefined {
  const s = stripAccents(raw.toUpperCase()).replace(/[^A-Z0-9]/g, '');
  if (s === '' || NULL_WORDS.has(s.toLowerCase())) return undefined;
  const m = UK_POSTCODE.exec(s);
  if (m) {
    const district = m[1]!;
    return { unit: `${district} ${m[2]}${m[3]}`, sector: `${district} ${m[2]}`, district, area: district.replace(/[0-9].*$/, '') };
  }
  if (UK_OUTWARD.test(s)) return { unit: s, sector: '', district: s, area: s.replace(/[0-9].*$/, '') };
  return { unit: s, sector: '', district: '', area: '' };
}

/** Digits only, without a UK (44) or leading-zero trunk prefix, so +44 7700 900123 equals 07700900123. */
export function normalisePhone(raw: string): string {
  let d = raw.replace(/[^0-9]/g, '');
  if (d.startsWith('0044')) d = d.slice(4);
  else if (d.startsWith('44') && d.length >= 12) d = d.slice(2);
  d = d.replace(/^0+/, '');
  return d.length >= 6 ? d : '';
}

export function normaliseEmail(raw: string): string {
  const s = raw.trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(s) ? s : '';
}

/** Exact identifiers: upper case letters and digits only ("943 476 5919" equals "9434765919"). */
export function normaliseIdentifier(raw: string): string {
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return NULL_WORDS.has(s.toLowerCase()) || /^0+$/.test(s) ? '' : s;
}

/** "m"/"f" for the usual codings of sex (words, initials, 1/2 as in NHS data); '' otherwise. */
export function normaliseSex(raw: string): string {
  const s = raw.trim().toLowerCase();
  if (s === 'm' || s === 'male' || s === '1' || s === 'boy') return 'm';
  if (s === 'f' || s === 'female' || s === '2' || s === 'girl') return 'f';
  return '';
}
