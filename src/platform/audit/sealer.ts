// The sealer: gives committed, unsealed audit entries their positions in the hash chain, in id
// order, and extends the chain, in one transaction per batch, under a lock that only sealers take
// (writers never wait for it). A sealer killed mid-batch leaves its batch unsealed, and the next
// sealer seals it: nothing half-sealed, nothing sealed twice (the table's trigger refuses a second
// seal). Every so many entries or minutes it checks the chain since the last checkpoint and, if it
// holds, signs a checkpoint of the head and keeps it outside the database (a file and a log line)
// as well as in audit_checkpoints.
// See docs/adr/0013-audit-without-a-global-lock.md.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import { GENESIS, sealEntries, type ChainHead } from './chain.js';
import { checkCheckpoint, checkpointDue, signCheckpoint, type CheckpointKey, type CheckpointPolicy, type SignedCheckpoint } from './checkpoints.js';
import { verifyAudit } from './audit.js';
import { appendCheckpoint, readLastCheckpoint } from './checkpoint-file.js';

/** Held only by sealers, for the length of one batch's transaction. */
const SEALER_LOCK = 7_240_003;
export const SEAL_JOB = 'audit.seal';
const BATCH = 5000;

export interface AuditCheckpointing {
  key: CheckpointKey;
  /** The checkpoint file (JSON Lines); none: checkpoints go to the log and the database only. */
  file: string | undefined;
  policy: CheckpointPolicy;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface SealResult {
  sealed: number;
  head: ChainHead;
  /** Checkpoints signed (and published) on the way. */
  checkpoints: SignedCheckpoint[];
  /** Why a checkpoint that was due was not signed: the chain since the last one did not verify. */
  problem: string | null;
}

/** The chain's head: the last sealed position and its hash. */
export async function chainHead(db: Db): Promise<ChainHead> {
  const last = await db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last ? { seq: Number(last.seq), hash: last.hash! } : GENESIS;
}

/**
 * Seals one batch inside `tx` (the caller commits): takes the sealers' lock, reads the head and up
 * to `batchSize` committed unsealed entries in id order, seals them, and signs a checkpoint when
 * one is due. Exported for tests that kill a sealer mid-batch; use sealAudit.
 */
export async function sealBatch(
  tx: Db,
  opts: { batchSize?: number; checkpointing?: AuditCheckpointing | undefined; now?: Date } = {},
): Promise<{ sealed: number; head: ChainHead; checkpoint: SignedCheckpoint | null; problem: string | null }> {
  await sql`select pg_advisory_xact_lock(${SEALER_LOCK})`.execute(tx);
  // Read after the lock, so the head is the one the previous sealer committed.
  const before = await chainHead(tx);
  const rows = await tx
    .selectFrom('audit_log')
    .select(['id', 'at', 'user_id', 'organisation_id', 'roles', 'action', 'subject_type', 'subject_id', 'purpose', 'result', 'request_id', 'details'])
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(opts.batchSize ?? BATCH)
    .execute();
  const seals = sealEntries(
    before,
    rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at) })),
  );
  if (seals.length) {
    const res = await sql`
      update audit_log a set seq = s.seq, prev_hash = s.prev_hash, hash = s.hash, sealed_at = clock_timestamp()
      from (select unnest(${seals.map((s) => String(s.id))}::bigint[]) as id, unnest(${seals.map((s) => String(s.seq))}::bigint[]) as seq,
                   unnest(${seals.map((s) => s.prev_hash)}::text[]) as prev_hash, unnest(${seals.map((s) => s.hash)}::text[]) as hash) s
      where a.id = s.id and a.seq is null`.execute(tx);
    if (Number(res.numAffectedRows ?? -1) !== seals.length) throw new Error('Audit entries changed while they were being sealed; nothing was sealed');
  }
  const head = seals.length ? { seq: seals[seals.length - 1]!.seq, hash: seals[seals.length - 1]!.hash } : before;
  let checkpoint: SignedCheckpoint | null = null;
  let problem: string | null = null;
  const cp = opts.checkpointing;
  if (cp?.key.privateKey) {
    const now = opts.now ?? new Date();
    // The newest checkpoint of either copy: the file's when the database's has been deleted.
    const lasts = await lastCheckpoints(tx, cp);
    const last = lasts.reduce<SignedCheckpoint | null>((a, c) => (!a || c.seq > a.seq ? c : a), null);
    if (checkpointDue(last ? { seq: last.seq, at: new Date(last.at) } : null, head, now, cp.policy)) {
      // A checkpoint vouches for the chain up to its head, so the part since the last one is checked
      // first (the part just sealed was made here, but older entries may have been changed since).
      const checks = lasts.map((c) => ({ c, check: checkCheckpoint(cp.key, c) }));
      const forged = checks.find((x) => x.check === 'bad-signature');
      const anchors = checks.filter((x) => x.check === 'valid').map((x) => x.c);
      const from = anchors.reduce<SignedCheckpoint | null>((a, c) => (!a || c.seq > a.seq ? c : a), null);
      if (forged) problem = `the checkpoint at position ${forged.c.seq} does not carry a valid signature`;
      else {
        const segment = await verifyAudit(tx, { from: from ?? GENESIS, checkpoints: anchors });
        if (!segment.ok) problem = `the chain is broken at position ${segment.position}: ${segment.reason}`;
      }
      if (problem) {
        cp.log?.error({ auditProblem: problem }, 'audit checkpoint not signed: the audit log has been tampered with');
      } else {
        checkpoint = signCheckpoint(cp.key, head, now);
        await tx
          .insertInto('audit_checkpoints')
          .values({ seq: String(checkpoint.seq), hash: checkpoint.hash, at: checkpoint.at, key_id: checkpoint.keyId, signature: checkpoint.signature })
          .execute();
      }
    }
  }
  return { sealed: seals.length, head, checkpoint, problem };
}

/** The newest checkpoint in the database and the newest in the file, as found (not yet checked). */
export async function lastCheckpoints(db: Db, cp: AuditCheckpointing): Promise<SignedCheckpoint[]> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const found: SignedCheckpoint[] = row
    ? [{ seq: Number(row.seq), hash: row.hash, at: new Date(row.at).toISOString(), keyId: row.key_id, signature: row.signature }]
    : [];
  if (cp.file) {
    try {
      const inFile = readLastCheckpoint(cp.file);
      if (inFile) found.push(inFile);
    } catch (e) {
      // An unreadable file must not stop sealing: the database's copy is used, and the problem logged.
      cp.log?.error({ err: (e as Error).message, file: cp.file }, 'audit checkpoint file could not be read');
    }
  }
  return found;
}

/** A checkpoint, once its batch has committed: appended to the file and written as a log line. */
function publish(cp: AuditCheckpointing, c: SignedCheckpoint): void {
  cp.log?.info({ auditCheckpoint: c }, 'audit checkpoint signed');
  if (!cp.file) return;
  try {
    appendCheckpoint(cp.file, c);
  } catch (e) {
    // The checkpoint is committed in audit_checkpoints and in the log line; the file misses this one.
    cp.log?.error({ err: (e as Error).message, file: cp.file, seq: c.seq }, 'audit checkpoint could not be written to its file');
  }
}

/**
 * Seals every entry committed before the call (in batches of 5000, each its own transaction), up
 * to `maxBatches`. Safe to call from anywhere at any time: sealers take turns.
 */
export async function sealAudit(
  db: Db,
  opts: { checkpointing?: AuditCheckpointing | undefined; maxBatches?: number; batchSize?: number } = {},
): Promise<SealResult> {
  const batchSize = opts.batchSize ?? BATCH;
  let sealed = 0;
  let head = GENESIS;
  const checkpoints: SignedCheckpoint[] = [];
  let problem: string | null = null;
  for (let batch = 0; batch < (opts.maxBatches ?? Infinity); batch++) {
    const r = await db.transaction().execute((tx) => sealBatch(tx, { batchSize, checkpointing: opts.checkpointing }));
    sealed += r.sealed;
    head = r.head;
    problem = r.problem ?? problem;
    if (r.checkpoint) {
      checkpoints.push(r.checkpoint);
      publish(opts.checkpointing!, r.checkpoint);
    }
    if (r.sealed < batchSize) break;
  }
  return { sealed, head, checkpoints, problem };
}

/** The sealer as a background job, run every `everySeconds` by one process at a time. */
export function registerAuditSealer(jobs: Jobs, opts: { checkpointing?: AuditCheckpointing | undefined; everySeconds: number }): void {
  jobs.register(SEAL_JOB, async (_payload, job) => {
    const r = await sealAudit(job.db, { checkpointing: opts.checkpointing, maxBatches: 20 });
    return { sealed: r.sealed, head: r.head.seq, checkpoints: r.checkpoints.map((c) => c.seq), ...(r.problem ? { problem: r.problem } : {}) };
  });
  jobs.every(SEAL_JOB, opts.everySeconds);
}
