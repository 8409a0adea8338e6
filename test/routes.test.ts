// Permissions and audit by construction: every registered route declares both, and a route
// without them cannot be registered at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { buildTestApp, type TestApp } from './support/app.js';
import { enforceRouteDeclarations, registerRoutes } from '../src/platform/http/route.js';
import { NotFoundError, ValidationError } from '../src/platform/http/errors.js';
import { PERMISSIONS } from '../src/platform/access/roles.js';

describe('route declarations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('every route in the app declares a known permission (or public / signed-in) and an audit name', () => {
    const routes = t.app.declaredRoutes;
    expect(routes.length).toBeGreaterThan(20);
    const known = new Set<string>(['public', 'signed-in', ...PERMISSIONS]);
    const bad = routes.filter((r) => !known.has(r.access) || !/^[a-z0-9.-]+$/.test(r.audit));
    expect(bad).toEqual([]);
    // The administration pages are never public.
    const admin = routes.filter((r) => r.url.startsWith('/admin'));
    expect(admin.length).toBeGreaterThan(5);
    expect(admin.filter((r) => r.access === 'public' || r.access === 'signed-in')).toEqual([]);
  });

  it('lists the public routes explicitly, so a new one is a deliberate choice', () => {
    const pub = t.app.declaredRoutes
      .filter((r) => r.access === 'public' && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(pub).toEqual(
      [
        'GET /assets/*',
        'GET /health/live',
        'GET /health/ready',
        'GET /invitation/:token',
        'GET /privacy',
        'GET /public/*',
        'GET /sign-in',
        'GET /sign-in/oidc/:provider',
        'GET /sign-in/oidc/:provider/callback',
        'GET /sign-in/second-factor',
        'GET /sign-in/set-up-second-factor',
        'POST /invitation/:token',
        'POST /sign-in',
        'POST /sign-in/second-factor',
        'POST /sign-in/set-up-second-factor',
        'POST /sign-out',
        // referrals: a family or young person refers itself without an account.
        'GET /refer',
        'POST /refer',
        'GET /refer/sent/:reference',
        // local-offer: families search the directory without an account; its ORUK API is open and read-only.
        'GET /local-offer',
        'GET /local-offer/services/:id',
        'GET /oruk',
        'GET /oruk/services',
        'GET /oruk/services/:id',
        'GET /oruk/taxonomies',
        'GET /oruk/taxonomies/:id',
        'GET /oruk/service_at_locations',
        'GET /oruk/service_at_locations/:id',
      ].sort(),
    );
  });

  it('answers 404, not 500, when a record is not found while a refused form is shown again', async () => {
    const app = Fastify();
    const renderError = (_req: unknown, _reply: unknown, status: number) => `error ${status}`;
    registerRoutes(app, { db: null as never, renderPage: () => 'page', renderError }, [
      {
        method: 'GET',
        url: '/form-of-a-record-gone-meanwhile',
        access: 'public',
        audit: 'test.form',
        handler: () => {
          throw new ValidationError([{ text: 'Enter a name', href: '#name' }]);
        },
        onInvalid: () => {
          throw new NotFoundError('record');
        },
      },
    ]);
    const res = await app.inject({ method: 'GET', url: '/form-of-a-record-gone-meanwhile' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('error 404');
    await app.close();
  });

  it('refuses to register a route without a permission or an audit name', async () => {
    const app = Fastify();
    enforceRouteDeclarations(app);
    expect(() => app.get('/undeclared', () => Promise.resolve('hello'))).toThrow(/must declare access and an audit name/);
    expect(() => app.route({ method: 'GET', url: '/half', config: { access: 'public' }, handler: () => Promise.resolve('x') })).toThrow(/audit name/);
    await app.close();
  });
});
