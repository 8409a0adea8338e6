import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dateFromParts, datePartsToIso, parseFormWithDates, pastDate } from './date-input.js';
import { ValidationError } from './http/errors.js';

const boxes = (day: string, month: string, year: string) => ({ 'on-day': day, 'on-month': month, 'on-year': year });

describe('the two readers of the GOV.UK date input agree', () => {
  it.each([
    ['1', '1', '1900', '1900-01-01'],
    ['31', '12', '1899', null],
    ['29', '2', '2024', '2024-02-29'],
    ['29', '2', '2023', null],
    [' 7 ', '03', '2015', '2015-03-07'],
  ])('%s %s %s', (day, month, year, iso) => {
    const parts = dateFromParts({ day, month, year });
    expect(parts.ok ? parts.value : null).toBe(iso);
    const joined = datePartsToIso(boxes(day, month, year), 'on');
    expect(joined === iso || (iso === null && joined === 'not-a-date')).toBe(true);
  });

  it('says a date before 1900 is not a real date, and points at the day box', () => {
    const schema = z.object({ on: pastDate('the date it happened') });
    let error: unknown;
    try {
      parseFormWithDates(schema, boxes('31', '12', '1899'), ['on']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([{ text: 'The date it happened must be a real date, like 27 3 2024', href: '#on-day' }]);
    expect(parseFormWithDates(schema, boxes('1', '1', '1900'), ['on'])).toEqual({ on: '1900-01-01' });
  });
});
