// The environment: sensible defaults for a first run, a clear stop naming the variable for
// anything malformed, and a production mode that refuses every demo setting.
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { projectPath } from './platform/paths-on-disk.js';

const OWN_SECRET = 'a-partnership-chosen-secret-of-at-least-32-chars';
const DEMO_SECRET = 'jointly-demo-secret-not-for-production-use-0000';
const OWN_TOTP_KEY = '3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho='; // 32 bytes, base64
const DEMO_TOTP_KEY_HEX = createHash('sha256').update('jointly-demo-totp-key-not-for-production-use').digest('hex');
const CHECKPOINT_KEY = generateKeyPairSync('ed25519').privateKey;
const CHECKPOINT_KEY_DER = CHECKPOINT_KEY.export({ type: 'pkcs8', format: 'der' }).toString('base64');

/** A complete, acceptable production environment; tests take one thing away or spoil it. */
const PRODUCTION: Record<string, string> = {
  JOINTLY_PRODUCTION: 'true',
  JOINTLY_SESSION_SECRET: OWN_SECRET,
  JOINTLY_TOTP_KEY: OWN_TOTP_KEY,
  JOINTLY_DEMO: 'false',
  DATABASE_URL: 'postgres://jointly@db.internal:5432/jointly',
  JOINTLY_BASE_URL: 'https://jointly.example.org',
  NOTIFY_API_KEY: 'a-notify-api-key',
  NOTIFY_EMAIL_TEMPLATE_ID: '0f2a5c0e-1b7e-4c1a-9d3e-2f4b5a6c7d8e',
  NOTIFY_SMS_TEMPLATE_ID: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  JOINTLY_AUDIT_CHECKPOINT_KEY: CHECKPOINT_KEY_DER,
};

/** The message loadConfig stops with, or fails the test if it does not stop. */
function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message).toContain('Jointly cannot start');
    return message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration defaults', () => {
  it('starts with nothing set: port 3000, ./.jointly, the embedded database, the demo on, no second factor', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe('./.jointly');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.demo).toBe(true);
    expect(c.production).toBe(false);
    expect(c.requireTotp).toBe(false);
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.totpKey.toString('hex')).toBe(DEMO_TOTP_KEY_HEX);
    expect(c.oidcProviders).toEqual([]);
    expect(c.notify).toBeUndefined();
    expect(c.logLevel).toBe('info');
    expect(c).toMatchObject({ sessionIdleMinutes: 30, sessionAbsoluteHours: 12, lockoutAttempts: 5, lockoutMinutes: 15, signInRatePerMinute: 20 });
  });

  it('treats an empty value as not set, so PORT= keeps the default rather than a random port', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('accepts yes/no spellings for the security-code switch', () => {
    expect(loadConfig({ JOINTLY_REQUIRE_TOTP: 'yes' }).requireTotp).toBe(true);
    expect(loadConfig({ JOINTLY_REQUIRE_TOTP: '0' }).requireTotp).toBe(false);
  });

  it('follows the port into the default base URL', () => {
    expect(loadConfig({ PORT: '8080' }).baseUrl).toBe('http://localhost:8080');
  });

  it('uses PostgreSQL when DATABASE_URL is set, in either spelling', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d' }).databaseUrl).toBe('postgres://u@h/d');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/d' }).databaseUrl).toBe('postgresql://u@h/d');
  });

  it('reads yes/no style switches', () => {
    expect(loadConfig({ JOINTLY_DEMO: 'false' }).demo).toBe(false);
    expect(loadConfig({ JOINTLY_DEMO: '0' }).demo).toBe(false);
    expect(loadConfig({ JOINTLY_DEMO: 'no' }).demo).toBe(false);
    expect(loadConfig({ JOINTLY_DEMO: 'yes' }).demo).toBe(true);
    expect(loadConfig({ JOINTLY_REQUIRE_TOTP: 'true' }).requireTotp).toBe(true);
  });

  it('reads a valid list of sign-in providers', () => {
    const providers = [
      {
        id: 'demoshire-entra',
        name: 'Demoshire Council',
        issuer: 'https://login.example.org/tenant/v2.0',
        clientId: 'c',
        clientSecret: 's',
        organisationCode: 'DC',
      },
    ];
    expect(loadConfig({ JOINTLY_OIDC_PROVIDERS: JSON.stringify(providers) }).oidcProviders).toEqual(providers);
  });

  it('accepts GOV.UK Notify when all three settings are given', () => {
    const c = loadConfig({
      NOTIFY_API_KEY: 'test-key',
      NOTIFY_EMAIL_TEMPLATE_ID: '0f2a5c0e-1b7e-4c1a-9d3e-2f4b5a6c7d8e',
      NOTIFY_SMS_TEMPLATE_ID: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    });
    expect(c.notify).toEqual({
      apiKey: 'test-key',
      emailTemplateId: '0f2a5c0e-1b7e-4c1a-9d3e-2f4b5a6c7d8e',
      smsTemplateId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    });
  });
});

describe('malformed values stop start-up with a message naming the variable', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '80.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['JOINTLY_SESSION_SECRET', { JOINTLY_SESSION_SECRET: 'too-short' }],
    ['JOINTLY_TOTP_KEY', { JOINTLY_TOTP_KEY: 'a-passphrase-is-not-a-key' }],
    ['JOINTLY_BASE_URL', { JOINTLY_BASE_URL: 'not a url' }],
    ['JOINTLY_DEMO', { JOINTLY_DEMO: 'maybe' }],
    ['JOINTLY_REQUIRE_TOTP', { JOINTLY_REQUIRE_TOTP: 'sometimes' }],
    ['JOINTLY_LOCKOUT_ATTEMPTS', { JOINTLY_LOCKOUT_ATTEMPTS: '0' }],
    ['JOINTLY_SIGN_IN_RATE_PER_MINUTE', { JOINTLY_SIGN_IN_RATE_PER_MINUTE: 'lots' }],
    [
      'NOTIFY_EMAIL_TEMPLATE_ID',
      { NOTIFY_API_KEY: 'k', NOTIFY_EMAIL_TEMPLATE_ID: 'not-a-uuid', NOTIFY_SMS_TEMPLATE_ID: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
    ],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['JOINTLY_AUDIT_CHECKPOINT_KEY', { JOINTLY_AUDIT_CHECKPOINT_KEY: 'not-a-key' }],
    ['JOINTLY_AUDIT_CHECKPOINT_KEY', { JOINTLY_AUDIT_CHECKPOINT_KEY: OWN_TOTP_KEY }],
    ['JOINTLY_AUDIT_CHECKPOINT_ENTRIES', { JOINTLY_AUDIT_CHECKPOINT_ENTRIES: '0' }],
    ['JOINTLY_AUDIT_CHECKPOINT_MINUTES', { JOINTLY_AUDIT_CHECKPOINT_MINUTES: 'ten' }],
    ['JOINTLY_AUDIT_SEAL_SECONDS', { JOINTLY_AUDIT_SEAL_SECONDS: '0' }],
  ])('%s: %j', (variable, env) => {
    expect(refusal(env)).toMatch(new RegExp(`^\\s+${variable}: `, 'm'));
  });

  it('explains what is wrong with the value, not just where', () => {
    expect(refusal({ DATABASE_URL: 'mysql://x' })).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(refusal({ JOINTLY_SESSION_SECRET: 'too-short' })).toContain('JOINTLY_SESSION_SECRET: must be at least 32 characters');
    expect(refusal({ JOINTLY_TOTP_KEY: 'abcd' })).toContain('JOINTLY_TOTP_KEY: must be 32 random bytes written as 64 hex characters or as base64');
    expect(refusal({ JOINTLY_AUDIT_CHECKPOINT_KEY: 'abcd' })).toContain('JOINTLY_AUDIT_CHECKPOINT_KEY: must be an Ed25519 private key, as PEM or as base64');
  });

  it('reads the audit checkpoint key as base64 DER or as PEM (newlines written as \\n too), and the checkpoint settings', () => {
    const pem = CHECKPOINT_KEY.export({ type: 'pkcs8', format: 'pem' }).toString();
    const fromDer = loadConfig({ JOINTLY_AUDIT_CHECKPOINT_KEY: CHECKPOINT_KEY_DER }).auditCheckpointKey!;
    expect(loadConfig({ JOINTLY_AUDIT_CHECKPOINT_KEY: pem }).auditCheckpointKey!.keyId).toBe(fromDer.keyId);
    expect(loadConfig({ JOINTLY_AUDIT_CHECKPOINT_KEY: pem.replace(/\n/g, '\\n') }).auditCheckpointKey!.keyId).toBe(fromDer.keyId);
    expect(loadConfig({})).toMatchObject({
      auditCheckpointKey: undefined,
      auditCheckpointFile: '.jointly/audit-checkpoints.jsonl',
      auditCheckpointEntries: 1000,
      auditCheckpointMinutes: 10,
      auditSealSeconds: 1,
    });
    expect(loadConfig({ JOINTLY_DATA_DIR: '/var/lib/jointly', JOINTLY_AUDIT_CHECKPOINT_ENTRIES: '50' })).toMatchObject({
      auditCheckpointFile: '/var/lib/jointly/audit-checkpoints.jsonl',
      auditCheckpointEntries: 50,
    });
  });

  it('names every malformed variable at once', () => {
    const message = refusal({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
    expect(message).toContain('PORT:');
    expect(message).toContain('DATABASE_URL:');
  });

  it('refuses sign-in providers that are not JSON', () => {
    expect(refusal({ JOINTLY_OIDC_PROVIDERS: '{not json' })).toMatch(/^\s+JOINTLY_OIDC_PROVIDERS: must be a JSON array of providers/m);
  });

  it('refuses sign-in providers that are JSON but not a list', () => {
    expect(refusal({ JOINTLY_OIDC_PROVIDERS: '{"id":"x"}' })).toContain('JOINTLY_OIDC_PROVIDERS: must be a JSON array of providers');
  });

  it('refuses a sign-in provider with missing fields', () => {
    const message = refusal({ JOINTLY_OIDC_PROVIDERS: JSON.stringify([{ id: 'demoshire', name: 'Demoshire Council' }]) });
    expect(message).toContain('JOINTLY_OIDC_PROVIDERS: must be a JSON array of providers');
  });

  it('refuses a sign-in provider whose id is not lower-case letters, digits and hyphens', () => {
    const provider = { id: 'Demo Shire', name: 'Demoshire', issuer: 'https://login.example.org', clientId: 'c', clientSecret: 's' };
    expect(refusal({ JOINTLY_OIDC_PROVIDERS: JSON.stringify([provider]) })).toContain('JOINTLY_OIDC_PROVIDERS:');
  });

  it.each([
    [{ NOTIFY_API_KEY: 'k' }],
    [{ NOTIFY_EMAIL_TEMPLATE_ID: '0f2a5c0e-1b7e-4c1a-9d3e-2f4b5a6c7d8e' }],
    [{ NOTIFY_API_KEY: 'k', NOTIFY_SMS_TEMPLATE_ID: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }],
  ])('refuses partial GOV.UK Notify settings: %j', (env) => {
    const message = refusal(env);
    expect(message).toContain('NOTIFY_API_KEY: set NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_SMS_TEMPLATE_ID together, or none of them');
  });
});

describe('production mode', () => {
  it('accepts a complete production environment: second factor required, no demo', () => {
    const c = loadConfig(PRODUCTION);
    expect(c.production).toBe(true);
    expect(c.requireTotp).toBe(true);
    expect(c.demo).toBe(false);
    expect(c.sessionSecret).toBe(OWN_SECRET);
    expect(c.totpKey).toEqual(Buffer.from(OWN_TOTP_KEY, 'base64'));
    expect(c.databaseUrl).toBe(PRODUCTION.DATABASE_URL);
    expect(c.baseUrl).toBe('https://jointly.example.org');
  });

  it('accepts JOINTLY_REQUIRE_TOTP=true said out loud', () => {
    expect(loadConfig({ ...PRODUCTION, JOINTLY_REQUIRE_TOTP: 'true' }).requireTotp).toBe(true);
  });

  it.each([
    ['JOINTLY_SESSION_SECRET', 'no session secret', { JOINTLY_SESSION_SECRET: undefined }, 'must be set in production mode'],
    ['JOINTLY_SESSION_SECRET', 'the demo secret', { JOINTLY_SESSION_SECRET: DEMO_SECRET }, 'is the demo secret'],
    ['JOINTLY_TOTP_KEY', 'no security-code key', { JOINTLY_TOTP_KEY: undefined }, 'must be set in production mode \\(it encrypts security-code secrets\\)'],
    ['JOINTLY_TOTP_KEY', 'the demo key', { JOINTLY_TOTP_KEY: DEMO_TOTP_KEY_HEX }, 'is the demo key'],
    ['JOINTLY_DEMO', 'the demo not switched off', { JOINTLY_DEMO: undefined }, 'must be set to false'],
    ['JOINTLY_DEMO', 'the demo switched on', { JOINTLY_DEMO: 'true' }, 'must be set to false'],
    ['DATABASE_URL', 'no PostgreSQL', { DATABASE_URL: undefined }, 'must be set in production mode'],
    ['JOINTLY_BASE_URL', 'an http address', { JOINTLY_BASE_URL: 'http://jointly.example.org' }, 'must be an https:// address'],
    ['JOINTLY_BASE_URL', 'no base URL', { JOINTLY_BASE_URL: undefined }, 'must be an https:// address'],
    ['JOINTLY_REQUIRE_TOTP', 'the second factor switched off', { JOINTLY_REQUIRE_TOTP: 'false' }, 'cannot be false in production mode'],
    [
      'JOINTLY_AUDIT_CHECKPOINT_KEY',
      'no audit checkpoint key',
      { JOINTLY_AUDIT_CHECKPOINT_KEY: undefined },
      "must be set in production mode \\(it signs the audit log's checkpoints",
    ],
    // Without Notify an invitation could be read only in the outbox, by administrators.
    [
      'NOTIFY_API_KEY',
      'no GOV.UK Notify',
      { NOTIFY_API_KEY: undefined, NOTIFY_EMAIL_TEMPLATE_ID: undefined, NOTIFY_SMS_TEMPLATE_ID: undefined },
      'must be set in production mode, with NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_SMS_TEMPLATE_ID',
    ],
  ])('refuses %s: %s', (variable, _what, change, explanation) => {
    const message = refusal({ ...PRODUCTION, ...change });
    expect(message).toMatch(new RegExp(`^\\s+${variable}: ${explanation}`, 'm'));
    // Only that one problem is reported: the rest of the environment is fine.
    expect(message.trim().split('\n')).toHaveLength(2);
  });

  it('names every demo setting when production mode is switched on over the defaults', () => {
    const message = refusal({ JOINTLY_PRODUCTION: 'true' });
    for (const variable of [
      'JOINTLY_SESSION_SECRET',
      'JOINTLY_TOTP_KEY',
      'JOINTLY_AUDIT_CHECKPOINT_KEY',
      'JOINTLY_DEMO',
      'DATABASE_URL',
      'JOINTLY_BASE_URL',
      'NOTIFY_API_KEY',
    ]) {
      expect(message).toMatch(new RegExp(`^\\s+${variable}: `, 'm'));
    }
  });

  it('lets the second factor be switched on outside production mode, and off by default', () => {
    expect(loadConfig({ JOINTLY_PRODUCTION: 'false' }).requireTotp).toBe(false);
  });
});

describe('the server process', () => {
  it('stops with exit code 1 and a message naming PORT when PORT is not a number', async () => {
    const child = spawn('npx', ['tsx', 'src/main.ts'], {
      cwd: projectPath('.'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: 'abc', JOINTLY_DATA_DIR: '/nonexistent/jointly-config-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not stop within 20 seconds; stderr so far: ${stderr}`));
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Jointly cannot start');
    expect(stderr).toMatch(/^\s+PORT: /m);
  }, 30_000);
});
