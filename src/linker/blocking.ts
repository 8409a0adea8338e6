// Blocking: candidate pairs are the union of pairs that share a key under any of several rules,
// chosen from the roles present. Pairs are numbers (a * n + b) in typed arrays, deduplicated by
// sorting, which is far cheaper than sets of strings at a million records.
import type { Dataset } from './encode.js';
import { sharedInt32 } from './encode.js';
import { nicknameGroupHead, nicknameGroups } from './nicknames.js';

export interface BlockingRule {
  name: string;
  /** Comparison fields the rule forces to agree (their m is not learned from its pairs). */
  fields: readonly string[];
  /** A key per record, or -1 when the record lacks a part of it. */
  key: (i: number) => number;
  /**
   * For blocks too big to compare in full (common names): pairs must also share this key (or
   * lack it), e.g. the birth year. Blocks above the largest size are then split, not skipped.
   */
  refine?: (i: number) => number;
}

/** Blocks above this size are compared only within their refined sub-blocks. */
const REFINE_ABOVE = 30;

export interface BlockingReport {
  rule: string;
  pairs: number;
  skipped_blocks: number;
  skipped_records: number;
}

export interface CandidatePairs {
  a: Int32Array;
  b: Int32Array;
  count: number;
  report: BlockingReport[];
  /** Per rule, each record's block (-1 when it has no key): which rule(s) found a pair. */
  keys: Int32Array[];
}

const TWO32 = 4294967296;

/** Mixes up to three non-negative ints into a key below 2^53 (collisions only merge blocks). */
function mix(x: number, y: number, z: number): number {
  let h1 = Math.imul(x ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(y + 0x27d4eb2f, 0x85ebca77) ^ Math.imul(z + 0x165667b1, 0xc2b2ae3d);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d);
  let h2 = Math.imul(y ^ 0x1b873593, 0xcc9e2d51) ^ Math.imul(z + 0x68e31da4, 0x9e3779b1) ^ Math.imul(x + 0x3c6ef372, 0x85ebca77);
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b);
  return ((h1 >>> 0) % 2097152) * TWO32 + (h2 >>> 0);
}

/** The key of up to three parts, or -1 when a part is missing (fixed arity: no allocation). */
function key(x: number, y = 0, z = 0): number {
  return x < 0 || y < 0 || z < 0 ? -1 : mix(x, y, z);
}

/** The blocking rules that apply to the roles present in the data. */
export function blockingRules(ds: Dataset): BlockingRule[] {
  const has = (r: string) => ds.roles.includes(r);
  const rules: BlockingRule[] = [];
  const dobSwap = (i: number) => {
    const d = ds.dob[i]!;
    if (d === 0) return -1;
    const m = Math.floor(d / 100) % 100;
    const day = d % 100;
    return Math.floor(d / 10000) * 10000 + Math.min(m, day) * 100 + Math.max(m, day);
  };
  const phon = (col: Int32Array) => (i: number) => (col[i]! < 0 ? -1 : ds.namePhon[col[i]!]!);
  const initials = Int32Array.from(ds.names, (s) => s.charCodeAt(0));
  const givenInitial = (i: number) => (ds.given[i]! < 0 ? -1 : initials[ds.given[i]!]!);
  const year = (i: number) => (ds.dob[i]! === 0 ? -1 : Math.floor(ds.dob[i]! / 10000));
  const refine = has('birth_date') ? year : undefined;
  const famPhon = phon(ds.family);
  const givPhon = phon(ds.given);
  const familyInitial = (i: number) => (ds.family[i]! < 0 ? -1 : initials[ds.family[i]!]!);
  // Birth day and month in either order, without the year (a year one out still meets).
  const dayMonth = (i: number) => {
    const d = dobSwap(i);
    return d < 0 ? -1 : d % 10000;
  };
  const district = (i: number) => (ds.postcode.codes[i]! < 0 ? -1 : ds.pcDistrict[ds.postcode.codes[i]!]!);
  // A given name's nickname group (Bob and Robert meet) or else its sound.
  const givenGroup = nameGroupKeys(ds);
  const givGroup = (i: number) => (ds.given[i]! < 0 ? -1 : givenGroup[ds.given[i]!]!);
  // The initial of a nickname's full name (Bob: r, as Robert), else the name's own initial.
  const groupInitial = Int32Array.from(ds.names, (s) => {
    const sp = s.indexOf(' ');
    const groups = nicknameGroups(sp < 0 ? s : s.slice(0, sp));
    return groups.length ? nicknameGroupHead(Math.min(...groups)).charCodeAt(0) : s.charCodeAt(0);
  });
  const firstTwo = Int32Array.from(ds.names, (s) => s.charCodeAt(0) * 256 + (s.length > 1 ? s.charCodeAt(1) : 0));
  const givenTwo = (i: number) => (ds.given[i]! < 0 ? -1 : firstTwo[ds.given[i]!]!);
  for (const x of ds.identifiers) rules.push({ name: `same ${x.role}`, fields: [x.role], key: (i) => key(x.column.codes[i]!) });
  if (has('email')) rules.push({ name: 'same email', fields: ['email'], key: (i) => key(ds.email.codes[i]!) });
  if (has('phone')) rules.push({ name: 'same phone', fields: ['phone'], key: (i) => key(ds.phone.codes[i]!) });
  if (has('birth_date') && has('family_name'))
    rules.push({
      name: 'birth date (day and month in either order) and family name sound',
      fields: ['birth_date', 'family_name'],
      key: (i) => key(dobSwap(i), famPhon(i), 1),
    });
  if (has('birth_date') && has('given_name'))
    rules.push({
      name: 'birth date (day and month in either order) and given name sound',
      fields: ['birth_date', 'given_name'],
      key: (i) => key(dobSwap(i), givPhon(i), 2),
    });
  if (has('given_name') && has('family_name'))
    rules.push({
      name: 'given and family name (either order)',
      fields: ['given_name', 'family_name'],
      key: (i) => {
        const g = ds.nameFirstToken[ds.given[i]!] ?? -1;
        const f = ds.family[i]!;
        return key(Math.min(g, f), Math.max(g, f), 3);
      },
      refine,
    });
  if (has('birth_date') && has('given_name') && has('family_name'))
    rules.push({
      name: 'given and family name sounds and birth year',
      fields: ['given_name', 'family_name', 'birth_date'],
      key: (i) => key(givPhon(i), famPhon(i), year(i)),
    });
  if (has('postcode') && has('given_name'))
    rules.push({
      name: 'postcode and given name initial',
      fields: ['location', 'given_name'],
      key: (i) => key(ds.postcode.codes[i]!, givenInitial(i), 4),
      refine,
    });
  if (has('postcode') && has('family_name'))
    rules.push({ name: 'postcode and family name sound', fields: ['location', 'family_name'], key: (i) => key(ds.postcode.codes[i]!, famPhon(i), 5), refine });
  // Rules for sparse, messy records: each tolerates what the rules above need to agree exactly.
  if (has('birth_date') && has('given_name') && has('family_name'))
    rules.push({
      name: 'birth date and the initials of both names (either order; a nickname by its full name)',
      fields: ['birth_date'],
      key: (i) => {
        const g = ds.given[i]! < 0 ? -1 : groupInitial[ds.given[i]!]!;
        const f = familyInitial(i);
        return g < 0 || f < 0 ? -1 : key(dobSwap(i), Math.min(g, f) * 256 + Math.max(g, f), 8);
      },
    });
  if (has('birth_date') && has('postcode'))
    rules.push({ name: 'birth date and postcode district', fields: ['birth_date'], key: (i) => key(dobSwap(i), district(i), 9) });
  if (has('birth_date') && has('given_name') && has('family_name'))
    rules.push({
      name: 'birth day and month, family name sound and given name initial',
      fields: ['family_name'],
      key: (i) => key(dayMonth(i), famPhon(i), givenInitial(i) + 1000),
    });
  if (has('given_name') && has('family_name'))
    rules.push({
      name: 'family name sound and given name or nickname',
      fields: ['given_name', 'family_name'],
      key: (i) => key(famPhon(i), givGroup(i), 10),
      refine,
    });
  if (has('given_name') && has('family_name'))
    rules.push({
      name: 'family name sound and the first two letters of the given name',
      fields: ['family_name'],
      key: (i) => key(famPhon(i), givenTwo(i), 12),
      refine,
    });
  if (has('postcode') && has('family_name'))
    rules.push({ name: 'postcode and family name initial', fields: ['location'], key: (i) => key(ds.postcode.codes[i]!, familyInitial(i), 13), refine });
  if (!has('postcode') && has('address') && has('family_name'))
    rules.push({ name: 'address and family name sound', fields: ['location', 'family_name'], key: (i) => key(ds.address.codes[i]!, famPhon(i), 6), refine });
  if (rules.length === 0) {
    // Nothing person-like to block on: fall back to exact values of the other attributes.
    ds.extras.forEach((x, k) => rules.push({ name: `same ${x.role}`, fields: [x.role], key: (i) => key(x.column.codes[i]!, 7 + k) }));
    if (has('address')) rules.push({ name: 'same address', fields: ['location'], key: (i) => key(ds.address.codes[i]!, 6) });
  }
  return rules;
}

/**
 * Per name value, a blocking key under which nicknames meet: the first nickname group of its
 * first part (Bob and Robert share one), else its phonetic code. Group keys are offset so they
 * never equal a phonetic code.
 */
export function nameGroupKeys(ds: Pick<Dataset, 'names' | 'namePhon'>): Int32Array {
  const out = new Int32Array(ds.names.length);
  for (let v = 0; v < ds.names.length; v++) {
    const s = ds.names[v]!;
    const sp = s.indexOf(' ');
    const groups = nicknameGroups(sp < 0 ? s : s.slice(0, sp));
    out[v] = groups.length ? (1 << 30) + Math.min(...groups) : ds.namePhon[v]!;
  }
  return out;
}

/**
 * Pair numbers from all rules. Rules overlap (a true pair is usually found by several), so when
 * full the buffer first drops repeats (sort, then unique in place) and grows only if that did
 * not free half of it: memory follows the distinct pairs, not the sum over rules.
 */
export class PairBuffer {
  data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      this.compact();
      if (this.length > this.data.length / 2) {
        const next = new Float64Array(this.data.length * 2);
        next.set(this.data.subarray(0, this.length));
        this.data = next;
      }
    }
    this.data[this.length++] = v;
  }
  /** Sorts the pairs and removes repeats. */
  compact(): void {
    const d = this.data.subarray(0, this.length).sort();
    let w = 0;
    for (let k = 0; k < d.length; k++) if (k === 0 || d[k] !== d[k - 1]) d[w++] = d[k]!;
    this.length = w;
  }
}

export interface BlockingOptions {
  maxBlockSize: number;
  linkOnly: boolean;
  /** Incremental linking: only pairs with at least one record at or after this index. */
  firstNew?: number;
}

export function candidatePairs(ds: Dataset, rules: BlockingRule[], opts: BlockingOptions): CandidatePairs {
  const n = ds.n;
  const firstNew = opts.firstNew ?? 0;
  const buf = new PairBuffer();
  const report: BlockingReport[] = [];
  const groupOf = new Int32Array(n);
  const order = new Int32Array(n);
  const keys: Int32Array[] = [];
  const sub = new Int32Array(n);
  // Open-addressing hash table from key to group id, on typed arrays (a Map is slower here).
  let cap = 1024;
  while (cap < n * 2) cap *= 2;
  const slotKey = new Float64Array(cap);
  const slotGroup = new Int32Array(cap);
  const mask = cap - 1;
  for (const rule of rules) {
    if (rule.refine) for (let i = 0; i < n; i++) sub[i] = rule.refine(i);
    slotGroup.fill(-1);
    // The block number, not the 8-byte key, is kept per record: half the memory for each rule.
    const keyOf = new Int32Array(n);
    keys.push(keyOf);
    const sizes: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = rule.key(i);
      if (k < 0) {
        groupOf[i] = -1;
        keyOf[i] = -1;
        continue;
      }
      let slot = (k >>> 0) & mask;
      let g: number;
      for (;;) {
        g = slotGroup[slot]!;
        if (g < 0) {
          g = sizes.length;
          slotGroup[slot] = g;
          slotKey[slot] = k;
          sizes.push(0);
          break;
        }
        if (slotKey[slot] === k) break;
        slot = (slot + 1) & mask;
      }
      groupOf[i] = g;
      keyOf[i] = g;
      sizes[g]!++;
    }
    // Counting sort of records by group, keeping input order inside each group.
    const start = new Int32Array(sizes.length + 1);
    for (let g = 0; g < sizes.length; g++) start[g + 1] = start[g]! + sizes[g]!;
    const fill = start.slice(0, sizes.length);
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      if (g >= 0) order[fill[g]!++] = i;
    }
    const before = buf.length;
    let skippedBlocks = 0;
    let skippedRecords = 0;
    for (let g = 0; g < sizes.length; g++) {
      const s = start[g]!;
      const e = start[g + 1]!;
      if (e - s < 2) continue;
      const refined = rule.refine !== undefined && e - s > REFINE_ABOVE;
      if (e - s > opts.maxBlockSize * (refined ? 20 : 1)) {
        skippedBlocks++;
        skippedRecords += e - s;
        continue;
      }
      if (refined) {
        for (let y = s + 1; y < e; y++) {
          const j = order[y]!;
          if (j < firstNew) continue;
          const sj = ds.source[j]!;
          const kj = sub[j]!;
          for (let x = s; x < y; x++) {
            const i = order[x]!;
            const ki = sub[i]!;
            if (ki !== kj && ki >= 0 && kj >= 0) continue;
            if (opts.linkOnly && ds.source[i] === sj) continue;
            buf.push(i * n + j);
          }
        }
        continue;
      }
      for (let y = s + 1; y < e; y++) {
        const j = order[y]!;
        if (j < firstNew) continue;
        const sj = ds.source[j]!;
        for (let x = s; x < y; x++) {
          const i = order[x]!;
          if (opts.linkOnly && ds.source[i] === sj) continue;
          buf.push(i * n + j);
        }
      }
    }
    report.push({ rule: rule.name, pairs: buf.length - before, skipped_blocks: skippedBlocks, skipped_records: skippedRecords });
  }
  buf.compact();
  const all = buf.data.subarray(0, buf.length);
  const count = all.length;
  const a = sharedInt32(count);
  const b = sharedInt32(count);
  let w = 0;
  for (let k = 0; k < all.length; k++) {
    const v = all[k]!;
    const i = Math.floor(v / n);
    a[w] = i;
    b[w] = v - i * n;
    w++;
  }
  return { a, b, count, report, keys };
}
