// Pure aggregation for the panel reports: cases by outcome, days from referral to decision
// (median, 90th percentile, by month), decisions by funding partner and share, and disputes.
// Aggregates only: nothing here carries a child or a referral.
import { commitmentByYear, type PackageTerms } from '../budgets/commitment.js';
import { addDays, epochDay, financialYearOf } from '../budgets/financial-year.js';
import { FULL_SHARE, type Split } from '../budgets/split.js';

export const OUTCOMES = ['approve', 'approve-with-changes', 'decline', 'defer', 'refer-elsewhere'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_LABELS: Record<Outcome, string> = {
  approve: 'Approved',
  'approve-with-changes': 'Approved with changes',
  decline: 'Declined',
  defer: 'Deferred',
  'refer-elsewhere': 'Referred elsewhere',
};

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value with at least p% of the values at or below it; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError('The percentile must be more than 0 and at most 100');
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil((p / 100) * s.length) - 1]!;
}

export const daysBetween = (from: string, to: string) => epochDay(to) - epochDay(from);

/** Every calendar month from `from` to `to` as 'YYYY-MM'. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > end) break;
    out.push(key);
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
  return out;
}

export interface Decided {
  outcome: Outcome;
  receivedOn: string;
  decidedOn: string;
}

export function byOutcome(decisions: readonly Decided[]): { outcome: Outcome; label: string; count: number }[] {
  return OUTCOMES.map((o) => ({ outcome: o, label: OUTCOME_LABELS[o], count: decisions.filter((d) => d.outcome === o).length }));
}

export interface TimeSummary {
  count: number;
  median: number | null;
  p90: number | null;
}
const summary = (days: number[]): TimeSummary => ({ count: days.length, median: median(days), p90: percentile(days, 90) });

/**
 * Days from the referral being received to the panel's decision, over decisions that decided
 * (a deferral is not a decision yet), overall and for each month of the range by decision date.
 */
export function timeToDecision(decisions: readonly Decided[], from: string, to: string): { overall: TimeSummary; months: ({ month: string } & TimeSummary)[] } {
  const decided = decisions.filter((d) => d.outcome !== 'defer');
  const days = decided.map((d) => daysBetween(d.receivedOn, d.decidedOn));
  return {
    overall: summary(days),
    months: monthsBetween(from, to).map((month) => ({ month, ...summary(decided.filter((d) => d.decidedOn.slice(0, 7) === month).map((d) => daysBetween(d.receivedOn, d.decidedOn))) })),
  };
}

export interface FundedDecision {
  /** The package's terms and split as the panel decided them. */
  terms: PackageTerms;
  split: Split;
}

/** The first 12 months of a package (or its whole length, if shorter). */
export function firstYear(terms: PackageTerms): PackageTerms {
  const yearEnd = addDays(terms.startsOn, 364);
  return { ...terms, endsOn: terms.endsOn !== null && terms.endsOn < yearEnd ? terms.endsOn : yearEnd };
}

/**
 * By funding partner: how many decisions it funds, what the packages cost it in their first 12
 * months (exactly as the budgets work commitments out, by the split as decided), and its average
 * share of that cost (basis points, mean over the decisions it funds, to the nearest point).
 */
export function byPartner(decisions: readonly FundedDecision[]): { partnerId: string; decisions: number; firstYearPence: number; averageShareBp: number }[] {
  const acc = new Map<string, { decisions: number; pence: number; shares: number[] }>();
  for (const d of decisions) {
    const t = firstYear(d.terms);
    const years = commitmentByYear(t, d.split, financialYearOf(t.endsOn!));
    const total = years.reduce((a, y) => a + y.totalPence, 0);
    const mine = new Map<string, number>();
    for (const y of years) for (const p of y.byPartner) mine.set(p.partnerId, (mine.get(p.partnerId) ?? 0) + p.pence);
    for (const [partnerId, pence] of mine) {
      const a = acc.get(partnerId) ?? { decisions: 0, pence: 0, shares: [] };
      a.decisions++;
      a.pence += pence;
      a.shares.push(total ? (pence * FULL_SHARE) / total : 0);
      acc.set(partnerId, a);
    }
  }
  return [...acc.entries()]
    .map(([partnerId, a]) => ({ partnerId, decisions: a.decisions, firstYearPence: a.pence, averageShareBp: Math.round(a.shares.reduce((x, y) => x + y, 0) / a.shares.length) }))
    .sort((a, b) => b.firstYearPence - a.firstYearPence || (a.partnerId < b.partnerId ? -1 : 1));
}

export interface DisputeFacts {
  raisedOn: string;
  status: 'open' | 'resolved' | 'withdrawn';
  resolvedOn: string | null;
}

/**
 * Disputes for the range: raised in it; resolved in it (and withdrawn in it); still open at its
 * end (raised by then and not closed by then); the median days to resolve those resolved in it.
 */
export function disputeFigures(disputes: readonly DisputeFacts[], from: string, to: string) {
  const inRange = (d: string | null) => d !== null && d >= from && d <= to;
  const resolved = disputes.filter((d) => d.status === 'resolved' && inRange(d.resolvedOn));
  return {
    opened: disputes.filter((d) => inRange(d.raisedOn)).length,
    resolved: resolved.length,
    withdrawn: disputes.filter((d) => d.status === 'withdrawn' && inRange(d.resolvedOn)).length,
    openAtEnd: disputes.filter((d) => d.raisedOn <= to && (d.resolvedOn === null || d.resolvedOn > to)).length,
    medianDaysToResolve: median(resolved.map((d) => daysBetween(d.raisedOn, d.resolvedOn!))),
  };
}
