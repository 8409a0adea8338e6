// The composition root: the one place where the server is assembled. Tests build the same app.
import type { SessionCookieOptions } from './platform/http/cookies.js';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import csrf from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.js';
import type { Database } from './platform/db/database.js';
import { createViews } from './platform/views/views.js';
import { createPages, FORM_EXPIRED } from './platform/http/pages.js';
import { auditDenied, enforceRouteDeclarations, registerRoutes, type DeclaredRoute, type RouteSpec } from './platform/http/route.js';
import { SESSION_COOKIE, lookupSession } from './platform/auth/sessions.js';
import type { CurrentUser, SessionProblem } from './platform/auth/current-user.js';
import { projectPath } from './platform/paths-on-disk.js';
import { appendAudit } from './platform/audit/audit.js';
import { loggerOptions } from './platform/http/logging.js';
import { csrfCookieName, csrfHmacKey, csrfUserInfo } from './platform/http/csrf.js';
import { databaseRateLimitStore } from './platform/http/rate-limit-store.js';
import type { Notifier } from './platform/notify/notify.js';
import type { Jobs } from './platform/jobs/jobs.js';
import type { AuditCheckpointing } from './platform/audit/sealer.js';
import { healthRoutes } from './platform/http/health.js';
import { assetRoutes } from './platform/http/assets.js';
import { homeRoutes } from './capabilities/home/routes.js';
import { signInRoutes } from './capabilities/administration/sign-in/routes.js';
import { createOidc } from './capabilities/administration/sign-in/oidc.js';
import { administrationRoutes } from './capabilities/administration/partnership/routes.js';
import { jobRoutes } from './capabilities/administration/jobs/routes.js';
import { childrenRoutes } from './capabilities/record/children/routes.js';
import { familyRoutes } from './capabilities/record/family/routes.js';
import { involvementsRoutes } from './capabilities/record/involvements/routes.js';
import { tellItOnceRoutes } from './capabilities/record/tell-it-once/routes.js';
import { sharingRoutes } from './capabilities/record/sharing/routes.js';
import { findRoutes } from './capabilities/record/find/routes.js';
import { registerOverviewRoutes } from './capabilities/record/register-overview/routes.js';
import { areaSettingsRoutes } from './capabilities/record/area-settings/routes.js';
import { budgetsRoutes } from './capabilities/money/budgets/routes.js';
import { budgetReportsRoutes } from './capabilities/money/budget-reports/routes.js';
import { importsRoutes } from './capabilities/linkage/imports/routes.js';
import { matchingReviewRoutes } from './capabilities/linkage/matching-review/routes.js';
import { referralsRoutes } from './capabilities/referral-and-panel/referrals/routes.js';
import { eligibilityRoutes } from './capabilities/referral-and-panel/eligibility/routes.js';
import { panelDecisionsRoutes } from './capabilities/referral-and-panel/panel-decisions/routes.js';
import { panelsRoutes } from './capabilities/referral-and-panel/panels/routes.js';
import { registerUploads, unreadableUpload, UNREADABLE_UPLOAD } from './capabilities/linkage/imports/uploads.js';
import { disputesRoutes } from './capabilities/referral-and-panel/disputes/routes.js';
import { panelReportsRoutes } from './capabilities/referral-and-panel/panel-reports/routes.js';
import { myFamilyRoutes } from './capabilities/families/my-family/routes.js';
import { localOfferRoutes } from './capabilities/planning/local-offer/routes.js';
import { needsAssessmentRoutes } from './capabilities/planning/needs-assessment/routes.js';
import { forecastRoutes } from './capabilities/planning/forecast/routes.js';
import { commissioningPlanRoutes } from './capabilities/planning/commissioning-plans/routes.js';
import { contractRoutes } from './capabilities/planning/contracts/routes.js';
import { paths } from './paths.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its declared access and audit name (see enforceRouteDeclarations). */
    declaredRoutes: DeclaredRoute[];
  }
  interface FastifyRequest {
    user: CurrentUser | null;
    sessionProblem: SessionProblem | undefined;
    pendingSession: { userId: string; idHash: string; stage: string } | undefined;
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  notifier: Notifier;
  jobs: Jobs;
  /** How the audit log's checkpoints are signed and kept; without it the audit log page checks the whole chain. */
  auditCheckpoints?: AuditCheckpointing;
  logger?: FastifyServerOptions['logger'];
}

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const db = database.db;
  const secureCookies = config.baseUrl.startsWith('https://');
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config.logLevel),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: config.production,
    bodyLimit: 1024 * 1024,
  });
  app.decorate('declaredRoutes', enforceRouteDeclarations(app));

  await app.register(cookie, { secret: config.sessionSecret });
  await app.register(formbody);
  // File uploads (agency extracts) have their own size limit, above the 1 MB body limit.
  await registerUploads(app);
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  // Counted in the database, so every process behind a load balancer counts the same attempts.
  await app.register(rateLimit, { global: false, store: databaseRateLimitStore(db) });
  const cookieOptions: SessionCookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true };
  await app.register(csrf, {
    cookieKey: csrfCookieName(secureCookies),
    cookieOpts: cookieOptions,
    getUserInfo: csrfUserInfo,
    csrfOpts: { userInfo: true, hmacKey: csrfHmacKey(config.sessionSecret) },
  });
  await app.register(fastifyStatic, { root: projectPath('public'), serve: false });

  const render = createViews();
  const pages = createPages(render, { demo: config.demo });
  const policy = { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };

  app.decorateRequest('user', null);
  app.decorateRequest('sessionProblem', undefined);
  app.decorateRequest('pendingSession', undefined);
  app.addHook('onRequest', async (req, reply) => {
    const staticAsset = req.url.startsWith(paths.assets) || req.url.startsWith(paths.public);
    // Every page and download may carry personal data (a child's record, a report, an import's
    // rows), so none is kept by the browser or a proxy; only the static assets may be cached.
    if (!staticAsset) void reply.header('cache-control', 'no-store');
    if (staticAsset || req.url.startsWith('/health/')) return;
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) {
      req.sessionProblem = 'tampered';
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await auditDenied(db, req, 'session.refused', { reason: 'tampered' });
      return;
    }
    const found = await lookupSession(db, unsigned.value, policy);
    if (found.kind === 'signed-in') req.user = found.user;
    else if (found.kind === 'pending') req.pendingSession = found;
    else {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      if (found.quiet) return;
      req.sessionProblem = found.problem;
      await db.transaction().execute(async (tx) => {
        await appendAudit(tx, {
          userId: found.userId ?? null,
          action: 'session.refused',
          result: 'denied',
          requestId: req.id,
          details: { reason: found.problem },
        });
      });
    }
  });

  app.setNotFoundHandler({}, (req, reply) =>
    reply
      .status(404)
      .type('text/html')
      .send(pages.renderError(req, reply, 404)),
  );
  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') {
      await auditDenied(db, req, 'csrf.refused', {
        reason: err.code,
        path: req.routeOptions.url,
        ...(req.sessionProblem ? { session: req.sessionProblem } : {}),
      }).catch(() => undefined);
      // The form's session has ended (timed out, signed out elsewhere, deactivated): its token was
      // bound to that session, so say why, as a page of the ended session would.
      if (req.sessionProblem) return reply.redirect(`${paths.signIn}?reason=${req.sessionProblem}`, 303);
      return reply
        .status(403)
        .type('text/html')
        .send(pages.renderError(req, reply, 403, FORM_EXPIRED));
    }
    if (err.statusCode === 429) {
      await auditDenied(db, req, 'rate-limit.refused', { path: req.routeOptions.url }).catch(() => undefined);
      return reply
        .status(429)
        .type('text/html')
        .send(pages.renderError(req, reply, 429));
    }
    if (unreadableUpload(req, err)) {
      req.log.info({ err: { message: err.message } }, 'unreadable upload refused');
      return reply
        .status(400)
        .type('text/html')
        .send(pages.renderError(req, reply, 400, UNREADABLE_UPLOAD));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply
        .status(err.statusCode === 413 ? 413 : 400)
        .type('text/html')
        .send(pages.renderError(req, reply, 400));
    }
    req.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .type('text/html')
      .send(pages.renderError(req, reply, 500));
  });

  const oidc = createOidc(config);
  const routeDeps = { db, readDb: database.readDb, renderPage: pages.renderPage, renderError: pages.renderError };
  const capabilityDeps = { config, notifier: deps.notifier, jobs: deps.jobs };
  const capabilities: RouteSpec[][] = [
    healthRoutes(database),
    assetRoutes(),
    homeRoutes(),
    signInRoutes({ config, oidc, cookieOptions }),
    administrationRoutes({ config, notifier: deps.notifier, auditCheckpoints: deps.auditCheckpoints }),
    jobRoutes({ jobs: deps.jobs }),
    // The joint agency record, one folder per capability.
    findRoutes(capabilityDeps),
    childrenRoutes(capabilityDeps),
    familyRoutes(capabilityDeps),
    involvementsRoutes(capabilityDeps),
    tellItOnceRoutes(capabilityDeps),
    sharingRoutes(capabilityDeps),
    // Families' own pages (issue 15).
    myFamilyRoutes(capabilityDeps),
    registerOverviewRoutes(capabilityDeps),
    areaSettingsRoutes(capabilityDeps),
    budgetsRoutes(capabilityDeps),
    budgetReportsRoutes(capabilityDeps),
    importsRoutes(capabilityDeps),
    matchingReviewRoutes(capabilityDeps),
    referralsRoutes(capabilityDeps),
    eligibilityRoutes(capabilityDeps),
    panelsRoutes(capabilityDeps),
    panelDecisionsRoutes(capabilityDeps),
    disputesRoutes(capabilityDeps),
    panelReportsRoutes(capabilityDeps),
    // Planning: the Local Offer (public search, ORUK API, providers and moderation).
    localOfferRoutes(capabilityDeps),
    needsAssessmentRoutes(capabilityDeps),
    forecastRoutes(capabilityDeps),
    commissioningPlanRoutes(capabilityDeps),
    contractRoutes(capabilityDeps),
  ];
  for (const routes of capabilities) registerRoutes(app, routeDeps, routes);
  return app;
}
