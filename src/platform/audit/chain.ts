// The audit log's hash chain, as pure functions: each entry's hash covers its own fields and the
// previous entry's hash, so editing or deleting any row breaks every link after it. Entries are
// written unsealed (no position, no hash) and sealed later, in commit order, by the sealer
// (sealer.ts): `sealEntries` gives each its position (seq) and hash, and `verifySequence` checks
// sealed entries in position order. See docs/adr/0013-audit-without-a-global-lock.md.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  at: Date;
  user_id: string | null;
  organisation_id: string | null;
  roles: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  result: 'allowed' | 'denied';
  request_id: string | null;
  details: string;
}

export function entryHash(prevHash: string, f: AuditFields): string {
  const canonical = JSON.stringify([
    prevHash,
    f.at.toISOString(),
    f.user_id,
    f.organisation_id,
    f.roles,
    f.action,
    f.subject_type,
    f.subject_id,
    f.purpose,
    f.result,
    f.request_id,
    f.details,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export type StoredEntry = AuditFields & { id: number; prev_hash: string; hash: string };

export type ChainVerdict = { ok: true; checked: number } | { ok: false; checked: number; brokenAt: number; reason: string };

/** Checks entries in id order. Ids may have gaps only where a row was deleted, which the chain shows. */
export function verifyChain(entries: Iterable<StoredEntry>, startHash = GENESIS_HASH): ChainVerdict {
  let prev = startHash;
  let checked = 0;
  for (const e of entries) {
    if (e.prev_hash !== prev) {
      return { ok: false, checked, brokenAt: e.id, reason: `entry ${e.id} does not follow the entry before it (a row was deleted or changed)` };
    }
    if (entryHash(prev, e) !== e.hash) {
      return { ok: false, checked, brokenAt: e.id, reason: `entry ${e.id} has been altered since it was written` };
    }
    prev = e.hash;
    checked++;
  }
  return { ok: true, checked };
}

/** The end of the sealed chain: the last position given out and its hash (0 and GENESIS_HASH before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}
export const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

export type UnsealedEntry = AuditFields & { id: number };
export interface Seal {
  id: number;
  seq: number;
  prev_hash: string;
  hash: string;
}

/** Extends the chain from `head` with `entries`, in the order given: consecutive positions, each hash over the one before. */
export function sealEntries(head: ChainHead, entries: readonly UnsealedEntry[]): Seal[] {
  let prev = head.hash;
  return entries.map((e, i) => {
    const hash = entryHash(prev, e);
    const seal = { id: e.id, seq: head.seq + i + 1, prev_hash: prev, hash };
    prev = hash;
    return seal;
  });
}

export type SealedEntry = StoredEntry & { seq: number };

/**
 * What checking sealed entries found. `position` is the first bad position in the chain (seq);
 * `brokenAt` the id of the entry found there (for a missing position, the entry after the gap).
 */
export type SequenceVerdict =
  { ok: true; checked: number; head: ChainHead } | { ok: false; checked: number; position: number; brokenAt: number; reason: string };

/**
 * Checks sealed entries in position order, starting after `from`: positions consecutive, each
 * entry linked to the one before and its hash its own. `signed` maps positions to the hashes of
 * signed checkpoints: the table's hash there must be the signed one, which exposes a whole table
 * rewritten with a consistent chain.
 */
export function verifySequence(entries: Iterable<SealedEntry>, from: ChainHead = GENESIS, signed: ReadonlyMap<number, string> = new Map()): SequenceVerdict {
  let prev = from.hash;
  let seq = from.seq;
  let checked = 0;
  for (const e of entries) {
    const expected = seq + 1;
    if (e.seq > expected) {
      const missing = e.seq - expected;
      return {
        ok: false,
        checked,
        position: expected,
        brokenAt: e.id,
        reason:
          missing === 1
            ? `the entry at position ${expected} is missing (deleted)`
            : `the entries at positions ${expected} to ${e.seq - 1} are missing (deleted)`,
      };
    }
    if (e.seq < expected) {
      return { ok: false, checked, position: e.seq, brokenAt: e.id, reason: `position ${e.seq} appears twice (entry ${e.id} was inserted)` };
    }
    if (e.prev_hash !== prev) {
      return {
        ok: false,
        checked,
        position: e.seq,
        brokenAt: e.id,
        reason: `entry ${e.id} does not follow the entry before it (a row was deleted, inserted or changed)`,
      };
    }
    if (entryHash(prev, e) !== e.hash) {
      return { ok: false, checked, position: e.seq, brokenAt: e.id, reason: `entry ${e.id} has been altered since it was written` };
    }
    const want = signed.get(e.seq);
    if (want !== undefined && want !== e.hash) {
      return {
        ok: false,
        checked,
        position: e.seq,
        brokenAt: e.id,
        reason: `the log does not match the signed checkpoint at position ${e.seq}: entries up to there have been rewritten`,
      };
    }
    prev = e.hash;
    seq = e.seq;
    checked++;
  }
  return { ok: true, checked, head: { seq, hash: prev } };
}
