// Panel decisions (issue 6 points 5 and 6): a decision on a case on a meeting's agenda, checked
// for quorum, delegated authority and a split adding to 100% before anything is written; an
// approval sets up a package, or changes one of the child's current packages, through the budgets
// service, so its commitment (or only the difference, for a change) posts with a link back to the
// decision. Everything here runs in the caller's transaction (the route's).
import { openDisputeOnPackage } from '../disputes/index.js';
import { sql, type Expression } from 'kysely';
import { recordPanelOutcome } from '../referrals/index.js';
import type { Db } from '../../../platform/db/database.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import type { CurrentUser } from '../../../platform/auth/current-user.js';
import {
  LedgerError,
  changePackage,
  createPackage,
  getPackage,
  packagesOfChild,
  type PackageInput,
  validateSplit,
  type Split,
} from '../../money/budgets/index.js';
import { isUuid } from '../../../platform/ids.js';
import { presentMembers, authorityProblems, largestYearlyCostByPartner, payingPartners, type PresentMember } from '../panels/index.js';
import { daysLate, isApproval, quorumProblems, sheetDueOn, templateProblems, type Outcome, type TemplateSegment } from './rules.js';

interface Actor {
  id: string;
}

// Reading a case ------------------------------------------------------------------------------------

/** A case on an agenda with its meeting, panel and referral. */
export async function getCase(db: Db, caseId: string | undefined) {
  if (!isUuid(caseId)) throw new NotFoundError('case');
  const row = await db
    .selectFrom('panel_cases as c')
    .innerJoin('panel_meetings as m', 'm.id', 'c.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .innerJoin('referrals as r', 'r.id', 'c.referral_id')
    .select([
      'c.id as case_id',
      'c.summary',
      'm.id as meeting_id',
      'm.meets_on',
      'm.status as meeting_status',
      'p.id as panel_id',
      'p.name as panel_name',
      'p.administrator_id',
      'p.quorum_members',
      'p.joint_funding_agencies',
      'r.id as referral_id',
      'r.reference as referral_reference',
      'r.status as referral_status',
      'r.child_id',
      'r.help_needed',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('case');
  return row;
}

/** Only the panel's administrator records decisions (checked against the panel, not the role). */
export function requireAdministrator(user: CurrentUser | null, panel: { administrator_id: string | null }) {
  if (!user || panel.administrator_id !== user.id) throw new ForbiddenError('Only the panel’s administrator records its decisions');
}

/** Who was present at a meeting (the panels capability's record of attendance), as the rules read it. */
export async function presentAtMeeting(db: Db, meetingId: string): Promise<PresentMember[]> {
  return (await presentMembers(db, meetingId)).map((m) => ({
    userId: m.userId,
    name: m.displayName,
    organisationType: m.organisationType,
    partnerId: m.partnerId,
    authorityPence: m.authorityPence,
    interests: m.interests,
  }));
}

export async function partnerNames(db: Db) {
  const rows = await db.selectFrom('budget_partners').select(['id', 'short_name', 'organisation_id']).orderBy('short_name').execute();
  const byId = new Map(rows.map((p) => [p.id, p.short_name]));
  return { list: rows, name: (id: string) => byId.get(id) ?? 'Unknown partner' };
}

// Recording a decision ------------------------------------------------------------------------------

/**
 * For approvals: a new package and the pooling agreement it is paid from, or new terms for one of
 * the child's current packages (as of `version`, the one the form was filled from). A changed
 * package stays in its own pooling agreement.
 */
export type PackagePlan =
  { kind: 'new'; agreementId: string; terms: PackageInput } | { kind: 'change'; packageId: string; version: number; terms: PackageInput };

export interface DecisionInput {
  outcome: Outcome;
  reasons: string;
  package?: PackagePlan;
}

const hasEnded = (p: { ends_on: string | null }, today: string) => p.ends_on !== null && p.ends_on < today;

/** The child's packages a decision may change: those that have not ended. */
export async function changeablePackages(db: Db, childId: string | null, today: string) {
  return childId ? (await packagesOfChild(db, childId)).filter((p) => !hasEnded(p, today)) : [];
}

/**
 * A package a decision on this child's case may change. Never trusts the id it is given: another
 * child's package (or no such package) is not found, exactly as if it did not exist.
 */
export async function packageOfChild(db: Db, childId: string | null, packageId: string | undefined) {
  const pkg = await getPackage(db, packageId);
  if (!childId || pkg.child_id !== childId) throw new NotFoundError('package');
  return pkg;
}

const atAttendance = (texts: string[]): FieldError[] => texts.map((text) => ({ text, href: '#attendance' }));

/** Everything that stops the decision being recorded, or nothing. Reads only. */
export async function decisionProblems(db: Db, c: Awaited<ReturnType<typeof getCase>>, input: DecisionInput, today: string): Promise<FieldError[]> {
  if (c.meeting_status !== 'published' && c.meeting_status !== 'held') {
    const why = c.meeting_status === 'cancelled' ? 'the meeting was cancelled' : 'the meeting’s agenda has not been published yet';
    return [{ text: `A decision cannot be recorded: ${why}`, href: '#outcome' }];
  }
  // The panel decides when it meets, not before.
  if (today < c.meets_on)
    return [{ text: `A decision cannot be recorded before the meeting on ${c.meets_on.split('-').reverse().join('/')}`, href: '#outcome' }];
  const existing = await db.selectFrom('panel_decisions').select('id').where('case_id', '=', c.case_id).executeTakeFirst();
  if (existing) return [{ text: 'A decision has already been recorded for this case', href: '#outcome' }];
  if (c.referral_status !== 'to-panel')
    return [{ text: 'This referral is no longer waiting for the panel, so no decision can be recorded on it', href: '#outcome' }];

  const present = await presentAtMeeting(db, c.meeting_id);
  const split: Split = input.package?.terms.split ?? [];
  const errors: FieldError[] = [];
  if (present.length === 0)
    errors.push({ text: 'Record who was at the meeting before recording a decision: no attendance has been recorded', href: '#attendance' });
  else
    errors.push(
      ...atAttendance(
        quorumProblems({ quorumMembers: c.quorum_members, jointFundingAgencies: parseAgencies(c.joint_funding_agencies) }, present, payingPartners(split)),
      ),
    );
  if (input.package?.kind === 'change') {
    const pkg = await packageOfChild(db, c.child_id, input.package.packageId);
    if (hasEnded(pkg, today))
      errors.push({
        text: `${pkg.reference} ended on ${pkg.ends_on!.split('-').reverse().join('/')}, so it cannot be changed: set up a new package instead`,
        href: '#packageChoice',
      });
    // While a partner disputes its share the package stands as decided (capabilities/disputes): settle that first.
    const disputed = await openDisputeOnPackage(db, pkg.id);
    if (disputed)
      errors.push({
        text: `${disputed.partnerName} disputes its share of ${pkg.reference}: the dispute must be resolved or withdrawn before a decision changes the package`,
        href: '#packageChoice',
      });
  }
  if (input.package) {
    const t = input.package.terms;
    const splitErrors = validateSplit(split, { from: t.startsOn, to: t.endsOn });
    if (splitErrors.length) {
      errors.push(...splitErrors.map((p) => ({ text: p.message, href: p.segment > 0 ? `#split-${p.segment}` : '#split-1' })));
    } else if (present.length) {
      const names = await partnerNames(db);
      const costs = largestYearlyCostByPartner(
        { unitCostPence: t.unitCostPence, unitsX100: t.unitsX100, frequency: t.frequency, startsOn: t.startsOn, endsOn: t.endsOn },
        split,
      );
      errors.push(...atAttendance(authorityProblems(costs, present, names.name)));
    }
  }
  return errors;
}

const parseAgencies = (json: string): string[] => {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

/**
 * Records the decision: checks first (nothing is written if any fails), then the decision, the
 * package and its commitment (approvals), the referral's status and its event.
 */
export async function recordDecision(db: Db, caseId: string, input: DecisionInput, by: Actor, today: string) {
  // Two decisions on one case at once: the second waits here for the first to commit, then reads
  // it below and is refused in plain words (not a unique-key failure on the insert).
  if (isUuid(caseId)) await db.selectFrom('panel_cases').select('id').where('id', '=', caseId).forNoKeyUpdate().execute();
  const c = await getCase(db, caseId);
  if (isApproval(input.outcome) !== !!input.package) throw new Error('An approval needs a package, and only an approval has one');
  const problems = await decisionProblems(db, c, input, today);
  if (problems.length) throw new ValidationError(problems);
  if (!c.child_id)
    throw new ValidationError([
      { text: 'The referral is not attached to a child’s record yet: triage must attach it before the panel decides', href: '#outcome' },
    ]);

  const decision = await db
    .insertInto('panel_decisions')
    .values({
      case_id: c.case_id,
      referral_id: c.referral_id,
      meeting_id: c.meeting_id,
      outcome: input.outcome,
      reasons: input.reasons,
      decided_on: today,
      sheet_due_on: sheetDueOn(today),
      recorded_by: by.id,
    })
    .returning(['id', 'sheet_due_on'])
    .executeTakeFirstOrThrow();
  let packageRef: { id: string; reference: string; transactionId: number | null; changed: boolean } | null = null;
  // A closed accounting period, say: the route's transaction is undone, decision and all.
  const notPosted = (e: unknown) => {
    if (e instanceof LedgerError)
      throw new ValidationError([
        { text: `The decision was not recorded, because the package’s commitment could not be posted to the budgets: ${e.message}`, href: '#outcome' },
      ]);
    throw e;
  };
  const plan = input.package;
  if (plan?.kind === 'new') {
    const made = await createPackage(db, { ...plan.terms, agreementId: plan.agreementId, childId: c.child_id, decisionId: decision.id }, by, today).catch(
      notPosted,
    );
    packageRef = { id: made.id, reference: made.reference, transactionId: made.posted?.transactionId ?? null, changed: false };
  } else if (plan?.kind === 'change') {
    // Checked against the child in decisionProblems; a version changed since the form was filled
    // is refused by changePackage (StaleVersionError), undoing the decision with it.
    const pkg = await packageOfChild(db, c.child_id, plan.packageId);
    const posted = await changePackage(db, pkg.id, plan.version, { ...plan.terms, decisionId: decision.id }, by, today).catch(notPosted);
    packageRef = { id: pkg.id, reference: pkg.reference, transactionId: posted?.transactionId ?? null, changed: true };
  }
  if (packageRef) await db.updateTable('panel_decisions').set({ package_id: packageRef.id }).where('id', '=', decision.id).execute();
  const deferred = input.outcome === 'defer';
  const moved = await recordPanelOutcome(db, c.referral_id, { deferred, note: `${c.panel_name} on ${c.meets_on}: ${input.outcome}`, byUserId: by.id });
  // Another decision got there first (two administrators at once): the whole transaction is undone.
  if (!moved) throw new ValidationError([{ text: 'This referral is no longer waiting for the panel, so no decision can be recorded on it', href: '#outcome' }]);
  return { decisionId: decision.id, sheetDueOn: decision.sheet_due_on, package: packageRef, childId: c.child_id, referralId: c.referral_id };
}

// Reading a decision ----------------------------------------------------------------------------------

export async function getDecision(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('decision');
  const row = await db
    .selectFrom('panel_decisions as d')
    .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .leftJoin('outcome_sheets as s', 's.decision_id', 'd.id')
    .leftJoin('users as rb', 'rb.id', 'd.recorded_by')
    .select([
      'd.id',
      'd.case_id',
      'd.outcome',
      'd.reasons',
      'd.package_id',
      'd.decided_on',
      'd.sheet_due_on',
      'd.recorded_at',
      'rb.display_name as recorded_by_name',
      'm.id as meeting_id',
      'm.meets_on',
      'p.id as panel_id',
      'p.name as panel_name',
      'p.administrator_id',
      'r.id as referral_id',
      'r.reference as referral_reference',
      'r.route',
      'r.child_id',
      'r.child_details',
      'r.referrer_user_id',
      'r.referrer_name',
      'r.referrer_email',
      'r.referrer_phone',
      'r.contact_method',
      'r.help_needed',
      's.id as sheet_id',
      's.issued_on',
      's.issued_at',
      's.recipients',
      's.sha256',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('decision');
  return row;
}
export type Decision = Awaited<ReturnType<typeof getDecision>>;

/**
 * Who may read a decision and its outcome sheet: the panel's administrator and active members, the
 * person who made the referral, and triage (who see every referral). Checked against the data.
 */
export async function requireDecisionReader(db: Db, user: CurrentUser | null, d: Decision) {
  if (!user) throw new ForbiddenError('Sign in to read this');
  if (d.administrator_id === user.id || d.referrer_user_id === user.id || user.permissions.has('referrals:triage')) return;
  const member = await db
    .selectFrom('panel_members')
    .select('id')
    .where('panel_id', '=', d.panel_id)
    .where('user_id', '=', user.id)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!member) throw new ForbiddenError('Only the panel, the referrer and triage may read this decision');
}

/** One of a child's referrals as childReferralsSql() answers it (dates as 'YYYY-MM-DD'). */
export interface ChildReferralJson {
  id: string;
  reference: string;
  received_on: string;
  status: string;
  /** Its latest panel decision, and whether the person may read it (requireDecisionReader's rule). */
  decision: { id: string; outcome: Outcome; decided_on: string; readable: boolean } | null;
}

/**
 * The referrals of the child whose id is `childId` (a column or a value), newest first, each with
 * its latest panel decision, as one JSON list (ChildReferralJson), for a page that reads the child
 * in one query (the record page). `readable` is requireDecisionReader()'s rule in SQL: the panel's
 * administrator, the referrer, anyone who triages referrals, or an active member of the panel.
 */
export function childReferralsSql(childId: Expression<string>, user: Pick<CurrentUser, 'id' | 'permissions'>) {
  const triage = user.permissions.has('referrals:triage');
  return sql<ChildReferralJson[]>`coalesce((
    select json_agg(json_build_object('id', r.id, 'reference', r.reference, 'received_on', r.received_on, 'status', r.status, 'decision', d.decision)
                    order by r.received_at desc, r.reference desc)
    from referrals r
    left join lateral (
      select json_build_object('id', pd.id, 'outcome', pd.outcome, 'decided_on', pd.decided_on,
               'readable', (${sql.lit(triage)} or p.administrator_id = ${user.id} or r.referrer_user_id = ${user.id}
                 or exists (select 1 from panel_members pm where pm.panel_id = p.id and pm.user_id = ${user.id} and pm.active)) is true) as decision
      from panel_decisions pd
      join panel_meetings m on m.id = pd.meeting_id
      join panels p on p.id = m.panel_id
      where pd.referral_id = r.id
      order by pd.decided_on desc, pd.recorded_at desc
      limit 1) d on true
    where r.child_id = ${childId}), '[]'::json)`;
}

/**
 * The package a decision set up or changed, with its terms and split as the decision recorded
 * them (the version it wrote, not any later one). `changed`: the decision changed a package that
 * was already in place (its version is not the first).
 */
export async function decisionPackage(db: Db, decisionId: string) {
  const change = await db
    .selectFrom('package_changes as c')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .innerJoin('service_categories as sc', 'sc.code', 'c.service_category')
    .innerJoin('pooling_agreements as a', 'a.id', 'k.agreement_id')
    .leftJoin('organisations as o', 'o.id', 'c.provider_id')
    .select([
      'c.id as change_id',
      'c.version',
      'k.id as package_id',
      'k.reference',
      'c.service',
      'sc.name as category_name',
      'o.name as provider_name',
      'c.unit_cost_pence',
      'c.units_x100',
      'c.frequency',
      'c.starts_on',
      'c.ends_on',
      'c.review_on',
      'a.name as agreement_name',
    ])
    .where('c.decision_id', '=', decisionId)
    .orderBy('c.version')
    .executeTakeFirst();
  if (!change) return null;
  const rows = await db
    .selectFrom('package_split_shares')
    .selectAll()
    .where('package_change_id', '=', change.change_id)
    .orderBy('segment')
    .orderBy('partner_id')
    .execute();
  const split: Split = [];
  for (const r of rows) {
    let seg = split[r.segment - 1];
    if (!seg) split[r.segment - 1] = seg = { from: r.from_on, to: r.to_on, shares: [] };
    seg.shares.push({ partnerId: r.partner_id, bp: r.share_bp });
  }
  return { ...change, changed: change.version > 1, split };
}

// Late outcome sheets ------------------------------------------------------------------------------

/** Decisions whose sheet is not issued and was due on or before `today`; `administratorId` limits to their panels. */
export async function lateSheets(db: Db, today: string, administratorId?: string) {
  let q = db
    .selectFrom('panel_decisions as d')
    .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
    .innerJoin('panels as p', 'p.id', 'm.panel_id')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .leftJoin('outcome_sheets as s', 's.decision_id', 'd.id')
    .select(['d.id', 'd.outcome', 'd.decided_on', 'd.sheet_due_on', 'p.name as panel_name', 'r.reference as referral_reference'])
    .where('s.id', 'is', null)
    .where('d.sheet_due_on', '<=', today);
  if (administratorId) q = q.where('p.administrator_id', '=', administratorId);
  const rows = await q.orderBy('d.sheet_due_on').orderBy('r.reference').execute();
  return rows.map((r) => ({ ...r, daysLate: daysLate(r.sheet_due_on, today) }));
}

// Split templates ---------------------------------------------------------------------------------

export interface SplitTemplate {
  id: string;
  name: string;
  description: string;
  segments: TemplateSegment[];
  active: boolean;
}

const toTemplate = (r: { id: string; name: string; description: string; segments: string; active: boolean }): SplitTemplate => ({
  ...r,
  segments: JSON.parse(r.segments) as TemplateSegment[],
});

export async function listTemplates(db: Db, opts: { activeOnly?: boolean } = {}) {
  let q = db.selectFrom('split_templates').select(['id', 'name', 'description', 'segments', 'active']);
  if (opts.activeOnly) q = q.where('active', '=', true);
  return (await q.orderBy('active', 'desc').orderBy('name').execute()).map(toTemplate);
}

export async function getTemplate(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('template');
  const row = await db.selectFrom('split_templates').select(['id', 'name', 'description', 'segments', 'active']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('template');
  return toTemplate(row);
}

export async function addTemplate(db: Db, t: { name: string; description: string; segments: TemplateSegment[] }) {
  const problems = templateProblems(t.segments);
  if (problems.length) throw new ValidationError(problems.map((text) => ({ text, href: `#part-${/^Part (\d)/.exec(text)?.[1] ?? '1'}` })));
  const taken = await db
    .selectFrom('split_templates')
    .select('id')
    .where(sql<boolean>`lower(name) = lower(${t.name})`)
    .executeTakeFirst();
  if (taken) throw new ValidationError([{ text: `There is already a template called ${t.name}: choose another name`, href: '#name' }]);
  return db
    .insertInto('split_templates')
    .values({ name: t.name, description: t.description, segments: JSON.stringify(t.segments) })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function deactivateTemplate(db: Db, id: string) {
  const t = await getTemplate(db, id);
  await db.updateTable('split_templates').set({ active: false }).where('id', '=', t.id).execute();
  return t;
}
