// The rules for sparse, messy records (issue 18): blocking rules that still offer a true pair when
// the names, the birth date or the postcode are wrong; comparisons tolerant of names swapped with a
// typo, one-letter differences in short names and a birth year one out; personal agreement before
// a join; and the review queue.
import { describe, expect, it } from 'vitest';
import { blockingRules, candidatePairs, nameGroupKeys, PairBuffer } from '../../src/linker/blocking.js';
import { dateLevel, fieldSpecs, makeComparator, MISSING, nameLevel, oneEditApart } from '../../src/linker/compare.js';
import { Encoder } from '../../src/linker/encode.js';
import { personalCap, reviewQueue } from '../../src/linker/linker.js';
import type { ScoredPair } from '../../src/linker/types.js';

const ROLES = ['given_name', 'family_name', 'birth_date', 'postcode'];

function dataset(rows: Partial<Record<string, string>>[], roles = ROLES) {
  const e = new Encoder(roles);
  rows.forEach((r, i) => e.add('s', String(i), (role) => r[role]));
  const ds = e.finish();
  return { ds, specs: fieldSpecs(roles, ds) };
}

/** The rules under which records 0 and 1 share a key, and whether blocking offers the pair. */
function offeredBy(rows: Partial<Record<string, string>>[]) {
  const { ds } = dataset(rows);
  const rules = blockingRules(ds);
  const cand = candidatePairs(ds, rules, { maxBlockSize: 1000, linkOnly: false });
  const sharing = rules.filter((_, r) => cand.keys[r]![0]! >= 0 && cand.keys[r]![0] === cand.keys[r]![1]).map((r) => r.name);
  let offered = false;
  for (let p = 0; p < cand.count; p++) if (cand.a[p] === 0 && cand.b[p] === 1) offered = true;
  return { sharing, offered };
}

describe('blocking rules for sparse records', () => {
  it('offers a pair whose names are swapped and mis-typed, by birth date and the initials of both names', () => {
    const r = offeredBy([
      { given_name: 'Amelia', family_name: 'Pemberfold', birth_date: '2014-03-07' },
      { given_name: 'Pembrefold', family_name: 'Amelai', birth_date: '2014-03-07' },
    ]);
    expect(r.sharing).toContain('birth date and the initials of both names (either order; a nickname by its full name)');
    expect(r.offered).toBe(true);
  });

  it('offers a pair with both names changed (a nickname and a new surname) by birth date and postcode district', () => {
    const r = offeredBy([
      { given_name: 'Robert', family_name: 'Quillbury', birth_date: '2012-11-02', postcode: 'DM4 2AB' },
      { given_name: 'Bob', family_name: 'Drumwhistle', birth_date: '2012-02-11', postcode: 'DM4 7XY' },
    ]);
    expect(r.sharing).toEqual(['birth date and postcode district']);
    expect(r.offered).toBe(true);
  });

  it('offers a pair whose birth year is one out by day and month, family name sound and given initial', () => {
    const r = offeredBy([
      { given_name: 'Freya', family_name: 'Tindlewick', birth_date: '2015-06-21' },
      { given_name: 'Freyja', family_name: 'Tindlewick', birth_date: '2016-06-21' },
    ]);
    expect(r.sharing).toContain('birth day and month, family name sound and given name initial');
    expect(r.offered).toBe(true);
  });

  it('offers a pair with a nickname and no birth date by family name sound and nickname group', () => {
    const r = offeredBy([
      { given_name: 'William', family_name: 'Ashworth' },
      { given_name: 'Liam', family_name: 'Ashworth' },
    ]);
    expect(r.sharing).toContain('family name sound and given name or nickname');
    expect(r.offered).toBe(true);
  });

  it('does not offer pairs that share nothing a rule keys on', () => {
    const r = offeredBy([
      { given_name: 'Amelia', family_name: 'Pemberfold', birth_date: '2014-03-07', postcode: 'DM1 1AA' },
      { given_name: 'Oliver', family_name: 'Quillbury', birth_date: '2019-10-30', postcode: 'DM9 9ZZ' },
    ]);
    expect(r.sharing).toEqual([]);
    expect(r.offered).toBe(false);
  });

  it('puts nicknames of one group under one key and unrelated names under different ones', () => {
    const { ds } = dataset([{ given_name: 'Robert' }, { given_name: 'Bobby' }, { given_name: 'Oliver' }, { given_name: 'Olive' }]);
    const keys = nameGroupKeys(ds);
    const of = (i: number) => keys[ds.given[i]!]!;
    expect(of(0)).toBe(of(1));
    expect(of(0)).not.toBe(of(2));
  });
});

describe('comparisons tolerant of messy values', () => {
  it('counts one letter added, dropped, changed or two swapped as one edit, and no more', () => {
    expect(oneEditApart('leo', 'loe')).toBe(true);
    expect(oneEditApart('ivy', 'iy')).toBe(true);
    expect(oneEditApart('ava', 'avva')).toBe(true);
    expect(oneEditApart('ivy', 'iby')).toBe(true);
    expect(oneEditApart('leo', 'lola')).toBe(false);
    expect(oneEditApart('ava', 'eve')).toBe(false);
  });

  it('grades short names one key apart as close, not different', () => {
    expect(nameLevel('leo', 'loe', 1, 2)).toBe(3);
    expect(nameLevel('ivy', 'iy', 1, 2)).toBe(3);
    expect(nameLevel('ava', 'noah', 1, 2)).toBe(5);
  });

  it('grades a birth year one out (day and month right) with one-digit errors, not with any date in a year', () => {
    expect(dateLevel(20190305, 20200305)).toBe(2);
    expect(dateLevel(20190305, 20180305)).toBe(2);
    expect(dateLevel(20190305, 20200301)).toBe(4);
    expect(dateLevel(20190305, 20210305)).toBe(5);
  });

  it('detects given and family names swapped even with a typo in one of them', () => {
    const { ds, specs } = dataset([
      { given_name: 'Amelia', family_name: 'Pemberfold' },
      { given_name: 'Pembrefold', family_name: 'Amelia' },
      { given_name: 'Pemberfold', family_name: 'Oliver' },
    ]);
    const given = makeComparator(ds, specs[0]!);
    const family = makeComparator(ds, specs[1]!);
    expect(given(0, 1)).toBe(1);
    expect(family(0, 1)).toBe(1);
    // Only one name crossing over is a sibling-like coincidence, not a swap.
    expect(given(0, 2)).toBe(5);
  });
});

describe('personal agreement before a join', () => {
  const GIVEN_DIFFERENT = 5;
  it('joins on any given-name agreement', () => {
    for (const g of [0, 1, 2, 3, 4]) expect(personalCap(g, MISSING)).toBe('join');
  });
  it('sends completely different given names to review when the birth date agrees (twins?), else not a match (siblings)', () => {
    expect(personalCap(GIVEN_DIFFERENT, 0)).toBe('review');
    expect(personalCap(GIVEN_DIFFERENT, 2)).toBe('review');
    expect(personalCap(GIVEN_DIFFERENT, 5)).toBe('drop');
    expect(personalCap(GIVEN_DIFFERENT, MISSING)).toBe('drop');
  });
  it('with no given name: joins on the birth date, asks without one, and rejects birth dates a year or more apart', () => {
    expect(personalCap(MISSING, 0)).toBe('join');
    expect(personalCap(MISSING, MISSING)).toBe('review');
    expect(personalCap(MISSING, 4)).toBe('drop');
    expect(personalCap(MISSING, 5)).toBe('drop');
  });
});

describe('the review queue', () => {
  const pair = (a: number, b: number, probability: number): ScoredPair => ({ a, b, probability, matchWeight: 0 });
  // Clusters: {0, 1, 2} (root 0), {3, 4} (root 3), {5}, {6}.
  const root = [0, 0, 0, 3, 3, 5, 6];
  const size = (r: number) => root.filter((x) => x === r).length;

  it('asks one question per pair of clusters, its most likely pair, and nothing inside a cluster', () => {
    const q = reviewQueue([pair(0, 1, 0.7), pair(0, 3, 0.6), pair(2, 4, 0.8), pair(5, 6, 0.5)], (i) => root[i]!, size);
    expect(q.map((p) => [p.a, p.b])).toEqual([
      [2, 4],
      [5, 6],
    ]);
  });

  it('puts first the question whose answer would join the most record pairs, weighed by uncertainty', () => {
    const q = reviewQueue([pair(5, 6, 0.5), pair(0, 3, 0.6), pair(3, 6, 0.85)], (i) => root[i]!, size);
    // 3 x 2 records at p 0.6 (6 x 0.24 = 1.44) before 2 x 1 at 0.85 (2 x 0.1275) and 1 x 1 at 0.5 (0.25).
    expect(q.map((p) => [p.a, p.b])).toEqual([
      [0, 3],
      [3, 6],
      [5, 6],
    ]);
  });
});

describe('the pair buffer', () => {
  it('keeps each pair once and grows with the distinct pairs, not with the repeats', () => {
    const buf = new PairBuffer();
    const start = buf.data.length;
    // Ten rules finding the same 1,000 pairs (in different orders) and 100 pairs of their own.
    for (let rule = 0; rule < 10; rule++) {
      for (let k = 0; k < start; k++) buf.push((k * 7919 + rule * 13) % start);
      for (let k = 0; k < 100; k++) buf.push(start * (rule + 2) + k);
    }
    buf.compact();
    const pairs = [...buf.data.subarray(0, buf.length)];
    expect(pairs.length).toBe(start + 1000);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toEqual([...pairs].sort((x, y) => x - y));
    expect(buf.data.length).toBeLessThanOrEqual(4 * start);
  });
});
