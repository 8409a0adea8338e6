// zod at the form boundary: issues become GOV.UK error-summary items pointing at their fields.
import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors.js';

export function toFieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ text: issue.message, href: `#${field}` });
  }
  return out;
}

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}
