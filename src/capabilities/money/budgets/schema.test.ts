// Money dates stay inside the financial years the ledger can hold, so a far-off date is a plain
// message on the form, never a database error.
import { describe, expect, it } from 'vitest';
import { readDate } from './schema.js';

const body = (d: string, m: string, y: string) => ({ 'startsOn-day': d, 'startsOn-month': m, 'startsOn-year': y });

describe('readDate', () => {
  it('accepts the first and last days of the ledger’s years', () => {
    expect(readDate(body('1', '4', '2000'), 'startsOn', 'the date the package starts', true)).toEqual({ ok: true, value: '2000-04-01' });
    expect(readDate(body('31', '3', '2200'), 'startsOn', 'the date the package starts', true)).toEqual({ ok: true, value: '2200-03-31' });
  });
  it('refuses a date before or after them with a message naming the field', () => {
    for (const [d, m, y] of [
      ['31', '3', '2000'],
      ['1', '6', '1999'],
      ['1', '4', '2200'],
      ['1', '6', '9999'],
    ] as const) {
      expect(readDate(body(d, m, y), 'startsOn', 'the date the package starts', true)).toEqual({
        ok: false,
        error: { text: 'The date the package starts must be between 1 April 2000 and 31 March 2200', href: '#startsOn-day' },
      });
    }
  });
});
