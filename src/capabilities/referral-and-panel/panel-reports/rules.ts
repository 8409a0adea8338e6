// Pure aggregation for the panel reports: cases by outcome, days from referral to decision
// (median, 90th percentile, by month), decisions by funding partner and share, and disputes.
// Aggregates only: nothing here carries a child or a referral.
import { commitmentByYear, type PackageTerms, FULL_SHARE, type Split } from '../../money/budgets/index.js';
import { addDays, epochDay, financialYearOf } from '../../../platform/financial-year.js';
import { SMALL_NUMBER, suppress } from '../../record/sharing/index.js';
import { protectBreakdown, type Shown } from '../../record/register-overview/index.js';

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
    months: monthsBetween(from, to).map((month) => ({
      month,
      ...summary(decided.filter((d) => d.decidedOn.slice(0, 7) === month).map((d) => daysBetween(d.receivedOn, d.decidedOn))),
    })),
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
    .map(([partnerId, a]) => ({
      partnerId,
      decisions: a.decisions,
      firstYearPence: a.pence,
      averageShareBp: Math.round(a.shares.reduce((x, y) => x + y, 0) / a.shares.length),
    }))
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

// Small numbers (docs/adr/0007) --------------------------------------------------------------------
// For people who see the panel's work as aggregates only (commissioners, finance officers), a count
// from 1 to 4 is "fewer than 5", with the register overview's secondary suppression where counts
// add up to a total that is shown; a figure worked out from fewer than 5 decisions (a median, a
// partner's cost) is not shown at all. Panel members and administrators see every figure.

/** A count as shown: the number, or why it is not shown ('fewer-than-5': 1 to 4; 'hidden': 5 or more). */
export interface ShownCount {
  count: number | null;
  shown: Shown;
}
const plain = (n: number): ShownCount => ({ count: n, shown: 'count' });
const small = (n: number): ShownCount => (suppress(n) === null ? { count: null, shown: 'fewer-than-5' } : plain(n));
const enough = (n: number) => n >= SMALL_NUMBER;

export interface ReportFigures {
  decisions: number;
  outcomes: { outcome: Outcome; label: string; count: number }[];
  time: { overall: TimeSummary; months: ({ month: string } & TimeSummary)[] };
  partners: { partnerId: string; name: string; decisions: number; firstYearPence: number; averageShareBp: number }[];
  disputes: { opened: number; resolved: number; withdrawn: number; openAtEnd: number; medianDaysToResolve: number | null };
}

export interface ShownFigures {
  /** True when small numbers were protected (the page says so). */
  protectedView: boolean;
  decisions: ShownCount;
  /** No breakdown of decisions is shown (fewer than 5 in the period, or it would give a small count away). */
  outcomesWithheld: boolean;
  outcomes: { outcome: Outcome; label: string; count: ShownCount }[];
  timeWithheld: boolean;
  time: {
    overall: { count: ShownCount; median: number | null; p90: number | null };
    months: { month: string; count: ShownCount; median: number | null; p90: number | null }[];
  };
  partners: ReportFigures['partners'];
  /** How many partners were left out because they fund fewer than 5 of the decisions. */
  partnersLeftOut: number;
  disputes: { opened: ShownCount; resolved: ShownCount; withdrawn: ShownCount; openAtEnd: ShownCount; medianDaysToResolve: number | null };
}

/** The figures as shown: all of them, or (`aggregatesOnly`) with small numbers protected. */
export function shownFigures(r: ReportFigures, aggregatesOnly: boolean): ShownFigures {
  if (!aggregatesOnly) {
    return {
      protectedView: false,
      decisions: plain(r.decisions),
      outcomesWithheld: false,
      outcomes: r.outcomes.map((o) => ({ outcome: o.outcome, label: o.label, count: plain(o.count) })),
      timeWithheld: false,
      time: {
        overall: { ...r.time.overall, count: plain(r.time.overall.count) },
        months: r.time.months.map((m) => ({ ...m, count: plain(m.count) })),
      },
      partners: r.partners,
      partnersLeftOut: 0,
      disputes: {
        ...r.disputes,
        opened: plain(r.disputes.opened),
        resolved: plain(r.disputes.resolved),
        withdrawn: plain(r.disputes.withdrawn),
        openAtEnd: plain(r.disputes.openAtEnd),
      },
    };
  }
  // Outcomes add up to the decisions shown at the top: primary and secondary suppression, and no
  // breakdown at all when there are only 1 to 4 decisions (as the register overview does).
  const outcomes = protectBreakdown(r.outcomes.map((o) => ({ key: o.outcome, label: o.label, count: o.count })));
  const outcomesWithheld = (r.decisions > 0 && !enough(r.decisions)) || outcomes.withheld;
  // Months add up to the decisions timed; a month's median or 90th percentile shows only over 5 or more.
  const timed = r.time.overall.count;
  const months = protectBreakdown(r.time.months.map((m) => ({ key: m.month, label: m.month, count: m.count })));
  const timeWithheld = (timed > 0 && !enough(timed)) || months.withheld;
  // A withheld breakdown carries no counts at all (not even its zeros): the page says why instead.
  const none: ShownCount = { count: null, shown: 'hidden' };
  return {
    protectedView: true,
    decisions: small(r.decisions),
    outcomesWithheld,
    outcomes: r.outcomes.map((o, i) => ({ outcome: o.outcome, label: o.label, count: outcomesWithheld ? none : cellOf(outcomes.cells[i]!) })),
    timeWithheld,
    time: {
      overall: { count: small(timed), median: enough(timed) ? r.time.overall.median : null, p90: enough(timed) ? r.time.overall.p90 : null },
      months: r.time.months.map((m, i) => {
        const c = cellOf(months.cells[i]!);
        const shows = !timeWithheld && c.shown === 'count' && enough(m.count);
        return { month: m.month, count: timeWithheld ? none : c, median: shows ? m.median : null, p90: shows ? m.p90 : null };
      }),
    },
    // A partner's cost and share over 1 to 4 decisions could be one package's: the row is left out.
    partners: r.partners.filter((p) => enough(p.decisions)),
    partnersLeftOut: r.partners.filter((p) => !enough(p.decisions)).length,
    disputes: {
      opened: small(r.disputes.opened),
      resolved: small(r.disputes.resolved),
      withdrawn: small(r.disputes.withdrawn),
      openAtEnd: small(r.disputes.openAtEnd),
      medianDaysToResolve: enough(r.disputes.resolved) ? r.disputes.medianDaysToResolve : null,
    },
  };
}
const cellOf = (c: { count: number | null; shown: Shown }): ShownCount => ({ count: c.count, shown: c.shown });

/** Whether a period is whole calendar months: from the 1st of a month to the last day of a month. */
export function wholeMonthsProblems(from: string, to: string): { text: string; href: string }[] {
  const problems: { text: string; href: string }[] = [];
  if (from.slice(8, 10) !== '01')
    problems.push({ text: 'Start the period on the first day of a month: these reports cover whole months only', href: '#from-day' });
  if (addDays(to, 1).slice(8, 10) !== '01')
    problems.push({ text: 'End the period on the last day of a month: these reports cover whole months only', href: '#to-day' });
  return problems;
}
