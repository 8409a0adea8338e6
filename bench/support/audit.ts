// Audited commits with many writers at once, and how long the sealer takes to chain them: the
// figures ADR 0013 is about. Writers append and commit straight through the database (the same
// appendAudit the route wrapper calls, each in its own transaction), so the figure is the audit
// path's own; the running app's sealer job chains what they commit.
import { openPostgres } from '../../src/platform/db/database.js';
import { appendAudit } from '../../src/platform/audit/audit.js';

export interface AuditAppendResult {
  writers: number;
  durationS: number;
  commits: number;
  perS: number;
  /** Milliseconds from each commit (as the writer saw it return) to its sealing (sealed_at). */
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
  /** How long after the writers stopped the last of their entries was sealed. */
  drainedAfterMs: number;
}

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

export async function measureAuditAppend(
  databaseUrl: string,
  opts: { writers?: number; durationS?: number; action?: string } = {},
): Promise<AuditAppendResult> {
  const writers = opts.writers ?? 50;
  const durationS = opts.durationS ?? 10;
  const action = opts.action ?? 'bench.audit-append';
  const database = await openPostgres(databaseUrl, writers);
  const committedAt = new Map<string, number>();
  try {
    const stopAt = performance.now() + durationS * 1000;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let n = 0; performance.now() < stopAt; n++) {
          const requestId = `${action}-${w}-${n}`;
          await database.db.transaction().execute((tx) => appendAudit(tx, { action, result: 'allowed', requestId, details: { writer: w } }));
          committedAt.set(requestId, Date.now());
        }
      }),
    );
    const stoppedAt = Date.now();
    // The app's sealer chains them; give it up to a minute.
    for (;;) {
      const waiting = await database.db.selectFrom('audit_log').select('id').where('action', '=', action).where('seq', 'is', null).limit(1).executeTakeFirst();
      if (!waiting) break;
      if (Date.now() - stoppedAt > 60_000) throw new Error('The sealer had not sealed the benchmark entries a minute after the writers stopped');
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await database.db.selectFrom('audit_log').select(['request_id', 'sealed_at']).where('action', '=', action).execute();
    const lags = rows.map((r) => new Date(r.sealed_at!).getTime() - committedAt.get(r.request_id!)!).sort((a, b) => a - b);
    const lastSealed = Math.max(...rows.map((r) => new Date(r.sealed_at!).getTime()));
    return {
      writers,
      durationS,
      commits: committedAt.size,
      perS: committedAt.size / durationS,
      lagP50Ms: nearestRank(lags, 50),
      lagP95Ms: nearestRank(lags, 95),
      lagMaxMs: lags.at(-1) ?? 0,
      drainedAfterMs: Math.max(0, lastSealed - stoppedAt),
    };
  } finally {
    await database.close();
  }
}
