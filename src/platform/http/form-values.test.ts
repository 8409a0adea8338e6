import { describe, expect, it } from 'vitest';
import { formList, formText, textOf } from './form-values.js';

describe('form values', () => {
  it('reads a field sent once, sent twice, or not at all', () => {
    expect(formText('  Ada ')).toBe('Ada');
    expect(formText(['first', 'second'])).toBe('first');
    expect(formText(undefined)).toBe('');
    expect(formText(7)).toBe('7');
  });

  it('treats a crafted object as not answered, never as "[object Object]"', () => {
    expect(formText({ toString: () => 'x' })).toBe('');
    expect(formList([{ a: 1 }, 'ok'])).toEqual(['ok']);
  });

  it('lists checkboxes without the empty ones', () => {
    expect(formList('email')).toEqual(['email']);
    expect(formList(['email', '', 'sms'])).toEqual(['email', 'sms']);
    expect(formList(undefined)).toEqual([]);
    expect(formList('')).toEqual([]);
  });

  it('writes any stored value as text', () => {
    expect(textOf(null)).toBe('');
    expect(textOf(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(textOf(12n)).toBe('12');
    expect(textOf({ a: 1 })).toBe('{"a":1}');
    expect(textOf(false)).toBe('false');
  });
});
