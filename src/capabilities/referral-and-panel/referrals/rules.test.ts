// The referral route's pure rules: who may refer themselves at what age, and which triage
// decision may be made from which status.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  OPEN_STATUSES,
  QUEUE_STATUSES,
  STATUS_NAMES,
  queuePage,
  queueStatuses,
  TRIAGE_DECISIONS,
  outcomeWords,
  selfReferralAgeProblem,
  triageProblem,
  type TriageDecision,
} from './rules.js';
import type { ReferralStatus } from '../../../platform/db/schema.js';

const TODAY = '2025-06-15';

describe('who may refer themselves', () => {
  it('a young person from their 16th birthday to age 25', () => {
    expect(selfReferralAgeProblem('young-person', '2009-06-16', TODAY)).toMatch(/from age 16/);
    expect(selfReferralAgeProblem('young-person', '2009-06-15', TODAY)).toBeNull();
    expect(selfReferralAgeProblem('young-person', '1999-06-16', TODAY)).toBeNull();
    expect(selfReferralAgeProblem('young-person', '1999-06-15', TODAY)).toMatch(/up to age 25.*makes you 26/);
  });
  it('a parent or carer for a child of any age to 25, not one born in the future', () => {
    expect(selfReferralAgeProblem('parent', '2025-01-01', TODAY)).toBeNull();
    expect(selfReferralAgeProblem('carer', '2025-06-16', TODAY)).toBe('Date of birth must be today or in the past');
    expect(selfReferralAgeProblem('parent', '1990-01-01', TODAY)).toMatch(/makes them 35/);
  });
});

describe('triage decisions', () => {
  const statuses = Object.keys(STATUS_NAMES) as ReferralStatus[];
  const decisions = Object.keys(TRIAGE_DECISIONS) as TriageDecision[];
  it('are refused once a referral has left triage, whatever the decision', () => {
    fc.assert(
      fc.property(fc.constantFrom(...statuses), fc.constantFrom(...decisions), fc.boolean(), (status, decision, attached) => {
        const problem = triageProblem(status, decision, attached);
        if (!OPEN_STATUSES.includes(status)) expect(problem).toMatch(/can no longer change it/);
      }),
    );
  });
  it('send to panel needs the child’s record; other decisions do not', () => {
    expect(triageProblem('received', 'to-panel', false)).toMatch(/Attach the referral/);
    expect(triageProblem('received', 'to-panel', true)).toBeNull();
    for (const d of ['accept', 'more-information', 'signpost'] as const) expect(triageProblem('received', d, false)).toBeNull();
    expect(triageProblem('accepted', 'accept', true)).toMatch(/already accepted/);
  });
  it('the outcome message carries the reference and the reason as written', () => {
    const w = outcomeWords('REF-000007', 'signpost', 'The short breaks team can help sooner.');
    expect(w.body).toContain('REF-000007');
    expect(w.body).toContain('The short breaks team can help sooner.');
  });
});

describe('the triage queue', () => {
  it('shows the open referrals by default, every status for "all", or one status', () => {
    expect(queueStatuses('open')).toEqual(['received', 'more-information', 'accepted', 'to-panel']);
    expect(queueStatuses('all')).toBeNull();
    expect(queueStatuses('closed')).toEqual(['closed']);
    // Everything triage can still decide is open.
    for (const s of OPEN_STATUSES) expect(QUEUE_STATUSES).toContain(s);
  });

  it('pages 50 at a time; past the end is the last page, nonsense is the first', () => {
    expect(queuePage(1, 51)).toEqual({ page: 1, pages: 2, offset: 0, limit: 50 });
    expect(queuePage(2, 51)).toEqual({ page: 2, pages: 2, offset: 50, limit: 50 });
    expect(queuePage(9, 51)).toEqual({ page: 2, pages: 2, offset: 50, limit: 50 });
    expect(queuePage(1, 0)).toEqual({ page: 1, pages: 1, offset: 0, limit: 50 });
    expect(queuePage(Number.NaN, 120).page).toBe(1);
    expect(queuePage(0, 120).page).toBe(1);
    expect(queuePage(1.5, 120).page).toBe(1);
  });

  it('every row is on exactly one page', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: -5, max: 500 }), (total, requested) => {
        const p = queuePage(requested, total);
        expect(p.page).toBeGreaterThanOrEqual(1);
        expect(p.page).toBeLessThanOrEqual(p.pages);
        expect(p.offset).toBe((p.page - 1) * 50);
        expect(total === 0 ? p.offset === 0 : p.offset < total).toBe(true);
        expect((p.pages - 1) * 50 < Math.max(1, total)).toBe(true);
      }),
    );
  });
});
