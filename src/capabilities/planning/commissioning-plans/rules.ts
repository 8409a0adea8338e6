// Commissioning plans' rules, with no database: the cycle's stages, who may decide on a plan
// (separation of duties, docs/adr/0023 after docs/adr/0012), what a change does to a decision,
// and when an intention may become a contract.

/** The joint commissioning cycle, in order. */
export const STAGES = {
  understand: 'Understand needs',
  plan: 'Plan',
  do: 'Do: commission and contract',
  review: 'Review',
} as const;
export type Stage = keyof typeof STAGES;
export const STAGE_ORDER = Object.keys(STAGES) as Stage[];
export const isStage = (s: string): s is Stage => s in STAGES;

export const PLAN_STATUSES = {
  draft: 'Draft',
  submitted: 'Waiting for the partnership board',
  approved: 'Approved by the partnership board',
  'not-approved': 'Not approved',
} as const;
export type PlanStatus = keyof typeof PLAN_STATUSES;

export const EVIDENCE_KINDS = {
  'needs-view': 'Needs assessment',
  'local-offer-gap': 'Gap in the Local Offer',
  'family-voice': 'What families said',
} as const;
export type EvidenceKind = keyof typeof EVIDENCE_KINDS;

/**
 * An intention moves one stage forward at a time, or back one (work found not ready), or from
 * review back to understand (the cycle again). Never to the stage it is at, never skipping one.
 */
export function stageMoveProblem(from: Stage, to: Stage): string | null {
  if (from === to) return `The intention is already at “${STAGES[to]}”`;
  const i = STAGE_ORDER.indexOf(from);
  const j = STAGE_ORDER.indexOf(to);
  if (j === i + 1 || j === i - 1 || (from === 'review' && to === 'understand')) return null;
  return `An intention moves one stage at a time: from “${STAGES[from]}” it can go to ${neighbours(from)
    .map((s) => `“${STAGES[s]}”`)
    .join(' or ')}`;
}

/** The stages an intention at `from` may move to. */
export function neighbours(from: Stage): Stage[] {
  const i = STAGE_ORDER.indexOf(from);
  const out: Stage[] = [];
  if (i > 0) out.push(STAGE_ORDER[i - 1]!);
  if (i < STAGE_ORDER.length - 1) out.push(STAGE_ORDER[i + 1]!);
  if (from === 'review') out.push('understand');
  return out;
}

export interface PlanForDecision {
  status: PlanStatus;
  createdBy: string;
  submittedBy: string | null;
  /** Everyone who has written anything to the plan. */
  editors: readonly string[];
}

/**
 * Why this person may not record the board's decision on the plan, or null when they may.
 * Nobody decides on a plan they wrote, sent, or changed in any part: otherwise a commissioner
 * who also holds the approval permission could add an intention to a colleague's plan and
 * approve it (docs/adr/0023).
 */
export function decisionProblem(plan: PlanForDecision, deciderId: string): string | null {
  if (plan.status !== 'submitted') return 'Only a plan sent to the partnership board can be approved or not approved';
  if (plan.createdBy === deciderId) return 'You wrote this plan, so someone else must record the board’s decision on it';
  if (plan.submittedBy === deciderId) return 'You sent this plan to the board, so someone else must record the board’s decision on it';
  if (plan.editors.includes(deciderId)) return 'You changed this plan, so someone else must record the board’s decision on it';
  return null;
}

/**
 * A change to a plan's content (a priority, evidence, an intention or its stage) after it was sent
 * or decided sends it back to draft: the board's approval covers what it saw, and nothing added
 * after it can ride on it.
 */
export const statusAfterChange = (_status: PlanStatus): PlanStatus => 'draft';

/** A plan can be sent to the board when it is a draft (or was not approved) and has at least one intention. */
export function submitProblem(status: PlanStatus, intentions: number): string | null {
  if (status === 'submitted') return 'The plan is already waiting for the partnership board';
  if (status === 'approved') return 'The plan is already approved. Change it first if the board needs to see it again';
  if (intentions === 0) return 'Add at least one commissioning intention before sending the plan to the board';
  return null;
}

/**
 * The procurement pipeline: an intention becomes a contract only at the "do" stage, in a plan the
 * board approved, and only once.
 */
export function contractProblem(i: { stage: Stage; planStatus: PlanStatus; hasContract: boolean }): string | null {
  if (i.hasContract) return 'This intention already has a contract';
  if (i.planStatus !== 'approved') return 'The plan must be approved by the partnership board before its intentions become contracts';
  if (i.stage !== 'do') return `Only an intention at the “${STAGES.do}” stage can become a contract`;
  return null;
}
