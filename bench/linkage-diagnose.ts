// Where the linker loses true pairs, measured against truth.csv of a set of synthetic extracts:
//   - candidate recall: the share of true pairs that blocking offers at all (overall and per rule),
//     and, for the pairs it never offers, which parts of the records disagree;
//   - of the offered true pairs, how many are scored below the match threshold, and the level of
//     each field in those pairs (why they score low);
//   - review pairs: uncertain pairs per 1,000 records, and how many of them are true pairs.
// It runs the linker in this process on the same files and config the command reads (same code:
// readSources, blockingRules, candidatePairs, linkEncoded), so it sees what the command does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/linker/config.js';
import { readSources } from '../src/linker/cli.js';
import { Encoder } from '../src/linker/encode.js';
import { blockingRules, candidatePairs } from '../src/linker/blocking.js';
import { DEFAULTS, linkEncoded } from '../src/linker/linker.js';
import { MISSING, fieldSpecs, makeComparator } from '../src/linker/compare.js';
import { splitCsvLine } from '../src/synthetic-extracts/csv.js';

export interface Diagnosis {
  records: number;
  true_pairs: number;
  candidate_pairs: number;
  candidate_recall: number;
  /** Per rule: true pairs it offers (alone or with others), pairs it makes. */
  rules: { rule: string; true_pairs_found: number; pairs: number }[];
  /** True pairs no rule offers, by field and comparison level. */
  never_offered_levels: Record<string, Record<string, number>>;
  /** All true pairs by how many fields agree at all (any level but "different", value on both sides). */
  true_pairs_by_agreeing_fields: Record<string, number>;
  /** Of those never offered, by how many fields agree at all. */
  never_offered_by_agreeing_fields: Record<string, number>;
  /** True pairs offered but below the match threshold, by field and level. */
  below_threshold: number;
  below_threshold_in_review: number;
  below_threshold_levels: Record<string, Record<string, number>>;
  /** True pairs at or above the threshold that clustering did not join. */
  above_threshold_not_joined: number;
  review_pairs: number;
  review_pairs_per_1000: number;
  review_pairs_true: number;
  review_buckets: Record<string, { pairs: number; true_pairs: number }>;
  /** Scored pairs per tenth of probability, and the share of them that are true pairs. */
  calibration: Record<string, { pairs: number; true_share: number }>;
  /** Pairs of different people scored at or above the threshold, by their comparison levels. */
  false_matches: Record<string, number>;
  precision: number;
  recall: number;
  f1: number;
}

function readTruth(file: string): Map<string, string> {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const out = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const [s, id, person] = splitCsvLine(line);
    out.set(`${s}\u0000${id}`, person!);
  }
  return out;
}

const bump = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);

export async function diagnose(dir: string): Promise<Diagnosis> {
  const config = loadConfig(join(dir, 'config.json'));
  const roles = [...new Set(config.sources.flatMap((s) => s.columns.map((c) => c.role)))];
  const formats: Record<string, string> = {};
  for (const s of config.sources) if (s.birthDateFormat) formats[s.name] = s.birthDateFormat;
  const truth = readTruth(join(dir, 'truth.csv'));

  // Blocking exactly as the linker does it.
  const enc = new Encoder(roles, formats);
  readSources(config, enc);
  const ds = enc.finish();
  const n = ds.n;
  const person = new Int32Array(n);
  const personIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const p = truth.get(`${enc.sourceName(i)}\u0000${enc.ids[i]}`);
    if (p === undefined) throw new Error(`record ${enc.sourceName(i)} ${enc.ids[i]} is not in truth.csv`);
    let k = personIds.get(p);
    if (k === undefined) personIds.set(p, (k = personIds.size));
    person[i] = k;
  }
  const members: number[][] = [];
  for (let i = 0; i < n; i++) (members[person[i]!] ??= []).push(i);
  const truePairs: [number, number][] = [];
  for (const m of members) if (m) for (let x = 0; x < m.length; x++) for (let y = x + 1; y < m.length; y++) truePairs.push([m[x]!, m[y]!]);

  const rules = blockingRules(ds);
  const cand = candidatePairs(ds, rules, { maxBlockSize: DEFAULTS.maxBlockSize, linkOnly: config.mode === 'link' });
  const offered = new Set<number>();
  for (let p = 0; p < cand.count; p++) offered.add(cand.a[p]! * n + cand.b[p]!);
  const perRule = rules.map(() => 0);
  const specs = fieldSpecs(ds.roles, ds);
  const cmps = specs.map((x) => makeComparator(ds, x));
  const neverLevels: Record<string, Record<string, number>> = {};
  const byAgreeing: Record<string, number> = {};
  const neverByAgreeing: Record<string, number> = {};
  let found = 0;
  for (const [a, b] of truePairs) {
    let agreeing = 0;
    const lv = specs.map((x, f) => {
      const l = cmps[f]!(a, b);
      if (l !== MISSING && l < x.levels.length - 1) agreeing++;
      return l;
    });
    bump(byAgreeing, String(agreeing));
    rules.forEach((_, r) => {
      const k = cand.keys[r]!;
      if (k[a]! >= 0 && k[a] === k[b]) perRule[r]!++;
    });
    if (offered.has(a * n + b)) {
      found++;
      continue;
    }
    bump(neverByAgreeing, String(agreeing));
    specs.forEach((x, f) => bump((neverLevels[x.name] ??= {}), lv[f] === MISSING ? 'missing' : x.levels[lv[f]!]!));
  }

  // Scoring and clustering exactly as the command does (default settings).
  const enc2 = new Encoder(roles, formats);
  readSources(config, enc2);
  const result = await linkEncoded(enc2, { mode: config.mode, birthDateFormats: formats });
  const threshold = DEFAULTS.matchThreshold;
  const probOf = new Map<number, number>();
  for (const p of result.pairs) probOf.set(p.a * n + p.b, p.probability);
  const levels: Record<string, Record<string, number>> = {};
  let below = 0;
  let belowInReview = 0;
  let notJoined = 0;
  for (const [a, b] of truePairs) {
    if (!offered.has(a * n + b)) continue;
    const pr = probOf.get(a * n + b) ?? 0;
    if (pr >= threshold) {
      if (result.clusterIds[a] !== result.clusterIds[b]) notJoined++;
      continue;
    }
    below++;
    if (pr >= DEFAULTS.reviewLower) belowInReview++;
    for (const e of result.explain(a, b)) bump((levels[e.field] ??= {}), e.level);
  }
  // False matches: pairs of different people at or above the threshold, by their levels.
  const falseMatches: Record<string, number> = {};
  for (const p of result.pairs)
    if (p.probability >= threshold && person[p.a] !== person[p.b])
      bump(
        falseMatches,
        result
          .explain(p.a, p.b)
          .map((e) => `${e.field}: ${e.level}`)
          .join('; '),
      );
  // Calibration: among scored pairs (at or above review_lower), the share of true pairs per tenth of probability.
  const calibration: Record<string, { pairs: number; true_share: number }> = {};
  for (const p of result.pairs) {
    const k = (Math.min(9, Math.floor(p.probability * 10)) / 10).toFixed(1);
    const o = (calibration[k] ??= { pairs: 0, true_share: 0 });
    o.pairs++;
    if (person[p.a] === person[p.b]) o.true_share++;
  }
  for (const o of Object.values(calibration)) o.true_share = o.true_share / o.pairs;
  let reviewTrue = 0;
  const reviewBuckets: Record<string, { pairs: number; true_pairs: number }> = {};
  for (const p of result.uncertain) {
    const same = person[p.a] === person[p.b];
    if (same) reviewTrue++;
    const given = result.explain(p.a, p.b).find((e) => e.field === 'given_name')?.level ?? 'none';
    const k = `${p.probability >= 0.8999 ? 'held below the threshold' : `p ${(Math.floor(p.probability * 10) / 10).toFixed(1)}`}, given name ${given}`;
    const o = (reviewBuckets[k] ??= { pairs: 0, true_pairs: 0 });
    o.pairs++;
    if (same) o.true_pairs++;
  }
  // Pairwise precision, recall and F1 of the clusters (as evaluate.ts scores clusters.csv).
  const cells = new Map<string, number>();
  const clusterSizes = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = result.clusterIds[i]!;
    cells.set(`${c}\u0000${person[i]}`, (cells.get(`${c}\u0000${person[i]}`) ?? 0) + 1);
    clusterSizes.set(c, (clusterSizes.get(c) ?? 0) + 1);
  }
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let tp = 0;
  for (const v of cells.values()) tp += pairs(v);
  let predicted = 0;
  for (const v of clusterSizes.values()) predicted += pairs(v);
  const precision = predicted ? tp / predicted : 1;
  const recall = truePairs.length ? tp / truePairs.length : 1;
  return {
    records: n,
    true_pairs: truePairs.length,
    candidate_pairs: cand.count,
    candidate_recall: truePairs.length ? found / truePairs.length : 1,
    rules: rules.map((r, k) => ({ rule: r.name, true_pairs_found: perRule[k]!, pairs: cand.report[k]!.pairs })),
    never_offered_levels: neverLevels,
    true_pairs_by_agreeing_fields: byAgreeing,
    never_offered_by_agreeing_fields: neverByAgreeing,
    below_threshold: below,
    below_threshold_in_review: belowInReview,
    below_threshold_levels: levels,
    above_threshold_not_joined: notJoined,
    review_pairs: result.uncertain.length,
    review_pairs_per_1000: (result.uncertain.length / n) * 1000,
    review_pairs_true: reviewTrue,
    review_buckets: reviewBuckets,
    calibration,
    false_matches: Object.fromEntries(Object.entries(falseMatches).sort((x, y) => y[1] - x[1])),
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
  };
}
