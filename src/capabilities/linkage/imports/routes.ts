// The imports pages, for the data officer ('records:import'): agency sources with their column
// mappings, uploading an extract, the dry run's progress and row-by-row report, and the apply.
// These pages name rows by their row number and the agency's record id, never by a child's
// name: a data officer is not a caseworker, and the sharing rule gives them no child's record.
import { createHash } from 'node:crypto';
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { DATE_FORMATS, FIELDS, FIELD_KEYS, OUTCOMES, SOURCE_KINDS, type Outcome } from './fields.js';
import { MAX_MB } from './rules.js';
import { applyForm, sourceForm, toSourceInput } from './schema.js';
import * as imports from './service.js';
import { countQueue } from '../matching-review/index.js';
import { viewerOf } from '../../record/sharing/index.js';
import { formText } from '../../../platform/http/form-values.js';

const V = 'linkage/imports/views/';
/** Every outcome a row can be shown with: the dry run's own, and `valid` for a match not disclosed to the reader. */
const SHOWN_OUTCOMES = { ...OUTCOMES, [imports.UNDISCLOSED]: imports.UNDISCLOSED_TEXT } as Record<Outcome | typeof imports.UNDISCLOSED, string>;
const ACCESS = 'records:import' as const;

/** What the multipart parser leaves in the body for the file field (see app.ts). */
export interface UploadedFile {
  filename: string;
  data: Buffer;
  truncated: boolean;
}
const isUpload = (v: unknown): v is UploadedFile => typeof v === 'object' && v !== null && 'filename' in v && 'data' in v;

// A source's organisation gains an involvement with every child its extracts touch, widening who
// sees them: only someone who manages organisations may set or change it (ADR 0010).
const mayLinkOrganisation = (ctx: SignedInContext) => Boolean(ctx.user?.permissions.has('organisations:manage'));

const organisations = (ctx: SignedInContext) => ctx.db.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).orderBy('name').execute();

export function importsRoutes(deps: CapabilityDeps): RouteSpec[] {
  imports.registerImportJobs(deps.jobs);

  const homePage = async (ctx: SignedInContext, errors?: FieldError[], values: Record<string, unknown> = {}): Promise<RouteResult> => ({
    view: `${V}home.njk`,
    data: {
      pageTitle: 'Imports',
      sources: await imports.listSources(ctx.db),
      recent: (await imports.listImports(ctx.db)).map((i) => ({ ...i, summary: i.summary ? (JSON.parse(i.summary) as imports.ImportSummary) : null })),
      queue: await countQueue(ctx.db),
      maxMb: MAX_MB,
      values,
      errors,
      kinds: SOURCE_KINDS,
    },
  });

  const sourcePage = async (ctx: SignedInContext, values: Record<string, unknown>, errors?: FieldError[], id?: string): Promise<RouteResult> => ({
    view: `${V}source.njk`,
    data: {
      pageTitle: id ? `Change ${formText(values.name) || 'the source'}` : 'Add an agency source',
      id,
      values,
      errors,
      organisations: await organisations(ctx),
      canSetOrganisation: mayLinkOrganisation(ctx),
      kinds: SOURCE_KINDS,
      dateFormats: DATE_FORMATS,
      fields: FIELD_KEYS.map((f) => ({ key: f, label: FIELDS[f].label, required: FIELDS[f].required })),
    },
  });

  const sourceValues = (s: imports.Source) => ({
    name: s.name,
    organisationId: s.organisation_id ?? '',
    kind: s.kind,
    recordIdColumn: s.record_id_column,
    birthDateFormat: s.birth_date_format,
    version: s.version,
    matchThreshold: String(Math.round(s.thresholds.matchThreshold * 1000) / 10),
    reviewLower: String(Math.round(s.thresholds.reviewLower * 1000) / 10),
    ...Object.fromEntries(FIELD_KEYS.map((f) => [`column-${f}`, s.mapping[f] ?? ''])),
  });

  const readSource = (ctx: SignedInContext) => toSourceInput(parseForm(sourceForm, ctx.body));

  const importPage = async (ctx: SignedInContext, errors?: FieldError[]): Promise<RouteResult> => {
    const imp = await imports.getImport(ctx.db, ctx.param('id'));
    const outcome = ctx.query.outcome && Object.hasOwn(SHOWN_OUTCOMES, ctx.query.outcome) ? (ctx.query.outcome as keyof typeof SHOWN_OUTCOMES) : undefined;
    // Each row and count as this person may see it: a match is disclosed only to someone who may see the child (see reportRows).
    const viewer = viewerOf(ctx.user);
    const rows = imp.status === 'checking' ? [] : await imports.reportRows(ctx.db, imp.id, { outcome, limit: 500 }, viewer);
    const counts = imp.summary?.counts ? await imports.reportCounts(ctx.db, imp.id, viewer) : undefined;
    const jobId = imp.status === 'applying' ? imp.apply_job_id : imp.status === 'checking' ? imp.dry_run_job_id : null;
    const job = jobId ? await deps.jobs.get(ctx.db, Number(jobId)) : undefined;
    ctx.audit.subjectType = 'import';
    ctx.audit.subjectId = imp.id;
    // The children named on the page: each one's "who has looked" lists this view.
    ctx.audit.children = [...new Set(rows.flatMap((r) => (r.child ? [r.child.id] : [])))];
    return {
      view: `${V}import.njk`,
      data: {
        pageTitle: `Import of ${imp.file_name}`,
        imp,
        job,
        rows: rows.map((r) => ({
          ...r,
          fileRow: r.row_number + 1,
          outcomeText: SHOWN_OUTCOMES[r.outcome],
          problems: JSON.parse(r.problems) as { column: string; message: string }[],
        })),
        outcome,
        // Only the outcomes this person is shown rows of, so "New record: 0 rows" never sits beside "Valid".
        outcomes: Object.fromEntries(Object.entries(SHOWN_OUTCOMES).filter(([k]) => counts?.[k])),
        undisclosedReason: imports.UNDISCLOSED_REASON,
        counts,
        applied: imp.summary?.applied,
        // What applying will do, counted as the apply counts (rows sent to review are new records
        // too); only for someone shown every row's outcome, as the counts by outcome are.
        planned:
          imp.status === 'checked' && imp.summary?.planned && counts && !counts[imports.UNDISCLOSED]
            ? imports.plannedText(imp.summary.planned, imp.summary.plannedForReview ?? 0)
            : null,
        errors,
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.imports.home,
      access: ACCESS,
      audit: 'imports.home',
      handler: (ctx) => homePage(ctx),
    },
    ...formRoutes({
      url: paths.imports.newSource,
      access: ACCESS,
      audit: { show: 'imports.source.form', send: 'imports.source.create' },
      page: (ctx, values = { birthDateFormat: 'YYYY-MM-DD', matchThreshold: '90', reviewLower: '50' }, errors) => sourcePage(ctx, values, errors),
      read: readSource,
      send: async (ctx, input) => {
        if (!mayLinkOrganisation(ctx)) input.organisationId = null;
        const id = await imports.createSource(ctx.db, input, ctx.user.id);
        Object.assign(ctx.audit, { subjectType: 'import-source', subjectId: id, details: { name: input.name, mapping: input.mapping } });
        return { redirect: paths.imports.home };
      },
    }),
    ...formRoutes({
      url: paths.imports.source(),
      access: ACCESS,
      audit: { show: 'imports.source.view', send: 'imports.source.update' },
      page: async (ctx, values, errors) => {
        // As stored, or as typed when shown again.
        if (values) return sourcePage(ctx, values, errors, ctx.params.id);
        const s = await imports.getSource(ctx.db, ctx.param('id'));
        return sourcePage(ctx, sourceValues(s), undefined, s.id);
      },
      read: readSource,
      send: async (ctx, input) => {
        if (!mayLinkOrganisation(ctx)) input.organisationId = (await imports.getSource(ctx.db, ctx.param('id'))).organisation_id;
        await imports.updateSource(ctx.db, ctx.param('id'), input, input.version ?? -1);
        Object.assign(ctx.audit, { subjectType: 'import-source', subjectId: ctx.params.id, details: { name: input.name, mapping: input.mapping } });
        return { redirect: paths.imports.home };
      },
    }),
    {
      method: 'POST',
      url: paths.imports.upload,
      access: ACCESS,
      audit: 'imports.upload',
      handler: async (ctx) => {
        const sourceId = typeof ctx.body.sourceId === 'string' ? ctx.body.sourceId : '';
        const file = ctx.body.file;
        const errors: FieldError[] = [];
        if (!/^[0-9a-f-]{36}$/.test(sourceId)) errors.push({ text: 'Select the agency the file comes from', href: '#sourceId' });
        if (!isUpload(file) || !file.filename) errors.push({ text: 'Choose the file to upload', href: '#file' });
        else if (file.truncated)
          errors.push({
            text: `The file ${file.filename} is larger than ${MAX_MB} MB. Split the extract into smaller files and upload each one`,
            href: '#file',
          });
        if (errors.length) throw new ValidationError(errors);
        const f = file as UploadedFile;
        const id = await imports.uploadExtract(ctx.db, deps.jobs, ctx.user, sourceId, { name: f.filename, bytes: new Uint8Array(f.data) });
        // The content's hash, not its name: a file name can carry a child's name.
        Object.assign(ctx.audit, {
          subjectType: 'import',
          subjectId: id,
          details: { sha256: createHash('sha256').update(f.data).digest('hex'), bytes: f.data.length },
        });
        return { redirect: paths.imports.import(id) };
      },
      onInvalid: (ctx, errors) => homePage(ctx, errors, { sourceId: ctx.body.sourceId }),
    },
    {
      method: 'GET',
      url: paths.imports.import(),
      access: ACCESS,
      audit: 'imports.view',
      auditReads: true,
      handler: (ctx) => importPage(ctx),
    },
    {
      method: 'POST',
      url: paths.imports.apply(),
      access: ACCESS,
      audit: 'imports.apply.request',
      handler: async (ctx) => {
        const form = parseForm(applyForm, ctx.body);
        const u = ctx.user;
        const jobId = await imports.requestApply(
          ctx.db,
          deps.jobs,
          ctx.param('id'),
          { userId: u.id, organisationId: u.organisationId, roles: [...u.roles] },
          form.leaveOutInvalid === 'yes',
        );
        Object.assign(ctx.audit, { subjectType: 'import', subjectId: ctx.params.id, details: { jobId, leaveOutInvalid: form.leaveOutInvalid === 'yes' } });
        return { redirect: paths.imports.import(ctx.params.id) };
      },
      onInvalid: (ctx, errors) => importPage(ctx, errors),
    },
    {
      method: 'GET',
      url: paths.imports.report(),
      access: ACCESS,
      audit: 'imports.report.download',
      auditReads: true,
      handler: async (ctx) => {
        const imp = await imports.getImport(ctx.db, ctx.param('id'));
        const viewer = viewerOf(ctx.user);
        // The children whose match the report discloses to this person (see reportRows): each one's "who has looked" lists the download.
        const rows = await imports.reportRows(ctx.db, imp.id, {}, viewer);
        Object.assign(ctx.audit, { subjectType: 'import', subjectId: imp.id, children: [...new Set(rows.flatMap((r) => (r.child ? [r.child.id] : [])))] });
        const name = imp.file_name.replace(/\.[a-z0-9]+$/i, '').replace(/[^A-Za-z0-9_-]+/g, '-');
        return {
          contentType: 'text/csv; charset=utf-8',
          body: `\uFEFF${imports.reportCsvOf(rows)}`,
          headers: { 'content-disposition': `attachment; filename="report-${name}.csv"` },
        };
      },
    },
  ];
}
