// Classifies an extract's rows against the register: each valid row of a record the register
// already knows is an update (or no change); each new one is linked incrementally by the linker
// (src/linker, a pure library) against every child on the register and the source records it is
// known by, so existing children keep their ids. New rows joining an existing child are links;
// the rest become new records, and the pairs the linker is unsure about go to clerical review.
import type { Db } from '../../../platform/db/database.js';
import { linkIncremental } from '../../../linker/index.js';
import type { FieldExplanation, LinkRecord, PairDecision, RecordRef } from '../../../linker/index.js';
import { changedFields, describeProblems, type CheckedRow } from './rules.js';
import { CHILD_COLUMNS, FIELDS, FIELD_KEYS, type Outcome, type RowValues } from './fields.js';

/** The source name the register's own records carry in the linker (a child's current values). */
export const REGISTER_SOURCE = 'register';

export interface Thresholds {
  matchThreshold: number;
  reviewLower: number;
}
export const DEFAULT_THRESHOLDS: Thresholds = { matchThreshold: 0.9, reviewLower: 0.5 };

/** A child on the register, or a new record to be made for a group of rows (`new:1` …). */
export type Target = { child: string } | { group: string };

export interface Verdict {
  row: number;
  recordId: string;
  outcome: Outcome;
  target: Target | null;
  probability: number | null;
  reason: string;
  problems: CheckedRow['problems'];
  values: RowValues;
}

export interface ReviewProposal {
  a: Target;
  b: Target;
  refA: RecordRef;
  refB: RecordRef;
  probability: number;
  explanation: FieldExplanation[];
}

export interface Classification {
  verdicts: Verdict[];
  reviews: ReviewProposal[];
  /** How many new rows joined a child already on the register. */
  linked: number;
}

/** Register field values as the linker's roles. */
export function linkValues(v: RowValues): LinkRecord['values'] {
  const out: Record<string, string | string[]> = {};
  for (const f of FIELD_KEYS) {
    const value = v[f];
    if (!value) continue;
    const role = FIELDS[f].role;
    if (role === 'address') out.address = [...((out.address as string[] | undefined) ?? []), value];
    else out[role] = value;
  }
  return out;
}

/** A children row as register field values. */
export function childValues(c: {
  given_name: string;
  family_name: string;
  other_names: string | null;
  date_of_birth: string;
  sex: string;
  address_line1: string | null;
  address_line2: string | null;
  town: string | null;
  postcode: string | null;
  nhs_number: string | null;
  upn: string | null;
  council_id: string | null;
}): RowValues {
  const v: RowValues = {
    given_name: c.given_name,
    middle_name: c.other_names ?? undefined,
    family_name: c.family_name,
    birth_date: c.date_of_birth,
    sex: c.sex === 'U' ? undefined : c.sex,
    address_line1: c.address_line1 ?? undefined,
    address_line2: c.address_line2 ?? undefined,
    town: c.town ?? undefined,
    postcode: c.postcode ?? undefined,
    nhs_number: c.nhs_number ?? undefined,
    upn: c.upn ?? undefined,
    council_id: c.council_id ?? undefined,
  };
  for (const k of FIELD_KEYS) if (v[k] === undefined) delete v[k];
  return v;
}

const refKey = (r: RecordRef) => `${r.source}\u0000${r.id}`;
export const pairKey = (a: RecordRef, b: RecordRef) => [refKey(a), refKey(b)].sort().join('\u0001');

/** The people's decisions, for the linker (must-link, cannot-link) and to skip pairs already decided. */
export async function loadDecisions(db: Db): Promise<PairDecision[]> {
  const rows = await db.selectFrom('link_decisions').select(['source_a', 'record_a', 'source_b', 'record_b', 'decision']).execute();
  return rows.map((r) => ({ a: { source: r.source_a, id: r.record_a }, b: { source: r.source_b, id: r.record_b }, decision: r.decision }));
}

/** Every child on the register and every source record, as linker records clustered by child id. */
async function registerRecords(db: Db): Promise<{ records: LinkRecord[]; clusterIds: string[] }> {
  const children = await db
    .selectFrom('children')
    .select(['id', ...CHILD_COLUMNS])
    // A stable order (not the random ids alone): the linker's samples, and so its model, follow the input order.
    .orderBy('date_of_birth')
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('id')
    .execute();
  const sources = await db
    .selectFrom('source_records')
    .select(['source_id', 'record_id', 'child_id', 'field_values'])
    .orderBy('record_id')
    .orderBy('source_id')
    .execute();
  const records: LinkRecord[] = [];
  const clusterIds: string[] = [];
  for (const c of children) {
    records.push({ source: REGISTER_SOURCE, id: c.id, values: linkValues(childValues(c)) });
    clusterIds.push(c.id);
  }
  for (const s of sources) {
    records.push({ source: s.source_id, id: s.record_id, values: linkValues(JSON.parse(s.field_values) as RowValues) });
    clusterIds.push(s.child_id);
  }
  return { records, clusterIds };
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/**
 * The verdict on every row. `rows` are checked rows of one extract from `sourceId`. Reads the
 * register (in the caller's transaction when applying, so what is applied is what was decided).
 */
export async function classify(db: Db, sourceId: string, rows: readonly CheckedRow[], thresholds: Thresholds = DEFAULT_THRESHOLDS): Promise<Classification> {
  const known = new Map(
    (await db.selectFrom('source_records').select(['record_id', 'child_id', 'field_values']).where('source_id', '=', sourceId).execute()).map((r) => [
      r.record_id,
      { childId: r.child_id, values: JSON.parse(r.field_values) as RowValues },
    ]),
  );
  const verdicts: Verdict[] = [];
  const incoming: { row: CheckedRow; index: number }[] = [];
  for (const r of rows) {
    const base = { row: r.row, recordId: r.recordId, problems: r.problems, values: r.values, probability: null };
    if (r.problems.length) {
      verdicts.push({ ...base, outcome: 'invalid', target: null, reason: describeProblems(r.problems) });
      continue;
    }
    const k = known.get(r.recordId);
    if (k) {
      const changed = changedFields(k.values, r.values);
      verdicts.push(
        changed.length
          ? {
              ...base,
              outcome: 'update',
              target: { child: k.childId },
              reason: `This agency’s record is already on the register; changed: ${changed.map((f) => FIELDS[f].label.toLowerCase()).join(', ')}`,
            }
          : { ...base, outcome: 'unchanged', target: { child: k.childId }, reason: 'This agency’s record is already on the register with the same values' },
      );
      continue;
    }
    incoming.push({ row: r, index: verdicts.length });
    verdicts.push({ ...base, outcome: 'create', target: null, reason: '' });
  }
  if (!incoming.length) return { verdicts, reviews: [], linked: 0 };

  const existing = await registerRecords(db);
  const decisions = await loadDecisions(db);
  const added: LinkRecord[] = incoming.map(({ row }) => ({ source: sourceId, id: row.recordId, values: linkValues(row.values) }));
  const childIds = new Set(existing.clusterIds);
  const result = await linkIncremental(
    { existing: existing.records, existingClusterIds: existing.clusterIds, added, newClusterId: (k) => `new:${k}` },
    { mode: 'dedupe', matchThreshold: thresholds.matchThreshold, reviewLower: thresholds.reviewLower, decisions },
  );
  const nOld = existing.records.length;
  const all = [...existing.records, ...added];
  const targetOf = (cluster: string): Target => (childIds.has(cluster) ? { child: cluster } : { group: cluster });
  const targetKey = (t: Target) => ('child' in t ? t.child : t.group);

  // The best pair of each added record with a record outside its own cluster, and its best pair inside.
  const best = new Map<number, { other: number; p: number }>();
  const bestInside = new Map<number, number>();
  for (const p of result.pairs) {
    for (const [me, other] of [
      [p.a, p.b],
      [p.b, p.a],
    ] as const) {
      if (me < nOld) continue;
      if (result.clusterIds[me] === result.clusterIds[other]) bestInside.set(me, Math.max(bestInside.get(me) ?? 0, p.probability));
      else if (!best.has(me) || best.get(me)!.p < p.probability) best.set(me, { other, p: p.probability });
    }
  }
  const decided = new Set(decisions.map((d) => pairKey(d.a, d.b)));
  const reviews = new Map<string, ReviewProposal>();
  let linked = 0;
  incoming.forEach(({ index }, i) => {
    const me = nOld + i;
    const cluster = result.clusterIds[me]!;
    const v = verdicts[index]!;
    v.target = targetOf(cluster);
    if ('child' in v.target) {
      linked++;
      v.outcome = 'link';
      v.probability = bestInside.get(me) ?? null;
      v.reason = `Matches a record on the register${v.probability !== null ? ` (match probability ${percent(v.probability)})` : ' (a person decided they are the same)'}`;
    } else {
      v.outcome = 'create';
      v.reason = bestInside.has(me) ? 'Not on the register; the same person as another row of this file' : 'Not on the register';
    }
    const b = best.get(me);
    if (!b || b.p >= thresholds.matchThreshold || b.p < thresholds.reviewLower) return;
    const other = targetOf(result.clusterIds[b.other]!);
    if (targetKey(other) === targetKey(v.target)) return;
    const refA = { source: all[me]!.source, id: all[me]!.id };
    const refB = { source: all[b.other]!.source, id: all[b.other]!.id };
    if (decided.has(pairKey(refA, refB))) return;
    // A new record that may be someone already on the register: made, and put to a person.
    if (v.outcome === 'create') {
      v.outcome = 'review';
      v.probability = b.p;
      v.reason = `May be a record already on the register (match probability ${percent(b.p)}): a person will decide`;
    }
    const key = [targetKey(v.target), targetKey(other)].sort().join('|');
    const prior = reviews.get(key);
    if (!prior || prior.probability < b.p) reviews.set(key, { a: v.target, b: other, refA, refB, probability: b.p, explanation: result.explain(me, b.other) });
  });
  return { verdicts, reviews: [...reviews.values()], linked };
}
