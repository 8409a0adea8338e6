// The panel's decision rules (issue 6): quorum, split templates and the outcome sheet's due date
// (delegated financial authority is the panel's: panels/authority.ts). Pure: the service reads the
// attendance and hands it in.
//
// Declarations of interest: meeting_attendance.interests is one free-text declaration per member
// per meeting, not tied to a case, so a member who declared any interest at the meeting is read as
// conflicted for every case at it: they count neither towards quorum nor as holding authority. This
// errs on the side of a sound decision; the administrator can record attendance again without the
// declaration if it was about another case.
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { nextWorkingDay } from '../../../platform/working-days.js';
import { addDays, epochDay } from '../../../platform/financial-year.js';
import { FULL_SHARE, formatShare, type Share, type Split } from '../../money/budgets/index.js';
import { countingMembers, type PresentMember } from '../panels/index.js';

export interface PanelTerms {
  quorumMembers: number;
  /** Organisation types that must be present for a joint funding decision. */
  jointFundingAgencies: string[];
}

const typeName = (t: string) => (ORGANISATION_TYPES as Record<string, string>)[t] ?? t;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

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
    if (!last && (s.days === null || !Number.isInteger(s.days) || s.days < 1 || s.days > 3660))
      problems.push(`Part ${n}: enter how many days it lasts, a whole number from 1 to 3660`);
    if (s.shares.length === 0) problems.push(`Part ${n}: enter at least one partner’s share`);
    if (s.shares.some((sh) => !Number.isInteger(sh.bp) || sh.bp <= 0 || sh.bp > FULL_SHARE))
      problems.push(`Part ${n}: each share must be more than 0% and no more than 100%`);
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
