// Small-number protection for the register overview: primary suppression (1 to 4 shown as
// "fewer than 5"), secondary suppression (a hidden count cannot be worked out from the total),
// and the SVG chart and CSV that carry the protected counts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addYears,
  ageBandOf,
  birthDatesForBand,
  csvField,
  hiddenCountsGiveThemselvesAway,
  protectBreakdown,
  type ProtectedCell,
} from '../src/capabilities/record/register-overview/rules.js';
import { barChartSvg, overviewCsv, presentOverview } from '../src/capabilities/record/register-overview/presenters.js';
import type { RegisterCounts } from '../src/capabilities/record/register-overview/service.js';
import { ageOn } from '../src/platform/dates.js';

const cells = (...counts: number[]) => counts.map((count, i) => ({ key: `g${i}`, label: `Group ${i}`, count }));
const shown = (b: { cells: ProtectedCell[] }) => b.cells.map((c) => (c.shown === 'count' ? c.count : c.shown));

describe('primary suppression', () => {
  it('shows counts of 5 or more and zero as they are', () => {
    expect(shown(protectBreakdown(cells(5, 0, 120, 17)))).toEqual([5, 0, 120, 17]);
  });

  it('shows every count from 1 to 4 as "fewer than 5", never its number', () => {
    for (const n of [1, 2, 3, 4]) {
      const b = protectBreakdown(cells(n, 3, 50));
      expect(b.cells[0]).toMatchObject({ shown: 'fewer-than-5', count: null });
    }
  });
});

describe('secondary suppression', () => {
  it('hides the next smallest count when exactly one count is "fewer than 5", so the total cannot give it away', () => {
    // Total 33: showing 10 and 20 would leave 3 for the hidden group.
    expect(shown(protectBreakdown(cells(10, 3, 20)))).toEqual(['hidden', 'fewer-than-5', 20]);
  });

  it('passes over zeros when choosing the next smallest count', () => {
    expect(shown(protectBreakdown(cells(0, 2, 0, 40, 9)))).toEqual([0, 'fewer-than-5', 0, 40, 'hidden']);
  });

  it('hides the first of two equal next-smallest counts', () => {
    expect(shown(protectBreakdown(cells(7, 7, 2)))).toEqual(['hidden', 7, 'fewer-than-5']);
  });

  it('needs nothing more when two "fewer than 5" counts could be split more than one way', () => {
    // 3 + 2 = 5 could be 1+4, 2+3, 3+2 or 4+1.
    expect(shown(protectBreakdown(cells(10, 3, 2, 20)))).toEqual([10, 'fewer-than-5', 'fewer-than-5', 20]);
  });

  it('hides one more count when two "fewer than 5" counts add up to 2 (both must be 1)', () => {
    expect(shown(protectBreakdown(cells(10, 1, 1, 20)))).toEqual(['hidden', 'fewer-than-5', 'fewer-than-5', 20]);
  });

  it('hides one more count when two "fewer than 5" counts add up to 8 (both must be 4)', () => {
    expect(shown(protectBreakdown(cells(30, 4, 4, 20)))).toEqual([30, 'fewer-than-5', 'fewer-than-5', 'hidden']);
  });

  it('keeps going when a "fewer than 5" and a hidden count add up to the least they could be (1 and 5)', () => {
    expect(shown(protectBreakdown(cells(5, 1, 30, 40)))).toEqual(['hidden', 'fewer-than-5', 'hidden', 40]);
  });

  it('withholds a breakdown that cannot be protected: five groups of one child', () => {
    const b = protectBreakdown(cells(1, 1, 1, 1, 1, 0));
    expect(b.withheld).toBe(true);
    expect(shown(b)).toEqual(['hidden', 'hidden', 'hidden', 'hidden', 'hidden', 0]);
  });

  it('withholds a breakdown whose only count that is not zero is small', () => {
    expect(protectBreakdown(cells(0, 3, 0)).withheld).toBe(true);
  });

  it('says when hidden counts give themselves away', () => {
    expect(hiddenCountsGiveThemselvesAway([])).toBe(false);
    expect(hiddenCountsGiveThemselvesAway([{ count: 3, shown: 'fewer-than-5' }])).toBe(true);
    expect(
      hiddenCountsGiveThemselvesAway([
        { count: 3, shown: 'fewer-than-5' },
        { count: 2, shown: 'fewer-than-5' },
      ]),
    ).toBe(false);
    expect(
      hiddenCountsGiveThemselvesAway([
        { count: 1, shown: 'fewer-than-5' },
        { count: 5, shown: 'hidden' },
      ]),
    ).toBe(true);
    expect(
      hiddenCountsGiveThemselvesAway([
        { count: 2, shown: 'fewer-than-5' },
        { count: 5, shown: 'hidden' },
      ]),
    ).toBe(false);
  });

  // Brute force: every way the hidden groups could be filled in, given what the page shows
  // (the total, the counts shown, 1 to 4 for "fewer than 5", 5 or more for "hidden").
  function possibleValues(original: number[], protectedCells: ProtectedCell[]): Map<number, Set<number>> {
    const total = original.reduce((a, b) => a + b, 0);
    const hiddenIdx = protectedCells.map((c, i) => (c.shown === 'count' ? -1 : i)).filter((i) => i >= 0);
    const rest = total - protectedCells.reduce((s, c) => s + (c.shown === 'count' ? c.count! : 0), 0);
    const out = new Map(hiddenIdx.map((i) => [i, new Set<number>()]));
    const walk = (k: number, left: number, chosen: number[]) => {
      if (k === hiddenIdx.length) {
        if (left === 0) chosen.forEach((v, j) => out.get(hiddenIdx[j]!)!.add(v));
        return;
      }
      const small = protectedCells[hiddenIdx[k]!]!.shown === 'fewer-than-5';
      for (let v = small ? 1 : 5; v <= (small ? 4 : left); v++) if (v <= left) walk(k + 1, left - v, [...chosen, v]);
    };
    walk(0, rest, []);
    return out;
  }

  it('never lets a hidden count be worked out from the total and the counts shown (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 14 })), { minLength: 2, maxLength: 6 }), (counts) => {
        const total = counts.reduce((a, b) => a + b, 0);
        fc.pre(total >= 5);
        const b = protectBreakdown(cells(...counts));
        // Counts shown are the true counts; every count from 1 to 4 is hidden.
        b.cells.forEach((c, i) => {
          if (c.shown === 'count') expect(c.count).toBe(counts[i]);
          if (counts[i]! >= 1 && counts[i]! <= 4) expect(c.shown).not.toBe('count');
        });
        if (b.withheld) return;
        for (const [i, values] of possibleValues(counts, b.cells)) {
          expect(values.has(counts[i]!)).toBe(true);
          expect(values.size, `group ${i} of ${JSON.stringify(counts)} could be worked out`).toBeGreaterThan(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('age bands', () => {
  it('turns a band into date-of-birth limits that agree with ages in whole years', () => {
    const today = '2026-03-01';
    for (const band of ['0-4', '5-10', '11-15', '16-19', '20-25'] as const) {
      const { bornOnOrAfter, bornOnOrBefore } = birthDatesForBand(band, today);
      expect(ageBandOf(ageOn(bornOnOrAfter, today))).toBe(band);
      expect(ageBandOf(ageOn(bornOnOrBefore, today))).toBe(band);
      const dayBefore = new Date(Date.parse(`${bornOnOrAfter}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      expect(ageBandOf(ageOn(dayBefore, today))).not.toBe(band);
    }
    expect(addYears('2024-02-29', -1)).toBe('2023-02-28');
  });
});

describe('chart and CSV', () => {
  it('draws an accessible SVG bar chart with escaped labels and no bar for a hidden count', () => {
    const svg = barChartSvg({
      id: 'chart-x',
      title: 'Children by locality',
      cells: [
        { key: 'a', label: 'North <script>alert(1)</script>', count: 40, shown: 'count' },
        { key: 'b', label: 'South', count: null, shown: 'fewer-than-5' },
        { key: 'c', label: 'Town', count: null, shown: 'hidden' },
      ],
    });
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-labelledby="chart-x-title chart-x-desc"/);
    expect(svg).toContain('<title id="chart-x-title">Children by locality</title>');
    expect(svg).toContain('<desc id="chart-x-desc">');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('North &lt;script&gt;');
    expect(svg).toContain('>fewer than 5</text>');
    expect(svg).toContain('>hidden</text>');
    // One solid bar (the count of 40); the other two are hatched markers.
    expect(svg.match(/fill="#1d70b8"/g)).toHaveLength(1);
    expect(svg.match(/fill="url\(#chart-x-hatch\)"/g)).toHaveLength(2);
  });

  const counts = (total: number, plan: [number, number]): RegisterCounts => ({
    total,
    counts: {
      need: new Map([['ASD', total]]),
      age: new Map([['5-10', total]]),
      severity: new Map([['moderate', total]]),
      locality: new Map([['loc-1', total]]),
      ethnicity: new Map([['WBRI', total]]),
      plan: new Map([
        ['yes', plan[0]],
        ['no', plan[1]],
      ]),
      organisations: new Map([['1', total]]),
    },
  });

  it('writes "<5" for small counts and "hidden" for counts hidden to protect them, and makes formulas inert', () => {
    const csv = overviewCsv(counts(12, [9, 3]), [{ id: 'loc-1', name: '=HYPERLINK("http://example.org")' }], {
      locality: '=HYPERLINK("http://example.org")',
      ageBand: 'All ages',
    });
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('"Locality filter","Age band filter","Breakdown","Group","Children"');
    expect(lines).toContain(`"'=HYPERLINK(""http://example.org"")","All ages","EHC plan","Has an EHC plan","hidden"`);
    expect(lines).toContain(`"'=HYPERLINK(""http://example.org"")","All ages","EHC plan","No EHC plan","<5"`);
    expect(lines).toContain(`"'=HYPERLINK(""http://example.org"")","All ages","Locality","'=HYPERLINK(""http://example.org"")","12"`);
    for (const line of lines) expect(line).not.toMatch(/(^|,)"[=+\-@]/);
    expect(csvField('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvField('-1')).toBe(`"'-1"`);
    expect(csvField(-1)).toBe('"-1"');
  });

  it('shows no breakdown at all when fewer than 5 children match', () => {
    const view = presentOverview(counts(3, [2, 1]), [{ id: 'loc-1', name: 'North' }]);
    expect(view).toMatchObject({ showBreakdowns: false, totalText: 'fewer than 5', breakdowns: [] });
    expect(view.headline).toBe('Fewer than 5 children and young people on the register');
    const csv = overviewCsv(counts(3, [2, 1]), [], { locality: 'All localities', ageBand: 'All ages' });
    expect(csv.trim().split('\r\n')).toEqual([
      '"Locality filter","Age band filter","Breakdown","Group","Children"',
      '"All localities","All ages","All children","On the register (active)","<5"',
    ]);
  });
});
