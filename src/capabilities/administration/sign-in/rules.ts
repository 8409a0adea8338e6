// Lock-out after repeated failures: pure, so every edge is unit-tested.
export interface LockoutPolicy {
  attempts: number;
  minutes: number;
}
export interface LockoutState {
  failed: number;
  lockedUntil: Date | null;
}

export const isLocked = (s: LockoutState, now: Date) => s.lockedUntil !== null && s.lockedUntil > now;

/** The state after one more failed attempt. */
export function afterFailure(s: LockoutState, policy: LockoutPolicy, now: Date): LockoutState {
  // A lock that has run out starts the count again.
  const failed = (s.lockedUntil && s.lockedUntil <= now ? 0 : s.failed) + 1;
  return failed >= policy.attempts
    ? { failed, lockedUntil: new Date(now.getTime() + policy.minutes * 60_000) }
    : { failed, lockedUntil: s.lockedUntil && s.lockedUntil > now ? s.lockedUntil : null };
}

/**
 * The one answer to a refused password, whatever the reason (wrong, unknown address, deactivated,
 * locked), so it shows neither who has an account nor whose is locked. It says what lock-out
 * means, so someone who is locked out still knows to wait or ask.
 */
export const wrongPasswordMessage = (policy: LockoutPolicy) =>
  `Enter a correct e-mail address and password. After ${policy.attempts} failed ${policy.attempts === 1 ? 'attempt' : 'attempts'} you cannot sign in for ${policy.minutes} ${policy.minutes === 1 ? 'minute' : 'minutes'}: wait, then try again, or ask your partnership administrator to unlock your account`;

/** Once the password is proved (at the security code), the lock can be named. */
export const lockedMessage = (until: Date) =>
  `Your account is locked because of too many failed attempts. Try again after ${until.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  })}, or ask your partnership administrator to unlock it.`;

export const PASSWORD_RULES = 'Your password must be at least 12 characters long';
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < 12) return PASSWORD_RULES;
  if (password.length > 200) return 'Your password must be 200 characters or fewer';
  // A name of one or two letters (a@, jo@) would rule out every password containing those letters.
  const name = email.split('@')[0]!.trim().toLowerCase();
  if (name.length >= 3 && password.toLowerCase().includes(name)) return 'Your password must not contain your e-mail name';
  return undefined;
}
