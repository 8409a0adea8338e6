// Sign-in use cases. Each takes the request's transaction, so the audit entry written by the
// route wrapper commits with the failed-attempt count or the new session.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { createSession, endAllSessionsOf, endSession, type SessionPolicy, type SessionStage } from '../../../platform/auth/sessions.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { afterFailure, isLocked, lockedMessage, wrongPasswordMessage, type LockoutPolicy } from './rules.js';
import { matchTotp, newTotpSecret } from './totp.js';
import { readTotpSecret, sealTotpSecret } from './totp-secret.js';

export interface SignInPolicy {
  lockout: LockoutPolicy;
  session: SessionPolicy;
  requireTotp: boolean;
  /** AES-256 key that security-code secrets are encrypted under in users.totp_secret. */
  totpKey: Buffer;
}

export type PasswordOutcome =
  | { ok: true; userId: string; organisationId: string; token: string; stage: SessionStage }
  | { ok: false; message: string; reason: string; userId?: string; organisationId?: string };

async function findByEmail(db: Db, email: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.organisation_id',
      'u.password_hash',
      'u.active',
      'o.active as organisation_active',
      'u.failed_sign_ins',
      'u.locked_until',
      'u.totp_enabled_at',
    ])
    .where((eb) => eb(eb.fn('lower', ['u.email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

async function recordFailure(db: Db, user: { id: string; failed_sign_ins: number; locked_until: Date | null }, policy: LockoutPolicy, now: Date) {
  const next = afterFailure({ failed: user.failed_sign_ins, lockedUntil: user.locked_until ? new Date(user.locked_until) : null }, policy, now);
  await db.updateTable('users').set({ failed_sign_ins: next.failed, locked_until: next.lockedUntil }).where('id', '=', user.id).execute();
  return next;
}

/**
 * The password step. Every refusal before the password is proved gets the same message after the
 * same work (one argon2 verification): an unknown address, a wrong password (on an active or a
 * deactivated account) and a locked account, whatever password is typed, all read alike and take
 * as long, so the answer shows neither who has an account nor whose is locked. The audit entry
 * keeps the real reason.
 */
export async function signInWithPassword(db: Db, email: string, password: string, policy: SignInPolicy, now = new Date()): Promise<PasswordOutcome> {
  const WRONG = wrongPasswordMessage(policy.lockout);
  const user = await findByEmail(db, email);
  if (!user || !user.password_hash) {
    await verifyPassword(null, password);
    return { ok: false, message: WRONG, reason: 'unknown e-mail address or no local password' };
  }
  const who = { userId: user.id, organisationId: user.organisation_id };
  // A leaver is told their account is deactivated only after giving its password, so the
  // message does not reveal to anyone else which addresses belong to leavers.
  if (!user.active || !user.organisation_active) {
    return (await verifyPassword(user.password_hash, password))
      ? {
          ok: false,
          ...who,
          reason: 'deactivated',
          message: 'Your account has been deactivated. Contact your partnership administrator if you think this is wrong.',
        }
      : { ok: false, ...who, reason: 'deactivated; wrong password', message: WRONG };
  }
  const state = { failed: user.failed_sign_ins, lockedUntil: user.locked_until ? new Date(user.locked_until) : null };
  if (isLocked(state, now)) {
    // Even the right password is refused while locked, with the wrong password's answer: a
    // different one would tell a guesser when they had guessed right. Whether it was right is
    // audited, so an investigator knows the password must be changed. The count is not raised, so
    // guessing during the lock does not lengthen it.
    const right = await verifyPassword(user.password_hash, password);
    return { ok: false, ...who, reason: right ? 'locked; right password' : 'locked; wrong password', message: WRONG };
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    const next = await recordFailure(db, user, policy.lockout, now);
    return isLocked(next, now)
      ? { ok: false, ...who, reason: 'wrong password; now locked', message: WRONG }
      : { ok: false, ...who, reason: 'wrong password', message: WRONG };
  }
  const stage: SessionStage = user.totp_enabled_at ? 'awaiting-totp' : policy.requireTotp ? 'awaiting-totp-setup' : 'signed-in';
  if (stage === 'signed-in') {
    await db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', user.id).execute();
  }
  const token = await createSession(db, user.id, stage, policy.session);
  return { ok: true, ...who, token, stage };
}

export type TotpOutcome = { ok: true; token: string } | { ok: false; message: string; reason: string };

/** Second step: checks the code and swaps the half-signed-in session for a new, full one. */
export async function completeTotp(
  db: Db,
  pending: { userId: string; idHash: string },
  code: string,
  policy: SignInPolicy,
  now = new Date(),
): Promise<TotpOutcome> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'totp_secret', 'totp_enabled_at', 'totp_last_step', 'failed_sign_ins', 'locked_until'])
    .where('id', '=', pending.userId)
    .executeTakeFirstOrThrow();
  const state = { failed: user.failed_sign_ins, lockedUntil: user.locked_until ? new Date(user.locked_until) : null };
  if (isLocked(state, now)) {
    await endSession(db, pending.idHash, 'locked');
    return { ok: false, reason: 'locked', message: lockedMessage(state.lockedUntil!) };
  }
  const stored = user.totp_secret ? readTotpSecret(policy.totpKey, user.id, user.totp_secret) : null;
  const step = stored ? matchTotp(stored.secret, code, now.getTime()) : null;
  // A code already used (or an older one) is refused like a wrong one.
  const replayed = step !== null && user.totp_last_step !== null && step <= Number(user.totp_last_step);
  if (step === null || replayed) {
    const next = await recordFailure(db, user, policy.lockout, now);
    if (isLocked(next, now)) {
      await endSession(db, pending.idHash, 'locked');
      return { ok: false, reason: 'wrong code; now locked', message: lockedMessage(next.lockedUntil!) };
    }
    return {
      ok: false,
      reason: replayed ? 'code already used' : 'wrong code',
      message: replayed
        ? 'That code has already been used. Wait for your authenticator app to show a new code, then enter it'
        : 'The code is not correct or has expired. Enter the 6-digit code your authenticator app shows now',
    };
  }
  await db
    .updateTable('users')
    .set({
      failed_sign_ins: 0,
      locked_until: null,
      totp_enabled_at: user.totp_enabled_at ?? now,
      totp_last_step: step,
      // A secret stored before encryption existed is encrypted now, so deployments migrate as people sign in.
      ...(stored?.legacy ? { totp_secret: sealTotpSecret(policy.totpKey, user.id, stored.secret) } : {}),
    })
    .where('id', '=', user.id)
    .execute();
  await endSession(db, pending.idHash, 'rotated');
  return { ok: true, token: await createSession(db, user.id, 'signed-in', policy.session) };
}

/** The secret being set up; made on first visit, kept (encrypted) until the first correct code confirms it. */
export async function pendingTotpSecret(db: Db, userId: string, totpKey: Buffer): Promise<{ secret: string; email: string }> {
  const user = await db.selectFrom('users').select(['totp_secret', 'totp_enabled_at', 'email']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.totp_secret && !user.totp_enabled_at) return { secret: readTotpSecret(totpKey, userId, user.totp_secret).secret, email: user.email };
  const secret = newTotpSecret();
  await db
    .updateTable('users')
    .set({ totp_secret: sealTotpSecret(totpKey, userId, secret), totp_enabled_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
  return { secret, email: user.email };
}

const hashInvite = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new invitation to set a password, valid for 7 days (any unused one before it is used up); answers the link's token. */
export async function issueInvitation(db: Db, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.updateTable('invitations').set({ used_at: new Date() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  await db
    .insertInto('invitations')
    .values({ token_hash: hashInvite(token), user_id: userId, expires_at: new Date(Date.now() + 7 * 24 * 3600_000) })
    .execute();
  return token;
}

export async function findInvitation(db: Db, token: string, now = new Date()) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.token_hash', 'u.id as user_id', 'u.email', 'u.display_name', 'u.organisation_id', 'u.active', 'u.totp_enabled_at'])
    .where('i.token_hash', '=', hashInvite(token))
    .where('i.used_at', 'is', null)
    .where('i.expires_at', '>', now)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

export type AcceptOutcome = { ok: true; stage: SessionStage; token: string; keptSecondFactor: boolean } | { ok: false; message: string; reason: string };

/**
 * Accepting an invitation sets the password and starts a session at the right stage, ending every
 * other session of the person. Someone who already has security codes must give a current code
 * first, and keeps them: an invitation alone (which an administrator asked for) is not enough to
 * take over an account with a second factor.
 */
export async function acceptInvitation(
  db: Db,
  invitation: { token_hash: string; user_id: string },
  password: string,
  policy: SignInPolicy,
  code?: string,
  now = new Date(),
): Promise<AcceptOutcome> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'totp_secret', 'totp_enabled_at', 'totp_last_step', 'failed_sign_ins', 'locked_until'])
    .where('id', '=', invitation.user_id)
    .executeTakeFirstOrThrow();
  const hasSecondFactor = user.totp_enabled_at !== null && user.totp_secret !== null;
  let step: number | null = null;
  if (hasSecondFactor) {
    const state = { failed: user.failed_sign_ins, lockedUntil: user.locked_until ? new Date(user.locked_until) : null };
    if (isLocked(state, now)) return { ok: false, reason: 'locked', message: lockedMessage(state.lockedUntil!) };
    step = matchTotp(readTotpSecret(policy.totpKey, user.id, user.totp_secret!).secret, code ?? '', now.getTime());
    const replayed = step !== null && user.totp_last_step !== null && step <= Number(user.totp_last_step);
    if (step === null || replayed) {
      // Counted with wrong passwords and codes, so the code cannot be guessed.
      const next = await recordFailure(db, user, policy.lockout, now);
      if (isLocked(next, now)) return { ok: false, reason: 'wrong code; now locked', message: lockedMessage(next.lockedUntil!) };
      return {
        ok: false,
        reason: replayed ? 'code already used' : 'wrong code',
        message: replayed
          ? 'That code has already been used. Wait for your authenticator app to show a new code, then enter it'
          : 'The code is not correct or has expired. Enter the 6-digit code your authenticator app shows now',
      };
    }
  }
  await db.updateTable('invitations').set({ used_at: now }).where('token_hash', '=', invitation.token_hash).execute();
  await db
    .updateTable('users')
    .set({
      password_hash: await hashPassword(password),
      failed_sign_ins: 0,
      locked_until: null,
      // A confirmed second factor is kept (the code was just checked); one half set up is cleared.
      ...(hasSecondFactor ? { totp_last_step: step } : { totp_secret: null, totp_enabled_at: null, totp_last_step: null }),
    })
    .where('id', '=', invitation.user_id)
    .execute();
  // A new password by invitation ends every other session of the person: whoever was signed in
  // as them before (on a shared computer, or with an old password) is signed out.
  await endAllSessionsOf(db, invitation.user_id, 'password-set');
  const stage: SessionStage = hasSecondFactor ? 'signed-in' : policy.requireTotp ? 'awaiting-totp-setup' : 'signed-in';
  return { ok: true, stage, keptSecondFactor: hasSecondFactor, token: await createSession(db, invitation.user_id, stage, policy.session) };
}

export { hashInvite };

export type OidcOutcome =
  { ok: true; userId: string; organisationId: string; token: string; provisioned: boolean } | { ok: false; message: string; reason: string; userId?: string };

/**
 * Finds the person by issuer + subject. Someone new is added to the provider's organisation with
 * no roles (an administrator then grants them), or refused when the provider names none.
 */
export async function signInWithOidc(
  db: Db,
  identity: { issuer: string; subject: string; name?: string | undefined; email?: string | undefined },
  organisationCode: string | undefined,
  policy: SignInPolicy,
): Promise<OidcOutcome> {
  const known = await db
    .selectFrom('user_identities as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.active', 'u.organisation_id', 'o.active as organisation_active'])
    .where('i.issuer', '=', identity.issuer)
    .where('i.subject', '=', identity.subject)
    .executeTakeFirst();
  if (known) {
    if (!known.active || !known.organisation_active) {
      return {
        ok: false,
        userId: known.id,
        reason: 'deactivated',
        message: 'Your account has been deactivated. Contact your partnership administrator if you think this is wrong.',
      };
    }
    return {
      ok: true,
      userId: known.id,
      organisationId: known.organisation_id,
      provisioned: false,
      token: await createSession(db, known.id, 'signed-in', policy.session),
    };
  }
  const org = organisationCode
    ? await db.selectFrom('organisations').select(['id']).where('code', '=', organisationCode).where('active', '=', true).executeTakeFirst()
    : undefined;
  if (!org) {
    return {
      ok: false,
      reason: 'no account for this identity',
      message: 'You do not have a Jointly account yet. Ask your partnership administrator to add you.',
    };
  }
  // The e-mail is kept for contact only; it never identifies the person at sign-in. When the
  // provider sends none, or one already on someone else's account (users.email is unique), the
  // new person gets a placeholder address under the reserved .invalid domain instead.
  const user = await db
    .insertInto('users')
    .values({
      organisation_id: org.id,
      display_name: identity.name?.trim().slice(0, 200) || 'New user',
      email: await freeEmail(db, identity),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_identities').values({ issuer: identity.issuer, subject: identity.subject, user_id: user.id }).execute();
  return { ok: true, userId: user.id, organisationId: org.id, provisioned: true, token: await createSession(db, user.id, 'signed-in', policy.session) };
}

async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}

/** The provider's e-mail claim if no one has it yet, otherwise an address that cannot reach or collide with anyone. */
async function freeEmail(db: Db, identity: { issuer: string; subject: string; email?: string | undefined }): Promise<string> {
  const claimed = identity.email?.trim();
  if (claimed && !(await emailTaken(db, claimed))) return claimed;
  const placeholder = `${identity.subject}@${new URL(identity.issuer).hostname}.invalid`;
  if (!(await emailTaken(db, placeholder))) return placeholder;
  return `${identity.subject}.${randomBytes(6).toString('hex')}@${new URL(identity.issuer).hostname}.invalid`;
}

// ---- Accounts: sign-in owns the users table; the partnership's administrators change accounts through these ----

/** What an administrator may change on someone's account besides their roles. */
export interface AccountChange {
  active?: boolean;
  deactivated_at?: Date | null;
  failed_sign_ins?: number;
  locked_until?: Date | null;
}

/** A new person's account, with no way to sign in until they accept an invitation. */
export function createAccount(db: Db, account: { displayName: string; email: string; organisationId: string }) {
  return db
    .insertInto('users')
    .values({ display_name: account.displayName, email: account.email, organisation_id: account.organisationId })
    .returning(['id', 'email', 'display_name'])
    .executeTakeFirstOrThrow();
}

/**
 * Changes an account and moves its version on, so forms opened before are out of date. With a
 * version, only while the account is still at it: false means someone changed it meanwhile (or it
 * does not exist).
 */
export async function changeAccount(db: Db, id: string, version: number | null, set: AccountChange = {}): Promise<boolean> {
  let update = db
    .updateTable('users')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id);
  if (version !== null) update = update.where('version', '=', version);
  const res = await update.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
