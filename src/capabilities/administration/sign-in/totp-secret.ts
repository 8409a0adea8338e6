// How a security-code secret is kept in users.totp_secret: encrypted under JOINTLY_TOTP_KEY with
// the user's id bound in, so a value copied to another person's row does not decrypt. Rows
// written before encryption hold the bare base32 secret; those are still read, and the caller
// re-encrypts them at the next successful sign-in. `jointly rekey-security-codes` moves every row
// to a new key (rekeyTotpSecrets).
import type { Db } from '../../../platform/db/database.js';
import { appendAudit } from '../../../platform/audit/audit.js';
import { isSealed, open, seal, SecretBoxError } from '../../../platform/auth/secret-box.js';

const BASE32 = /^[A-Z2-7]+=*$/;

export const sealTotpSecret = (key: Buffer, userId: string, secret: string): string => seal(key, secret, userId);

/** The base32 secret, and whether it was stored in the old plaintext form. */
export function readTotpSecret(key: Buffer, userId: string, stored: string): { secret: string; legacy: boolean } {
  if (!isSealed(stored)) {
    if (BASE32.test(stored)) return { secret: stored, legacy: true };
    throw new SecretBoxError(`The security-code secret of user ${userId} is neither encrypted nor a base32 secret; it cannot be used.`);
  }
  try {
    return { secret: open(key, stored, userId), legacy: false };
  } catch (e) {
    if (!(e instanceof SecretBoxError)) throw e;
    throw new SecretBoxError(
      `The security-code secret of user ${userId} could not be read. ${e.message} Check that JOINTLY_TOTP_KEY is the key it was stored under.`,
    );
  }
}

/** What re-keying does with one stored secret; never carries the secret itself except re-sealed. */
export type RekeyStep =
  | { kind: 'current' } // already under the new key: left alone, so a second run changes nothing
  | { kind: 'rekeyed'; stored: string } // was under the old key
  | { kind: 'encrypted'; stored: string } // was legacy plaintext
  | { kind: 'unreadable' }; // under neither key (or damaged)

/** Decides, for one row, how to move its secret from `oldKey` to `newKey`. */
export function rekeyTotpSecret(oldKey: Buffer, newKey: Buffer, userId: string, stored: string): RekeyStep {
  if (!isSealed(stored)) return BASE32.test(stored) ? { kind: 'encrypted', stored: sealTotpSecret(newKey, userId, stored) } : { kind: 'unreadable' };
  const under = (key: Buffer): string | null => {
    try {
      return open(key, stored, userId);
    } catch (e) {
      if (e instanceof SecretBoxError) return null;
      throw e;
    }
  };
  // The new key is tried first: GCM authentication makes "decrypts under it" a reliable sign
  // that the row was already moved.
  if (under(newKey) !== null) return { kind: 'current' };
  const secret = under(oldKey);
  return secret === null ? { kind: 'unreadable' } : { kind: 'rekeyed', stored: sealTotpSecret(newKey, userId, secret) };
}

/** Re-keying stopped before changing anything; the message is for the operator. */
export class RekeyRefused extends Error {
  constructor(
    message: string,
    readonly userIds: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface RekeyResult {
  /** Secrets moved from the old key to the new one. */
  rekeyed: number;
  /** Legacy plaintext secrets encrypted under the new key. */
  encrypted: number;
  /** Secrets already under the new key, left as they were. */
  current: number;
}

/**
 * Moves every users.totp_secret to `newKey` in one transaction, with its audit entry. Refuses,
 * changing nothing, if any row decrypts under neither key: re-keying the rest would leave those
 * people's secrets under a key the operator may be about to throw away.
 */
export async function rekeyTotpSecrets(db: Db, keys: { oldKey: Buffer; newKey: Buffer }, via: string): Promise<RekeyResult> {
  if (keys.oldKey.equals(keys.newKey)) {
    throw new RekeyRefused(
      'The old key is the same as JOINTLY_TOTP_KEY, so there is nothing to re-key. Set JOINTLY_TOTP_KEY to the new key first; nothing was changed.',
    );
  }
  return db.transaction().execute(async (tx) => {
    // Locked, so a sign-in that rewrites a secret meanwhile waits for this transaction.
    const rows = await tx.selectFrom('users').select(['id', 'totp_secret']).where('totp_secret', 'is not', null).orderBy('id').forUpdate().execute();
    const result: RekeyResult = { rekeyed: 0, encrypted: 0, current: 0 };
    const writes: { id: string; stored: string }[] = [];
    const unreadable: string[] = [];
    for (const row of rows) {
      const step = rekeyTotpSecret(keys.oldKey, keys.newKey, row.id, row.totp_secret!);
      if (step.kind === 'unreadable') unreadable.push(row.id);
      else if (step.kind === 'current') result.current++;
      else {
        result[step.kind]++;
        writes.push({ id: row.id, stored: step.stored });
      }
    }
    if (unreadable.length) {
      const n = unreadable.length;
      throw new RekeyRefused(
        `Nothing was changed: ${n} security-code secret${n === 1 ? '' : 's'} decrypt${n === 1 ? 's' : ''} under neither the old key nor JOINTLY_TOTP_KEY ` +
          `(user id${n === 1 ? '' : 's'} ${unreadable.join(', ')}). Check that the old key file holds the key ${n === 1 ? 'it was' : 'they were'} stored under; ` +
          'if that key is lost, see "Changing the security-code key" in docs/operations.md.',
        unreadable,
      );
    }
    for (const w of writes) await tx.updateTable('users').set({ totp_secret: w.stored }).where('id', '=', w.id).execute();
    await appendAudit(tx, { action: 'cli.rekey-security-codes', result: 'allowed', details: { via, ...result } });
    return result;
  });
}
