// Linking quality on generated fictional data with known truth (not timing: see bench/).
import { describe, expect, it } from 'vitest';
import { linkRecords } from '../../src/linker/index.js';
import { generate, pairwise } from './support.js';

describe('linking quality', () => {
  it('finds the same people with high precision and recall (dedupe, default settings)', async () => {
    const { records, person } = generate(3000, 11);
    const result = await linkRecords(records, { mode: 'dedupe', workers: 0 });
    const q = pairwise(person, result.clusterIds);
    expect(q.precision).toBeGreaterThan(0.95);
    expect(q.recall).toBeGreaterThan(0.95);
    expect(q.f1).toBeGreaterThan(0.96);
  });

  it('uses worker threads with the same result as scoring in one thread', async () => {
    const { records } = generate(400, 5);
    const one = await linkRecords(records, { mode: 'dedupe', workers: 0 });
    const two = await linkRecords(records, { mode: 'dedupe', workers: 2 });
    expect(two.clusterIds).toEqual(one.clusterIds);
    expect(two.pairs.map((p) => p.probability)).toEqual(one.pairs.map((p) => p.probability));
  });
});
