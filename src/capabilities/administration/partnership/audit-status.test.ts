import { describe, expect, it } from 'vitest';
import { ageInWords, auditStatusView } from './audit-status.js';
import type { AuditCheck } from '../../../platform/audit/check.js';

const now = new Date('2026-05-03T14:00:00Z');
const checkpoint = { seq: 12000, hash: 'c'.repeat(64), at: '2026-05-03T13:55:00.000Z', keyId: 'k', signature: 's' };
const base = { from: 0, checkpoints: 1, unsealed: { count: 0, oldestAt: null } };

describe('the audit log page says', () => {
  it('intact from the last checkpoint, with the checkpoint and nothing waiting', () => {
    const check: AuditCheck = {
      verdict: { ok: true, checked: 37, head: { seq: 12037, hash: 'd' }, ...base, from: 12000 },
      from: checkpoint,
      lastCheckpoint: checkpoint,
      otherKey: 0,
    };
    const v = auditStatusView(check, now, { checkpointsConfigured: true });
    expect(v).toMatchObject({ intact: true, waiting: null, noCheckpoint: null, checkpoint: { seq: '12,000', hash: `${'c'.repeat(16)}…` } });
    expect(v.summary).toBe(
      'The audit log is intact: it still holds the signed checkpoint at position 12,000, and the 37 entries sealed since are linked to the one before them.',
    );
  });

  it('intact with nothing sealed since the checkpoint', () => {
    const check: AuditCheck = {
      verdict: { ok: true, checked: 0, head: { seq: 12000, hash: 'c' }, ...base, from: 12000 },
      from: checkpoint,
      lastCheckpoint: checkpoint,
      otherKey: 0,
    };
    expect(auditStatusView(check, now, { checkpointsConfigured: true }).summary).toBe(
      'The audit log is intact: it still holds the signed checkpoint at position 12,000, and no entry has been sealed since.',
    );
  });

  it('tampered, with the first bad position and the entry there, and entries waiting as waiting', () => {
    const check: AuditCheck = {
      verdict: {
        ok: false,
        checked: 4,
        position: 12005,
        brokenAt: 40211,
        reason: 'entry 40211 has been altered since it was written',
        ...base,
        unsealed: { count: 3, oldestAt: new Date('2026-05-03T13:59:58Z') },
      },
      from: checkpoint,
      lastCheckpoint: checkpoint,
      otherKey: 0,
    };
    const v = auditStatusView(check, now, { checkpointsConfigured: true });
    expect(v.intact).toBe(false);
    expect(v.summary).toBe(
      'The audit log has been tampered with: the first bad position is position 12,005 (entry 40211): entry 40211 has been altered since it was written. Tell your information governance lead.',
    );
    expect(v.waiting).toBe('3 entries are waiting to be sealed into the chain; the oldest was written 2 seconds ago.');
  });

  it('no checkpoint yet, or none set up', () => {
    const check: AuditCheck = { verdict: { ok: true, checked: 5, head: { seq: 5, hash: 'd' }, ...base }, from: null, lastCheckpoint: null, otherKey: 0 };
    expect(auditStatusView(check, now, { checkpointsConfigured: true })).toMatchObject({
      summary: 'The audit log is intact: all 5 entries are linked to the one before them.',
      noCheckpoint: 'No signed checkpoint yet: one is made once entries have been sealed.',
    });
    expect(auditStatusView(check, now, { checkpointsConfigured: false }).noCheckpoint).toMatch(/not set up/);
  });

  it('ages in words', () => {
    expect([0, 1000, 119_000, 120_000, 7_199_000, 7_200_000, 172_799_000, 172_800_000].map(ageInWords)).toEqual([
      '0 seconds',
      '1 second',
      '119 seconds',
      '2 minutes',
      '119 minutes',
      '2 hours',
      '47 hours',
      '2 days',
    ]);
  });
});
