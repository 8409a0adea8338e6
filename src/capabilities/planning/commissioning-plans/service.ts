// Commissioning plans on the database: the writers (each records who changed the plan, and a
// change after the plan was sent or decided sends it back to draft) and the readers.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { isUuid } from '../../../platform/ids.js';
import { ROLE_PERMISSIONS } from '../../../platform/access/roles.js';
import { contractProblem, decisionProblem, stageMoveProblem, submitProblem, type EvidenceKind, type Stage } from './rules.js';

interface Actor {
  id: string;
}

export interface NewPlan {
  title: string;
  periodFrom: string;
  periodTo: string;
}
export interface NewEvidence {
  kind: EvidenceKind;
  summary: string;
  link: string | null;
  source: string | null;
  saidOn: string | null;
}
export interface NewPriority {
  title: string;
  description: string;
  evidence: NewEvidence | null;
}
export interface NewIntention {
  priorityId: string | null;
  what: string;
  why: string;
  dueOn: string;
  ownerId: string;
  agreementId: string | null;
  expectedPence: number | null;
  partnerIds: string[];
}

export async function createPlan(db: Db, input: NewPlan, by: Actor) {
  if (input.periodTo < input.periodFrom) throw new ValidationError([{ text: 'The plan cannot end before it starts', href: '#periodTo-day' }]);
  const plan = await db
    .insertInto('commissioning_plans')
    .values({ title: input.title, period_from: input.periodFrom, period_to: input.periodTo, created_by: by.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('commissioning_plan_editors').values({ plan_id: plan.id, user_id: by.id }).execute();
  return plan;
}

async function planRow(db: Db, id: string, lock = false) {
  if (!isUuid(id)) throw new NotFoundError('plan');
  let q = db.selectFrom('commissioning_plans').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const p = await q.executeTakeFirst();
  if (!p) throw new NotFoundError('plan');
  return p;
}

/**
 * Records that `by` changed the plan: they join its editors (who may never decide on it), and a
 * plan that was sent or decided goes back to draft, its decision cleared (the audit log keeps
 * it), so nothing added after the board's approval rides on it.
 */
async function changed(db: Db, planId: string, by: Actor, expectedVersion?: number) {
  const plan = await planRow(db, planId, true);
  if (expectedVersion !== undefined && plan.version !== expectedVersion) throw new StaleVersionError();
  await db
    .insertInto('commissioning_plan_editors')
    .values({ plan_id: planId, user_id: by.id })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .updateTable('commissioning_plans')
    .set({
      status: 'draft',
      submitted_by: null,
      submitted_at: null,
      decided_by: null,
      decided_at: null,
      board_meeting_on: null,
      decision_note: null,
      version: sql`version + 1`,
    })
    .where('id', '=', planId)
    .execute();
  return plan;
}

export async function addPriority(db: Db, planId: string, input: NewPriority, by: Actor, expectedVersion?: number) {
  await changed(db, planId, by, expectedVersion);
  const p = await db
    .insertInto('commissioning_priorities')
    .values({ plan_id: planId, title: input.title, description: input.description, created_by: by.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.evidence) await insertEvidence(db, p.id, input.evidence, by);
  return p;
}

async function insertEvidence(db: Db, priorityId: string, e: NewEvidence, by: Actor) {
  await db
    .insertInto('commissioning_evidence')
    .values({ priority_id: priorityId, kind: e.kind, summary: e.summary, link: e.link, source: e.source, said_on: e.saidOn, recorded_by: by.id })
    .execute();
}

export async function addEvidence(db: Db, priorityId: string, e: NewEvidence, by: Actor) {
  const pr = await priorityRow(db, priorityId);
  await changed(db, pr.plan_id, by);
  await insertEvidence(db, priorityId, e, by);
  return pr;
}

export async function priorityRow(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('priority');
  const pr = await db.selectFrom('commissioning_priorities').selectAll().where('id', '=', id).executeTakeFirst();
  if (!pr) throw new NotFoundError('priority');
  return pr;
}

export async function addIntention(db: Db, planId: string, input: NewIntention, by: Actor) {
  await changed(db, planId, by);
  if (input.priorityId) {
    const pr = await priorityRow(db, input.priorityId);
    if (pr.plan_id !== planId) throw new ValidationError([{ text: 'Select one of this plan’s priorities', href: '#priorityId' }]);
  }
  const i = await db
    .insertInto('commissioning_intentions')
    .values({
      plan_id: planId,
      priority_id: input.priorityId,
      what: input.what,
      why: input.why,
      due_on: input.dueOn,
      owner_id: input.ownerId,
      agreement_id: input.agreementId,
      expected_pence: input.expectedPence,
      created_by: by.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.partnerIds.length)
    await db
      .insertInto('commissioning_intention_partners')
      .values(input.partnerIds.map((p) => ({ intention_id: i.id, partner_id: p })))
      .execute();
  await db
    .insertInto('commissioning_stage_changes')
    .values({ intention_id: i.id, stage: 'understand', owner_id: input.ownerId, due_on: input.dueOn, note: 'Added to the plan', changed_by: by.id })
    .execute();
  return i;
}

export async function intentionRow(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('intention');
  const i = await db
    .selectFrom('commissioning_intentions as i')
    .innerJoin('commissioning_plans as p', 'p.id', 'i.plan_id')
    .innerJoin('users as u', 'u.id', 'i.owner_id')
    .leftJoin('pooling_agreements as a', 'a.id', 'i.agreement_id')
    .selectAll('i')
    .select(['p.title as plan_title', 'p.status as plan_status', 'u.display_name as owner_name', 'a.name as pool_name'])
    .where('i.id', '=', id)
    .executeTakeFirst();
  if (!i) throw new NotFoundError('intention');
  return i;
}

export async function moveStage(
  db: Db,
  intentionId: string,
  input: { stage: Stage; ownerId: string; dueOn: string; note: string | null; version: number },
  by: Actor,
) {
  const i = await intentionRow(db, intentionId);
  const problem = stageMoveProblem(i.stage, input.stage);
  if (problem) throw new ValidationError([{ text: problem, href: '#stage' }]);
  await changed(db, i.plan_id, by);
  const updated = await db
    .updateTable('commissioning_intentions')
    .set({ stage: input.stage, owner_id: input.ownerId, due_on: input.dueOn, version: sql`version + 1` })
    .where('id', '=', intentionId)
    .where('version', '=', input.version)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new StaleVersionError();
  await db
    .insertInto('commissioning_stage_changes')
    .values({ intention_id: intentionId, stage: input.stage, owner_id: input.ownerId, due_on: input.dueOn, note: input.note, changed_by: by.id })
    .execute();
  return i;
}

export async function submitPlan(db: Db, planId: string, version: number, by: Actor) {
  const plan = await planRow(db, planId, true);
  if (plan.version !== version) throw new StaleVersionError();
  const { n } = await db
    .selectFrom('commissioning_intentions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('plan_id', '=', planId)
    .executeTakeFirstOrThrow();
  const problem = submitProblem(plan.status, Number(n));
  if (problem) throw new ValidationError([{ text: problem, href: '#submit' }]);
  await db
    .updateTable('commissioning_plans')
    .set({ status: 'submitted', submitted_by: by.id, submitted_at: new Date(), version: sql`version + 1` })
    .where('id', '=', planId)
    .execute();
}

export async function planEditors(db: Db, planId: string): Promise<string[]> {
  const rows = await db.selectFrom('commissioning_plan_editors').select('user_id').where('plan_id', '=', planId).execute();
  return rows.map((r) => r.user_id);
}

export async function decidePlan(
  db: Db,
  planId: string,
  input: { decision: 'approved' | 'not-approved'; meetingOn: string; note: string; version: number },
  by: Actor,
) {
  const plan = await planRow(db, planId, true);
  if (plan.version !== input.version) throw new StaleVersionError();
  const problem = decisionProblem(
    { status: plan.status, createdBy: plan.created_by, submittedBy: plan.submitted_by, editors: await planEditors(db, planId) },
    by.id,
  );
  if (problem) {
    if (plan.status !== 'submitted') throw new ValidationError([{ text: problem, href: '#decision' }]);
    throw new ForbiddenError(problem, { title: 'You cannot decide on this plan', paragraphs: [`${problem}.`] }, { type: 'commissioning-plan', id: planId });
  }
  await db
    .updateTable('commissioning_plans')
    .set({
      status: input.decision,
      decided_by: by.id,
      decided_at: new Date(),
      board_meeting_on: input.meetingOn,
      decision_note: input.note,
      version: sql`version + 1`,
    })
    .where('id', '=', planId)
    .execute();
}

export const listPlans = (db: Db) =>
  db
    .selectFrom('commissioning_plans as p')
    .innerJoin('users as u', 'u.id', 'p.created_by')
    .select([
      'p.id',
      'p.title',
      'p.period_from',
      'p.period_to',
      'p.status',
      'u.display_name as author',
      (eb) => eb.selectFrom('commissioning_intentions as i').select(eb.fn.countAll<number>().as('n')).whereRef('i.plan_id', '=', 'p.id').as('intentions'),
    ])
    .orderBy('p.period_from', 'desc')
    .orderBy('p.title')
    .execute();

/** A plan with its priorities, their evidence, and its intentions with their partners and stage history. */
export async function readPlan(db: Db, id: string) {
  const plan = await planRow(db, id);
  const names = async (ids: (string | null)[]) => {
    const wanted = [...new Set(ids.filter((x): x is string => x !== null))];
    if (!wanted.length) return new Map<string, string>();
    const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [r.id, r.display_name]));
  };
  const [priorities, evidence, intentions, partners, stages] = await Promise.all([
    db.selectFrom('commissioning_priorities').selectAll().where('plan_id', '=', id).orderBy('created_at').orderBy('id').execute(),
    db
      .selectFrom('commissioning_evidence as e')
      .innerJoin('commissioning_priorities as p', 'p.id', 'e.priority_id')
      .selectAll('e')
      .where('p.plan_id', '=', id)
      .orderBy('e.recorded_at')
      .execute(),
    db
      .selectFrom('commissioning_intentions as i')
      .innerJoin('users as u', 'u.id', 'i.owner_id')
      .leftJoin('pooling_agreements as a', 'a.id', 'i.agreement_id')
      .selectAll('i')
      .select(['u.display_name as owner_name', 'a.name as pool_name'])
      .where('i.plan_id', '=', id)
      .orderBy('i.due_on')
      .orderBy('i.created_at')
      .execute(),
    db
      .selectFrom('commissioning_intention_partners as ip')
      .innerJoin('commissioning_intentions as i', 'i.id', 'ip.intention_id')
      .innerJoin('budget_partners as b', 'b.id', 'ip.partner_id')
      .select(['ip.intention_id', 'b.short_name'])
      .where('i.plan_id', '=', id)
      .orderBy('b.short_name')
      .execute(),
    db
      .selectFrom('commissioning_stage_changes as s')
      .innerJoin('commissioning_intentions as i', 'i.id', 's.intention_id')
      .innerJoin('users as o', 'o.id', 's.owner_id')
      .selectAll('s')
      .select('o.display_name as owner_name')
      .where('i.plan_id', '=', id)
      .orderBy('s.changed_at')
      .execute(),
  ]);
  const people = await names([plan.created_by, plan.submitted_by, plan.decided_by]);
  return {
    plan: {
      ...plan,
      author: people.get(plan.created_by) ?? 'someone no longer known',
      submitter: plan.submitted_by ? (people.get(plan.submitted_by) ?? null) : null,
      decider: plan.decided_by ? (people.get(plan.decided_by) ?? null) : null,
    },
    priorities: priorities.map((p) => ({ ...p, evidence: evidence.filter((e) => e.priority_id === p.id) })),
    intentions: intentions.map((i) => ({
      ...i,
      expected_pence: i.expected_pence === null ? null : Number(i.expected_pence),
      partners: partners.filter((p) => p.intention_id === i.id).map((p) => p.short_name),
      stages: stages.filter((s) => s.intention_id === i.id),
    })),
  };
}

/** The procurement pipeline: intentions at the "do" stage in approved plans. */
export const intentionsReadyToContract = (db: Db) =>
  db
    .selectFrom('commissioning_intentions as i')
    .innerJoin('commissioning_plans as p', 'p.id', 'i.plan_id')
    .innerJoin('users as u', 'u.id', 'i.owner_id')
    .select(['i.id', 'i.what', 'i.due_on', 'i.expected_pence', 'i.agreement_id', 'p.title as plan_title', 'u.display_name as owner_name'])
    .where('i.stage', '=', 'do')
    .where('p.status', '=', 'approved')
    .orderBy('i.due_on')
    .execute();

/**
 * An intention a contract is being made from, checked against the pipeline's rule. `hasContract`
 * comes from the contracts register, which owns contracts.
 */
export async function intentionForContract(db: Db, id: string, hasContract: boolean) {
  const i = await intentionRow(db, id);
  const problem = contractProblem({ stage: i.stage, planStatus: i.plan_status, hasContract });
  return { intention: { ...i, expected_pence: i.expected_pence === null ? null : Number(i.expected_pence) }, problem };
}

/** People who can own an intention: anyone who can manage commissioning. */
export async function possibleOwners(db: Db) {
  const roles = Object.entries(ROLE_PERMISSIONS)
    .filter(([, ps]) => ps.includes('commissioning:manage'))
    .map(([r]) => r);
  return db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.display_name'])
    .distinct()
    .where('u.active', '=', true)
    .where('r.role', 'in', roles)
    .orderBy('u.display_name')
    .execute();
}
