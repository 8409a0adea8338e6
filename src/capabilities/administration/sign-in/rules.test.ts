// Lock-out and password rules: pure functions, so every edge is pinned down here, and the
// lock-out rule is checked against a plain reference model for any sequence of failures.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PASSWORD_RULES, afterFailure, isLocked, lockedMessage, passwordProblem, type LockoutPolicy, type LockoutState } from './rules.js';

const MINUTE = 60_000;
const policy: LockoutPolicy = { attempts: 3, minutes: 15 };
const t0 = new Date('2025-03-10T09:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
const fresh: LockoutState = { failed: 0, lockedUntil: null };

describe('isLocked', () => {
  it('is not locked without a lock', () => {
    expect(isLocked(fresh, t0)).toBe(false);
    expect(isLocked({ failed: 99, lockedUntil: null }, t0)).toBe(false);
  });

  it('is locked up to, but not at, the moment the lock ends', () => {
    const s = { failed: 3, lockedUntil: at(15) };
    expect(isLocked(s, t0)).toBe(true);
    expect(isLocked(s, new Date(at(15).getTime() - 1))).toBe(true);
    expect(isLocked(s, at(15))).toBe(false);
    expect(isLocked(s, at(16))).toBe(false);
  });
});

describe('afterFailure', () => {
  it('counts failures below the limit without locking', () => {
    const one = afterFailure(fresh, policy, t0);
    expect(one).toEqual({ failed: 1, lockedUntil: null });
    const two = afterFailure(one, policy, at(1));
    expect(two).toEqual({ failed: 2, lockedUntil: null });
  });

  it('locks on the failure that reaches the limit, for the policy minutes from that failure', () => {
    let s = fresh;
    s = afterFailure(s, policy, at(0));
    s = afterFailure(s, policy, at(1));
    s = afterFailure(s, policy, at(2));
    expect(s).toEqual({ failed: 3, lockedUntil: at(17) });
    expect(isLocked(s, at(2))).toBe(true);
    expect(isLocked(s, at(17))).toBe(false);
  });

  it('locks on the very first failure when the policy allows only one attempt', () => {
    expect(afterFailure(fresh, { attempts: 1, minutes: 5 }, t0)).toEqual({ failed: 1, lockedUntil: at(5) });
  });

  it('keeps counting failures made while locked, and the lock runs from the latest of them', () => {
    const locked = { failed: 3, lockedUntil: at(15) };
    expect(afterFailure(locked, policy, at(10))).toEqual({ failed: 4, lockedUntil: at(25) });
  });

  it('starts the count again once a lock has run out', () => {
    const expired = { failed: 3, lockedUntil: at(15) };
    expect(afterFailure(expired, policy, at(20))).toEqual({ failed: 1, lockedUntil: null });
  });

  it('treats a lock as run out at the exact moment it ends', () => {
    const expired = { failed: 3, lockedUntil: at(15) };
    expect(afterFailure(expired, policy, at(15))).toEqual({ failed: 1, lockedUntil: null });
  });

  it('locks again after the count restarts and reaches the limit again', () => {
    let s: LockoutState = { failed: 3, lockedUntil: at(15) };
    s = afterFailure(s, policy, at(30));
    s = afterFailure(s, policy, at(31));
    expect(isLocked(s, at(31))).toBe(false);
    s = afterFailure(s, policy, at(32));
    expect(s).toEqual({ failed: 3, lockedUntil: at(47) });
  });

  it('does not change the state it was given', () => {
    const s = { failed: 1, lockedUntil: null };
    afterFailure(s, policy, t0);
    expect(s).toEqual({ failed: 1, lockedUntil: null });
  });

  // Reference model: failures are counted since the last lock that had run out when the next
  // failure came; the account is locked exactly when that count has reached the policy's
  // attempts, and the lock ends policy.minutes after the failure that (re)locked it.
  const policies = fc.record({
    attempts: fc.integer({ min: 1, max: 8 }),
    minutes: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 24 * 60 })),
  });
  // Gaps in whole minutes as well as milliseconds, so failures often land exactly as a lock ends.
  const gap = fc.oneof(
    fc.integer({ min: 0, max: 3 * 24 * 60 * MINUTE }),
    fc.integer({ min: 0, max: 30 }).map((m) => m * MINUTE),
  );
  const gaps = fc.array(gap, { maxLength: 40 });

  it('property: locked exactly when the count since the last expired lock reaches the attempts', () => {
    fc.assert(
      fc.property(policies, gaps, (p, steps) => {
        let state: LockoutState = fresh;
        let now = t0.getTime();
        let count = 0;
        let until: number | null = null;
        for (const gap of steps) {
          now += gap;
          const when = new Date(now);
          if (until !== null && until <= now) {
            count = 0;
            until = null;
          }
          count += 1;
          state = afterFailure(state, p, when);
          const shouldLock = count >= p.attempts;
          if (shouldLock) until = now + p.minutes * MINUTE;
          expect(isLocked(state, when)).toBe(shouldLock);
          expect(state.failed).toBe(count);
          if (shouldLock) {
            // The lock ends policy.minutes after the failure that caused it, to the millisecond.
            expect(state.lockedUntil?.getTime()).toBe(now + p.minutes * MINUTE);
            expect(isLocked(state, new Date(now + p.minutes * MINUTE - 1))).toBe(true);
            expect(isLocked(state, new Date(now + p.minutes * MINUTE))).toBe(false);
          } else {
            expect(state.lockedUntil).toBeNull();
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: as the sign-in service uses it (refused before counting while locked), each lock ends policy.minutes after the failure that reached the limit', () => {
    fc.assert(
      fc.property(policies, gaps, (p, steps) => {
        let state: LockoutState = fresh;
        let now = t0.getTime();
        let sinceUnlock = 0;
        for (const gap of steps) {
          now += gap;
          const when = new Date(now);
          if (isLocked(state, when)) continue; // the service refuses without counting
          if (state.lockedUntil !== null) sinceUnlock = 0;
          sinceUnlock += 1;
          state = afterFailure(state, p, when);
          if (sinceUnlock === p.attempts) {
            expect(state.lockedUntil?.getTime()).toBe(now + p.minutes * MINUTE);
            sinceUnlock = 0; // the next counted failure comes after this lock has run out
          } else {
            expect(isLocked(state, when)).toBe(false);
            expect(sinceUnlock).toBeLessThan(p.attempts);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('lockedMessage', () => {
  it('says when to try again, in UK time, and who can unlock the account', () => {
    // 14:05 UTC in January is 14:05 in London.
    expect(lockedMessage(new Date('2025-01-15T14:05:00Z'))).toBe(
      'Your account is locked because of too many failed attempts. Try again after 14:05, or ask your partnership administrator to unlock it.',
    );
  });

  it('uses British Summer Time in summer', () => {
    expect(lockedMessage(new Date('2025-07-15T14:05:00Z'))).toContain('Try again after 15:05');
  });

  it('uses the 24-hour clock, with a leading zero, across midnight', () => {
    expect(lockedMessage(new Date('2025-07-15T23:30:00Z'))).toContain('Try again after 00:30');
    expect(lockedMessage(new Date('2025-01-15T09:07:00Z'))).toContain('Try again after 09:07');
  });
});

describe('passwordProblem', () => {
  const email = 'sam.taylor@demoshire.example.org';

  it('accepts a long enough password that does not contain the e-mail name', () => {
    expect(passwordProblem('purple-otter-lantern', email)).toBeUndefined();
  });

  it('needs at least 12 characters', () => {
    expect(passwordProblem('', email)).toBe(PASSWORD_RULES);
    expect(passwordProblem('a'.repeat(11), email)).toBe(PASSWORD_RULES);
    expect(passwordProblem('a'.repeat(12), email)).toBeUndefined();
  });

  it('allows up to 200 characters', () => {
    expect(passwordProblem('a'.repeat(200), email)).toBeUndefined();
    expect(passwordProblem('a'.repeat(201), email)).toBe('Your password must be 200 characters or fewer');
  });

  it('counts spaces as characters (a passphrase is fine)', () => {
    expect(passwordProblem('four words in here', email)).toBeUndefined();
    expect(passwordProblem('           .', email)).toBeUndefined();
  });

  it('refuses a password containing the e-mail name, whatever the case', () => {
    const problem = 'Your password must not contain your e-mail name';
    expect(passwordProblem('sam.taylor-2025!', email)).toBe(problem);
    expect(passwordProblem('My SAM.Taylor pass', email)).toBe(problem);
    expect(passwordProblem('x', email)).toBe(PASSWORD_RULES); // length is reported first
  });

  it('does not mind the domain of the e-mail address', () => {
    expect(passwordProblem('demoshire.example.org', email)).toBeUndefined();
  });

  it('does not rule out letters just because the e-mail name is one or two of them', () => {
    expect(passwordProblem('a long passphrase', 'a@demoshire.example.org')).toBeUndefined();
    expect(passwordProblem('jolly good passphrase', 'jo@demoshire.example.org')).toBeUndefined();
    expect(passwordProblem('my name is kit really', 'kit@demoshire.example.org')).toBe('Your password must not contain your e-mail name');
  });

  it('property: any password of 12 to 200 characters without the e-mail name is accepted', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 200 }), (password) => {
        fc.pre(!password.toLowerCase().includes('sam.taylor'));
        expect(passwordProblem(password, email)).toBeUndefined();
      }),
    );
  });
});
