// A package's commitment: what it will cost each partner in each financial year, worked out
// exactly in pence from the unit cost, the units a week or a month, the dates and the funding
// split. Pure.
//
// A weekly package costs (unit cost × units) / 7 a day. A monthly package costs (unit cost ×
// units) / (days in that month) a day, so a whole calendar month costs exactly unit cost × units
// and a part month its share of the days. The cost of each day goes to the partners by the split
// segment in force that day. Each financial year's total is rounded to the nearest penny once
// (halves up), then shared between the partners by their exact amounts with the largest
// remainder method, so the partners' parts always add up to the year's total.
import { allocate, type Split } from './split.js';
import { daysInMonth, epochDay, financialYearEnd, financialYearOf, fromEpochDay, monthEnd } from '../../../platform/financial-year.js';

export interface PackageTerms {
  unitCostPence: number;
  /** Units in hundredths: 250 = 2.5 units. */
  unitsX100: number;
  frequency: 'week' | 'month';
  startsOn: string;
  /** Last day included; null = until further notice (committed to the end of the horizon year). */
  endsOn: string | null;
}

export interface YearCommitment {
  financialYear: number;
  totalPence: number;
  byPartner: { partnerId: string; pence: number }[];
}

/**
 * The last financial year to commit: a package is committed to the end of the current financial
 * year (or of the year it starts in, if later), and never beyond its end date.
 */
export function commitmentHorizon(terms: Pick<PackageTerms, 'startsOn' | 'endsOn'>, today: string): number {
  const horizon = Math.max(financialYearOf(today), financialYearOf(terms.startsOn));
  return terms.endsOn === null ? horizon : Math.min(horizon, financialYearOf(terms.endsOn));
}

// Exact day costs as integers over one common denominator: 100 (units in hundredths) × 7 × the
// days of every possible month (lcm(7, 28, 29, 30, 31) = 377580).
const DENOMINATOR = 100n * 377_580n;

/**
 * The commitment for each financial year from the package's start to `throughYear` (inclusive),
 * by partner. Years with nothing committed are left out.
 */
export function commitmentByYear(terms: PackageTerms, split: Split, throughYear: number): YearCommitment[] {
  if (terms.endsOn !== null && terms.endsOn < terms.startsOn) throw new RangeError('A package cannot end before it starts');
  const lastDay = terms.endsOn ?? financialYearEnd(throughYear);
  const end = Math.min(epochDay(lastDay), epochDay(financialYearEnd(throughYear)));
  const rate = BigInt(terms.unitCostPence) * BigInt(terms.unitsX100);
  // Exact amounts (× DENOMINATOR × 10000) by year and partner, and by year.
  const byYearPartner = new Map<number, Map<string, bigint>>();
  for (const seg of split) {
    let d = Math.max(epochDay(seg.from), epochDay(terms.startsOn));
    const segEnd = Math.min(seg.to === null ? end : epochDay(seg.to), end);
    while (d <= segEnd) {
      // A run of days inside one calendar month (and so one financial year) at one daily rate.
      const iso = fromEpochDay(d);
      const runEnd = Math.min(segEnd, epochDay(monthEnd(iso)));
      const days = BigInt(runEnd - d + 1);
      const perDay = terms.frequency === 'week' ? DENOMINATOR / 700n : DENOMINATOR / (100n * BigInt(daysInMonth(iso)));
      const exact = rate * days * perDay; // the cost of these days × DENOMINATOR
      const fy = financialYearOf(iso);
      const year = byYearPartner.get(fy) ?? new Map<string, bigint>();
      for (const sh of seg.shares) year.set(sh.partnerId, (year.get(sh.partnerId) ?? 0n) + exact * BigInt(sh.bp));
      byYearPartner.set(fy, year);
      d = runEnd + 1;
    }
  }
  // rate is pence × hundredths of units; perDay carries DENOMINATOR / (100 × days in period),
  // so exact × bp is pence × DENOMINATOR × 10000.
  const scale = DENOMINATOR * 10_000n;
  const out: YearCommitment[] = [];
  for (const fy of [...byYearPartner.keys()].sort((a, b) => a - b)) {
    const year = byYearPartner.get(fy)!;
    const exactTotal = [...year.values()].reduce((a, v) => a + v, 0n);
    const totalPence = Number((exactTotal * 2n + scale) / (2n * scale)); // nearest penny, halves up
    if (totalPence === 0) continue;
    const parts = allocate(
      totalPence,
      [...year.entries()].map(([partnerId, weight]) => ({ key: partnerId, weight })),
    );
    out.push({
      financialYear: fy,
      totalPence,
      byPartner: [...parts.entries()]
        .filter(([, p]) => p !== 0)
        .map(([partnerId, pence]) => ({ partnerId, pence }))
        .sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1)),
    });
  }
  return out;
}

/** What a package costs a week or a month in pence, rounded to the penny (for display). */
export const costPerPeriodPence = (t: Pick<PackageTerms, 'unitCostPence' | 'unitsX100'>) => Math.round((t.unitCostPence * t.unitsX100) / 100);
