// Encrypts small secrets kept in the database (security-code secrets) with AES-256-GCM, so a copy
// of the database alone is not enough to use them. The stored form is versioned
// ("v1:<iv>:<tag>:<ciphertext>", each base64) so the scheme can change without a flag day, and
// the caller's context (for example the user id) is bound in as additional authenticated data:
// a value copied into another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // the size GCM is designed for
const TAG_BYTES = 16;
const B64 = '[A-Za-z0-9+/]*={0,2}';
const V1 = new RegExp(`^v1:(${B64}):(${B64}):(${B64})$`);

/** Never carries the secret, the key or the stored value: only what went wrong. */
export class SecretBoxError extends Error {}

/**
 * A 32-byte key from its text form: 64 hex characters, or base64 (44 characters with padding,
 * 43 without). Returns a plain-English problem instead of throwing, for the configuration check.
 */
export function parseKey(text: string): { key: Buffer } | { problem: string } {
  const t = text.trim();
  const problem = `must be ${KEY_BYTES} random bytes written as 64 hex characters or as base64 (for example the output of openssl rand -base64 32)`;
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) key = Buffer.from(t, 'base64');
  else return { problem };
  return key.length === KEY_BYTES ? { key } : { problem };
}

/** True when the value is in a format this module writes (any version), rather than legacy plaintext. */
export const isSealed = (stored: string): boolean => /^v\d+:/.test(stored);

export function seal(key: Buffer, plaintext: string, context: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

/** The plaintext, or a SecretBoxError when the key, the context or the stored value is wrong. */
export function open(key: Buffer, stored: string, context: string): string {
  checkKey(key);
  if (!stored.startsWith(`${VERSION}:`)) {
    throw new SecretBoxError(
      isSealed(stored)
        ? `The encrypted value uses format ${stored.split(':')[0]}, which this version of Jointly does not know.`
        : 'The value is not encrypted in the v1 format.',
    );
  }
  const m = V1.exec(stored);
  const iv = m && Buffer.from(m[1]!, 'base64');
  const tag = m && Buffer.from(m[2]!, 'base64');
  if (!m || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES) {
    throw new SecretBoxError('The encrypted value is damaged: it does not have the v1 parts (iv, tag, ciphertext) in the right sizes.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(m[3]!, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM says only "unable to authenticate": name the three possible causes.
    throw new SecretBoxError(
      'The encrypted value could not be decrypted: the key is not the one it was encrypted with, it belongs to a different record, or it has been changed since it was stored.',
    );
  }
}

function checkKey(key: Buffer) {
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`The encryption key must be ${KEY_BYTES} bytes; this one is ${key.length}.`);
}
