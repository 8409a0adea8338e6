import { describe, expect, it } from 'vitest';
import { addMonths, expiry, meetsTarget, sharesProblem } from './rules.js';

const share = (pence: number, partnerId = 'p1', agreementId = 'a1') => ({ partnerId, agreementId, pence });

describe('a contract’s value split between partners and pools', () => {
  it('accepts shares that add up to the value exactly', () => {
    expect(sharesProblem(100_000_00, [share(60_000_00, 'p1'), share(40_000_00, 'p2')])).toBeNull();
  });
  it('names the difference when the shares fall short or go over by a penny', () => {
    expect(sharesProblem(100_000_00, [share(60_000_00, 'p1'), share(39_999_99, 'p2')])).toBe(
      'The shares add up to £99,999.99, £0.01 less than the value a year of £100,000.00',
    );
    expect(sharesProblem(100_000_00, [share(60_000_00, 'p1'), share(40_000_01, 'p2')])).toBe(
      'The shares add up to £100,000.01, £0.01 more than the value a year of £100,000.00',
    );
  });
  it('refuses no shares, a zero share and two shares for one partner in one pool', () => {
    expect(sharesProblem(100, [])).toBe('Enter how the value is split between partners and pools');
    expect(sharesProblem(100, [share(100), share(0, 'p2')])).toBe('Each share must be more than £0.00');
    expect(sharesProblem(100, [share(50), share(50)])).toBe('Each partner has one share in each pool');
    expect(sharesProblem(100, [share(50, 'p1', 'a1'), share(50, 'p1', 'a2')])).toBeNull();
  });
});

describe('calendar months', () => {
  it('adds and takes months, keeping to the month’s last day', () => {
    expect(addMonths('2027-03-31', -1)).toBe('2027-02-28');
    expect(addMonths('2028-08-31', 6)).toBe('2029-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
    expect(addMonths('2027-01-15', -3)).toBe('2026-10-15');
    expect(addMonths('2027-12-01', 1)).toBe('2028-01-01');
  });
});

describe('alerts before a contract ends', () => {
  const ends = '2027-09-30';
  it('says nothing until 6 months before, and alerts from that day', () => {
    expect(expiry(ends, '2027-03-29')).toBeNull();
    expect(expiry(ends, '2027-03-30')).toBe('within-6-months');
  });
  it('moves to the 3-month alert on the day 3 months before', () => {
    expect(expiry(ends, '2027-06-29')).toBe('within-6-months');
    expect(expiry(ends, '2027-06-30')).toBe('within-3-months');
  });
  it('still alerts on the last day, and says ended the day after', () => {
    expect(expiry(ends, '2027-09-30')).toBe('within-3-months');
    expect(expiry(ends, '2027-10-01')).toBe('ended');
  });
  it('counts from a month’s end clamped to a shorter month', () => {
    // 31 August less 6 months is 28 February (not 3 March).
    expect(expiry('2027-08-31', '2027-02-27')).toBeNull();
    expect(expiry('2027-08-31', '2027-02-28')).toBe('within-6-months');
  });
});

describe('KPI returns against their targets', () => {
  it('meets a target at or beyond it, in the direction that is better', () => {
    expect(meetsTarget(85, 85, true)).toBe(true);
    expect(meetsTarget(84.9, 85, true)).toBe(false);
    expect(meetsTarget(10, 10, false)).toBe(true);
    expect(meetsTarget(10.1, 10, false)).toBe(false);
  });
});
