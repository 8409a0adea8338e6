// The library's guarantees: every record in exactly one cluster, probabilities in [0, 1],
// decisions honoured, deterministic results, and incremental linking that keeps existing ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainPair, linkIncremental, linkRecords, type LinkRecord } from '../../src/linker/index.js';
import { RELIABLE_IDENTIFIER } from '../../src/linker/linker.js';
import { generate } from './support.js';

const rec = (source: string, id: string, values: LinkRecord['values']): LinkRecord => ({ source, id, values });

// Small random record sets drawn from a few fictional values, so that duplicates happen.
const recordsArb = fc
  .array(
    fc.record({
      source: fc.constantFrom('a', 'b'),
      given_name: fc.constantFrom('Amelia', 'Amelie', 'Oliver', 'Bob', 'Robert', '', 'Isla'),
      family_name: fc.constantFrom('Pemberfold', 'Pemberford', 'Quillbury', '', 'Drumwhistle'),
      birth_date: fc.constantFrom('2015-03-07', '2015-07-03', '2016-01-01', 'not a date', ''),
      postcode: fc.constantFrom('DM1 1AA', 'DM1 1AB', 'DM2 2BB', ''),
      nhs: fc.constantFrom('9990000011', '9990000022', ''),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      rec(r.source, `r${i}`, {
        given_name: r.given_name,
        family_name: r.family_name,
        birth_date: r.birth_date,
        postcode: r.postcode,
        'identifier:nhs_number': r.nhs,
      }),
    ),
  );

describe('linkRecords', () => {
  it('puts every record in exactly one cluster, with probabilities in [0, 1]', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, fc.constantFrom<'dedupe' | 'link'>('dedupe', 'link'), async (records, mode) => {
        const result = await linkRecords(records, { mode, workers: 0 });
        expect(result.clusterIds).toHaveLength(records.length);
        for (const id of result.clusterIds) expect(id).toMatch(/^[0-9]+$/);
        for (const p of result.pairs) {
          expect(p.probability).toBeGreaterThanOrEqual(0);
          expect(p.probability).toBeLessThanOrEqual(1);
          if (mode === 'link') expect(records[p.a]!.source).not.toBe(records[p.b]!.source);
        }
        expect(result.stats.clusters).toBe(new Set(result.clusterIds).size);
        // No cluster joins two different NHS numbers when the model finds the NHS number reliable
        // (matches almost never disagree on it); an unreliable identifier is evidence, not a veto.
        const nhs = result.model.fields.find((f) => f.name === 'identifier:nhs_number');
        const reliable = nhs !== undefined && nhs.m[nhs.m.length - 1]! <= RELIABLE_IDENTIFIER;
        const nhsByCluster = new Map<string, Set<string>>();
        records.forEach((r, i) => {
          const v = r.values['identifier:nhs_number'] as string;
          if (!v) return;
          const set = nhsByCluster.get(result.clusterIds[i]!) ?? new Set();
          set.add(v);
          nhsByCluster.set(result.clusterIds[i]!, set);
        });
        if (reliable) for (const set of nhsByCluster.values()) expect(set.size).toBe(1);
        // Link mode: at most one record per source in a cluster.
        if (mode === 'link') {
          const seen = new Set<string>();
          records.forEach((r, i) => {
            const key = `${result.clusterIds[i]}/${r.source}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
          });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('is deterministic for the same input', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, async (records) => {
        const x = await linkRecords(records, { mode: 'dedupe', workers: 0 });
        const y = await linkRecords(records, { mode: 'dedupe', workers: 0 });
        expect(y.clusterIds).toEqual(x.clusterIds);
        expect(y.pairs).toEqual(x.pairs);
      }),
      { numRuns: 20 },
    );
  });

  it('honours decisions: "same" joins, "different" separates, and decided pairs are not asked again', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, fc.nat(), fc.nat(), fc.boolean(), async (records, x0, y0, same) => {
        const x = x0 % records.length;
        const y = y0 % records.length;
        fc.pre(x !== y);
        const ra = records[x]!;
        const rb = records[y]!;
        const result = await linkRecords(records, {
          mode: 'dedupe',
          workers: 0,
          decisions: [{ a: { source: ra.source, id: ra.id }, b: { source: rb.source, id: rb.id }, decision: same ? 'same' : 'different' }],
        });
        if (same) expect(result.clusterIds[x]).toBe(result.clusterIds[y]);
        else expect(result.clusterIds[x]).not.toBe(result.clusterIds[y]);
        const asked = result.uncertain.some((p) => p.a === Math.min(x, y) && p.b === Math.max(x, y));
        expect(asked).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('finds an obvious duplicate with nickname, swapped day and month and a typo, and explains why', async () => {
    const { records } = generate(300, 3);
    const a = rec('health', 'x1', { given_name: 'Robert', family_name: 'Quillbury', birth_date: '2012-09-11', postcode: 'DM2 2BB' });
    const b = rec('school', 'x2', { given_name: 'Bob', family_name: 'Quilbury', birth_date: '2012-11-09', postcode: 'DM2 2BB' });
    const result = await linkRecords([...records, a, b], { mode: 'dedupe', workers: 0 });
    const i = records.length;
    expect(result.clusterIds[i]).toBe(result.clusterIds[i + 1]);
    const ex = result.explain(i, i + 1);
    const by = Object.fromEntries(ex.map((e) => [e.field, e]));
    expect(by.given_name!.level).toMatch(/nickname/);
    expect(by.birth_date!.level).toBe('day and month swapped');
    expect(by.family_name!.levelIndex).toBeGreaterThan(0);
    for (const e of ex) if (e.level !== 'missing') expect(e.weight).toBeGreaterThan(0);
    // The same explanation from the model alone (as the review screen will use it).
    const again = explainPair(result.model, a, b);
    expect(again.fields.map((f) => f.level)).toEqual(ex.map((e) => e.level));
    expect(again.probability).toBeGreaterThan(0.9);
  });

  it('counts common surnames for less than rare ones (term frequency)', async () => {
    const { records } = generate(600, 8);
    const common = Array.from({ length: 60 }, (_, k) =>
      rec('care', `c${k}`, { given_name: ['Ava', 'Leo', 'Ivy'][k % 3], family_name: 'Holloway', birth_date: `20${10 + (k % 9)}-0${1 + (k % 9)}-1${k % 9}` }),
    );
    const result = await linkRecords([...records, ...common], { mode: 'dedupe', workers: 0 });
    const p1 = rec('s', '1', { given_name: 'Ava', family_name: 'Holloway' });
    const p2 = rec('s', '2', { given_name: 'Ava', family_name: 'Zennorwick' });
    const w = (r: LinkRecord) => explainPair(result.model, r, r).fields.find((f) => f.field === 'family_name')!.weight;
    expect(w(p1)).toBeLessThan(w(p2));
  });
});

describe('linkIncremental', () => {
  it('keeps existing cluster ids, joins new records to them, and gives new people new ids', async () => {
    const { records, person } = generate(500, 21);
    const half = Math.floor(records.length / 2);
    const first = await linkRecords(records.slice(0, half), { mode: 'dedupe', workers: 0 });
    const added = records.slice(half);
    const inc = await linkIncremental(
      { existing: records.slice(0, half), existingClusterIds: first.clusterIds, added, model: first.model },
      { mode: 'dedupe', workers: 0 },
    );
    expect(inc.clusterIds.slice(0, half)).toEqual(first.clusterIds);
    expect(inc.addedClusterIds).toHaveLength(added.length);
    const existingIds = new Set(first.clusterIds);
    const maxOld = Math.max(...first.clusterIds.map(Number));
    let joined = 0;
    added.forEach((_, k) => {
      const id = inc.addedClusterIds[k]!;
      if (existingIds.has(id)) joined++;
      else expect(Number(id)).toBeGreaterThan(maxOld);
    });
    expect(joined).toBeGreaterThan(0);
    // Most new records that share a person with an existing record join that person's cluster.
    const clusterOfPerson = new Map<string, string>();
    for (let i = 0; i < half; i++) clusterOfPerson.set(person[i]!, first.clusterIds[i]!);
    let expected = 0;
    let right = 0;
    added.forEach((_, k) => {
      const c = clusterOfPerson.get(person[half + k]!);
      if (!c) return;
      expected++;
      if (inc.addedClusterIds[k] === c) right++;
    });
    expect(right / expected).toBeGreaterThan(0.9);
  });

  it('re-estimates the model when none is given and never merges two existing clusters on scores', async () => {
    const a = rec('h', '1', { given_name: 'Amelia', family_name: 'Pemberfold', birth_date: '2015-03-07' });
    const b = rec('h', '2', { given_name: 'Amelia', family_name: 'Pemberfold', birth_date: '2015-03-07' });
    const c = rec('s', '3', { given_name: 'Amelia', family_name: 'Pemberfold', birth_date: '2015-03-07' });
    const { records } = generate(200, 4);
    const inc = await linkIncremental(
      { existing: [...records, a, b], existingClusterIds: [...records.map((_, k) => `old-${k}`), 'A', 'B'], added: [c] },
      { mode: 'dedupe', workers: 0 },
    );
    const n = records.length;
    expect(inc.clusterIds[n]).toBe('A');
    expect(inc.clusterIds[n + 1]).toBe('B');
    expect(['A', 'B']).toContain(inc.addedClusterIds[0]);
    // The new record also matches the other existing person: that is left for a person to decide.
    const other = inc.addedClusterIds[0] === 'A' ? n + 1 : n;
    expect(inc.uncertain.some((p) => p.a === other && p.b === n + 2)).toBe(true);
    expect(inc.mergedClusters).toEqual([]);
  });
});
