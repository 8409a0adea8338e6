// The needs assessment's rules, pure so they are tested on their own: the groups each breakdown
// counts children in, small-number protection (the one place a count becomes what a reader sees),
// rates per 1,000 of the population, the months of the series, the population file, and picking
// the DfE figures the comparison uses.
//
// The one rule that matters most: every figure on the page, in the CSV, the XLSX and the PDF is
// made by `protectReport` from the raw counts. With `detail` false (anyone without
// needs-assessment:detail, and every published copy), a count from 1 to 4 becomes "fewer than 5",
// a second count is hidden where a total would give it away (the register overview's
// protectBreakdown), and a rate or share is shown only beside a count that is shown.
import { AGE_BANDS, CELL_TEXT, OVER_25, protectBreakdown, type Shown } from '../../record/register-overview/index.js';
import { ETHNICITY_CODES, NEED_CODES } from '../../record/children/index.js';
import { suppress } from '../../record/sharing/index.js';
import type { DfeCell, DfeRow } from '../../../platform/dfe-csv.js';

export { AGE_BANDS, OVER_25 };

export const NOT_RECORDED = 'not-recorded';

export const BREAKDOWNS = [
  { key: 'need', heading: 'Children and young people by primary need', groupHeading: 'Primary need (SEN2 code)' },
  { key: 'age', heading: 'Children and young people by age', groupHeading: 'Age band (years)' },
  { key: 'locality', heading: 'Children and young people by locality', groupHeading: 'Locality' },
  { key: 'ethnicity', heading: 'Children and young people by ethnicity', groupHeading: 'Ethnicity (DfE code)' },
  { key: 'plan', heading: 'EHC plan or SEN support', groupHeading: 'Plan' },
  { key: 'setting', heading: 'Children and young people by setting', groupHeading: 'School or college working with them now' },
  { key: 'agencies', heading: 'Known to only one agency', groupHeading: 'Agencies working with them now' },
] as const;
export type BreakdownKey = (typeof BREAKDOWNS)[number]['key'];
export const BREAKDOWN_KEYS = BREAKDOWNS.map((b) => b.key);

export const AGENCY_GROUPS = [
  { key: 'one', label: 'Known to one agency only' },
  { key: 'more', label: 'Known to two or more agencies' },
  { key: 'none', label: 'No agency working with them now' },
] as const;

/** The raw counts, as read from the register. Never leaves the capability except through protectReport. */
export interface RawCounts {
  total: number;
  counts: Record<BreakdownKey, Map<string, number>>;
  /** For a child known to one agency only: which type of organisation it is. */
  oneAgencyByType: Map<string, number>;
  /** Month ends, oldest first: children on the register that day, and those who joined and left in the month. */
  months: { monthEnd: string; onRegister: number; joined: number; left: number }[];
}

export interface Group {
  key: string;
  label: string;
}

/** The groups of each breakdown, in order; a value found in the data that is not in the list gets its own group. */
export function groupsFor(
  key: BreakdownKey | 'oneAgencyByType',
  ctx: {
    localities: readonly { code: string; name: string }[];
    settings: readonly { key: string; label: string }[];
    organisationTypes: Record<string, string>;
  },
  found: ReadonlyMap<string, number>,
): Group[] {
  let groups: Group[];
  switch (key) {
    case 'need':
      groups = [...Object.entries(NEED_CODES).map(([k, label]) => ({ key: k, label: `${label} (${k})` })), { key: NOT_RECORDED, label: 'Not recorded' }];
      break;
    case 'age':
      groups = AGE_BANDS.map((b) => ({ key: b.code, label: b.label }));
      if ((found.get(OVER_25.code) ?? 0) > 0) groups.push({ key: OVER_25.code, label: OVER_25.label });
      break;
    case 'locality':
      groups = [...ctx.localities.map((l) => ({ key: l.code, label: l.name })), { key: NOT_RECORDED, label: 'Postcode not in a locality' }];
      break;
    case 'ethnicity':
      groups = Object.entries(ETHNICITY_CODES).map(([k, label]) => ({ key: k, label: `${label} (${k})` }));
      break;
    case 'plan':
      groups = [
        { key: 'ehcp', label: 'Education, health and care (EHC) plan' },
        { key: 'no-plan', label: 'No EHC plan (SEN support, or no plan recorded)' },
      ];
      break;
    case 'setting':
      groups = [...ctx.settings, { key: NOT_RECORDED, label: 'No school or college recorded as working with them' }];
      break;
    case 'agencies':
      groups = AGENCY_GROUPS.map((g) => ({ key: g.key, label: g.label }));
      break;
    case 'oneAgencyByType':
      groups = Object.entries(ctx.organisationTypes).map(([k, label]) => ({ key: k, label }));
      break;
  }
  const known = new Set(groups.map((g) => g.key));
  for (const [k, n] of found) if (!known.has(k) && n > 0) groups.push({ key: k, label: k });
  return groups;
}

/** A figure as a reader sees it: the number, or why it is not shown. */
export interface Figure {
  shown: Shown;
  /** Null whenever shown is not 'count': an unshown count never travels further than this. */
  count: number | null;
}
export interface ReportRow {
  key: string;
  label: string;
  children: Figure;
  /** Share of the children counted in the breakdown, per cent to one place; null when the count is not shown. */
  percent: number | null;
  /** Per 1,000 residents of the same group (age band, locality, or all 0 to 25); null when not known or not shown. */
  rate: number | null;
}
export interface ReportBreakdown {
  key: BreakdownKey | 'oneAgencyByType';
  heading: string;
  groupHeading: string;
  withheld: boolean;
  rows: ReportRow[];
  hasRates: boolean;
}
export interface ReportMonth {
  monthEnd: string;
  onRegister: Figure;
  /** Only in the detail view: month-to-month differences would otherwise give a small number away. */
  joined: Figure | null;
  left: Figure | null;
}
export interface NeedsReport {
  detail: boolean;
  total: Figure;
  /** Per 1,000 of the 0 to 25 population, or null with no population loaded. */
  totalRate: number | null;
  /** Fewer than 5 children in all: no breakdown is shown to anyone without detail. */
  tooFewToShow: boolean;
  breakdowns: ReportBreakdown[];
  months: ReportMonth[];
}

export interface Population {
  total: number;
  byAge: Map<number, number>;
  /** Locality code to its 0 to 25 population, when the file gave localities. */
  byLocality: Map<string, number>;
}

export const ratePer1000 = (count: number, population: number | undefined): number | null =>
  population && population > 0 ? Math.round((10_000 * count) / population) / 10 : null;

const shownFigure = (n: number): Figure => ({ shown: 'count', count: n });

/**
 * Rounded to the nearest 5, for figures shared beyond the commissioners whose exact value, set
 * against another table or month, would give back a count from 1 to 4 (ONS practice).
 */
export const roundToFive = (n: number) => Math.round(n / 5) * 5;

/** One figure on its own (a total, a month): a count from 1 to 4 becomes "fewer than 5" unless `detail`. */
export function protectFigure(n: number, detail: boolean): Figure {
  if (detail || suppress(n) !== null) return shownFigure(n);
  return { shown: 'fewer-than-5', count: null };
}

function bandPopulation(code: string, pop: Population): number | undefined {
  const band = AGE_BANDS.find((b) => b.code === code);
  if (!band || pop.byAge.size === 0) return undefined;
  let sum = 0;
  for (let a = band.min; a <= band.max; a++) sum += pop.byAge.get(a) ?? 0;
  return sum;
}

/**
 * The whole report from the raw counts. With `detail` false, the protection described at the top
 * of this file; with `detail` true every count as it is.
 */
export function protectReport(raw: RawCounts, ctx: Parameters<typeof groupsFor>[1] & { population: Population | null }, detail: boolean): NeedsReport {
  const pop = ctx.population;
  const total = protectFigure(raw.total, detail);
  const tooFewToShow = !detail && total.shown !== 'count';
  const breakdowns: ReportBreakdown[] = [];
  const all: { key: BreakdownKey | 'oneAgencyByType'; heading: string; groupHeading: string; found: Map<string, number> }[] = [
    ...BREAKDOWNS.map((b) => ({ ...b, found: raw.counts[b.key] })),
    {
      key: 'oneAgencyByType' as const,
      heading: 'Known to only one agency: which kind',
      groupHeading: 'The one agency working with them',
      found: raw.oneAgencyByType,
    },
  ];
  if (!tooFewToShow) {
    for (const b of all) {
      const cells = groupsFor(b.key, ctx, b.found).map((g) => ({ ...g, count: b.found.get(g.key) ?? 0 }));
      const sum = cells.reduce((s, c) => s + c.count, 0);
      type Cell = { key: string; label: string; shown: Shown; count: number | null };
      const count: Shown = 'count';
      const prot: { withheld: boolean; cells: Cell[] } = detail
        ? { withheld: false, cells: cells.map((c) => ({ key: c.key, label: c.label, shown: count, count: c.count })) }
        : protectBreakdown(cells);
      const rateOf = (key: string, count: number): number | null => {
        if (!pop) return null;
        if (b.key === 'age') return ratePer1000(count, bandPopulation(key, pop));
        if (b.key === 'locality') return pop.byLocality.size ? ratePer1000(count, pop.byLocality.get(key)) : null;
        return ratePer1000(count, pop.total);
      };
      const hasRates = Boolean(pop) && (b.key !== 'locality' || (pop?.byLocality.size ?? 0) > 0);
      // Which agency the one-agency children know: a sub-table of a count in the breakdown before it. When that
      // count is not shown, the sub-table's sum would give it away, so it is withheld whole.
      const parentHidden =
        !detail && b.key === 'oneAgencyByType' && breakdowns.find((x) => x.key === 'agencies')?.rows.find((r) => r.key === 'one')?.children.shown !== 'count';
      if (parentHidden) {
        prot.withheld = true;
        const hidden: Shown = 'hidden';
        prot.cells = prot.cells.map((c) => ({ ...c, shown: c.count === 0 ? c.shown : hidden, count: c.count === 0 ? 0 : null }));
      }
      breakdowns.push({
        key: b.key,
        heading: b.heading,
        groupHeading: b.groupHeading,
        withheld: prot.withheld,
        hasRates,
        rows: prot.cells.map((c) => {
          const children: Figure = c.shown === 'count' ? shownFigure(c.count!) : { shown: c.shown, count: null };
          return {
            key: c.key,
            label: c.label,
            children,
            percent: children.count !== null && sum > 0 ? Math.round((1000 * children.count) / sum) / 10 : null,
            rate: children.count !== null && c.key !== NOT_RECORDED ? rateOf(c.key, children.count) : null,
          };
        }),
      });
    }
  }
  const months: ReportMonth[] = raw.months.map((m) => ({
    monthEnd: m.monthEnd,
    // Shared: rounded to 5, or one month taken from the next (or from today's total) would give
    // the joinings less leavings between them, often 1 to 4.
    onRegister: detail || m.onRegister < 5 ? protectFigure(m.onRegister, detail) : shownFigure(roundToFive(m.onRegister)),
    joined: detail ? shownFigure(m.joined) : null,
    left: detail ? shownFigure(m.left) : null,
  }));
  return {
    detail,
    total,
    totalRate: total.count !== null && pop ? ratePer1000(total.count, pop.total) : null,
    tooFewToShow,
    breakdowns,
    months,
  };
}

/** What a figure says on the page and in the files. */
export const figureText = (f: Figure): string => (f.shown === 'count' ? f.count!.toLocaleString('en-GB') : CELL_TEXT[f.shown].page);
export const figureCell = (f: Figure): string | number => (f.shown === 'count' ? f.count! : CELL_TEXT[f.shown].page);

/** The last `n` month ends up to and including the month before `today`'s, oldest first ('YYYY-MM-DD'). */
export function monthEnds(today: string, n: number): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = n; i >= 1; i--) {
    // Day 0 of month (m - i + 1) is the last day of month (m - i).
    const d = new Date(Date.UTC(y, m - i, 0));
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/**
 * The month-end series from joinings and leavings by month ('YYYY-MM'): on the register at a month's
 * end is everyone who joined in that month or before, less everyone who left in that month or before.
 */
export function monthSeries(ends: readonly string[], events: readonly { month: string; joined: number; left: number }[]): RawCounts['months'] {
  const sorted = [...events].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  let i = 0;
  let on = 0;
  return ends.map((end) => {
    const month = end.slice(0, 7);
    let joined = 0;
    let left = 0;
    while (i < sorted.length && sorted[i]!.month <= month) {
      const e = sorted[i++]!;
      on += e.joined - e.left;
      if (e.month === month) {
        joined += e.joined;
        left += e.left;
      }
    }
    return { monthEnd: end, onRegister: on, joined, left };
  });
}

// ---------------------------------------------------------------------------------------------
// The population file: age (0 to 25), locality (optional), count.

export class PopulationFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PopulationFileError';
  }
}
export interface PopulationRow {
  age: number;
  localityCode: string | null;
  people: number;
}

/**
 * Reads the population CSV. Refuses, naming the line, a row whose age is not a whole number from
 * 0 to 25 or whose count is not a whole number of people, a repeated age (for the same locality),
 * and a file that does not give every age from 0 to 25 (for the area, or for each locality named).
 */
export function parsePopulationCsv(records: readonly string[][]): PopulationRow[] {
  const [header, ...body] = records;
  if (!header) throw new PopulationFileError('The file is empty. It needs a header row: age,count (and locality, if it gives localities).');
  const cols = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const iAge = cols.indexOf('age');
  const iCount = cols.indexOf('count');
  const iLoc = cols.indexOf('locality');
  if (iAge < 0 || iCount < 0) {
    throw new PopulationFileError(
      `The header row must name the columns age and count (and, if you wish, locality). It names: ${cols.join(', ') || 'nothing'}.`,
    );
  }
  const rows: PopulationRow[] = [];
  const seen = new Set<string>();
  body.forEach((r, n) => {
    const line = n + 2;
    const ageText = (r[iAge] ?? '').trim();
    const countText = (r[iCount] ?? '').trim();
    const loc = iLoc >= 0 ? (r[iLoc] ?? '').trim() || null : null;
    if (!/^\d+$/.test(ageText) || Number(ageText) > 25) {
      throw new PopulationFileError(`Line ${line}: the age "${ageText}" is not a whole number from 0 to 25.`);
    }
    if (!/^\d+$/.test(countText.replace(/,/g, '')) || !Number.isSafeInteger(Number(countText.replace(/,/g, '')))) {
      throw new PopulationFileError(`Line ${line}: the count "${countText}" is not a whole number of people.`);
    }
    const key = `${loc ?? ''}|${Number(ageText)}`;
    if (seen.has(key)) throw new PopulationFileError(`Line ${line}: age ${Number(ageText)}${loc ? ` in locality ${loc}` : ''} is given twice.`);
    seen.add(key);
    rows.push({ age: Number(ageText), localityCode: loc, people: Number(countText.replace(/,/g, '')) });
  });
  if (rows.length === 0) throw new PopulationFileError('The file has a header row but no figures.');
  const groups = new Map<string | null, Set<number>>();
  for (const r of rows) {
    if (!groups.has(r.localityCode)) groups.set(r.localityCode, new Set());
    groups.get(r.localityCode)!.add(r.age);
  }
  for (const [loc, ages] of groups) {
    const missing = Array.from({ length: 26 }, (_, a) => a).filter((a) => !ages.has(a));
    if (missing.length) {
      throw new PopulationFileError(
        `${loc ? `Locality ${loc}` : 'The area'} has no figure for age${missing.length === 1 ? '' : 's'} ${missing.join(', ')}. Every age from 0 to 25 is needed.`,
      );
    }
  }
  return rows;
}

/** The population as the report uses it: the area's figures, or the sum of the localities' when only those were given. */
export function populationOf(rows: readonly PopulationRow[]): Population | null {
  if (rows.length === 0) return null;
  const area = rows.filter((r) => r.localityCode === null);
  const source = area.length ? area : rows;
  const byAge = new Map<number, number>();
  for (const r of source) byAge.set(r.age, (byAge.get(r.age) ?? 0) + r.people);
  const byLocality = new Map<string, number>();
  for (const r of rows) if (r.localityCode !== null) byLocality.set(r.localityCode, (byLocality.get(r.localityCode) ?? 0) + r.people);
  return { total: [...byAge.values()].reduce((s, n) => s + n, 0), byAge, byLocality };
}

// ---------------------------------------------------------------------------------------------
// DfE figures: which rows and columns of which files the comparison keeps.

export const DFE_NEED_CODES = ['ASD', 'HI', 'MLD', 'MSI', 'OTH', 'PD', 'PMLD', 'SEMH', 'SLCN', 'SLD', 'SPLD', 'VI'] as const;
export const DFE_FILES = {
  'caseload.csv': { topics: ['All EHC plans', 'Child or young persons age'], measures: ['ehcplans'] },
  'sen_needs_all_plans.csv': {
    topics: ['All EHC plans'],
    measures: ['ehc_plans', ...DFE_NEED_CODES.map((c) => `number_${c.toLowerCase()}`), 'number_need_unknown'],
  },
} as const;
export type DfeFileName = keyof typeof DFE_FILES;

export interface DfeFigure {
  file: DfeFileName;
  timePeriod: number;
  laCode: string | null;
  laName: string | null;
  breakdownTopic: string;
  breakdown: string;
  measure: string;
  cell: DfeCell;
}

/** The figures kept from one file: England and each local authority, the topics and measures above. Regions are not kept. */
export function dfeFiguresFrom(file: DfeFileName, rows: readonly DfeRow[]): DfeFigure[] {
  const spec = DFE_FILES[file];
  const out: DfeFigure[] = [];
  for (const r of rows) {
    if (r.geographicLevel === 'Regional') continue;
    if (!(spec.topics as readonly string[]).includes(r.breakdownTopic)) continue;
    if (r.geographicLevel === 'Local authority' && !r.laCode) throw new Error(`Line ${r.line}: a local authority row with no old_la_code.`);
    for (const measure of spec.measures) {
      out.push({
        file,
        timePeriod: r.timePeriod,
        laCode: r.geographicLevel === 'National' ? null : r.laCode,
        laName: r.geographicLevel === 'National' ? 'England' : r.laName,
        breakdownTopic: r.breakdownTopic,
        breakdown: r.breakdown,
        measure,
        cell: r.cell(measure),
      });
    }
  }
  return out;
}

/** DfE's age breakdown ("under 3", "age 7") as one of the report's age bands. */
export function dfeAgeBand(breakdown: string): string | null {
  if (breakdown === 'under 3') return AGE_BANDS[0].code;
  const m = /^age (\d+)$/.exec(breakdown);
  if (!m) return null;
  const age = Number(m[1]);
  return AGE_BANDS.find((b) => age >= b.min && age <= b.max)?.code ?? null;
}

/** A share of a total, per cent to one place; null when either is unknown. */
export const share = (part: number | null, whole: number | null): number | null =>
  part === null || whole === null || whole <= 0 ? null : Math.round((1000 * part) / whole) / 10;

/** Sums figures that are published; says how many were not (never counting a marker as zero). */
export function sumPublished(cells: readonly { value: number | null }[]): { sum: number | null; notPublished: number } {
  const published = cells.filter((c) => c.value !== null);
  return { sum: published.length ? published.reduce((s, c) => s + c.value!, 0) : null, notPublished: cells.length - published.length };
}

/** The statistical neighbours setting: 3-digit DfE codes, one per line or separated by commas. */
export function parseNeighbourCodes(text: string): { codes: string[]; problem: string | null } {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !/^\d{3}$/.test(p));
  if (bad.length)
    return {
      codes: [],
      problem: `${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a' : 'are not'} 3-digit DfE local authority code${bad.length === 1 ? '' : 's'}`,
    };
  if (parts.length === 0) return { codes: [], problem: 'Enter at least one DfE local authority code' };
  return { codes: [...new Set(parts)], problem: null };
}
