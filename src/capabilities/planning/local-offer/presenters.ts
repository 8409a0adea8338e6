// From directory rows to what the pages show: checkbox items with their counts, result summaries,
// and a service's "how to get this".
import { NEED_CODES } from '../../record/children/index.js';
import { ageText, costText, SUPPORT_TYPES } from './rules.js';
import type { SearchResult, ServicePage } from './read-model.js';
import { searchQuery, type SearchCriteria } from './schema.js';
import { paths } from '../../../paths.js';
import { longDate } from '../../../platform/dates.js';

/** Checkbox items for a facet, each with the number of results that have it. */
export function facetItems(table: Record<string, string>, selected: readonly string[], counts: ReadonlyMap<string, number> | null) {
  // Without results (the search has a problem to put right) there are no counts to show.
  return Object.entries(table).map(([value, text]) => ({
    value,
    text: counts ? `${text} (${counts.get(value) ?? 0})` : text,
    checked: selected.includes(value),
  }));
}

export function searchPage(c: SearchCriteria, result: SearchResult | null) {
  const pages = result ? Math.max(1, Math.ceil(result.total / 20)) : 1;
  return {
    needItems: facetItems(NEED_CODES, c.needs, result?.facets.need ?? null),
    supportItems: facetItems(SUPPORT_TYPES, c.support, result?.facets.support ?? null),
    costItems: [
      { value: '', text: 'Any cost', checked: c.cost === null },
      { value: 'free', text: result ? `Free (${result.facets.cost.free})` : 'Free', checked: c.cost === 'free' },
      { value: 'paid', text: result ? `There is a charge (${result.facets.cost.paid})` : 'There is a charge', checked: c.cost === 'paid' },
    ],
    results: (result?.rows ?? []).map((r) => ({
      href: paths.localOffer.service(r.id),
      name: r.name,
      organisation: r.organisation,
      summary: r.description.length > 220 ? `${r.description.slice(0, 217).trimEnd()}…` : r.description,
      ages: ageText(r.minimum_age, r.maximum_age),
      cost: r.free === null ? 'Cost not stated' : r.free ? 'Free' : 'There is a charge',
      where: r.miles !== null ? `${r.miles.toFixed(1)} miles away${r.town ? `, ${r.town}` : ''}` : (r.town ?? 'By phone or online'),
    })),
    total: result?.total ?? 0,
    pagination:
      pages > 1
        ? {
            ...(c.page > 1 ? { previous: { href: `${paths.localOffer.search}${searchQuery(c, { page: c.page - 1 })}` } } : {}),
            ...(c.page < pages ? { next: { href: `${paths.localOffer.search}${searchQuery(c, { page: c.page + 1 })}` } } : {}),
            items: [{ number: c.page, current: true, href: `${paths.localOffer.search}${searchQuery(c)}` }],
          }
        : null,
    pageOf: pages > 1 ? `Page ${c.page} of ${pages}` : null,
  };
}

export function servicePage(s: ServicePage) {
  const viaJointly = s.access.some((a) => a.code === 'JOINTLY-REFERRAL');
  return {
    s,
    ages: ageText(s.minimum_age, s.maximum_age),
    cost: costText(s.costs.map((c) => ({ amountPence: c.amount_pence, option: c.option, description: c.amount_description }))),
    needs: s.needs.length === Object.keys(NEED_CODES).length ? 'All needs' : s.needs.map((n) => n.name).join(', ') || 'Not stated',
    ehcPlanNeeded: s.access.some((a) => a.code === 'EHC-PLAN'),
    accessRoutes: s.access.filter((a) => a.code !== 'EHC-PLAN').map((a) => a.name),
    viaJointly,
    lastChanged: longDate(s.last_modified.toISOString().slice(0, 10)),
    reviewDue: longDate(s.review_due),
    when: s.schedules.map((sc) =>
      [sc.description, sc.byday ? dayNames(sc.byday) : null, sc.opens_at && sc.closes_at ? `${sc.opens_at.slice(0, 5)} to ${sc.closes_at.slice(0, 5)}` : null]
        .filter(Boolean)
        .join(', '),
    ),
    places: s.locations.map((l) => ({
      virtual: l.location_type === 'virtual',
      name: l.name,
      address: [l.address_1, l.city, l.postal_code].filter(Boolean).join(', '),
      accessibility: l.accessibility,
    })),
  };
}

const DAY_NAMES: Record<string, string> = { MO: 'Mondays', TU: 'Tuesdays', WE: 'Wednesdays', TH: 'Thursdays', FR: 'Fridays', SA: 'Saturdays', SU: 'Sundays' };
export const dayNames = (byday: string) =>
  byday
    .split(',')
    .map((d) => DAY_NAMES[d.trim()] ?? d)
    .join(', ');
