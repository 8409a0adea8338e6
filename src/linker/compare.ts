// Comparison levels per field. Each comparator maps a record pair (i, j) to a level index, most
// similar first, or MISSING when either side has no value. Pure functions of the Dataset, so the
// same code runs in worker threads.
import type { Dataset, StringColumn, TextColumn } from './encode.js';
import { dayNumber } from './dates.js';
import { jaroWinkler } from './jaro-winkler.js';
import { sameNicknameGroup, sameNicknameGroupWithTypo } from './nicknames.js';

export const MISSING = 255;

export type FieldKind = 'given' | 'middle' | 'family' | 'date' | 'sex' | 'location' | 'email' | 'phone' | 'identifier' | 'extra';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  index: number; // for identifier / extra: position in dataset.identifiers / extras
  levels: readonly string[];
  termFrequency: boolean;
}

const NAME_LEVELS = [
  'exact',
  'nickname, part of a double name, or given and family names swapped',
  'Jaro-Winkler at least 0.92',
  'Jaro-Winkler at least 0.80, one letter added, dropped, changed or swapped, or a nickname with a typo',
  'same sound (NYSIIS)',
  'different',
];
const DATE_LEVELS = [
  'exact',
  'day and month swapped',
  'one digit different, two digits transposed, or the year one out',
  'same year and month',
  'within a year',
  'different',
];
const LOCATION_LEVELS = [
  'same postcode and similar address',
  'same postcode',
  'similar address',
  'same postcode sector',
  'same postcode district or town',
  'different',
];

/** The comparison fields for the roles present, in a fixed order. */
export function fieldSpecs(roles: readonly string[], ds: Pick<Dataset, 'identifiers' | 'extras'>): FieldSpec[] {
  const has = (r: string) => roles.includes(r);
  const out: FieldSpec[] = [];
  const add = (name: string, kind: FieldKind, levels: readonly string[], termFrequency = false, index = 0) =>
    out.push({ name, kind, index, levels, termFrequency });
  if (has('given_name')) add('given_name', 'given', NAME_LEVELS, true);
  if (has('middle_name')) add('middle_name', 'middle', NAME_LEVELS, true);
  if (has('family_name')) add('family_name', 'family', NAME_LEVELS, true);
  if (has('birth_date')) add('birth_date', 'date', DATE_LEVELS);
  if (has('sex')) add('sex', 'sex', ['same', 'different']);
  if (has('postcode') || has('address') || has('town')) add('location', 'location', LOCATION_LEVELS);
  if (has('email')) add('email', 'email', ['exact', 'same before the @ or nearly the same', 'different']);
  if (has('phone')) add('phone', 'phone', ['exact', 'one digit different or two transposed', 'different']);
  ds.identifiers.forEach((x, i) => add(x.role, 'identifier', ['exact', 'one character different or two transposed', 'different'], false, i));
  ds.extras.forEach((x, i) =>
    add(
      x.role,
      'extra',
      ['exact', 'similar (tokens or Jaro-Winkler at least 0.92)', 'somewhat similar (tokens or Jaro-Winkler at least 0.80)', 'different'],
      true,
      i,
    ),
  );
  return out;
}

/** A direct-mapped cache of levels per pair of distinct values: bounded memory, no allocation. */
class PairCache {
  private readonly ka: Int32Array;
  private readonly kb: Int32Array;
  private readonly v: Uint8Array;
  private readonly mask: number;
  constructor(bits = 18) {
    this.ka = new Int32Array(1 << bits).fill(-1);
    this.kb = new Int32Array(1 << bits);
    this.v = new Uint8Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }
  get(a: number, b: number, compute: (a: number, b: number) => number): number {
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 0;
    const slot = (h ^ (h >>> 15)) & this.mask;
    if (this.ka[slot] === a && this.kb[slot] === b) return this.v[slot]!;
    const level = compute(a, b);
    this.ka[slot] = a;
    this.kb[slot] = b;
    this.v[slot] = level;
    return level;
  }
}

/** True when a and b differ by one substitution or one transposition of neighbours (same length). */
export function oneEditOrTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let diffs = 0;
  for (let k = 0; k < a.length; k++) {
    if (a.charCodeAt(k) !== b.charCodeAt(k)) {
      if (diffs === 0) first = k;
      diffs++;
      if (diffs > 2) return false;
    }
  }
  if (diffs <= 1) return true;
  const k = first;
  return a[k] === b[k + 1] && a[k + 1] === b[k];
}

/**
 * True when a and b are one keying mistake apart: a letter added, dropped or changed, or two
 * neighbours swapped (Damerau distance 1). Short names (Leo / Loe, Ivy / Iy) score low on
 * Jaro-Winkler although they differ by one key.
 */
export function oneEditApart(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (la === lb) return oneEditOrTransposition(a, b);
  if (Math.abs(la - lb) !== 1) return false;
  const [s, l] = la < lb ? [a, b] : [b, a];
  let k = 0;
  while (k < s.length && s.charCodeAt(k) === l.charCodeAt(k)) k++;
  return s.slice(k) === l.slice(k + 1);
}

function isSubsetOfParts(short: string, long: string): boolean {
  if (short.length >= long.length) return false;
  const parts = long.split(' ');
  const sp = short.split(' ');
  return sp.every((p) => parts.includes(p));
}

/** Bit per letter a-z present in a string (other characters share bit 26). */
export function letterMask(s: string): number {
  let m = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k) - 97;
    m |= c >= 0 && c < 26 ? 1 << c : 1 << 26;
  }
  return m;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * An upper bound of Jaro-Winkler from the letters the strings share, so most pairs of unrelated
 * names skip the full computation (random pairs are the bulk of u estimation).
 */
export function jaroWinklerBound(a: string, b: string, maskA: number, maskB: number): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  // Common characters: at most the shared distinct letters plus the repeats within the shorter string.
  const shared = popcount(maskA & maskB);
  const c = Math.min(la, lb, shared + Math.min(la - popcount(maskA), lb - popcount(maskB)));
  if (c === 0) return 0;
  const j = (c / la + c / lb + 1) / 3;
  let prefix = 0;
  const max = Math.min(4, la, lb);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

export function nameLevel(a: string, b: string, phonA: number, phonB: number, maskA = letterMask(a), maskB = letterMask(b)): number {
  if (a === b) return 0;
  if ((a.indexOf(' ') >= 0 || b.indexOf(' ') >= 0) && (isSubsetOfParts(a, b) || isSubsetOfParts(b, a) || a.replace(/ /g, '') === b.replace(/ /g, ''))) return 1;
  const sa = a.indexOf(' ');
  const sb = b.indexOf(' ');
  if (sameNicknameGroup(sa < 0 ? a : a.slice(0, sa), sb < 0 ? b : b.slice(0, sb))) return 1;
  const jw = jaroWinklerBound(a, b, maskA, maskB) < 0.8 ? 0 : jaroWinkler(a, b);
  if (jw >= 0.92) return 2;
  if (jw >= 0.8 || (a.length >= 2 && b.length >= 2 && oneEditApart(a, b))) return 3;
  if (sameNicknameGroupWithTypo(sa < 0 ? a : a.slice(0, sa), sb < 0 ? b : b.slice(0, sb))) return 3;
  if (phonA === phonB && phonA >= 0) return 4;
  return 5;
}

export function dateLevel(x: number, y: number): number {
  if (x === 0 || y === 0) return MISSING;
  if (x === y) return 0;
  const yx = Math.floor(x / 10000);
  const yy = Math.floor(y / 10000);
  const mx = Math.floor(x / 100) % 100;
  const my = Math.floor(y / 100) % 100;
  const dx = x % 100;
  const dy = y % 100;
  if (yx === yy && mx === dy && dx === my) return 1;
  if (oneEditOrTransposition(String(x), String(y))) return 2;
  // The year one out, day and month right (2019 / 2020 differ in two digits).
  if (Math.abs(yx - yy) === 1 && mx === my && dx === dy) return 2;
  if (yx === yy && mx === my) return 3;
  if (Math.abs(yx - yy) <= 1 && Math.abs(dayNumber(x) - dayNumber(y)) <= 366) return 4;
  return 5;
}

function jaccard(col: TextColumn, a: number, b: number): number {
  let i = col.tokStart[a]!;
  const ie = col.tokStart[a + 1]!;
  let j = col.tokStart[b]!;
  const je = col.tokStart[b + 1]!;
  const total = ie - i + (je - j);
  if (total === 0) return 0;
  let common = 0;
  while (i < ie && j < je) {
    const ti = col.tok[i]!;
    const tj = col.tok[j]!;
    if (ti === tj) {
      common++;
      i++;
      j++;
    } else if (ti < tj) i++;
    else j++;
  }
  return common / (total - common);
}

export function textLevel(col: TextColumn, a: number, b: number): number {
  if (a === b) return 0;
  const jac = jaccard(col, a, b);
  const sa = col.strings[a]!;
  const sb = col.strings[b]!;
  if (jac >= 0.6) return 1;
  const jw = sa.length <= 64 && sb.length <= 64 ? jaroWinkler(sa, sb) : 0;
  if (jw >= 0.92) return 1;
  if (jac >= 0.3 || jw >= 0.8) return 2;
  return 3;
}

function stringLevel(col: StringColumn, near: (a: string, b: string) => boolean): (a: number, b: number) => number {
  return (a, b) => (a === b ? 0 : near(col.strings[a]!, col.strings[b]!) ? 1 : 2);
}

function emailNear(a: string, b: string): boolean {
  const la = a.slice(0, a.indexOf('@'));
  const lb = b.slice(0, b.indexOf('@'));
  return la === lb || jaroWinkler(a, b) >= 0.92;
}

const maskCache = new WeakMap<string[], Int32Array>();
function nameMasks(ds: Dataset): Int32Array {
  let m = maskCache.get(ds.names);
  if (!m) {
    m = new Int32Array(ds.names.length);
    for (let v = 0; v < ds.names.length; v++) m[v] = letterMask(ds.names[v]!);
    maskCache.set(ds.names, m);
  }
  return m;
}

export type Comparator = (i: number, j: number) => number;

/** Builds the comparator of one field over a dataset, with its own caches. */
export function makeComparator(ds: Dataset, spec: FieldSpec): Comparator {
  switch (spec.kind) {
    case 'given':
    case 'middle':
    case 'family': {
      const col = spec.kind === 'given' ? ds.given : spec.kind === 'middle' ? ds.middle : ds.family;
      const other = spec.kind === 'given' ? ds.family : spec.kind === 'family' ? ds.given : undefined;
      const cache = new PairCache();
      const masks = nameMasks(ds);
      const compute = (a: number, b: number) => nameLevel(ds.names[a]!, ds.names[b]!, ds.namePhon[a]!, ds.namePhon[b]!, masks[a], masks[b]);
      return (i, j) => {
        const a = col[i]!;
        const b = col[j]!;
        if (a < 0 || b < 0) return MISSING;
        if (a === b) return 0;
        // Given and family names recorded the wrong way round.
        if (other && other[j] === a && other[i] === b) return 1;
        const level = cache.get(a, b, compute);
        // ... and with a typo as well: both names close to the other record's other name.
        if (level >= 4 && other) {
          const oi = other[i]!;
          const oj = other[j]!;
          if (oi >= 0 && oj >= 0 && (oj === a || cache.get(a, oj, compute) <= 3) && (oi === b || cache.get(oi, b, compute) <= 3)) return 1;
        }
        return level;
      };
    }
    case 'date':
      return (i, j) => dateLevel(ds.dob[i]!, ds.dob[j]!);
    case 'sex':
      return (i, j) => {
        const a = ds.sex[i]!;
        const b = ds.sex[j]!;
        return a === 0 || b === 0 ? MISSING : a === b ? 0 : 1;
      };
    case 'location': {
      const pc = ds.postcode.codes;
      const ad = ds.address.codes;
      const tw = ds.town.codes;
      const cache = new PairCache();
      // Addresses are compared by their words (house number, street, locality), not spelling.
      const addressSimilar = (a: number, b: number) => (jaccard(ds.address, a, b) >= 0.6 ? 1 : 0);
      return (i, j) => {
        const pa = pc[i]!;
        const pb = pc[j]!;
        const aa = ad[i]!;
        const ab = ad[j]!;
        const ta = tw[i]!;
        const tb = tw[j]!;
        const hasPc = pa >= 0 && pb >= 0;
        const hasAd = aa >= 0 && ab >= 0;
        const hasTw = ta >= 0 && tb >= 0;
        if (!hasPc && !hasAd && !hasTw) return MISSING;
        const samePc = hasPc && pa === pb;
        const simAd = hasAd && (aa === ab || cache.get(aa, ab, addressSimilar) === 1);
        if (samePc && simAd) return 0;
        if (samePc) return 1;
        if (simAd) return 2;
        if (hasPc) {
          const sa = ds.pcSector[pa]!;
          if (sa >= 0 && sa === ds.pcSector[pb]) return 3;
          const da = ds.pcDistrict[pa]!;
          if (da >= 0 && da === ds.pcDistrict[pb]) return 4;
        }
        if (hasTw && ta === tb) return 4;
        return 5;
      };
    }
    case 'email':
    case 'phone':
    case 'identifier': {
      const col = spec.kind === 'email' ? ds.email : spec.kind === 'phone' ? ds.phone : ds.identifiers[spec.index]!.column;
      const level = stringLevel(col, spec.kind === 'email' ? emailNear : oneEditOrTransposition);
      const cache = new PairCache(16);
      return (i, j) => {
        const a = col.codes[i]!;
        const b = col.codes[j]!;
        if (a < 0 || b < 0) return MISSING;
        return a === b ? 0 : cache.get(a, b, level);
      };
    }
    case 'extra': {
      const col = ds.extras[spec.index]!.column;
      const cache = new PairCache();
      const level = (a: number, b: number) => textLevel(col, a, b);
      return (i, j) => {
        const a = col.codes[i]!;
        const b = col.codes[j]!;
        if (a < 0 || b < 0) return MISSING;
        return a === b ? 0 : cache.get(a, b, level);
      };
    }
  }
}

/** The exact-value code of a field for term-frequency adjustment, or -1 when not applicable. */
export function exactValueCode(ds: Dataset, spec: FieldSpec, i: number): number {
  switch (spec.kind) {
    case 'given':
      return ds.given[i]!;
    case 'middle':
      return ds.middle[i]!;
    case 'family':
      return ds.family[i]!;
    case 'extra':
      return ds.extras[spec.index]!.column.codes[i]!;
    default:
      return -1;
  }
}

/** The exact-value codes per record of a term-frequency field. */
export function exactCodes(ds: Dataset, spec: FieldSpec): Int32Array | undefined {
  switch (spec.kind) {
    case 'given':
      return ds.given;
    case 'middle':
      return ds.middle;
    case 'family':
      return ds.family;
    case 'extra':
      return ds.extras[spec.index]!.column.codes;
    default:
      return undefined;
  }
}

/** Records per exact value for a term-frequency field, and the number of records with a value. */
export function valueCounts(ds: Dataset, spec: FieldSpec): { counts: Int32Array; total: number } | undefined {
  const counts =
    spec.kind === 'given'
      ? ds.nameCounts.given
      : spec.kind === 'middle'
        ? ds.nameCounts.middle
        : spec.kind === 'family'
          ? ds.nameCounts.family
          : spec.kind === 'extra'
            ? ds.extras[spec.index]!.column.counts
            : undefined;
  if (!counts) return undefined;
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  return { counts, total };
}

export function valueString(ds: Dataset, spec: FieldSpec, code: number): string {
  return spec.kind === 'extra' ? ds.extras[spec.index]!.column.strings[code]! : ds.names[code]!;
}
