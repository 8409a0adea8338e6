// The budget reports' pure rules, with hand-worked figures: forecast outturn, adding up by
// partner, pool and service, shares of spend against agreed shares, small-number protection.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  figuresOf,
  fineRowsFromEntries,
  groupBy,
  protectGroups,
  shareComparison,
  weeklyCostPence,
  type FineRow,
} from '../src/capabilities/money/budget-reports/rules.js';
import { toCsv, toXlsx } from '../src/platform/export.js';
import { commitmentByYear } from '../src/capabilities/money/budgets/commitment.js';
import { allocate, dayWeights, type Split } from '../src/capabilities/money/budgets/split.js';
import { addDays, financialYearOf } from '../src/platform/financial-year.js';
import ExcelJS from 'exceljs';

const A = 'agreement-a';
const B = 'agreement-b';
const row = (over: Partial<FineRow>): FineRow => ({
  agreementId: A,
  partnerId: 'p1',
  category: 'therapies',
  budget: 0,
  commitment: 0,
  actual: 0,
  unmatched: 0,
  remaining: 0,
  ...over,
});

describe('forecast outturn', () => {
  it('is actual spend plus unmatched invoices plus unspent commitment, package by package', () => {
    // Package 1: committed £1,000, £400 spent → £600 still to come.
    // Package 2: committed £500, £700 spent (overspent) → nothing more to come, not -£200.
    // An unmatched invoice of £50 in the same pool (no package).
    const rows = fineRowsFromEntries(
      [
        { account: 'commitments', amountPence: 100_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'spend', amountPence: 40_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'commitments', amountPence: 50_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k2' },
        { account: 'spend', amountPence: 70_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k2' },
        { account: 'suspense', amountPence: 5_000, agreementId: A, partnerId: null, financialYear: 2025, serviceCategory: null, packageId: null },
        { account: 'budget', amountPence: 200_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: null },
        // Another year: not counted.
        { account: 'spend', amountPence: 999_999, agreementId: A, partnerId: 'p1', financialYear: 2024, serviceCategory: 'therapies', packageId: 'k1' },
        // Accounts the report does not read.
        { account: 'creditors', amountPence: -110_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: null, packageId: null },
      ],
      2025,
    );
    const { total } = groupBy(rows, 'agreement');
    expect(total).toEqual({
      budget: 200_000,
      commitment: 150_000,
      actual: 110_000,
      unmatched: 5_000,
      forecast: 110_000 + 5_000 + 60_000,
      variance: 200_000 - 175_000,
    });
  });

  it('counts a reversal: a reversed commitment adds nothing', () => {
    const rows = fineRowsFromEntries(
      [
        { account: 'commitments', amountPence: 30_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'commitments', amountPence: -30_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
      ],
      2025,
    );
    expect(figuresOf(rows[0]!)).toMatchObject({ commitment: 0, forecast: 0 });
  });
});

describe('forecast against commitment, to the penny (issue 19, item 2)', () => {
  const FY = 2026;
  const PARTNERS = ['health', 'social-care', 'education'] as const;
  // A package inside the year: weekly cost, start, length, and a split of one or two parts
  // between two or three partners with awkward shares (1/3 and the like).
  const packageArb = fc.record({
    unitCostPence: fc.integer({ min: 1, max: 250_000 }),
    unitsX100: fc.integer({ min: 1, max: 1_000 }),
    startOffset: fc.integer({ min: 0, max: 300 }),
    days: fc.integer({ min: 1, max: 64 }),
    sharesA: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 3 }),
    sharesB: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 3 }),
    twoParts: fc.boolean(),
    // Invoices: the package's days cut at these points, each invoice for its days' part of the
    // year's commitment, and some not yet received.
    cuts: fc.array(fc.integer({ min: 1, max: 63 }), { maxLength: 4 }),
    received: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  });
  const bp = (weights: number[]) => {
    const total = weights.reduce((a, w) => a + w, 0);
    const out = weights.map((w) => Math.floor((w * 10_000) / total));
    out[0]! += 10_000 - out.reduce((a, x) => a + x, 0);
    return out.map((b, i) => ({ partnerId: PARTNERS[i]!, bp: b }));
  };

  it('gives each partner a forecast equal to its commitment when nothing is unmatched and no package has cost more than committed (property)', () => {
    fc.assert(
      fc.property(fc.array(packageArb, { minLength: 1, maxLength: 5 }), (packages) => {
        const entries: Parameters<typeof fineRowsFromEntries>[0][number][] = [];
        packages.forEach((p, n) => {
          const packageId = `k${n}`;
          const startsOn = addDays(`${FY}-04-01`, p.startOffset);
          const endsOn = addDays(startsOn, p.days - 1);
          const half = addDays(startsOn, Math.floor((p.days - 1) / 2));
          const split: Split =
            p.twoParts && p.days > 1
              ? [
                  { from: startsOn, to: half, shares: bp(p.sharesA) },
                  { from: addDays(half, 1), to: endsOn, shares: bp(p.sharesB) },
                ]
              : [{ from: startsOn, to: endsOn, shares: bp(p.sharesA) }];
          const dims = { agreementId: A, financialYear: FY, serviceCategory: 'therapies', packageId };
          const year = commitmentByYear({ unitCostPence: p.unitCostPence, unitsX100: p.unitsX100, frequency: 'week', startsOn, endsOn }, split, FY).find(
            (y) => y.financialYear === FY,
          );
          if (!year) return;
          for (const b of year.byPartner) entries.push({ account: 'commitments', amountPence: b.pence, partnerId: b.partnerId, ...dims });
          // Invoices for runs of days, priced by the days' share of the year's total, split as the ledger splits them.
          const points = [...new Set(p.cuts.filter((c) => c < p.days))].sort((a, b) => a - b);
          const runs = [0, ...points].map((from, i) => [from, (points[i] ?? p.days) - 1] as const);
          let billed = 0;
          runs.forEach(([from, to], i) => {
            const amount = i === runs.length - 1 ? year.totalPence - billed : Math.floor((year.totalPence * (to - from + 1)) / p.days);
            billed += amount;
            if (!p.received[i]) return;
            const weights = dayWeights(split, addDays(startsOn, from), addDays(startsOn, to), financialYearOf);
            const parts = allocate(
              amount,
              [...weights.entries()].map(([key, weight]) => ({ key, weight })),
            );
            for (const [key, pence] of parts) {
              if (pence !== 0) entries.push({ account: 'spend', amountPence: pence, partnerId: key.split('|')[1]!, ...dims });
            }
          });
        });
        const { lines, total } = groupBy(fineRowsFromEntries(entries, FY), 'partner');
        expect(total.unmatched).toBe(0);
        expect(total.forecast).toBe(total.commitment);
        for (const l of lines) expect({ partner: l.key, forecast: l.figures.forecast }).toEqual({ partner: l.key, forecast: l.figures.commitment });
      }),
      { numRuns: 300 },
    );
  });

  it('a package that has cost more than its commitment forecasts what it cost, and adds nothing more', () => {
    const rows = fineRowsFromEntries(
      [
        { account: 'commitments', amountPence: 50_001, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'commitments', amountPence: 49_999, agreementId: A, partnerId: 'p2', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'spend', amountPence: 60_000, agreementId: A, partnerId: 'p1', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
        { account: 'spend', amountPence: 45_000, agreementId: A, partnerId: 'p2', financialYear: 2025, serviceCategory: 'therapies', packageId: 'k1' },
      ],
      2025,
    );
    const { lines, total } = groupBy(rows, 'partner');
    expect(total.forecast).toBe(105_000);
    expect(lines.map((l) => [l.key, l.figures.forecast])).toEqual([
      ['p1', 60_000],
      ['p2', 45_000],
    ]);
  });
});

describe('adding up by partner, pool and service', () => {
  const rows = [
    row({ partnerId: 'p1', agreementId: A, category: 'therapies', budget: 1000, commitment: 600, actual: 200, remaining: 400 }),
    row({ partnerId: 'p2', agreementId: A, category: 'therapies', budget: 500, commitment: 300, actual: 300, remaining: 0 }),
    row({ partnerId: 'p1', agreementId: B, category: 'equipment', budget: 250, commitment: 100, actual: 150, remaining: 0 }),
    row({ partnerId: null, agreementId: B, category: null, unmatched: 70 }),
  ];
  it('gives the same grand total whichever way it is cut', () => {
    const totals = (['partner', 'agreement', 'category'] as const).map((d) => groupBy(rows, d).total);
    expect(totals[0]).toEqual({ budget: 1750, commitment: 1000, actual: 650, unmatched: 70, forecast: 650 + 70 + 400, variance: 1750 - 1120 });
    expect(totals[1]).toEqual(totals[0]);
    expect(totals[2]).toEqual(totals[0]);
  });
  it('groups by partner in the order given, money with no partner last', () => {
    const { lines } = groupBy(rows, 'partner', ['p2', 'p1']);
    expect(lines.map((l) => [l.key, l.figures.actual, l.figures.forecast])).toEqual([
      ['p2', 300, 300],
      ['p1', 350, 750],
      [null, 0, 70],
    ]);
  });
});

describe('shares of spend against agreed shares', () => {
  it('works out each partner’s share and what it paid against its agreed share', () => {
    // Pool spent £1,000: Health £700, Social care £300. Agreed 60% / 40%.
    const { lines, total } = shareComparison(
      new Map([
        ['health', 70_000],
        ['care', 30_000],
      ]),
      new Map([
        ['health', 6000],
        ['care', 4000],
      ]),
    );
    expect(total).toBe(100_000);
    expect(lines).toEqual([
      { partnerId: 'care', actual: 30_000, spentBp: 3000, agreedBp: 4000, differenceBp: -1000, owedPence: 10_000 },
      { partnerId: 'health', actual: 70_000, spentBp: 7000, agreedBp: 6000, differenceBp: 1000, owedPence: -10_000 },
    ]);
  });
  it('says nothing was spent rather than dividing by zero, and shows a partner with no agreed share', () => {
    const { lines } = shareComparison(new Map([['x', 0]]), new Map([['y', 10_000]]));
    expect(lines).toEqual([
      { partnerId: 'x', actual: 0, spentBp: null, agreedBp: null, differenceBp: null, owedPence: null },
      { partnerId: 'y', actual: 0, spentBp: null, agreedBp: 10_000, differenceBp: null, owedPence: 0 },
    ]);
  });
});

describe('small numbers', () => {
  it('hides a group of 1 to 4 children, and the next smallest when only one is hidden', () => {
    const out = protectGroups([
      { label: 'a', children: 3 },
      { label: 'b', children: 12 },
      { label: 'c', children: 6 },
      { label: 'd', children: 40 },
    ]);
    expect(out.map((g) => g.shown)).toEqual(['fewer-than-5', 'shown', 'hidden', 'shown']);
  });
  it('needs no second hiding when two groups are small, and shows 5 or more', () => {
    expect(protectGroups([{ children: 1 }, { children: 4 }, { children: 5 }]).map((g) => g.shown)).toEqual(['fewer-than-5', 'fewer-than-5', 'shown']);
    expect(protectGroups([{ children: 5 }, { children: 0 }]).map((g) => g.shown)).toEqual(['shown', 'shown']);
  });
  it('never shows a group of 1 to 4 whatever the breakdown (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 30 }), { maxLength: 12 }), (counts) => {
        const out = protectGroups(counts.map((children) => ({ children })));
        for (const g of out) if (g.children > 0 && g.children < 5) expect(g.shown).not.toBe('shown');
        // Exactly one group withheld could be worked out from the total and the others, so that
        // happens only when no other group with children is left to withhold with it.
        if (out.filter((g) => g.shown !== 'shown').length === 1) expect(out.filter((g) => g.shown === 'shown' && g.children > 0)).toEqual([]);
      }),
    );
  });
});

describe('unit costs', () => {
  it('gives a weekly cost for weekly and monthly packages', () => {
    expect(weeklyCostPence(4800, 300, 'week')).toBe(14_400);
    // £450 a month = £5,400 a year = £103.846... a week.
    expect(weeklyCostPence(45_000, 100, 'month')).toBe(10_385);
  });
});

describe('downloads', () => {
  const tables = [
    {
      sheet: 'By partner 2025',
      columns: ['Partner', 'Actual spend (£)'],
      rows: [
        ['=HYPERLINK("http://x")', { pence: 123_456 }],
        ['Health, "NHS"', { pence: -5 }],
      ],
    },
  ];
  it('CSV neutralises formulas, quotes commas and writes pounds', () => {
    const csv = toCsv(tables);
    expect(csv).toBe('\uFEFFPartner,Actual spend (£)\r\n"\'=HYPERLINK(""http://x"")",1234.56\r\n"Health, ""NHS""",-0.05\r\n');
  });
  it('XLSX neutralises formulas and keeps money as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(tables)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('By partner 2025')!;
    expect(ws.getCell('A2').value).toBe('\'=HYPERLINK("http://x")');
    expect(ws.getCell('B2').value).toBe(1234.56);
    expect(ws.getCell('B3').value).toBe(-0.05);
  });
});
