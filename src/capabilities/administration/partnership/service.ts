// Managing the partnership: organisations and the people who work in them. Leavers are
// deactivated, never deleted, and their sessions end at once.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { endAllSessionsOf } from '../../../platform/auth/sessions.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { ROLES, type Role } from '../../../platform/access/roles.js';
import { changeAccount, createAccount, issueInvitation, type AccountChange } from '../sign-in/service.js';
import { paths } from '../../../paths.js';
import { organisationWorksWithChildren } from '../../record/involvements/service.js';

export const listOrganisations = (db: Db) =>
  db
    .selectFrom('organisations as o')
    .select([
      'o.id',
      'o.code',
      'o.name',
      'o.type',
      'o.active',
      'o.version',
      sql<number>`(select count(*) from users u where u.organisation_id = o.id and u.active)`.as('people'),
    ])
    .orderBy('o.name')
    .execute();

export async function getOrganisation(db: Db, id: string) {
  const org = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!org) throw new NotFoundError('organisation');
  return org;
}

export async function createOrganisation(db: Db, input: { name: string; code: string; type: string }) {
  const clash = await db.selectFrom('organisations').select('id').where('code', '=', input.code).executeTakeFirst();
  if (clash) throw new ValidationError([{ text: `Another organisation already uses the code ${input.code}. Choose a different code`, href: '#code' }]);
  return db.insertInto('organisations').values(input).returning(['id']).executeTakeFirstOrThrow();
}

export async function updateOrganisation(db: Db, id: string, input: { name: string; type: string; active: boolean; version: number }) {
  // Consent is given by type of organisation: a new type would change whose records its staff see.
  const current = await getOrganisation(db, id);
  if (current.type !== input.type && (await organisationWorksWithChildren(db, id))) {
    throw new ValidationError([
      {
        text: 'You cannot change the type of an organisation that works with children: families consent to share by type of organisation, so its staff would see different records. Add a new organisation of the right type instead',
        href: '#type',
      },
    ]);
  }
  const res = await db
    .updateTable('organisations')
    .set({ name: input.name, type: input.type, active: input.active, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', input.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    await getOrganisation(db, id);
    throw new StaleVersionError();
  }
}

export const listUsers = (db: Db) =>
  db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.display_name',
      'u.email',
      'u.active',
      'o.name as organisation_name',
      sql<string>`(select coalesce(string_agg(r.role, ',' order by r.role), '') from user_roles r where r.user_id = u.id)`.as('roles'),
    ])
    .orderBy('u.active', 'desc')
    .orderBy('u.display_name')
    .execute();

export async function getUser(db: Db, id: string) {
  const user = await db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.display_name',
      'u.email',
      'u.active',
      'u.deactivated_at',
      'u.version',
      'u.password_hash',
      'u.totp_enabled_at',
      'u.locked_until',
      'u.created_at',
      'o.name as organisation_name',
      'o.id as organisation_id',
    ])
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (!user) throw new NotFoundError('user');
  const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', id).execute()).map((r) => r.role as Role);
  const identities = await db.selectFrom('user_identities').select(['issuer', 'created_at']).where('user_id', '=', id).execute();
  const { password_hash, ...rest } = user;
  return { ...rest, hasPassword: password_hash !== null, roles, identities };
}

export interface InviteDeps {
  notifier: Notifier;
  baseUrl: string;
}

const STAFF_WELCOME = "You have been given an account on Jointly, the local area's shared system for services for disabled children and young people.";

async function invite(db: Db, deps: InviteDeps, user: { id: string; email: string; display_name: string }, welcome = STAFF_WELCOME) {
  const token = await issueInvitation(db, user.id);
  const link = new URL(paths.invitation(token), deps.baseUrl).toString();
  await deps.notifier.send(db, {
    channel: 'email',
    to: user.email,
    subject: 'You have been invited to Jointly',
    body: `Hello ${user.display_name},\n\n${welcome}\n\nCreate your password here within 7 days:\n${link}\n\nIf you were not expecting this, you can ignore this message.`,
    // Whoever holds the link can set the password: it goes to the person only, never to the outbox.
    secrets: [link, token],
  });
}

const FAMILY_ROLES_REFUSED = 'This is a family account, tied to a child’s record: its roles cannot be changed. Staff need an account of their own';

/** The area's organisation that family accounts belong to (ADR 0015), made on first use. */
const FAMILIES = { code: 'FAMILIES', name: 'Families and young people', type: 'families' } as const;

async function familiesOrganisation(db: Db): Promise<string> {
  await db
    .insertInto('organisations')
    .values(FAMILIES)
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  return (await db.selectFrom('organisations').select('id').where('code', '=', FAMILIES.code).executeTakeFirstOrThrow()).id;
}

/**
 * An account for a family member (ADR 0015): in the Families organisation, with the family-member
 * role only. The caller ties it to the person on the record. No invitation yet: a second person
 * approves it first (sendFamilyInvitation).
 */
export async function createFamilyAccount(db: Db, input: { displayName: string; email: string }) {
  const clash = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
    .executeTakeFirst();
  if (clash)
    throw new ValidationError([{ text: 'Someone already has an account with this e-mail address. Check the address with the family', href: '#main-content' }]);
  const user = await createAccount(db, { ...input, organisationId: await familiesOrganisation(db) });
  await db.insertInto('user_roles').values({ user_id: user.id, role: 'family-member' }).execute();
  return user;
}

/** Sends a family account its invitation: a single-use link to set a password, valid 7 days. */
export async function sendFamilyInvitation(db: Db, deps: InviteDeps, userId: string) {
  const user = await db.selectFrom('users').select(['id', 'email', 'display_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  await invite(
    db,
    deps,
    user,
    "You have been invited to see your child's record on Jointly, the system the council, the NHS and schools in your area use to plan support together. You can see what is recorded, who can see it and who has looked, and choose who it is shared with.",
  );
}

export async function createUser(
  db: Db,
  deps: InviteDeps,
  input: { displayName: string; email: string; organisationId: string; roles: Role[] },
  byUserId: string,
) {
  const clash = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
    .executeTakeFirst();
  if (clash) throw new ValidationError([{ text: 'Someone already has an account with this e-mail address', href: '#email' }]);
  const org = await db.selectFrom('organisations').select(['id', 'active']).where('id', '=', input.organisationId).executeTakeFirst();
  if (!org?.active) throw new ValidationError([{ text: 'Select an active organisation', href: '#organisationId' }]);
  const user = await createAccount(db, input);
  // The roles that need a second administrator wait for one, even for someone new.
  const now = input.roles.filter((r) => !needsSecondAdministrator(r));
  if (now.length)
    await db
      .insertInto('user_roles')
      .values(now.map((role) => ({ user_id: user.id, role })))
      .execute();
  const requested = await requestRoleChanges(
    db,
    user.id,
    input.roles.filter(needsSecondAdministrator).map((role) => ({ role, change: 'grant' as const })),
    byUserId,
  );
  await invite(db, deps, user);
  await notifyRoleChange(db, deps, user.id, 'applied', { added: now, removed: [] });
  await notifyRoleChange(db, deps, user.id, 'requested', requestedChange(requested));
  return { ...user, added: now, requested };
}

async function bumpVersion(db: Db, id: string, version: number, set: AccountChange = {}) {
  if (!(await changeAccount(db, id, version, set))) {
    await getUser(db, id);
    throw new StaleVersionError();
  }
}

// ---- Roles: nobody changes their own; the administrator role needs a second administrator ----

/**
 * Roles whose granting or removal waits for a second administrator's approval: the
 * administrator; the information governance lead, who approves sharing that widens an
 * organisation's access (ADR 0012); and the commissioner, who writes the commissioning plans the
 * administrator approves for the board (ADR 0023) and sees the needs assessment in full. So that
 * one administrator cannot make both halves of either.
 */
export const ROLES_NEEDING_SECOND_ADMINISTRATOR: readonly Role[] = ['partnership-administrator', 'information-governance-lead', 'commissioner'];
export const needsSecondAdministrator = (role: Role) => ROLES_NEEDING_SECOND_ADMINISTRATOR.includes(role);

export const OWN_ROLES_REFUSED = 'You cannot change your own roles. Ask another administrator';

export interface RoleRequested {
  id: string;
  role: Role;
  change: 'grant' | 'remove';
}

/** Opens a request for each change, unless the same change is already waiting. */
async function requestRoleChanges(db: Db, userId: string, changes: { role: Role; change: 'grant' | 'remove' }[], byUserId: string): Promise<RoleRequested[]> {
  const made: RoleRequested[] = [];
  for (const c of changes) {
    const open = await db
      .selectFrom('role_requests')
      .select('id')
      .where('user_id', '=', userId)
      .where('role', '=', c.role)
      .where('decision', 'is', null)
      .executeTakeFirst();
    // Changes are worked out against the roles held, so a waiting request is never contradicted:
    // one already waiting for this role is left as it is.
    if (open) continue;
    const row = await db
      .insertInto('role_requests')
      .values({ user_id: userId, role: c.role, change: c.change, requested_by: byUserId })
      .returning('id')
      .executeTakeFirstOrThrow();
    made.push({ id: row.id, role: c.role, change: c.change });
  }
  return made;
}

const requestedChange = (requested: RoleRequested[]) => ({
  added: requested.filter((r) => r.change === 'grant').map((r) => r.role),
  removed: requested.filter((r) => r.change === 'remove').map((r) => r.role),
});

/**
 * Saves the roles form: other roles change at once; adding or removing the administrator role
 * becomes a request for a second administrator. Nobody changes their own roles.
 */
export async function changeRoles(db: Db, deps: InviteDeps, input: { userId: string; roles: Role[]; version: number; byUserId: string }) {
  if (input.userId === input.byUserId) throw new ValidationError([{ text: OWN_ROLES_REFUSED, href: '#main-content' }]);
  const user = await getUser(db, input.userId);
  // A family account is tied to a child's record (ADR 0015): no staff role is added to it, and its own is not taken away here.
  const org = await db.selectFrom('organisations').select('type').where('id', '=', user.organisation_id).executeTakeFirstOrThrow();
  if (org.type === FAMILIES.type) throw new ValidationError([{ text: FAMILY_ROLES_REFUSED, href: '#main-content' }]);
  await bumpVersion(db, input.userId, input.version);
  const added = input.roles.filter((r) => !user.roles.includes(r));
  const removed = user.roles.filter((r) => !input.roles.includes(r));
  const now = { added: added.filter((r) => !needsSecondAdministrator(r)), removed: removed.filter((r) => !needsSecondAdministrator(r)) };
  if (now.removed.length) await db.deleteFrom('user_roles').where('user_id', '=', input.userId).where('role', 'in', now.removed).execute();
  if (now.added.length)
    await db
      .insertInto('user_roles')
      .values(now.added.map((role) => ({ user_id: input.userId, role })))
      .execute();
  const requested = await requestRoleChanges(
    db,
    input.userId,
    [
      ...added.filter(needsSecondAdministrator).map((role) => ({ role, change: 'grant' as const })),
      ...removed.filter(needsSecondAdministrator).map((role) => ({ role, change: 'remove' as const })),
    ],
    input.byUserId,
  );
  await notifyRoleChange(db, deps, input.userId, 'applied', now);
  await notifyRoleChange(db, deps, input.userId, 'requested', requestedChange(requested));
  return { ...now, requested };
}

/** The requests waiting for a second administrator, for the person's page. */
export const openRoleRequests = (db: Db, userId: string) =>
  db
    .selectFrom('role_requests as r')
    .innerJoin('users as by', 'by.id', 'r.requested_by')
    .select(['r.id', 'r.role', 'r.change', 'r.requested_by', 'r.requested_at', 'by.display_name as requested_by_name'])
    .where('r.user_id', '=', userId)
    .where('r.decision', 'is', null)
    .orderBy('r.requested_at')
    .execute();

/**
 * A second administrator approves (the change then applies) or refuses a waiting request. The
 * one who asked and the person concerned cannot decide it.
 */
export async function decideRoleRequest(
  db: Db,
  deps: InviteDeps,
  input: { userId: string; requestId: string; byUserId: string; decision: 'approved' | 'refused' },
) {
  if (!/^[0-9a-f-]{36}$/i.test(input.requestId)) throw new NotFoundError('role request');
  const request = await db
    .selectFrom('role_requests')
    .selectAll()
    .where('id', '=', input.requestId)
    .where('user_id', '=', input.userId)
    .forUpdate()
    .executeTakeFirst();
  if (!request) throw new NotFoundError('role request');
  const role = request.role as Role;
  if (request.decision) throw new ValidationError([{ text: `This change has already been ${request.decision}`, href: '#role-requests' }]);
  if (request.requested_by === input.byUserId) {
    throw new ValidationError([{ text: 'You asked for this change, so another administrator must approve or refuse it', href: '#role-requests' }]);
  }
  if (request.user_id === input.byUserId) throw new ValidationError([{ text: OWN_ROLES_REFUSED, href: '#role-requests' }]);
  const user = await getUser(db, request.user_id);
  if (input.decision === 'approved' && !user.active) {
    throw new ValidationError([{ text: 'Reactivate the account before approving a change to its roles', href: '#role-requests' }]);
  }
  await db
    .updateTable('role_requests')
    .set({ decision: input.decision, decided_by: input.byUserId, decided_at: new Date() })
    .where('id', '=', request.id)
    .where('decision', 'is', null)
    .execute();
  if (input.decision === 'approved') {
    if (request.change === 'grant') {
      if (!user.roles.includes(role)) await db.insertInto('user_roles').values({ user_id: request.user_id, role }).execute();
    } else {
      await db.deleteFrom('user_roles').where('user_id', '=', request.user_id).where('role', '=', role).execute();
    }
    // Forms opened before the change are now out of date.
    await changeAccount(db, request.user_id, null);
  }
  const change = request.change === 'grant' ? { added: [role], removed: [] } : { added: [], removed: [role] };
  await notifyRoleChange(db, deps, request.user_id, input.decision, change);
  return { role, change: request.change };
}

const roleList = (roles: readonly Role[]) => roles.map((r) => ROLES[r]).join(', ');
const describeChange = (c: { added: readonly Role[]; removed: readonly Role[] }) =>
  [c.added.length ? `added ${roleList(c.added)}` : '', c.removed.length ? `removed ${roleList(c.removed)}` : ''].filter(Boolean).join('; ');

const NOTICE = {
  applied: {
    subject: 'Roles changed on Jointly',
    person: (what: string) => `Your roles on Jointly have changed: ${what}.`,
    admin: (what: string) => `An administrator changed the roles of a person on Jointly: ${what}.`,
  },
  requested: {
    subject: 'A change to the administrator role is waiting for approval on Jointly',
    person: (what: string) =>
      `An administrator has asked to change your roles on Jointly: ${what}. It takes effect only if a second administrator approves it.`,
    admin: (what: string) =>
      `An administrator has asked to change the roles of a person on Jointly: ${what}. It takes effect only when a second administrator (not the one who asked) approves it.`,
  },
  approved: {
    subject: 'A change of role was approved on Jointly',
    person: (what: string) => `A second administrator approved a change to your roles on Jointly, which now applies: ${what}.`,
    admin: (what: string) => `A second administrator approved a change to the roles of a person on Jointly, which now applies: ${what}.`,
  },
  refused: {
    subject: 'A change of role was refused on Jointly',
    person: (what: string) => `A second administrator refused a change to your roles on Jointly, so it does not apply: ${what}.`,
    admin: (what: string) => `A second administrator refused a change to the roles of a person on Jointly, so it does not apply: ${what}.`,
  },
} as const;

/**
 * Tells the person and every active administrator about a change of roles: links and the names
 * of roles only, nobody's name or details.
 */
async function notifyRoleChange(
  db: Db,
  deps: InviteDeps,
  userId: string,
  kind: keyof typeof NOTICE,
  change: { added: readonly Role[]; removed: readonly Role[] },
) {
  const what = describeChange(change);
  if (!what) return;
  const admins = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email'])
    .where('r.role', '=', 'partnership-administrator')
    .where('u.active', '=', true)
    .where('o.active', '=', true)
    .execute();
  const person = await db.selectFrom('users').select(['id', 'email', 'active']).where('id', '=', userId).executeTakeFirstOrThrow();
  const notice = NOTICE[kind];
  const personPage = new URL(paths.admin.user(userId), deps.baseUrl).toString();
  const home = new URL(paths.home, deps.baseUrl).toString();
  // Addresses made up for people from an identity provider (".invalid") reach nobody.
  const reachable = (email: string) => !email.toLowerCase().endsWith('.invalid');
  if (person.active && reachable(person.email)) {
    await deps.notifier.send(db, {
      channel: 'email',
      to: person.email,
      subject: notice.subject,
      body: `${notice.person(what)}

Your roles are shown on your home page:
${home}

If you did not expect this, tell your partnership administrator.`,
    });
  }
  for (const admin of admins) {
    if (admin.id === userId || !reachable(admin.email)) continue;
    await deps.notifier.send(db, {
      channel: 'email',
      to: admin.email,
      subject: notice.subject,
      body: `${notice.admin(what)}

See the person's page${kind === 'requested' ? ' to approve or refuse it' : ''}:
${personPage}

If you did not expect this, check the audit log.`,
    });
  }
}

export async function deactivateUser(db: Db, id: string, version: number, byUserId: string) {
  if (id === byUserId) throw new ValidationError([{ text: 'You cannot deactivate your own account. Ask another administrator', href: '#main-content' }]);
  await bumpVersion(db, id, version, { active: false, deactivated_at: new Date() });
  await endAllSessionsOf(db, id, 'deactivated');
}

/** Clears a lock-out after repeated failed sign-ins (the person asked their administrator). */
export async function unlockUser(db: Db, id: string, version: number) {
  await bumpVersion(db, id, version, { failed_sign_ins: 0, locked_until: null });
}

export async function reactivateUser(db: Db, id: string, version: number) {
  await bumpVersion(db, id, version, { active: true, deactivated_at: null, failed_sign_ins: 0, locked_until: null });
}

export async function resendInvitation(db: Db, deps: InviteDeps, id: string) {
  const user = await getUser(db, id);
  if (!user.active) throw new ValidationError([{ text: 'Reactivate the account before sending an invitation', href: '#main-content' }]);
  await invite(db, deps, { id: user.id, email: user.email, display_name: user.display_name });
}

export const listOutbox = (db: Db) => db.selectFrom('notifications').selectAll().orderBy('created_at', 'desc').limit(100).execute();

export const listAudit = (db: Db, filter: { action?: string | undefined; result?: string | undefined }) => {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select([
      'a.id',
      'a.at',
      'a.action',
      'a.result',
      'a.roles',
      'a.subject_type',
      'a.subject_id',
      'a.request_id',
      'a.details',
      'u.display_name',
      'o.name as organisation_name',
    ])
    .orderBy('a.id', 'desc')
    .limit(200);
  if (filter.action) q = q.where('a.action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (filter.result === 'allowed' || filter.result === 'denied') q = q.where('a.result', '=', filter.result);
  return q.execute();
};
