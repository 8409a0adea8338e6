// What the audit log page says about the chain, as a pure function of the check: intact or
// tampered (with the first bad position), the last signed checkpoint, and entries still waiting
// to be sealed (reported as waiting, never as broken).
import type { AuditCheck } from '../../../platform/audit/check.js';

export interface AuditStatusView {
  intact: boolean;
  /** One sentence: intact, or tampered with the first bad position and what to do. */
  summary: string;
  /** The last signed checkpoint, or null when there is none. */
  checkpoint: { seq: string; at: Date; hash: string } | null;
  /** Why there is no checkpoint to show, when there is none. */
  noCheckpoint: string | null;
  /** Entries committed but not yet sealed, in words; null when none. */
  waiting: string | null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** A short age: "4 seconds", "2 minutes", "3 hours", "5 days". */
export function ageInWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return plural(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 120) return plural(m, 'minute');
  const h = Math.floor(m / 60);
  if (h < 48) return plural(h, 'hour');
  return plural(Math.floor(h / 24), 'day');
}

export function auditStatusView(check: AuditCheck, now: Date, opts: { checkpointsConfigured: boolean }): AuditStatusView {
  const v = check.verdict;
  let summary: string;
  if (!v.ok) {
    const where =
      v.brokenAt === null ? `position ${v.position.toLocaleString('en-GB')}` : `position ${v.position.toLocaleString('en-GB')} (entry ${v.brokenAt})`;
    summary = `The audit log has been tampered with: the first bad position is ${where}: ${v.reason}. Tell your information governance lead.`;
  } else if (check.from) {
    const since =
      v.checked === 0 ? 'no entry has been sealed since.' : `the ${plural(v.checked, 'entry', 'entries')} sealed since are linked to the one before them.`;
    summary = `The audit log is intact: it still holds the signed checkpoint at position ${check.from.seq.toLocaleString('en-GB')}, and ${since}`;
  } else {
    summary = `The audit log is intact: all ${v.checked} entries are linked to the one before them.`;
  }
  const last = check.lastCheckpoint;
  const { count, oldestAt } = v.unsealed;
  return {
    intact: v.ok,
    summary,
    checkpoint: last ? { seq: last.seq.toLocaleString('en-GB'), at: new Date(last.at), hash: `${last.hash.slice(0, 16)}…` } : null,
    noCheckpoint: last
      ? null
      : opts.checkpointsConfigured
        ? 'No signed checkpoint yet: one is made once entries have been sealed.'
        : 'Signed checkpoints are not set up here, so the whole log is checked on every view.',
    waiting:
      count === 0
        ? null
        : `${plural(count, 'entry', 'entries')} ${count === 1 ? 'is' : 'are'} waiting to be sealed into the chain` +
          (oldestAt ? `; the oldest was written ${ageInWords(now.getTime() - oldestAt.getTime())} ago.` : '.'),
  };
}
