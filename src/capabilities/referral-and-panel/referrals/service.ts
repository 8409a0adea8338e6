// The one referral route: families' and partners' referrals, their events, triage decisions and
// attaching a family's referral to the child's record. Messages go through the notifier in the
// caller's transaction. Access to a child's record is decided by the sharing capability.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { CurrentUser } from '../../../platform/auth/current-user.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import type { ReferralStatus } from '../../../platform/db/schema.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { visibleChild, viewerOf } from '../../record/sharing/index.js';
import { nameTokens, parseNhsNumber } from '../../record/children/index.js';
import {
  RELATIONSHIP_WORDS,
  TRIAGE_DECISIONS,
  acknowledgement,
  attachProblem,
  outcomeWords,
  queuePage,
  queueStatuses,
  triageProblem,
  type QueueFilter,
  type Words,
} from './rules.js';
import type { ChildDetails, PartnerReferralInput, SelfReferralInput, TriageInput } from './schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function addEvent(db: Db, referralId: string, kind: string, note: string | null, byUserId: string | null, notificationId: string | null = null) {
  await db.insertInto('referral_events').values({ referral_id: referralId, kind, note, by_user_id: byUserId, notification_id: notificationId }).execute();
}

interface Contact {
  who: string;
  channel: 'email' | 'sms';
  to: string;
}

/** Sends one message and records it as an event of the referral. */
async function notify(db: Db, notifier: Notifier, referralId: string, contact: Contact, words: Words, kind: string, byUserId: string | null) {
  const sent = await notifier.send(db, { channel: contact.channel, to: contact.to, subject: words.subject, body: words.body });
  await addEvent(db, referralId, kind, `${contact.channel === 'email' ? 'Email' : 'Text message'} to the ${contact.who}`, byUserId, sent.id);
  return sent.id;
}

/** How to reach the referrer: by their preferred way when we hold the address for it. */
function referrerContact(r: { referrer_email: string | null; referrer_phone: string | null; contact_method: string }): Contact | null {
  if (r.contact_method === 'sms' && r.referrer_phone) return { who: 'referrer', channel: 'sms', to: r.referrer_phone };
  if (r.referrer_email) return { who: 'referrer', channel: 'email', to: r.referrer_email };
  if (r.referrer_phone) return { who: 'referrer', channel: 'sms', to: r.referrer_phone };
  return null;
}

/**
 * The family's contact on the child's record, if one with parental responsibility has agreed to
 * messages: by e-mail or text, as they prefer. Null when there is none (the referrer is told).
 */
async function familyContact(db: Db, childId: string): Promise<Contact | null> {
  const members = await db
    .selectFrom('family_members as m')
    .innerJoin('children as c', 'c.family_id', 'm.family_id')
    .select(['m.email', 'm.phone', 'm.preferred_contact', 'm.consents_to_email', 'm.consents_to_sms'])
    .where('c.id', '=', childId)
    .where('m.parental_responsibility', '=', true)
    .orderBy('m.full_name')
    .execute();
  for (const m of members) {
    if (m.preferred_contact === 'sms' && m.consents_to_sms && m.phone) return { who: 'family', channel: 'sms', to: m.phone };
    if (m.consents_to_email && m.email) return { who: 'family', channel: 'email', to: m.email };
    if (m.consents_to_sms && m.phone) return { who: 'family', channel: 'sms', to: m.phone };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Making referrals

/** A family's or young person's own referral (public). Never looks at the register. */
export async function createFamilyReferral(db: Db, notifier: Notifier, input: SelfReferralInput, today: string) {
  const relationship = input.who;
  const row = await db
    .insertInto('referrals')
    .values({
      route: 'family',
      child_id: null,
      child_details: JSON.stringify(input.child),
      referrer_name: input.name,
      referrer_relationship: relationship,
      referrer_email: input.email,
      referrer_phone: input.phone,
      contact_method: input.contactMethod,
      help_needed: input.helpNeeded,
      reason: input.reason,
      sharing_basis: 'consent',
      consent_given_by: `${input.name} (${RELATIONSHIP_WORDS[relationship]})`,
      received_on: today,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  await addEvent(db, row.id, 'received', 'Referred by the family on the public form', null);
  const contact = referrerContact({ referrer_email: input.email, referrer_phone: input.phone, contact_method: input.contactMethod });
  if (contact) await notify(db, notifier, row.id, contact, acknowledgement(row.reference, 'family'), 'acknowledged', null);
  return row;
}

/** A partner's referral of a child they may see (the route has checked with requireChild). */
export async function createPartnerReferral(db: Db, notifier: Notifier, user: CurrentUser, input: PartnerReferralInput, today: string) {
  const child = await db
    .selectFrom('children')
    .select(['given_name', 'family_name', 'date_of_birth', 'postcode'])
    .where('id', '=', input.childId)
    .executeTakeFirst();
  if (!child) throw new NotFoundError('child');
  const details: ChildDetails = { givenName: child.given_name, familyName: child.family_name, dateOfBirth: child.date_of_birth, postcode: child.postcode };
  const row = await db
    .insertInto('referrals')
    .values({
      route: 'partner',
      child_id: input.childId,
      child_details: JSON.stringify(details),
      referrer_user_id: user.id,
      referrer_organisation_id: user.organisationId,
      referrer_name: user.displayName,
      referrer_relationship: 'professional',
      referrer_email: user.email,
      contact_method: 'email',
      help_needed: input.helpNeeded,
      reason: input.reason,
      sharing_basis: input.basis,
      consent_given_by: input.consentGivenBy,
      lawful_basis: input.lawfulBasis,
      received_on: today,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  await addEvent(db, row.id, 'received', `Referred by ${user.displayName}, ${user.organisationName}`, user.id);
  const words = acknowledgement(row.reference, 'partner');
  await notify(db, notifier, row.id, { who: 'referrer', channel: 'email', to: user.email }, words, 'acknowledged', user.id);
  // The family hears only when the referral is shared with their agreement.
  if (input.basis === 'consent') {
    const family = await familyContact(db, input.childId);
    if (family) await notify(db, notifier, row.id, family, acknowledgement(row.reference, 'family'), 'acknowledged', user.id);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Finding the child

/** The visible child with this council reference or NHS number; null for one not visible or not there. */
export async function findVisibleChildByIdentifier(db: Db, user: CurrentUser, identifier: string): Promise<string | null> {
  const raw = identifier.trim();
  if (!raw) return null;
  const nhs = parseNhsNumber(raw);
  const row = await db
    .selectFrom('children as c')
    .select('c.id')
    .where((eb) => eb.or([eb('c.council_id', '=', raw), ...(nhs.ok ? [eb('c.nhs_number', '=', nhs.value)] : [])]))
    .where(visibleChild(viewerOf(user), 'c'))
    .limit(2)
    .execute();
  return row.length === 1 ? row[0]!.id : null;
}

/** Visible children matching a name (every word) and/or a date of birth, for attaching a referral. */
export async function searchVisibleChildren(db: Db, user: CurrentUser, q: { name: string; dateOfBirth: string | null }) {
  const tokens = nameTokens(q.name);
  if (!tokens.length && !q.dateOfBirth) return [];
  let query = db
    .selectFrom('children as c')
    .select(['c.id', 'c.given_name', 'c.family_name', 'c.preferred_name', 'c.date_of_birth', 'c.postcode'])
    .where(visibleChild(viewerOf(user), 'c'));
  for (const t of tokens) query = query.where(sql<string>`' ' || c.search_names || ' '`, 'like', `% ${t} %`);
  if (q.dateOfBirth) query = query.where('c.date_of_birth', '=', q.dateOfBirth);
  return query.orderBy('c.family_name').orderBy('c.given_name').limit(20).execute();
}

/**
 * A child's referrals, newest first, each with its latest panel decision (a deferral may be
 * followed by another decision) or null. No typed text: the caller has applied the sharing rule
 * to the child's record and shows only references, dates, statuses and outcomes.
 */
export async function referralsOfChild(db: Db, childId: string) {
  const referrals = await db
    .selectFrom('referrals')
    .select(['id', 'reference', 'received_on', 'status'])
    .where('child_id', '=', childId)
    .orderBy('received_at', 'desc')
    .orderBy('reference', 'desc')
    .execute();
  if (!referrals.length) return [];
  const decisions = await db
    .selectFrom('panel_decisions')
    .select(['id', 'referral_id', 'outcome', 'decided_on'])
    .where(
      'referral_id',
      'in',
      referrals.map((r) => r.id),
    )
    .orderBy('decided_on')
    .orderBy('recorded_at')
    .execute();
  // Oldest first, so the last one written for each referral is its latest.
  const latest = new Map(decisions.map((d) => [d.referral_id, { id: d.id, outcome: d.outcome, decided_on: d.decided_on }]));
  return referrals.map((r) => ({ ...r, decision: latest.get(r.id) ?? null }));
}

// ---------------------------------------------------------------------------------------------
// The triage queue

/**
 * One page of the triage queue, oldest first, with the count of referrals in each status (the
 * filter's total comes from those counts). The open statuses are written into the SQL as
 * literals so the planner can use the partial index referrals_queue_open (migrations/0014);
 * "all" reads referrals_received, one status referrals_status.
 */
export async function listQueue(db: Db, filter: QueueFilter, requestedPage = 1) {
  const counts = await statusCounts(db);
  const statuses = queueStatuses(filter);
  const total = statuses ? statuses.reduce((n, s) => n + (counts.get(s) ?? 0), 0) : [...counts.values()].reduce((n, c) => n + c, 0);
  const page = queuePage(requestedPage, total);
  const rows = total === 0 ? [] : await queueQuery(db, statuses, page).execute();
  return { rows: rows.map((r) => ({ ...r, child: JSON.parse(r.child_details) as Partial<ChildDetails> })), counts, total, ...page };
}

/**
 * The query for one page of the queue (exported so a test can ask the planner which index it
 * uses). The page's ids are found first, from the index alone (it includes id), and only those
 * 50 rows are read and joined: a deep page skips index entries, not rows and joins.
 */
export function queueQuery(db: Db, statuses: readonly ReferralStatus[] | null, page: { limit: number; offset: number }) {
  let ids = db.selectFrom('referrals as p').select('p.id').orderBy('p.received_at').orderBy('p.reference').limit(page.limit).offset(page.offset);
  if (statuses) ids = ids.where(sql<boolean>`p.status in (${sql.join(statuses.map((s) => sql.lit(s)))})`);
  return db
    .selectFrom('referrals as r')
    .innerJoin(ids.as('page'), 'page.id', 'r.id')
    .leftJoin('organisations as o', 'o.id', 'r.referrer_organisation_id')
    .select([
      'r.id',
      'r.reference',
      'r.route',
      'r.status',
      'r.child_id',
      'r.child_details',
      'r.received_on',
      'r.received_at',
      'r.referrer_name',
      'o.name as organisation_name',
    ])
    .orderBy('r.received_at')
    .orderBy('r.reference');
}

/** How many referrals there are in each status (an index-only scan of referrals_status). */
export async function statusCounts(db: Db) {
  const rows = await db
    .selectFrom('referrals')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

export async function getReferral(db: Db, id: string | undefined) {
  if (!id || !UUID.test(id)) throw new NotFoundError('referral');
  const r = await db
    .selectFrom('referrals as r')
    .leftJoin('organisations as o', 'o.id', 'r.referrer_organisation_id')
    .leftJoin('users as t', 't.id', 'r.triaged_by')
    .selectAll('r')
    .select(['o.name as organisation_name', 't.display_name as triaged_by_name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) throw new NotFoundError('referral');
  return { ...r, child: JSON.parse(r.child_details) as Partial<ChildDetails> };
}
export type ReferralRow = Awaited<ReturnType<typeof getReferral>>;

export const listEvents = (db: Db, referralId: string) =>
  db
    .selectFrom('referral_events as e')
    .leftJoin('users as u', 'u.id', 'e.by_user_id')
    .select(['e.id', 'e.kind', 'e.note', 'e.at', 'e.notification_id', 'u.display_name'])
    .where('e.referral_id', '=', referralId)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();

/**
 * The panel's decision on a referral waiting for it: 'decided', or still 'to-panel' when deferred,
 * with its event. False when the referral was no longer waiting (another decision got there first).
 */
export async function recordPanelOutcome(db: Db, referralId: string, p: { deferred: boolean; note: string; byUserId: string }): Promise<boolean> {
  const moved = await db
    .updateTable('referrals')
    .set({ status: p.deferred ? 'to-panel' : 'decided', version: sql`version + 1` })
    .where('id', '=', referralId)
    .where('status', '=', 'to-panel')
    .returning('id')
    .executeTakeFirst();
  if (!moved) return false;
  await db
    .insertInto('referral_events')
    .values({ referral_id: referralId, kind: p.deferred ? 'panel-deferred' : 'panel-decided', note: p.note, by_user_id: p.byUserId })
    .execute();
  return true;
}

/** Records on the referral that the panel's outcome sheet went out, and to how many people. */
export async function recordOutcomeSheetIssued(db: Db, referralId: string, recipients: number, byUserId: string) {
  await db
    .insertInto('referral_events')
    .values({
      referral_id: referralId,
      kind: 'outcome-sheet-issued',
      note: `Sent to ${recipients} ${recipients === 1 ? 'recipient' : 'recipients'}`,
      by_user_id: byUserId,
    })
    .execute();
}

/** Bumps the version of a referral opened at `version`, or refuses a stale form. */
async function bump(db: Db, id: string, version: number, set: Record<string, unknown>) {
  const res = await db
    .updateTable('referrals')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new StaleVersionError();
}

/** Attaches an unattached referral still in triage to a child's record (the route has checked the person may see the child). */
export async function attachChild(db: Db, user: CurrentUser, referralId: string, childId: string, version: number) {
  const r = await getReferral(db, referralId);
  if (r.version !== version) throw new StaleVersionError();
  const problem = attachProblem(r.status, r.child_id !== null);
  if (problem) throw new ValidationError([{ text: problem, href: '#main-content' }]);
  await bump(db, referralId, version, { child_id: childId });
  await addEvent(db, referralId, 'attached', 'Attached to the child’s record', user.id);
}

/**
 * A triage decision with its reason: the status changes (refused if someone else changed the
 * referral since the page was opened), and the referrer, and the family for a partner's
 * referral shared with their agreement, are told the outcome and the reason.
 */
export async function triage(db: Db, notifier: Notifier, user: CurrentUser, referralId: string, input: TriageInput, now = new Date()) {
  const r = await getReferral(db, referralId);
  if (r.version !== input.version) throw new StaleVersionError();
  const problem = triageProblem(r.status, input.decision, r.child_id !== null);
  if (problem) throw new ValidationError([{ text: problem, href: '#decision' }]);
  const d = TRIAGE_DECISIONS[input.decision];
  await bump(db, referralId, input.version, { status: d.status, triage_reason: input.reason, triaged_by: user.id, triaged_at: now });
  await addEvent(db, referralId, d.event, input.reason, user.id);
  const words = outcomeWords(r.reference, input.decision, input.reason);
  const contacts: Contact[] = [];
  const referrer = referrerContact(r);
  if (referrer) contacts.push(referrer);
  if (r.route === 'partner' && r.sharing_basis === 'consent' && r.child_id) {
    const family = await familyContact(db, r.child_id);
    if (family) contacts.push(family);
  }
  for (const c of contacts) await notify(db, notifier, referralId, c, words, 'notified', user.id);
  return { status: d.status, notified: contacts.length };
}

/** The organisations that decide together what is done with a family's information: the area's councils and NHS commissioners. */
export const controllers = (db: Db) =>
  db
    .selectFrom('organisations')
    .select('name')
    .where('type', 'in', ['council-education', 'council-social-care', 'nhs-commissioner'])
    .orderBy('name')
    .execute()
    .then((rows) => rows.map((r) => r.name));
