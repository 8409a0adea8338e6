// The panel's decision rules: quorum, delegated authority, split templates and the outcome
// sheet's due date. Figures worked out by hand in the comments; properties on generated input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { daysLate, describeTemplate, expandTemplate, quorumProblems, sheetDueOn, templateProblems, type TemplateSegment } from './rules.js';
import {
  authorityProblems,
  authorityWindowEnd,
  countingMembers,
  firstYearCostByPartner,
  largestYearlyCostByPartner,
  payingPartners,
  type PresentMember,
} from '../panels/index.js';
import { validateSplit, type Share } from '../../money/budgets/index.js';
import { isWorkingDay } from '../../../platform/working-days.js';
import { addDays } from '../../../platform/financial-year.js';

const E = 'p-education';
const S = 'p-social-care';
const H = 'p-health';
const NAMES: Record<string, string> = { [E]: 'Education', [S]: 'Social care', [H]: 'Health' };
const name = (id: string) => NAMES[id] ?? id;
const JOINT = { quorumMembers: 3, jointFundingAgencies: ['council-education', 'council-social-care', 'nhs-commissioner'] };

const member = (partnerId: string, over: Partial<PresentMember> = {}): PresentMember => ({
  userId: `u-${partnerId}`,
  name: `Member for ${name(partnerId)}`,
  organisationType: partnerId === E ? 'council-education' : partnerId === S ? 'council-social-care' : 'nhs-commissioner',
  partnerId,
  authorityPence: 5_000_000,
  interests: null,
  ...over,
});
const ALL = [member(E), member(S), member(H)];
/** Costs over the first 12 months, as the authority check reads them. */
const firstYear = (entries: [string, number][]) => new Map(entries.map(([id, pence]) => [id, { pence, when: 'in the first 12 months' }]));

describe('quorum', () => {
  it('is met by three members, one from each agency, for joint funding', () => {
    expect(quorumProblems(JOINT, ALL, [E, S])).toEqual([]);
  });

  it('refuses too few members present, saying how many there are and are needed', () => {
    expect(quorumProblems(JOINT, [member(E), member(S)], [S])).toEqual([
      'The panel is not quorate: 2 members without a declared interest are present, and at least 3 must be',
    ]);
  });

  it('does not count a member who declared an interest, and says so', () => {
    const present = [member(E), member(S), member(H, { interests: 'Knows the family' })];
    expect(countingMembers(present)).toHaveLength(2);
    expect(quorumProblems(JOINT, present, [E, S])).toEqual([
      'The panel is not quorate: 2 members without a declared interest are present (1 other member is present but declared an interest, so cannot count), and at least 3 must be',
      'This is a joint funding decision, so someone from NHS commissioner (integrated care board) must be present without a declared interest: everyone present from there declared an interest',
    ]);
  });

  it('needs each named agency only when money comes from two or more partners', () => {
    const noHealth = { ...JOINT, quorumMembers: 2 };
    const present = [member(E), member(S)];
    expect(quorumProblems(noHealth, present, [S])).toEqual([]);
    expect(quorumProblems(noHealth, present, [])).toEqual([]);
    expect(quorumProblems(noHealth, present, [E, S])).toEqual([
      'This is a joint funding decision, so someone from NHS commissioner (integrated care board) must be present: nobody from there is present',
    ]);
  });

  it('finds the paying partners of a split that changes over time', () => {
    const split = [
      {
        from: '2026-06-01',
        to: '2026-07-12',
        shares: [
          { partnerId: E, bp: 5000 },
          { partnerId: S, bp: 5000 },
        ],
      },
      { from: '2026-07-13', to: null, shares: [{ partnerId: S, bp: 10000 }] },
    ];
    expect(payingPartners(split).sort()).toEqual([E, S].sort());
  });

  it('never gets worse when another member without an interest arrives (property)', () => {
    const arb = fc.record({
      partnerId: fc.constantFrom(E, S, H),
      organisationType: fc.constantFrom('council-education', 'council-social-care', 'nhs-commissioner', 'school'),
      interests: fc.option(fc.constantFrom('Knows the family', '  '), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 6 }), arb, fc.integer({ min: 1, max: 5 }), fc.subarray([E, S, H]), (present, extra, quorum, paying) => {
        const panel = { quorumMembers: quorum, jointFundingAgencies: JOINT.jointFundingAgencies };
        const ps = present.map((p, i) => member(p.partnerId, { ...p, userId: `u${i}` }));
        const before = quorumProblems(panel, ps, paying).length;
        const after = quorumProblems(panel, [...ps, member(extra.partnerId, { ...extra, interests: null, userId: 'new' })], paying).length;
        expect(after).toBeLessThanOrEqual(before);
      }),
    );
  });
});

describe('delegated authority', () => {
  it('looks at 12 months from the start, or the whole package if shorter', () => {
    expect(authorityWindowEnd('2026-06-01', null)).toBe('2027-05-31');
    expect(authorityWindowEnd('2026-06-01', '2026-08-30')).toBe('2026-08-30');
    expect(authorityWindowEnd('2026-06-01', '2029-01-01')).toBe('2027-05-31');
    // 12 months from 29 February 2028 is 28 February 2029: the window is the 365 days before it.
    expect(authorityWindowEnd('2028-02-29', null)).toBe('2029-02-27');
  });

  it('prices each partner’s share as the ledger commits it', () => {
    // £20 an hour, 10 hours a week = £200 a week, 1 June to 30 August 2026 (13 weeks = £2,600).
    // 50/50 for 42 days (6 weeks, £1,200: £600 each), then social care 100% (7 weeks, £1,400).
    const terms = { unitCostPence: 2000, unitsX100: 1000, frequency: 'week' as const, startsOn: '2026-06-01', endsOn: '2026-08-30' };
    const split = expandTemplate(
      [
        {
          days: 42,
          shares: [
            { partnerId: E, bp: 5000 },
            { partnerId: S, bp: 5000 },
          ],
        },
        { days: null, shares: [{ partnerId: S, bp: 10000 }] },
      ],
      terms.startsOn,
      terms.endsOn,
    );
    expect(Object.fromEntries(firstYearCostByPartner(terms, split))).toEqual({ [E]: 60_000, [S]: 200_000 });
  });

  it('counts an open-ended package over 12 months across two financial years', () => {
    // £100 a week from 1 June 2026, open-ended: 304 days to 31 March 2027 (£4,342.857… → £4,342.86)
    // and 61 days to 31 May 2027 (£871.428… → £871.43): £5,214.29.
    const terms = { unitCostPence: 10_000, unitsX100: 100, frequency: 'week' as const, startsOn: '2026-06-01', endsOn: null };
    expect(Object.fromEntries(firstYearCostByPartner(terms, [{ from: '2026-06-01', to: null, shares: [{ partnerId: H, bp: 10000 }] }]))).toEqual({
      [H]: 521_429,
    });
  });

  it('refuses a share beyond the authority of every present member for that partner, naming partner and amounts', () => {
    const costs = firstYear([
      [E, 60_000],
      [S, 2_000_000],
    ]);
    const present = [member(E), member(S, { authorityPence: 1_000_000 }), member(S, { userId: 'u2', authorityPence: 1_500_000 }), member(H)];
    expect(authorityProblems(costs, present, name)).toEqual([
      'Social care’s share is £20,000.00 in the first 12 months, more than any present member for Social care may agree (the most is £15,000.00): take it to someone with more authority',
    ]);
  });

  it('refuses when nobody for the partner is present, or only someone who declared an interest', () => {
    const costs = firstYear([[H, 10_000]]);
    const msg =
      'Nobody present may agree Health’s share of £100.00 in the first 12 months: no member with authority for Health is present without a declared interest';
    expect(authorityProblems(costs, [member(E), member(S)], name)).toEqual([msg]);
    expect(authorityProblems(costs, [member(E), member(H, { interests: 'Manages the provider' })], name)).toEqual([msg]);
  });

  it('refuses a paying partner with nobody present for it even when its share is £0', () => {
    expect(authorityProblems(firstYear([[S, 0]]), [member(E), member(H)], name)).toEqual([
      'Nobody present may agree Social care’s share: no member with authority for Social care is present without a declared interest',
    ]);
    expect(authorityProblems(firstYear([[S, 0]]), [member(S, { authorityPence: 0 })], name)).toEqual([]);
  });

  it('looks at every year of the package, not only the first 12 months', () => {
    // £20,000 a week: education pays 1 December 2026 to 30 November 2027 (365 days), then social
    // care 1 December 2027 to 1 December 2028. Social care's dearest 12 months are from 1 December
    // 2027 (366 days with 29 February 2028): 122 days in 2027 to 2028 (£348,571.428… → £348,571.43)
    // and 244 in 2028 to 2029 (£697,142.857… → £697,142.86), £1,045,714.29.
    const terms = { unitCostPence: 2_000_000, unitsX100: 100, frequency: 'week' as const, startsOn: '2026-12-01', endsOn: '2028-12-01' };
    const split = [
      { from: '2026-12-01', to: '2027-11-30', shares: [{ partnerId: E, bp: 10000 }] },
      { from: '2027-12-01', to: '2028-12-01', shares: [{ partnerId: S, bp: 10000 }] },
    ];
    expect(Object.fromEntries(firstYearCostByPartner(terms, split))).toEqual({ [E]: 104_285_715 });
    const costs = largestYearlyCostByPartner(terms, split);
    expect(Object.fromEntries(costs)).toEqual({
      // 365 days: 121 in 2026 to 2027 (£345,714.285… → £345,714.29) and 244 in 2027 to 2028 (£697,142.857… → £697,142.86).
      [E]: { pence: 104_285_715, when: 'in the first 12 months' },
      [S]: { pence: 104_571_429, when: 'in the 12 months from 1 December 2027' },
    });
    expect(authorityProblems(costs, [member(E, { authorityPence: 200_000_000 }), member(S, { authorityPence: 0 })], name)).toEqual([
      'Social care’s share is £1,045,714.29 in the 12 months from 1 December 2027, more than any present member for Social care may agree (the most is £0.00): take it to someone with more authority',
    ]);
  });

  it('costs an open-ended package over a whole financial year of its last part', () => {
    // £100 a week from 1 June 2026: health for two years, then education until further notice.
    // Education's dearest financial year is 2027 to 2028 or later with 366 days (£5,228.571… → £5,228.57).
    const terms = { unitCostPence: 10_000, unitsX100: 100, frequency: 'week' as const, startsOn: '2026-06-01', endsOn: null };
    const split = [
      { from: '2026-06-01', to: '2028-05-31', shares: [{ partnerId: H, bp: 10000 }] },
      { from: '2028-06-01', to: null, shares: [{ partnerId: E, bp: 10000 }] },
    ];
    const costs = largestYearlyCostByPartner(terms, split);
    expect(costs.get(E)).toEqual({ pence: 522_857, when: 'in the financial year 2031 to 2032' });
    expect(costs.get(H)!.pence).toBe(522_857); // 2027 to 2028 has 29 February 2028
  });

  it('never counts less than the first 12 months, and each partner’s largest year is at least its share of any financial year (property)', () => {
    const day = fc.integer({ min: 0, max: 1500 }).map((n) => addDays('2026-01-01', n));
    fc.assert(
      fc.property(
        day,
        fc.option(fc.integer({ min: 0, max: 1200 }), { nil: null }),
        fc.integer({ min: 1, max: 600 }),
        fc.constantFrom<'week' | 'month'>('week', 'month'),
        (startsOn, length, cut, frequency) => {
          const endsOn = length === null ? null : addDays(startsOn, length);
          const second = addDays(startsOn, cut);
          const split =
            endsOn !== null && second > endsOn
              ? [
                  {
                    from: startsOn,
                    to: endsOn,
                    shares: [
                      { partnerId: E, bp: 5000 },
                      { partnerId: S, bp: 5000 },
                    ],
                  },
                ]
              : [
                  {
                    from: startsOn,
                    to: addDays(second, -1),
                    shares: [
                      { partnerId: E, bp: 5000 },
                      { partnerId: S, bp: 5000 },
                    ],
                  },
                  { from: second, to: endsOn, shares: [{ partnerId: S, bp: 10000 }] },
                ];
          const terms = { unitCostPence: 12_345, unitsX100: 250, frequency, startsOn, endsOn };
          const largest = largestYearlyCostByPartner(terms, split);
          expect([...largest.keys()].sort()).toEqual(payingPartners(split).sort());
          for (const [id, pence] of firstYearCostByPartner(terms, split)) expect(largest.get(id)!.pence).toBeGreaterThanOrEqual(pence);
        },
      ),
    );
  });

  it('accepts a share exactly at the limit', () => {
    expect(authorityProblems(firstYear([[E, 5_000_000]]), ALL, name)).toEqual([]);
    expect(authorityProblems(firstYear([[E, 5_000_001]]), ALL, name)).toHaveLength(1);
  });

  it('refuses exactly the partners whose share no present member can agree (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ partnerId: fc.constantFrom(E, S, H), authorityPence: fc.integer({ min: 0, max: 10_000_000 }), interested: fc.boolean() }), {
          maxLength: 6,
        }),
        fc.record({ e: fc.integer({ min: 0, max: 10_000_000 }), s: fc.integer({ min: 0, max: 10_000_000 }), h: fc.integer({ min: 0, max: 10_000_000 }) }),
        (ms, c) => {
          const present = ms.map((m, i) =>
            member(m.partnerId, { userId: `u${i}`, authorityPence: m.authorityPence, interests: m.interested ? 'Declared' : null }),
          );
          const costs = firstYear([
            [E, c.e],
            [S, c.s],
            [H, c.h],
          ]);
          // A paying partner needs someone present for it even at £0 in the year.
          const refused = [...costs]
            .filter(([id, { pence }]) => !present.some((m) => m.partnerId === id && !m.interests && m.authorityPence >= pence))
            .map(([id]) => name(id));
          const problems = authorityProblems(costs, present, name);
          expect(problems).toHaveLength(refused.length);
          for (const n of refused) expect(problems.some((p) => p.includes(`${n}’s share`))).toBe(true);
        },
      ),
    );
  });
});

describe('split templates', () => {
  const postOp: TemplateSegment[] = [
    {
      days: 42,
      shares: [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
    },
    { days: null, shares: [{ partnerId: S, bp: 10000 }] },
  ];

  it('starts on the package’s start date: 50/50 for six weeks, then social care', () => {
    expect(expandTemplate(postOp, '2026-06-01', null)).toEqual([
      {
        from: '2026-06-01',
        to: '2026-07-12',
        shares: [
          { partnerId: H, bp: 5000 },
          { partnerId: S, bp: 5000 },
        ],
      },
      { from: '2026-07-13', to: null, shares: [{ partnerId: S, bp: 10000 }] },
    ]);
    expect(expandTemplate(postOp, '2026-06-01', '2026-12-31')[1]).toEqual({ from: '2026-07-13', to: '2026-12-31', shares: [{ partnerId: S, bp: 10000 }] });
  });

  it('leaves out parts after a package that ends early', () => {
    expect(expandTemplate(postOp, '2026-06-01', '2026-06-30')).toEqual([{ from: '2026-06-01', to: '2026-06-30', shares: postOp[0]!.shares }]);
  });

  it('describes itself in plain English', () => {
    expect(describeTemplate(postOp, name)).toBe('50% Health, 50% Social care for 42 days, then 100% Social care');
  });

  it('refuses a template whose parts do not add up or have no days', () => {
    expect(templateProblems([])).toEqual(['Give at least one part of the split']);
    expect(
      templateProblems([
        {
          days: null,
          shares: [
            { partnerId: H, bp: 5000 },
            { partnerId: S, bp: 4000 },
          ],
        },
        { days: 10, shares: [{ partnerId: S, bp: 10000 }] },
      ]),
    ).toEqual([
      'Part 1: enter how many days it lasts, a whole number from 1 to 3660',
      'Part 1 adds up to 90%: the shares must add up to exactly 100%',
      'Part 2 is the last part, so it runs until the package ends: leave its number of days empty',
    ]);
    expect(templateProblems(postOp)).toEqual([]);
  });

  it('always gives a valid split covering the package (property)', () => {
    const shares = fc.constantFrom<Share[]>(
      [{ partnerId: H, bp: 10000 }],
      [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
      [
        { partnerId: E, bp: 3334 },
        { partnerId: S, bp: 3333 },
        { partnerId: H, bp: 3333 },
      ],
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ days: fc.integer({ min: 1, max: 400 }), shares }), { minLength: 0, maxLength: 2 }),
        shares,
        fc.integer({ min: 0, max: 3000 }),
        fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
        (first, lastShares, startOffset, length) => {
          const segs: TemplateSegment[] = [...first, { days: null, shares: lastShares }];
          expect(templateProblems(segs)).toEqual([]);
          const start = addDays('2024-01-01', startOffset);
          const end = length === null ? null : addDays(start, length);
          const split = expandTemplate(segs, start, end);
          expect(validateSplit(split, { from: start, to: end })).toEqual([]);
        },
      ),
    );
  });
});

describe('outcome sheet due date', () => {
  it('is the next working day, over weekends and bank holidays', () => {
    expect(sheetDueOn('2026-06-10')).toBe('2026-06-11'); // Wednesday → Thursday
    expect(sheetDueOn('2026-06-12')).toBe('2026-06-15'); // Friday → Monday
    expect(sheetDueOn('2026-04-02')).toBe('2026-04-07'); // Thursday before Good Friday → Tuesday after Easter Monday
    expect(sheetDueOn('2026-12-24')).toBe('2026-12-29'); // Christmas Eve (Thursday) → after Christmas and Boxing Day (Monday 28th substitute)
    expect(sheetDueOn('2026-12-31')).toBe('2027-01-04'); // year end: New Year's Day (Friday) and the weekend
  });

  it('counts days late from the due date', () => {
    expect(daysLate('2026-06-11', '2026-06-11')).toBe(0);
    expect(daysLate('2026-06-11', '2026-06-15')).toBe(4);
    expect(daysLate('2026-06-11', '2026-06-10')).toBe(-1);
  });

  it('is always a working day after the decision, with no working day skipped (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 30 }), (offset) => {
        const decided = addDays('2000-01-01', offset);
        const due = sheetDueOn(decided);
        expect(due > decided).toBe(true);
        expect(isWorkingDay(due)).toBe(true);
        for (let d = addDays(decided, 1); d < due; d = addDays(d, 1)) expect(isWorkingDay(d)).toBe(false);
      }),
    );
  });
});
