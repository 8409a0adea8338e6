// Writing and checking the audit log. append() must be given the transaction of the action it
// records, so the entry and the action commit or roll back together.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { entryHash, GENESIS_HASH, verifyChain, type AuditFields, type ChainVerdict, type StoredEntry } from './chain.js';

export interface AuditEntry {
  userId?: string | null;
  organisationId?: string | null;
  roles?: readonly string[];
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  purpose?: string | null;
  result: 'allowed' | 'denied';
  requestId?: string | null;
  details?: Record<string, unknown>;
  /**
   * Children whose data the action disclosed besides its subject (the rows of an export). Each is
   * linked to the entry in audit_children, and a digest of the sorted ids goes into the details,
   * so the chain covers the links too.
   */
  children?: readonly string[];
}

/** The digest of a set of child ids kept in an entry's details (see AuditEntry.children). */
export function childrenDigest(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...new Set(ids)].sort().join('\n'))
    .digest('hex');
}

// One writer at a time extends the chain; the lock is released when the caller's transaction ends.
const AUDIT_CHAIN_LOCK = 7_240_002;

export async function appendAudit(tx: Db, entry: AuditEntry): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(tx);
  const last = await tx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prev = last?.hash ?? GENESIS_HASH;
  const children = [...new Set(entry.children ?? [])];
  const fields: AuditFields = {
    at: new Date(),
    user_id: entry.userId ?? null,
    organisation_id: entry.organisationId ?? null,
    roles: (entry.roles ?? []).join(','),
    action: entry.action,
    subject_type: entry.subjectType ?? null,
    subject_id: entry.subjectId ?? null,
    purpose: entry.purpose ?? null,
    result: entry.result,
    request_id: entry.requestId ?? null,
    details: JSON.stringify(
      children.length ? { ...entry.details, children: { count: children.length, sha256: childrenDigest(children) } } : (entry.details ?? {}),
    ),
  };
  const { id } = await tx
    .insertInto('audit_log')
    .values({ ...fields, prev_hash: prev, hash: entryHash(prev, fields) })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let i = 0; i < children.length; i += 5000) {
    await tx
      .insertInto('audit_children')
      .values(children.slice(i, i + 5000).map((child_id) => ({ audit_id: id, child_id })))
      .execute();
  }
}

/** Reads the whole log in pages and reports the first broken link, if any. */
export async function verifyAudit(db: Db, pageSize = 5000): Promise<ChainVerdict> {
  let afterId = 0;
  let prev = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', String(afterId)).orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return { ok: true, checked };
    const entries: StoredEntry[] = rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at) }));
    const verdict = verifyChain(entries, prev);
    if (!verdict.ok) return { ...verdict, checked: checked + verdict.checked };
    const links = await verifyChildLinks(db, entries);
    if (links) return { ok: false, checked: checked + entries.findIndex((e) => e.id === links.brokenAt), ...links };
    checked += verdict.checked;
    const tail = entries[entries.length - 1]!;
    prev = tail.hash;
    afterId = tail.id;
  }
}

/**
 * The children linked to each entry (audit_children) must be exactly those its details' digest
 * names: the chain covers the digest, so a link added, removed or moved afterwards shows here.
 */
async function verifyChildLinks(db: Db, entries: readonly StoredEntry[]): Promise<{ brokenAt: number; reason: string } | null> {
  if (entries.length === 0) return null;
  const first = entries[0]!.id;
  const last = entries[entries.length - 1]!.id;
  const rows = await db
    .selectFrom('audit_children')
    .select(['audit_id', 'child_id'])
    .where('audit_id', '>=', String(first))
    .where('audit_id', '<=', String(last))
    .execute();
  const linked = new Map<number, string[]>();
  for (const r of rows) {
    const id = Number(r.audit_id);
    linked.set(id, [...(linked.get(id) ?? []), r.child_id]);
  }
  for (const e of entries) {
    const ids = linked.get(e.id) ?? [];
    let claimed: { count?: number; sha256?: string } | undefined;
    try {
      claimed = (JSON.parse(e.details) as { children?: { count?: number; sha256?: string } }).children;
    } catch {
      claimed = undefined;
    }
    const expected = claimed?.sha256 ?? null;
    const actual = ids.length ? childrenDigest(ids) : null;
    if (expected !== actual || (claimed && claimed.count !== ids.length)) {
      return {
        brokenAt: e.id,
        reason: `entry ${e.id}'s links to children do not match the ${claimed?.count ?? 0} it recorded (a link was added, removed or changed)`,
      };
    }
  }
  return null;
}
