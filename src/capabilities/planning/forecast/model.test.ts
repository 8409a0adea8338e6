// The cohort model and the forecast's rules: moving cohorts on never makes a count negative, and
// moves between settings neither make nor lose children; the rates come back from histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  estimateFromAggregates,
  estimateFromHistories,
  lastValue,
  linearTrend,
  mape,
  median,
  project,
  stepCohorts,
  toCells,
  total,
  type Cell,
  type Transitions,
} from './model.js';
import { applyAdjustments, costs, forecast, histories, joinerFactor, ScenarioProblem, settingOn, type RegisterChild } from './rules.js';

const SETTINGS = ['mainstream', 'special', 'post-16'];
const cellArb = fc.record({
  age: fc.integer({ min: 0, max: 25 }),
  setting: fc.constantFrom(...SETTINGS),
  need: fc.constantFrom('ASD', 'SLCN', 'SEMH'),
  count: fc.integer({ min: 0, max: 50_000 }).map((n) => n / 100),
});
// Rates as real data gives them: hundredths (never a denormal float).
const rate = fc.integer({ min: 0, max: 100 }).map((n) => n / 100);
const moveArb = fc.record({ leave: rate, to: fc.record({ mainstream: rate, special: rate }) });
const transitionsArb = fc
  .record({ m: moveArb, s: moveArb, p: moveArb })
  .map(({ m, s, p }): Transitions => ({ moves: { '*|mainstream': m, '*|special': s, '*|post-16': p }, maxAge: 25 }));

describe('stepCohorts', () => {
  it('never makes a count negative and never makes children: those who stay are at most those there were', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 30 }), transitionsArb, (cells, t) => {
        const next = toCells(stepCohorts(cells, t));
        expect(next.every((c) => c.count >= 0)).toBe(true);
        expect(total(next)).toBeLessThanOrEqual(total(cells) + 1e-6);
      }),
    );
  });

  it('conserves the total when nobody leaves and nobody passes 25: moves between settings only move children', () => {
    const noLeave = transitionsArb.map((t) => ({ ...t, moves: Object.fromEntries(Object.entries(t.moves).map(([k, m]) => [k, { ...m, leave: 0 }])) }));
    fc.assert(
      fc.property(
        fc.array(
          cellArb.map((c) => ({ ...c, age: Math.min(c.age, 24) })),
          { maxLength: 30 },
        ),
        noLeave,
        (cells, t) => {
          expect(total(toCells(stepCohorts(cells, t)))).toBeCloseTo(total(cells), 6);
        },
      ),
    );
  });

  it('ages each cohort one year and lets the 25-year-olds go', () => {
    const t: Transitions = { moves: { '*|special': { leave: 0.1, to: { special: 0.5, 'post-16': 0.5 } } }, maxAge: 25 };
    const next = toCells(
      stepCohorts(
        [
          { age: 15, setting: 'special', need: 'ASD', count: 100 },
          { age: 25, setting: 'special', need: 'ASD', count: 7 },
        ],
        t,
      ),
    );
    expect(next.sort((a, b) => a.setting.localeCompare(b.setting))).toEqual([
      { age: 16, setting: 'post-16', need: 'ASD', count: 45 },
      { age: 16, setting: 'special', need: 'ASD', count: 45 },
    ]);
  });
});

describe('project', () => {
  it('adds the trend of new children every year and keeps counts at zero or above', () => {
    fc.assert(
      fc.property(
        fc.array(cellArb, { maxLength: 20 }),
        transitionsArb,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: -200, max: 200 }),
        (cells, t, last, slope) => {
          const years = project(cells, { transitions: t, joiners: { last, slopePerYear: slope, mix: { '5|mainstream|ASD': 1 } } }, 5);
          expect(years).toHaveLength(5);
          for (const y of years) expect(y.every((c) => c.count >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('estimateFromHistories', () => {
  it('counts leaving, moves and joiners from children seen on consecutive census days', () => {
    const at = (age: number, setting: string) => ({ age, setting, need: 'ASD' });
    const hs = [
      new Map([
        [2024, at(10, 'mainstream')],
        [2025, at(11, 'special')],
      ]),
      new Map([
        [2024, at(10, 'mainstream')],
        [2025, at(11, 'mainstream')],
      ]),
      new Map([[2024, at(10, 'mainstream')]]),
      new Map([[2025, at(4, 'early-years')]]),
    ];
    const m = estimateFromHistories(hs, [2024, 2025]);
    expect(m.transitions.moves['*|mainstream']).toEqual({ leave: 1 / 3, to: { special: 0.5, mainstream: 0.5 } });
    expect(m.joiners).toEqual({ last: 1, slopePerYear: 0, mix: { '4|early-years|ASD': 1 } });
  });
});

describe('estimateFromAggregates', () => {
  it('recovers a constant leaving rate and the trend of new plans from totals', () => {
    // 1000 plans, 10% leave each year, new plans 200, 220, 240.
    const totals = [1000];
    const plans = [200, 220, 240, 260];
    for (let i = 0; i < 3; i++) totals.push(totals[i]! * 0.9 + plans[i]!);
    const m = estimateFromAggregates(totals.map((t, i) => ({ bySetting: { mainstream: t * 0.6, special: t * 0.4 }, newPlans: plans[i]! })));
    expect(m.transitions.moves['*|mainstream']!.leave).toBeCloseTo(0.1, 9);
    expect(m.joiners.last).toBe(240);
    expect(m.joiners.slopePerYear).toBe(20);
  });
});

describe('baselines and errors', () => {
  it('the last value, an OLS line, MAPE and the median', () => {
    expect(lastValue([1, 2, 5], 2)).toEqual([5, 5]);
    expect(linearTrend([10, 12, 14, 16], 3)).toEqual([18, 20, 22]);
    expect(linearTrend([1, 3, 2, 4], 1)[0]).toBeCloseTo(4.5, 9); // slope 0.8, mean 2.5 at x=1.5
    expect(mape([110, 90], [100, 100])).toBeCloseTo(10, 9);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(() => mape([1], [0])).toThrow(/zero/);
  });
});

describe('the area forecast', () => {
  const child = (dob: string, joined: string, left: string | null, school = false): RegisterChild => ({
    dateOfBirth: dob,
    joinedOn: joined,
    leftOn: left,
    need: 'ASD',
    schoolSpells: school ? [{ from: '2020-09-01', to: null }] : [],
  });

  it('places a child by age, or in the special school while a school spell is open', () => {
    expect(settingOn(child('2020-03-01', '2021-01-01', null), '2024-01-15', 3)).toBe('early-years');
    expect(settingOn(child('2014-03-01', '2021-01-01', null), '2024-01-15', 9)).toBe('mainstream');
    expect(settingOn(child('2014-03-01', '2021-01-01', null, true), '2024-01-15', 9)).toBe('special');
    expect(settingOn(child('2006-03-01', '2021-01-01', null), '2024-01-15', 17)).toBe('post-16');
  });

  it('refuses a resource base that would take more children than a setting has, naming the figures', () => {
    const cells: Cell[] = [{ age: 9, setting: 'special', need: 'ASD', count: 12 }];
    const err = (() => {
      try {
        applyAdjustments(cells, 2028, [{ kind: 'places', from: 'special', to: 'resource-base', places: 40, openingYear: 2027 }]);
      } catch (e) {
        return e as ScenarioProblem;
      }
    })();
    expect(err).toBeInstanceOf(ScenarioProblem);
    expect(err!.message).toBe(
      '40 places opening in September 2027 would take 40 children out of special school settings, but the forecast has only 12 there in 2027/28, so the count would fall below zero. Give fewer places or take them from another setting.',
    );
    // Before it opens, nothing moves.
    expect(applyAdjustments(cells, 2027, [{ kind: 'places', from: 'special', to: 'resource-base', places: 40, openingYear: 2027 }])).toEqual(cells);
    expect(() => joinerFactor([{ kind: 'joiners', percent: -120 }])).toThrow(/below zero/);
  });

  it('moves keep the total: a shift or new places never make or lose children', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 100 }), (cells, percent) => {
        const out = applyAdjustments(cells, 2030, [{ kind: 'shift', from: 'special', to: 'mainstream', percent }]);
        expect(total(out)).toBeCloseTo(total(cells), 6);
        expect(out.every((c) => c.count >= 0)).toBe(true);
      }),
    );
  });

  it('forecasts five years for each scenario with an interval around the central figure, and costs from spend', () => {
    const children: RegisterChild[] = [];
    for (let i = 0; i < 300; i++) {
      const y = 2003 + (i % 20);
      children.push(child(`${y}-0${1 + (i % 9)}-1${i % 9}`, `20${19 + (i % 6)}-03-01`, i % 7 === 0 ? '2024-06-01' : null, i % 5 === 0));
    }
    const years = [2021, 2022, 2023, 2024, 2025];
    const hs = histories(children, years);
    const { perChild, unitCosts } = costs(
      [
        { childId: 'a', serviceCategory: 'placements', pence: 3_000_000 },
        { childId: 'b', serviceCategory: 'short-breaks', pence: 100_000 },
        { childId: 'c', serviceCategory: 'short-breaks', pence: 300_000 },
      ],
      new Map([
        ['a', 'special'],
        ['b', 'mainstream'],
        ['c', 'mainstream'],
        ['d', 'mainstream'],
      ]),
    );
    expect(unitCosts).toEqual([
      { serviceCategory: 'placements', children: 1, pence: 3_000_000 },
      { serviceCategory: 'short-breaks', children: 2, pence: 200_000 },
    ]);
    expect(perChild).toMatchObject({ special: 3_000_000, mainstream: 133_333, 'resource-base': 133_333 });
    const out = forecast(
      hs,
      years,
      [
        { name: 'Baseline', adjustments: [] },
        { name: 'More stay in mainstream', adjustments: [{ kind: 'shift', from: 'special', to: 'mainstream', percent: 5 }] },
      ],
      perChild,
      30,
    );
    expect(out.map((s) => s.years.map((y) => y.label))).toEqual([
      ['2025/26', '2026/27', '2027/28', '2028/29', '2029/30'],
      ['2025/26', '2026/27', '2027/28', '2028/29', '2029/30'],
    ]);
    for (const s of out) for (const y of s.years) expect(y.low).toBeLessThanOrEqual(y.high);
    const [base, more] = out as [(typeof out)[0], (typeof out)[0]];
    expect(more.years[0]!.children).toBeCloseTo(base.years[0]!.children, 6);
    expect(more.years[0]!.bySetting.special).toBeCloseTo(base.years[0]!.bySetting.special! * 0.95, 6);
    expect(more.years[0]!.costPence).toBeLessThan(base.years[0]!.costPence);
  });

  it('forecasts an empty register as no children and no cost, rather than failing', () => {
    const out = forecast([], [2022, 2023, 2024, 2025, 2026], [{ name: 'Baseline', adjustments: [] }], {});
    expect(out[0]!.years.map((y) => [y.children, y.low, y.high, y.costPence])).toEqual(Array.from({ length: 5 }, () => [0, 0, 0, 0]));
  });
});
