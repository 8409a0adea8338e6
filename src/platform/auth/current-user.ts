import type { Permission, Role } from '../access/roles.js';

export interface CurrentUser {
  id: string;
  displayName: string;
  email: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  roles: Role[];
  permissions: Set<Permission>;
  sessionIdHash: string;
}

/** Why a request that carried a session cookie is not signed in. */
export type SessionProblem = 'tampered' | 'ended' | 'expired-idle' | 'expired-absolute' | 'deactivated';

export const SESSION_PROBLEM_MESSAGES: Record<SessionProblem | 'signed-out' | 'required', string> = {
  tampered: 'Your sign-in could not be checked, so you have been signed out. Sign in again.',
  ended: 'You have been signed out. Sign in again to continue.',
  'expired-idle': 'You have been signed out because you were inactive for too long. Sign in again to continue.',
  'expired-absolute': 'You have been signed out because your session reached its time limit. Sign in again to continue.',
  deactivated: 'Your account has been deactivated. Contact your partnership administrator if you think this is wrong.',
  'signed-out': 'You have signed out.',
  required: 'You need to sign in to see that page.',
};
