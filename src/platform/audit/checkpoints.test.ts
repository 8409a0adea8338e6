import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import {
  checkCheckpoint,
  checkpointDue,
  checkpointKey,
  checkpointLine,
  parseCheckpoint,
  parseCheckpointLines,
  signCheckpoint,
  type SignedCheckpoint,
} from './checkpoints.js';

const key = checkpointKey(generateKeyPairSync('ed25519').privateKey);
const stranger = checkpointKey(generateKeyPairSync('ed25519').privateKey);
const hashArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const at = new Date('2026-05-03T14:02:00.123Z');

describe('signed audit checkpoints', () => {
  it('signs position, hash and time, and the signature holds for exactly those', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), hashArb, (seq, hash) => {
        const c = signCheckpoint(key, { seq, hash }, at);
        expect(c).toMatchObject({ seq, hash, at: '2026-05-03T14:02:00.123Z', keyId: key.keyId });
        expect(checkCheckpoint(key, c)).toBe('valid');
        expect(checkCheckpoint(key, { ...c, seq: seq + 1 })).toBe('bad-signature');
        expect(checkCheckpoint(key, { ...c, hash: hash.replace(/^./, hash[0] === '0' ? '1' : '0') })).toBe('bad-signature');
        expect(checkCheckpoint(key, { ...c, at: '2026-05-03T14:02:00.124Z' })).toBe('bad-signature');
      }),
      { numRuns: 30 },
    );
  });

  it('tells a checkpoint signed by another key from a forged one', () => {
    const theirs = signCheckpoint(stranger, { seq: 5, hash: 'a'.repeat(64) }, at);
    expect(checkCheckpoint(key, theirs)).toBe('other-key');
    // Someone without the key cannot make a checkpoint that claims it.
    expect(checkCheckpoint(key, { ...theirs, keyId: key.keyId })).toBe('bad-signature');
    expect(checkCheckpoint(key, { ...theirs, keyId: key.keyId, signature: 'not base64 at all!' })).toBe('bad-signature');
  });

  it('is due every N entries, or after M minutes when anything was sealed since, never for nothing new', () => {
    const policy = { everyEntries: 100, everyMinutes: 10 };
    const last = { seq: 500, at: new Date('2026-05-03T14:00:00Z') };
    const head = (seq: number) => ({ seq, hash: 'a'.repeat(64) });
    expect(checkpointDue(null, head(0), at, policy)).toBe(false);
    expect(checkpointDue(null, head(1), at, policy)).toBe(true);
    expect(checkpointDue(last, head(599), new Date('2026-05-03T14:09:59Z'), policy)).toBe(false);
    expect(checkpointDue(last, head(600), new Date('2026-05-03T14:00:01Z'), policy)).toBe(true);
    expect(checkpointDue(last, head(501), new Date('2026-05-03T14:10:00Z'), policy)).toBe(true);
    expect(checkpointDue(last, head(500), new Date('2026-05-04T14:10:00Z'), policy)).toBe(false);
  });

  it('reads back the lines it writes, and names the lines that are not checkpoints', () => {
    const cs: SignedCheckpoint[] = [1000, 2000].map((seq) => signCheckpoint(key, { seq, hash: 'b'.repeat(64) }, at));
    const text = `${checkpointLine(cs[0]!)}\n{"seq":"x"}\n\nnot json\n${checkpointLine(cs[1]!)}\n`;
    expect(parseCheckpointLines(text)).toEqual({ checkpoints: cs, problems: ['line 2 is not a checkpoint', 'line 4 is not a checkpoint'] });
    expect(parseCheckpoint(JSON.stringify({ ...cs[0], seq: 0 }))).toBeNull();
    expect(parseCheckpoint(JSON.stringify({ ...cs[0], hash: 'short' }))).toBeNull();
  });
});
