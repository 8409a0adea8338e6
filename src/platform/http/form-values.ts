// What a submitted form's fields hold, read one way everywhere. A URL-encoded body gives a string
// for a field sent once and an array for a field sent more than once (checkboxes); anything else
// (an object from a crafted body) is treated as not answered.
import { z } from 'zod';

const scalar = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** One field as trimmed text: the first value when it was sent more than once, '' when missing. */
export function formText(v: unknown): string {
  return (scalar(Array.isArray(v) ? (v as unknown[])[0] : v) ?? '').trim();
}

/** A field that may be sent many times (checkboxes) as its list of values, without empty ones. */
export function formList(v: unknown): string[] {
  const values: unknown[] = Array.isArray(v) ? v : [v];
  return values.map(scalar).filter((s): s is string => s !== undefined && s !== '');
}

/** Any stored value as text: dates as ISO strings, objects as JSON, null and undefined as ''. */
export function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return scalar(v) ?? (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
}

/** zod's view of formText, for schemas. */
export const formTextSchema = z.unknown().transform(formText);
