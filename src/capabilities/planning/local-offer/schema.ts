// The Local Offer's boundaries: the public search's query, a postcode file, and a provider's entry
// form. Each problem is a plain-English error pointing at its field.
import { parse } from 'csv-parse/sync';
import type { FieldError } from '../../../platform/http/errors.js';
import { formList, formText } from '../../../platform/http/form-values.js';
import { isNeedCode, normalisePostcode } from '../../record/children/index.js';
import { ACCESS_ROUTES, ageRangeProblem, DISTANCES, SCHEDULE_2_ITEMS, SUPPORT_TYPES } from './rules.js';

export interface SearchCriteria {
  q: string;
  age: number | null;
  needs: string[];
  support: string[];
  cost: 'free' | 'paid' | null;
  postcode: string | null;
  distance: number;
  page: number;
}

export const AGE_PROBLEM = 'Enter the age as a whole number of years from 0 to 25, like 8';
export const POSTCODE_PROBLEM = 'Enter a full postcode, like DM1 4AB';
export const unknownPostcode = (p: string) => `We do not know the postcode ${p}. Check it, or search without a postcode`;

/** The public search's query string, read without trusting it: unknown options are dropped, typed values checked. */
export function parseSearch(query: Record<string, unknown>): { criteria: SearchCriteria; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const ageText = formText(query.age);
  let age: number | null = null;
  if (ageText !== '') {
    if (/^[0-9]{1,2}$/.test(ageText) && Number(ageText) <= 25) age = Number(ageText);
    else errors.push({ text: AGE_PROBLEM, href: '#age' });
  }
  const postcodeText = formText(query.postcode);
  let postcode: string | null = null;
  if (postcodeText !== '') {
    postcode = normalisePostcode(postcodeText);
    if (!postcode) errors.push({ text: POSTCODE_PROBLEM, href: '#postcode' });
  }
  const distance = Number(formText(query.distance));
  const cost = formText(query.cost);
  const page = Number(formText(query.page));
  return {
    criteria: {
      q: formText(query.q).slice(0, 200),
      age,
      needs: [...new Set(formList(query.need).filter(isNeedCode))],
      support: [...new Set(formList(query.support).filter((s) => Object.hasOwn(SUPPORT_TYPES, s)))],
      cost: cost === 'free' || cost === 'paid' ? cost : null,
      postcode,
      distance: (DISTANCES as readonly number[]).includes(distance) ? distance : 5,
      page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
    },
    errors,
  };
}

/** The search as a query string (for pagination and "remove this filter" links). */
export function searchQuery(c: SearchCriteria, change: Partial<SearchCriteria> = {}): string {
  const v = { ...c, ...change };
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.age !== null) p.set('age', String(v.age));
  for (const n of v.needs) p.append('need', n);
  for (const s of v.support) p.append('support', s);
  if (v.cost) p.set('cost', v.cost);
  if (v.postcode) {
    p.set('postcode', v.postcode);
    p.set('distance', String(v.distance));
  }
  if (v.page > 1) p.set('page', String(v.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

// ---------------------------------------------------------------------------------------------
// A postcode file: postcode,lat,long (the ONS Postcode Directory's pcds,lat,long also read)

export class PostcodeFileError extends Error {}

/** Reads a postcode-to-coordinates CSV; every bad row is named, and nothing is loaded if any is bad. */
export function parsePostcodeCsv(text: string): { postcode: string; latitude: number; longitude: number }[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new PostcodeFileError(`The file is not a readable CSV: ${(e as Error).message}`);
  }
  const first = records[0];
  if (!first) throw new PostcodeFileError('The file has no rows');
  const col = (names: string[]) => names.find((n) => n in first);
  const pc = col(['postcode', 'pcds', 'pcd']);
  const lat = col(['lat', 'latitude']);
  const lon = col(['long', 'longitude', 'lng', 'lon']);
  if (!pc || !lat || !lon) throw new PostcodeFileError('The file needs the columns postcode, lat and long');
  const problems: string[] = [];
  const out: { postcode: string; latitude: number; longitude: number }[] = [];
  records.forEach((r, i) => {
    const row = i + 2;
    const postcode = normalisePostcode(r[pc] ?? '');
    const latitude = Number(r[lat]);
    const longitude = Number(r[lon]);
    if (!postcode) problems.push(`Row ${row}: "${r[pc] ?? ''}" is not a postcode`);
    else if (r[lat] === '' || !Number.isFinite(latitude) || latitude < -90 || latitude > 90)
      problems.push(`Row ${row}: the latitude must be a number from -90 to 90`);
    else if (r[lon] === '' || !Number.isFinite(longitude) || longitude < -180 || longitude > 180)
      problems.push(`Row ${row}: the longitude must be a number from -180 to 180`);
    else out.push({ postcode, latitude, longitude });
  });
  if (problems.length)
    throw new PostcodeFileError(
      `${problems.length} row${problems.length === 1 ? '' : 's'} could not be read (nothing was loaded):\n${problems.slice(0, 20).join('\n')}`,
    );
  return out;
}

// ---------------------------------------------------------------------------------------------
// A provider's entry

export interface EntryForm {
  name: string;
  description: string;
  url: string | null;
  email: string | null;
  phone: string | null;
  minimumAge: number | null;
  maximumAge: number | null;
  needs: string[];
  supportTypes: string[];
  schedule2: string[];
  access: string[];
  howToAccess: string;
  free: boolean;
  costPence: number | null;
  costDescription: string | null;
  addressLine: string | null;
  city: string | null;
  postcode: string | null;
  accessibility: string | null;
  when: string | null;
}

const optional = (v: unknown, max: number) => {
  const t = formText(v);
  return t === '' ? null : t.slice(0, max);
};

/** Reads a provider's entry form; every problem is named against its field. Postcodes are checked against the table by the caller. */
export function parseEntryForm(body: Record<string, unknown>): { form: EntryForm; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = formText(body.name);
  if (!name) errors.push({ text: 'Enter the name of the service', href: '#name' });
  else if (name.length > 200) errors.push({ text: 'The name must be 200 characters or fewer', href: '#name' });
  const description = formText(body.description);
  if (!description) errors.push({ text: 'Describe the service', href: '#description' });
  const ages = ['minimumAge', 'maximumAge'].map((f) => {
    const t = formText(body[f]);
    if (t === '') return null;
    if (!/^[0-9]{1,2}$/.test(t) || Number(t) > 25) {
      errors.push({ text: 'Ages must be whole years from 0 to 25', href: `#${f}` });
      return null;
    }
    return Number(t);
  }) as [number | null, number | null];
  const agesWrong = ageRangeProblem(ages[0], ages[1]);
  if (agesWrong && !errors.some((e) => e.href === '#minimumAge' || e.href === '#maximumAge')) errors.push({ text: agesWrong, href: '#minimumAge' });
  const pick = (field: string, allowed: Record<string, string>) => [...new Set(formList(body[field]).filter((c) => Object.hasOwn(allowed, c)))];
  const needs = [...new Set(formList(body.needs).filter(isNeedCode))];
  const supportTypes = pick('supportTypes', SUPPORT_TYPES);
  if (supportTypes.length === 0) errors.push({ text: 'Select the type of support the service gives', href: '#supportTypes' });
  const schedule2 = pick('schedule2', SCHEDULE_2_ITEMS);
  const access = pick('access', ACCESS_ROUTES);
  if (access.length === 0) errors.push({ text: 'Select how families can get the service', href: '#access' });
  const howToAccess = formText(body.howToAccess).slice(0, 2000);
  const email = optional(body.email, 200);
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    errors.push({ text: 'Enter an email address in the correct format, like name@example.org', href: '#email' });
  const url = optional(body.url, 500);
  if (url && !/^https?:\/\/[^\s]+\.[^\s]+$/.test(url)) errors.push({ text: 'Enter a website address starting with https://', href: '#url' });
  const cost = formText(body.cost);
  let costPence: number | null = null;
  if (cost !== 'free' && cost !== 'paid') errors.push({ text: 'Say whether the service is free or costs money', href: '#cost' });
  if (cost === 'paid') {
    const amount = formText(body.costAmount).replace(/^£/, '');
    if (!/^[0-9]{1,5}(\.[0-9]{2})?$/.test(amount) || Number(amount) <= 0)
      errors.push({ text: 'Enter the cost in pounds, like 5 or 4.50', href: '#costAmount' });
    else costPence = Math.round(Number(amount) * 100);
  }
  const postcodeText = formText(body.postcode);
  const postcode = postcodeText ? normalisePostcode(postcodeText) : null;
  if (postcodeText && !postcode) errors.push({ text: POSTCODE_PROBLEM, href: '#postcode' });
  const addressLine = optional(body.addressLine, 200);
  if (addressLine && !postcodeText) errors.push({ text: 'Enter the postcode of the address', href: '#postcode' });
  return {
    form: {
      name,
      description: description.slice(0, 5000),
      url,
      email,
      phone: optional(body.phone, 40),
      minimumAge: ages[0],
      maximumAge: ages[1],
      needs,
      supportTypes,
      schedule2,
      access,
      howToAccess,
      free: cost === 'free',
      costPence: cost === 'free' ? 0 : costPence,
      costDescription: optional(body.costDescription, 200),
      addressLine,
      city: optional(body.city, 100),
      postcode,
      accessibility: optional(body.accessibility, 1000),
      when: optional(body.when, 500),
    },
    errors,
  };
}
