// The GET-and-POST pair every form has, built once: the page, then on POST the form read (zod,
// or a parse function that throws ValidationError), the use case in the route's transaction with
// its audit entry, and either the result (usually a redirect) or the page again with what was
// typed and an error summary (400; 409 for a stale version). Errors raised anywhere, the page
// shown again included, map to the same pages as any route's (route.ts).
import type { z } from 'zod';
import type { FieldError } from './errors.js';
import { parseForm } from './forms.js';
import type { Access, PublicRouteSpec, RouteContext, RouteResult, SignedInContext, SignedInRouteSpec } from './route.js';

export type FormValues = Record<string, unknown>;

export interface FormRoutes<F, C extends RouteContext> {
  url: string;
  /** Audit names: opening the form, and sending it. */
  audit: { show: string; send: string };
  /** Opening the form is audited too, for forms that show someone's data. */
  auditReads?: boolean;
  /** Sends per minute per client address (public forms, sign-in). */
  rateLimit?: number;
  /**
   * The form page: first as it starts (`values` undefined: empty, or the record as stored), then
   * with what was typed and what was wrong when it is shown again.
   */
  page(ctx: C, values?: FormValues, errors?: FieldError[]): Promise<RouteResult> | RouteResult;
  /** How the form is read: a zod schema, or a function that throws ValidationError. */
  read: z.ZodType<F> | ((ctx: C) => F | Promise<F>);
  /** What sending it does, in the route's transaction; usually answers a redirect. */
  send(ctx: C, form: F): Promise<RouteResult>;
}

export function formRoutes<F>(spec: FormRoutes<F, SignedInContext> & { access: Exclude<Access, 'public'> }): SignedInRouteSpec[];
export function formRoutes<F>(spec: FormRoutes<F, RouteContext> & { access: 'public' }): PublicRouteSpec[];
export function formRoutes<F>(spec: FormRoutes<F, never> & { access: Access }): (SignedInRouteSpec | PublicRouteSpec)[] {
  // The overloads tie the context's type to the access (the route wrapper checks it); one body serves both.
  const read = async (ctx: never): Promise<F> => (typeof spec.read === 'function' ? spec.read(ctx) : parseForm(spec.read, (ctx as RouteContext).body));
  const common = { url: spec.url, access: spec.access as never };
  return [
    {
      ...common,
      method: 'GET',
      audit: spec.audit.show,
      ...(spec.auditReads ? { auditReads: true } : {}),
      handler: async (ctx: RouteContext) => spec.page(ctx as never),
    },
    {
      ...common,
      method: 'POST',
      audit: spec.audit.send,
      ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
      handler: async (ctx: RouteContext) => spec.send(ctx as never, await read(ctx as never)),
      onInvalid: (ctx: RouteContext, errors: FieldError[]) => spec.page(ctx as never, ctx.body, errors),
    },
  ];
}
