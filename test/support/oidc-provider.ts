// A real OpenID provider for tests (panva's oidc-provider), on a free loopback port, with one
// confidential client that must use PKCE. Its login page is a tiny form handled here: the test
// says who signs in, and the provider does the rest (authorisation code, signed ID token, JWKS).
// A test can also make the provider misbehave at its token endpoint (an ID token for another
// audience, or with a broken signature) to check that the app refuses it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
// @ts-expect-error -- oidc-provider ships no type declarations; the little used here is typed below.
import ProviderModule from 'oidc-provider';
import { freePort } from './postgres-cluster.js';

interface Interaction {
  uid: string;
  params: Record<string, unknown>;
  prompt: { name: string; details: Record<string, unknown> };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  issuer: string;
  callback(): (req: IncomingMessage, res: import('node:http').ServerResponse) => void;
  use(fn: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  interactionDetails(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<Interaction>;
  interactionFinished(
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
    result: unknown,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => GrantInstance;
}
interface KoaContext {
  path: string;
  method: string;
  body: unknown;
}
const Provider = ProviderModule as new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

export interface Account {
  name?: string;
  email?: string;
}

/** What the provider does to the ID token at its token endpoint, to imitate a faulty or hostile provider. */
export type TokenFault = 'other-audience' | 'bad-signature' | undefined;

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People the provider knows, by subject; change an entry to change the claims of later sign-ins. */
  accounts: Map<string, Account>;
  fault: TokenFault;
  /**
   * Plays the browser at the provider: opens the authorisation URL the app redirected to, signs in
   * as `subject` on the login page, and returns the URL the provider sends the browser back to.
   */
  signIn(authorisationUrl: string, subject: string): Promise<URL>;
  /** The sign-in-provider entry for JOINTLY_OIDC_PROVIDERS. */
  appEntry(id: string, organisationCode: string): Record<string, string>;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTestOidcProvider(opts: { redirectUris: string[] }): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'jointly-test';
  const clientSecret = 'jointly-test-client-secret-0123456789';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, Account>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put the scope's claims (name, e-mail) in the ID token itself, as Entra ID does.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims() {
          return { sub, name: account.name, email: account.email, email_verified: account.email !== undefined };
        },
      };
    },
  });

  const state: { fault: TokenFault } = { fault: undefined };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && ctx.method === 'POST' && state.fault && body?.id_token) {
      ctx.body = { ...body, id_token: spoil(body.id_token, state.fault, privateKey) };
    }
  });

  const handle = provider.callback();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (!url.pathname.startsWith('/interaction/')) return handle(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(`<form method="post"><label>Subject <input name="subject"></label><button>Sign in</button></form>`);
          return;
        }
        const form = new URLSearchParams(await readBody(req));
        const accountId = form.get('subject') ?? '';
        if (!accounts.has(accountId)) {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown person' }, { mergeWithLastSubmission: false });
          return;
        }
        // Signing in and agreeing to share the requested scopes, in one step.
        const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${(e as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    get fault() {
      return state.fault;
    },
    set fault(f: TokenFault) {
      state.fault = f;
    },
    async signIn(authorisationUrl, subject) {
      const jar = new Map<string, string>();
      const request = async (url: URL, init: RequestInit = {}) => {
        const res = await fetch(url, {
          ...init,
          redirect: 'manual',
          headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const i = pair!.indexOf('=');
          const value = pair!.slice(i + 1);
          if (value && !/expires=thu, 01 jan 1970/i.test(c)) jar.set(pair!.slice(0, i), value);
          else jar.delete(pair!.slice(0, i));
        }
        return res;
      };
      let url = new URL(authorisationUrl);
      for (let hop = 0; hop < 10; hop++) {
        if (url.origin !== issuer) return url; // back to the app (or somewhere else): the caller takes over
        let res: Response;
        if (url.pathname.startsWith('/interaction/')) {
          const page = await request(url);
          if (page.status !== 200) throw new Error(`provider login page: ${page.status} ${await page.text()}`);
          await page.text();
          res = await request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ subject }).toString(),
          });
        } else {
          res = await request(url);
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) {
          throw new Error(`provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
        }
        await res.arrayBuffer();
        url = new URL(location, url);
      }
      throw new Error('too many redirects at the provider');
    },
    appEntry(id, organisationCode) {
      return { id, name: 'Demoshire Test Identity', issuer, clientId, clientSecret, organisationCode };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** Returns the ID token re-signed by the provider's own key for another audience, or with its signature broken. */
function spoil(idToken: string, fault: Exclude<TokenFault, undefined>, key: KeyObject): string {
  const [header, payload] = idToken.split('.') as [string, string];
  if (fault === 'bad-signature') {
    // Same header and claims, signed by a key the provider never published.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return `${header}.${payload}.${b64url(sign('sha256', Buffer.from(`${header}.${payload}`), stranger))}`;
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const other = b64url(JSON.stringify({ ...claims, aud: 'some-other-client', azp: 'some-other-client' }));
  return `${header}.${other}.${b64url(sign('sha256', Buffer.from(`${header}.${other}`), key))}`;
}
