// Writes an extract's verdicts to the register, inside the caller's transaction: new records,
// source records linked to children, provenance of every value, the current value chosen by
// replacesCurrent(), and the pairs for clerical review. Nothing here commits: a failure anywhere
// leaves the register as it was.
import type { Db } from '../../../platform/db/database.js';
import { addImportedChild, identifiersTaken, lookupLocality, searchNames, updateFromImport } from '../../record/children/index.js';
import { createFamily } from '../../record/family/service.js';
import { startInvolvement } from '../../record/involvements/service.js';
import { addReviewPair } from '../matching-review/index.js';
import { FIELDS, FIELD_KEYS, IDENTIFIER_FIELDS, type Field, type RowValues } from './fields.js';
import { changedFields, replacesCurrent } from './rules.js';
import type { Classification, Target } from './linking.js';

export interface ApplySource {
  id: string;
  name: string;
  organisation_id: string | null;
}

export interface ApplyOptions {
  importId: string;
  userId: string | null;
  today: string;
  leaveOutInvalid: boolean;
  /** For the fault test: fail as if the process died when this data row is reached. */
  failAtRow?: number;
  onRow?(done: number, total: number): Promise<void>;
}

export interface ApplyOutcome {
  created: number;
  linked: number;
  updated: number;
  reviews: number;
  /** Every child the import wrote to (for the audit entry's "who has looked"). */
  children: string[];
  /** Ids of the involvements the import created (each widens who sees a child; listed in the audit entry). */
  involvements: string[];
}

const IDENTIFIER_KEY = { nhs_number: 'nhsNumber', upn: 'upn', council_id: 'councilId' } as const;

type ChildRow = Record<string, unknown> & { id: string; version: number; postcode: string | null };

async function loadChild(db: Db, id: string): Promise<ChildRow> {
  return await db.selectFrom('children').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The values of `incoming` the child's record should show now, by replacesCurrent(). */
async function chooseValues(db: Db, child: ChildRow, incoming: RowValues, previous: RowValues | null): Promise<Partial<Record<Field, string>>> {
  const chosen: Partial<Record<Field, string>> = {};
  for (const f of FIELD_KEYS) {
    const v = incoming[f];
    if (!v) continue;
    const current = child[FIELDS[f].column] as string | null;
    if (replacesCurrent(current, v, previous?.[f], f)) chosen[f] = v;
  }
  // An identifier another child holds stays an alternative (with its source), never a clash.
  for (const f of IDENTIFIER_FIELDS) {
    const v = chosen[f];
    if (!v) continue;
    const taken = await identifiersTaken(db, { nhsNumber: null, upn: null, councilId: null, [IDENTIFIER_KEY[f]]: v }, child.id);
    if (taken.length) delete chosen[f];
  }
  return chosen;
}

async function writeChosen(db: Db, child: ChildRow, chosen: Partial<Record<Field, string>>, userId: string | null, sourceName: string) {
  const fields = Object.keys(chosen) as Field[];
  if (!fields.length) return;
  const set: Record<string, unknown> = {};
  const changes: { field: string; before: unknown; after: unknown }[] = [];
  for (const f of fields) {
    const column = FIELDS[f].column;
    set[column] = chosen[f];
    changes.push({ field: column, before: child[column] ?? null, after: chosen[f] });
  }
  const next = { ...child, ...set } as Record<string, string | null>;
  set.search_names = searchNames(next.given_name, next.family_name, next.preferred_name, next.other_names);
  if ('postcode' in set) set.locality_id = (await lookupLocality(db, next.postcode ?? null))?.id ?? null;
  await updateFromImport(db, child, set, changes, userId, sourceName);
}

async function involve(db: Db, childId: string, source: ApplySource, userId: string | null, today: string): Promise<string | null> {
  if (!source.organisation_id) return null;
  const current = await db
    .selectFrom('involvements')
    .select('id')
    .where('child_id', '=', childId)
    .where('organisation_id', '=', source.organisation_id)
    .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', today)]))
    .executeTakeFirst();
  if (current) return null;
  const row = await startInvolvement(db, {
    childId,
    organisationId: source.organisation_id,
    service: `Known to ${source.name} (from its extract)`,
    startedOn: today,
    createdBy: userId,
  });
  return String(row.id);
}

async function recordValues(db: Db, childId: string, sourceRecordId: string, importId: string, values: RowValues, fields: readonly Field[]) {
  const rows = fields
    .filter((f) => values[f])
    .map((f) => ({ child_id: childId, field: f, value: values[f]!, source_record_id: sourceRecordId, import_id: importId }));
  if (rows.length) await db.insertInto('child_field_values').values(rows).execute();
}

async function createChild(db: Db, values: RowValues, source: ApplySource, o: ApplyOptions): Promise<string> {
  const ids = { nhsNumber: values.nhs_number ?? null, upn: values.upn ?? null, councilId: values.council_id ?? null };
  const taken = new Set(await identifiersTaken(db, ids));
  const family = await createFamily(db);
  const locality = await lookupLocality(db, values.postcode ?? null);
  const child = await addImportedChild(
    db,
    {
      family_id: family.id,
      given_name: values.given_name!,
      family_name: values.family_name!,
      other_names: values.middle_name ?? null,
      date_of_birth: values.birth_date!,
      sex: (values.sex as 'M' | 'F' | 'U' | undefined) ?? 'U',
      // Agencies' extracts rarely carry ethnicity in DfE codes: "not yet obtained" until asked.
      ethnicity: 'NOBT',
      address_line1: values.address_line1 ?? null,
      address_line2: values.address_line2 ?? null,
      town: values.town ?? null,
      postcode: values.postcode ?? null,
      locality_id: locality?.id ?? null,
      nhs_number: taken.has('nhsNumber') ? null : ids.nhsNumber,
      upn: taken.has('upn') ? null : ids.upn,
      council_id: taken.has('councilId') ? null : ids.councilId,
      joined_on: o.today,
      search_names: searchNames(values.given_name, values.family_name, null, values.middle_name),
    },
    o.userId,
    source.name,
  );
  return child.id;
}

/** What applying a classification would do, counted as applyClassification counts it. */
export type PlannedOutcome = Omit<ApplyOutcome, 'children' | 'involvements'>;

/**
 * What applying this classification to the register as it is now would do, worked out the way
 * applyClassification does it, without writing anything: the dry run's promise. A row sent to
 * review is a new record too (put to a person afterwards), and rows of the same new person make
 * one record between them (the first makes it, the others link to it).
 */
export async function planClassification(db: Db, c: Classification): Promise<PlannedOutcome> {
  const out: PlannedOutcome = { created: 0, linked: 0, updated: 0, reviews: 0 };
  const made = new Set<string>();
  for (const v of c.verdicts) {
    if (v.outcome === 'invalid' || v.outcome === 'unchanged' || !v.target) continue;
    if (v.outcome === 'update') out.updated++;
    else if ('group' in v.target && !made.has(v.target.group)) {
      made.add(v.target.group);
      out.created++;
    } else out.linked++;
  }
  const seen = new Set<string>();
  for (const r of c.reviews) {
    const a = 'child' in r.a ? r.a.child : `group:${r.a.group}`;
    const b = 'child' in r.b ? r.b.child : `group:${r.b.group}`;
    if (a === b || ('group' in r.a && !made.has(r.a.group)) || ('group' in r.b && !made.has(r.b.group))) continue;
    const key = [a, b].sort().join('|');
    if (seen.has(key)) continue;
    // A pair of two children already on the register may already be waiting for a person.
    if ('child' in r.a && 'child' in r.b) {
      if (await reviewWaiting(db, a, b)) continue;
    }
    seen.add(key);
    out.reviews++;
  }
  return out;
}

/** Applies a classification. Run inside one transaction. */
export async function applyClassification(db: Db, source: ApplySource, c: Classification, o: ApplyOptions): Promise<ApplyOutcome> {
  const groups = new Map<string, string>();
  const touched = new Set<string>();
  const out: ApplyOutcome = { created: 0, linked: 0, updated: 0, reviews: 0, children: [], involvements: [] };
  const resolve = (t: Target) => ('child' in t ? t.child : groups.get(t.group));
  let done = 0;
  for (const v of c.verdicts) {
    if (o.failAtRow === v.row) throw new Error(`The import stopped at row ${v.row} (a fault injected for testing)`);
    done++;
    if (o.onRow && done % 200 === 0) await o.onRow(done, c.verdicts.length);
    if (v.outcome === 'invalid' || v.outcome === 'unchanged' || !v.target) continue;
    if (v.outcome === 'update') {
      const childId = resolve(v.target)!;
      const sr = await db
        .selectFrom('source_records')
        .select(['id', 'field_values'])
        .where('source_id', '=', source.id)
        .where('record_id', '=', v.recordId)
        .executeTakeFirstOrThrow();
      const previous = JSON.parse(sr.field_values) as RowValues;
      await db
        .updateTable('source_records')
        .set({ field_values: JSON.stringify(v.values), last_import_id: o.importId, last_seen_at: new Date() })
        .where('id', '=', sr.id)
        .execute();
      await recordValues(db, childId, sr.id, o.importId, v.values, changedFields(previous, v.values));
      const child = await loadChild(db, childId);
      await writeChosen(db, child, await chooseValues(db, child, v.values, previous), o.userId, source.name);
      touched.add(childId);
      out.updated++;
      continue;
    }
    // create, review (a new record put to a person) or link
    let childId = resolve(v.target);
    let isNew = false;
    if (!childId) {
      childId = await createChild(db, v.values, source, o);
      groups.set((v.target as { group: string }).group, childId);
      isNew = true;
      out.created++;
    } else out.linked++;
    const sr = await db
      .insertInto('source_records')
      .values({
        source_id: source.id,
        record_id: v.recordId,
        child_id: childId,
        field_values: JSON.stringify(v.values),
        first_import_id: o.importId,
        last_import_id: o.importId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordValues(db, childId, sr.id, o.importId, v.values, FIELD_KEYS);
    if (!isNew) {
      const child = await loadChild(db, childId);
      await writeChosen(db, child, await chooseValues(db, child, v.values, null), o.userId, source.name);
    }
    const involvement = await involve(db, childId, source, o.userId, o.today);
    if (involvement) out.involvements.push(involvement);
    touched.add(childId);
  }
  for (const r of c.reviews) {
    const a = resolve(r.a);
    const b = resolve(r.b);
    if (!a || !b || a === b) continue;
    if (await reviewWaiting(db, a, b)) continue;
    await addReviewPair(db, { importId: o.importId, childA: a, childB: b, refA: r.refA, refB: r.refB, probability: r.probability, explanation: r.explanation });
    out.reviews++;
  }
  out.children = [...touched];
  return out;
}

/** Whether a pair of two children is already waiting for a person, or was decided "different" or "not sure", in either order. */
async function reviewWaiting(db: Db, a: string, b: string): Promise<boolean> {
  const open = await db
    .selectFrom('match_reviews')
    .select('id')
    .where('status', 'in', ['pending', 'different', 'not-sure'])
    .where((eb) => eb.or([eb.and([eb('child_a', '=', a), eb('child_b', '=', b)]), eb.and([eb('child_a', '=', b), eb('child_b', '=', a)])]))
    .executeTakeFirst();
  return !!open;
}
