import { describe, expect, it } from 'vitest';
import { dueRunKey, parseAt, wallClock } from './schedule.js';

describe('daily schedules', () => {
  it('reads the wall clock in UK time, across the change to and from summer time', () => {
    expect(wallClock(new Date('2026-01-15T23:30:00Z'))).toEqual({ date: '2026-01-15', minutes: 23 * 60 + 30 });
    // 23:30 UTC in July is 00:30 the next day in London.
    expect(wallClock(new Date('2026-07-15T23:30:00Z'))).toEqual({ date: '2026-07-16', minutes: 30 });
  });

  it('is due from its time until the end of that day, with one key per day', () => {
    const s = { kind: 'deadline-check', at: '02:00' };
    expect(dueRunKey(s, new Date('2026-07-15T00:59:00Z'))).toBeNull(); // 01:59 BST
    expect(dueRunKey(s, new Date('2026-07-15T01:00:00Z'))).toBe('deadline-check@2026-07-15'); // 02:00 BST
    expect(dueRunKey(s, new Date('2026-07-15T22:59:00Z'))).toBe('deadline-check@2026-07-15'); // 23:59 BST
    expect(dueRunKey(s, new Date('2026-07-15T23:00:00Z'))).toBeNull(); // 00:00 BST next day
  });

  it('refuses a time that is not HH:MM', () => {
    for (const bad of ['2:00', '24:00', '12:60', 'noon', '']) expect(() => parseAt(bad)).toThrow(/HH:MM/);
    expect(parseAt('23:59')).toBe(23 * 60 + 59);
  });
});
