import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { orderWork } from './rules.js';
import type { WorkItem } from '../../platform/worklist.js';

const item = (text: string, dueOn: string | null, dueLabel?: string): WorkItem => ({ text, href: '/', count: 1, dueOn, ...(dueLabel ? { dueLabel } : {}) });

describe('orderWork', () => {
  it('puts the soonest first, undated work last, and ties in the order of their text', () => {
    const shown = orderWork(
      [item('b', null), item('Triage', '2026-03-02'), item('Read papers', '2026-01-05'), item('a', null), item('Issue', '2026-03-02')],
      '2026-02-01',
    );
    expect(shown.map((s) => s.text)).toEqual(['Read papers', 'Issue', 'Triage', 'a', 'b']);
  });

  it('flags as overdue only work with a deadline of its own that has passed', () => {
    const shown = orderWork(
      [item('deadline passed', '2026-01-31'), item('due today', '2026-02-01'), item('waiting a while', '2025-12-01', 'Waiting since'), item('undated', null)],
      '2026-02-01',
    );
    expect(Object.fromEntries(shown.map((s) => [s.text, s.overdue]))).toEqual({
      'waiting a while': false,
      'deadline passed': true,
      'due today': false,
      undated: false,
    });
  });

  it('keeps every item, and dates never go backwards', () => {
    const date = fc.option(fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)));
    fc.assert(
      fc.property(fc.array(fc.record({ text: fc.string(), dueOn: date }), { maxLength: 30 }), (raw) => {
        const shown = orderWork(
          raw.map((r) => item(r.text, r.dueOn)),
          '2027-01-01',
        );
        expect(shown).toHaveLength(raw.length);
        const dates = shown.map((s) => s.dueOn);
        const firstNull = dates.indexOf(null);
        const dated = (firstNull === -1 ? dates : dates.slice(0, firstNull)) as string[];
        expect(dates.slice(dated.length).every((d) => d === null)).toBe(true);
        expect([...dated].sort()).toEqual(dated);
      }),
    );
  });
});
