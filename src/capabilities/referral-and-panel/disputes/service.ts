// Disputes about a partner's share of a panel decision: the area's escalation ladder, raising a
// dispute (only a partner that pays a share), escalating it step by step, resolving it (the agreed
// split is posted to the budgets: commitment through the package, spend already posted corrected
// between partners) and withdrawing it. While a dispute is open the package is not changed: the
// interim rule (by default the split as decided) keeps the family's support going.
import { longDate } from '../../../platform/dates.js';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { paths } from '../../../paths.js';
import {
  changePackage,
  currentTerms,
  inTransaction,
  LedgerError,
  post,
  type LedgerLine,
  type Posted,
  formatShare,
  validateSplit,
  type Share,
} from '../../money/budgets/index.js';
import { financialYearOf } from '../../../platform/financial-year.js';
import { formatPence } from '../../../platform/money.js';
import { authorityProblems, largestYearlyCostByPartner, type YearlyCost } from '../panels/index.js';
import {
  correction,
  daysBetween,
  isOverdue,
  risingCosts,
  spendBySplit,
  splitFrom,
  stepDueOn,
  validateLadder,
  type LadderStep,
  type SpendItem,
} from './rules.js';
import { isUuid } from '../../../platform/ids.js';

interface Actor {
  id: string;
  organisationId: string;
}

const isUniqueViolation = (e: unknown) =>
  (e as { code?: string } | null)?.code === '23505' || /duplicate key|unique/i.test(String((e as Error)?.message ?? ''));

// The ladder -------------------------------------------------------------------------------------

export const getLadder = async (db: Db): Promise<LadderStep[]> =>
  (await db.selectFrom('escalation_steps').select(['position', 'name', 'days']).orderBy('position').execute()).map((s) => ({ name: s.name, days: s.days }));

/** What the ladder form was opened with: if the ladder differs now, someone else changed it. */
export const ladderFingerprint = (steps: readonly LadderStep[]) => JSON.stringify(steps.map((s) => [s.name, s.days]));

/** Replaces the whole ladder, if nobody changed it since the form was opened (`previous`). */
export async function replaceLadder(db: Db, steps: LadderStep[], previous: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    // One writer at a time: a second editor waits, then sees the first one's ladder and is refused.
    await sql`lock table escalation_steps in share row exclusive mode`.execute(tx);
    if (ladderFingerprint(await getLadder(tx)) !== previous) throw new StaleVersionError();
    const open = await tx
      .selectFrom('disputes')
      .select(sql<number>`coalesce(max(step), 0)`.as('step'))
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    const problems = validateLadder(steps, { highestOpenStep: Number(open.step) });
    if (problems.length) throw new ValidationError(problems);
    await tx.deleteFrom('escalation_steps').execute();
    await tx
      .insertInto('escalation_steps')
      .values(steps.map((s, i) => ({ position: i + 1, name: s.name.trim(), days: s.days })))
      .execute();
  });
}

// Reads for other capabilities ------------------------------------------------------------------

/** The disputes about a decision's shares, oldest first (the decision's page lists them). */
export const disputesOfDecision = (db: Db, decisionId: string) =>
  db
    .selectFrom('disputes as x')
    .innerJoin('budget_partners as p', 'p.id', 'x.partner_id')
    .select(['x.id', 'x.status', 'x.raised_on', 'p.short_name'])
    .where('x.decision_id', '=', decisionId)
    .orderBy('x.raised_at')
    .execute();

/** The partner disputing its share of a package, if a dispute about it is open (the package then stands as decided). */
export async function openDisputeOnPackage(db: Db, packageId: string): Promise<{ partnerName: string } | null> {
  const row = await db
    .selectFrom('disputes as x')
    .innerJoin('panel_decisions as d', 'd.id', 'x.decision_id')
    .innerJoin('budget_partners as p', 'p.id', 'x.partner_id')
    .select(['p.short_name'])
    .where('d.package_id', '=', packageId)
    .where('x.status', '=', 'open')
    .executeTakeFirst();
  return row ? { partnerName: row.short_name } : null;
}

// Decisions that can be disputed ----------------------------------------------------------------

/** A decision with its referral reference, panel and package, and the partners paying a share now. */
export async function disputableDecision(db: Db, decisionId: string | undefined) {
  if (!isUuid(decisionId)) throw new NotFoundError('decision');
  const d = await db
    .selectFrom('panel_decisions as d')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .leftJoin('packages as k', 'k.id', 'd.package_id')
    .select([
      'd.id',
      'd.outcome',
      'd.package_id',
      'd.decided_on',
      'r.reference as referral_reference',
      'r.id as referral_id',
      'p.id as panel_id',
      'p.name as panel_name',
      'p.administrator_id',
      'k.reference as package_reference',
    ])
    .where('d.id', '=', decisionId)
    .executeTakeFirst();
  if (!d) throw new NotFoundError('decision');
  if (!d.package_id) return { decision: d, partners: [] as FundingPartner[], packageId: null };
  const { split } = await currentTerms(db, d.package_id);
  const ids = [...new Set(split.flatMap((s) => s.shares.map((x) => x.partnerId)))];
  const rows = await db
    .selectFrom('budget_partners as b')
    .innerJoin('organisations as o', 'o.id', 'b.organisation_id')
    .select(['b.id', 'b.short_name', 'b.organisation_id', 'o.name as organisation_name'])
    .where('b.id', 'in', ids)
    .orderBy('b.short_name')
    .execute();
  const partners: FundingPartner[] = rows.map((r) => ({
    id: r.id,
    name: r.short_name,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
  }));
  return { decision: d, partners, packageId: d.package_id };
}
export interface FundingPartner {
  id: string;
  name: string;
  organisationId: string;
  organisationName: string;
}

/** The partner this person may raise a dispute for, or why they may not (plain words). */
export async function raiserFor(db: Db, decisionId: string, who: Actor): Promise<{ partner: FundingPartner } | { refusal: string }> {
  const { decision, partners } = await disputableDecision(db, decisionId);
  if (!decision.package_id)
    return {
      refusal: `The decision on referral ${decision.referral_reference} did not fund a package: only a partner’s share of a funded package can be disputed`,
    };
  const partner = partners.find((p) => p.organisationId === who.organisationId);
  if (!partner) {
    const org = await db.selectFrom('organisations').select('name').where('id', '=', who.organisationId).executeTakeFirst();
    return {
      refusal: `Only a partner that pays a share of package ${decision.package_reference} can dispute it. ${org?.name ?? 'Your organisation'} does not pay a share: the partners paying are ${partners.map((p) => p.name).join(' and ')}`,
    };
  }
  return { partner };
}

// Raising -----------------------------------------------------------------------------------------

export interface RaiseInput {
  decisionId: string;
  reason: string;
  interim: string;
  today: string;
}

export async function raiseDispute(db: Db, notifier: Notifier, input: RaiseInput, who: Actor, baseUrl = ''): Promise<{ id: string }> {
  return inTransaction(db, async (tx) => {
    const who_ = await raiserFor(tx, input.decisionId, who);
    if ('refusal' in who_) throw new ForbiddenError(who_.refusal);
    const { partner } = who_;
    const ladder = await getLadder(tx);
    const first = ladder[0];
    if (!first)
      throw new ValidationError([
        {
          text: 'The area has not set up its escalation ladder yet, so a dispute cannot be raised. Ask the partnership administrator to set it up',
          href: '#reason',
        },
      ]);
    const already = await openDisputeMessage(tx, input.decisionId, partner, ladder);
    if (already) throw new ValidationError([{ text: already, href: '#reason' }]);
    let row: { id: string } | undefined;
    try {
      row = await tx
        .insertInto('disputes')
        .values({
          decision_id: input.decisionId,
          partner_id: partner.id,
          raised_by: who.id,
          raised_on: input.today,
          reason: input.reason,
          interim: input.interim,
          step: 1,
          step_due_on: stepDueOn(input.today, first.days),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    } catch (e) {
      // Someone of the same partner raised one a moment ago (disputes_one_open).
      if (isUniqueViolation(e))
        throw new ValidationError([
          {
            text: (await openDisputeMessage(tx, input.decisionId, partner, ladder)) ?? `${partner.name} already has an open dispute about this decision`,
            href: '#reason',
          },
        ]);
      throw e;
    }
    await tx.insertInto('dispute_events').values({ dispute_id: row.id, kind: 'raised', step: 1, note: input.reason, by_user_id: who.id }).execute();
    await notifyOthers(tx, notifier, row.id, partner, who.id, baseUrl);
    return row;
  });
}

async function openDisputeMessage(db: Db, decisionId: string, partner: FundingPartner, ladder: LadderStep[]): Promise<string | null> {
  const open = await db
    .selectFrom('disputes')
    .select(['raised_on', 'step'])
    .where('decision_id', '=', decisionId)
    .where('partner_id', '=', partner.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (!open) return null;
  const step = ladder[open.step - 1]?.name ?? `step ${open.step}`;
  return `${partner.name} already has an open dispute about this decision, raised on ${longDate(open.raised_on)} and now at step ${open.step} (${step}). Add to that dispute instead of raising another`;
}

/** Who hears about a dispute: active users only, each once, never the person acting. */
interface Audience {
  decision: { panel_id: string; administrator_id: string | null };
  /** Partners whose active members of the decision's panel are told. */
  partners: readonly FundingPartner[];
  /** Also told (the dispute's raiser), when still active. */
  alsoUserIds?: readonly (string | null)[];
  actingUserId: string | null;
}

async function recipients(db: Db, a: Audience): Promise<string[]> {
  const members = a.partners.length
    ? await db
        .selectFrom('panel_members as pm')
        .innerJoin('users as u', 'u.id', 'pm.user_id')
        .select(['u.id', 'u.email'])
        .where('pm.panel_id', '=', a.decision.panel_id)
        .where('pm.active', '=', true)
        .where('u.active', '=', true)
        .where((eb) =>
          eb.or([
            eb(
              'pm.partner_id',
              'in',
              a.partners.map((p) => p.id),
            ),
            // A member sitting for no particular partner speaks for their own organisation.
            eb.and([
              eb('pm.partner_id', 'is', null),
              eb(
                'u.organisation_id',
                'in',
                a.partners.map((p) => p.organisationId),
              ),
            ]),
          ]),
        )
        .execute()
    : [];
  const ids = [a.decision.administrator_id, ...(a.alsoUserIds ?? [])].filter((x): x is string => !!x);
  const more = ids.length ? await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).where('active', '=', true).execute() : [];
  const to = new Map<string, string>();
  for (const u of [...members, ...more]) if (u.email && u.id !== a.actingUserId) to.set(u.id, u.email);
  // Two accounts may share a mailbox: one message each.
  return [...new Set(to.values())];
}

/** Tells the other paying partners' panel members and the panel's administrator. No child's details: the referral reference only. */
async function notifyOthers(db: Db, notifier: Notifier, disputeId: string, partner: FundingPartner, actingUserId: string, baseUrl: string) {
  const d = await disputeRow(db, disputeId);
  const { decision, partners } = await disputableDecision(db, d.decision_id);
  const to = await recipients(db, { decision, partners: partners.filter((p) => p.id !== partner.id), actingUserId });
  // Only the reference, the partner and the link: the raiser's typed words (reason, interim) stay
  // behind sign-in, where the sharing and audit rules apply.
  const body = [
    `${partner.name} has disputed its share of the panel decision on referral ${decision.referral_reference}.`,
    `See the dispute: ${baseUrl}${paths.disputes.dispute(disputeId)}`,
  ].join('\n\n');
  for (const email of to)
    await notifier.send(db, { channel: 'email', to: email, subject: `Dispute raised about referral ${decision.referral_reference}`, body });
}

/** How escalations, resolutions and withdrawals reach people: the notifier and the site's address for links. */
export interface Tell {
  notifier: Notifier;
  baseUrl?: string;
}

type Change = { kind: 'escalated'; step: number; stepName: string; dueOn: string; automatic: boolean } | { kind: 'resolved' } | { kind: 'withdrawn' };

/**
 * Everyone with a stake in what happens next: the raiser, every paying partner's active members of
 * the decision's panel, and the panel's administrator. Worked out before the change is made (a
 * resolution may change who pays), sent after it. The message carries the reference, the partner,
 * what happened and the link – never the reason, a note, the interim rule or any child's details.
 */
async function prepareNotice(
  db: Db,
  tell: Tell,
  dispute: { id: string; decision_id: string; partner_id: string; raised_by: string | null },
  actingUserId: string | null,
) {
  const { decision, partners } = await disputableDecision(db, dispute.decision_id);
  const to = await recipients(db, { decision, partners, alsoUserIds: [dispute.raised_by], actingUserId });
  const partner =
    partners.find((p) => p.id === dispute.partner_id)?.name ??
    (await db.selectFrom('budget_partners').select('short_name').where('id', '=', dispute.partner_id).executeTakeFirst())?.short_name ??
    'A partner';
  const ref = decision.referral_reference;
  return async (change: Change) => {
    const about = `${partner}’s dispute about its share of the panel decision on referral ${ref}`;
    const { subject, what } =
      change.kind === 'escalated'
        ? {
            subject: `Dispute about referral ${ref} escalated to step ${change.step}`,
            what: `${about} has been escalated${change.automatic ? ' automatically, because the time for the previous step ran out' : ''}. It is now at step ${change.step}, “${change.stepName}”, and is due to be settled by ${longDate(change.dueOn)}.`,
          }
        : change.kind === 'resolved'
          ? { subject: `Dispute about referral ${ref} resolved`, what: `${about} has been resolved. The agreed split has been posted to the budgets.` }
          : { subject: `Dispute about referral ${ref} withdrawn`, what: `${about} has been withdrawn. The split as decided stands.` };
    const body = [what, `See the dispute: ${tell.baseUrl ?? ''}${paths.disputes.dispute(dispute.id)}`].join('\n\n');
    for (const email of to) await tell.notifier.send(db, { channel: 'email', to: email, subject, body });
  };
}

// Reading -------------------------------------------------------------------------------------------

async function disputeRow(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('dispute');
  const d = await db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!d) throw new NotFoundError('dispute');
  return d;
}

const disputeQuery = (db: Db) =>
  db
    .selectFrom('disputes as x')
    .innerJoin('panel_decisions as d', 'd.id', 'x.decision_id')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .innerJoin('budget_partners as b', 'b.id', 'x.partner_id')
    .leftJoin('packages as k', 'k.id', 'd.package_id')
    .leftJoin('users as u', 'u.id', 'x.raised_by')
    .selectAll('x')
    .select([
      'p.id as panel_id',
      'p.administrator_id as panel_administrator_id',
      'b.short_name as partner_name',
      'r.reference as referral_reference',
      'd.decided_on',
      'd.package_id',
      'k.reference as package_reference',
      'u.display_name as raised_by_name',
    ]);

/** A dispute with its place on the ladder, history, and whether it is overdue on `today`. */
export async function getDispute(db: Db, id: string | undefined, today: string) {
  const row = await disputeQuery(db)
    .where('x.id', '=', isUuid(id) ? id : '00000000-0000-0000-0000-000000000000')
    .executeTakeFirst();
  if (!row) throw new NotFoundError('dispute');
  const ladder = await getLadder(db);
  const events = await db
    .selectFrom('dispute_events as e')
    .leftJoin('users as u', 'u.id', 'e.by_user_id')
    .select(['e.id', 'e.kind', 'e.step', 'e.note', 'e.at', 'u.display_name as by_name'])
    .where('e.dispute_id', '=', row.id)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
  return {
    ...row,
    ladder,
    stepName: ladder[row.step - 1]?.name ?? `Step ${row.step}`,
    atLastStep: row.step >= ladder.length,
    overdue: row.status === 'open' && isOverdue(row.step_due_on, today),
    ageDays: daysBetween(row.raised_on, row.resolved_on ?? today),
    events: events.map((e) => ({ ...e, stepName: ladder[e.step - 1]?.name ?? `Step ${e.step}` })),
  };
}

/**
 * Open disputes (oldest first) and closed ones (latest first), with age, due date and overdue;
 * with `administeredBy`, only those about decisions of the panels that person administers.
 */
export async function listDisputes(db: Db, today: string, administeredBy?: string) {
  const ladder = await getLadder(db);
  let q = disputeQuery(db);
  if (administeredBy) q = q.where('p.administrator_id', '=', administeredBy);
  const rows = await q.orderBy('x.raised_on').orderBy('x.raised_at').execute();
  const shaped = rows.map((r) => ({
    ...r,
    stepName: ladder[r.step - 1]?.name ?? `Step ${r.step}`,
    ageDays: daysBetween(r.raised_on, today),
    overdue: r.status === 'open' && isOverdue(r.step_due_on, today),
    tookDays: r.resolved_on ? daysBetween(r.raised_on, r.resolved_on) : null,
  }));
  return {
    open: shaped.filter((r) => r.status === 'open'),
    closed: shaped.filter((r) => r.status !== 'open').sort((a, b) => (b.resolved_on ?? '').localeCompare(a.resolved_on ?? '')),
  };
}

/** Whether this person administers any panel: they are told about its decisions' disputes, so they may open them. */
export async function administersAPanel(db: Db, userId: string): Promise<boolean> {
  return (await db.selectFrom('panels').select('id').where('administrator_id', '=', userId).executeTakeFirst()) !== undefined;
}

// Who may escalate and resolve ---------------------------------------------------------------------

export interface Resolver {
  id: string;
  organisationId: string;
  permissions: ReadonlySet<string>;
}

/**
 * Why this person may not escalate or resolve this dispute, or null if they may: a party never
 * settles its own dispute (the person who raised it, anyone of the disputing partner's
 * organisation); otherwise the decision's panel administrator, a current member of that panel,
 * or the partnership administrator (panels:configure) may.
 */
export async function resolverRefusal(
  db: Db,
  who: Resolver,
  dispute: { raised_by: string | null; partner_id: string; decision_id: string },
): Promise<string | null> {
  const party = 'A party cannot settle its own dispute: someone else on the panel must escalate or resolve it';
  if (dispute.raised_by === who.id) return `You raised this dispute. ${party}`;
  const partner = await db
    .selectFrom('budget_partners as b')
    .innerJoin('organisations as o', 'o.id', 'b.organisation_id')
    .select(['b.organisation_id', 'o.name'])
    .where('b.id', '=', dispute.partner_id)
    .executeTakeFirst();
  if (partner && partner.organisation_id === who.organisationId) return `You work for ${partner.name}, the partner disputing its share. ${party}`;
  if (who.permissions.has('panels:configure')) return null;
  const panel = await db
    .selectFrom('panel_decisions as d')
    .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .select(['p.id', 'p.name', 'p.administrator_id'])
    .where('d.id', '=', dispute.decision_id)
    .executeTakeFirstOrThrow();
  if (panel.administrator_id === who.id) return null;
  const member = await db
    .selectFrom('panel_members')
    .select('id')
    .where('panel_id', '=', panel.id)
    .where('user_id', '=', who.id)
    .where('active', '=', true)
    .executeTakeFirst();
  if (member) return null;
  return `Only the administrator or a current member of ${panel.name}, which made this decision, or the partnership administrator can escalate or resolve this dispute`;
}

/** Refuses (403, audited) anyone who may not escalate or resolve this dispute. Not used by the overnight job. */
export async function requireResolver(db: Db, who: Resolver, disputeId: string | undefined): Promise<void> {
  const d = await disputeRow(db, disputeId);
  const refusal = await resolverRefusal(db, who, d);
  if (refusal) throw new ForbiddenError(refusal);
}

// Escalating, withdrawing ------------------------------------------------------------------------------

async function openForChange(db: Db, id: string, expectedVersion: number) {
  const d = await disputeRow(db, id);
  if (d.version !== expectedVersion) throw new StaleVersionError();
  if (d.status !== 'open') throw new ValidationError([{ text: `This dispute has already been ${d.status}: it cannot be changed`, href: '#note' }]);
  return d;
}

async function bump(db: Db, id: string, expectedVersion: number, set: Record<string, unknown>) {
  const res = await db
    .updateTable('disputes')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new StaleVersionError();
}

/** Moves the dispute to the next step of the ladder, with a note; refused at the last step. */
export async function escalateDispute(db: Db, id: string, expectedVersion: number, note: string, who: { id: string } | null, today: string, tell: Tell) {
  return inTransaction(db, async (tx) => {
    const d = await openForChange(tx, id, expectedVersion);
    const ladder = await getLadder(tx);
    const next = ladder[d.step];
    if (!next) {
      const last = ladder[ladder.length - 1];
      throw new ValidationError([
        {
          text: `The dispute is already at the last step of the ladder (step ${d.step}${last ? `, ${last.name}` : ''}): it cannot be escalated further. Resolve it, or the partner can withdraw it`,
          href: '#note',
        },
      ]);
    }
    const step = d.step + 1;
    const dueOn = stepDueOn(today, next.days);
    await bump(tx, id, expectedVersion, { step, step_due_on: dueOn });
    await tx
      .insertInto('dispute_events')
      .values({ dispute_id: id, kind: 'escalated', step, note, by_user_id: who?.id ?? null })
      .execute();
    const notify = await prepareNotice(tx, tell, d, who?.id ?? null);
    await notify({ kind: 'escalated', step, stepName: next.name, dueOn, automatic: who === null });
    return { step, stepName: next.name, dueOn };
  });
}

/** Withdrawn by the person who raised it: the split as decided stands. */
export async function withdrawDispute(db: Db, id: string, expectedVersion: number, note: string, who: { id: string }, today: string, tell: Tell) {
  return inTransaction(db, async (tx) => {
    const d = await openForChange(tx, id, expectedVersion);
    if (d.raised_by !== who.id) throw new ForbiddenError('Only the person who raised a dispute can withdraw it');
    await bump(tx, id, expectedVersion, { status: 'withdrawn', resolved_on: today, resolved_by: who.id, resolution: note });
    await tx.insertInto('dispute_events').values({ dispute_id: id, kind: 'withdrawn', step: d.step, note, by_user_id: who.id }).execute();
    await (
      await prepareNotice(tx, tell, d, who.id)
    )({ kind: 'withdrawn' });
  });
}

/**
 * Escalates every open dispute whose step is past its due date to the next step. Those already at
 * the last step stay there (the lists show them as overdue). Answers how many moved.
 */
export async function escalateOverdue(db: Db, today: string, tell: Tell): Promise<{ escalated: number; atLastStep: number }> {
  const due = await db
    .selectFrom('disputes')
    .select(['id', 'version', 'step', 'step_due_on'])
    .where('status', '=', 'open')
    .where('step_due_on', '<', today)
    .orderBy('raised_on')
    .execute();
  const ladder = await getLadder(db);
  let escalated = 0;
  let atLastStep = 0;
  for (const d of due) {
    if (d.step >= ladder.length) {
      atLastStep++;
      continue;
    }
    const name = ladder[d.step - 1]?.name ?? `step ${d.step}`;
    try {
      await escalateDispute(
        db,
        d.id,
        d.version,
        `Escalated automatically: the time for step ${d.step} (${name}) ran out on ${longDate(d.step_due_on)}`,
        null,
        today,
        tell,
      );
      escalated++;
    } catch (e) {
      // Someone changed it meanwhile: the next run looks again.
      if (!(e instanceof StaleVersionError) && !(e instanceof ValidationError)) throw e;
    }
  }
  return { escalated, atLastStep };
}

// Resolving ----------------------------------------------------------------------------------------------

export interface Resolution {
  /** The agreed split applies from this date (on or after the package starts). */
  from: string;
  /** The last day it applies; null: to the package's end (later parts of the split as decided are kept). */
  until?: string | null;
  shares: Share[];
  note: string;
  /** The package version the resolver saw: the split is applied to those terms or refused as out of date. */
  packageVersion: number;
}

/**
 * Resolves the dispute with the agreed split: changes the package (its commitment is posted again,
 * the difference per partner, linked to the decision) and moves spend already posted between the
 * partners so actual spend follows the agreed split too. Answers both postings. With `tell`, the
 * raiser, the paying partners' panel members and the panel administrator are told (the screens
 * always pass it; optional only so callers seeding figures need no notifier).
 */
export async function resolveDispute(
  db: Db,
  id: string,
  expectedVersion: number,
  r: Resolution,
  who: Resolver,
  today: string,
  tell?: Tell,
): Promise<{ commitment: Posted | null; spend: Posted | null }> {
  try {
    return await resolveInTransaction(db, id, expectedVersion, r, who, today, tell);
  } catch (e) {
    // A closed accounting period, say: nothing was posted or changed; say why in plain words.
    if (e instanceof LedgerError)
      throw new ValidationError([{ text: `The agreed split could not be posted to the budgets: ${e.message}`, href: '#resolveNote' }]);
    throw e;
  }
}

/** The resolution itself, in one database transaction: resolveDispute says in plain words why it could not be posted. */
const resolveInTransaction: typeof resolveDispute = (db, id, expectedVersion, r, who, today, tell) =>
  inTransaction(db, async (tx) => {
    const d = await openForChange(tx, id, expectedVersion);
    // Who to tell is worked out on the terms before the agreed split changes who pays.
    const notify = tell ? await prepareNotice(tx, tell, d, who.id) : null;
    const decision = await tx.selectFrom('panel_decisions').select(['id', 'package_id']).where('id', '=', d.decision_id).executeTakeFirstOrThrow();
    if (!decision.package_id) throw new ValidationError([{ text: 'The decision no longer has a package to change', href: '#note' }]);
    const { pkg, split, terms } = await currentTerms(tx, decision.package_id);
    // The package changed since the resolver opened the page: the agreed split was for other terms.
    if (pkg.version !== r.packageVersion) throw new StaleVersionError();
    // Cost can only move between partners already paying a share: never onto one that never paid.
    const paying = new Set(split.flatMap((s) => s.shares.map((x) => x.partnerId)));
    const outsider = r.shares.find((x) => !paying.has(x.partnerId));
    if (outsider) {
      const names = await tx
        .selectFrom('budget_partners')
        .select(['id', 'short_name'])
        .where('id', 'in', [outsider.partnerId, ...paying])
        .execute();
      const name = (id: string) => names.find((n) => n.id === id)?.short_name ?? 'That partner';
      throw new ValidationError([
        {
          text: `${name(outsider.partnerId)} does not pay a share of package ${pkg.reference}: the agreed split can only share the cost between ${[...paying].map(name).sort().join(' and ')}`,
          href: '#shares',
        },
      ]);
    }
    if (r.from < pkg.starts_on)
      throw new ValidationError([{ text: `The agreed split cannot start before the package starts (${longDate(pkg.starts_on)})`, href: '#from-day' }]);
    if (pkg.ends_on !== null && r.from > pkg.ends_on)
      throw new ValidationError([{ text: `The agreed split cannot start after the package ends (${longDate(pkg.ends_on)})`, href: '#from-day' }]);
    const newSplit = splitFrom(split, r.from, r.shares, pkg.ends_on, r.until ?? null);
    const problems = validateSplit(newSplit, { from: pkg.starts_on, to: pkg.ends_on });
    if (problems.length)
      throw new ValidationError(problems.map((p) => ({ text: p.message.replace(/the funding split/i, 'the agreed split'), href: '#shares' })));
    const rising = risingCosts(largestYearlyCostByPartner(terms, split), largestYearlyCostByPartner(terms, newSplit));
    const aboveAuthority = await resolutionAuthority(tx, d, rising, who);
    const reason = `Dispute resolved: ${r.note}`.slice(0, 300);
    const commitment = await changePackage(
      tx,
      pkg.id,
      r.packageVersion,
      {
        serviceCategory: pkg.service_category,
        service: pkg.service,
        providerId: pkg.provider_id,
        unitCostPence: pkg.unit_cost_pence,
        unitsX100: pkg.units_x100,
        frequency: pkg.frequency,
        startsOn: pkg.starts_on,
        endsOn: pkg.ends_on,
        reviewOn: pkg.review_on,
        split: newSplit,
        reason,
        decisionId: d.decision_id,
      },
      who,
      today,
    );
    const spend = await correctSpend(tx, id, pkg.id, d.decision_id, reason, who, today);
    await bump(tx, id, expectedVersion, { status: 'resolved', resolved_on: today, resolved_by: who.id, resolution: r.note });
    const sharesText = r.shares.map((s) => formatShare(s.bp)).join(' / ');
    const note = `${r.note} (agreed split ${sharesText} from ${longDate(r.from)}${r.until ? ` to ${longDate(r.until)}` : ''})${aboveAuthority ? `. ${aboveAuthority}` : ''}`;
    await tx.insertInto('dispute_events').values({ dispute_id: id, kind: 'resolved', step: d.step, note, by_user_id: who.id }).execute();
    await notify?.({ kind: 'resolved' });
    return { commitment, spend };
  });

/**
 * Delegated authority for a resolution, as for a decision: each partner whose largest yearly cost
 * goes up must be agreed by the resolver as a current member of the decision's panel for that
 * partner, with authority at least the new cost. Above that, only the directors settle: the
 * partnership administrator (panels:configure) records it at the last step of the ladder.
 * Answers the note to record when it was agreed above delegated authority, else null; refuses
 * (naming the partner, the amount and what to do) otherwise.
 */
async function resolutionAuthority(
  db: Db,
  d: { decision_id: string; step: number },
  rising: ReadonlyMap<string, YearlyCost>,
  who: Resolver,
): Promise<string | null> {
  if (rising.size === 0) return null;
  const panel = await db
    .selectFrom('panel_decisions as x')
    .innerJoin('panel_meetings as m', 'm.id', 'x.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .select(['p.id', 'p.name'])
    .where('x.id', '=', d.decision_id)
    .executeTakeFirstOrThrow();
  const mine = await db
    .selectFrom('panel_members')
    .select(['partner_id', 'authority_pence'])
    .where('panel_id', '=', panel.id)
    .where('user_id', '=', who.id)
    .where('active', '=', true)
    .execute();
  // The resolver as the one member "present": the decisions' authority rule, unchanged.
  const asMember = mine.map((m) => ({
    userId: who.id,
    name: '',
    organisationType: '',
    partnerId: m.partner_id,
    authorityPence: Number(m.authority_pence),
    interests: null,
  }));
  const names = new Map(
    (
      await db
        .selectFrom('budget_partners')
        .select(['id', 'short_name'])
        .where('id', 'in', [...rising.keys()])
        .execute()
    ).map((p) => [p.id, p.short_name]),
  );
  const name = (id: string) => names.get(id) ?? 'A partner';
  const beyond = [...rising]
    .filter(([id, cost]) => authorityProblems(new Map([[id, cost]]), asMember, name).length > 0)
    .sort(([a], [b]) => name(a).localeCompare(name(b)));
  if (beyond.length === 0) return null;

  const ladder = await getLadder(db);
  const atLast = d.step >= ladder.length;
  const stepName = ladder[d.step - 1]?.name ?? `step ${d.step}`;
  const what = beyond.map(([id, c]) => `${name(id)}’s largest yearly cost rises to ${formatPence(c.pence)} ${c.when}`).join('; ');
  if (atLast && who.permissions.has('panels:configure')) {
    return `Agreed above delegated authority at step ${d.step} (${stepName}), the last step of the ladder: ${what}`;
  }
  const next = ladder[d.step];
  const todo = atLast
    ? `The dispute is at the last step (${stepName}): ask the partnership administrator to record what the directors agree, which can go above delegated authority`
    : `Escalate the dispute to the next step (${next?.name ?? `step ${d.step + 1}`}); at the last step (${ladder[ladder.length - 1]?.name ?? 'the last step'}) the partnership administrator can record an agreement above delegated authority`;
  throw new ValidationError(
    beyond.map(([id, c]) => {
      const held = mine.find((m) => m.partner_id === id);
      const you = held
        ? `your delegated authority for ${name(id)} is ${formatPence(Number(held.authority_pence))} a year`
        : `you are not a member of ${panel.name} for ${name(id)}`;
      return {
        text: `${name(id)}’s largest yearly cost would rise to ${formatPence(c.pence)} ${c.when} under the agreed split. Only a member of ${panel.name} for ${name(id)} with delegated authority of at least ${formatPence(c.pence)} a year can agree that, and ${you}. ${todo}`,
        href: '#shares',
      };
    }),
  );
}

/**
 * Spend already posted for the package was shared by the split in force when it was posted. This
 * moves the difference between partners (same package, year and service) so each partner's actual
 * spend is what the package's split now implies. Invoices cancelled are left out (their postings
 * cancel out). One balanced transaction, keyed by the dispute: posting again changes nothing.
 */
async function correctSpend(
  db: Db,
  disputeId: string,
  packageId: string,
  decisionId: string,
  reason: string,
  who: { id: string },
  today: string,
): Promise<Posted | null> {
  const { pkg, split } = await currentTerms(db, packageId);
  const invoices = await db
    .selectFrom('invoices')
    .select(['service_from', 'service_to', 'amount_pence'])
    .where('package_id', '=', packageId)
    .where('cancelled_at', 'is', null)
    .execute();
  const direct = await db
    .selectFrom('payments')
    .select(['paid_on', 'amount_pence'])
    .where('package_id', '=', packageId)
    .where('kind', '=', 'direct-payment')
    .execute();
  const items: SpendItem[] = [
    ...invoices.map((i) => ({ from: i.service_from, to: i.service_to, amountPence: i.amount_pence })),
    ...direct.map((p) => ({ from: p.paid_on, to: p.paid_on, amountPence: p.amount_pence })),
  ];
  const postedRows = await db
    .selectFrom('ledger_entries')
    .select(['financial_year', 'partner_id', sql<string>`sum(amount_pence)`.as('pence')])
    .where('package_id', '=', packageId)
    .where('account', '=', 'spend')
    .groupBy(['financial_year', 'partner_id'])
    .execute();
  const posted = new Map(postedRows.map((r) => [`${r.financial_year}|${r.partner_id ?? ''}`, Number(r.pence)]));
  const moves = correction(spendBySplit(items, split, financialYearOf), posted);
  if (moves.length === 0) return null;
  const lines: LedgerLine[] = moves.map((m) => {
    const [fy, partnerId] = m.key.split('|') as [string, string];
    return {
      account: 'spend',
      amountPence: m.pence,
      agreementId: pkg.agreement_id,
      partnerId: partnerId || null,
      financialYear: Number(fy),
      serviceCategory: pkg.service_category,
      packageId,
      childId: pkg.child_id,
    };
  });
  return post(db, {
    idempotencyKey: `dispute-spend:${disputeId}`,
    kind: 'transfer',
    postedOn: today,
    reason: `${pkg.reference}: actual spend moved between partners to the agreed split. ${reason}`.slice(0, 500),
    recordedBy: who.id,
    decisionId,
    lines,
  });
}
