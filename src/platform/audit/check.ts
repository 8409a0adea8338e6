// Checking the audit log against its signed checkpoints: from the start (every checkpoint
// compared), or from a checkpoint (the last one by default), which is how the audit log page
// checks on every view without reading the whole chain.
import type { Db } from '../db/database.js';
import { verifyAudit, type AuditVerdict } from './audit.js';
import { checkCheckpoint, type SignedCheckpoint } from './checkpoints.js';
import { readCheckpoints } from './checkpoint-file.js';
import { lastCheckpoints, type AuditCheckpointing } from './sealer.js';

export interface AuditCheck {
  verdict: AuditVerdict;
  /** The checkpoint verification started from (null: from the first entry). */
  from: SignedCheckpoint | null;
  /** The newest checkpoint signed by this installation's key, in the database or the file. */
  lastCheckpoint: SignedCheckpoint | null;
  /** Checkpoints signed by another key (an earlier one): not used. */
  otherKey: number;
}

export class NoSuchCheckpoint extends Error {}

/** Every checkpoint kept in the database. */
async function databaseCheckpoints(db: Db): Promise<SignedCheckpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash, at: new Date(r.at).toISOString(), keyId: r.key_id, signature: r.signature }));
}

/**
 * `from`: 'start' compares every checkpoint (database and file) with the table while checking the
 * whole chain; 'last-checkpoint' starts at the newest checkpoint and compares only the newest of
 * each copy; a number starts at the checkpoint at that position.
 */
export async function checkAudit(
  db: Db,
  opts: { checkpointing?: AuditCheckpointing | undefined; from: 'start' | 'last-checkpoint' | number },
): Promise<AuditCheck> {
  const cp = opts.checkpointing;
  const every = opts.from !== 'last-checkpoint';
  const found: SignedCheckpoint[] = [];
  if (cp) {
    if (every) {
      found.push(...(await databaseCheckpoints(db)));
      if (cp.file) found.push(...readCheckpoints(cp.file).checkpoints);
    } else {
      found.push(...(await lastCheckpoints(db, cp)));
    }
  }
  const valid: SignedCheckpoint[] = [];
  const forged: SignedCheckpoint[] = [];
  let otherKey = 0;
  for (const c of found) {
    const check = cp ? checkCheckpoint(cp.key, c) : 'other-key';
    if (check === 'valid') valid.push(c);
    else if (check === 'bad-signature') forged.push(c);
    else otherKey++;
  }
  valid.sort((a, b) => a.seq - b.seq);
  const lastCheckpoint = valid.at(-1) ?? null;
  let from: SignedCheckpoint | null = null;
  if (opts.from === 'last-checkpoint') from = lastCheckpoint;
  else if (typeof opts.from === 'number') {
    from = valid.find((c) => c.seq === opts.from) ?? null;
    if (!from) {
      const at = [...new Set(valid.map((c) => c.seq))];
      throw new NoSuchCheckpoint(
        at.length
          ? `There is no signed checkpoint at position ${opts.from}. Checkpoints are at positions ${at.slice(-10).join(', ')}${at.length > 10 ? ' (the last 10)' : ''}.`
          : `There is no signed checkpoint at position ${opts.from}: there are no checkpoints signed by this installation's key yet.`,
      );
    }
  }
  let verdict = await verifyAudit(db, { from: from ?? undefined, checkpoints: valid });
  // A checkpoint that claims this installation's key but whose signature does not hold was forged
  // or altered: reported at its position when that comes before anything else found.
  const firstForged = forged.sort((a, b) => a.seq - b.seq)[0];
  if (firstForged && (verdict.ok || firstForged.seq < verdict.position)) {
    verdict = {
      ok: false,
      checked: verdict.ok ? verdict.checked : 0,
      position: firstForged.seq,
      brokenAt: null,
      reason: `the checkpoint at position ${firstForged.seq} does not carry a valid signature (it was forged or altered)`,
      from: verdict.from,
      checkpoints: verdict.checkpoints,
      unsealed: verdict.unsealed,
    };
  }
  return { verdict, from, lastCheckpoint, otherKey };
}
