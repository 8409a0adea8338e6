// The disputes' pure rules: ladder validation, step deadlines (calendar days, moved to the next
// working day), the split a resolution agrees, and the spend correction.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { correction, risingCosts, spendBySplit, splitFrom, stepDueOn, validateLadder } from '../src/capabilities/referral-and-panel/disputes/rules.js';
import { parseResolveForm } from '../src/capabilities/referral-and-panel/disputes/schema.js';
import { largestYearlyCostByPartner } from '../src/capabilities/referral-and-panel/panels/authority.js';
import { ValidationError } from '../src/platform/http/errors.js';
import { validateSplit } from '../src/capabilities/money/budgets/split.js';
import { financialYearOf } from '../src/platform/financial-year.js';
import { isWorkingDay } from '../src/platform/working-days.js';

const H = 'health';
const S = 'social-care';

describe('the escalation ladder', () => {
  it('needs at least one step, a name each, distinct names and 1 to 365 days', () => {
    expect(validateLadder([])[0]!.text).toBe('Enter at least one step: its name and how many days it allows');
    const texts = validateLadder([
      { name: 'Panel chairs', days: 10 },
      { name: '', days: 15 },
      { name: 'panel chairs', days: 366 },
      { name: 'Directors', days: 0 },
      { name: 'Chief executives', days: 2.5 },
    ]).map((p) => p.text);
    expect(texts).toEqual([
      'Enter a name for step 2',
      'Step 3 has the same name as step 1: give each step its own name',
      'Step 3 must allow a whole number of days from 1 to 365',
      'Step 4 must allow a whole number of days from 1 to 365',
      'Step 5 must allow a whole number of days from 1 to 365',
    ]);
    expect(
      validateLadder([
        { name: 'Panel chairs', days: 10 },
        { name: 'Directors', days: 365 },
      ]),
    ).toEqual([]);
  });
  it('cannot be shortened below the step of an open dispute', () => {
    expect(validateLadder([{ name: 'Panel chairs', days: 10 }], { highestOpenStep: 3 })[0]!.text).toBe(
      'A dispute is open at step 3: the ladder must keep at least 3 steps until it is resolved or withdrawn',
    );
  });
});

describe('a step’s due date', () => {
  it('is the calendar days later, or the next working day after a weekend or bank holiday', () => {
    expect(stepDueOn('2026-11-02', 10)).toBe('2026-11-12'); // a Thursday
    expect(stepDueOn('2026-11-04', 10)).toBe('2026-11-16'); // Saturday 14th → Monday
    expect(stepDueOn('2026-12-15', 10)).toBe('2026-12-29'); // Christmas Day, Saturday Boxing Day and its Monday substitute
    expect(stepDueOn('2027-03-22', 4)).toBe('2027-03-30'); // Good Friday, the weekend and Easter Monday → Tuesday
  });
  it('always falls on a working day, never before the calendar days are up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 20 }), fc.integer({ min: 1, max: 365 }), (offset, days) => {
        const start = new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
        const due = stepDueOn(start, days);
        const plain = new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
        return isWorkingDay(due) && due >= plain && (isWorkingDay(plain) ? due === plain : true);
      }),
    );
  });
});

describe('the agreed split', () => {
  const decided = [
    {
      from: '2026-10-05',
      to: '2026-11-15',
      shares: [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
    },
    { from: '2026-11-16', to: null, shares: [{ partnerId: S, bp: 10000 }] },
  ];
  it('replaces the whole split from the package start', () => {
    expect(
      splitFrom(
        decided,
        '2026-10-05',
        [
          { partnerId: S, bp: 7000 },
          { partnerId: H, bp: 3000 },
        ],
        null,
      ),
    ).toEqual([
      {
        from: '2026-10-05',
        to: null,
        shares: [
          { partnerId: H, bp: 3000 },
          { partnerId: S, bp: 7000 },
        ],
      },
    ]);
  });
  it('keeps the parts before the date, ending the one running over it the day before', () => {
    const s = splitFrom(
      decided,
      '2026-11-02',
      [
        { partnerId: H, bp: 3000 },
        { partnerId: S, bp: 7000 },
      ],
      null,
    );
    expect(s.map((x) => [x.from, x.to])).toEqual([
      ['2026-10-05', '2026-11-01'],
      ['2026-11-02', null],
    ]);
    expect(validateSplit(s, { from: '2026-10-05', to: null })).toEqual([]);
    const later = splitFrom(decided, '2026-12-01', [{ partnerId: H, bp: 10000 }], '2027-01-31');
    expect(later.map((x) => [x.from, x.to])).toEqual([
      ['2026-10-05', '2026-11-15'],
      ['2026-11-16', '2026-11-30'],
      ['2026-12-01', '2027-01-31'],
    ]);
    expect(validateSplit(later, { from: '2026-10-05', to: '2027-01-31' })).toEqual([]);
  });
});

describe('the agreed split for a while', () => {
  const decided = [
    {
      from: '2026-10-05',
      to: '2026-11-15',
      shares: [
        { partnerId: H, bp: 5000 },
        { partnerId: S, bp: 5000 },
      ],
    },
    { from: '2026-11-16', to: null, shares: [{ partnerId: S, bp: 10000 }] },
  ];
  it('re-agrees the first six weeks and keeps "then social care 100%"', () => {
    const s = splitFrom(
      decided,
      '2026-10-05',
      [
        { partnerId: H, bp: 7000 },
        { partnerId: S, bp: 3000 },
      ],
      null,
      '2026-11-15',
    );
    expect(s).toEqual([
      {
        from: '2026-10-05',
        to: '2026-11-15',
        shares: [
          { partnerId: H, bp: 7000 },
          { partnerId: S, bp: 3000 },
        ],
      },
      { from: '2026-11-16', to: null, shares: [{ partnerId: S, bp: 10000 }] },
    ]);
  });
  it('cuts a part that runs over the last day, starting it the day after', () => {
    const s = splitFrom(decided, '2026-11-01', [{ partnerId: H, bp: 10000 }], '2027-03-31', '2026-11-30');
    expect(s.map((x) => [x.from, x.to, x.shares.map((sh) => sh.bp).join('/')])).toEqual([
      ['2026-10-05', '2026-10-31', '5000/5000'],
      ['2026-11-01', '2026-11-30', '10000'],
      ['2026-12-01', null, '10000'],
    ]);
    expect(validateSplit(s, { from: '2026-10-05', to: null })).toEqual([]);
  });
});

describe('the spend correction', () => {
  it('moves exactly what the new split implies, and the moves add up to nothing', () => {
    const items = [
      { from: '2026-10-05', to: '2026-10-18', amountPence: 140_000 },
      { from: '2026-10-20', to: '2026-10-20', amountPence: 3_333 },
    ];
    const old = spendBySplit(
      items,
      [
        {
          from: '2026-10-05',
          to: null,
          shares: [
            { partnerId: H, bp: 5000 },
            { partnerId: S, bp: 5000 },
          ],
        },
      ],
      financialYearOf,
    );
    const now = spendBySplit(
      items,
      [
        {
          from: '2026-10-05',
          to: null,
          shares: [
            { partnerId: H, bp: 3000 },
            { partnerId: S, bp: 7000 },
          ],
        },
      ],
      financialYearOf,
    );
    expect(old.get(`2026|${H}`)).toBe(70_000 + 1_667);
    expect(now.get(`2026|${H}`)).toBe(42_000 + 1_000);
    const moves = correction(now, old);
    expect(moves).toEqual([
      { key: `2026|${H}`, pence: 43_000 - 71_667 },
      { key: `2026|${S}`, pence: 140_000 + 3_333 - 43_000 - (70_000 + 1_666) },
    ]);
    expect(moves.reduce((a, m) => a + m.pence, 0)).toBe(0);
    expect(correction(now, now)).toEqual([]);
  });
});

describe('whose yearly cost a resolution raises', () => {
  const terms = { unitCostPence: 70_000, unitsX100: 100, frequency: 'week' as const, startsOn: '2026-10-05', endsOn: '2026-11-29' };
  const split = (h: number) => [
    {
      from: '2026-10-05',
      to: '2026-11-29',
      shares: [
        { partnerId: H, bp: h },
        { partnerId: S, bp: 10000 - h },
      ],
    },
  ];
  it('names only the partners whose largest yearly cost goes up, with the new cost', () => {
    const before = largestYearlyCostByPartner(terms, split(5000));
    expect(risingCosts(before, largestYearlyCostByPartner(terms, split(7000)))).toEqual(new Map([[H, { pence: 392_000, when: 'in the first 12 months' }]]));
    expect(risingCosts(before, largestYearlyCostByPartner(terms, split(3000)))).toEqual(new Map([[S, { pence: 392_000, when: 'in the first 12 months' }]]));
    expect(risingCosts(before, largestYearlyCostByPartner(terms, split(5000)))).toEqual(new Map());
  });
  it('counts a partner that paid nothing before from nothing', () => {
    expect([...risingCosts(new Map(), new Map([[H, { pence: 1, when: 'in the first 12 months' }]])).keys()]).toEqual([H]);
  });
});

describe('the resolve form', () => {
  const paying = [
    { id: H, name: 'Health' },
    { id: S, name: 'Social care' },
  ];
  const body = (extra: Record<string, string>) => ({
    'from-day': '5',
    'from-month': '10',
    'from-year': '2026',
    [`share-${H}`]: '70',
    [`share-${S}`]: '30',
    note: 'Agreed',
    version: '1',
    packageVersion: '3',
    ...extra,
  });
  const texts = (b: Record<string, string>) => {
    try {
      parseResolveForm(b, paying);
      return [];
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return e.errors.map((x) => `${x.href} ${x.text}`);
    }
  };
  it('carries the package version the resolver saw', () => {
    expect(parseResolveForm(body({}), paying)).toMatchObject({ from: '2026-10-05', until: null, version: 1, packageVersion: 3 });
    expect(texts(body({ packageVersion: '' }))).toEqual(['#main-content The form is out of date. Reload the page and try again']);
  });
  it('refuses dates the ledger cannot hold, naming the field', () => {
    expect(texts(body({ 'until-day': '31', 'until-month': '12', 'until-year': '9999' }))).toEqual([
      '#until-day The last day the agreed split applies must be between 1 April 2000 and 31 March 2200',
    ]);
    expect(texts(body({ 'from-day': '31', 'from-month': '3', 'from-year': '2000' }))).toEqual([
      '#from-day The date the agreed split starts must be between 1 April 2000 and 31 March 2200',
    ]);
    expect(texts(body({ 'from-day': '1', 'from-month': '4', 'from-year': '2000', 'until-day': '31', 'until-month': '3', 'until-year': '2200' }))).toEqual([]);
  });
});
