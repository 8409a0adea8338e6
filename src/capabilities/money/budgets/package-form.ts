// The package of support form's parts (terms, dates, the time-varying split), shared by the
// budgets' own package pages and the panel's decision form (capabilities/panel-decisions), so a
// package reads and fills the same wherever it is set up or changed.
import { fieldItems } from '../../../platform/views/items.js';
import type { Db } from '../../../platform/db/database.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { MAX_SPLIT_PARTS } from './schema.js';
import { categoryItems, dateItems } from './presenters.js';
import { penceToInput } from '../../../platform/money.js';
import type { Split } from './split.js';

type Values = Record<string, unknown>;

export interface PackageFormOptions {
  partners: { id: string; short_name: string }[];
  categories: { code: string; name: string }[];
  providers: { id: string; name: string }[];
}

export const serviceCategories = (db: Db) => db.selectFrom('service_categories').select(['code', 'name']).orderBy('position').execute();

/** Organisations that provide packages: providers, trusts, schools and the council's own services. */
export const packageProviders = (db: Db) =>
  db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('active', '=', true)
    .where('type', 'in', ['provider', 'nhs-trust', 'school', 'council-social-care', 'council-education'])
    .orderBy('name')
    .execute();

/** The form's choices and date inputs for the package's terms and split (views: the budgets' package fields). */
export function packageFormItems(values: Values, errors: FieldError[] | undefined, o: PackageFormOptions) {
  return {
    categoryItems: categoryItems(o.categories, values.serviceCategory),
    providerItems: fieldItems(o.providers, 'id', 'name', values.providerId, 'Not known yet'),
    frequencyItems: [
      { value: 'week', text: 'A week', checked: values.frequency === 'week' },
      { value: 'month', text: 'A calendar month', checked: values.frequency === 'month' },
    ],
    startsOnItems: dateItems(values, 'startsOn', errors),
    endsOnItems: dateItems(values, 'endsOn', errors),
    reviewOnItems: dateItems(values, 'reviewOn', errors),
    splitParts: Array.from({ length: MAX_SPLIT_PARTS }, (_, i) => {
      const n = i + 1;
      return {
        n,
        fromItems: n > 1 ? dateItems(values, `split${n}From`, errors) : null,
        fromField: `split${n}From`,
        partners: o.partners.map((p) => ({ id: `split${n}-${p.id}`, name: p.short_name, value: values[`split${n}-${p.id}`] })),
        error: errors?.find((e) => e.href === `#split-${n}`),
      };
    }),
  };
}

/** A package's current terms and split as the form's values, so a change starts from what is in place. */
export function packageTermsAsValues(
  pkg: {
    version: number;
    service_category: string;
    service: string;
    provider_id: string | null;
    unit_cost_pence: number;
    units_x100: number;
    frequency: string;
    starts_on: string;
    ends_on: string | null;
    review_on: string | null;
  },
  split: Split,
): Record<string, string> {
  const v: Record<string, string> = {
    serviceCategory: pkg.service_category,
    service: pkg.service,
    providerId: pkg.provider_id ?? '',
    unitCost: penceToInput(pkg.unit_cost_pence),
    units: String(pkg.units_x100 / 100),
    frequency: pkg.frequency,
  };
  const put = (field: string, iso: string | null) => {
    if (!iso) return;
    const [y, m, d] = iso.split('-');
    Object.assign(v, { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y });
  };
  put('startsOn', pkg.starts_on);
  put('endsOn', pkg.ends_on);
  put('reviewOn', pkg.review_on);
  split.forEach((s, i) => {
    if (i > 0) put(`split${i + 1}From`, s.from);
    for (const sh of s.shares) v[`split${i + 1}-${sh.partnerId}`] = String(sh.bp / 100);
  });
  return v;
}
