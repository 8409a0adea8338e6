// The whole environment, parsed and validated once. Nothing else reads process.env.
import { createHash, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { parseKey } from './platform/auth/secret-box.js';
import { checkpointKey, type CheckpointKey } from './platform/audit/checkpoints.js';

const DEMO_SESSION_SECRET = 'jointly-demo-secret-not-for-production-use-0000';
// Outside production mode security-code secrets are encrypted under this published, fixed key:
// it keeps demo and test databases readable across restarts, and protects nothing.
const DEMO_TOTP_KEY = createHash('sha256').update('jointly-demo-totp-key-not-for-production-use').digest();

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const oidcProvider = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'id must be lower-case letters, digits and hyphens'),
  name: z.string().min(1),
  issuer: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Organisation that new people signing in through this provider belong to, by its code. */
  organisationCode: z.string().min(1).optional(),
});
export type OidcProviderConfig = z.infer<typeof oidcProvider>;

const base = z.object({
  NODE_ENV: z.string().optional(),
  JOINTLY_PRODUCTION: bool(false),
  PORT: z.coerce.number({ message: 'must be a whole number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** A read replica of DATABASE_URL: dashboards, reports and exports read from it (docs/operations.md). */
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  JOINTLY_DATA_DIR: z.string().min(1).default('./.jointly'),
  JOINTLY_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JOINTLY_TOTP_KEY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const parsed = parseKey(raw);
      if ('key' in parsed) return parsed.key;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
  JOINTLY_AUDIT_CHECKPOINT_KEY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const key = parseCheckpointKey(raw);
      if (key) return key;
      ctx.addIssue({
        code: 'custom',
        message:
          'must be an Ed25519 private key, as PEM or as base64 of its PKCS#8 DER form (for example the output of openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)',
      });
      return z.NEVER;
    }),
  JOINTLY_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  JOINTLY_AUDIT_CHECKPOINT_ENTRIES: z.coerce.number({ message: 'must be a whole number' }).int().min(1).max(10_000_000).default(1000),
  JOINTLY_AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number({ message: 'must be a whole number' })
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  JOINTLY_AUDIT_SEAL_SECONDS: z.coerce.number({ message: 'must be a whole number' }).int().min(1).max(3600).default(1),
  JOINTLY_BASE_URL: z.string().url().optional(),
  JOINTLY_DEMO: bool(true),
  JOINTLY_REQUIRE_TOTP: z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).optional(),
  JOINTLY_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  JOINTLY_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  JOINTLY_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  JOINTLY_LOCKOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  JOINTLY_SIGN_IN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  JOINTLY_OIDC_PROVIDERS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return [] as OidcProviderConfig[];
      try {
        return z.array(oidcProvider).parse(JSON.parse(raw));
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of providers (${(e as Error).message.split('\n')[0]})` });
        return z.NEVER;
      }
    }),
  NOTIFY_API_KEY: z.string().min(1).optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: z.string().uuid().optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.string().uuid().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  production: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** A read replica for dashboards, reports and exports; only with databaseUrl. */
  databaseReadUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  /** AES-256 key for security-code secrets at rest; the published demo key outside production. */
  totpKey: Buffer;
  baseUrl: string;
  demo: boolean;
  requireTotp: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
  signInRatePerMinute: number;
  oidcProviders: OidcProviderConfig[];
  /** Signs the audit log's checkpoints; when not set, runtime.ts keeps a generated one in the data folder. */
  auditCheckpointKey: CheckpointKey | undefined;
  /** Where signed checkpoints are appended (JSON Lines), outside the database. */
  auditCheckpointFile: string;
  auditCheckpointEntries: number;
  auditCheckpointMinutes: number;
  /** How often the sealer runs. */
  auditSealSeconds: number;
  notify: { apiKey: string; emailTemplateId: string; smsTemplateId: string } | undefined;
  logLevel: string;
}

export class ConfigError extends Error {}

/** An Ed25519 private key as PEM (newlines may be written as \n) or as base64 of PKCS#8 DER; null if it is not one. */
function parseCheckpointKey(raw: string): CheckpointKey | null {
  const text = raw.trim();
  try {
    const key = text.startsWith('-----BEGIN')
      ? createPrivateKey(text.replace(/\\n/g, '\n'))
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'ed25519' ? checkpointKey(key) : null;
  } catch {
    return null;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (common in container set-ups) means "not set", not zero or the empty string.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = base.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Jointly cannot start: the environment is not valid.\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.JOINTLY_PRODUCTION;
  const problems: string[] = [];
  if (production) {
    if (!e.JOINTLY_SESSION_SECRET) problems.push('JOINTLY_SESSION_SECRET: must be set in production mode');
    if (e.JOINTLY_SESSION_SECRET === DEMO_SESSION_SECRET) problems.push('JOINTLY_SESSION_SECRET: is the demo secret; choose your own');
    if (!e.JOINTLY_TOTP_KEY)
      problems.push('JOINTLY_TOTP_KEY: must be set in production mode (it encrypts security-code secrets); for example openssl rand -base64 32');
    if (e.JOINTLY_TOTP_KEY?.equals(DEMO_TOTP_KEY)) problems.push('JOINTLY_TOTP_KEY: is the demo key; choose your own');
    if (!e.JOINTLY_AUDIT_CHECKPOINT_KEY)
      problems.push(
        "JOINTLY_AUDIT_CHECKPOINT_KEY: must be set in production mode (it signs the audit log's checkpoints; every process needs the same key); for example openssl genpkey -algorithm ed25519 -outform DER | base64 -w0",
      );
    if (given.JOINTLY_DEMO === undefined || e.JOINTLY_DEMO) problems.push('JOINTLY_DEMO: must be set to false in production mode (no demo accounts)');
    if (!e.DATABASE_URL) problems.push('DATABASE_URL: must be set in production mode (PostgreSQL is the system of record)');
    if (!e.JOINTLY_BASE_URL?.startsWith('https://')) problems.push('JOINTLY_BASE_URL: must be an https:// address in production mode');
    if (e.JOINTLY_REQUIRE_TOTP && !['true', '1', 'yes'].includes(e.JOINTLY_REQUIRE_TOTP))
      problems.push('JOINTLY_REQUIRE_TOTP: cannot be false in production mode');
    // Without Notify, invitations would exist only in the outbox, for administrators to read.
    if (!e.NOTIFY_API_KEY)
      problems.push(
        'NOTIFY_API_KEY: must be set in production mode, with NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_SMS_TEMPLATE_ID (invitations are sent only through GOV.UK Notify)',
      );
  }
  const notifyParts = [e.NOTIFY_API_KEY, e.NOTIFY_EMAIL_TEMPLATE_ID, e.NOTIFY_SMS_TEMPLATE_ID];
  if (notifyParts.some(Boolean) && !notifyParts.every(Boolean)) {
    problems.push('NOTIFY_API_KEY: set NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_SMS_TEMPLATE_ID together, or none of them');
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) problems.push('DATABASE_READ_URL: a read replica needs DATABASE_URL too (the embedded database has no replicas)');
  if (problems.length) {
    throw new ConfigError(`Jointly cannot start: the environment is not valid.\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    dataDir: e.JOINTLY_DATA_DIR,
    sessionSecret: e.JOINTLY_SESSION_SECRET ?? DEMO_SESSION_SECRET,
    totpKey: e.JOINTLY_TOTP_KEY ?? DEMO_TOTP_KEY,
    baseUrl: e.JOINTLY_BASE_URL ?? `http://localhost:${e.PORT}`,
    demo: e.JOINTLY_DEMO && !production,
    requireTotp: e.JOINTLY_REQUIRE_TOTP ? ['true', '1', 'yes'].includes(e.JOINTLY_REQUIRE_TOTP) : production,
    sessionIdleMinutes: e.JOINTLY_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.JOINTLY_SESSION_ABSOLUTE_HOURS,
    lockoutAttempts: e.JOINTLY_LOCKOUT_ATTEMPTS,
    lockoutMinutes: e.JOINTLY_LOCKOUT_MINUTES,
    signInRatePerMinute: e.JOINTLY_SIGN_IN_RATE_PER_MINUTE,
    oidcProviders: e.JOINTLY_OIDC_PROVIDERS,
    auditCheckpointKey: e.JOINTLY_AUDIT_CHECKPOINT_KEY,
    auditCheckpointFile: e.JOINTLY_AUDIT_CHECKPOINT_FILE ?? join(e.JOINTLY_DATA_DIR, 'audit-checkpoints.jsonl'),
    auditCheckpointEntries: e.JOINTLY_AUDIT_CHECKPOINT_ENTRIES,
    auditCheckpointMinutes: e.JOINTLY_AUDIT_CHECKPOINT_MINUTES,
    auditSealSeconds: e.JOINTLY_AUDIT_SEAL_SECONDS,
    notify: e.NOTIFY_API_KEY ? { apiKey: e.NOTIFY_API_KEY, emailTemplateId: e.NOTIFY_EMAIL_TEMPLATE_ID!, smsTemplateId: e.NOTIFY_SMS_TEMPLATE_ID! } : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
