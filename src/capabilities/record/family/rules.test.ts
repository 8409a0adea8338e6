import { describe, expect, it } from 'vitest';
import { contactProblems, formatUkPhone, parseUkPhone, type ContactDetails } from './rules.js';

describe('UK phone numbers', () => {
  it.each([
    ['07700 900123', '07700900123', true],
    ['+44 7700 900123', '07700900123', true],
    ['+44 (0)7700 900123', '07700900123', true],
    ['0044 7700 900 123', '07700900123', true],
    ['0117-496-0123', '01174960123', false],
    ['(0117) 496 0123', '01174960123', false],
    ['020 7946 0123', '02079460123', false],
    ['016977 3456', '0169773456', false],
  ])('reads %j', (input, number, mobile) => {
    expect(parseUkPhone(input)).toEqual({ ok: true, number, mobile });
  });

  it.each(['12345', '07700 90012', '07700 9001234', '+33 1 23 45 67 89', 'phone me', '00000000000', ''])('refuses %j', (input) => {
    expect(parseUkPhone(input)).toEqual({ ok: false });
  });

  it('writes numbers back in the usual groups', () => {
    expect(formatUkPhone('07700900123')).toBe('07700 900123');
    expect(formatUkPhone('01174960123')).toBe('0117 496 0123');
    expect(formatUkPhone('02079460123')).toBe('020 7946 0123');
  });
});

describe('preferred contact needs its detail', () => {
  const none: ContactDetails = { phone: null, email: null, address: null, preferredContact: null, consentsToEmail: false, consentsToSms: false };
  const fields = (c: Partial<ContactDetails>) => contactProblems({ ...none, ...c }).map(([f]) => f);

  it('accepts no preference and no details', () => expect(fields({})).toEqual([]));
  it('e-mail needs an address and agreement', () => {
    expect(fields({ preferredContact: 'email' })).toEqual(['email', 'contactConsents']);
    expect(fields({ preferredContact: 'email', email: 'a@example.org' })).toEqual(['contactConsents']);
    expect(fields({ preferredContact: 'email', email: 'a@example.org', consentsToEmail: true })).toEqual([]);
  });
  it('text messages need a mobile number and agreement', () => {
    expect(fields({ preferredContact: 'sms', phone: '01174960123', consentsToSms: true })).toContain('phone');
    expect(fields({ preferredContact: 'sms', phone: '07700900123', consentsToSms: true })).toEqual([]);
    expect(fields({ preferredContact: 'sms', phone: '07700900123' })).toEqual(['contactConsents']);
  });
  it('phone needs a number, letter an address', () => {
    expect(fields({ preferredContact: 'phone' })).toEqual(['phone']);
    expect(fields({ preferredContact: 'letter' })).toEqual(['address']);
    expect(fields({ preferredContact: 'letter', address: '1 Test Street' })).toEqual([]);
  });
  it('agreement to e-mail or texts needs the detail', () => {
    expect(fields({ consentsToEmail: true })).toEqual(['email']);
    expect(fields({ consentsToSms: true, phone: '01174960123' })).toEqual(['phone']);
  });
});
