// The use cases of an import: agency sources with their saved mappings, uploading an extract
// (refused at once when the file itself is wrong), the dry run and the apply as background jobs,
// and the row-by-row report. The apply is one transaction: all of it, or none.
import { createHash } from 'node:crypto';
import type { Db } from '../../../platform/db/database.js';
import type { Jobs, JobContext } from '../../../platform/jobs/jobs.js';
import { appendAudit, type AuditEntry } from '../../../platform/audit/audit.js';
import { todayInLondon } from '../../../platform/dates.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import { isDateFormat, isField, type DateFormat, type Mapping, type Outcome, type SourceKind } from './fields.js';
import { visibleChild } from '../../record/sharing/index.js';
import type { Viewer } from '../../record/sharing/index.js';
import { checkRow, FileProblem, tableProblems, type CheckedRow } from './rules.js';
import { quickCheck, readTable } from './read-file.js';
import { classify, DEFAULT_THRESHOLDS, type Classification, type Thresholds } from './linking.js';
import { applyClassification, planClassification, type ApplyOutcome, type PlannedOutcome } from './apply.js';
import { textOf } from '../../../platform/http/form-values.js';

export const DRY_RUN_JOB = 'imports.dry-run';
export const APPLY_JOB = 'imports.apply';

const UUID = /^[0-9a-f-]{36}$/;

// ---------------------------------------------------------------------------------------------
// Sources

export interface SourceInput {
  name: string;
  organisationId: string | null;
  kind: SourceKind;
  recordIdColumn: string;
  birthDateFormat: DateFormat;
  mapping: Mapping;
  /** The review band; the defaults (0.9 and 0.5) when not given. */
  thresholds?: Thresholds;
}

export interface Source {
  id: string;
  name: string;
  organisation_id: string | null;
  organisation_name: string | null;
  kind: SourceKind;
  record_id_column: string;
  birth_date_format: DateFormat;
  mapping: Mapping;
  thresholds: Thresholds;
  version: number;
}

function parseMapping(text: string): Mapping {
  const raw = JSON.parse(text) as Record<string, string>;
  const m: Mapping = {};
  for (const [k, v] of Object.entries(raw)) if (isField(k) && typeof v === 'string' && v) m[k] = v;
  return m;
}

const sourceQuery = (db: Db) =>
  db
    .selectFrom('import_sources as s')
    .leftJoin('organisations as o', 'o.id', 's.organisation_id')
    .select([
      's.id',
      's.name',
      's.organisation_id',
      'o.name as organisation_name',
      's.kind',
      's.record_id_column',
      's.birth_date_format',
      's.mapping',
      's.match_threshold',
      's.review_lower',
      's.version',
    ]);

const toSource = ({ match_threshold, review_lower, ...r }: Awaited<ReturnType<ReturnType<typeof sourceQuery>['executeTakeFirstOrThrow']>>): Source => ({
  ...r,
  thresholds: { matchThreshold: Number(match_threshold), reviewLower: Number(review_lower) },
  birth_date_format: isDateFormat(r.birth_date_format) ? r.birth_date_format : 'YYYY-MM-DD',
  mapping: parseMapping(r.mapping),
});

export const listSources = async (db: Db) => (await sourceQuery(db).orderBy('s.name').execute()).map(toSource);

export async function getSource(db: Db, id: string): Promise<Source> {
  if (!UUID.test(id)) throw new NotFoundError('source');
  const r = await sourceQuery(db).where('s.id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError('source');
  return toSource(r);
}

export async function sourceByName(db: Db, name: string): Promise<Source | null> {
  const r = await sourceQuery(db).where('s.name', '=', name).executeTakeFirst();
  return r ? toSource(r) : null;
}

const nameTaken = () => new ValidationError([{ text: 'A source with this name already exists. Choose another name', href: '#name' }]);

/** A source's row as the form gives it, the same for adding and changing one. */
const sourceColumns = (input: SourceInput) => {
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  return {
    name: input.name,
    organisation_id: input.organisationId,
    kind: input.kind,
    record_id_column: input.recordIdColumn,
    birth_date_format: input.birthDateFormat,
    mapping: JSON.stringify(input.mapping),
    match_threshold: thresholds.matchThreshold,
    review_lower: thresholds.reviewLower,
  };
};

export async function createSource(db: Db, input: SourceInput, userId: string | null): Promise<string> {
  if (await sourceByName(db, input.name)) throw nameTaken();
  const row = await db
    .insertInto('import_sources')
    .values({ ...sourceColumns(input), created_by: userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSource(db: Db, id: string, input: SourceInput, version: number): Promise<void> {
  const current = await getSource(db, id);
  const other = await sourceByName(db, input.name);
  if (other && other.id !== id) throw nameTaken();
  const done = await db
    .updateTable('import_sources')
    .set({ ...sourceColumns(input), version: current.version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) {
    const { StaleVersionError } = await import('../../../platform/http/errors.js');
    throw new StaleVersionError();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and checking an extract

export interface CheckedFile {
  type: 'csv' | 'xlsx';
  hash: string;
  rows: CheckedRow[];
}

/** Reads and checks a whole file against its source; throws ValidationError with the file's problems. */
export async function checkFile(source: Source, name: string, bytes: Uint8Array, today: string, field = '#file'): Promise<CheckedFile> {
  let read;
  try {
    read = await readTable(name, bytes);
  } catch (e) {
    if (e instanceof FileProblem) throw new ValidationError([{ text: e.message, href: field }]);
    throw e;
  }
  const problems = tableProblems(name, read.table, source.mapping, source.record_id_column);
  if (problems.length) throw new ValidationError(problems.map((text) => ({ text, href: field })));
  const rows = read.table.rows.map((r, i) => checkRow(r, i + 1, source.mapping, source.record_id_column, source.birth_date_format, today));
  return { type: read.type, hash: createHash('sha256').update(bytes).digest('hex'), rows };
}

/**
 * Stores an uploaded extract and queues its dry run. Only cheap checks run in the request (type,
 * size, the encoding and header row of a CSV, an XLSX's declared zip sizes): a problem refuses it
 * and nothing is stored. The full read runs in the dry run job, outside the request's
 * transaction (on the embedded database that transaction holds the only connection).
 */
export async function uploadExtract(
  db: Db,
  jobs: Jobs,
  user: { id: string },
  sourceId: string,
  file: { name: string; bytes: Uint8Array },
  thresholds?: Thresholds,
): Promise<string> {
  await purgeAbandoned(db);
  const id = await createImport(db, await getSource(db, sourceId), file, user.id, thresholds);
  const jobId = await jobs.enqueue(db, DRY_RUN_JOB, { importId: id }, { createdBy: user.id, maxAttempts: 1 });
  await db.updateTable('imports').set({ dry_run_job_id: jobId }).where('id', '=', id).execute();
  return id;
}

/** The request's cheap checks (see uploadExtract); throws ValidationError with the file's problems. */
export function quickCheckFile(source: Source, name: string, bytes: Uint8Array, field = '#file'): { type: 'csv' | 'xlsx'; hash: string } {
  let quick;
  try {
    quick = quickCheck(name, bytes);
  } catch (e) {
    if (e instanceof FileProblem) throw new ValidationError([{ text: e.message, href: field }]);
    throw e;
  }
  if (quick.header) {
    // The header's own problems (missing or repeated columns); one empty row stands in for the data.
    const problems = tableProblems(
      name,
      { header: quick.header, rows: [Object.create(null) as Record<string, string>] },
      source.mapping,
      source.record_id_column,
    );
    if (problems.length) throw new ValidationError(problems.map((text) => ({ text, href: field })));
  }
  return { type: quick.type, hash: createHash('sha256').update(bytes).digest('hex') };
}

/** How long a checked import's file is kept waiting for someone to apply it (ADR 0010). */
export const ABANDONED_AFTER_DAYS = 14;

/**
 * Purges the content of abandoned imports: checked but not applied within ABANDONED_AFTER_DAYS
 * (marked failed, so they cannot be applied without their file), and any failed one still
 * holding its file. Run on each upload and by the CLI; cheap, as it touches few rows.
 */
export async function purgeAbandoned(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ABANDONED_AFTER_DAYS * 24 * 60 * 60 * 1000);
  const stale = await db
    .updateTable('imports')
    .set({ status: 'failed', content: null, error: `Not applied within ${ABANDONED_AFTER_DAYS} days, so the file was not kept. Upload it again to apply it` })
    .where('status', '=', 'checked')
    .where('checked_at', '<', cutoff)
    .executeTakeFirst();
  await db.updateTable('imports').set({ content: null }).where('status', '=', 'failed').where('content', 'is not', null).execute();
  return Number(stale.numUpdatedRows);
}

/** Checks a file and stores it as an import of `source` (status "checking"); the dry run comes next. */
export async function createImport(
  db: Db,
  source: Source,
  file: { name: string; bytes: Uint8Array },
  userId: string | null,
  thresholds?: Thresholds,
): Promise<string> {
  const checked = quickCheckFile(source, file.name, file.bytes);
  const row = await db
    .insertInto('imports')
    .values({
      source_id: source.id,
      file_name: file.name,
      file_type: checked.type,
      content_hash: checked.hash,
      size_bytes: file.bytes.length,
      content: file.bytes,
      uploaded_by: userId,
      summary: JSON.stringify({ thresholds: thresholds ?? source.thresholds }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function getImport(db: Db, id: string) {
  if (!UUID.test(id)) throw new NotFoundError('import');
  const r = await db
    .selectFrom('imports as i')
    .innerJoin('import_sources as s', 's.id', 'i.source_id')
    .leftJoin('users as u', 'u.id', 'i.uploaded_by')
    .select([
      'i.id',
      'i.source_id',
      's.name as source_name',
      'i.file_name',
      'i.file_type',
      'i.content_hash',
      'i.size_bytes',
      'i.status',
      'i.dry_run_job_id',
      'i.apply_job_id',
      'i.summary',
      'i.error',
      'i.leave_out_invalid',
      'i.uploaded_at',
      'i.checked_at',
      'i.applied_at',
      'u.display_name as uploaded_by_name',
    ])
    .where('i.id', '=', id)
    .executeTakeFirst();
  if (!r) throw new NotFoundError('import');
  return { ...r, summary: r.summary ? (JSON.parse(r.summary) as ImportSummary) : null };
}

export interface ImportSummary {
  thresholds: Thresholds;
  counts?: Record<string, number>;
  /** What the dry run worked out applying would do: the same counts as `applied` (planClassification). */
  planned?: PlannedOutcome;
  /** How many of the planned new records come from rows sent to review. */
  plannedForReview?: number;
  applied?: Omit<ApplyOutcome, 'children' | 'involvements'>;
  alreadyAppliedAt?: string;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** What applying would do (or did), in plain English: the dry run's plan and the apply's outcome read alike. */
export function plannedText(p: PlannedOutcome, forReview = 0): string {
  const created =
    forReview > 0
      ? `${plural(p.created, 'new record', 'new records')}, of which ${forReview.toLocaleString('en-GB')} ${forReview === 1 ? 'is' : 'are'} sent to a person to check whether ${forReview === 1 ? 'it is' : 'they are'} someone already on the register`
      : plural(p.created, 'new record', 'new records');
  return `${created}; ${plural(p.linked, 'row linked to a record', 'rows linked to records')}; ${plural(p.updated, 'record updated', 'records updated')}; ${plural(p.reviews, 'pair', 'pairs')} sent for review`;
}

export const listImports = (db: Db, limit = 50) =>
  db
    .selectFrom('imports as i')
    .innerJoin('import_sources as s', 's.id', 'i.source_id')
    .select(['i.id', 's.name as source_name', 'i.file_name', 'i.status', 'i.uploaded_at', 'i.applied_at', 'i.summary'])
    .orderBy('i.uploaded_at', 'desc')
    .limit(limit)
    .execute();

async function loadForRun(db: Db, importId: string) {
  const imp = await db
    .selectFrom('imports')
    .select(['id', 'source_id', 'file_name', 'content', 'content_hash', 'summary', 'status', 'leave_out_invalid'])
    .where('id', '=', importId)
    .executeTakeFirst();
  if (!imp) throw new Error(`There is no import ${importId}`);
  if (!imp.content) throw new Error('The file of this import is no longer kept; upload it again');
  const source = await getSource(db, imp.source_id);
  const summary = imp.summary ? (JSON.parse(imp.summary) as ImportSummary) : { thresholds: DEFAULT_THRESHOLDS };
  return { imp, source, summary, bytes: new Uint8Array(imp.content) };
}

const countOutcomes = (c: Classification) => {
  const counts: Record<string, number> = { create: 0, update: 0, link: 0, review: 0, invalid: 0, unchanged: 0 };
  for (const v of c.verdicts) counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
  return counts;
};

async function writeRows(db: Db, importId: string, c: Classification, childOf: (v: Classification['verdicts'][number]) => string | null) {
  await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
  for (let i = 0; i < c.verdicts.length; i += 500) {
    await db
      .insertInto('import_rows')
      .values(
        c.verdicts.slice(i, i + 500).map((v) => ({
          import_id: importId,
          row_number: v.row,
          record_id: v.recordId || null,
          outcome: v.outcome,
          child_id: childOf(v),
          probability: v.probability,
          reason: v.reason,
          problems: JSON.stringify(v.problems),
          field_values: JSON.stringify(v.values),
        })),
      )
      .execute();
  }
}

const existingChild = (v: Classification['verdicts'][number]) => (v.target && 'child' in v.target ? v.target.child : null);

/** The dry run: every row's verdict against the register as it is now, stored for the report. Changes nothing else. */
export async function dryRun(db: Db, importId: string, progress?: JobContext['progress']): Promise<Record<string, number>> {
  const { source, summary, bytes, imp } = await loadForRun(db, importId);
  await progress?.(5, 'Reading the file');
  const checked = await checkFile(source, imp.file_name, bytes, todayInLondon()).catch((e: unknown) => {
    if (e instanceof ValidationError) throw new Error(e.errors.map((x) => x.text).join('; '));
    throw e;
  });
  await progress?.(25, `Checked ${checked.rows.length.toLocaleString('en-GB')} rows; matching them against the register`);
  const c = await classify(db, source.id, checked.rows, summary.thresholds);
  await progress?.(85, 'Writing the report');
  const counts = countOutcomes(c);
  const planned = await planClassification(db, c);
  // Rows sent to review each make a record too (one per new person): said, so the plan adds up.
  const plannedForReview = new Set(c.verdicts.flatMap((v) => (v.outcome === 'review' && v.target && 'group' in v.target ? [v.target.group] : []))).size;
  await db.transaction().execute(async (tx) => {
    await writeRows(tx, importId, c, existingChild);
    await tx
      .updateTable('imports')
      .set({ status: 'checked', checked_at: new Date(), summary: JSON.stringify({ ...summary, counts, planned, plannedForReview }), error: null })
      .where('id', '=', importId)
      .execute();
  });
  return counts;
}

export interface Actor {
  userId: string | null;
  organisationId: string | null;
  roles: string[];
}

/**
 * Moves a checked import to 'applying' with a conditional update: of two requests at once, only
 * one finds it still 'checked'; the other is told plainly. applyImport requires 'applying'.
 */
export async function claimForApply(db: Db, importId: string, leaveOutInvalid: boolean): Promise<void> {
  const claimed = await db
    .updateTable('imports')
    .set({ status: 'applying', leave_out_invalid: leaveOutInvalid })
    .where('id', '=', importId)
    .where('status', '=', 'checked')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new ValidationError([{ text: 'This file is already being applied, or has been applied', href: '#apply' }]);
}

/** Refuses an apply that cannot go ahead, before a job is queued. */
export async function requestApply(db: Db, jobs: Jobs, importId: string, actor: Actor & { userId: string }, leaveOutInvalid: boolean): Promise<number> {
  const imp = await getImport(db, importId);
  if (imp.status === 'applying' || imp.status === 'applied' || imp.status === 'already-applied')
    throw new ValidationError([{ text: 'This file is already being applied, or has been applied', href: '#apply' }]);
  if (imp.status !== 'checked')
    throw new ValidationError([
      {
        text: imp.status === 'failed' ? 'This file could not be checked. Upload it again' : 'Wait for the dry run to finish before applying the file',
        href: '#apply',
      },
    ]);
  const invalid = imp.summary?.counts?.invalid ?? 0;
  if (invalid && !leaveOutInvalid) {
    throw new ValidationError([
      {
        text: `${invalid} ${invalid === 1 ? 'row is' : 'rows are'} invalid, so nothing has been applied. Correct the file and upload it again, or choose to leave the invalid rows out`,
        href: '#leaveOutInvalid',
      },
    ]);
  }
  await claimForApply(db, importId, leaveOutInvalid);
  const jobId = await jobs.enqueue(db, APPLY_JOB, { importId, actor }, { createdBy: actor.userId, maxAttempts: 1 });
  await db.updateTable('imports').set({ apply_job_id: jobId }).where('id', '=', importId).execute();
  return jobId;
}

/** An apply job found its import not 'applying' (applied by another job, or never requested). */
export class NotApplying extends Error {
  constructor(status: string) {
    super(`This import is ${status}, not waiting to be applied; nothing was done`);
  }
}

export interface ApplyRunOptions {
  failAtRow?: number;
  progress?: JobContext['progress'];
  now?: Date;
}

/**
 * Applies an extract in one transaction: classifies its rows against the register as it is in
 * that transaction, writes them, replaces the report with what was done and records the audit
 * entry. The same file from the same source applied before changes nothing. On any failure the
 * register is untouched and the import is marked failed with the reason.
 */
export async function applyImport(db: Db, importId: string, actor: Actor, opts: ApplyRunOptions = {}): Promise<ImportSummary> {
  const status = (await db.selectFrom('imports').select('status').where('id', '=', importId).executeTakeFirst())?.status;
  if (status !== 'applying') throw new NotApplying(status ?? 'missing');
  const { source, summary, bytes, imp } = await loadForRun(db, importId);
  const today = todayInLondon(opts.now);
  // Progress is written outside the apply's transaction, so it is seen while the apply runs. Not
  // awaited: on the embedded database (one connection) it waits for the transaction to end.
  const progress = (percent: number, message: string) => {
    void opts.progress?.(percent, message).catch(() => undefined);
    return Promise.resolve();
  };
  try {
    return await db.transaction().execute(async (tx) => {
      // Only the job whose request claimed the import applies it (see requestApply); the lock
      // makes a second job wait, then find it no longer 'applying'.
      const mine = await tx.selectFrom('imports').select('status').where('id', '=', importId).forUpdate().executeTakeFirst();
      if (mine?.status !== 'applying') throw new NotApplying(mine?.status ?? 'missing');
      // Applied now or before, it ends alike: the report becomes what was done, the file is purged, and the apply is audited.
      const finish = async (
        done: ImportSummary,
        set: { status: 'applied' | 'already-applied'; applied_by?: string | null; error?: null },
        audit: Pick<AuditEntry, 'details' | 'children'>,
      ) => {
        await tx
          .updateTable('imports')
          .set({ ...set, applied_at: new Date(), summary: JSON.stringify(done), content: null })
          .where('id', '=', importId)
          .execute();
        await appendAudit(tx, { ...actor, action: 'imports.apply', subjectType: 'import', subjectId: importId, result: 'allowed', ...audit });
        return done;
      };
      const before = await tx
        .selectFrom('imports')
        .select(['applied_at'])
        .where('source_id', '=', source.id)
        .where('content_hash', '=', imp.content_hash)
        .where('status', '=', 'applied')
        .executeTakeFirst();
      if (before) {
        const done: ImportSummary = { ...summary, alreadyAppliedAt: new Date(before.applied_at!).toISOString() };
        return finish(done, { status: 'already-applied' }, { details: { source: source.name, alreadyApplied: true } });
      }
      await progress(10, 'Reading the file');
      const checked = await checkFile(source, imp.file_name, bytes, today);
      await progress(30, 'Matching the rows against the register');
      const c = await classify(tx, source.id, checked.rows, summary.thresholds);
      const counts = countOutcomes(c);
      if (counts.invalid && !imp.leave_out_invalid)
        throw new Error(`${counts.invalid} rows are invalid and leaving them out was not chosen; nothing has been applied`);
      await progress(50, 'Writing to the register');
      const outcome = await applyClassification(tx, source, c, {
        importId,
        userId: actor.userId,
        today,
        leaveOutInvalid: imp.leave_out_invalid,
        failAtRow: opts.failAtRow,
        onRow: async (n, total) => progress(50 + Math.round((45 * n) / total), `Written ${n.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} rows`),
      });
      const { children, involvements, ...applied } = outcome;
      const done: ImportSummary = { ...summary, counts, applied };
      // The report after the apply is what was done; new records get their ids.
      const created = new Map<string, string>();
      for (const v of c.verdicts) {
        if (v.target && 'group' in v.target && !created.has(v.target.group)) {
          const sr = await tx
            .selectFrom('source_records')
            .select('child_id')
            .where('source_id', '=', source.id)
            .where('record_id', '=', v.recordId)
            .executeTakeFirst();
          if (sr) created.set(v.target.group, sr.child_id);
        }
      }
      await writeRows(tx, importId, c, (v) => (v.target ? ('child' in v.target ? v.target.child : (created.get(v.target.group) ?? null)) : null));
      // The involvements it created (ids only): each widens who sees a child. The children
      // written to are linked to the entry, so each one's "who has looked" lists the apply.
      return finish(
        done,
        { status: 'applied', applied_by: actor.userId, error: null },
        { details: { source: source.name, sha256: imp.content_hash, ...applied, involvements }, children },
      );
    });
  } catch (e) {
    if (e instanceof NotApplying) throw e;
    const message = e instanceof ValidationError ? e.errors.map((x) => x.text).join('; ') : (e as Error).message;
    // Never over an apply that succeeded; the failed file's content is purged.
    await db
      .updateTable('imports')
      .set({ status: 'failed', error: `Nothing was applied: ${message}`, content: null })
      .where('id', '=', importId)
      .where('status', '=', 'applying')
      .execute();
    throw e;
  }
}

/** Registers the dry run and apply with the job runner (the app does this when it builds the routes). */
export function registerImportJobs(jobs: Jobs): void {
  jobs.register(DRY_RUN_JOB, async (payload, ctx) => {
    const db = ctx.db;
    const { importId } = payload as { importId: string };
    try {
      return await dryRun(db, importId, ctx.progress);
    } catch (e) {
      // A failed file is not kept: its content is purged with the failure.
      await db
        .updateTable('imports')
        .set({ status: 'failed', error: (e as Error).message, content: null })
        .where('id', '=', importId)
        .where('status', '=', 'checking')
        .execute();
      throw e;
    }
  });
  jobs.register(APPLY_JOB, async (payload, ctx) => {
    const { importId, actor } = payload as { importId: string; actor: Actor };
    return applyImport(ctx.db, importId, actor, { progress: ctx.progress });
  });
}

// ---------------------------------------------------------------------------------------------
// The report

// Who learns what from a dry run. A row's outcome says whether the person in it is on the register
// (link, update, no change) or not (new record, needs review); whoever uploads a file knows whom
// each row names, so the outcome alone would tell someone who may not see a child (a finance
// officer holds records:import) that a named child is on the register of disabled children. So a
// row matched to a child is disclosed, with the child's name and a link, only to someone the
// sharing rule lets see that child (visibleChild, the rule used for every list). Every other valid
// row (new, needs review, or matched to a child the person may not see) reads the same, "Valid",
// with the same reason, and the counts are made from what each person is shown: "Valid" then
// means "added or matched", never "matched". New and needs-review rows are never disclosed,
// because if they were, "Valid" would mean "matched to a child you may not see". Invalid rows
// depend on the file alone and are always shown. The operator's command line (cli.ts) passes no
// viewer and sees every outcome. The apply's own summary (created, linked, updated) is not
// masked: applying is a recorded change to each child (audited and listed in its "who has
// looked"), not a silent question.

/** The outcome shown for a valid row whose match is not disclosed to the person reading. */
export const UNDISCLOSED = 'valid';
export const UNDISCLOSED_TEXT = 'Valid';
export const UNDISCLOSED_REASON =
  'Will be added to the register, or matched to a record on it, when the file is applied. Whether it matches a record is shown only to people who may see that record';

export interface ReportRow {
  row_number: number;
  record_id: string | null;
  outcome: Outcome | typeof UNDISCLOSED;
  probability: number | null;
  reason: string;
  problems: string;
  /** The matched child, when the person reading may see them. */
  child: { id: string; name: string } | null;
}

const rowsWithChild = (db: Db, importId: string, viewer: Viewer) =>
  db
    .selectFrom('import_rows as r')
    .leftJoin('children as c', (j) => j.onRef('c.id', '=', 'r.child_id').on(visibleChild(viewer, 'c')))
    .where('r.import_id', '=', importId);

/**
 * The report's rows in file order. With a viewer, each row as that person may see it (above);
 * `outcome` may then be `valid` to list the undisclosed rows. Never the child's register id in
 * anything a records:import holder without casework reads: finance references begin with it.
 */
export async function reportRows(
  db: Db,
  importId: string,
  opts: { outcome?: string; limit?: number; offset?: number } = {},
  viewer?: Viewer,
): Promise<ReportRow[]> {
  if (!viewer) {
    let q = db
      .selectFrom('import_rows')
      .select(['row_number', 'record_id', 'outcome', 'probability', 'reason', 'problems'])
      .where('import_id', '=', importId)
      .orderBy('row_number');
    if (opts.outcome) q = q.where('outcome', '=', opts.outcome as Outcome);
    if (opts.limit) q = q.limit(opts.limit).offset(opts.offset ?? 0);
    return (await q.execute()).map((r) => ({ ...r, child: null }));
  }
  let q = rowsWithChild(db, importId, viewer)
    .select(['r.row_number', 'r.record_id', 'r.outcome', 'r.probability', 'r.reason', 'r.problems', 'c.id as child_id', 'c.given_name', 'c.family_name'])
    .orderBy('r.row_number');
  if (opts.outcome === 'invalid') q = q.where('r.outcome', '=', 'invalid');
  else if (opts.outcome === UNDISCLOSED) q = q.where('r.outcome', '!=', 'invalid').where('c.id', 'is', null);
  else if (opts.outcome) q = q.where('r.outcome', '=', opts.outcome as Outcome).where('c.id', 'is not', null);
  if (opts.limit) q = q.limit(opts.limit).offset(opts.offset ?? 0);
  return (await q.execute()).map(({ child_id, given_name, family_name, ...r }) =>
    r.outcome === 'invalid' || child_id
      ? { ...r, child: child_id ? { id: child_id, name: `${given_name ?? ''} ${family_name ?? ''}`.trim() } : null }
      : { ...r, outcome: UNDISCLOSED, probability: null, reason: UNDISCLOSED_REASON, child: null },
  );
}

/** How many rows of each outcome the viewer is shown (see reportRows): undisclosed ones count as `valid`. */
export async function reportCounts(db: Db, importId: string, viewer: Viewer): Promise<Record<string, number>> {
  const groups = await rowsWithChild(db, importId, viewer)
    .select((eb) => ['r.outcome', eb.fn.countAll<string>().as('n'), eb.fn.count<string>('c.id').as('shown')])
    .groupBy('r.outcome')
    .execute();
  const counts: Record<string, number> = {};
  for (const g of groups) {
    const n = Number(g.n);
    const shown = g.outcome === 'invalid' ? n : Number(g.shown);
    if (shown) counts[g.outcome] = shown;
    if (n > shown) counts[UNDISCLOSED] = (counts[UNDISCLOSED] ?? 0) + n - shown;
  }
  return counts;
}

/** A CSV cell, with spreadsheet formulas neutralised (a leading = + - @ is prefixed with '). */
export function csvCell(v: unknown): string {
  let s = textOf(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report as CSV: one line per row of the file (and one per problem of an invalid row), as the viewer may see it. */
export async function reportCsv(db: Db, importId: string, viewer?: Viewer): Promise<string> {
  return reportCsvOf(await reportRows(db, importId, {}, viewer));
}

/** The CSV of rows already read (so a route can also list the children they disclose). */
export function reportCsvOf(rows: ReportRow[]): string {
  const lines = [['row', 'record_id', 'outcome', 'column', 'reason', 'match_probability'].join(',')];
  for (const r of rows) {
    const problems = JSON.parse(r.problems) as { column: string; message: string }[];
    if (r.outcome === 'invalid' && problems.length) {
      for (const p of problems) lines.push([r.row_number + 1, r.record_id, r.outcome, p.column, p.message, ''].map(csvCell).join(','));
    } else {
      lines.push([r.row_number + 1, r.record_id, r.outcome, '', r.reason, r.probability === null ? '' : r.probability.toFixed(4)].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
