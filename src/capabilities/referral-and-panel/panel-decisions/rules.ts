// The panel's decision rules (issue 6): quorum, delegated financial authority, split templates
// and the outcome sheet's due date. Pure: the service reads the attendance and hands it in.
//
// Declarations of interest: meeting_attendance.interests is one free-text declaration per member
// per meeting, not tied to a case, so a member who declared any interest at the meeting is read as
// conflicted for every case at it: they count neither towards quorum nor as holding authority. This
// errs on the side of a sound decision; the administrator can record attendance again without the
// declaration if it was about another case.
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { nextWorkingDay } from '../../../platform/working-days.js';
import { commitmentByYear, type PackageTerms } from '../../money/budgets/commitment.js';
import { addDays, epochDay, financialYearLabel, financialYearOf } from '../../../platform/financial-year.js';
import { longDate } from '../../../platform/dates.js';
import { formatPence } from '../../../platform/money.js';
import { FULL_SHARE, formatShare, type Share, type Split } from '../../money/budgets/split.js';

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

export interface PanelTerms {
  quorumMembers: number;
  /** Organisation types that must be present for a joint funding decision. */
  jointFundingAgencies: string[];
}

const typeName = (t: string) => (ORGANISATION_TYPES as Record<string, string>)[t] ?? t;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Members who may count for the decision: present and with no declared interest. */
export const countingMembers = (present: readonly PresentMember[]) => present.filter((m) => !(m.interests ?? '').trim());

/** The partners paying any share at any time under the split. */
export const payingPartners = (split: Split) => [...new Set(split.flatMap((s) => s.shares.filter((sh) => sh.bp > 0).map((sh) => sh.partnerId)))];

/**
 * Why the panel cannot decide, in plain English; empty when it is quorate. `payingPartnerIds` is
 * who pays under the decision (none for a decline or deferral): money from two or more partners
 * is joint funding, which needs someone present from each named organisation type.
 */
export function quorumProblems(panel: PanelTerms, present: readonly PresentMember[], payingPartnerIds: readonly string[]): string[] {
  const problems: string[] = [];
  const counting = countingMembers(present);
  const conflicted = present.length - counting.length;
  if (counting.length < panel.quorumMembers) {
    const why = conflicted > 0 ? ` (${plural(conflicted, 'other member is', 'other members are')} present but declared an interest, so cannot count)` : '';
    problems.push(
      `The panel is not quorate: ${plural(counting.length, 'member', 'members')} without a declared interest ${counting.length === 1 ? 'is' : 'are'} present${why}, and at least ${panel.quorumMembers} must be`,
    );
  }
  if (new Set(payingPartnerIds).size >= 2) {
    for (const type of panel.jointFundingAgencies) {
      if (!counting.some((m) => m.organisationType === type)) {
        const declared = present.some((m) => m.organisationType === type);
        problems.push(
          `This is a joint funding decision, so someone from ${typeName(type)} must be present${declared ? ' without a declared interest' : ''}: ${declared ? 'everyone present from there declared an interest' : 'nobody from there is present'}`,
        );
      }
    }
  }
  return problems;
}

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
      problems.push(`${name}’s share is ${formatPence(pence)} ${when}, more than any present member for ${name} may agree (the most is ${formatPence(most)}): take it to someone with more authority`);
    }
  }
  return problems;
}

// Split templates ----------------------------------------------------------------------------------

export interface TemplateSegment {
  /** How many days this part lasts; null for the last part (until the package ends). */
  days: number | null;
  shares: Share[];
}

export const MAX_TEMPLATE_PARTS = 3;

/** Problems with a template's parts, in plain English; empty when it can be used. */
export function templateProblems(segments: readonly TemplateSegment[]): string[] {
  const problems: string[] = [];
  if (segments.length === 0) return ['Give at least one part of the split'];
  if (segments.length > MAX_TEMPLATE_PARTS) problems.push(`A template has at most ${MAX_TEMPLATE_PARTS} parts`);
  segments.forEach((s, i) => {
    const n = i + 1;
    const last = i === segments.length - 1;
    if (last && s.days !== null) problems.push(`Part ${n} is the last part, so it runs until the package ends: leave its number of days empty`);
    if (!last && (s.days === null || !Number.isInteger(s.days) || s.days < 1 || s.days > 3660)) problems.push(`Part ${n}: enter how many days it lasts, a whole number from 1 to 3660`);
    if (s.shares.length === 0) problems.push(`Part ${n}: enter at least one partner’s share`);
    if (s.shares.some((sh) => !Number.isInteger(sh.bp) || sh.bp <= 0 || sh.bp > FULL_SHARE)) problems.push(`Part ${n}: each share must be more than 0% and no more than 100%`);
    if (new Set(s.shares.map((sh) => sh.partnerId)).size !== s.shares.length) problems.push(`Part ${n} names the same partner twice`);
    const total = s.shares.reduce((a, sh) => a + sh.bp, 0);
    if (s.shares.length && total !== FULL_SHARE) problems.push(`Part ${n} adds up to ${formatShare(total)}: the shares must add up to exactly 100%`);
  });
  return problems;
}

/**
 * A template as a split for a package starting on `startsOn` (and ending on `endsOn`, or
 * open-ended): part 1 starts with the package, each part lasts its days, and the last runs to the
 * end. Parts that would start after the package ends are left out.
 */
export function expandTemplate(segments: readonly TemplateSegment[], startsOn: string, endsOn: string | null): Split {
  const split: Split = [];
  let from = startsOn;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (endsOn !== null && from > endsOn) break;
    const last = i === segments.length - 1 || s.days === null;
    let to = last ? endsOn : addDays(from, s.days! - 1);
    if (to !== null && endsOn !== null && to >= endsOn) to = endsOn;
    split.push({ from, to, shares: s.shares.map((sh) => ({ ...sh })) });
    if (last || to === null || to === endsOn) break;
    from = addDays(to, 1);
  }
  return split;
}

/** "50% Education, 50% Social care for 42 days, then 100% Social care". */
export function describeTemplate(segments: readonly TemplateSegment[], partnerName: (id: string) => string): string {
  return segments
    .map((s) => {
      const who = s.shares.map((sh) => `${formatShare(sh.bp)} ${partnerName(sh.partnerId)}`).join(', ');
      return s.days === null ? who : `${who} for ${plural(s.days, 'day', 'days')}`;
    })
    .join(', then ');
}

// Outcome sheets -----------------------------------------------------------------------------------

/** The outcome sheet is due by the next working day after the decision (England and Wales). */
export const sheetDueOn = (decidedOn: string) => nextWorkingDay(decidedOn);

/** Calendar days a sheet is late on `today` (0 when due today; negative when not yet due). */
export const daysLate = (dueOn: string, today: string) => epochDay(today) - epochDay(dueOn);

export const OUTCOMES = {
  approve: 'Approved',
  'approve-with-changes': 'Approved with changes',
  decline: 'Declined',
  defer: 'Deferred to a later meeting',
  'refer-elsewhere': 'Referred elsewhere',
} as const;
export type Outcome = keyof typeof OUTCOMES;
export const isApproval = (o: Outcome) => o === 'approve' || o === 'approve-with-changes';
