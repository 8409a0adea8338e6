// Delegated financial authority (pure): each paying partner's largest yearly share of a package,
// priced as the ledger commits it, and whether a member present without a declared interest may
// agree it. Used by panel decisions and by the resolution of disputes about a partner's share.
import { commitmentByYear, type PackageTerms, type Split } from '../../money/budgets/index.js';
import { addDays, financialYearLabel, financialYearOf } from '../../../platform/financial-year.js';
import { longDate } from '../../../platform/dates.js';
import { formatPence } from '../../../platform/money.js';

export interface PresentMember {
  userId: string;
  name: string;
  /** The member's organisation's type (organisations.type). */
  organisationType: string;
  /** The budget partner the member may commit, if any. */
  partnerId: string | null;
  authorityPence: number;
  /** Their declaration of interest at this meeting, or null. */
  interests: string | null;
}

/** Members who may count for the decision: present and with no declared interest. */
export const countingMembers = (present: readonly PresentMember[]) => present.filter((m) => !(m.interests ?? '').trim());

/** The partners paying any share at any time under the split. */
export const payingPartners = (split: Split) => [...new Set(split.flatMap((s) => s.shares.filter((sh) => sh.bp > 0).map((sh) => sh.partnerId)))];

/** The last day of the authority window: 12 months from the start, or the package's end if sooner. */
export function authorityWindowEnd(startsOn: string, endsOn: string | null): string {
  const d = new Date(`${startsOn}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  // Clamp 29 February to 28 February when the next year is not a leap year.
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  const yearOn = addDays(d.toISOString().slice(0, 10), -1);
  return endsOn !== null && endsOn < yearOn ? endsOn : yearOn;
}

/**
 * Each partner's share of the package's cost over its first 12 months (or its whole duration if
 * shorter), in pence, worked out exactly as the ledger commits it (budgets/commitment.ts).
 */
export function firstYearCostByPartner(terms: PackageTerms, split: Split): Map<string, number> {
  const end = authorityWindowEnd(terms.startsOn, terms.endsOn);
  const years = commitmentByYear({ ...terms, endsOn: end }, split, financialYearOf(end));
  const out = new Map<string, number>();
  for (const y of years) for (const p of y.byPartner) out.set(p.partnerId, (out.get(p.partnerId) ?? 0) + p.pence);
  return out;
}

/** The first day of the 12 months ending on `endsOn`: the day after the same date a year earlier. */
function yearEndingOn(endsOn: string): string {
  const [y, m, d] = endsOn.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate(); // 29 February clamps to the 28th
  return addDays(`${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`, 1);
}

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** A partner's largest yearly cost and the year it falls in ("in the first 12 months"). */
export interface YearlyCost {
  pence: number;
  when: string;
}

/**
 * Each paying partner's largest share of the package's cost in any one year, in pence, priced
 * exactly as the ledger commits it (budgets/commitment.ts). Delegated authority is a yearly
 * limit, so every year of the package counts, not only the first: a share moved past month 12
 * must still be agreed by someone present. The years looked at are
 *  - the first 12 months (or the whole package if shorter);
 *  - every financial year the package runs in. An open-ended package is costed to the end of the
 *    financial year after the one in which the split's last part begins, so that part (which runs
 *    on) is costed over a whole financial year, and on to a year with a 29 February in it, the
 *    dearest year of a weekly package;
 *  - the 12 months from the start of each part of the split, and the 12 months to the end of each
 *    part: a partner's cost only changes where a part begins or ends, so its dearest 12 months
 *    begin or end there.
 * Every paying partner is in the answer, at 0 if it pays nothing in any of these years.
 */
export function largestYearlyCostByPartner(terms: PackageTerms, split: Split): Map<string, YearlyCost> {
  const out = new Map<string, YearlyCost>(payingPartners(split).map((id) => [id, { pence: 0, when: '' }]));
  // Ties keep the year named first, so the plainest wording wins.
  const consider = (costs: Iterable<readonly [string, number]>, when: string) => {
    for (const [id, pence] of costs) {
      const had = out.get(id);
      if (!had || pence > had.pence) out.set(id, { pence, when });
    }
  };
  const within = (from: string, to: string) => {
    const sums = new Map<string, number>();
    for (const y of commitmentByYear({ ...terms, startsOn: from, endsOn: to }, split, financialYearOf(to))) {
      for (const p of y.byPartner) sums.set(p.partnerId, (sums.get(p.partnerId) ?? 0) + p.pence);
    }
    return sums;
  };

  consider(within(terms.startsOn, authorityWindowEnd(terms.startsOn, terms.endsOn)), 'in the first 12 months');

  let through: number;
  if (terms.endsOn !== null) through = financialYearOf(terms.endsOn);
  else {
    const lastPartFrom = split.reduce((a, s) => (s.from > a ? s.from : a), terms.startsOn);
    through = financialYearOf(lastPartFrom) + 1;
    while (!isLeapYear(through + 1)) through++;
  }
  for (const y of commitmentByYear(terms, split, through)) {
    consider(
      y.byPartner.map((p) => [p.partnerId, p.pence] as const),
      `in the financial year ${financialYearLabel(y.financialYear)}`,
    );
  }

  for (const part of split) {
    if (part.from > terms.startsOn && (terms.endsOn === null || part.from <= terms.endsOn)) {
      consider(within(part.from, authorityWindowEnd(part.from, terms.endsOn)), `in the 12 months from ${longDate(part.from)}`);
    }
    const partEnd = part.to !== null && (terms.endsOn === null || part.to < terms.endsOn) ? part.to : terms.endsOn;
    if (partEnd !== null && partEnd >= terms.startsOn) {
      const from = yearEndingOn(partEnd);
      // 12 months ending within the first 12 months are part of them: already counted.
      if (from > terms.startsOn) consider(within(from, partEnd), `in the 12 months to ${longDate(partEnd)}`);
    }
  }
  return out;
}

/**
 * Each paying partner's largest yearly share must be within the delegated authority of a present
 * member (without a declared interest) who may commit that partner; a paying partner with nobody
 * present for it is refused whatever its share.
 */
export function authorityProblems(costs: ReadonlyMap<string, YearlyCost>, present: readonly PresentMember[], partnerName: (id: string) => string): string[] {
  const problems: string[] = [];
  const counting = countingMembers(present);
  const ids = [...costs.keys()].sort((a, b) => partnerName(a).localeCompare(partnerName(b)));
  for (const id of ids) {
    const { pence, when } = costs.get(id) ?? { pence: 0, when: '' };
    const name = partnerName(id);
    const holders = counting.filter((m) => m.partnerId === id);
    if (holders.length === 0) {
      const share = pence > 0 ? `${name}’s share of ${formatPence(pence)} ${when}` : `${name}’s share`;
      problems.push(`Nobody present may agree ${share}: no member with authority for ${name} is present without a declared interest`);
      continue;
    }
    const most = Math.max(...holders.map((m) => m.authorityPence));
    if (pence > most) {
      problems.push(
        `${name}’s share is ${formatPence(pence)} ${when}, more than any present member for ${name} may agree (the most is ${formatPence(most)}): take it to someone with more authority`,
      );
    }
  }
  return problems;
}
