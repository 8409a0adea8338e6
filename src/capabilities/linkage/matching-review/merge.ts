// Merging two register records into one (the older keeps its id) and undoing it exactly. Every
// row that points at the merged record moves to the kept one; the snapshot in child_merges holds
// both records as they were and the ids of everything moved, so an unmerge puts each back.
// Runs inside the caller's transaction.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import {
  addChildHistory,
  childRow,
  completeMergedChild,
  deleteChild,
  familyHasOtherChildren,
  lockChildren,
  moveCriteria,
  restoreChildRow,
  restoreCriteria,
  searchNames,
  type ChildRow as Row,
  type CriterionRow,
} from '../../record/children/index.js';
import { moveFamilyMembers, restoreFamilyMembers } from '../../record/family/service.js';
import { moveKeyWorker, restoreKeyWorker, type HeldKeyWorker } from '../../record/involvements/service.js';
import { holdGrantsCarriedByMerge, releaseGrantsHeldByMerge, type HeldByMerge } from '../../record/sharing/index.js';
import { moveAboutMe, restoreAboutMe, type MovedVersion } from '../../record/tell-it-once/index.js';
import { FIELDS, FIELD_KEYS, keepMergedValues, removeMergedValues } from '../imports/index.js';

interface Snapshot {
  kept: Row;
  merged: Row;
  /** table -> ids of the merged record's rows moved to the kept one. */
  moved: Record<string, string[]>;
  /** child_criteria rows of the merged record (moved, or dropped where the kept one has the criterion). */
  criteria: CriterionRow[];
  /** Criteria ids carried to the kept record (the kept record did not have them). */
  carried: string[];
  aboutMe: MovedVersion[];
  familyMembers: string[];
  mergedFamilyId: string;
  reviews: { id: string; child_a: string; child_b: string; status: string }[];
  addedValues: string[];
  /** Sharing held back by the merge (ADR 0012), given back as it was by the unmerge. Absent in merges made before. */
  held?: HeldByMerge;
  /** The merged record's key worker as it was. Absent in merges made before key workers had a table of their own. */
  keyWorker?: HeldKeyWorker;
}

// Tables handled by name; any other table pointing at children is moved by its id column.
const SPECIAL = new Set(['child_criteria', 'about_me_versions', 'key_workers']);
// Rows that are not moved: a record with any of them is not merged, and the reason is said.
// The joint budget ledger is append-only history. A young person's own account is tied to their
// record by a second person's check (migration 0032): it is not carried to another record unchecked.
const NEVER_MOVED = new Map([
  [
    'ledger_entries',
    'These records cannot be merged: one has entries in the joint budget ledger, which cannot be moved. Ask the finance officer to close its packages first',
  ],
  [
    'family_accounts',
    'These records cannot be merged: the newer one has the young person’s own account. Close that account first, then ask for one on the kept record',
  ],
]);

/** Every (table, column) with a foreign key to children(id), read from the catalogue so new tables are covered. */
async function referencingTables(db: Db): Promise<{ table: string; column: string; hasId: boolean }[]> {
  const { rows } = await sql<{ table_name: string; column_name: string; has_id: boolean }>`
    select cl.relname as table_name, a.attname as column_name,
      exists (select 1 from pg_attribute x where x.attrelid = cl.oid and x.attname = 'id' and not x.attisdropped) as has_id
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
    where c.contype = 'f' and c.confrelid = 'children'::regclass
    order by 1, 2`.execute(db);
  return rows.map((r) => ({ table: r.table_name, column: r.column_name, hasId: r.has_id }));
}

/** The older record (created first; the lower id on a tie) is kept. */
export function keptAndMerged(a: { id: string; created_at: unknown }, b: { id: string; created_at: unknown }): [string, string] {
  const ta = new Date(a.created_at as string).getTime();
  const tb = new Date(b.created_at as string).getTime();
  return ta < tb || (ta === tb && a.id < b.id) ? [a.id, b.id] : [b.id, a.id];
}

export async function mergeChildren(
  db: Db,
  aId: string,
  bId: string,
  opts: { userId: string | null; reviewId?: string | null },
): Promise<{ mergeId: string; keptId: string; mergedId: string }> {
  if (aId === bId) throw new ValidationError([{ text: 'A record cannot be merged with itself', href: '#decision' }]);
  // Both records locked for the whole merge (in a fixed order, so two merges cannot deadlock).
  if (!(await lockChildren(db, [aId, bId]))) throw new ValidationError([{ text: 'One of these records is no longer on the register', href: '#decision' }]);
  const a = await childRow(db, aId);
  const b = await childRow(db, bId);
  const [keptId, mergedId] = keptAndMerged(a as { id: string; created_at: unknown }, b as { id: string; created_at: unknown });
  const kept = keptId === aId ? a : b;
  const merged = keptId === aId ? b : a;
  const refs = await referencingTables(db);
  for (const r of refs) {
    if (!NEVER_MOVED.has(r.table)) continue;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(r.table)} where ${sql.ref(r.column)} = ${mergedId}`.execute(db);
    if (rows[0]!.n > 0) throw new ValidationError([{ text: NEVER_MOVED.get(r.table)!, href: '#decision' }]);
  }

  const snap: Snapshot = {
    kept,
    merged,
    moved: {},
    criteria: [],
    carried: [],
    aboutMe: [],
    familyMembers: [],
    mergedFamilyId: merged.family_id as string,
    reviews: [],
    addedValues: [],
  };

  // Rows with an id: move and remember.
  for (const r of refs) {
    if (SPECIAL.has(r.table) || NEVER_MOVED.has(r.table)) continue;
    if (!r.hasId) throw new Error(`Merging does not know how to move rows of ${r.table}: teach matching-review/merge.ts`);
    const { rows } = await sql<{
      id: string;
    }>`update ${sql.table(r.table)} set ${sql.ref(r.column)} = ${keptId} where ${sql.ref(r.column)} = ${mergedId} returning id::text as id`.execute(db);
    if (rows.length) snap.moved[`${r.table}.${r.column}`] = rows.map((x) => x.id);
  }
  // Sharing on the merged record that no second person approved does not carry over on its own
  // (ADR 0012): otherwise registering a duplicate with a consent for one's own organisation, and
  // having it merged, would open the real record. Its emergency access ends too.
  snap.held = await holdGrantsCarriedByMerge(db, {
    consentIds: snap.moved['consents.child_id'] ?? [],
    lawfulBasisIds: snap.moved['lawful_bases.child_id'] ?? [],
    breakGlassIds: snap.moved['break_glass.child_id'] ?? [],
  });
  // Criteria: one row per child and criterion; the kept record's assessment stands where both have one.
  Object.assign(snap, await moveCriteria(db, mergedId, keptId));
  // The key worker: the kept record's stays; the merged record's fills a gap.
  snap.keyWorker = await moveKeyWorker(db, mergedId, keptId);
  // About me: the merged record's versions follow the kept record's, in order.
  snap.aboutMe = await moveAboutMe(db, mergedId, keptId);
  // The family: its parents and carers join the kept record's family, unless other children share it.
  if (snap.mergedFamilyId !== kept.family_id && !(await familyHasOtherChildren(db, snap.mergedFamilyId, mergedId))) {
    snap.familyMembers = await moveFamilyMembers(db, snap.mergedFamilyId, kept.family_id as string);
  }
  // Open reviews naming the merged record now name the kept one; a pair of the two is closed.
  const reviews = await db
    .selectFrom('match_reviews')
    .select(['id', 'child_a', 'child_b', 'status'])
    .where((eb) => eb.or([eb('child_a', '=', mergedId), eb('child_b', '=', mergedId)]))
    .execute();
  snap.reviews = reviews;
  for (const r of reviews) {
    const ca = r.child_a === mergedId ? keptId : r.child_a;
    const cb = r.child_b === mergedId ? keptId : r.child_b;
    if (ca === cb)
      await db
        .updateTable('match_reviews')
        .set({ status: r.status === 'pending' || r.status === 'not-sure' ? 'closed' : r.status, child_a: r.child_a, child_b: r.child_b })
        .where('id', '=', r.id)
        .execute();
    else await db.updateTable('match_reviews').set({ child_a: ca, child_b: cb }).where('id', '=', r.id).execute();
  }

  // The merge itself, then the merged record's own values kept as alternatives (never lost).
  const mergeRow = await db
    .insertInto('child_merges')
    .values({
      kept_child_id: keptId,
      merged_child_id: mergedId,
      review_id: opts.reviewId ?? null,
      snapshot: '{}',
      kept_version_after: 0,
      merged_by: opts.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const values = FIELD_KEYS.map((f) => ({ f, v: merged[FIELDS[f].column] })).filter(
    (x) => x.v !== null && x.v !== undefined && x.v !== '' && !(x.f === 'sex' && x.v === 'U'),
  );
  snap.addedValues = await keepMergedValues(
    db,
    keptId,
    mergeRow.id,
    merged.created_at as string,
    values.map((x) => ({ field: x.f, value: String(x.v as string | number | boolean) })),
  );
  await deleteChild(db, mergedId);

  // The kept record fills its gaps from the merged one, and is found by either's names.
  const fill: Row = {};
  for (const f of FIELD_KEYS) {
    const col = FIELDS[f].column;
    const mine = kept[col];
    if ((mine === null || mine === '' || (f === 'sex' && mine === 'U')) && merged[col] !== null && merged[col] !== 'U') fill[col] = merged[col];
  }
  for (const col of ['preferred_name', 'primary_need', 'severity', 'communication_needs'] as const)
    if (kept[col] === null && merged[col] !== null) fill[col] = merged[col];
  const keptAfter = { ...kept, ...fill };
  const otherNames = [
    keptAfter.other_names,
    merged.given_name !== kept.given_name || merged.family_name !== kept.family_name ? `${String(merged.given_name)} ${String(merged.family_name)}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  const version = await completeMergedChild(db, keptId, {
    fill,
    hasEhcPlan: Boolean(kept.has_ehc_plan) || Boolean(merged.has_ehc_plan),
    searchNames: searchNames(keptAfter.given_name as string, keptAfter.family_name as string, keptAfter.preferred_name as string | null, otherNames || null),
  });
  await addChildHistory(db, keptId, opts.userId, { event: 'merged', merged: mergedId, merge: mergeRow.id, filled: Object.keys(fill) });
  await db
    .updateTable('child_merges')
    .set({ snapshot: JSON.stringify(snap), kept_version_after: version })
    .where('id', '=', mergeRow.id)
    .execute();
  return { mergeId: mergeRow.id, keptId, mergedId };
}

export const STALE_MERGE =
  'The record has changed since the merge, so it cannot be undone exactly. Undo the later changes first, or correct the record by hand';

/** Undoes a merge: both records exactly as they were before it, every moved row back where it was. */
export async function unmergeChildren(db: Db, mergeId: string, opts: { userId: string | null }): Promise<{ keptId: string; mergedId: string }> {
  if (!/^[0-9a-f-]{36}$/.test(mergeId)) throw new NotFoundError('merge');
  if (!(await db.selectFrom('child_merges').select('id').where('id', '=', mergeId).executeTakeFirst())) throw new NotFoundError('merge');
  // Locked while still in force: a second undo at the same time waits, then finds it undone.
  const m = await db.selectFrom('child_merges').selectAll().where('id', '=', mergeId).where('unmerged_at', 'is', null).forUpdate().executeTakeFirst();
  if (!m) throw new ValidationError([{ text: 'This merge has already been undone', href: '#unmerge' }]);
  const snap = JSON.parse(m.snapshot) as Snapshot;
  const keptNow = await db.selectFrom('children').select(['version']).where('id', '=', m.kept_child_id).forUpdate().executeTakeFirst();
  if (!keptNow) throw new NotFoundError('child');
  if (keptNow.version !== m.kept_version_after) throw new ValidationError([{ text: STALE_MERGE, href: '#unmerge' }]);
  const keptId = m.kept_child_id;
  const mergedId = m.merged_child_id;

  // The kept record first (it may hold identifiers filled from the merged one), then the merged one again.
  await restoreChildRow(db, snap.kept, 'update');
  await restoreChildRow(db, snap.merged, 'insert');
  await removeMergedValues(db, snap.addedValues);
  for (const [key, ids] of Object.entries(snap.moved)) {
    const [table, column] = key.split('.') as [string, string];
    for (let i = 0; i < ids.length; i += 1000) {
      await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${mergedId} where id::text = any(${ids.slice(i, i + 1000)}::text[])`.execute(db);
    }
  }
  if (snap.held) await releaseGrantsHeldByMerge(db, snap.held);
  await restoreCriteria(db, keptId, snap);
  await restoreAboutMe(db, mergedId, snap.aboutMe);
  // A merge made before key workers had a table of their own kept the merged record's in its row.
  const legacy = typeof snap.merged.key_worker_user_id === 'string' ? snap.merged.key_worker_user_id : null;
  const heldKeyWorker = snap.keyWorker ?? (legacy ? { user_id: legacy, version: 1, updated_at: new Date().toISOString(), moved: false } : null);
  await restoreKeyWorker(db, mergedId, keptId, heldKeyWorker);
  await restoreFamilyMembers(db, snap.familyMembers, snap.mergedFamilyId);
  for (const r of snap.reviews)
    await db
      .updateTable('match_reviews')
      .set({ child_a: r.child_a, child_b: r.child_b, status: r.status as 'pending' })
      .where('id', '=', r.id)
      .execute();

  await db.updateTable('child_merges').set({ unmerged_at: new Date(), unmerged_by: opts.userId }).where('id', '=', mergeId).execute();
  await addChildHistory(db, keptId, opts.userId, { event: 'unmerged', restored: mergedId, merge: mergeId });
  await addChildHistory(db, mergedId, opts.userId, { event: 'unmerged', from: keptId, merge: mergeId });
  return { keptId, mergedId };
}
