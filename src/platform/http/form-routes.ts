// The GET-and-POST pair every form has, built once: the page, then on POST the form read (zod,
// or a parse function that throws ValidationError), the use case in the route's transaction with
// its audit entry, and either the result (usually a redirect) or the page again with what was
// typed and an error summary (400; 409 for a stale version). Errors raised anywhere, the page
// shown again included, map to the same pages as any route's (route.ts).
import type { z } from 'zod';
import type { FieldError } from './errors.js';
import { parseForm } from './forms.js';
import type { Access, RouteResult, SignedInContext, SignedInRouteSpec } from './route.js';

export type FormValues = Record<string, unknown>;

export interface FormRoutes<F> {
  url: string;
  access: Exclude<Access, 'public'>;
  /** Audit names: opening the form, and sending it. */
  audit: { show: string; send: string };
  /** Opening the form is audited too, for forms that show someone's data. */
  auditReads?: boolean;
  /**
   * The form page: first as it starts (`values` undefined: empty, or the record as stored), then
   * with what was typed and what was wrong when it is shown again.
   */
  page(ctx: SignedInContext, values?: FormValues, errors?: FieldError[]): Promise<RouteResult> | RouteResult;
  /** How the form is read: a zod schema, or a function that throws ValidationError. */
  read: z.ZodType<F> | ((ctx: SignedInContext) => F | Promise<F>);
  /** What sending it does, in the route's transaction; usually answers a redirect. */
  send(ctx: SignedInContext, form: F): Promise<RouteResult>;
}

export function formRoutes<F>(spec: FormRoutes<F>): SignedInRouteSpec[] {
  const read = async (ctx: SignedInContext): Promise<F> => (typeof spec.read === 'function' ? spec.read(ctx) : parseForm(spec.read, ctx.body));
  return [
    {
      method: 'GET',
      url: spec.url,
      access: spec.access,
      audit: spec.audit.show,
      ...(spec.auditReads ? { auditReads: true } : {}),
      handler: async (ctx) => spec.page(ctx),
    },
    {
      method: 'POST',
      url: spec.url,
      access: spec.access,
      audit: spec.audit.send,
      handler: async (ctx) => spec.send(ctx, await read(ctx)),
      onInvalid: (ctx, errors) => spec.page(ctx, ctx.body, errors),
    },
  ];
}
