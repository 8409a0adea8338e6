// Managing the partnership: organisations and the people who work in them. Leavers are
// deactivated, never deleted, and their sessions end at once.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../platform/http/errors.js';
import { endAllSessionsOf } from '../../platform/auth/sessions.js';
import type { Notifier } from '../../platform/notify/notify.js';
import type { Role } from '../../platform/access/roles.js';
import { hashInvite } from '../sign-in/service.js';
import { paths } from '../../paths.js';

export const listOrganisations = (db: Db) =>
  db
    .selectFrom('organisations as o')
    .select(['o.id', 'o.code', 'o.name', 'o.type', 'o.active', 'o.version', sql<number>`(select count(*) from users u where u.organisation_id = o.id and u.active)`.as('people')])
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

async function invite(db: Db, deps: InviteDeps, user: { id: string; email: string; display_name: string }) {
  const token = randomBytes(32).toString('base64url');
  await db.updateTable('invitations').set({ used_at: new Date() }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
  await db
    .insertInto('invitations')
    .values({ token_hash: hashInvite(token), user_id: user.id, expires_at: new Date(Date.now() + 7 * 24 * 3600_000) })
    .execute();
  const link = new URL(paths.invitation(token), deps.baseUrl).toString();
  await deps.notifier.send(db, {
    channel: 'email',
    to: user.email,
    subject: 'You have been invited to Jointly',
    body: `Hello ${user.display_name},\n\nYou have been given an account on Jointly, the local area's shared system for services for disabled children and young people.\n\nCreate your password here within 7 days:\n${link}\n\nIf you were not expecting this, you can ignore this message.`,
    // Whoever holds the link can set the password: it goes to the person only, never to the outbox.
    secrets: [link, token],
  });
}

export async function createUser(db: Db, deps: InviteDeps, input: { displayName: string; email: string; organisationId: string; roles: Role[] }) {
  const clash = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
    .executeTakeFirst();
  if (clash) throw new ValidationError([{ text: 'Someone already has an account with this e-mail address', href: '#email' }]);
  const org = await db.selectFrom('organisations').select(['id', 'active']).where('id', '=', input.organisationId).executeTakeFirst();
  if (!org?.active) throw new ValidationError([{ text: 'Select an active organisation', href: '#organisationId' }]);
  const user = await db
    .insertInto('users')
    .values({ display_name: input.displayName, email: input.email, organisation_id: input.organisationId })
    .returning(['id', 'email', 'display_name'])
    .executeTakeFirstOrThrow();
  if (input.roles.length) await db.insertInto('user_roles').values(input.roles.map((role) => ({ user_id: user.id, role }))).execute();
  await invite(db, deps, user);
  return user;
}

async function bumpVersion(db: Db, id: string, version: number, set: Record<string, unknown> = {}) {
  const res = await db
    .updateTable('users')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    await getUser(db, id);
    throw new StaleVersionError();
  }
}

export async function setRoles(db: Db, id: string, roles: Role[], version: number) {
  await bumpVersion(db, id, version);
  await db.deleteFrom('user_roles').where('user_id', '=', id).execute();
  if (roles.length) await db.insertInto('user_roles').values(roles.map((role) => ({ user_id: id, role }))).execute();
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
    .select(['a.id', 'a.at', 'a.action', 'a.result', 'a.roles', 'a.subject_type', 'a.subject_id', 'a.request_id', 'a.details', 'u.display_name', 'o.name as organisation_name'])
    .orderBy('a.id', 'desc')
    .limit(200);
  if (filter.action) q = q.where('a.action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (filter.result === 'allowed' || filter.result === 'denied') q = q.where('a.result', '=', filter.result);
  return q.execute();
};
