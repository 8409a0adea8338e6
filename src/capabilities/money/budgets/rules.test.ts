// The budgets' pure rules: money, financial years, funding splits and commitments, with their
// edge cases (leap years, a split changing mid-week, a package ending before it starts) and
// properties checked on generated input. Expected figures are worked out by hand in comments.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPence, moneyMessage, parseMoney, parsePositiveMoney } from '../../../platform/money.js';
import { addDays, daysInclusive, financialYearOf, financialYearLabel, periodBounds, periodOf } from '../../../platform/financial-year.js';
import { allocate, dayWeights, parsePercent, shareOf, validateSplit, type Split } from './split.js';
import { commitmentByYear, commitmentHorizon, type PackageTerms } from './commitment.js';
import { reviewState } from './review.js';

const H = 'a-health';
const S = 'b-social-care';
const E = 'c-education';

describe('money', () => {
  it('reads pounds as typed by people and in CSV files', () => {
    expect(parseMoney('£1,234.56')).toEqual({ ok: true, pence: 123456 });
    expect(parseMoney(' £ 12 ')).toEqual({ ok: true, pence: 1200 });
    expect(parseMoney('1234.5')).toEqual({ ok: true, pence: 123450 });
    expect(parseMoney('0.07')).toEqual({ ok: true, pence: 7 });
    expect(parseMoney('.5')).toEqual({ ok: true, pence: 50 });
    expect(parseMoney('12.500')).toEqual({ ok: true, pence: 1250 });
    expect(parseMoney('1,000,000')).toEqual({ ok: true, pence: 100_000_000 });
    expect(parseMoney('0')).toEqual({ ok: true, pence: 0 });
  });

  it('refuses negative amounts and parts of a penny with their own problem', () => {
    for (const s of ['-5', '-£5.00', '£-5', '(5.00)', '−3']) expect(parseMoney(s), s).toEqual({ ok: false, problem: 'negative' });
    for (const s of ['1.234', '0.001', '£10.505']) expect(parseMoney(s), s).toEqual({ ok: false, problem: 'fractional-pence' });
    for (const s of ['12,34', 'ten', '1.2.3', '£', '1e5', '12,345.6.7']) expect(parseMoney(s), s).toEqual({ ok: false, problem: 'not-money' });
    expect(parseMoney('')).toEqual({ ok: false, problem: 'empty' });
    expect(parseMoney('99999999999999')).toEqual({ ok: false, problem: 'too-large' });
    expect(moneyMessage('negative', 'the unit cost')).toBe('The unit cost cannot be negative. To correct an amount already recorded, reverse it instead');
    expect(moneyMessage('fractional-pence', 'the amount')).toBe(
      'The amount cannot include part of a penny: use no more than 2 digits after the decimal point, like 12.50',
    );
    expect(parsePositiveMoney('0.00', 'the amount')).toEqual({ ok: false, message: 'The amount must be more than £0' });
  });

  it('formats pence, and formatting then reading gives back the same pence', () => {
    expect(formatPence(123456)).toBe('£1,234.56');
    expect(formatPence(-5)).toBe('-£0.05');
    expect(formatPence(0)).toBe('£0.00');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (p) => {
        expect(parseMoney(formatPence(p))).toEqual({ ok: true, pence: p });
      }),
    );
  });
});

describe('financial years and periods', () => {
  it('runs April to March', () => {
    expect(financialYearOf('2025-04-01')).toBe(2025);
    expect(financialYearOf('2026-03-31')).toBe(2025);
    expect(financialYearOf('2025-03-31')).toBe(2024);
    expect(financialYearLabel(2025)).toBe('2025 to 2026');
    expect(periodOf('2025-04-15')).toEqual({ financialYear: 2025, period: 1 });
    expect(periodOf('2025-12-31')).toEqual({ financialYear: 2025, period: 9 });
    expect(periodOf('2026-01-01')).toEqual({ financialYear: 2025, period: 10 });
    expect(periodOf('2026-03-31')).toEqual({ financialYear: 2025, period: 12 });
  });

  it('knows leap years: February 2028 (period 11 of 2027) has 29 days', () => {
    expect(periodBounds(2027, 11)).toEqual({ startsOn: '2028-02-01', endsOn: '2028-02-29', name: 'February 2028' });
    expect(periodBounds(2026, 11).endsOn).toBe('2027-02-28');
    expect(daysInclusive('2027-04-01', '2028-03-31')).toBe(366);
    expect(daysInclusive('2026-04-01', '2027-03-31')).toBe(365);
  });

  it('every date falls in exactly the period whose bounds contain it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), (n) => {
        const iso = addDays('2000-01-01', n);
        const { financialYear, period } = periodOf(iso);
        const b = periodBounds(financialYear, period);
        expect(b.startsOn <= iso && iso <= b.endsOn).toBe(true);
      }),
    );
  });
});

describe('funding splits', () => {
  const surgery: Split = [
    {
      from: '2025-06-02',
      to: '2025-07-13',
      shares: [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
    },
    { from: '2025-07-14', to: null, shares: [{ partnerId: S, bp: 10000 }] },
  ];

  it('accepts health 50% and social care 50% for six weeks, then social care 100%', () => {
    expect(validateSplit(surgery, { from: '2025-06-02', to: '2026-03-31' })).toEqual([]);
  });

  it('refuses a split that does not add up to 100%, with the part and the total', () => {
    const p = validateSplit([
      {
        from: '2025-06-02',
        to: null,
        shares: [
          { partnerId: H, bp: 5000 },
          { partnerId: S, bp: 4000 },
        ],
      },
    ]);
    expect(p.map((x) => x.message)).toEqual(['The funding split adds up to 90%: the shares must add up to exactly 100%']);
    const two = validateSplit([surgery[0]!, { from: '2025-07-14', to: null, shares: [{ partnerId: S, bp: 10001 }] }]);
    expect(two.map((x) => x.code)).toEqual(['bad-share', 'not-100']);
    expect(two[1]!.message).toBe('Part 2 of the funding split adds up to 100.01%: the shares must add up to exactly 100%');
  });

  it('refuses gaps, overlaps, an open end before the last part, and a split not covering the package', () => {
    const gap = validateSplit([surgery[0]!, { ...surgery[1]!, from: '2025-07-15' }]);
    expect(gap.map((x) => x.code)).toEqual(['gap']);
    expect(gap[0]!.message).toBe('Part 2 of the funding split starts on 15/07/2025, leaving a gap after part 1 ends on 13/07/2025');
    expect(validateSplit([surgery[0]!, { ...surgery[1]!, from: '2025-07-13' }]).map((x) => x.code)).toEqual(['overlap']);
    expect(validateSplit([{ ...surgery[0]!, to: null }, surgery[1]!]).map((x) => x.code)).toContain('open-ended-before-last');
    expect(validateSplit([{ ...surgery[0]!, to: '2025-06-01' }]).map((x) => x.code)).toContain('ends-before-starts');
    expect(validateSplit(surgery, { from: '2025-06-01', to: null }).map((x) => x.code)).toEqual(['starts-late']);
    expect(validateSplit([surgery[0]!], { from: '2025-06-02', to: '2025-12-31' }).map((x) => x.code)).toEqual(['ends-early']);
    expect(validateSplit([]).map((x) => x.code)).toEqual(['empty']);
    expect(
      validateSplit([
        {
          from: '2025-06-02',
          to: null,
          shares: [
            { partnerId: H, bp: 5000 },
            { partnerId: H, bp: 5000 },
          ],
        },
      ]).map((x) => x.code),
    ).toEqual(['duplicate-partner']);
  });

  it('shares an amount so the parts always add up to the whole, each within a penny of exact, whatever the order', () => {
    expect(
      Object.fromEntries(
        shareOf(100, [
          { partnerId: H, bp: 3333 },
          { partnerId: S, bp: 3333 },
          { partnerId: E, bp: 3334 },
        ]),
      ),
    ).toEqual({ [H]: 33, [S]: 33, [E]: 34 });
    // 1p between two equal halves goes by key, not by order.
    expect(
      shareOf(1, [
        { partnerId: S, bp: 5000 },
        { partnerId: H, bp: 5000 },
      ]).get(H),
    ).toBe(1);
    expect(
      Object.fromEntries(
        shareOf(-101, [
          { partnerId: H, bp: 5000 },
          { partnerId: S, bp: 5000 },
        ]),
      ),
    ).toEqual({ [H]: -51, [S]: -50 });
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }),
        (amount, ws) => {
          const weights = ws.map((w, i) => ({ key: `p${i}`, weight: BigInt(w) }));
          const parts = allocate(amount, weights);
          const shuffled = allocate(amount, [...weights].reverse());
          expect([...parts.values()].reduce((a, b) => a + b, 0)).toBe(amount);
          expect(Object.fromEntries(shuffled)).toEqual(Object.fromEntries(parts));
          const total = ws.reduce((a, b) => a + b, 0);
          for (const [i, w] of ws.entries()) expect(Math.abs(parts.get(`p${i}`)! - (amount * w) / total)).toBeLessThan(1);
        },
      ),
    );
  });

  it('weights an invoice by the days each part of the split covers, year by year', () => {
    // 13 to 14 July: one day at 50/50, one day at social care 100%.
    const w = dayWeights(surgery, '2025-07-13', '2025-07-14', financialYearOf);
    expect(Object.fromEntries(w)).toEqual({ [`2025|${H}`]: 5000n, [`2025|${S}`]: 15000n });
  });

  it('reads percentages with up to 2 decimals', () => {
    expect(parsePercent('50')).toBe(5000);
    expect(parsePercent('33.33%')).toBe(3333);
    expect(parsePercent('100')).toBe(10000);
    expect(parsePercent('100.01')).toBeNull();
    expect(parsePercent('-5')).toBeNull();
    expect(parsePercent('1.234')).toBeNull();
  });
});

describe('commitments', () => {
  const weekly = (over: Partial<PackageTerms> = {}): PackageTerms => ({
    unitCostPence: 2000,
    unitsX100: 1000,
    frequency: 'week',
    startsOn: '2025-06-02',
    endsOn: null,
    ...over,
  });
  const all = (partnerId: string, from = '2025-01-01'): Split => [{ from, to: null, shares: [{ partnerId, bp: 10000 }] }];

  it('costs a weekly package by the day: 10 hours at £20 for 2 weeks is £400', () => {
    expect(commitmentByYear(weekly({ endsOn: '2025-06-15' }), all(S), 2025)).toEqual([
      { financialYear: 2025, totalPence: 40000, byPartner: [{ partnerId: S, pence: 40000 }] },
    ]);
    // One day is a seventh of a week: £200 / 7 = £28.571… → £28.57.
    expect(commitmentByYear(weekly({ endsOn: '2025-06-02' }), all(S), 2025)[0]!.totalPence).toBe(2857);
  });

  /** Health and social care half each from Monday 2 June 2025 until `until`, then social care alone. */
  const halvesUntil = (until: string): Split => [
    {
      from: '2025-06-02',
      to: until,
      shares: [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
    },
    { from: addDays(until, 1), to: null, shares: [{ partnerId: S, bp: 10000 }] },
  ];

  it('splits a change mid-week by the days before and after it', () => {
    // Week of Monday 2 June; health pays half until Wednesday 4 June, then social care all.
    const [y] = commitmentByYear(weekly({ endsOn: '2025-06-08' }), halvesUntil('2025-06-04'), 2025);
    // £200 a week = £28.5714… a day. Health: 3 days × half = £42.857… Social care: the rest of £200.
    expect(y).toEqual({
      financialYear: 2025,
      totalPence: 20000,
      byPartner: [
        { partnerId: H, pence: 4286 },
        { partnerId: S, pence: 15714 },
      ],
    });
  });

  it('commits the surgery example: six weeks of 50/50, then social care, to the end of the financial year', () => {
    const [y] = commitmentByYear(weekly(), halvesUntil('2025-07-13'), 2025);
    // 2 June 2025 to 31 March 2026 is 303 days = 43 weeks and 2 days: £200 × 303/7 = £8,657.142… → £8,657.14.
    // Health: 6 weeks × £100 = £600.
    expect(y).toEqual({
      financialYear: 2025,
      totalPence: 865714,
      byPartner: [
        { partnerId: H, pence: 60000 },
        { partnerId: S, pence: 805714 },
      ],
    });
  });

  it('costs a monthly package by calendar month, with a leap-year February', () => {
    const monthly = (startsOn: string, endsOn: string): PackageTerms => ({ unitCostPence: 29000, unitsX100: 100, frequency: 'month', startsOn, endsOn });
    // A whole February costs the whole month, 28 or 29 days.
    expect(commitmentByYear(monthly('2028-02-01', '2028-02-29'), all(S), 2027)[0]!.totalPence).toBe(29000);
    expect(commitmentByYear(monthly('2027-02-01', '2027-02-28'), all(S), 2026)[0]!.totalPence).toBe(29000);
    // Half of leap February: 14/29 of £290 = £140. Of a common one: 14/28 = £145.
    expect(commitmentByYear(monthly('2028-02-01', '2028-02-14'), all(S), 2027)[0]!.totalPence).toBe(14000);
    expect(commitmentByYear(monthly('2027-02-01', '2027-02-14'), all(S), 2026)[0]!.totalPence).toBe(14500);
  });

  it('commits to the end of the current financial year, or of the year the package starts in, never past its end', () => {
    expect(commitmentHorizon({ startsOn: '2025-06-02', endsOn: null }, '2025-09-01')).toBe(2025);
    expect(commitmentHorizon({ startsOn: '2026-06-02', endsOn: null }, '2025-09-01')).toBe(2026);
    expect(commitmentHorizon({ startsOn: '2024-06-02', endsOn: '2025-05-01' }, '2027-01-01')).toBe(2025);
    const years = commitmentByYear(weekly({ startsOn: '2025-03-01', endsOn: null }), all(S, '2025-03-01'), 2025);
    expect(years.map((y) => y.financialYear)).toEqual([2024, 2025]);
    // March 2025 (31 days) in 2024 to 2025; the whole of 2025 to 2026 (365 days).
    expect(years[0]!.totalPence).toBe(Math.round((20000 * 31) / 7));
    expect(years[1]!.totalPence).toBe(Math.round((20000 * 365) / 7));
  });

  it('refuses a package that ends before it starts', () => {
    expect(() => commitmentByYear(weekly({ endsOn: '2025-06-01' }), all(S), 2025)).toThrow('A package cannot end before it starts');
  });

  it('for any terms and split, each year’s partners add up to its total, which is the exact cost rounded', () => {
    const date = fc.integer({ min: 0, max: 1200 }).map((n) => addDays('2024-01-01', n));
    fc.assert(
      fc.property(
        fc.record({
          unitCostPence: fc.integer({ min: 1, max: 500_000 }),
          unitsX100: fc.integer({ min: 1, max: 10_000 }),
          frequency: fc.constantFrom('week' as const, 'month' as const),
          start: date,
          length: fc.integer({ min: 0, max: 900 }),
          openEnded: fc.boolean(),
          cuts: fc.array(fc.integer({ min: 1, max: 800 }), { maxLength: 3 }),
          shares: fc.array(fc.integer({ min: 1, max: 9999 }), { minLength: 4, maxLength: 4 }),
        }),
        (g) => {
          const endsOn = g.openEnded ? null : addDays(g.start, g.length);
          const terms: PackageTerms = { unitCostPence: g.unitCostPence, unitsX100: g.unitsX100, frequency: g.frequency, startsOn: g.start, endsOn };
          const cuts = [...new Set(g.cuts)].sort((a, b) => a - b).map((c) => addDays(g.start, c));
          const starts = [g.start, ...cuts];
          const split: Split = starts.map((from, i) => {
            const h = g.shares[i]!;
            return {
              from,
              to: i < starts.length - 1 ? addDays(starts[i + 1]!, -1) : null,
              shares: [
                { partnerId: H, bp: h },
                { partnerId: S, bp: 10000 - h },
              ],
            };
          });
          const through = commitmentHorizon(terms, '2025-10-01');
          const years = commitmentByYear(terms, split, through);
          for (const y of years) {
            expect(y.byPartner.reduce((a, p) => a + p.pence, 0)).toBe(y.totalPence);
            expect(y.totalPence).toBeGreaterThan(0);
          }
          if (g.frequency === 'week') {
            // Each year's total is the exact daily cost × the days committed in it, rounded;
            // years that round to nothing are left out.
            const last = endsOn ?? `${through + 1}-03-31`;
            const expected: { financialYear: number; totalPence: number }[] = [];
            for (let fy = financialYearOf(g.start); fy <= Math.min(through, financialYearOf(last)); fy++) {
              const a = g.start > `${fy}-04-01` ? g.start : `${fy}-04-01`;
              const b = last < `${fy + 1}-03-31` ? last : `${fy + 1}-03-31`;
              const d = daysInclusive(a, b);
              const exact = Number((BigInt(g.unitCostPence) * BigInt(g.unitsX100) * BigInt(d) * 2n + 700n) / 1400n);
              if (exact > 0) expected.push({ financialYear: fy, totalPence: exact });
            }
            expect(years.map((y) => ({ financialYear: y.financialYear, totalPence: y.totalPence }))).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('when a package is due for review', () => {
  const today = '2026-12-07';
  it('is overdue once the review date has passed while the package continues', () => {
    expect(reviewState({ review_on: '2026-12-06', ends_on: null }, today)).toBe('overdue');
    expect(reviewState({ review_on: '2026-10-01', ends_on: '2026-12-07' }, today)).toBe('overdue');
  });
  it('needs no review once the package has ended, nor without a review date', () => {
    expect(reviewState({ review_on: '2026-10-01', ends_on: '2026-12-06' }, today)).toBeNull();
    expect(reviewState({ review_on: null, ends_on: null }, today)).toBeNull();
  });
  it('is due soon from today to two weeks ahead, and not before', () => {
    expect(reviewState({ review_on: today, ends_on: null }, today)).toBe('due');
    expect(reviewState({ review_on: '2026-12-21', ends_on: null }, today)).toBe('due');
    expect(reviewState({ review_on: '2026-12-22', ends_on: null }, today)).toBeNull();
  });
});
