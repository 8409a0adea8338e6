// Clerical review: the queue of pairs the linker was unsure about, each pair side by side with the
// explanation, and the decisions, which are kept as must-link / cannot-link for the linker so the
// same pair is never asked again. "Same person" merges the two records (the older keeps its id);
// a merge can be undone. Also the provenance of a child's values for the record page.
import { sql, type Expression } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import type { FieldExplanation } from '../../../linker/types.js';
import { CHILD_COLUMNS, FIELDS, FIELD_KEYS, type Field } from '../imports/index.js';
import { mergeChildren, unmergeChildren } from './merge.js';
import type { Decision } from './presenters.js';
import { textOf } from '../../../platform/http/form-values.js';

export { mergeChildren, unmergeChildren };

const UUID = /^[0-9a-f-]{36}$/;

export const listQueue = (db: Db, status: 'pending' | 'not-sure' = 'pending', limit = 100) =>
  db
    .selectFrom('match_reviews as r')
    .leftJoin('imports as i', 'i.id', 'r.import_id')
    .leftJoin('import_sources as s', 's.id', 'i.source_id')
    .select(['r.id', 'r.probability', 'r.created_at', 's.name as source_name', 'i.file_name'])
    .where('r.status', '=', status)
    .orderBy('r.probability', 'desc')
    .orderBy('r.created_at')
    .limit(limit)
    .execute();

/** A pair of register records the linker was unsure about, for someone to look at. */
export interface NewReviewPair {
  importId: string;
  childA: string;
  childB: string;
  refA: { source: string; id: string };
  refB: { source: string; id: string };
  probability: number;
  explanation: unknown;
}

export async function addReviewPair(db: Db, r: NewReviewPair) {
  await db
    .insertInto('match_reviews')
    .values({
      import_id: r.importId,
      child_a: r.childA,
      child_b: r.childB,
      ref_a_source: r.refA.source,
      ref_a_id: r.refA.id,
      ref_b_source: r.refB.source,
      ref_b_id: r.refB.id,
      probability: r.probability,
      explanation: JSON.stringify(r.explanation),
    })
    .execute();
}

export const countQueue = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('match_reviews')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
    ).n,
  );

const sideColumns = ['id', 'preferred_name', 'created_at', ...CHILD_COLUMNS] as const;

async function side(db: Db, childId: string) {
  const child = await db
    .selectFrom('children')
    .select([...sideColumns])
    .where('id', '=', childId)
    .executeTakeFirst();
  if (!child) return null;
  const sources = await db
    .selectFrom('source_records as r')
    .innerJoin('import_sources as s', 's.id', 'r.source_id')
    .select(['s.name as source_name', 'r.record_id', 'r.first_seen_at'])
    .where('r.child_id', '=', childId)
    .orderBy('s.name')
    .orderBy('r.record_id')
    .execute();
  return { child, sources };
}

export async function getReview(db: Db, id: string) {
  if (!UUID.test(id)) throw new NotFoundError('review');
  const r = await db.selectFrom('match_reviews').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError('review');
  const [a, b] = await Promise.all([side(db, r.child_a), side(db, r.child_b)]);
  const decidedBy = r.decided_by ? await db.selectFrom('users').select('display_name').where('id', '=', r.decided_by).executeTakeFirst() : undefined;
  return { ...r, explanation: JSON.parse(r.explanation) as FieldExplanation[], a, b, decidedByName: decidedBy?.display_name ?? null };
}

function ordered(a: { source: string; id: string }, b: { source: string; id: string }) {
  return `${a.source}\u0000${a.id}` <= `${b.source}\u0000${b.id}` ? [a, b] : [b, a];
}

/** Records a person's decision about a pair (kept for the linker), and merges on "same person". */
export async function decide(db: Db, reviewId: string, decision: Decision, opts: { userId: string; note: string | null }) {
  const r = await getReview(db, reviewId);
  // Claimed with a conditional update before anything else: of two decisions at once, the
  // second waits for the first's row lock, then finds the pair decided.
  const claimed = await db
    .updateTable('match_reviews')
    .set({ status: decision, decided_by: opts.userId, decided_at: new Date(), note: opts.note })
    .where('id', '=', r.id)
    .where('status', 'in', ['pending', 'not-sure'])
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1)
    throw new ValidationError([{ text: 'This pair has already been decided by someone else. Go back to the list for the next pair', href: '#decision' }]);
  if (!r.a || !r.b) throw new ValidationError([{ text: 'One of these records is no longer on the register', href: '#decision' }]);
  let mergeId: string | null = null;
  if (decision !== 'not-sure') {
    const [x, y] = ordered({ source: r.ref_a_source, id: r.ref_a_id }, { source: r.ref_b_source, id: r.ref_b_id });
    await db
      .insertInto('link_decisions')
      .values({ source_a: x!.source, record_a: x!.id, source_b: y!.source, record_b: y!.id, decision, review_id: r.id, decided_by: opts.userId })
      .onConflict((oc) =>
        oc
          .columns(['source_a', 'record_a', 'source_b', 'record_b'])
          .doUpdateSet({ decision, review_id: r.id, decided_by: opts.userId, decided_at: new Date() }),
      )
      .execute();
  }
  if (decision === 'same') mergeId = (await mergeChildren(db, r.child_a, r.child_b, { userId: opts.userId, reviewId: r.id })).mergeId;
  if (mergeId) await db.updateTable('match_reviews').set({ merge_id: mergeId }).where('id', '=', r.id).execute();
  return { mergeId, children: [r.child_a, r.child_b] };
}

/**
 * Undoes a merge. A person who undoes a merge has decided the two are different people: the pair
 * is kept as "different" for the linker, so it is not joined again.
 */
export async function undoMerge(db: Db, mergeId: string, userId: string) {
  const done = await unmergeChildren(db, mergeId, { userId });
  const m = await db.selectFrom('child_merges').select(['review_id']).where('id', '=', mergeId).executeTakeFirstOrThrow();
  if (m.review_id) {
    await db.updateTable('match_reviews').set({ status: 'different', decided_by: userId, decided_at: new Date() }).where('id', '=', m.review_id).execute();
    await db
      .updateTable('link_decisions')
      .set({ decision: 'different', decided_by: userId, decided_at: new Date() })
      .where('review_id', '=', m.review_id)
      .execute();
  }
  return done;
}

export const listMerges = (db: Db, limit = 100) =>
  db
    .selectFrom('child_merges as m')
    .leftJoin('users as u', 'u.id', 'm.merged_by')
    .select(['m.id', 'm.kept_child_id', 'm.merged_child_id', 'm.merged_at', 'm.unmerged_at', 'u.display_name as merged_by_name'])
    .orderBy('m.merged_at', 'desc')
    .limit(limit)
    .execute();

export async function getMerge(db: Db, id: string) {
  if (!UUID.test(id)) throw new NotFoundError('merge');
  const m = await db
    .selectFrom('child_merges as m')
    .leftJoin('users as u', 'u.id', 'm.merged_by')
    .select(['m.id', 'm.kept_child_id', 'm.merged_child_id', 'm.merged_at', 'm.unmerged_at', 'm.snapshot', 'm.review_id', 'u.display_name as merged_by_name'])
    .where('m.id', '=', id)
    .executeTakeFirst();
  if (!m) throw new NotFoundError('merge');
  const snap = JSON.parse(m.snapshot) as { kept: Record<string, unknown>; merged: Record<string, unknown> };
  const { snapshot: _s, ...rest } = m;
  const summary = (r: Record<string, unknown>) => ({
    id: r.id as string,
    name: `${String(r.given_name)} ${String(r.family_name)}`,
    dateOfBirth: r.date_of_birth as string,
  });
  return { ...rest, kept: summary(snap.kept), merged: summary(snap.merged) };
}

// ---------------------------------------------------------------------------------------------
// Provenance: where each value of a child's record came from

export interface FieldProvenance {
  field: Field;
  label: string;
  current: string | null;
  values: { value: string; current: boolean; sources: { name: string; recordId: string | null; suppliedAt: Date }[] }[];
}

/** The rows provenanceSql() reads, as JSON (times as ISO text). */
export interface ProvenanceJson {
  values: { field: string; value: string; supplied_at: string; merge_id: string | null; source_name: string | null; record_id: string | null }[];
  sources: { name: string; kind: string; record_id: string; first_seen_at: string; last_seen_at: string }[];
  merges: { id: string; merged_at: string; unmerged_at: string | null }[];
}

/**
 * Where the values of the child whose id is `childId` (a column or a value) came from, as one
 * JSON value (ProvenanceJson), for a page that reads the child in one query (the record page);
 * provenanceOf() turns it into what the page shows.
 */
export const provenanceSql = (childId: Expression<string>) => sql<ProvenanceJson>`json_build_object(
  'values', coalesce((select json_agg(json_build_object('field', v.field, 'value', v.value, 'supplied_at', v.supplied_at, 'merge_id', v.merge_id,
                                                        'source_name', s.name, 'record_id', r.record_id) order by v.supplied_at, v.id)
                      from child_field_values v
                      left join source_records r on r.id = v.source_record_id
                      left join import_sources s on s.id = r.source_id
                      where v.child_id = ${childId}), '[]'::json),
  'sources', coalesce((select json_agg(json_build_object('name', s.name, 'kind', s.kind, 'record_id', r.record_id,
                                                         'first_seen_at', r.first_seen_at, 'last_seen_at', r.last_seen_at) order by s.name)
                       from source_records r join import_sources s on s.id = r.source_id
                       where r.child_id = ${childId}), '[]'::json),
  'merges', coalesce((select json_agg(json_build_object('id', m.id, 'merged_at', m.merged_at, 'unmerged_at', m.unmerged_at) order by m.merged_at)
                      from child_merges m where m.kept_child_id = ${childId}), '[]'::json))`;

/** What the record page shows of provenanceSql()'s answer for `child` (the child's row as stored). */
export function provenanceOf(child: object, p: ProvenanceJson) {
  const sources = p.sources.map((r) => ({ ...r, first_seen_at: new Date(r.first_seen_at), last_seen_at: new Date(r.last_seen_at) }));
  const merges = p.merges.map((m) => ({ id: m.id, merged_at: new Date(m.merged_at), unmerged_at: m.unmerged_at === null ? null : new Date(m.unmerged_at) }));
  const fields: FieldProvenance[] = [];
  for (const f of FIELD_KEYS) {
    const here = p.values.filter((r) => r.field === f);
    if (!here.length) continue;
    const currentRaw = (child as Record<string, unknown>)[FIELDS[f].column];
    const current = currentRaw === null || currentRaw === undefined ? null : textOf(currentRaw);
    const byValue = new Map<string, FieldProvenance['values'][number]>();
    for (const r of here) {
      const v = byValue.get(r.value) ?? { value: r.value, current: r.value === current, sources: [] };
      v.sources.push({ name: r.source_name ?? (r.merge_id ? 'A merged record' : 'Jointly'), recordId: r.record_id, suppliedAt: new Date(r.supplied_at) });
      byValue.set(r.value, v);
    }
    fields.push({ field: f, label: FIELDS[f].label, current, values: [...byValue.values()].sort((a, b) => Number(b.current) - Number(a.current)) });
  }
  return { sources, fields, merges };
}

/** Where each value of a child's record came from, read on its own (one query). */
export async function provenance(db: Db, childId: string) {
  const child = await db
    .selectFrom('children as c')
    .selectAll('c')
    .select(provenanceSql(sql.ref('c.id')).as('provenance'))
    .where('c.id', '=', childId)
    .executeTakeFirst();
  if (!child) throw new NotFoundError('child');
  const { provenance: p, ...row } = child;
  return provenanceOf(row, p);
}
