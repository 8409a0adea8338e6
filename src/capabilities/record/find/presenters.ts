// Shaping search results for the page and the exports: plain-English labels, links that keep the
// search, sortable column headers and the pagination component.
import { paginationItems } from '../../../platform/views/items.js';
import { longDate, ageOn, todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import { formatNhsNumber, NEED_CODES, STATUSES, type NeedCode, type Status } from '../children/index.js';
import type { ExportColumn } from './export.js';
import { FORM_FIELDS, type FormValues, type ListOptions, type Order, type Sort } from './schema.js';
import type { ChildRow, ResultPage } from './service.js';

export const needLabel = (code: string | null) => (code ? (NEED_CODES[code as NeedCode] ?? code) : 'Not recorded');
export const statusLabel = (s: string) => STATUSES[s as Status] ?? s;

/** The query string of a search, with changes (undefined removes a parameter). */
export function searchQuery(values: FormValues, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const f of FORM_FIELDS) if (values[f]) p.set(f, values[f]);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const SORT_LABELS: Record<Exclude<Sort, 'match'>, string> = { name: 'Name', dob: 'Date of birth', joined: 'Joined the register' };

/** Column headers that sort the results: a link each, with aria-sort on every sortable column. */
export function sortHeaders(values: FormValues, opts: ListOptions) {
  const headers = {} as Record<Exclude<Sort, 'match'>, { text: string; href: string; ariaSort: string }>;
  for (const key of Object.keys(SORT_LABELS) as Exclude<Sort, 'match'>[]) {
    const current = opts.sort === key;
    const next: Order = current && opts.order === 'asc' ? 'desc' : 'asc';
    headers[key] = {
      text: SORT_LABELS[key],
      href: `${paths.children.list}${searchQuery(values, { sort: key, order: next })}`,
      ariaSort: current ? (opts.order === 'asc' ? 'ascending' : 'descending') : 'none',
    };
  }
  return headers;
}

export function pagination(values: FormValues, opts: ListOptions, result: ResultPage) {
  if (result.pages <= 1) return null;
  const href = (n: number) => `${paths.children.list}${searchQuery(values, { sort: opts.sort, order: opts.order, page: n > 1 ? n : undefined })}`;
  return {
    ...(result.page > 1 ? { previous: { href: href(result.page - 1) } } : {}),
    ...(result.page < result.pages ? { next: { href: href(result.page + 1) } } : {}),
    items: paginationItems(result.page, result.pages).map((n) => (n === null ? { ellipsis: true } : { number: n, href: href(n), current: n === result.page })),
    landmarkLabel: 'Pages of results',
  };
}

/** A row of the results table: what a person reads. */
export function resultRow(r: ChildRow, today: string) {
  return {
    href: paths.children.record(r.id),
    name: `${r.given_name} ${r.family_name}`,
    knownAs: r.preferred_name && r.preferred_name !== r.given_name ? r.preferred_name : null,
    status: r.status === 'active' ? null : statusLabel(r.status),
    dateOfBirth: longDate(r.date_of_birth),
    age: ageOn(r.date_of_birth, today),
    need: needLabel(r.primary_need),
    ehcPlan: r.has_ehc_plan,
    locality: r.locality_name ?? 'Not known',
    keyWorker: r.key_worker_name ?? 'None',
    joined: longDate(r.joined_on),
  };
}

export const resultRows = (rows: readonly ChildRow[], now = new Date()) => {
  const today = todayInLondon(now);
  return rows.map((r) => resultRow(r, today));
};

/** 1,234: numbers over 999 with a comma, as GOV.UK writes them. */
export const count = (n: number) => n.toLocaleString('en-GB');

/** "Showing 26 to 50 of 1,103 children and young people". */
export function resultSummary(result: ResultPage, pageSize: number): string {
  const noun = result.total === 1 ? 'child or young person' : 'children and young people';
  if (result.total <= pageSize) return `${count(result.total)} ${noun}`;
  const from = (result.page - 1) * pageSize + 1;
  const to = Math.min(result.total, result.page * pageSize);
  return `Showing ${count(from)} to ${count(to)} of ${count(result.total)} ${noun}`;
}

/** The columns of an export, as a caseworker expects them. */
export const EXPORT_COLUMNS: ExportColumn<ChildRow>[] = [
  { header: 'Given name', value: (r) => r.given_name, width: 18 },
  { header: 'Family name', value: (r) => r.family_name, width: 18 },
  { header: 'Preferred name', value: (r) => r.preferred_name, width: 16 },
  { header: 'Date of birth', value: (r) => r.date_of_birth, date: true, width: 14 },
  { header: 'NHS number', value: (r) => (r.nhs_number ? formatNhsNumber(r.nhs_number) : null), width: 14 },
  { header: 'UPN', value: (r) => r.upn, width: 16 },
  { header: 'Postcode', value: (r) => r.postcode, width: 10 },
  { header: 'Primary need', value: (r) => (r.primary_need ? needLabel(r.primary_need) : null), width: 36 },
  { header: 'EHC plan', value: (r) => (r.has_ehc_plan ? 'Yes' : 'No'), width: 10 },
  { header: 'Locality', value: (r) => r.locality_name, width: 20 },
  { header: 'Key worker', value: (r) => r.key_worker_name, width: 22 },
  { header: 'Status', value: (r) => statusLabel(r.status), width: 18 },
  { header: 'Joined the register', value: (r) => r.joined_on, date: true, width: 14 },
];
