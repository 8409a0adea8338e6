import { describe, expect, it } from 'vitest';
import { formatCost, formatPence, poundsToPence } from './rules.js';

describe('costs in pounds, stored as pence', () => {
  it.each([
    ['45.50', 4550],
    ['45.5', 4550],
    ['£45', 4500],
    ['£ 1,200.00', 120000],
    ['0', 0],
    ['0.01', 1],
    ['  12  ', 1200],
  ])('reads %j as %d pence', (input, pence) => {
    expect(poundsToPence(input)).toEqual({ ok: true, pence });
  });

  it('treats an empty box as no cost', () => {
    expect(poundsToPence('')).toEqual({ ok: true, pence: null });
    expect(poundsToPence(undefined)).toEqual({ ok: true, pence: null });
  });

  it.each(['-5', '-0.50', '£-5', '- 5'])('refuses a negative amount %j with its own message', (input) => {
    expect(poundsToPence(input)).toEqual({ ok: false, message: 'The cost cannot be negative' });
  });

  it.each(['12.345', '0.001', '£1.999'])('refuses part of a penny in %j', (input) => {
    expect(poundsToPence(input)).toMatchObject({ ok: false, message: expect.stringContaining('part of a penny') as unknown });
  });

  it.each(['ten pounds', '12.', '1e3', '12,34', '£'])('refuses %j as not an amount', (input) => {
    expect(poundsToPence(input)).toEqual({ ok: false, message: 'Enter the cost as an amount in pounds, like 45.50' });
  });

  it('refuses absurdly large amounts', () => {
    expect(poundsToPence('10000000')).toMatchObject({ ok: false });
    expect(poundsToPence('9999999.99')).toEqual({ ok: true, pence: 999999999 });
  });

  it('formats pence as pounds', () => {
    expect(formatPence(4550)).toBe('£45.50');
    expect(formatPence(120000)).toBe('£1,200.00');
    expect(formatPence(7)).toBe('£0.07');
    expect(formatCost(4550, 'week')).toBe('£45.50 a week');
    expect(formatCost(null, null)).toBeNull();
  });
});
