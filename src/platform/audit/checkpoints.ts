// Signed checkpoints of the audit chain, as Certificate Transparency's signed tree heads: the
// position and hash of the chain's head at a moment, signed with Ed25519 by a key that is not in
// the database. Kept outside the database (a file, a log line), a checkpoint exposes a table
// rewritten with a consistent chain: the table's hash at that position is no longer the signed
// one. Pure functions here (node:crypto's Ed25519 is deterministic); files are in checkpoint-file.ts.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { ChainHead } from './chain.js';

export interface CheckpointBody {
  seq: number;
  hash: string;
  /** When it was made, ISO 8601 (UTC, milliseconds). */
  at: string;
}
export interface SignedCheckpoint extends CheckpointBody {
  /** Which key signed it: the first 16 hex digits of the SHA-256 of the public key (SPKI, DER). */
  keyId: string;
  /** Ed25519 signature of checkpointMessage(), base64. */
  signature: string;
}

export interface CheckpointKey {
  /** Absent where checkpoints are only checked (a verifier holding the public key). */
  privateKey?: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

export interface CheckpointPolicy {
  /** A checkpoint once this many entries have been sealed since the last one... */
  everyEntries: number;
  /** ...or once this many minutes have passed with any entry sealed since the last one. */
  everyMinutes: number;
}

const HASH = /^[0-9a-f]{64}$/;

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function checkpointKey(privateKey: KeyObject): CheckpointKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The audit checkpoint key must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** The exact bytes signed: a fixed label, so a signature made for something else never passes as a checkpoint. */
export function checkpointMessage(c: CheckpointBody): Buffer {
  return Buffer.from(`jointly audit checkpoint v1\n${c.seq}\n${c.hash}\n${c.at}`, 'utf8');
}

export function signCheckpoint(key: CheckpointKey, head: ChainHead, at: Date): SignedCheckpoint {
  if (!key.privateKey) throw new Error('Cannot sign an audit checkpoint without the private key');
  const body = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...body, keyId: key.keyId, signature: sign(null, checkpointMessage(body), key.privateKey).toString('base64') };
}

export type CheckpointCheck = 'valid' | 'other-key' | 'bad-signature';

/** Whether `c` was signed by `key`: 'other-key' when another key (an older one, or a stranger's) says it signed it. */
export function checkCheckpoint(key: Pick<CheckpointKey, 'publicKey' | 'keyId'>, c: SignedCheckpoint): CheckpointCheck {
  if (c.keyId !== key.keyId) return 'other-key';
  try {
    return verify(null, checkpointMessage(c), key.publicKey, Buffer.from(c.signature, 'base64')) ? 'valid' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
}

/** Whether the sealer should sign a checkpoint at `head` now, given the last one (null before the first). */
export function checkpointDue(last: { seq: number; at: Date } | null, head: ChainHead, now: Date, policy: CheckpointPolicy): boolean {
  const since = head.seq - (last?.seq ?? 0);
  if (since <= 0) return false;
  if (!last || since >= policy.everyEntries) return true;
  return now.getTime() - last.at.getTime() >= policy.everyMinutes * 60_000;
}

/** One checkpoint as a line of the checkpoint file (JSON Lines). */
export function checkpointLine(c: SignedCheckpoint): string {
  return JSON.stringify({ seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId, signature: c.signature });
}

/** Reads a checkpoint file's text: the checkpoints in it, and each line that is not one. */
export function parseCheckpointLines(text: string): { checkpoints: SignedCheckpoint[]; problems: string[] } {
  const checkpoints: SignedCheckpoint[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const c = parseCheckpoint(line);
    if (c) checkpoints.push(c);
    else problems.push(`line ${i + 1} is not a checkpoint`);
  });
  return { checkpoints, problems };
}

export function parseCheckpoint(line: string): SignedCheckpoint | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (
    !Number.isSafeInteger(o.seq) ||
    (o.seq as number) < 1 ||
    typeof o.hash !== 'string' ||
    !HASH.test(o.hash) ||
    typeof o.at !== 'string' ||
    Number.isNaN(Date.parse(o.at)) ||
    typeof o.keyId !== 'string' ||
    typeof o.signature !== 'string'
  ) {
    return null;
  }
  return { seq: o.seq as number, hash: o.hash, at: o.at, keyId: o.keyId, signature: o.signature };
}
