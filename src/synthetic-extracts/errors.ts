// The ways agency records go wrong: pure functions from a true value and a random generator to
// the value an agency wrote down. Each is small so tests can check it on its own.
import type { Random } from './random.js';
import { NICKNAMES } from './names.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sqz',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'wa',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'ax',
};

export type TypoKind = 'insert' | 'delete' | 'substitute' | 'transpose';

/**
 * One keying mistake: a letter added, dropped, replaced by a neighbouring key, or two letters
 * swapped. Rarely the first letter, as in real data. Returns the value unchanged only if it is
 * too short to change.
 */
export function typo(value: string, r: Random, kind: TypoKind = r.pick(['insert', 'delete', 'substitute', 'transpose'] as const)): string {
  if (value.length < 2) return value;
  const at = r.chance(0.05) ? 0 : r.int(1, value.length - 1);
  const ch = value[at]!;
  const lower = ch.toLowerCase();
  const near = KEYBOARD_NEIGHBOURS[lower] ?? LOWER;
  const keyed = (c: string) => (ch === lower ? c : c.toUpperCase());
  switch (kind) {
    case 'insert':
      return value.slice(0, at) + keyed(r.pick([...near, lower])) + value.slice(at);
    case 'delete':
      return value.length > 2 ? value.slice(0, at) + value.slice(at + 1) : value.slice(0, at) + keyed(r.pick([...near])) + value.slice(at + 1);
    case 'substitute':
      return value.slice(0, at) + keyed(r.pick([...near])) + value.slice(at + 1);
    case 'transpose': {
      const i = Math.min(at, value.length - 2);
      const a = value[i]!;
      const b = value[i + 1]!;
      if (a.toLowerCase() === b.toLowerCase()) return value.slice(0, i) + keyed(r.pick([...near])) + value.slice(i + 1);
      return value.slice(0, i) + b + a + value.slice(i + 2);
    }
  }
}

/** A nickname or variant spelling, or null when the name has none in our list. */
export function nickname(given: string, r: Random): string | null {
  const options = NICKNAMES[given];
  return options?.length ? r.pick(options) : null;
}

export interface CalendarDate {
  y: number;
  m: number;
  d: number;
}

const dayMs = 86_400_000;
export const toDayNumber = (x: CalendarDate) => Math.round(Date.UTC(x.y, x.m - 1, x.d) / dayMs);
export function fromDayNumber(n: number): CalendarDate {
  const t = new Date(n * dayMs);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Day and month read the wrong way round: only possible when both are 12 or under and differ. */
export function canSwapDayMonth(x: CalendarDate): boolean {
  return x.d <= 12 && x.d !== x.m;
}
export function swapDayMonth(x: CalendarDate): CalendarDate {
  return { y: x.y, m: x.d, d: x.m };
}

/** A date near the true one: a few days out, a month out, or the year out by one. */
export function nearMissDate(x: CalendarDate, r: Random): CalendarDate {
  const kind = r.next();
  if (kind < 0.5) {
    const shift = r.pick([-3, -2, -1, 1, 2, 3]);
    return fromDayNumber(toDayNumber(x) + shift);
  }
  if (kind < 0.75) {
    const m = x.m === 12 ? 11 : x.m === 1 ? 2 : x.m + r.pick([-1, 1]);
    return clampDay({ y: x.y, m, d: x.d });
  }
  return clampDay({ y: x.y + r.pick([-1, 1]), m: x.m, d: x.d });
}

/** The birth year one out, day and month kept (29 February becomes the 28th). */
export function yearOff(x: CalendarDate, r: Random): CalendarDate {
  return clampDay({ y: x.y + r.pick([-1, 1]), m: x.m, d: x.d });
}

function clampDay(x: CalendarDate): CalendarDate {
  const last = new Date(Date.UTC(x.y, x.m, 0)).getUTCDate();
  return { y: x.y, m: x.m, d: Math.min(x.d, last) };
}

/** Two neighbouring digits swapped (the commonest keying mistake in numbers), or one digit changed. */
export function identifierTypo(value: string, r: Random): string {
  const digits = [...value].map((c, i) => (/[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);
  for (let tries = 0; tries < 5; tries++) {
    const i = r.pick(digits.slice(0, -1));
    const j = i + 1;
    if (/[0-9]/.test(value[j] ?? '') && value[i] !== value[j]) return value.slice(0, i) + value[j]! + value[i]! + value.slice(j + 1);
  }
  const i = r.pick(digits);
  const changed = String((Number(value[i]) + r.int(1, 9)) % 10);
  return value.slice(0, i) + changed + value.slice(i + 1);
}

const POSTCODE_UNIT = 'ABDEFGHJLNPQRSTUWXYZ';
/** One character of a postcode mis-keyed: the sector digit, a unit letter, or the district number. */
export function postcodeTypo(postcode: string, r: Random): string {
  const [outward = '', inward = ''] = postcode.split(' ');
  const which = r.next();
  if (which < 0.35 && inward.length === 3) {
    const digit = String((Number(inward[0]) + r.int(1, 9)) % 10);
    return `${outward} ${digit}${inward.slice(1)}`;
  }
  if (which < 0.8 && inward.length === 3) {
    const at = r.int(1, 2);
    let letter = r.pick([...POSTCODE_UNIT]);
    if (letter === inward[at]) letter = letter === 'A' ? 'B' : 'A';
    return `${outward} ${inward.slice(0, at)}${letter}${inward.slice(at + 1)}`;
  }
  // Outward typo: the two letters of the unit swapped if they differ, otherwise a district digit changed.
  if (inward[1] !== inward[2]) return `${outward} ${inward[0]}${inward[2]}${inward[1]}`;
  const m = /^([A-Z]+)([0-9]+)$/.exec(outward);
  if (!m) return postcode;
  const n = Number(m[2]);
  return `${m[1]}${n === 1 ? 2 : n - 1} ${inward}`;
}

/**
 * The same value written differently: all capitals, all lower case, doubled or trailing
 * spaces, or punctuation (apostrophes, hyphens) dropped or spaced.
 */
export function reformat(value: string, r: Random): string {
  if (!value) return value;
  const k = r.int(0, 4);
  if (k === 0) return value.toUpperCase();
  if (k === 1) return value.toLowerCase();
  if (k === 2) return /[-' ]/.test(value) ? value.replace(/[-']/g, ' ').replace(/ +/g, ' ').replace(/^ | $/g, '') || value.toUpperCase() : `${value} `;
  if (k === 3) return /[-']/.test(value) ? value.replace(/[-']/g, '') : ` ${value}`;
  return value.replace(/ /g, '  ').replace(/-/g, ' - ') + (value.includes(' ') ? '' : ' ');
}

/** Postcodes written without the space, in lower case, or with extra spaces. */
export function reformatPostcode(postcode: string, r: Random): string {
  const k = r.int(0, 2);
  if (k === 0) return postcode.replace(' ', '');
  if (k === 1) return postcode.toLowerCase();
  return postcode.replace(' ', '  ');
}
