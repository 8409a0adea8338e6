// The audit log's hash chain, as pure functions: each entry's hash covers its own fields and the
// previous entry's hash, so editing or deleting any row breaks every link after it.
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
