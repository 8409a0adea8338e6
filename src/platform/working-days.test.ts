// England and Wales bank holidays and working-day arithmetic. Expected dates are the published
// gov.uk lists for those years, written out by hand; the property checks nextWorkingDay against
// a plain day-by-day walk.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addWorkingDays, bankHolidays, easterSunday, isWorkingDay, nextWorkingDay } from './working-days.js';

const dates = (year: number) => bankHolidays(year).map((h) => h.date);

describe('bank holidays', () => {
  it('2024', () => {
    expect(dates(2024)).toEqual(['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26']);
  });
  it('2026: Boxing Day on a Saturday moves to Monday 28th', () => {
    expect(dates(2026)).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28']);
  });
  it('2027: Christmas on a Saturday moves to 27th, Boxing Day to 28th', () => {
    expect(dates(2027)).toEqual(['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']);
  });
  it('2022: substitute New Year, Platinum Jubilee, state funeral, Christmas on a Sunday', () => {
    expect(dates(2022)).toEqual([
      '2022-01-03',
      '2022-04-15',
      '2022-04-18',
      '2022-05-02',
      '2022-06-02',
      '2022-06-03',
      '2022-08-29',
      '2022-09-19',
      '2022-12-26',
      '2022-12-27',
    ]);
  });
  it('moved and one-off holidays in other years', () => {
    expect(dates(1995)).toContain('1995-05-08');
    expect(dates(1995)).not.toContain('1995-05-01');
    expect(dates(1999)).toContain('1999-12-31');
    expect(dates(2002)).toEqual(expect.arrayContaining(['2002-06-03', '2002-06-04']));
    expect(dates(2002)).not.toContain('2002-05-27');
    expect(dates(2011)).toContain('2011-04-29');
    expect(dates(2012)).toEqual(expect.arrayContaining(['2012-06-04', '2012-06-05']));
    expect(dates(2012)).not.toContain('2012-05-28');
    expect(dates(2020)).toContain('2020-05-08');
    expect(dates(2020)).not.toContain('2020-05-04');
    expect(dates(2023)).toEqual(expect.arrayContaining(['2023-01-02', '2023-05-01', '2023-05-08']));
  });
  it('Easter by the computus, including the extremes of its range', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2008)).toBe('2008-03-23');
    expect(easterSunday(2038)).toBe('2038-04-25');
    expect(easterSunday(2100)).toBe('2100-03-28');
  });
  it('every year has at least eight holidays, all on weekdays and distinct', () => {
    for (let year = 1995; year <= 2100; year++) {
      const list = dates(year);
      expect(list.length).toBeGreaterThanOrEqual(8);
      expect(new Set(list).size).toBe(list.length);
      for (const d of list) expect([0, 6]).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    }
  });
  it('refuses years outside 1995 to 2100 and impossible dates', () => {
    expect(() => bankHolidays(1994)).toThrow(/1995 to 2100/);
    expect(() => bankHolidays(2101)).toThrow(/1995 to 2100/);
    expect(() => isWorkingDay('2025-02-30')).toThrow(/not a real calendar date/);
    expect(() => isWorkingDay('25/12/2025')).toThrow(/YYYY-MM-DD/);
    expect(() => nextWorkingDay('2100-12-31')).toThrow(/2101/);
  });
});

describe('working days', () => {
  it('weekends and bank holidays are not working days', () => {
    expect(isWorkingDay('2024-05-06')).toBe(false); // early May
    expect(isWorkingDay('2024-05-04')).toBe(false); // Saturday
    expect(isWorkingDay('2024-05-07')).toBe(true);
  });
  it('next working day over a weekend', () => {
    expect(nextWorkingDay('2025-03-14')).toBe('2025-03-17'); // Friday → Monday
    expect(nextWorkingDay('2025-03-15')).toBe('2025-03-17'); // Saturday → Monday
    expect(nextWorkingDay('2025-03-17')).toBe('2025-03-18');
  });
  it('next working day over Christmas and the year end', () => {
    expect(nextWorkingDay('2026-12-24')).toBe('2026-12-29'); // 25 Fri, 26-27 weekend, 28 substitute
    expect(nextWorkingDay('2027-12-24')).toBe('2027-12-29');
    expect(nextWorkingDay('2021-12-31')).toBe('2022-01-04'); // 3 Jan substitute New Year
    expect(nextWorkingDay('2024-03-28')).toBe('2024-04-02'); // Easter
  });
  it('adds working days forwards and backwards', () => {
    expect(addWorkingDays('2024-12-23', 3)).toBe('2024-12-30');
    expect(addWorkingDays('2024-12-30', -3)).toBe('2024-12-23');
    expect(addWorkingDays('2024-12-25', 0)).toBe('2024-12-25');
    expect(() => addWorkingDays('2024-12-25', 1.5)).toThrow(/whole number/);
  });
  it('nextWorkingDay is a working day, strictly after, with no working day in between', () => {
    const day = fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2100, 11, 20) }).map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, (d) => {
        const next = nextWorkingDay(d);
        expect(next > d).toBe(true);
        expect(isWorkingDay(next)).toBe(true);
        let between = new Date(`${d}T00:00:00Z`);
        for (;;) {
          between = new Date(between.getTime() + 86_400_000);
          const iso = between.toISOString().slice(0, 10);
          if (iso === next) break;
          expect(isWorkingDay(iso)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('adding n working days then n back returns to a working day start', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 35_000 }), (n, offset) => {
        const start = nextWorkingDay(new Date(Date.UTC(1996, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10));
        expect(addWorkingDays(addWorkingDays(start, n), -n)).toBe(start);
      }),
    );
  });
});
