// How a security-code secret is kept in users.totp_secret: encrypted under JOINTLY_TOTP_KEY with
// the user's id bound in, so a value copied to another person's row does not decrypt. Rows
// written before encryption hold the bare base32 secret; those are still read, and the caller
// re-encrypts them at the next successful sign-in.
import { isSealed, open, seal, SecretBoxError } from '../../platform/auth/secret-box.js';

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
    throw new SecretBoxError(`The security-code secret of user ${userId} could not be read. ${e.message} Check that JOINTLY_TOTP_KEY is the key it was stored under.`);
  }
}
