// The only way to add a page: every route declares who may use it and the name it is audited
// under. The wrapper checks the permission, opens the transaction, writes the audit entry in
// that same transaction, and turns errors into plain-English pages.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Db } from '../db/database.js';
import type { Permission } from '../access/roles.js';
import { appendAudit } from '../audit/audit.js';
import type { CurrentUser } from '../auth/current-user.js';
import { ForbiddenError, NotFoundError, StaleVersionError, ValidationError, type FieldError } from './errors.js';
import { paths } from '../../paths.js';

/** `public`: anyone; `signed-in`: any signed-in person; otherwise a named permission. */
export type Access = Permission | 'public' | 'signed-in';

export interface AuditNote {
  subjectType?: string;
  subjectId?: string;
  purpose?: string;
  details: Record<string, unknown>;
  /** Children the action disclosed besides the subject (an export's rows): each one's "who has looked" lists it. */
  children?: string[];
  /** Set when the action was refused (a wrong password, say): the entry is kept and committed. */
  result?: 'allowed' | 'denied';
  /** Who acted, when not the signed-in person (sign-in itself). */
  userId?: string | null;
  organisationId?: string | null;
  roles?: string[];
}

/**
 * What a handler gets. A route that needs someone signed in (any access but 'public') gets
 * `SignedInContext`, whose `user` is always there.
 */
export interface RouteContext<U extends CurrentUser | null = CurrentUser | null> {
  req: FastifyRequest;
  reply: FastifyReply;
  db: Db;
  /**
   * Where dashboards, reports and exports read: the read replica when DATABASE_READ_URL is set,
   * otherwise `db` itself (the route's transaction, when it has one). Never for writes, nor for
   * anything that must see this request's own writes; the audit entry always goes to `db`.
   */
  readDb: Db;
  user: U;
  body: Record<string, unknown>;
  params: Readonly<Record<string, string>>;
  /** A parameter of the route's address, e.g. `id` in /children/:id; not found when there is none. */
  param(name: string): string;
  query: Record<string, string>;
  audit: AuditNote;
  /** What the route's `prepare` step returned. */
  prepared?: unknown;
  /**
   * Writes this request's audit entry now, with what ctx.audit holds so far, instead of after the
   * handler: for a page that lists the audit log and should include the view it is answering.
   * Only in an audited route; the entry still commits or rolls back with the transaction.
   */
  auditNow?(): Promise<void>;
}

export type RouteResult =
  | { view: string; data?: Record<string, unknown>; status?: number }
  | { redirect: string }
  | { status?: number; contentType: string; body: string | Buffer; headers?: Record<string, string> }
  /** The handler sent the reply itself (files). */
  | { handled: true };

export type SignedInContext = RouteContext<CurrentUser>;

interface RouteOptionsBase {
  method: 'GET' | 'POST';
  url: string;
  /** The audit action name, e.g. `admin.organisation.create`. */
  audit: string;
  /** GET routes that show personal data are audited on every read. */
  auditReads?: boolean;
  /** Requests per minute per client address, for sign-in and similar. */
  rateLimit?: number;
}

/** The parts of a route that see the request, typed by whether someone must be signed in. */
interface RouteHandlers<C> {
  /**
   * Slow work that needs no database (a call to an identity provider, say), done before the
   * transaction opens so no connection is held while waiting on the network; or work that must
   * commit on its own first (sealing the audit log before its page reads it). `ctx.db` here is
   * the database, not a transaction.
   */
  prepare?: (ctx: C) => Promise<unknown>;
  handler: (ctx: C) => Promise<RouteResult> | RouteResult;
  /** Re-render the form with errors (status 400) when the handler throws ValidationError. */
  onInvalid?: (ctx: C, errors: FieldError[]) => Promise<RouteResult> | RouteResult;
}

export type PublicRouteSpec = RouteOptionsBase & RouteHandlers<RouteContext> & { access: 'public' };
export type SignedInRouteSpec = RouteOptionsBase & RouteHandlers<SignedInContext> & { access: Exclude<Access, 'public'> };
export type RouteSpec = PublicRouteSpec | SignedInRouteSpec;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    audit?: string;
  }
}

export interface RouteDeps {
  db: Db;
  /** The read replica, or the same as `db` (see RouteContext.readDb). */
  readDb?: Db;
  renderPage: (req: FastifyRequest, reply: FastifyReply, view: string, data?: Record<string, unknown>) => string;
  renderError: (req: FastifyRequest, reply: FastifyReply, status: number, override?: { title: string; paragraphs: string[] }) => string;
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
  audit: string;
}

/**
 * Refuses, at start-up, any route registered without access and audit declarations, and
 * records every route it allows so a test can list them all.
 */
export function enforceRouteDeclarations(app: FastifyInstance): DeclaredRoute[] {
  const declared: DeclaredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const cfg = route.config as { access?: unknown; audit?: unknown } | undefined;
    if (!cfg?.access || typeof cfg.audit !== 'string' || !cfg.audit) {
      throw new Error(`Route ${String(route.method)} ${route.url} must declare access and an audit name (use registerRoutes)`);
    }
    for (const method of [route.method].flat()) {
      declared.push({ method: String(method), url: route.url, access: cfg.access as Access, audit: cfg.audit });
    }
  });
  return declared;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WHOLE_NUMBER = /^[0-9]{1,15}$/;

/**
 * A route parameter named `id` or `…Id` names a row: a UUID, or a whole number (background jobs,
 * ledger transactions). Anything else cannot name a row, so the page is not found, rather than
 * the database refusing the value and the person seeing an error page.
 */
export function malformedId(params: Record<string, string>): boolean {
  return Object.entries(params).some(([name, value]) => (name === 'id' || /Id$/.test(name)) && !UUID.test(value) && !WHOLE_NUMBER.test(value));
}

/**
 * PostgreSQL's invalid_text_representation (22P02): a value that cannot be read as its column's
 * type, such as a whole number given for a UUID. Only a value from the address or a form reaches
 * the database unchecked like that, so it is answered as not found rather than as a fault.
 */
const invalidTextRepresentation = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '22P02';

function allowed(spec: { access: Access }, user: CurrentUser | null): 'ok' | 'sign-in' | 'forbidden' {
  if (spec.access === 'public') return 'ok';
  if (!user) return 'sign-in';
  if (spec.access === 'signed-in') return 'ok';
  return user.permissions.has(spec.access) ? 'ok' : 'forbidden';
}

function auditIdentity(user: CurrentUser | null, note: AuditNote) {
  return {
    userId: note.userId !== undefined ? note.userId : (user?.id ?? null),
    organisationId: note.organisationId !== undefined ? note.organisationId : (user?.organisationId ?? null),
    roles: note.roles ?? user?.roles ?? [],
  };
}

export async function auditDenied(
  db: Db,
  req: FastifyRequest,
  action: string,
  details: Record<string, unknown>,
  subject?: { type: string; id: string },
): Promise<void> {
  await db.transaction().execute((tx) =>
    appendAudit(tx, {
      ...auditIdentity(req.user, { details }),
      action,
      result: 'denied',
      requestId: req.id,
      details,
      ...(subject ? { subjectType: subject.type, subjectId: subject.id } : {}),
    }),
  );
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps, specs: RouteSpec[]): void {
  for (const spec of specs) {
    app.route({
      method: spec.method,
      url: spec.url,
      config: {
        access: spec.access,
        audit: spec.audit,
        ...(spec.rateLimit ? { rateLimit: { max: spec.rateLimit, timeWindow: '1 minute' } } : {}),
      },
      ...(spec.method === 'POST' ? { preHandler: (req, reply, done) => app.csrfProtection(req, reply, done) } : {}),
      handler: (req, reply) => handle(spec, deps, req, reply),
    });
  }
}

/** A route as the wrapper runs it, once allowed() has sent anyone not signed in away (unless the route is public). */
type AllowedRoute = RouteOptionsBase & RouteHandlers<RouteContext> & { access: Access };

async function handle(route: RouteSpec, deps: RouteDeps, req: FastifyRequest, reply: FastifyReply) {
  const spec = route as AllowedRoute;
  const user = req.user;
  const verdict = allowed(spec, user);
  if (verdict === 'sign-in') {
    await auditDenied(deps.db, req, spec.audit, { reason: 'not signed in', path: req.routeOptions.url });
    const reason = req.sessionProblem ?? 'required';
    return reply.redirect(`${paths.signIn}?reason=${reason}`, 303);
  }
  if (verdict === 'forbidden') {
    await auditDenied(deps.db, req, spec.audit, { reason: `lacks permission ${spec.access}`, path: req.routeOptions.url });
    return reply
      .status(403)
      .type('text/html')
      .send(deps.renderError(req, reply, 403));
  }

  if (malformedId((req.params ?? {}) as Record<string, string>)) {
    return reply
      .status(404)
      .type('text/html')
      .send(deps.renderError(req, reply, 404));
  }

  const params = (req.params ?? {}) as Record<string, string>;
  const ctx: RouteContext = {
    req,
    reply,
    db: deps.db,
    readDb: deps.readDb ?? deps.db,
    user,
    body: (req.body ?? {}) as Record<string, unknown>,
    params,
    param: (name) => {
      const value = params[name];
      if (value === undefined || value === '') throw new NotFoundError(name);
      return value;
    },
    query: (req.query ?? {}) as Record<string, string>,
    audit: { details: {} },
  };
  if (spec.prepare) ctx.prepared = await spec.prepare(ctx);
  const audited = spec.method !== 'GET' || spec.auditReads === true;
  let result: RouteResult;
  try {
    if (audited) {
      result = await deps.db.transaction().execute(async (tx) => {
        let written = false;
        const write = async () => {
          written = true;
          await appendAudit(tx, {
            ...auditIdentity(user, ctx.audit),
            action: spec.audit,
            subjectType: ctx.audit.subjectType ?? null,
            subjectId: ctx.audit.subjectId ?? null,
            purpose: ctx.audit.purpose ?? null,
            result: ctx.audit.result ?? 'allowed',
            requestId: req.id,
            details: ctx.audit.details,
            children: ctx.audit.children ?? [],
          });
        };
        const readDb = deps.readDb && deps.readDb !== deps.db ? deps.readDb : tx;
        const r = await spec.handler({ ...ctx, db: tx, readDb, auditNow: write });
        const status = 'status' in r && r.status ? r.status : 200;
        if (!written && (status < 400 || ctx.audit.result === 'denied')) await write();
        return r;
      });
    } else {
      result = await spec.handler(ctx);
    }
  } catch (e) {
    try {
      if (e instanceof ValidationError && spec.onInvalid) {
        req.log.info({ audit: spec.audit, fields: e.errors.map((x) => x.href) }, 'form refused');
        result = await refusedPage(spec, deps, ctx, audited, e.errors);
        if (!('status' in result) || !result.status) result = { ...result, status: 400 };
      } else if (e instanceof StaleVersionError && spec.onInvalid) {
        result = await refusedPage(spec, deps, ctx, audited, [{ text: e.message, href: '#main-content' }]);
        result = { ...result, status: 409 };
      } else {
        throw e;
      }
    } catch (failed) {
      // Raised by the handler, or while showing the form again (a record gone meanwhile): the same pages.
      return errorPage(spec, deps, req, reply, failed);
    }
  }
  return send(deps, req, reply, result);
}

/** Not found, refused, or (rethrown to the app's error handler) a 500 with a reference. */
async function errorPage(spec: AllowedRoute, deps: RouteDeps, req: FastifyRequest, reply: FastifyReply, e: unknown) {
  if (e instanceof NotFoundError || invalidTextRepresentation(e)) {
    if (!(e instanceof NotFoundError)) req.log.info({ audit: spec.audit }, 'value the database cannot read answered as not found');
    else if (e.refusal) await auditDenied(deps.db, req, spec.audit, e.refusal.details, e.refusal.subject);
    return reply
      .status(404)
      .type('text/html')
      .send(deps.renderError(req, reply, 404));
  }
  if (e instanceof ForbiddenError) {
    await auditDenied(deps.db, req, spec.audit, { reason: e.message }, e.subject);
    return reply
      .status(403)
      .type('text/html')
      .send(deps.renderError(req, reply, 403, e.page));
  }
  throw e;
}

/**
 * The form again, with what was wrong. The action's transaction has rolled back, audit entry and
 * all; but when the route had reached someone's data (a child as its subject, or children it
 * showed), the page shown now displays it again, so it is rendered in a transaction of its own
 * with an entry recording the refused attempt and that read.
 */
async function refusedPage(spec: AllowedRoute, deps: RouteDeps, ctx: RouteContext, audited: boolean, errors: FieldError[]): Promise<RouteResult> {
  const onInvalid = spec.onInvalid!;
  const reachedData = ctx.audit.subjectType !== undefined || (ctx.audit.children?.length ?? 0) > 0;
  if (!audited || !reachedData) return onInvalid({ ...ctx, db: deps.db }, errors);
  return deps.db.transaction().execute(async (tx) => {
    const r = await onInvalid({ ...ctx, db: tx }, errors);
    await appendAudit(tx, {
      ...auditIdentity(ctx.user, ctx.audit),
      action: spec.audit,
      subjectType: ctx.audit.subjectType ?? null,
      subjectId: ctx.audit.subjectId ?? null,
      purpose: ctx.audit.purpose ?? null,
      result: 'denied',
      requestId: ctx.req.id,
      // What was refused, by field: never what was typed.
      details: { ...ctx.audit.details, refused: errors.map((x) => x.href) },
      children: ctx.audit.children ?? [],
    });
    return r;
  });
}

function send(deps: RouteDeps, req: FastifyRequest, reply: FastifyReply, result: RouteResult) {
  if ('handled' in result) return reply;
  if ('redirect' in result) return reply.redirect(result.redirect, 303);
  if ('view' in result) {
    return reply
      .status(result.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(deps.renderPage(req, reply, result.view, result.data));
  }
  if (result.headers) reply.headers(result.headers);
  return reply
    .status(result.status ?? 200)
    .type(result.contentType)
    .send(result.body);
}
