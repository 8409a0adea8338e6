// Sessions live in the database; the browser holds only a random token (signed cookie) whose
// SHA-256 is the key, so a stolen database copy cannot be replayed as a cookie.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { PREPARED, type Db } from '../db/database.js';
import { permissionsOf, type Role } from '../access/roles.js';
import type { CurrentUser, SessionProblem } from './current-user.js';

export const SESSION_COOKIE = 'jointly_session';
export type SessionStage = 'signed-in' | 'awaiting-totp' | 'awaiting-totp-setup';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export async function createSession(db: Db, userId: string, stage: SessionStage, policy: SessionPolicy): Promise<string> {
  const token = newToken();
  const now = Date.now();
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashToken(token),
      user_id: userId,
      stage,
      created_at: new Date(now),
      last_seen_at: new Date(now),
      expires_at: new Date(now + policy.absoluteHours * 3600_000),
    })
    .execute();
  return token;
}

export async function endSession(db: Db, idHash: string, reason: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: new Date(), ended_reason: reason }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
}

export async function endAllSessionsOf(db: Db, userId: string, reason: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: new Date(), ended_reason: reason }).where('user_id', '=', userId).where('ended_at', 'is', null).execute();
}

export type SessionLookup =
  | { kind: 'signed-in'; user: CurrentUser }
  | { kind: 'pending'; stage: SessionStage; userId: string; idHash: string }
  | { kind: 'problem'; problem: SessionProblem; userId?: string; idHash: string; quiet?: boolean };

/** Finds the session for a token, ending it when it has timed out or its person has left. */
export async function lookupSession(db: Db, token: string, policy: SessionPolicy, now = new Date()): Promise<SessionLookup> {
  const idHash = hashToken(token);
  // Every signed-in request asks: prepared once per connection (database.ts, PREPARED).
  const row = await db
    .selectFrom('sessions as s')
    .modifyFront(sql.raw(PREPARED))
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      's.stage',
      's.last_seen_at',
      's.expires_at',
      's.ended_at',
      's.ended_reason',
      'u.id as user_id',
      'u.display_name',
      'u.email',
      'u.active',
      'o.id as organisation_id',
      'o.name as organisation_name',
      'o.type as organisation_type',
      'o.active as organisation_active',
      sql<string>`(select coalesce(string_agg(r.role, ',' order by r.role), '') from user_roles r where r.user_id = u.id)`.as('roles'),
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return { kind: 'problem', problem: 'ended', idHash };
  if (row.ended_at) {
    // A leaver's sessions were ended when they were deactivated: tell them why.
    const problem = !row.active || !row.organisation_active ? 'deactivated' : 'ended';
    return { kind: 'problem', problem, userId: row.user_id, idHash, quiet: row.ended_reason === 'signed-out' };
  }
  const problem: SessionProblem | undefined =
    !row.active || !row.organisation_active
      ? 'deactivated'
      : new Date(row.expires_at) <= now
        ? 'expired-absolute'
        : new Date(row.last_seen_at).getTime() + policy.idleMinutes * 60_000 <= now.getTime()
          ? 'expired-idle'
          : undefined;
  if (problem) {
    await endSession(db, idHash, problem);
    return { kind: 'problem', problem, userId: row.user_id, idHash };
  }
  // Touch at most once a minute: the idle time-out needs minutes, not every request.
  if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  if (row.stage !== 'signed-in') return { kind: 'pending', stage: row.stage, userId: row.user_id, idHash };
  const roles = row.roles ? (row.roles.split(',') as Role[]) : [];
  return {
    kind: 'signed-in',
    user: {
      id: row.user_id,
      displayName: row.display_name,
      email: row.email,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
      organisationType: row.organisation_type,
      roles,
      permissions: permissionsOf(roles),
      sessionIdHash: idHash,
    },
  };
}
