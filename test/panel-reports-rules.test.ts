// The panel reports' pure aggregation: median, nearest-rank percentile, months, time to decision
// by month, decisions by funding partner and share, and dispute figures.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  byOutcome,
  byPartner,
  disputeFigures,
  firstYear,
  median,
  monthsBetween,
  percentile,
  shownFigures,
  timeToDecision,
  wholeMonthsProblems,
} from '../src/capabilities/referral-and-panel/panel-reports/rules.js';

describe('median and percentile', () => {
  it('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([30, 5, 10, 20])).toBe(15);
    expect(median([3, 1, 2])).toBe(2);
  });
  it('percentile: the nearest rank', () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([5, 10, 20, 30], 90)).toBe(30);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });
  it('a percentile is one of the values, at least p% are at or below it, and it grows with p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const v = percentile(xs, p)!;
        const atOrBelow = xs.filter((x) => x <= v).length;
        return xs.includes(v) && atOrBelow * 100 >= p * xs.length && (p === 100 || percentile(xs, p + 0.5)! >= v);
      }),
    );
  });
  it('the median lies between the smallest and largest values', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { minLength: 1 }), (xs) => median(xs)! >= Math.min(...xs) && median(xs)! <= Math.max(...xs)));
  });
});

describe('by month', () => {
  it('lists every month of the range, across a year end', () => {
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2025-04-01', '2026-03-31')).toHaveLength(12);
  });
  it('times each month’s decisions from referral, leaving deferrals out', () => {
    const t = timeToDecision(
      [
        { outcome: 'approve', receivedOn: '2025-04-01', decidedOn: '2025-04-11' },
        { outcome: 'approve-with-changes', receivedOn: '2025-04-20', decidedOn: '2025-05-20' },
        { outcome: 'decline', receivedOn: '2025-05-01', decidedOn: '2025-05-06' },
        { outcome: 'defer', receivedOn: '2025-05-01', decidedOn: '2025-05-20' },
        { outcome: 'refer-elsewhere', receivedOn: '2025-06-01', decidedOn: '2025-06-21' },
      ],
      '2025-04-01',
      '2025-07-31',
    );
    expect(t.overall).toEqual({ count: 4, median: 15, p90: 30 });
    expect(t.months).toEqual([
      { month: '2025-04', count: 1, median: 10, p90: 10 },
      { month: '2025-05', count: 2, median: 17.5, p90: 30 },
      { month: '2025-06', count: 1, median: 20, p90: 20 },
      { month: '2025-07', count: 0, median: null, p90: null },
    ]);
  });
  it('counts every outcome, with none left out', () => {
    const counts = byOutcome([{ outcome: 'decline', receivedOn: '2025-01-01', decidedOn: '2025-01-02' }]);
    expect(counts.map((c) => [c.label, c.count])).toEqual([
      ['Approved', 0],
      ['Approved with changes', 0],
      ['Declined', 1],
      ['Deferred', 0],
      ['Referred elsewhere', 0],
    ]);
  });
});

describe('decisions by funding partner and share', () => {
  const H = 'health';
  const S = 'social-care';
  it('costs each package’s first 12 months by its split as decided', () => {
    expect(firstYear({ unitCostPence: 1, unitsX100: 100, frequency: 'week', startsOn: '2025-04-14', endsOn: null }).endsOn).toBe('2026-04-13');
    const rows = byPartner([
      // £100 a day for 365 days, 50/50.
      {
        terms: { unitCostPence: 70_000, unitsX100: 100, frequency: 'week', startsOn: '2025-04-14', endsOn: null },
        split: [
          {
            from: '2025-04-14',
            to: null,
            shares: [
              { partnerId: H, bp: 5000 },
              { partnerId: S, bp: 5000 },
            ],
          },
        ],
      },
      // £50 a day for 42 days, health alone.
      {
        terms: { unitCostPence: 35_000, unitsX100: 100, frequency: 'week', startsOn: '2025-06-02', endsOn: '2025-07-13' },
        split: [{ from: '2025-06-02', to: '2025-07-13', shares: [{ partnerId: H, bp: 10000 }] }],
      },
      // 50/50 for six weeks then social care alone, £70 a day for a year: health pays 42 days of 365 halves.
      {
        terms: { unitCostPence: 49_000, unitsX100: 100, frequency: 'week', startsOn: '2025-09-01', endsOn: null },
        split: [
          {
            from: '2025-09-01',
            to: '2025-10-12',
            shares: [
              { partnerId: H, bp: 5000 },
              { partnerId: S, bp: 5000 },
            ],
          },
          { from: '2025-10-13', to: null, shares: [{ partnerId: S, bp: 10000 }] },
        ],
      },
    ]);
    const health = rows.find((r) => r.partnerId === H)!;
    const care = rows.find((r) => r.partnerId === S)!;
    expect(health).toEqual({
      partnerId: H,
      decisions: 3,
      firstYearPence: 1_825_000 + 210_000 + 147_000,
      averageShareBp: Math.round((5000 + 10000 + (147_000 * 10000) / 2_555_000) / 3),
    });
    expect(care).toEqual({
      partnerId: S,
      decisions: 2,
      firstYearPence: 1_825_000 + 2_555_000 - 147_000,
      averageShareBp: Math.round((5000 + ((2_555_000 - 147_000) * 10000) / 2_555_000) / 2),
    });
  });
});

describe('dispute figures', () => {
  it('counts disputes raised, resolved, withdrawn and open at the end of the range, and the median days to resolve', () => {
    const f = disputeFigures(
      [
        { raisedOn: '2025-05-01', status: 'resolved', resolvedOn: '2025-05-15' },
        { raisedOn: '2025-06-10', status: 'open', resolvedOn: null },
        { raisedOn: '2025-03-01', status: 'resolved', resolvedOn: '2025-04-30' }, // raised before, resolved in
        { raisedOn: '2025-07-01', status: 'resolved', resolvedOn: '2026-05-01' }, // open at the end
        { raisedOn: '2025-08-01', status: 'withdrawn', resolvedOn: '2025-08-03' },
      ],
      '2025-04-01',
      '2026-03-31',
    );
    expect(f).toEqual({ opened: 4, resolved: 2, withdrawn: 1, openAtEnd: 2, medianDaysToResolve: (14 + 60) / 2 });
  });
});

describe('small numbers for aggregates-only viewers', () => {
  const figures = (outcomes: number[], partners: number[], disputes = { opened: 6, resolved: 3, withdrawn: 0, openAtEnd: 2, medianDaysToResolve: 12 }) => {
    const total = outcomes.reduce((a, b) => a + b, 0);
    return {
      decisions: total,
      outcomes: byOutcome([]).map((o, i) => ({ ...o, count: outcomes[i] ?? 0 })),
      time: {
        overall: { count: 7, median: 20, p90: 40 },
        months: [
          { month: '2025-04', count: 6, median: 18, p90: 30 },
          { month: '2025-05', count: 1, median: 50, p90: 50 },
        ],
      },
      partners: partners.map((n, i) => ({ partnerId: `p${i}`, name: `Partner ${i}`, decisions: n, firstYearPence: 1000 * n, averageShareBp: 5000 })),
      disputes,
    };
  };
  it('panel members see every figure', () => {
    const s = shownFigures(figures([6, 3, 3, 0, 0], [5, 2]), false);
    expect(s.outcomes.map((o) => o.count.count)).toEqual([6, 3, 3, 0, 0]);
    expect(s.partners).toHaveLength(2);
    expect(s.disputes.medianDaysToResolve).toBe(12);
  });
  it('suppresses 1 to 4, keeps 5 or more, and drops figures from fewer than 5 decisions', () => {
    const s = shownFigures(figures([6, 3, 3, 0, 0], [5, 2]), true);
    expect(s.outcomes.map((o) => o.count)).toEqual([
      { count: 6, shown: 'count' },
      { count: null, shown: 'fewer-than-5' },
      { count: null, shown: 'fewer-than-5' },
      { count: 0, shown: 'count' },
      { count: 0, shown: 'count' },
    ]);
    expect(s.decisions).toEqual({ count: 12, shown: 'count' });
    expect(s.partners.map((p) => p.partnerId)).toEqual(['p0']);
    expect(s.partnersLeftOut).toBe(1);
    // Months: the one with 1 decision is "fewer than 5" and the other is hidden too (else 7 − 6 gives it away); no median from either.
    expect(s.time.months.map((m) => [m.count.shown, m.median])).toEqual([
      ['hidden', null],
      ['fewer-than-5', null],
    ]);
    expect(s.time.overall).toEqual({ count: { count: 7, shown: 'count' }, median: 20, p90: 40 });
    expect(s.disputes.resolved).toEqual({ count: null, shown: 'fewer-than-5' });
    expect(s.disputes.opened).toEqual({ count: 6, shown: 'count' });
    expect(s.disputes.medianDaysToResolve).toBeNull();
  });
  it('no count from 1 to 4 is ever shown, whatever the figures', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
        (outcomes, partners) => {
          const s = shownFigures(figures(outcomes, partners), true);
          const shown = [s.decisions, ...s.outcomes.map((o) => o.count), ...s.time.months.map((m) => m.count), s.disputes.opened, s.disputes.resolved]
            .filter((c) => c.shown === 'count')
            .map((c) => c.count!);
          return shown.every((n) => n === 0 || n >= 5) && s.partners.every((p) => p.decisions >= 5);
        },
      ),
    );
  });
  it('whole months only', () => {
    expect(wholeMonthsProblems('2025-04-01', '2026-03-31')).toEqual([]);
    expect(wholeMonthsProblems('2024-02-01', '2024-02-29')).toEqual([]);
    expect(wholeMonthsProblems('2025-04-02', '2026-03-30').map((p) => p.href)).toEqual(['#from-day', '#to-day']);
  });
});
