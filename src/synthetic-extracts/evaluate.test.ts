import { describe, expect, it } from 'vitest';
import { pairwiseScores } from './evaluate.js';

const rows = (spec: string) =>
  spec.split(' ').map((t) => {
    const [id, g] = t.split(':');
    return ['s', id!, g!] as const;
  });

describe('pairwise precision, recall and F1', () => {
  it('scores a perfect clustering 1, whatever the cluster labels are', () => {
    const s = pairwiseScores(rows('a:P1 b:P1 c:P2 d:P3 e:P3 f:P3'), rows('a:x b:x c:y d:z e:z f:z'));
    expect(s).toMatchObject({ truePairs: 4, predictedPairs: 4, truePositives: 4, precision: 1, recall: 1, f1: 1, missing: 0 });
  });

  it('works a merge of two people by hand', () => {
    // Truth: {a,b} {c} {d,e,f}: 1 + 0 + 3 = 4 true pairs.
    // Predicted: {a,b,c,d} {e,f}: 6 + 1 = 7 predicted pairs; correct ones: ab, ef = 2.
    const s = pairwiseScores(rows('a:P1 b:P1 c:P2 d:P3 e:P3 f:P3'), rows('a:1 b:1 c:1 d:1 e:2 f:2'));
    expect(s.truePairs).toBe(4);
    expect(s.predictedPairs).toBe(7);
    expect(s.truePositives).toBe(2);
    expect(s.precision).toBeCloseTo(2 / 7, 12);
    expect(s.recall).toBeCloseTo(2 / 4, 12);
    expect(s.f1).toBeCloseTo((2 * (2 / 7) * 0.5) / (2 / 7 + 0.5), 12);
  });

  it('works a split of one person by hand', () => {
    // Truth: one person with 4 records: 6 pairs. Predicted {a,b,c} {d}: 3 pairs, all correct.
    const s = pairwiseScores(rows('a:P b:P c:P d:P'), rows('a:1 b:1 c:1 d:2'));
    expect(s).toMatchObject({ truePairs: 6, predictedPairs: 3, truePositives: 3, precision: 1, recall: 0.5 });
    expect(s.f1).toBeCloseTo(2 / 3, 12);
  });

  it('treats records left out of the clustering as on their own, and counts unknown and repeated rows', () => {
    const s = pairwiseScores(rows('a:P b:P c:Q'), [...rows('a:1 c:2 zz:1'), ['s', 'a', '9'] as const]);
    expect(s).toMatchObject({ missing: 1, unknown: 1, repeated: 1, truePairs: 1, predictedPairs: 0, truePositives: 0, precision: 1, recall: 0, f1: 0 });
  });

  it('keeps sources apart: the same id in two sources is two records', () => {
    const truth = [
      ['health', '1', 'P'],
      ['education', '1', 'Q'],
    ] as const;
    const s = pairwiseScores(truth, [
      ['health', '1', 'c'],
      ['education', '1', 'c'],
    ]);
    expect(s).toMatchObject({ records: 2, truePairs: 0, predictedPairs: 1, truePositives: 0, precision: 0, recall: 1 });
  });

  it('refuses a truth that gives a record twice', () => {
    expect(() => pairwiseScores(rows('a:P a:Q'), [])).toThrow(/twice/);
  });

  it('agrees with counting every pair on random clusterings', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 20; round++) {
      const n = 60;
      const person = Array.from({ length: n }, () => rand(15));
      const cluster = Array.from({ length: n }, () => rand(12));
      let tp = 0,
        tr = 0,
        pr = 0;
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const same = person[i] === person[j];
          const together = cluster[i] === cluster[j];
          if (same) tr++;
          if (together) pr++;
          if (same && together) tp++;
        }
      const s = pairwiseScores(
        person.map((p, i) => ['s', String(i), String(p)] as const),
        cluster.map((c, i) => ['s', String(i), String(c)] as const),
      );
      expect([s.truePositives, s.truePairs, s.predictedPairs]).toEqual([tp, tr, pr]);
    }
  });
});
