// Pure rules of the budget reports: which ledger accounts make each figure, how rows add up by
// partner, pool and service, forecast outturn, shares of spend against agreed shares, and which
// small numbers are hidden. No I/O here; service.ts reads the ledger.
//
// The figures, all from the ledger (signed pence, debit positive):
//   budget      the `budget` account: what partners have contributed for the year;
//   commitment  the `commitments` account: what packages are committed to cost in the year;
//   actual      the `spend` account: invoices matched to packages, and direct payments;
//   unmatched   the `suspense` account: invoices received but not yet matched to a package;
//   forecast outturn = actual + unmatched + what is committed but not yet spent, package by
//               package (a package that has cost more than its commitment adds nothing more).
//
// Whether a package has cost more than its commitment is decided once, for the package as a whole,
// never partner by partner: an invoice's pennies are shared between the partners by the ledger's
// own split of that invoice, which can leave one partner a penny over its commitment and another a
// penny under. While the package has not cost more than committed, each partner's unspent part is
// its commitment less its spend (a penny below nothing, if the rounding went that way), so each
// partner's forecast is its commitment to the penny; once it has, each partner's is what it spent.
import { SMALL_NUMBER } from '../../record/sharing/index.js';

export const MEASURES = ['budget', 'commitment', 'actual', 'unmatched', 'forecast', 'variance'] as const;
export type Measure = (typeof MEASURES)[number];

/** The ledger accounts each figure sums (forecast: those its parts come from; variance: budget and forecast). */
export const MEASURE_ACCOUNTS: Record<Measure, readonly string[]> = {
  budget: ['budget'],
  commitment: ['commitments'],
  actual: ['spend'],
  unmatched: ['suspense'],
  forecast: ['commitments', 'spend', 'suspense'],
  variance: ['budget', 'commitments', 'spend', 'suspense'],
};

export const MEASURE_LABELS: Record<Measure, string> = {
  budget: 'Budget',
  commitment: 'Commitment',
  actual: 'Actual spend',
  unmatched: 'Invoices not yet matched',
  forecast: 'Forecast outturn',
  variance: 'Budget left after forecast',
};

export const FORECAST_DEFINITION =
  'Forecast outturn is actual spend so far, plus invoices received but not yet matched to a package, plus what each package is committed to cost this financial year but has not yet cost. A package that has already cost more than its commitment adds nothing more.';

/** One group of the ledger for a year, at the finest grain the reports need. */
export interface FineRow {
  agreementId: string;
  partnerId: string | null;
  category: string | null;
  budget: number;
  commitment: number;
  actual: number;
  unmatched: number;
  /**
   * Sum over the group's packages of commitment − actual, for packages that as a whole have not
   * cost more than committed (others add nothing).
   */
  remaining: number;
}

export interface Figures {
  budget: number;
  commitment: number;
  actual: number;
  unmatched: number;
  forecast: number;
  /** budget − forecast: positive is money left, negative an overspend. */
  variance: number;
}

export const ZERO: Figures = { budget: 0, commitment: 0, actual: 0, unmatched: 0, forecast: 0, variance: 0 };

export function figuresOf(r: Pick<FineRow, 'budget' | 'commitment' | 'actual' | 'unmatched' | 'remaining'>): Figures {
  const forecast = r.actual + r.unmatched + r.remaining;
  return { budget: r.budget, commitment: r.commitment, actual: r.actual, unmatched: r.unmatched, forecast, variance: r.budget - forecast };
}

export const addFigures = (a: Figures, b: Figures): Figures => ({
  budget: a.budget + b.budget,
  commitment: a.commitment + b.commitment,
  actual: a.actual + b.actual,
  unmatched: a.unmatched + b.unmatched,
  forecast: a.forecast + b.forecast,
  variance: a.variance + b.variance,
});

export type Dimension = 'partner' | 'agreement' | 'category';
const keyOf = (r: FineRow, by: Dimension) => (by === 'partner' ? r.partnerId : by === 'agreement' ? r.agreementId : r.category);

export interface GroupLine {
  /** The partner, agreement or category; null for money not given one (e.g. an unmatched invoice with no partner yet). */
  key: string | null;
  figures: Figures;
}

/** The rows added up by one dimension, in the order of `order` (keys not in it after, then null), and the grand total. */
export function groupBy(rows: readonly FineRow[], by: Dimension, order: readonly string[] = []): { lines: GroupLine[]; total: Figures } {
  const map = new Map<string | null, Figures>();
  let total = ZERO;
  for (const r of rows) {
    const k = keyOf(r, by);
    const f = figuresOf(r);
    map.set(k, addFigures(map.get(k) ?? ZERO, f));
    total = addFigures(total, f);
  }
  const rank = (k: string | null) => (k === null ? Number.MAX_SAFE_INTEGER : order.indexOf(k) === -1 ? order.length : order.indexOf(k));
  const lines = [...map.entries()]
    .map(([key, figures]) => ({ key, figures }))
    .sort((a, b) => rank(a.key) - rank(b.key) || String(a.key).localeCompare(String(b.key)));
  return { lines, total };
}

/**
 * The same fine rows from raw entries, for checking the SQL and in property tests: what
 * service.ts asks PostgreSQL to work out.
 */
export function fineRowsFromEntries(
  entries: readonly {
    account: string;
    amountPence: number;
    agreementId: string;
    partnerId: string | null;
    financialYear: number;
    serviceCategory: string | null;
    packageId: string | null;
  }[],
  financialYear: number,
): FineRow[] {
  const byPackage = new Map<string, { row: Omit<FineRow, 'remaining'>; pkg: string | null }>();
  for (const e of entries) {
    if (e.financialYear !== financialYear) continue;
    const k = [e.agreementId, e.partnerId ?? '', e.serviceCategory ?? '', e.packageId ?? ''].join('|');
    const g = byPackage.get(k) ?? {
      row: { agreementId: e.agreementId, partnerId: e.partnerId, category: e.serviceCategory, budget: 0, commitment: 0, actual: 0, unmatched: 0 },
      pkg: e.packageId,
    };
    if (e.account === 'budget') g.row.budget += e.amountPence;
    else if (e.account === 'commitments') g.row.commitment += e.amountPence;
    else if (e.account === 'spend') g.row.actual += e.amountPence;
    else if (e.account === 'suspense') g.row.unmatched += e.amountPence;
    byPackage.set(k, g);
  }
  // Each package's commitment and spend over all its partners: has it cost more than committed?
  const whole = new Map<string, number>();
  for (const { row, pkg } of byPackage.values()) if (pkg !== null) whole.set(pkg, (whole.get(pkg) ?? 0) + row.commitment - row.actual);
  const out = new Map<string, FineRow>();
  for (const { row, pkg } of byPackage.values()) {
    const k = [row.agreementId, row.partnerId ?? '', row.category ?? ''].join('|');
    const o = out.get(k) ?? {
      agreementId: row.agreementId,
      partnerId: row.partnerId,
      category: row.category,
      budget: 0,
      commitment: 0,
      actual: 0,
      unmatched: 0,
      remaining: 0,
    };
    o.budget += row.budget;
    o.commitment += row.commitment;
    o.actual += row.actual;
    o.unmatched += row.unmatched;
    if (pkg !== null && whole.get(pkg)! >= 0) o.remaining += row.commitment - row.actual;
    out.set(k, o);
  }
  return [...out.values()];
}

// Shares of spend --------------------------------------------------------------------------------

export interface ShareLine {
  partnerId: string;
  actual: number;
  /** Share of the agreement's actual spend, in basis points; null when nothing has been spent. */
  spentBp: number | null;
  /** The agreed share for the year, in basis points; null when the partner has none. */
  agreedBp: number | null;
  /** spentBp − agreedBp; null when either is missing. */
  differenceBp: number | null;
  /** What the partner would have paid at its agreed share, minus what it paid: positive means it paid less than agreed. */
  owedPence: number | null;
}

/**
 * Each partner's share of what an agreement spent against its agreed share. Only spend with a
 * partner counts (an unmatched invoice has not been split yet). Shares are rounded to the
 * nearest basis point (0.01%).
 */
export function shareComparison(actualByPartner: ReadonlyMap<string, number>, agreed: ReadonlyMap<string, number>): { lines: ShareLine[]; total: number } {
  const partners = [...new Set([...actualByPartner.keys(), ...agreed.keys()])].sort();
  const total = [...actualByPartner.values()].reduce((a, b) => a + b, 0);
  const lines = partners.map((partnerId) => {
    const actual = actualByPartner.get(partnerId) ?? 0;
    const spentBp = total === 0 ? null : Math.round((actual * 10_000) / total);
    const agreedBp = agreed.get(partnerId) ?? null;
    return {
      partnerId,
      actual,
      spentBp,
      agreedBp,
      differenceBp: spentBp === null || agreedBp === null ? null : spentBp - agreedBp,
      owedPence: agreedBp === null ? null : Math.round((total * agreedBp) / 10_000) - actual,
    };
  });
  return { lines, total };
}

// Small numbers ----------------------------------------------------------------------------------

/**
 * Breakdowns by a child's characteristics (primary need, locality, service) can identify a child
 * when few children are in a group. A group of 1 to 4 children has its money hidden ("fewer than
 * 5 children"). If exactly one group of a breakdown is hidden, its figures could be worked out
 * from the total and the others, so the next smallest group (by children) is hidden too.
 */
export type Shown = 'shown' | 'fewer-than-5' | 'hidden';

export function protectGroups<T extends { children: number }>(groups: readonly T[]): (T & { shown: Shown })[] {
  const out = groups.map((g): T & { shown: Shown } => ({ ...g, shown: g.children > 0 && g.children < SMALL_NUMBER ? 'fewer-than-5' : 'shown' }));
  const small = out.filter((g) => g.shown === 'fewer-than-5');
  if (small.length === 1) {
    const next = out.filter((g) => g.shown === 'shown' && g.children > 0).sort((a, b) => a.children - b.children)[0];
    if (next) next.shown = 'hidden';
  }
  return out;
}

export const SHOWN_TEXT: Record<Exclude<Shown, 'shown'>, { page: string; csv: string }> = {
  'fewer-than-5': { page: 'fewer than 5 children: not shown', csv: 'not shown (fewer than 5 children)' },
  hidden: { page: 'not shown, to protect a smaller group', csv: 'not shown (protects a smaller group)' },
};

// Unit costs -------------------------------------------------------------------------------------

/** What a package costs a week, in pence (a monthly package: 12 months over 52 weeks), rounded to the penny. */
export function weeklyCostPence(unitCostPence: number, unitsX100: number, frequency: 'week' | 'month'): number {
  const perPeriod = (unitCostPence * unitsX100) / 100;
  return Math.round(frequency === 'week' ? perPeriod : (perPeriod * 12) / 52);
}

/** Average of pence amounts, rounded to the penny; null for none. */
export const averagePence = (xs: readonly number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

// Financial years --------------------------------------------------------------------------------

/** The years a report offers: from the earliest with entries to the latest (or just the current one). */
export function yearChoices(years: readonly number[], current: number): number[] {
  const all = new Set([...years, current]);
  return [...all].sort((a, b) => b - a);
}

/** A breakdown group before protection: how many children, and their money. */
export interface SpendGroupLike {
  label: string;
  children: number;
  actual: number;
  commitment: number;
}
