// The record linker's entry points: batch linking, incremental linking, and explanations.
import { blockingRules, candidatePairs } from './blocking.js';
import { clusterPairs, UnionFind, type ClusterConstraints } from './cluster.js';
import { exactCodes, fieldSpecs, makeComparator, MISSING, type FieldSpec } from './compare.js';
import { Encoder, type Dataset } from './encode.js';
import { LevelPool } from './levels.js';
import {
  buildModel,
  estimateBySessions,
  estimateU,
  fieldWeight,
  makeScorer,
  probabilityFromWeight,
  randomPairs,
  termFrequencies,
  totalPairs,
} from './model.js';
import type { FieldExplanation, LinkModel, LinkRecord, LinkResult, LinkSettings, ScoredPair } from './types.js';
import { FIXED_ROLES } from './types.js';

/** An identifier is enforced in clustering when at most this share of matches disagree on it. */
export const RELIABLE_IDENTIFIER = 0.01;

export const DEFAULTS = {
  matchThreshold: 0.9,
  reviewLower: 0.5,
  maxBlockSize: 1000,
  uSampleSize: 1_000_000,
  emSampleSize: 2_000_000,
  seed: 1,
} as const;

type Resolved = Required<Omit<LinkSettings, 'decisions' | 'birthDateFormats' | 'workers'>> &
  Pick<LinkSettings, 'decisions' | 'birthDateFormats'> & { workers: number; workersExplicit: boolean };

export function resolveSettings(s: LinkSettings, n: number): Resolved {
  const r: Resolved = {
    mode: s.mode,
    matchThreshold: s.matchThreshold ?? DEFAULTS.matchThreshold,
    reviewLower: s.reviewLower ?? Math.min(DEFAULTS.reviewLower, s.matchThreshold ?? DEFAULTS.matchThreshold),
    maxBlockSize: s.maxBlockSize ?? DEFAULTS.maxBlockSize,
    uSampleSize: s.uSampleSize ?? DEFAULTS.uSampleSize,
    emSampleSize: s.emSampleSize ?? DEFAULTS.emSampleSize,
    seed: s.seed ?? DEFAULTS.seed,
    workers: s.workers ?? (n >= 20_000 ? 2 : 0),
    workersExplicit: s.workers !== undefined && s.workers > 0,
    oneRecordPerSource: s.oneRecordPerSource ?? true,
    requirePersonalAgreement: s.requirePersonalAgreement ?? true,
    decisions: s.decisions,
    birthDateFormats: s.birthDateFormats,
  };
  if (!(r.matchThreshold > 0 && r.matchThreshold <= 1)) throw new RangeError('the match threshold must be above 0 and at most 1');
  if (!(r.reviewLower >= 0 && r.reviewLower <= r.matchThreshold)) throw new RangeError('the lower review threshold must be from 0 up to the match threshold');
  if (!(r.maxBlockSize >= 2)) throw new RangeError('the largest block size must be at least 2');
  return r;
}

/** The roles a model compares (location stands for postcode, address and town). */
export function rolesOfModel(model: LinkModel): string[] {
  return model.fields.flatMap((f) => (f.name === 'location' ? ['postcode', 'address', 'town'] : [f.name]));
}

/** Roles present in any record (with a non-empty value somewhere). */
function rolesOf(records: readonly LinkRecord[]): string[] {
  const roles = new Set<string>();
  for (const r of records)
    for (const [k, v] of Object.entries(r.values)) if (v != null && (typeof v === 'string' ? v.trim() !== '' : v.some((x) => x.trim() !== ''))) roles.add(k);
  return [...roles].filter((r) => (FIXED_ROLES as readonly string[]).includes(r) || r.startsWith('identifier:') || r.startsWith('extra:'));
}

export function encodeRecords(
  records: readonly LinkRecord[],
  roles: readonly string[],
  dateFormats?: Record<string, string>,
): { ds: Dataset; encoder: Encoder } {
  const encoder = new Encoder(roles, dateFormats);
  for (const r of records) encoder.add(r.source, r.id, (role) => r.values[role]);
  return { ds: encoder.finish(), encoder };
}

interface Internal {
  model?: LinkModel;
  firstNew?: number;
  /** Union-find already holding existing clusters, and which records are existing. */
  uf?: UnionFind;
  locked?: Uint8Array;
}

interface Core {
  specs: FieldSpec[];
  model: LinkModel;
  a: Int32Array;
  b: Int32Array;
  prob: Float32Array;
  weight: Float32Array;
  count: number;
  uf: UnionFind;
  decided: Set<number>;
  refused: number;
  /** Pairs scored as matches but held for review, or not joined, for want of personal agreement. */
  held: number;
  dropped: number;
  blocking: LinkResult['stats']['blocking'];
  phases: Record<string, number>;
}

function indexOfRefs(ds: Dataset, ids: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < ds.n; i++) m.set(`${ds.sources[ds.source[i]!]}\u0000${ids[i]}`, i);
  return m;
}

async function linkCore(ds: Dataset, ids: readonly string[], s: Resolved, internal: Internal): Promise<Core> {
  const phases: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - t);
    t = now;
  };
  const linkOnly = s.mode === 'link';
  const specs = fieldSpecs(ds.roles, ds);
  const rules = blockingRules(ds);
  // Without a model, estimation needs the candidate pairs of all records, not only the new ones.
  const estimating = !internal.model;
  const cand = candidatePairs(ds, rules, { maxBlockSize: s.maxBlockSize, linkOnly, firstNew: estimating ? 0 : internal.firstNew });
  lap('blocking');
  // Workers asked for explicitly are used even for small jobs (tests check they agree).
  const pool = new LevelPool(ds, specs, ds.n < 2 ? 0 : s.workers, s.workersExplicit ? 1 : 50_000);
  try {
    let levels = await pool.levels(cand.a, cand.b, cand.count);
    lap('compare');
    let model = internal.model;
    if (!model) {
      const rp = randomPairs(ds, linkOnly, s.uSampleSize, s.seed);
      const uLevels = await pool.levels(rp.a, rp.b, rp.count);
      const u = estimateU(ds, specs, uLevels, rp.count);
      const sessions = rules.map((rule, r) => {
        const k = cand.keys[r]!;
        return { fields: rule.fields, select: (p: number) => k[cand.a[p]!]! >= 0 && k[cand.a[p]!] === k[cand.b[p]!] };
      });
      const em = estimateBySessions(specs, levels, cand.count, u, s.emSampleSize, sessions);
      model = buildModel(s.mode, specs, u, em, cand.count, totalPairs(ds, linkOnly), termFrequencies(ds, specs));
      lap('estimate');
    }
    const firstNew = internal.firstNew ?? 0;
    if (estimating && firstNew > 0) {
      // Incremental: keep only pairs with a new record (b > a, so b is the newer one).
      const F = specs.length;
      let w = 0;
      for (let p = 0; p < cand.count; p++) {
        if (cand.b[p]! < firstNew) continue;
        cand.a[w] = cand.a[p]!;
        cand.b[w] = cand.b[p]!;
        levels.copyWithin(w * F, p * F, (p + 1) * F);
        w++;
      }
      cand.count = w;
      levels = levels.subarray(0, w * F);
    }
    const scorer = makeScorer(ds, specs, model);
    const F = specs.length;
    const prob = new Float32Array(cand.count);
    const weight = new Float32Array(cand.count);
    const given = specs.findIndex((x) => x.kind === 'given');
    const date = specs.findIndex((x) => x.kind === 'date');
    const idFields = specs.flatMap((x, f) => (x.kind === 'identifier' ? [f] : []));
    const capPersonal = s.requirePersonalAgreement && given >= 0;
    const below = Math.max(0, s.matchThreshold - 1e-6);
    const belowReview = Math.max(0, s.reviewLower - 1e-6);
    // Pair by pair, fields summed in a double (no per-pair array of doubles: at a million
    // records that is hundreds of megabytes).
    const tables = scorer.weights;
    const byValues = scorer.exactByValue;
    const codesOf = specs.map((x, f) => (byValues[f] ? exactCodes(ds, x) : undefined));
    let held = 0;
    let dropped = 0;
    for (let p = 0; p < cand.count; p++) {
      let w = scorer.priorWeight;
      const ia = cand.a[p]!;
      for (let f = 0; f < F; f++) {
        const l = levels[p * F + f]!;
        if (l === MISSING) continue;
        const codes = codesOf[f];
        w += l === 0 && codes && codes[ia]! >= 0 ? byValues[f]![codes[ia]!]! : tables[f]![l]!;
      }
      weight[p] = w;
      let pr = probabilityFromWeight(w);
      // Siblings share family name and address, which the score overcounts: without personal
      // agreement a pair is not joined, and not even asked about when it looks like siblings.
      if (capPersonal && pr >= s.reviewLower && !idFields.some((f) => levels[p * F + f] === 0)) {
        const cap = personalCap(levels[p * F + given]!, date >= 0 ? levels[p * F + date]! : MISSING);
        if (cap === 'review' && pr >= s.matchThreshold) {
          pr = below;
          held++;
        } else if (cap === 'drop') {
          pr = belowReview;
          dropped++;
        }
      }
      prob[p] = pr;
    }
    lap('score');
    // Decisions override scores.
    const refs = s.decisions?.length ? indexOfRefs(ds, ids) : new Map<string, number>();
    const constraints: ClusterConstraints = { mustLink: [], cannotLink: [] };
    const decided = new Set<number>();
    const pairIndex = new Map<number, number>();
    if (s.decisions?.length) for (let p = 0; p < cand.count; p++) pairIndex.set(cand.a[p]! * ds.n + cand.b[p]!, p);
    for (const d of s.decisions ?? []) {
      const x = refs.get(`${d.a.source}\u0000${d.a.id}`);
      const y = refs.get(`${d.b.source}\u0000${d.b.id}`);
      if (x === undefined || y === undefined || x === y) continue;
      const key = Math.min(x, y) * ds.n + Math.max(x, y);
      decided.add(key);
      (d.decision === 'same' ? constraints.mustLink : constraints.cannotLink).push([x, y]);
      const p = pairIndex.get(key);
      if (p !== undefined) prob[p] = d.decision === 'same' ? 1 : 0;
    }
    // Identifiers that the model finds reliable (matches almost never disagree on them) may not
    // differ inside one person; noisy identifiers only weigh in the score.
    const idSpecs = specs.filter((x, f) => x.kind === 'identifier' && model.fields[f]!.m[x.levels.length - 1]! <= RELIABLE_IDENTIFIER);
    if (idSpecs.length) {
      const cmps = idSpecs.map((x) => makeComparator(ds, x));
      const cols = idSpecs.map((x) => ds.identifiers[x.index]!.column.codes);
      constraints.conflictCarrier = (x) => cols.some((c) => c[x]! >= 0);
      // Identifiers more than one keying error apart cannot belong to one person.
      constraints.conflict = (x, y) => cmps.some((c) => c(x, y) === 2);
    }
    if (linkOnly && s.oneRecordPerSource) constraints.sourceOf = ds.source;
    if (internal.locked) constraints.locked = internal.locked;
    const { uf, refused } = clusterPairs(ds.n, cand.a, cand.b, prob, cand.count, s.matchThreshold, constraints, internal.uf);
    lap('cluster');
    return { specs, model, a: cand.a, b: cand.b, prob, weight, count: cand.count, uf, decided, refused, held, dropped, blocking: cand.report, phases };
  } finally {
    await pool.close();
  }
}

/**
 * Whether a pair scored as a match, with no exact identifier in common, may be joined on its
 * score. Family name and address are shared by siblings, so the score overcounts them; a pair is
 * joined only with some personal agreement (given name, or birth date when the given name is
 * missing). Given names completely different: twins when the birth date agrees (review),
 * siblings otherwise (not a match). Given name missing: review without a birth date either,
 * not a match when the birth dates are a year or more apart.
 */
export function personalCap(givenLevel: number, dateLevel: number): 'join' | 'review' | 'drop' {
  const GIVEN_DIFFERENT = 5;
  const dateAgrees = dateLevel !== MISSING && dateLevel <= 3;
  const dateDisagrees = dateLevel !== MISSING && dateLevel >= 4;
  if (givenLevel === GIVEN_DIFFERENT) return dateAgrees ? 'review' : 'drop';
  if (givenLevel === MISSING) return dateLevel === MISSING ? 'review' : dateDisagrees ? 'drop' : 'join';
  return 'join';
}

/**
 * The review queue: uncertain pairs a decision would change, one question per pair of clusters
 * (its most likely pair), ordered by how many record pairs a "same" decision would join, weighed
 * by how uncertain it is (p(1 - p)), most first. Pairs already inside one cluster are not asked:
 * stronger links joined them.
 */
export function reviewQueue(uncertain: readonly ScoredPair[], clusterOf: (i: number) => number, sizeOf: (root: number) => number): ScoredPair[] {
  const best = new Map<string, ScoredPair>();
  for (const p of uncertain) {
    const ra = clusterOf(p.a);
    const rb = clusterOf(p.b);
    if (ra === rb) continue;
    const k = ra < rb ? `${ra}:${rb}` : `${rb}:${ra}`;
    const prev = best.get(k);
    if (!prev || p.probability > prev.probability) best.set(k, p);
  }
  const impact = (p: ScoredPair) => sizeOf(clusterOf(p.a)) * sizeOf(clusterOf(p.b)) * p.probability * (1 - p.probability);
  return [...best.values()].sort((x, y) => impact(y) - impact(x) || y.probability - x.probability || x.a - y.a || x.b - y.b);
}

function collectPairs(core: Core, s: Resolved, n: number): { pairs: ScoredPair[]; uncertain: ScoredPair[] } {
  const pairs: ScoredPair[] = [];
  const uncertain: ScoredPair[] = [];
  for (let p = 0; p < core.count; p++) {
    const pr = core.prob[p]!;
    const key = core.a[p]! * n + core.b[p]!;
    if (pr < s.reviewLower && !core.decided.has(key)) continue;
    const sp: ScoredPair = { a: core.a[p]!, b: core.b[p]!, probability: pr, matchWeight: core.weight[p]! };
    pairs.push(sp);
    if (pr < s.matchThreshold && !core.decided.has(key)) uncertain.push(sp);
  }
  const uf = core.uf;
  return {
    pairs,
    uncertain: reviewQueue(
      uncertain,
      (i) => uf.find(i),
      (r) => uf.size[r]!,
    ),
  };
}

function explainer(ds: Dataset, specs: FieldSpec[], model: LinkModel): (a: number, b: number) => FieldExplanation[] {
  const scorer = makeScorer(ds, specs, model);
  const cmps = specs.map((x) => makeComparator(ds, x));
  return (a, b) =>
    specs.map((spec, f) => {
      const level = cmps[f]!(a, b);
      return {
        field: spec.name,
        level: level === MISSING ? 'missing' : spec.levels[level]!,
        levelIndex: level === MISSING ? -1 : level,
        weight: fieldWeight(scorer, ds, f, level, a),
      };
    });
}

/** A run's answer besides its clusters, alike for a batch and an incremental run. */
function outcome(
  ds: Dataset,
  core: Core,
  found: { pairs: ScoredPair[]; uncertain: ScoredPair[] },
  clusters: number,
  started: number,
  phases: Record<string, number>,
): Omit<LinkResult, 'clusterIds'> {
  return {
    pairs: found.pairs,
    uncertain: found.uncertain,
    model: core.model,
    stats: {
      records: ds.n,
      comparisons: core.count,
      candidate_pairs: core.count,
      pairs_above_review: found.pairs.length,
      clusters,
      blocking: core.blocking,
      held_for_review: core.held,
      not_joined_without_personal_agreement: core.dropped,
      wall_ms: Math.round(performance.now() - started),
      phases_ms: phases,
    },
    explain: explainer(ds, core.specs, core.model),
  };
}

/** Links a batch of records: estimates the model from them, scores candidate pairs and clusters them. */
export async function linkRecords(records: readonly LinkRecord[], settings: LinkSettings): Promise<LinkResult> {
  const encoder = new Encoder(rolesOf(records), settings.birthDateFormats);
  for (const r of records) encoder.add(r.source, r.id, (role) => r.values[role]);
  return linkEncoded(encoder, settings);
}

/** As linkRecords, for records already streamed into an Encoder (used by the command). */
export async function linkEncoded(encoder: Encoder, settings: LinkSettings): Promise<LinkResult> {
  const started = performance.now();
  const t0 = performance.now();
  const ds = encoder.finish();
  const encodeMs = Math.round(performance.now() - t0);
  const s = resolveSettings(settings, ds.n);
  const core = await linkCore(ds, encoder.ids, s, {});
  const t1 = performance.now();
  const clusterIds = new Array<string>(ds.n);
  const idOfRoot = new Map<number, string>();
  for (let i = 0; i < ds.n; i++) {
    const r = core.uf.find(i);
    let id = idOfRoot.get(r);
    if (id === undefined) {
      id = String(idOfRoot.size + 1);
      idOfRoot.set(r, id);
    }
    clusterIds[i] = id;
  }
  const found = collectPairs(core, s, ds.n);
  core.phases.collect = Math.round(performance.now() - t1);
  return { clusterIds, ...outcome(ds, core, found, idOfRoot.size, started, { encode: encodeMs, ...core.phases }) };
}

export interface IncrementalInput {
  /** Records already clustered, with their cluster ids (kept stable). */
  existing: readonly LinkRecord[];
  existingClusterIds: readonly string[];
  /** New records to link against them (and each other). */
  added: readonly LinkRecord[];
  /** A model trained earlier; when absent one is estimated from existing and added records. */
  model?: LinkModel;
  /** Names new clusters; the default continues numbering after the largest numeric id. */
  newClusterId?: (k: number) => string;
}

export interface IncrementalResult extends LinkResult {
  /** Cluster id per added record, same order as `added`. */
  addedClusterIds: string[];
  /** Existing clusters joined because a person decided two of their records are the same. */
  mergedClusters: { from: string; into: string }[];
}

/**
 * Links new records against existing clustered records without re-clustering them: existing
 * clusters keep their ids and are never merged by scores (only by a "same" decision); a new
 * record joins an existing cluster or starts a new one.
 */
export async function linkIncremental(input: IncrementalInput, settings: LinkSettings): Promise<IncrementalResult> {
  const started = performance.now();
  if (input.existing.length !== input.existingClusterIds.length) throw new RangeError('existingClusterIds must have one id per existing record');
  const all = [...input.existing, ...input.added];
  const roles = input.model ? rolesOfModel(input.model) : rolesOf(all);
  const { ds, encoder } = encodeRecords(all, roles, settings.birthDateFormats);
  const s = resolveSettings(settings, ds.n);
  const nOld = input.existing.length;
  const uf = new UnionFind(ds.n);
  const locked = new Uint8Array(ds.n);
  const first = new Map<string, number>();
  for (let i = 0; i < nOld; i++) {
    const c = input.existingClusterIds[i]!;
    const f = first.get(c);
    if (f === undefined) first.set(c, i);
    else uf.union(uf.find(f), uf.find(i));
    locked[i] = 1;
  }
  const core = await linkCore(ds, encoder.ids, s, { model: input.model, firstNew: nOld, uf, locked });
  // Name clusters: an existing id where the cluster holds existing records (the most common one
  // if a decision merged several), else a new id.
  const taken = new Set(input.existingClusterIds);
  let maxNumeric = 0;
  for (const id of taken) if (/^[0-9]+$/.test(id)) maxNumeric = Math.max(maxNumeric, Number(id));
  let k = 0;
  const nextId = () => {
    for (;;) {
      k++;
      const id = input.newClusterId ? input.newClusterId(k) : String(maxNumeric + k);
      if (!taken.has(id)) {
        taken.add(id);
        return id;
      }
    }
  };
  const votes = new Map<number, Map<string, number>>();
  for (let i = 0; i < nOld; i++) {
    const r = core.uf.find(i);
    const v = votes.get(r) ?? new Map<string, number>();
    v.set(input.existingClusterIds[i]!, (v.get(input.existingClusterIds[i]!) ?? 0) + 1);
    votes.set(r, v);
  }
  const idOfRoot = new Map<number, string>();
  const mergedClusters: { from: string; into: string }[] = [];
  for (const [r, v] of votes) {
    const ranked = [...v].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    idOfRoot.set(r, ranked[0]![0]);
    for (const [from] of ranked.slice(1)) mergedClusters.push({ from, into: ranked[0]![0] });
  }
  const clusterIds = new Array<string>(ds.n);
  for (let i = 0; i < ds.n; i++) {
    const r = core.uf.find(i);
    let id = idOfRoot.get(r);
    if (id === undefined) {
      id = nextId();
      idOfRoot.set(r, id);
    }
    clusterIds[i] = id;
  }
  const { pairs, uncertain } = collectPairs(core, s, ds.n);
  // Pairs between two existing people that scored as matches are left for a person to decide.
  const listed = new Set(uncertain);
  for (const p of pairs) if (p.probability >= s.matchThreshold && clusterIds[p.a] !== clusterIds[p.b] && !listed.has(p)) uncertain.push(p);
  return {
    clusterIds,
    addedClusterIds: clusterIds.slice(nOld),
    mergedClusters,
    ...outcome(ds, core, { pairs, uncertain }, new Set(clusterIds).size, started, core.phases),
  };
}

/** Explains one pair of records under a trained model: the level and match weight of each field. */
export function explainPair(
  model: LinkModel,
  a: LinkRecord,
  b: LinkRecord,
  birthDateFormats?: Record<string, string>,
): { fields: FieldExplanation[]; matchWeight: number; probability: number } {
  const { ds } = encodeRecords([a, b], rolesOfModel(model), birthDateFormats);
  const specs = fieldSpecs(ds.roles, ds);
  const fields = explainer(ds, specs, model)(0, 1);
  const matchWeight = Math.log2(model.prior / (1 - model.prior)) + fields.reduce((x, f) => x + f.weight, 0);
  return { fields, matchWeight, probability: probabilityFromWeight(matchWeight) };
}
