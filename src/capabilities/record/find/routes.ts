// Search, lists and exports of the children a person may see.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { viewerOf } from '../sharing/index.js';
import { activeCriteria, NEED_CODES, STATUSES } from '../children/index.js';
import { AGE_BANDS } from './rules.js';
import { filtersUsed, formValues, parseListOptions, parseSearch, type FormValues, type ListOptions } from './schema.js';
import { exportChildren, findChildren, listLocalities, PAGE_SIZE, type ResultPage } from './service.js';
import { count, EXPORT_COLUMNS, pagination, resultRows, resultSummary, searchQuery, sortHeaders } from './presenters.js';
import { toCsv, toXlsx } from './export.js';

const V = 'record/find/views/';

const options = (entries: [string, string][], selected: string | undefined, first?: [string, string]) =>
  [...(first ? [first] : []), ...entries].map(([value, text]) => ({ value, text, selected: value === (selected ?? '') }));

async function listPage(
  ctx: SignedInContext,
  values: FormValues,
  errors?: FieldError[],
  found?: { result: ResultPage; opts: ListOptions },
): Promise<RouteResult> {
  const [localities, criteria] = await Promise.all([listLocalities(ctx.db), activeCriteria(ctx.db)]);
  const user = ctx.user;
  const searched = Object.keys(values).length > 0;
  return {
    view: `${V}list.njk`,
    data: {
      pageTitle: 'Children and young people',
      values,
      errors,
      dobError: errors?.find((e) => e.href.startsWith('#dateOfBirth-')),
      needItems: options(Object.entries(NEED_CODES), values.need, ['', 'Any primary need']),
      ageItems: options(
        Object.entries(AGE_BANDS).map(([k, b]) => [k, b.label]),
        values.age,
        ['', 'Any age'],
      ),
      localityItems: options(
        localities.map((l) => [l.id, l.name]),
        values.locality,
        ['', 'Any locality'],
      ),
      criterionItems: options(
        criteria.map((c) => [c.id, c.description]),
        values.criterion,
        ['', 'Any'],
      ),
      keyWorkerItems: options([['me', 'Only children I am key worker for']], values.keyWorker, ['any', 'Any key worker']),
      statusItems: options([...Object.entries(STATUSES), ['all', 'Any status']], values.status ?? 'active'),
      ehcPlanItems: options(
        [
          ['yes', 'With an EHC plan'],
          ['no', 'Without an EHC plan'],
        ],
        values.ehcPlan,
        ['any', 'With or without'],
      ),
      searched,
      canRegister: user.permissions.has('children:register'),
      ...(found
        ? {
            result: found.result,
            summary: resultSummary(found.result, PAGE_SIZE),
            totalText: count(found.result.total),
            rows: resultRows(found.result.rows),
            headers: sortHeaders(values, found.opts),
            byMatch: found.opts.sort === 'match',
            pagination: pagination(values, found.opts, found.result),
            exports: user.permissions.has('children:export')
              ? {
                  csv: `${paths.children.export}${searchQuery(values, { format: 'csv', sort: found.opts.sort, order: found.opts.order })}`,
                  xlsx: `${paths.children.export}${searchQuery(values, { format: 'xlsx', sort: found.opts.sort, order: found.opts.order })}`,
                }
              : null,
          }
        : {}),
    },
  };
}

/** The search a list and its export share; any part wrong (and any of `problems`) refuses it, shown on the list. */
function readSearch(query: Record<string, unknown>, problems: FieldError[] = []) {
  const values = formValues(query);
  const { criteria, errors } = parseSearch(values);
  errors.push(...problems);
  if (errors.length) throw new ValidationError(errors);
  return { values, criteria, opts: parseListOptions(query, criteria) };
}
const listAgain = (ctx: SignedInContext, errors: FieldError[]) => listPage(ctx, formValues(ctx.query), errors);

export function findRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: paths.children.list,
      access: 'children:view',
      audit: 'children.search',
      // Results show children's names and dates of birth. The audit records which searches and
      // filters were used and how many children were found, never what was typed.
      auditReads: true,
      handler: async (ctx) => {
        const { values, criteria, opts } = readSearch(ctx.query);
        const result = await findChildren(ctx.db, viewerOf(ctx.user), criteria, opts);
        ctx.audit.details = { filters: filtersUsed(criteria), results: result.total, page: result.page, sort: opts.sort };
        // The children shown on this page of results: each one's "who has looked" lists the search.
        ctx.audit.children = result.rows.map((r) => r.id);
        return listPage(ctx, values, undefined, { result, opts });
      },
      onInvalid: listAgain,
    },
    {
      method: 'GET',
      url: paths.children.export,
      access: 'children:export',
      audit: 'children.export',
      auditReads: true,
      handler: async (ctx) => {
        const format = ctx.query.format;
        const problems = format === 'csv' || format === 'xlsx' ? [] : [{ text: 'Choose to download the results as CSV or Excel', href: '#main-content' }];
        const { criteria, opts } = readSearch(ctx.query, problems);
        const now = new Date();
        // Read from the read replica when there is one (DATABASE_READ_URL); the audit entry goes to the primary.
        const rows = await exportChildren(ctx.readDb, viewerOf(ctx.user), criteria, opts.sort, opts.order, now);
        ctx.audit.details = { format, filters: filtersUsed(criteria), rows: rows.length };
        ctx.audit.children = rows.map((r) => r.id);
        const name = `children-${todayInLondon(now)}.${format}`;
        const headers = { 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' };
        if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: toCsv(EXPORT_COLUMNS, rows), headers };
        return {
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          body: await toXlsx('Children', EXPORT_COLUMNS, rows, now),
          headers,
        };
      },
      onInvalid: listAgain,
    },
  ];
}
