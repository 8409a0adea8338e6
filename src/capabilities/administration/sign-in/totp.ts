// Time-based one-time passwords (RFC 6238), 6 digits, 30 seconds, one step of clock drift allowed.
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

const make = (secret: string, label = 'Jointly') =>
  new TOTP({ issuer: 'Jointly', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

export const newTotpSecret = () => new Secret({ size: 20 }).base32;

/** The 30-second time step a code belongs to, or null when it matches none near `at`. */
export function matchTotp(secret: string, code: string, at = Date.now()): number | null {
  const clean = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(clean)) return null;
  const delta = make(secret).validate({ token: clean, window: 1, timestamp: at });
  return delta === null ? null : Math.floor(at / 30_000) + delta;
}

export const checkTotp = (secret: string, code: string, at = Date.now()): boolean => matchTotp(secret, code, at) !== null;

/** The code an authenticator app would show now: for the demo console and tests. */
export const currentTotp = (secret: string, at = Date.now()) => make(secret).generate({ timestamp: at });

export async function totpSetup(secret: string, email: string) {
  const uri = make(secret, email).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
  return { uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`, secretGrouped: secret.match(/.{1,4}/g)!.join(' ') };
}
