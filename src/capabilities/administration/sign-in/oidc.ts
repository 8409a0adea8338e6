// OpenID Connect sign-in for organisations' identity providers (Entra ID, NHS CIS2, ...):
// authorization code flow with PKCE; state and nonce checked; the ID token's signature,
// audience and expiry verified by openid-client. People are keyed by issuer + subject.
import * as client from 'openid-client';
import type { Config, OidcProviderConfig } from '../../../config.js';
import { paths } from '../../../paths.js';

export interface OidcStart {
  url: string;
  /** What must come back: kept in a signed, short-lived cookie. */
  pending: { provider: string; state: string; nonce: string; verifier: string; expires: number };
}
export interface OidcIdentity {
  issuer: string;
  subject: string;
  name: string | undefined;
  email: string | undefined;
}

export interface Oidc {
  providers: OidcProviderConfig[];
  start(providerId: string): Promise<OidcStart>;
  finish(providerId: string, callbackUrl: URL, pending: OidcStart['pending']): Promise<OidcIdentity>;
}

export function createOidc(config: Config): Oidc {
  const discovered = new Map<string, Promise<client.Configuration>>();
  const providerById = (id: string) => {
    const p = config.oidcProviders.find((x) => x.id === id);
    if (!p) throw new Error(`Unknown sign-in provider "${id}"`);
    return p;
  };
  const configuration = (p: OidcProviderConfig) => {
    let c = discovered.get(p.id);
    if (!c) {
      const insecure = !config.production && p.issuer.startsWith('http://');
      // openid-client checks an ID token's signature only when asked (TLS to the token endpoint
      // is deemed enough); we ask, so a token not signed with the provider's published keys fails.
      const execute = [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])];
      c = client.discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, { execute });
      c.catch(() => discovered.delete(p.id));
      discovered.set(p.id, c);
    }
    return c;
  };
  const redirectUri = (p: OidcProviderConfig) => new URL(paths.oidc.callback(p.id), config.baseUrl).toString();

  return {
    providers: config.oidcProviders,
    async start(id) {
      const p = providerById(id);
      const c = await configuration(p);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri(p),
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.toString(), pending: { provider: id, state, nonce, verifier, expires: Date.now() + 10 * 60_000 } };
    },
    async finish(id, callbackUrl, pending) {
      const p = providerById(id);
      if (pending.provider !== id || pending.expires < Date.now()) throw new Error('The sign-in attempt has expired or was for another provider');
      const c = await configuration(p);
      let tokens;
      try {
        tokens = await client.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (e) {
        // openid-client's message is generic ("invalid response encountered"); which check failed
        // (state, nonce, audience, signature...) is its cause's message. Keep that, not the cause's
        // other fields: they hold the token's claims, which are personal data.
        const check = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
        throw check ? new Error(`${(e as Error).message}: ${check}`, { cause: e }) : e;
      }
      const claims = tokens.claims();
      if (!claims) throw new Error('The identity provider did not return an ID token');
      return {
        issuer: claims.iss,
        subject: claims.sub,
        name: typeof claims.name === 'string' ? claims.name : undefined,
        email: typeof claims.email === 'string' ? claims.email : undefined,
      };
    },
  };
}
