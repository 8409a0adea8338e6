// Writing and checking the audit log. appendAudit() must be given the transaction of the action it
// records, so the entry and the action commit or roll back together. Entries are sealed into the
// hash chain after commit by sealer.ts; see docs/adr/0013-audit-without-a-global-lock.md.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { GENESIS, verifySequence, type AuditFields, type ChainHead, type SealedEntry, type StoredEntry } from './chain.js';

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
  /**
   * When it happened, for the demo area's fictional past only (src/demo/history.ts, marked so in
   * its details). Everything a person does is stamped by the database clock's "now".
   */
  at?: Date;
}

/** The digest of a set of child ids kept in an entry's details (see AuditEntry.children). */
export function childrenDigest(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...new Set(ids)].sort().join('\n'))
    .digest('hex');
}

/**
 * Writes an entry, unsealed, in the caller's transaction: no lock and no read of the chain, so
 * audited transactions never wait for one another. The sealer (sealer.ts) gives it its position
 * in the chain and its hash once it has committed.
 */
export async function appendAudit(tx: Db, entry: AuditEntry): Promise<void> {
  const children = [...new Set(entry.children ?? [])];
  const fields: AuditFields = {
    at: entry.at ?? new Date(),
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
  const { id } = await tx.insertInto('audit_log').values(fields).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < children.length; i += 5000) {
    await tx
      .insertInto('audit_children')
      .values(children.slice(i, i + 5000).map((child_id) => ({ audit_id: id, child_id })))
      .execute();
  }
}

export interface Unsealed {
  /** Entries committed but not yet given a position in the chain. */
  count: number;
  oldestAt: Date | null;
}

type ChainFinding =
  | { ok: true; checked: number; head: ChainHead }
  /** `position`: the first bad position in the chain; `brokenAt`: the id of the entry there (null when there is none, as after a deleted tail). */
  | { ok: false; checked: number; position: number; brokenAt: number | null; reason: string };

export type AuditVerdict = ChainFinding & {
  /** The position verification started after (0: from the first entry). */
  from: number;
  /** How many signed checkpoints the log was compared with. */
  checkpoints: number;
  unsealed: Unsealed;
};

export async function unsealedEntries(db: Db): Promise<Unsealed> {
  const row = await db
    .selectFrom('audit_log')
    .select([sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(at)`.as('oldest')])
    .where('seq', 'is', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldestAt: row.oldest ? new Date(row.oldest) : null };
}

/**
 * Checks the sealed chain in position order, after `from` (the start, or a signed checkpoint whose
 * position and hash the table must still hold), in pages. Each of `checkpoints` (signed, already
 * checked) must match the table at its position, so a whole table rewritten with a consistent
 * chain is exposed too. Unsealed entries are counted, not judged: they are not in the chain yet.
 */
export async function verifyAudit(
  db: Db,
  opts: { from?: ChainHead; checkpoints?: readonly { seq: number; hash: string }[]; pageSize?: number } = {},
): Promise<AuditVerdict> {
  const from = opts.from ?? GENESIS;
  const pageSize = opts.pageSize ?? 5000;
  const checkpoints = opts.checkpoints ?? [];
  const unsealed = await unsealedEntries(db);
  const done = (v: ChainFinding): AuditVerdict => ({ ...v, from: from.seq, checkpoints: checkpoints.length, unsealed });

  // Checkpoints at or before the starting point: one look-up each, smallest position first.
  const before = [...checkpoints.filter((c) => c.seq <= from.seq), ...(from.seq > 0 ? [from] : [])].sort((a, b) => a.seq - b.seq);
  if (before.length) {
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'seq', 'hash'])
      .where(
        'seq',
        'in',
        before.map((c) => String(c.seq)),
      )
      .execute();
    const at = new Map(rows.map((r) => [Number(r.seq), r]));
    for (const c of before) {
      const row = at.get(c.seq);
      if (!row)
        return done({
          ok: false,
          checked: 0,
          position: c.seq,
          brokenAt: null,
          reason: `the entry at position ${c.seq}, which a signed checkpoint records, is missing (deleted)`,
        });
      if (row.hash !== c.hash) {
        return done({
          ok: false,
          checked: 0,
          position: c.seq,
          brokenAt: Number(row.id),
          reason: `the log does not match the signed checkpoint at position ${c.seq}: entries up to there have been rewritten`,
        });
      }
    }
  }

  const signed = new Map(checkpoints.filter((c) => c.seq > from.seq).map((c) => [c.seq, c.hash]));
  let head = from;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', String(head.seq)).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    const entries: SealedEntry[] = rows.map((r) => ({
      ...r,
      id: Number(r.id),
      seq: Number(r.seq),
      at: new Date(r.at),
      prev_hash: r.prev_hash!,
      hash: r.hash!,
    }));
    const verdict = verifySequence(entries, head, signed);
    if (!verdict.ok) return done({ ...verdict, checked: checked + verdict.checked });
    const links = await verifyChildLinks(db, entries);
    if (links) {
      const i = entries.findIndex((e) => e.id === links.brokenAt);
      return done({ ok: false, checked: checked + i, position: entries[i]!.seq, ...links });
    }
    checked += verdict.checked;
    head = verdict.head;
  }
  const beyond = [...signed.keys()].filter((seq) => seq > head.seq).sort((a, b) => a - b)[0];
  if (beyond !== undefined) {
    return done({
      ok: false,
      checked,
      position: head.seq + 1,
      brokenAt: null,
      reason: `the log ends at position ${head.seq}, but a signed checkpoint records position ${beyond}: entries have been deleted from the end`,
    });
  }
  return done({ ok: true, checked, head });
}

/**
 * The children linked to each entry (audit_children) must be exactly those its details' digest
 * names: the chain covers the digest, so a link added, removed or moved afterwards shows here.
 */
async function verifyChildLinks(db: Db, entries: readonly StoredEntry[]): Promise<{ brokenAt: number; reason: string } | null> {
  if (entries.length === 0) return null;
  // Sealed in commit order, so a page's ids are not one range: ask for exactly these.
  const rows = await db
    .selectFrom('audit_children')
    .select(['audit_id', 'child_id'])
    .where('audit_id', '=', sql<string>`any(${entries.map((e) => String(e.id))}::bigint[])`)
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
