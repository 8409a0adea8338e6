// Fellegi-Sunter parameter estimation and scoring: u from random record pairs, m and the share
// of matches by EM over candidate pairs, term-frequency adjustment for exact values.
import type { Dataset } from './encode.js';
import { MISSING, exactValueCode, valueCounts, valueString, type FieldSpec } from './compare.js';
import type { FieldModel, LinkModel } from './types.js';

const M_FLOOR = 1e-3;

/** Deterministic PRNG (mulberry32) so the same input and seed give the same model. */
export function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Number of record pairs the mode compares: all pairs (dedupe) or pairs across sources (link). */
export function totalPairs(ds: Dataset, linkOnly: boolean): number {
  const n = ds.n;
  if (!linkOnly) return (n * (n - 1)) / 2;
  const per = new Map<number, number>();
  for (let i = 0; i < n; i++) per.set(ds.source[i]!, (per.get(ds.source[i]!) ?? 0) + 1);
  let same = 0;
  for (const c of per.values()) same += (c * (c - 1)) / 2;
  return (n * (n - 1)) / 2 - same;
}

/** Record pairs for u estimation: every pair when there are few, else a seeded random sample. */
export function randomPairs(ds: Dataset, linkOnly: boolean, size: number, seed: number): { a: Int32Array; b: Int32Array; count: number } {
  const n = ds.n;
  const total = totalPairs(ds, linkOnly);
  const a = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, Math.min(size, total))));
  const b = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, Math.min(size, total))));
  let count = 0;
  if (total <= size) {
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        if (linkOnly && ds.source[i] === ds.source[j]) continue;
        a[count] = i;
        b[count] = j;
        count++;
      }
    return { a, b, count };
  }
  const rand = rng(seed);
  let tries = 0;
  while (count < size && tries < size * 50) {
    tries++;
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    if (i === j || (linkOnly && ds.source[i] === ds.source[j])) continue;
    a[count] = Math.min(i, j);
    b[count] = Math.max(i, j);
    count++;
  }
  return { a, b, count };
}

function normalise(v: number[], floor: number): number[] {
  const f = v.map((x) => Math.max(x, floor));
  const s = f.reduce((x, y) => x + y, 0);
  return f.map((x) => x / s);
}

/** u per level from the levels of random pairs; exact agreement of coded values uses sum of squared shares. */
export function estimateU(ds: Dataset, specs: readonly FieldSpec[], levels: Uint8Array, count: number): number[][] {
  const F = specs.length;
  return specs.map((spec, f) => {
    const L = spec.levels.length;
    const c = new Array<number>(L).fill(0);
    let seen = 0;
    for (let p = 0; p < count; p++) {
      const l = levels[p * F + f]!;
      if (l === MISSING) continue;
      c[l]!++;
      seen++;
    }
    const floor = 0.5 / Math.max(1, seen);
    let u = c.map((x) => x / Math.max(1, seen));
    const vc = valueCounts(ds, spec);
    if (vc && vc.total > 1 && u[0]! * seen < 100) {
      // Too few random agreements to count: the chance two records share a value is sum(share^2).
      let sq = 0;
      for (let k = 0; k < vc.counts.length; k++) {
        const s = vc.counts[k]! / vc.total;
        sq += s * s;
      }
      const rest = 1 - u[0]!;
      u = u.map((x, l) => (l === 0 ? sq : rest > 0 ? (x * (1 - sq)) / rest : 0));
    }
    return normalise(u, floor);
  });
}

export interface EmResult {
  m: number[][];
  uCandidates: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
  pairs: number;
}

/**
 * EM over the distinct comparison patterns of candidate pairs (two latent classes, conditional
 * independence), estimating m, the u of the candidate pairs and the share of matches.
 */
/** The distinct comparison patterns of (a sample of) candidate pairs: computed once, shared by all EM runs. */
export interface PatternTable {
  F: number;
  pl: Uint8Array; // levels per pattern
  sample: Int32Array; // sampled pair indexes
  patternOf: Int32Array; // pattern per sampled pair
  counts: Float64Array; // pairs per pattern over the whole sample
}

export function patternTable(specs: readonly FieldSpec[], levels: Uint8Array, count: number, maxPairs: number): PatternTable {
  const F = specs.length;
  const bases = specs.map((s) => s.levels.length + 1);
  const ids = new Map<number, number>();
  const keys: number[] = [];
  const stride = Math.max(1, count / Math.max(1, maxPairs));
  const size = Math.min(count, Math.ceil(count / stride));
  const sample = new Int32Array(size);
  const patternOf = new Int32Array(size);
  let n = 0;
  for (let q = 0; q < count && n < size; q += stride) {
    const p = Math.floor(q);
    let key = 0;
    for (let f = F - 1; f >= 0; f--) {
      const l = levels[p * F + f]!;
      key = key * bases[f]! + (l === MISSING ? bases[f]! - 1 : l);
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      ids.set(key, id);
      keys.push(key);
    }
    sample[n] = p;
    patternOf[n] = id;
    n++;
  }
  const P = keys.length;
  const pl = new Uint8Array(P * F);
  keys.forEach((key0, k) => {
    let key = key0;
    for (let f = 0; f < F; f++) {
      const l = key % bases[f]!;
      key = (key - l) / bases[f]!;
      pl[k * F + f] = l === bases[f]! - 1 ? MISSING : l;
    }
  });
  const counts = new Float64Array(P);
  for (let q = 0; q < n; q++) counts[patternOf[q]!]!++;
  return { F, pl, sample: sample.subarray(0, n), patternOf: patternOf.subarray(0, n), counts };
}

export function expectationMaximisation(
  specs: readonly FieldSpec[],
  table: PatternTable,
  uRandom: number[][],
  opts: { select?: (p: number) => boolean; fixedM?: number[][]; fixedU?: boolean; ignore?: readonly boolean[] } = {},
): EmResult {
  const F = specs.length;
  const use = specs.map((_, f) => !opts.ignore?.[f]);
  const pl = table.pl;
  let pc = table.counts;
  if (opts.select) {
    pc = new Float64Array(table.counts.length);
    for (let q = 0; q < table.sample.length; q++) if (opts.select(table.sample[q]!)) pc[table.patternOf[q]!]!++;
  }
  const P = pc.length;
  let total = 0;
  for (let k = 0; k < P; k++) total += pc[k]!;
  let m =
    opts.fixedM?.map((x) => [...x]) ??
    specs.map((s) => {
      const L = s.levels.length;
      return normalise(
        s.levels.map((_, l) => (l === 0 ? 0.7 : l === L - 1 ? 0.05 : 0.25 / Math.max(1, L - 2))),
        1e-6,
      );
    });
  let u = uRandom.map((x) => [...x]);
  let lambda = 0.3;
  let iterations = 0;
  let converged = false;
  for (; iterations < 200 && total > 0; iterations++) {
    const nm = specs.map((s) => new Array<number>(s.levels.length).fill(0));
    const nu = specs.map((s) => new Array<number>(s.levels.length).fill(0));
    let sumR = 0;
    for (let p = 0; p < P; p++) {
      if (pc[p] === 0) continue;
      let lm = lambda;
      let lu = 1 - lambda;
      for (let f = 0; f < F; f++) {
        const l = pl[p * F + f]!;
        if (l === MISSING || !use[f]) continue;
        lm *= m[f]![l]!;
        lu *= u[f]![l]!;
      }
      const r = lm + lu > 0 ? lm / (lm + lu) : 0;
      const c = pc[p]!;
      sumR += c * r;
      for (let f = 0; f < F; f++) {
        const l = pl[p * F + f]!;
        if (l === MISSING || !use[f]) continue;
        nm[f]![l]! += c * r;
        nu[f]![l]! += c * (1 - r);
      }
    }
    const newLambda = Math.min(1 - 1e-9, Math.max(1e-9, sumR / total));
    const newM = opts.fixedM ? m : nm.map((v) => normalise(v, 1e-9));
    const newU = opts.fixedU ? u : nu.map((v) => normalise(v, 1e-9));
    let delta = Math.abs(newLambda - lambda);
    for (let f = 0; f < F; f++)
      for (let l = 0; l < newM[f]!.length; l++) delta = Math.max(delta, Math.abs(newM[f]![l]! - m[f]![l]!), Math.abs(newU[f]![l]! - u[f]![l]!));
    m = newM;
    u = newU;
    lambda = newLambda;
    if (delta < 1e-6) {
      converged = true;
      iterations++;
      break;
    }
  }
  return { m: m.map((v) => normalise(v, M_FLOOR)), uCandidates: u, lambda, iterations, converged, pairs: total };
}

/** Generic m (same person) per level, used only when the data cannot tell. */
export function defaultM(spec: FieldSpec): number[] {
  switch (spec.kind) {
    case 'given':
    case 'middle':
    case 'family':
      return [0.85, 0.05, 0.05, 0.02, 0.01, 0.02];
    case 'date':
      return [0.9, 0.02, 0.04, 0.01, 0.01, 0.02];
    case 'sex':
      return [0.98, 0.02];
    case 'location':
      return [0.5, 0.2, 0.1, 0.05, 0.05, 0.1];
    case 'extra':
      return [0.8, 0.1, 0.05, 0.05];
    default:
      return [0.9, 0.05, 0.05];
  }
}

export interface EmSession {
  /** Fields the session's blocking rule uses: their m is not learned from this session. */
  fields: readonly string[];
  select: (p: number) => boolean;
}

/**
 * m estimated as Splink does: one EM session per blocking rule, on the pairs that rule finds,
 * each learning m only for the fields the rule does not use (they are not forced to agree),
 * averaged over sessions. Then the share of matches among candidates is estimated with m fixed.
 */
export function estimateBySessions(
  specs: readonly FieldSpec[],
  levels: Uint8Array,
  count: number,
  uRandom: number[][],
  maxPairs: number,
  sessions: readonly EmSession[],
): EmResult & { sessions: number } {
  const table = patternTable(specs, levels, count, maxPairs);
  const F = specs.length;
  const global = expectationMaximisation(specs, table, uRandom);
  const sums = specs.map((s) => new Array<number>(s.levels.length).fill(0));
  const used = new Array<number>(F).fill(0);
  let ran = 0;
  for (const session of sessions) {
    const ignore = specs.map((spec) => session.fields.includes(spec.name));
    // Fields with a value in at least 5% of the session's pairs.
    const present = new Float64Array(F);
    let pairs = 0;
    for (let q = 0; q < table.sample.length; q++) {
      if (!session.select(table.sample[q]!)) continue;
      pairs++;
      const k = table.patternOf[q]!;
      for (let f = 0; f < F; f++) if (table.pl[k * F + f] !== MISSING) present[f]!++;
    }
    const free = specs.filter((_, f) => !ignore[f] && present[f]! >= 0.05 * pairs).length;
    // Two latent classes are identifiable from three or more fields; with two, only when u stays
    // at its random-pair value (as Splink does throughout); with one, not at all.
    if (pairs < 200 || free < 2) continue;
    const em = expectationMaximisation(specs, table, uRandom, { select: session.select, ignore, fixedU: free < 3 });
    if (em.lambda < 1e-6) continue;
    ran++;
    specs.forEach((_, f) => {
      if (ignore[f] || present[f]! < 0.05 * pairs) return;
      em.m[f]!.forEach((v, l) => (sums[f]![l]! += v));
      used[f]!++;
    });
  }
  // A field no session could learn (every rule that leaves it free has too few other fields)
  // keeps a generic prior for matches rather than an unidentifiable estimate.
  const m = specs.map((spec, f) =>
    used[f]! > 0
      ? normalise(
          sums[f]!.map((v) => v / used[f]!),
          M_FLOOR,
        )
      : normalise(defaultM(spec), M_FLOOR),
  );
  const fixed = expectationMaximisation(specs, table, uRandom, { fixedM: m });
  // With m fixed, a free u can absorb every pair (no matches at all): on data too small for
  // that to be ruled out, the one-session EM is the better estimate.
  if (fixed.lambda < 1e-4 && global.lambda >= 1e-4) return { ...global, sessions: ran };
  return { ...fixed, m, iterations: global.iterations + fixed.iterations, converged: global.converged && fixed.converged, sessions: ran };
}

/** Term-frequency tables (value -> share) for the fields that use them. */
export function termFrequencies(ds: Dataset, specs: readonly FieldSpec[]): LinkModel['termFrequencies'] {
  const out: LinkModel['termFrequencies'] = {};
  for (const spec of specs) {
    if (!spec.termFrequency) continue;
    const vc = valueCounts(ds, spec);
    if (!vc || vc.total === 0) continue;
    const values: Record<string, number> = {};
    for (let code = 0; code < vc.counts.length; code++) if (vc.counts[code]! >= 2) values[valueString(ds, spec, code)] = vc.counts[code]! / vc.total;
    out[spec.name] = { default: 1 / vc.total, values };
  }
  return out;
}

export function buildModel(
  mode: LinkModel['mode'],
  specs: readonly FieldSpec[],
  u: number[][],
  em: EmResult,
  candidates: number,
  total: number,
  tf: LinkModel['termFrequencies'],
): LinkModel {
  const fields: FieldModel[] = specs.map((s, f) => {
    // A level seen neither among matches nor among random pairs has no evidence either way:
    // make it neutral rather than let two floors decide its weight.
    const m = em.m[f]!;
    const uf = u[f]!.map((x, l) => (m[l]! <= M_FLOOR * 1.5 && x < M_FLOOR ? m[l]! : x));
    return { name: s.name, levels: s.levels, m, u: uf, termFrequency: s.termFrequency && tf[s.name] !== undefined };
  });
  const prior = Math.min(0.5, Math.max(1e-12, (em.lambda * candidates) / Math.max(1, total)));
  return { version: 1, mode, fields, prior, em: { iterations: em.iterations, converged: em.converged, candidateMatchShare: em.lambda }, termFrequencies: tf };
}

/** Fast scoring tables for one dataset: weight per field and level, and per value for exact matches. */
export interface Scorer {
  priorWeight: number;
  weights: Float64Array[]; // [field][level]
  exactByValue: (Float64Array | undefined)[]; // [field][value code] weight of an exact match on that value
  specs: readonly FieldSpec[];
}

export function makeScorer(ds: Dataset, specs: readonly FieldSpec[], model: LinkModel): Scorer {
  const weights = model.fields.map((fm) => Float64Array.from(fm.m.map((m, l) => Math.log2(m / fm.u[l]!))));
  const exactByValue = specs.map((spec, f) => {
    const fm = model.fields[f]!;
    const tf = model.termFrequencies[fm.name];
    if (!fm.termFrequency || !tf) return undefined;
    const strings = spec.kind === 'extra' ? ds.extras[spec.index]!.column.strings : ds.names;
    const w = new Float64Array(strings.length);
    // A very common value still counts as agreement, never against.
    for (let code = 0; code < strings.length; code++) {
      const share = tf.values[strings[code]!] ?? tf.default;
      w[code] = Math.max(0, Math.log2(fm.m[0]! / share));
    }
    return w;
  });
  return { priorWeight: Math.log2(model.prior / (1 - model.prior)), weights, exactByValue, specs };
}

/** The weight of one field for pair (i, j) at a level (0 for missing). */
export function fieldWeight(sc: Scorer, ds: Dataset, f: number, level: number, i: number): number {
  if (level === MISSING) return 0;
  if (level === 0) {
    const byValue = sc.exactByValue[f];
    if (byValue) {
      const code = exactValueCode(ds, sc.specs[f]!, i);
      if (code >= 0) return byValue[code]!;
    }
  }
  return sc.weights[f]![level]!;
}

export function probabilityFromWeight(w: number): number {
  return 1 / (1 + Math.pow(2, -w));
}
