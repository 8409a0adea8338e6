// The register overview's rules, pure so they are tested on their own: the groups each
// breakdown counts children in, and small-number protection.
//
// Protection has two steps, applied to each breakdown (a set of groups that adds up to the
// number of children shown at the top of the page):
//   1. Primary: a count from 1 to 4 is shown as "fewer than 5" (suppress() from the sharing rules).
//   2. Secondary: a hidden count must not be worked out from the total and the counts that are
//      shown. When only one count in a breakdown is hidden, or the hidden counts could only
//      take one set of values (two "fewer than 5" counts that add up to 2 must both be 1), the
//      next smallest count that is not zero is hidden too ("hidden"), until they could not.
//   A breakdown that cannot be protected that way (every count that is not zero is already
//   hidden and they still give themselves away, e.g. five groups of 1 out of 5 children) is
//   withheld as a whole, and when fewer than 5 children match, no breakdown is shown at all.
import { SMALL_NUMBER, suppress } from '../sharing/index.js';
import { ETHNICITY_CODES, NEED_CODES, SEVERITY_BANDS } from '../children/index.js';
import { addDays } from '../../../platform/financial-year.js';

export const AGE_BANDS = [
  { code: '0-4', label: '0 to 4', min: 0, max: 4 },
  { code: '5-10', label: '5 to 10', min: 5, max: 10 },
  { code: '11-15', label: '11 to 15', min: 11, max: 15 },
  { code: '16-19', label: '16 to 19', min: 16, max: 19 },
  { code: '20-25', label: '20 to 25', min: 20, max: 25 },
] as const;
export type AgeBandCode = (typeof AGE_BANDS)[number]['code'];
export const isAgeBand = (s: string): s is AgeBandCode => AGE_BANDS.some((b) => b.code === s);
/** Someone on the register whose status was not updated when they turned 26. */
export const OVER_25 = { code: 'over-25', label: '26 or over' } as const;

/** SEN2 primary need codes and DfE ethnicity codes, with their names: the children capability's lists. */
export const PRIMARY_NEED_NAMES: Readonly<Record<string, string>> = NEED_CODES;
export const ETHNICITY_NAMES: Readonly<Record<string, string>> = ETHNICITY_CODES;
export const SEVERITY_NAMES: Readonly<Record<string, string>> = SEVERITY_BANDS;

export const ORGANISATION_COUNT_GROUPS = [
  { code: '1', label: 'One organisation' },
  { code: '2', label: 'Two organisations' },
  { code: '3+', label: 'Three or more organisations' },
  { code: '0', label: 'No organisation at present' },
] as const;
export const organisationCountGroup = (n: number) => (n >= 3 ? '3+' : String(Math.max(0, n)));

export const NOT_RECORDED = 'not-recorded';

export const BREAKDOWNS = [
  { key: 'need', title: 'Primary need', heading: 'Children by primary need', groupHeading: 'Primary need' },
  { key: 'age', title: 'Age band', heading: 'Children by age', groupHeading: 'Age band (years)' },
  { key: 'severity', title: 'Severity', heading: 'Children by severity of need', groupHeading: 'Severity' },
  { key: 'locality', title: 'Locality', heading: 'Children by locality', groupHeading: 'Locality' },
  { key: 'ethnicity', title: 'Ethnicity', heading: 'Children by ethnicity', groupHeading: 'Ethnicity (DfE code)' },
  { key: 'plan', title: 'EHC plan', heading: 'Children with an education, health and care (EHC) plan', groupHeading: 'EHC plan' },
  {
    key: 'organisations',
    title: 'Organisations involved',
    heading: 'Children by how many organisations work with them',
    groupHeading: 'Organisations involved now',
  },
] as const;
export type BreakdownKey = (typeof BREAKDOWNS)[number]['key'];

export interface Group {
  key: string;
  label: string;
}

/**
 * The groups each breakdown shows, in order. Fixed lists always show every group (a zero is
 * information too); an odd value found in the data (an old code) gets a group of its own.
 */
export function groupsFor(key: BreakdownKey, localities: readonly { id: string; name: string }[], counts: ReadonlyMap<string, number>): Group[] {
  let groups: Group[];
  switch (key) {
    case 'need':
      groups = [
        ...Object.entries(PRIMARY_NEED_NAMES).map(([k, label]) => ({ key: k, label: `${label} (${k})` })),
        { key: NOT_RECORDED, label: 'Not recorded' },
      ];
      break;
    case 'age':
      groups = AGE_BANDS.map((b) => ({ key: b.code, label: b.label }));
      if ((counts.get(OVER_25.code) ?? 0) > 0) groups.push({ key: OVER_25.code, label: OVER_25.label });
      break;
    case 'severity':
      groups = [...Object.entries(SEVERITY_NAMES).map(([k, label]) => ({ key: k, label })), { key: NOT_RECORDED, label: 'Not recorded' }];
      break;
    case 'locality':
      groups = [...localities.map((l) => ({ key: l.id, label: l.name })), { key: NOT_RECORDED, label: 'Postcode not in a locality' }];
      break;
    case 'ethnicity':
      groups = Object.entries(ETHNICITY_NAMES).map(([k, label]) => ({ key: k, label: `${label} (${k})` }));
      break;
    case 'plan':
      groups = [
        { key: 'yes', label: 'Has an EHC plan' },
        { key: 'no', label: 'No EHC plan' },
      ];
      break;
    case 'organisations':
      groups = ORGANISATION_COUNT_GROUPS.map((g) => ({ key: g.code, label: g.label }));
      break;
  }
  const known = new Set(groups.map((g) => g.key));
  for (const [k, n] of counts) if (!known.has(k) && n > 0) groups.push({ key: k, label: k });
  return groups;
}

export type Shown = 'count' | 'fewer-than-5' | 'hidden';
export interface ProtectedCell {
  key: string;
  label: string;
  /** The count, or null when it is not shown. */
  count: number | null;
  shown: Shown;
}
export interface ProtectedBreakdown {
  cells: ProtectedCell[];
  /** True when the breakdown cannot be shown without giving a small number away. */
  withheld: boolean;
}

/**
 * Could a reader work out every hidden count from their total? A "fewer than 5" count is known
 * to be 1 to 4 and a "hidden" one to be 5 or more, so the hidden counts give themselves away
 * when there is only one, or when their total is the smallest (or, with no "hidden" ones, the
 * largest) it could be.
 */
export function hiddenCountsGiveThemselvesAway(hidden: readonly { count: number; shown: Shown }[]): boolean {
  if (hidden.length === 0) return false;
  if (hidden.length === 1) return true;
  const sum = hidden.reduce((s, c) => s + c.count, 0);
  const small = hidden.filter((c) => c.shown === 'fewer-than-5').length;
  const large = hidden.length - small;
  if (sum === small * 1 + large * SMALL_NUMBER) return true;
  return large === 0 && sum === small * (SMALL_NUMBER - 1);
}

/** Primary and secondary suppression for one breakdown whose counts add up to a total that is shown. */
export function protectBreakdown(cells: readonly { key: string; label: string; count: number }[]): ProtectedBreakdown {
  const work = cells.map((c): { key: string; label: string; count: number; shown: Shown } => ({
    ...c,
    shown: suppress(c.count) === null ? 'fewer-than-5' : 'count',
  }));
  const hidden = () => work.filter((c) => c.shown !== 'count');
  if (hidden().length > 0) {
    while (hiddenCountsGiveThemselvesAway(hidden())) {
      // The next smallest count that is shown and not zero (the first in order on a tie).
      let next: (typeof work)[number] | undefined;
      for (const c of work) if (c.shown === 'count' && c.count > 0 && (!next || c.count < next.count)) next = c;
      if (!next) break;
      next.shown = 'hidden';
    }
  }
  const withheld = hiddenCountsGiveThemselvesAway(hidden());
  if (withheld) for (const c of work) if (c.count > 0) c.shown = 'hidden';
  return {
    withheld,
    cells: work.map((c) => ({ key: c.key, label: c.label, shown: c.shown, count: c.shown === 'count' ? c.count : null })),
  };
}

/** What a protected count says, on the page and in the CSV. */
export const CELL_TEXT: Record<Exclude<Shown, 'count'>, { page: string; csv: string }> = {
  'fewer-than-5': { page: 'fewer than 5', csv: '<5' },
  hidden: { page: 'hidden', csv: 'hidden' },
};

/** Ages in whole years that fall in a band, as date-of-birth limits on `today` (both inclusive). */
export function birthDatesForBand(band: AgeBandCode, today: string): { bornOnOrAfter: string; bornOnOrBefore: string } {
  const b = AGE_BANDS.find((x) => x.code === band)!;
  return { bornOnOrAfter: addDays(addYears(today, -(b.max + 1)), 1), bornOnOrBefore: addYears(today, -b.min) };
}

export function ageBandOf(age: number): string {
  return AGE_BANDS.find((b) => age >= b.min && age <= b.max)?.code ?? (age > 25 ? OVER_25.code : AGE_BANDS[0].code);
}

/** The same date `years` later (29 February becomes 28 February in a year that is not a leap year). */
export function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const ny = y + years;
  const last = new Date(Date.UTC(ny, m, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** A CSV field: quoted, and text that a spreadsheet would run as a formula made inert. */
export function csvField(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}
export const csvLine = (fields: (string | number)[]) => fields.map(csvField).join(',');
