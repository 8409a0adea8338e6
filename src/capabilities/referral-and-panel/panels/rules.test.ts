import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isWorkingDay } from '../../../platform/working-days.js';
import { daysBetween, deadlineBefore, isLate, meetingDayProblem, meetingDeadlines, nextMonthlyMeetings, nthWeekdayOfMonth, shiftDays } from './rules.js';

describe('deadlines before a meeting', () => {
  it('counts calendar days back and keeps a working day as it is', () => {
    expect(deadlineBefore('2026-03-16', 7)).toBe('2026-03-09'); // Monday → Monday
    expect(deadlineBefore('2026-03-16', 0)).toBe('2026-03-16');
  });

  it('moves a weekend deadline to the Friday before, never towards the meeting', () => {
    expect(deadlineBefore('2026-03-16', 8)).toBe('2026-03-06'); // Sunday 8 March → Friday 6 March
    expect(deadlineBefore('2026-03-16', 9)).toBe('2026-03-06'); // Saturday 7 March → Friday 6 March
  });

  it('crosses the year end and skips Christmas, Boxing Day and New Year bank holidays', () => {
    // Wednesday 6 January 2027, papers 7 days before: Wednesday 30 December 2026 is a working day.
    expect(deadlineBefore('2027-01-06', 7)).toBe('2026-12-30');
    // Friday 8 January 2027: 1 January is New Year's Day, so Thursday 31 December 2026.
    expect(deadlineBefore('2027-01-08', 7)).toBe('2026-12-31');
    // Monday 4 January 2027: Monday 28 December is the Boxing Day substitute, then the weekend and
    // Christmas Day (Friday 25th): Thursday 24 December.
    expect(deadlineBefore('2027-01-04', 7)).toBe('2026-12-24');
    // Cut-off 10 days before Wednesday 6 January 2027: Sunday 27 December → Thursday 24 December.
    expect(deadlineBefore('2027-01-06', 10)).toBe('2026-12-24');
    // New Year's Day 2022 was a Saturday: the substitute day is Monday 3 January.
    expect(deadlineBefore('2022-01-10', 7)).toBe('2021-12-31');
  });

  it('skips Easter', () => {
    // Easter Monday 29 March 2027 and Good Friday 26 March: Thursday 25 March.
    expect(deadlineBefore('2027-04-05', 7)).toBe('2027-03-25');
  });

  it('gives both dates from the panel’s settings', () => {
    expect(meetingDeadlines('2027-01-06', { papersDays: 7, cutOffDays: 10 })).toEqual({ papersDueOn: '2026-12-30', cutOffOn: '2026-12-24' });
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => deadlineBefore('2027-01-06', -1)).toThrow(/whole number, 0 or more/);
    expect(() => deadlineBefore('2027-01-06', 1.5)).toThrow(/whole number/);
  });

  it('is always the last working day on or before the calendar day (property)', () => {
    const day = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((t) => new Date(t).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 60 }), (meetsOn, days) => {
        const due = deadlineBefore(meetsOn, days);
        const calendar = shiftDays(meetsOn, -days);
        expect(isWorkingDay(due)).toBe(true);
        expect(due <= calendar).toBe(true);
        for (let d = shiftDays(due, 1); d <= calendar; d = shiftDays(d, 1)) expect(isWorkingDay(d)).toBe(false);
        expect(daysBetween(due, meetsOn)).toBeGreaterThanOrEqual(days);
      }),
      { numRuns: 500 },
    );
  });

  it('is late only after the deadline day', () => {
    expect(isLate('2026-12-30', '2026-12-30')).toBe(false);
    expect(isLate('2026-12-31', '2026-12-30')).toBe(true);
    expect(isLate('2027-01-01', '2026-12-31')).toBe(true);
  });
});

describe('meeting days', () => {
  it('says why a day cannot be a meeting day', () => {
    expect(meetingDayProblem('2027-01-06')).toBeNull();
    expect(meetingDayProblem('2027-01-09')).toBe('is a Saturday');
    expect(meetingDayProblem('2027-01-10')).toBe('is a Sunday');
    expect(meetingDayProblem('2027-01-01')).toBe('is a bank holiday');
  });

  it('finds the nth and the last weekday of a month', () => {
    expect(nthWeekdayOfMonth(2027, 1, { weekday: 3, nth: 2 })).toBe('2027-01-13');
    expect(nthWeekdayOfMonth(2026, 12, { weekday: 5, nth: 5 })).toBe('2026-12-25');
    expect(nthWeekdayOfMonth(2027, 2, { weekday: 1, nth: 1 })).toBe('2027-02-01');
    expect(nthWeekdayOfMonth(2027, 2, { weekday: 0, nth: 5 })).toBe('2027-02-28');
  });

  it('proposes the next meetings of a monthly rule across the year end, saying when one falls on a holiday', () => {
    expect(nextMonthlyMeetings('2026-11-26', { weekday: 3, nth: 2 }, 3)).toEqual([
      { meetsOn: '2026-12-09', problem: null },
      { meetsOn: '2027-01-13', problem: null },
      { meetsOn: '2027-02-10', problem: null },
    ]);
    // The last Friday of December 2026 is Christmas Day.
    expect(nextMonthlyMeetings('2026-11-27', { weekday: 5, nth: 5 }, 2)).toEqual([
      { meetsOn: '2026-12-25', problem: 'is a bank holiday' },
      { meetsOn: '2027-01-29', problem: null },
    ]);
    // A meeting on the day itself is not "next".
    expect(nextMonthlyMeetings('2026-12-09', { weekday: 3, nth: 2 }, 1)[0]!.meetsOn).toBe('2027-01-13');
  });

  it('always lands on the right weekday in the right week of the month (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
        (year, month, weekday, nth) => {
          const d = nthWeekdayOfMonth(year, month, { weekday, nth });
          expect(new Date(`${d}T00:00:00Z`).getUTCDay()).toBe(weekday);
          expect(Number(d.slice(5, 7))).toBe(month);
          const dom = Number(d.slice(8, 10));
          if (nth === 5) expect(Number(shiftDays(d, 7).slice(5, 7))).not.toBe(month);
          else expect(Math.ceil(dom / 7)).toBe(nth);
        },
      ),
    );
  });
});
