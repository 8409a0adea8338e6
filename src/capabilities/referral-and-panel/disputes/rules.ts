// Pure rules of disputes about a partner's share: the escalation ladder, due dates, overdue and
// age, the split a resolution agrees, and the spend correction that makes actuals follow it.
import { isWorkingDay, nextWorkingDay } from '../../../platform/working-days.js';
import { addDays, epochDay } from '../../../platform/financial-year.js';
import { allocate, dayWeights, type Share, type Split } from '../../money/budgets/index.js';
import type { YearlyCost } from '../panels/index.js';

export interface LadderStep {
  name: string;
  days: number;
}

/** The interim rule offered first and recommended: the family's support never waits on the dispute. */
export const DEFAULT_INTERIM = 'The split as decided stands until the dispute is resolved, so the family’s support starts on time.';

export const MAX_LADDER_STEPS = 8;

/** Problems with a ladder, each pointing at its row's field; empty when it is valid. */
export function validateLadder(steps: readonly LadderStep[], opts: { highestOpenStep?: number } = {}): { text: string; href: string }[] {
  const problems: { text: string; href: string }[] = [];
  if (steps.length === 0) return [{ text: 'Enter at least one step: its name and how many days it allows', href: '#step1Name' }];
  if (steps.length > MAX_LADDER_STEPS)
    problems.push({ text: `The ladder can have at most ${MAX_LADDER_STEPS} steps`, href: `#step${MAX_LADDER_STEPS + 1}Name` });
  const seen = new Map<string, number>();
  steps.forEach((s, i) => {
    const n = i + 1;
    if (!s.name.trim()) problems.push({ text: `Enter a name for step ${n}`, href: `#step${n}Name` });
    else if (s.name.length > 200) problems.push({ text: `The name of step ${n} must be 200 characters or fewer`, href: `#step${n}Name` });
    else {
      const key = s.name.trim().toLowerCase();
      const first = seen.get(key);
      if (first) problems.push({ text: `Step ${n} has the same name as step ${first}: give each step its own name`, href: `#step${n}Name` });
      else seen.set(key, n);
    }
    if (!Number.isInteger(s.days) || s.days < 1 || s.days > 365)
      problems.push({ text: `Step ${n} must allow a whole number of days from 1 to 365`, href: `#step${n}Days` });
  });
  const open = opts.highestOpenStep ?? 0;
  if (open > steps.length) {
    problems.push({
      text: `A dispute is open at step ${open}: the ladder must keep at least ${open} steps until it is resolved or withdrawn`,
      href: `#step${steps.length + 1}Name`,
    });
  }
  return problems;
}

/** When a step's time runs out: `days` calendar days after it starts, moved on to the next working day if that is not one. */
export function stepDueOn(startsOn: string, days: number): string {
  const due = addDays(startsOn, days);
  return isWorkingDay(due) ? due : nextWorkingDay(due);
}

export const isOverdue = (dueOn: string, today: string) => today > dueOn;

/** Whole days from `from` to `to` (0 on the same day). */
export const daysBetween = (from: string, to: string) => epochDay(to) - epochDay(from);

/**
 * The package's split with the agreed shares from `from` until `until` (null: to the package's
 * end): parts before `from` are kept (the one running over it ends the day before), and so are
 * parts after `until` (the one running over it starts the day after). For example the first six
 * weeks' 50/50 re-agreed as 70/30 while "then social care 100%" stands.
 */
export function splitFrom(current: Split, from: string, shares: Share[], endsOn: string | null, until: string | null = null): Split {
  const kept: Split = [];
  for (const s of current) {
    if (s.from >= from) break;
    kept.push({ ...s, to: s.to !== null && s.to < from ? s.to : addDays(from, -1) });
  }
  const sorted = [...shares].sort((a, b) => (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0));
  if (until === null || (endsOn !== null && until >= endsOn)) return [...kept, { from, to: endsOn, shares: sorted }];
  const after: Split = current.filter((s) => s.to === null || s.to > until).map((s) => ({ ...s, from: s.from > until ? s.from : addDays(until, 1) }));
  return [...kept, { from, to: until, shares: sorted }, ...after];
}

/** One piece of actual spend on a package: an invoice for days served, or a direct payment on a day. */
export interface SpendItem {
  from: string;
  to: string;
  amountPence: number;
}

/**
 * How the spend items share out between partners by financial year under a split, the same way
 * the budgets post them (days × shares, largest remainder). Keys are 'fy|partnerId'.
 */
export function spendBySplit(items: readonly SpendItem[], split: Split, fyOf: (iso: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const it of items) {
    const weights = dayWeights(split, it.from, it.to, fyOf);
    const parts = allocate(
      it.amountPence,
      [...weights.entries()].map(([key, weight]) => ({ key, weight })),
    );
    for (const [k, p] of parts) out.set(k, (out.get(k) ?? 0) + p);
  }
  return out;
}

/** What must move (target − posted) for each 'fy|partnerId', leaving out zeros; sorted by key. */
export function correction(target: ReadonlyMap<string, number>, posted: ReadonlyMap<string, number>): { key: string; pence: number }[] {
  const keys = new Set([...target.keys(), ...posted.keys()]);
  return [...keys]
    .map((key) => ({ key, pence: (target.get(key) ?? 0) - (posted.get(key) ?? 0) }))
    .filter((d) => d.pence !== 0)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The partners whose largest yearly cost (panel-decisions largestYearlyCostByPartner) goes up
 * under the agreed split, with the new cost: each needs someone with delegated authority for it
 * (or the directors, at the last step) to agree. A partner paying nothing before counts from 0.
 */
export function risingCosts(before: ReadonlyMap<string, YearlyCost>, after: ReadonlyMap<string, YearlyCost>): Map<string, YearlyCost> {
  const out = new Map<string, YearlyCost>();
  for (const [id, cost] of after) if (cost.pence > (before.get(id)?.pence ?? 0)) out.set(id, cost);
  return out;
}
