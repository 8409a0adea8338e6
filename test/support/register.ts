// Children on the register for tests, written straight to the database: a child with a family,
// a parent or carer, involvements of named demo organisations, and a consent with the scopes
// asked for (or none), so each capability's tests can set up exactly the sharing they need.
//
//   const { childId } = await createChild(db, { familyName: 'Testfamily', involvedOrgCodes: ['DEMO-EDU'],
//     consentScopes: [{ organisationType: 'council-education', section: 'core' }] });
//
// Defaults: one involvement of DEMO-EDU (started a year ago), and a consent from the parent with
// every section for the types of the involved organisations (full sharing for the involved).
import type { Db } from '../../src/platform/db/database.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { SECTION_KEYS } from '../../src/capabilities/record/sharing/rules.js';
import { nhsCheckDigit, searchNames, upnCheckLetter } from '../../src/capabilities/record/children/rules.js';
import { lookupLocality } from '../../src/capabilities/record/children/service.js';
import { addDays } from './dates.js';
import { hashPassword } from '../../src/capabilities/administration/sign-in/passwords.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import type { Role } from '../../src/platform/access/roles.js';

export interface InvolvementOption {
  orgCode: string;
  service?: string;
  startedOn?: string;
  endedOn?: string | null;
  practitionerEmail?: string;
}

export interface FamilyMemberOption {
  fullName?: string;
  relationship?: string;
  parentalResponsibility?: boolean;
  phone?: string | null;
  email?: string | null;
  preferredContact?: 'email' | 'sms' | 'phone' | 'letter' | null;
  language?: string | null;
  consentsToEmail?: boolean;
  consentsToSms?: boolean;
}

export interface CreateChildOptions {
  givenName?: string;
  familyName?: string;
  preferredName?: string | null;
  otherNames?: string | null;
  dateOfBirth?: string;
  sex?: 'M' | 'F' | 'U';
  ethnicity?: string;
  addressLine1?: string | null;
  town?: string | null;
  /** Also sets the locality from the configured postcode prefixes (the demo has DM1 … DM7). */
  postcode?: string | null;
  nhsNumber?: string | null;
  upn?: string | null;
  councilId?: string | null;
  primaryNeed?: string | null;
  secondaryNeeds?: string[];
  hasEhcPlan?: boolean;
  severity?: 'moderate' | 'severe' | 'profound' | null;
  communicationNeeds?: string | null;
  joinedOn?: string;
  status?: 'active' | 'moved-away' | 'over-25' | 'died' | 'left';
  statusOn?: string | null;
  actsForSelf?: boolean;
  /** The key worker, by e-mail (e.g. keyworker@demoshire.example.org). */
  keyWorkerEmail?: string;
  /** Join an existing family (a sibling). No family member is added unless `familyMember` is given. */
  familyId?: string;
  /** The first parent or carer; `false` for none. */
  familyMember?: FamilyMemberOption | false;
  /** Organisations involved now, by demo code. Default ['DEMO-EDU']. Ignored when `involvements` is given. */
  involvedOrgCodes?: string[];
  /** Involvements in full (dates, ended ones, named practitioner). */
  involvements?: InvolvementOption[];
  /**
   * The consent's scopes: a list of (organisation type, section); 'all' (default) for every
   * section for each involved organisation's type; 'none' for no consent at all.
   */
  consentScopes?: { organisationType: string; section: string }[] | 'all' | 'none';
  /** Record the consent as withdrawn. */
  withdrawn?: boolean;
  consentGivenBy?: 'parent' | 'young-person' | 'decision-maker';
  /** Codes of disability criteria met (the demo has DEVELOPMENT, CONDITION, …), assessed by the first involved organisation. */
  criteria?: string[];
}

export interface CreatedChild {
  childId: string;
  familyId: string;
  familyMemberId: string | null;
  /** Involvement ids by organisation code. */
  involvementIds: Record<string, string>;
  consentId: string | null;
}

export async function orgByCode(db: Db, code: string) {
  return db.selectFrom('organisations').select(['id', 'type', 'name']).where('code', '=', code).executeTakeFirstOrThrow();
}
export async function userIdByEmail(db: Db, email: string) {
  return (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

/** The i-th valid NHS number in the 999 test range (999 000 000x …): distinct for distinct i. */
export function fakeNhsNumber(i: number): string {
  let found = -1;
  for (let n = 999_000_000; ; n++) {
    const nine = String(n);
    const check = nhsCheckDigit(nine);
    if (check === null) continue;
    if (++found === i) return `${nine}${check}`;
  }
}

/** A valid permanent UPN, distinct for distinct i (below a billion). */
export function fakeUpn(i: number): string {
  const body = `999${String(i).padStart(9, '0')}`;
  return `${upnCheckLetter(body)}${body}`;
}

export async function createChild(db: Db, opts: CreateChildOptions = {}): Promise<CreatedChild> {
  const today = todayInLondon();
  const givenName = opts.givenName ?? 'Alex';
  const familyName = opts.familyName ?? 'Testfamily';
  const dateOfBirth = opts.dateOfBirth ?? addDays(today, -8 * 365);
  const involvements: InvolvementOption[] = opts.involvements ?? (opts.involvedOrgCodes ?? ['DEMO-EDU']).map((orgCode) => ({ orgCode }));
  const orgs = new Map<string, { id: string; type: string; name: string }>();
  for (const inv of involvements) orgs.set(inv.orgCode, await orgByCode(db, inv.orgCode));
  const postcode = opts.postcode === undefined ? 'DM1 4AB' : opts.postcode;
  const locality = await lookupLocality(db, postcode);

  const familyId = opts.familyId ?? (await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow()).id;
  const child = await db
    .insertInto('children')
    .values({
      family_id: familyId,
      given_name: givenName,
      family_name: familyName,
      preferred_name: opts.preferredName ?? null,
      other_names: opts.otherNames ?? null,
      date_of_birth: dateOfBirth,
      sex: opts.sex ?? 'U',
      ethnicity: opts.ethnicity ?? 'NOBT',
      address_line1: opts.addressLine1 ?? null,
      town: opts.town ?? null,
      postcode,
      locality_id: locality?.id ?? null,
      nhs_number: opts.nhsNumber ?? null,
      upn: opts.upn ?? null,
      council_id: opts.councilId ?? null,
      primary_need: opts.primaryNeed === undefined ? 'ASD' : opts.primaryNeed,
      secondary_needs: opts.secondaryNeeds ?? [],
      has_ehc_plan: opts.hasEhcPlan ?? false,
      severity: opts.severity ?? null,
      communication_needs: opts.communicationNeeds ?? null,
      joined_on: opts.joinedOn ?? (dateOfBirth > addDays(today, -365) ? dateOfBirth : addDays(today, -365)),
      status: opts.status ?? 'active',
      status_on: opts.statusOn ?? null,
      acts_for_self: opts.actsForSelf ?? false,
      search_names: searchNames(givenName, familyName, opts.preferredName, opts.otherNames),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (opts.keyWorkerEmail)
    await db
      .insertInto('key_workers')
      .values({ child_id: child.id, user_id: await userIdByEmail(db, opts.keyWorkerEmail) })
      .execute();

  let familyMemberId: string | null = null;
  const addMember = opts.familyMember === undefined ? opts.familyId === undefined : opts.familyMember !== false;
  if (addMember) {
    const m = opts.familyMember || {};
    familyMemberId = (
      await db
        .insertInto('family_members')
        .values({
          family_id: familyId,
          full_name: m.fullName ?? `Pat ${familyName}`,
          relationship: m.relationship ?? 'mother',
          parental_responsibility: m.parentalResponsibility ?? true,
          phone: m.phone ?? null,
          email: m.email ?? null,
          preferred_contact: m.preferredContact ?? null,
          language: m.language ?? null,
          consents_to_email: m.consentsToEmail ?? false,
          consents_to_sms: m.consentsToSms ?? false,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  const involvementIds: Record<string, string> = {};
  for (const inv of involvements) {
    const row = await db
      .insertInto('involvements')
      .values({
        child_id: child.id,
        organisation_id: orgs.get(inv.orgCode)!.id,
        service: inv.service ?? 'Test service',
        started_on: inv.startedOn ?? addDays(today, -365),
        ended_on: inv.endedOn ?? null,
        practitioner_user_id: inv.practitionerEmail ? await userIdByEmail(db, inv.practitionerEmail) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    involvementIds[inv.orgCode] = row.id;
  }

  let consentId: string | null = null;
  const scopesOpt = opts.consentScopes ?? 'all';
  if (scopesOpt !== 'none') {
    const scopes =
      scopesOpt === 'all'
        ? [...new Set([...orgs.values()].map((o) => o.type))].flatMap((organisationType) => SECTION_KEYS.map((section) => ({ organisationType, section })))
        : scopesOpt;
    const givenBy = opts.consentGivenBy ?? (familyMemberId ? 'parent' : 'young-person');
    consentId = (
      await db
        .insertInto('consents')
        .values({
          child_id: child.id,
          given_by: givenBy,
          given_by_member_id: givenBy === 'parent' ? familyMemberId : null,
          capacity_note: givenBy === 'decision-maker' ? 'Test: decided by the appointed deputy' : null,
          given_on: addDays(today, -365),
          method: 'written',
          withdrawn_at: opts.withdrawn ? new Date() : null,
          withdrawn_reason: opts.withdrawn ? 'Test: withdrawn' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const unique = [...new Map(scopes.map((s) => [`${s.organisationType}:${s.section}`, s])).values()];
    if (unique.length) {
      await db
        .insertInto('consent_scopes')
        .values(unique.map((s) => ({ consent_id: consentId!, organisation_type: s.organisationType, section: s.section })))
        .execute();
    }
  }

  if (opts.criteria?.length) {
    const first = [...orgs.values()][0] ?? null;
    const rows = await db.selectFrom('disability_criteria').select(['id', 'code']).where('code', 'in', opts.criteria).execute();
    if (rows.length !== opts.criteria.length) throw new Error(`Unknown criteria in ${opts.criteria.join(', ')}`);
    await db
      .insertInto('child_criteria')
      .values(rows.map((r) => ({ child_id: child.id, criterion_id: r.id, assessed_by_organisation_id: first?.id ?? null, assessed_on: addDays(today, -30) })))
      .execute();
  }

  return { childId: child.id, familyId, familyMemberId, involvementIds, consentId };
}

/** A second member of staff in an organisation (the demo has one caseworker per organisation), password DEMO_PASSWORD. */
export async function addStaff(db: Db, opts: { email: string; displayName: string; orgCode: string; roles: Role[] }): Promise<string> {
  const org = await orgByCode(db, opts.orgCode);
  const user = await db
    .insertInto('users')
    .values({ organisation_id: org.id, display_name: opts.displayName, email: opts.email, password_hash: await hashPassword(DEMO_PASSWORD) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('user_roles')
    .values(opts.roles.map((role) => ({ user_id: user.id, role })))
    .execute();
  return user.id;
}
