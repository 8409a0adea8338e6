// The search form (a GET form: its fields are the page's query string) and the list options.
import type { FieldError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { isNeedCode, isStatus, nameTokens, parseNhsNumber, parseUpn, type NeedCode, type Status } from '../children/index.js';
import { dateFromParts } from '../../../platform/date-input.js';
import { MAX_WORDS } from './names.js';
import { isAgeBand, parsePostcodeSearch, type AgeBand, type PostcodeSearch } from './rules.js';

export interface SearchCriteria {
  /** Words of a name, normalised like children.search_names. */
  name?: string[];
  dateOfBirth?: string;
  nhsNumber?: string;
  upn?: string;
  postcode?: PostcodeSearch;
  need?: NeedCode;
  age?: AgeBand;
  locality?: string;
  /** A criterion of the area's common definition of disability the child meets. */
  criterion?: string;
  keyWorker: 'any' | 'me';
  status: Status | 'all';
  ehcPlan: 'any' | 'yes' | 'no';
}

export const SORTS = ['match', 'name', 'dob', 'joined'] as const;
export type Sort = (typeof SORTS)[number];
export type Order = 'asc' | 'desc';
export interface ListOptions {
  sort: Sort;
  order: Order;
  page: number;
}

/** What was typed, kept to show the form again and to build links (pagination, sorting, export). */
export const FORM_FIELDS = [
  'name',
  'dateOfBirth-day',
  'dateOfBirth-month',
  'dateOfBirth-year',
  'nhsNumber',
  'upn',
  'postcode',
  'need',
  'age',
  'locality',
  'criterion',
  'keyWorker',
  'status',
  'ehcPlan',
] as const;
export type FormValues = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

const first = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

export function formValues(query: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of FORM_FIELDS) {
    const v = first(query[f]).trim();
    if (v) out[f] = v.slice(0, 200);
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads the search form. Every problem has its own message, linked to its field; nothing typed is
 * ever repeated into the audit log (only which fields were used, see filtersUsed()).
 */
export function parseSearch(values: FormValues, now = new Date()): { criteria: SearchCriteria; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (field: string, text: string) => errors.push({ text, href: `#${field}` });
  const criteria: SearchCriteria = { keyWorker: 'any', status: 'active', ehcPlan: 'any' };

  if (values.name) {
    const words = nameTokens(values.name);
    if (values.name.length > 100) fail('name', 'Name must be 100 characters or fewer');
    else if (!words.some((w) => Array.from(w).length >= 2)) fail('name', 'Enter at least 2 letters of the name');
    else if (words.length > MAX_WORDS) fail('name', `Enter ${MAX_WORDS} names or fewer`);
    else criteria.name = words;
  }

  const dob = dateFromParts({ day: values['dateOfBirth-day'], month: values['dateOfBirth-month'], year: values['dateOfBirth-year'] });
  if (dob.ok) {
    if (dob.value > todayInLondon(now)) fail('dateOfBirth-day', 'Date of birth must be today or in the past');
    else criteria.dateOfBirth = dob.value;
  } else if (dob.problem.kind === 'incomplete') {
    const missing = dob.problem.missing;
    const text =
      missing.length === 1
        ? `Date of birth must include a ${missing[0]}`
        : `Date of birth must include a ${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
    fail(`dateOfBirth-${missing[0]}`, text);
  } else if (dob.problem.kind === 'not-real') {
    fail('dateOfBirth-day', 'Date of birth must be a real date, like 27 3 2015');
  }

  if (values.nhsNumber) {
    const n = parseNhsNumber(values.nhsNumber);
    if (n.ok) criteria.nhsNumber = n.value;
    else if (n.problem === 'format') fail('nhsNumber', 'Enter the NHS number as 10 digits, like 943 476 5919');
    else fail('nhsNumber', 'Enter a valid NHS number: this one fails the NHS number check, so check it has been copied correctly');
  }

  if (values.upn) {
    const u = parseUpn(values.upn);
    if (u.ok) criteria.upn = u.value;
    else if (u.problem === 'format') fail('upn', 'Enter the UPN as a letter followed by 12 characters, like X201200024001');
    else fail('upn', 'Enter a valid UPN: its check letter does not match, so check it has been copied correctly');
  }

  if (values.postcode) {
    const p = parsePostcodeSearch(values.postcode);
    if (p) criteria.postcode = p;
    else fail('postcode', 'Enter a full postcode, like DM1 4AB, or the first part of one, like DM1');
  }

  if (values.need) {
    if (isNeedCode(values.need)) criteria.need = values.need;
    else fail('need', 'Select a primary need from the list');
  }
  if (values.age) {
    if (isAgeBand(values.age)) criteria.age = values.age;
    else fail('age', 'Select an age band from the list');
  }
  if (values.locality) {
    if (UUID.test(values.locality)) criteria.locality = values.locality;
    else fail('locality', 'Select a locality from the list');
  }
  if (values.criterion) {
    if (UUID.test(values.criterion)) criteria.criterion = values.criterion;
    else fail('criterion', 'Select a criterion of the definition of disability from the list');
  }
  if (values.keyWorker) {
    if (values.keyWorker === 'any' || values.keyWorker === 'me') criteria.keyWorker = values.keyWorker;
    else fail('keyWorker', 'Select whose children to show');
  }
  if (values.status) {
    if (values.status === 'all' || isStatus(values.status)) criteria.status = values.status;
    else fail('status', 'Select a status from the list');
  }
  if (values.ehcPlan) {
    if (values.ehcPlan === 'any' || values.ehcPlan === 'yes' || values.ehcPlan === 'no') criteria.ehcPlan = values.ehcPlan;
    else fail('ehcPlan', 'Select whether they have an EHC plan');
  }
  return { criteria, errors };
}

/** Sorting and the page number; anything unexpected falls back to the default. */
export function parseListOptions(query: Record<string, unknown>, criteria: SearchCriteria): ListOptions {
  const sortText = first(query.sort);
  const fallback: Sort = criteria.name ? 'match' : 'name';
  let sort: Sort = (SORTS as readonly string[]).includes(sortText) ? (sortText as Sort) : fallback;
  if (sort === 'match' && !criteria.name) sort = 'name';
  const order: Order = first(query.order) === 'desc' && sort !== 'match' ? 'desc' : 'asc';
  const pageText = first(query.page);
  const page = /^[0-9]{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
  return { sort, order, page };
}

/** Which searches and filters were used, by name only: what the audit log records. */
export function filtersUsed(c: SearchCriteria): string[] {
  const out: string[] = [];
  if (c.name) out.push('name');
  if (c.dateOfBirth) out.push('date of birth');
  if (c.nhsNumber) out.push('NHS number');
  if (c.upn) out.push('UPN');
  if (c.postcode) out.push(c.postcode.kind === 'full' ? 'postcode' : 'postcode district');
  if (c.need) out.push('primary need');
  if (c.age) out.push('age band');
  if (c.locality) out.push('locality');
  if (c.criterion) out.push('definition of disability');
  if (c.keyWorker === 'me') out.push('key worker');
  if (c.status !== 'active') out.push('status');
  if (c.ehcPlan !== 'any') out.push('EHC plan');
  return out;
}
