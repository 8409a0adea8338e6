import type { FastifyReply } from 'fastify';
import type { Config, OidcProviderConfig } from '../../../config.js';
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import { parseForm } from '../../../platform/http/forms.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { SESSION_COOKIE, endSession } from '../../../platform/auth/sessions.js';
import { SESSION_PROBLEM_MESSAGES } from '../../../platform/auth/current-user.js';
import type { SessionCookieOptions } from '../../../platform/http/cookies.js';
import { paths } from '../../../paths.js';
import { csrfCookieName } from '../../../platform/http/csrf.js';
import { newPasswordForm, signInForm, totpForm } from './schema.js';
import { acceptInvitation, completeTotp, findInvitation, pendingTotpSecret, signInWithOidc, signInWithPassword, type SignInPolicy } from './service.js';
import { passwordProblem } from './rules.js';
import { totpSetup } from './totp.js';
import type { Oidc, OidcIdentity, OidcStart } from './oidc.js';

const OIDC_COOKIE = 'jointly_oidc';
const STAGE_PATH = { 'signed-in': paths.home, 'awaiting-totp': paths.signInTotp, 'awaiting-totp-setup': paths.signInTotpSetup } as const;

export function signInRoutes(deps: { config: Config; oidc: Oidc; cookieOptions: SessionCookieOptions }): RouteSpec[] {
  const { config, oidc } = deps;
  const policy: SignInPolicy = {
    lockout: { attempts: config.lockoutAttempts, minutes: config.lockoutMinutes },
    session: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
    requireTotp: config.requireTotp,
    totpKey: config.totpKey,
  };
  const setSession = (reply: FastifyReply, token: string) => reply.setCookie(SESSION_COOKIE, token, deps.cookieOptions);
  const providers = oidc.providers.map((p) => ({ href: paths.oidc.start(p.id), text: `Sign in with ${p.name}` }));

  const signInPage = (ctx: RouteContext, extra: Record<string, unknown> = {}): RouteResult => {
    const reason = ctx.query.reason as keyof typeof SESSION_PROBLEM_MESSAGES | undefined;
    return {
      view: 'administration/sign-in/views/sign-in.njk',
      data: {
        pageTitle: 'Sign in to Jointly',
        notice: reason && reason in SESSION_PROBLEM_MESSAGES ? SESSION_PROBLEM_MESSAGES[reason] : undefined,
        providers,
        demo: config.demo,
        values: {},
        ...extra,
      },
    };
  };
  /** Starting over replaces any half-finished sign-in in this browser. */
  const endPending = async (ctx: RouteContext) => {
    if (ctx.req.pendingSession) await endSession(ctx.db, ctx.req.pendingSession.idHash, 'replaced');
    if (ctx.user) await endSession(ctx.db, ctx.user.sessionIdHash, 'replaced');
  };

  const totpPage = (errors?: FieldError[]): RouteResult => ({
    view: 'administration/sign-in/views/totp.njk',
    data: { pageTitle: 'Enter your security code', errors },
  });
  /**
   * The two security-code forms (entering a code, and setting codes up) check it the same way:
   * only a browser at that stage of signing in may send one, a wrong code is refused on the
   * form's own page, and a right one finishes signing in.
   */
  const securityCodeRoute = (
    url: string,
    audit: string,
    stage: 'awaiting-totp' | 'awaiting-totp-setup',
    page: (ctx: RouteContext, errors: FieldError[]) => RouteResult | Promise<RouteResult>,
    doneDetails?: Record<string, unknown>,
  ): RouteSpec => ({
    method: 'POST',
    url,
    access: 'public',
    audit,
    rateLimit: config.signInRatePerMinute,
    handler: async (ctx) => {
      const pending = ctx.req.pendingSession;
      if (pending?.stage !== stage) return { redirect: `${paths.signIn}?reason=ended` };
      const form = parseForm(totpForm, ctx.body);
      ctx.audit.userId = pending.userId;
      const outcome = await completeTotp(ctx.db, pending, form.code, policy);
      if (!outcome.ok) {
        ctx.audit.result = 'denied';
        ctx.audit.details = { reason: outcome.reason };
        return { ...(await page(ctx, [{ text: outcome.message, href: '#code' }])), status: 401 };
      }
      if (doneDetails) ctx.audit.details = doneDetails;
      setSession(ctx.reply, outcome.token);
      return { redirect: paths.home };
    },
    onInvalid: page,
  });

  return [
    {
      method: 'GET',
      url: paths.signIn,
      access: 'public',
      audit: 'sign-in.view',
      handler: (ctx) => (ctx.user ? { redirect: paths.home } : signInPage(ctx)),
    },
    {
      method: 'POST',
      url: paths.signIn,
      access: 'public',
      audit: 'sign-in.password',
      rateLimit: config.signInRatePerMinute,
      handler: async (ctx) => {
        const form = parseForm(signInForm, ctx.body);
        await endPending(ctx);
        const outcome = await signInWithPassword(ctx.db, form.email, form.password, policy);
        ctx.audit.userId = outcome.userId ?? null;
        ctx.audit.organisationId = outcome.organisationId ?? null;
        if (!outcome.ok) {
          ctx.audit.result = 'denied';
          ctx.audit.details = { reason: outcome.reason, email: form.email.toLowerCase() };
          return { ...signInPage(ctx, { errors: [{ text: outcome.message, href: '#email' }], values: { email: form.email } }), status: 401 };
        }
        ctx.audit.details = { next: outcome.stage };
        setSession(ctx.reply, outcome.token);
        return { redirect: STAGE_PATH[outcome.stage] };
      },
      onInvalid: (ctx, errors) => signInPage(ctx, { errors, values: { email: ctx.body.email } }),
    },
    {
      method: 'GET',
      url: paths.signInTotp,
      access: 'public',
      audit: 'sign-in.second-factor.view',
      handler: (ctx) => (ctx.req.pendingSession?.stage === 'awaiting-totp' ? totpPage() : { redirect: paths.signIn }),
    },
    securityCodeRoute(paths.signInTotp, 'sign-in.second-factor', 'awaiting-totp', (_ctx, errors) => totpPage(errors)),
    {
      method: 'GET',
      url: paths.signInTotpSetup,
      access: 'public',
      audit: 'sign-in.second-factor-setup.view',
      handler: async (ctx) => {
        const pending = ctx.req.pendingSession;
        if (pending?.stage !== 'awaiting-totp-setup') return { redirect: paths.signIn };
        return totpSetupPage(await pendingTotpSecret(ctx.db, pending.userId, config.totpKey));
      },
    },
    securityCodeRoute(
      paths.signInTotpSetup,
      'sign-in.second-factor-setup',
      'awaiting-totp-setup',
      async (ctx, errors) =>
        ctx.req.pendingSession
          ? totpSetupPage(await pendingTotpSecret(ctx.db, ctx.req.pendingSession.userId, config.totpKey), errors)
          : { redirect: paths.signIn },
      { secondFactor: 'set up' },
    ),
    {
      method: 'POST',
      url: paths.signOut,
      access: 'public',
      audit: 'sign-out',
      handler: async (ctx) => {
        const idHash = ctx.user?.sessionIdHash ?? ctx.req.pendingSession?.idHash;
        if (idHash) await endSession(ctx.db, idHash, 'signed-out');
        ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
        // A new CSRF secret too: tokens are bound to the session, but every signed-out page shares
        // one binding, so a token from before this session must not work again after it.
        ctx.reply.clearCookie(csrfCookieName(deps.cookieOptions.secure), { path: '/', secure: deps.cookieOptions.secure });
        return { redirect: `${paths.signIn}?reason=signed-out` };
      },
    },
    {
      method: 'GET',
      url: paths.invitation(),
      access: 'public',
      audit: 'invitation.view',
      handler: async (ctx) => {
        const inv = await findInvitation(ctx.db, ctx.params.token ?? '');
        return inv ? invitationPage(inv) : invitationGone();
      },
    },
    {
      method: 'POST',
      url: paths.invitation(),
      access: 'public',
      audit: 'invitation.accept',
      rateLimit: config.signInRatePerMinute,
      handler: async (ctx) => {
        const inv = await findInvitation(ctx.db, ctx.params.token ?? '');
        if (!inv) return invitationGone();
        const form = parseForm(newPasswordForm, ctx.body);
        const problem = passwordProblem(form.password, inv.email);
        if (problem) throw new ValidationError([{ text: problem, href: '#password' }]);
        // Someone with security codes proves they hold them before the new password applies.
        const code = inv.totp_enabled_at ? parseForm(totpForm, ctx.body).code : undefined;
        Object.assign(ctx.audit, { userId: inv.user_id, organisationId: inv.organisation_id, subjectType: 'user', subjectId: inv.user_id });
        const outcome = await acceptInvitation(ctx.db, inv, form.password, policy, code);
        if (!outcome.ok) {
          ctx.audit.result = 'denied';
          ctx.audit.details = { reason: outcome.reason };
          return { ...invitationPage(inv, [{ text: outcome.message, href: '#code' }]), status: 401 };
        }
        await endPending(ctx);
        ctx.audit.details = { next: outcome.stage, keptSecondFactor: outcome.keptSecondFactor };
        setSession(ctx.reply, outcome.token);
        return { redirect: STAGE_PATH[outcome.stage] };
      },
      onInvalid: async (ctx, errors) => {
        const inv = await findInvitation(ctx.db, ctx.params.token ?? '');
        return inv ? invitationPage(inv, errors) : invitationGone();
      },
    },
    {
      method: 'GET',
      url: paths.oidc.start(),
      access: 'public',
      audit: 'sign-in.oidc.start',
      rateLimit: config.signInRatePerMinute,
      handler: async (ctx) => {
        if (!oidc.providers.some((p) => p.id === ctx.params.provider)) return { status: 404, view: 'error.njk', data: notFound };
        const start = await oidc.start(ctx.param('provider'));
        ctx.reply.setCookie(OIDC_COOKIE, JSON.stringify(start.pending), { ...deps.cookieOptions, maxAge: 600 });
        return { redirect: start.url };
      },
    },
    {
      method: 'GET',
      url: paths.oidc.callback(),
      access: 'public',
      audit: 'sign-in.oidc',
      auditReads: true,
      rateLimit: config.signInRatePerMinute,
      // The token exchange talks to the provider: done before the transaction opens.
      prepare: async (ctx): Promise<OidcCallback> => {
        const provider = oidc.providers.find((p) => p.id === ctx.params.provider);
        if (!provider) return { kind: 'unknown-provider' };
        ctx.reply.clearCookie(OIDC_COOKIE, { path: '/' });
        const raw = ctx.req.cookies[OIDC_COOKIE];
        const unsigned = raw ? ctx.req.unsignCookie(raw) : undefined;
        if (!unsigned?.valid || !unsigned.value) {
          return { kind: 'refused', provider, reason: 'no sign-in in progress', message: 'Your sign-in did not complete. Start again.' };
        }
        try {
          const pending = JSON.parse(unsigned.value) as OidcStart['pending'];
          return { kind: 'identity', provider, identity: await oidc.finish(provider.id, new URL(ctx.req.url, config.baseUrl), pending) };
        } catch (e) {
          ctx.req.log.warn({ provider: provider.id, err: (e as Error).message }, 'oidc callback refused');
          return {
            kind: 'refused',
            provider,
            reason: `callback refused: ${(e as Error).message}`,
            message: `Signing in with ${provider.name} did not work. Start again.`,
          };
        }
      },
      handler: async (ctx) => {
        const step = ctx.prepared as OidcCallback;
        if (step.kind === 'unknown-provider') return { status: 404, view: 'error.njk', data: notFound };
        const providerId = step.provider.id;
        const refuse = (reason: string, message: string, userId?: string): RouteResult => {
          ctx.audit.result = 'denied';
          ctx.audit.userId = userId ?? null;
          ctx.audit.details = { provider: providerId, reason };
          return { ...signInPage(ctx, { errors: [{ text: message, href: '#oidc-providers' }] }), status: 401 };
        };
        if (step.kind === 'refused') return refuse(step.reason, step.message);
        const { provider, identity } = step;
        await endPending(ctx);
        const outcome = await signInWithOidc(ctx.db, identity, provider.organisationCode, policy);
        if (!outcome.ok) return refuse(outcome.reason, outcome.message, outcome.userId);
        Object.assign(ctx.audit, {
          userId: outcome.userId,
          organisationId: outcome.organisationId,
          details: { provider: providerId, issuer: identity.issuer, provisioned: outcome.provisioned },
        });
        setSession(ctx.reply, outcome.token);
        return { redirect: paths.home };
      },
    },
  ];
}

type OidcCallback =
  | { kind: 'unknown-provider' }
  | { kind: 'refused'; provider: OidcProviderConfig; reason: string; message: string }
  | { kind: 'identity'; provider: OidcProviderConfig; identity: OidcIdentity };

const notFound = { pageTitle: 'Page not found', heading: 'Page not found', paragraphs: ['There is no sign-in provider at this address.'] };

async function totpSetupPage(p: { secret: string; email: string }, errors?: unknown[]): Promise<RouteResult> {
  return {
    view: 'administration/sign-in/views/totp-setup.njk',
    data: { pageTitle: 'Set up your security codes', setup: await totpSetup(p.secret, p.email), errors },
  };
}

function invitationPage(inv: { display_name: string; email: string; totp_enabled_at: Date | null }, errors?: unknown[]): RouteResult {
  return {
    view: 'administration/sign-in/views/invitation.njk',
    data: { pageTitle: 'Create your password', invitee: inv, needsCode: inv.totp_enabled_at !== null, errors },
  };
}

function invitationGone(): RouteResult {
  return {
    status: 404,
    view: 'error.njk',
    data: {
      pageTitle: 'This invitation link has expired or has been used',
      heading: 'This invitation link has expired or has been used',
      paragraphs: ['Ask your partnership administrator to send you a new invitation.'],
    },
  };
}
