// The secret box: what it seals only the same key and context open; anything else is refused
// with a message that names the problem and never the secret.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSealed, open, parseKey, seal, SecretBoxError } from './secret-box.js';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OTHER_KEY = Buffer.alloc(32, 7);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const USER = '6f1c2d3e-0000-4000-8000-000000000001';
const OTHER_USER = '6f1c2d3e-0000-4000-8000-000000000002';

/** The SecretBoxError that opening throws, checked to carry no part of the secret or stored value. */
function refusal(key: Buffer, stored: string, context: string): string {
  try {
    open(key, stored, context);
  } catch (e) {
    expect(e).toBeInstanceOf(SecretBoxError);
    const message = (e as Error).message;
    expect(message).not.toContain(SECRET);
    for (const part of stored.split(':').slice(1)) if (part.length > 3) expect(message).not.toContain(part);
    return message;
  }
  throw new Error('open accepted a value it should have refused');
}

/** The stored value with one byte of one base64 part flipped. */
function flip(stored: string, part: 1 | 2 | 3): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64');
  return parts.join(':');
}

describe('sealing and opening', () => {
  it('opens what it sealed, for any text and context', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (plaintext, context) => {
        expect(open(KEY, seal(KEY, plaintext, context), context)).toBe(plaintext);
      }),
    );
  });

  it('writes "v1:<iv>:<tag>:<ciphertext>" in base64, without the secret in it', () => {
    const stored = seal(KEY, SECRET, USER);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain(SECRET);
    expect(isSealed(stored)).toBe(true);
    expect(isSealed(SECRET)).toBe(false);
  });

  it('uses a fresh IV each time, so the same secret never looks the same twice', () => {
    const a = seal(KEY, SECRET, USER);
    const b = seal(KEY, SECRET, USER);
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
  });

  it('refuses the wrong key', () => {
    expect(refusal(OTHER_KEY, seal(KEY, SECRET, USER), USER)).toContain('could not be decrypted');
  });

  it('refuses another context: a value copied to another user does not open', () => {
    expect(refusal(KEY, seal(KEY, SECRET, USER), OTHER_USER)).toContain('could not be decrypted');
  });

  it.each([
    [1, 'iv'],
    [2, 'tag'],
    [3, 'ciphertext'],
  ] as const)('refuses a value whose part %s (%s) has been changed', (part, _name) => {
    expect(refusal(KEY, flip(seal(KEY, SECRET, USER), part), USER)).toContain('has been changed since it was stored');
  });

  it('refuses a value cut short, or with parts of the wrong size', () => {
    const stored = seal(KEY, SECRET, USER);
    expect(refusal(KEY, stored.split(':').slice(0, 3).join(':'), USER)).toContain('is damaged');
    const [v, , tag, ct] = stored.split(':');
    expect(refusal(KEY, [v, randomBytes(8).toString('base64'), tag, ct].join(':'), USER)).toContain('is damaged');
  });

  it('refuses plaintext and formats it does not know, saying which', () => {
    expect(refusal(KEY, SECRET, USER)).toBe('The value is not encrypted in the v1 format.');
    expect(refusal(KEY, 'v9:a:b:c', USER)).toContain('uses format v9, which this version of Jointly does not know');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => seal(Buffer.alloc(16), SECRET, USER)).toThrow('The encryption key must be 32 bytes; this one is 16.');
  });
});

describe('reading a key', () => {
  const raw = randomBytes(32);

  it('reads 64 hex characters, in either case', () => {
    expect(parseKey(raw.toString('hex'))).toEqual({ key: raw });
    expect(parseKey(raw.toString('hex').toUpperCase())).toEqual({ key: raw });
  });

  it('reads base64, with or without padding, ignoring surrounding spaces', () => {
    const b64 = raw.toString('base64');
    expect(parseKey(b64)).toEqual({ key: raw });
    expect(parseKey(b64.replace(/=$/, ''))).toEqual({ key: raw });
    expect(parseKey(` ${b64}\n`)).toEqual({ key: raw });
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['63 hex characters', raw.toString('hex').slice(1)],
    ['a passphrase', 'correct horse battery staple correct horse!!'],
  ])('refuses %s, saying what a key must be', (_what, text) => {
    expect(parseKey(text)).toEqual({
      problem: 'must be 32 random bytes written as 64 hex characters or as base64 (for example the output of openssl rand -base64 32)',
    });
  });
});
