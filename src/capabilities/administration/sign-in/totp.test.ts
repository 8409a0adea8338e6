// Security codes from an authenticator app: the code shown now works, so does one from just
// before or after (clocks drift), nothing older or newer, and nothing that is not six digits.
import { describe, expect, it } from 'vitest';
import { checkTotp, currentTotp, newTotpSecret, totpSetup } from './totp.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const STEP = 30_000;
// Part-way through a 30-second step, so "one step away" cannot be mistaken for "the same step".
const NOW = Date.UTC(2025, 2, 10, 9, 0, 0) + 12_345;

describe('checkTotp', () => {
  const code = currentTotp(SECRET, NOW);

  it('makes six-digit codes', () => {
    expect(code).toMatch(/^\d{6}$/);
    expect(currentTotp(newTotpSecret())).toMatch(/^\d{6}$/);
  });

  it('accepts the code shown now', () => {
    expect(checkTotp(SECRET, code, NOW)).toBe(true);
  });

  it('accepts the code one step (30 seconds) either side, for clock drift', () => {
    expect(checkTotp(SECRET, code, NOW + STEP)).toBe(true);
    expect(checkTotp(SECRET, code, NOW - STEP)).toBe(true);
    expect(checkTotp(SECRET, currentTotp(SECRET, NOW - STEP), NOW)).toBe(true);
    expect(checkTotp(SECRET, currentTotp(SECRET, NOW + STEP), NOW)).toBe(true);
  });

  it('refuses a code two steps away', () => {
    // Codes of neighbouring steps differ for this secret and time (a 1 in a million clash would void the test).
    expect(new Set([-2, -1, 0, 1, 2].map((k) => currentTotp(SECRET, NOW + k * STEP))).size).toBe(5);
    expect(checkTotp(SECRET, code, NOW + 2 * STEP)).toBe(false);
    expect(checkTotp(SECRET, code, NOW - 2 * STEP)).toBe(false);
    expect(checkTotp(SECRET, currentTotp(SECRET, NOW - 2 * STEP), NOW)).toBe(false);
    expect(checkTotp(SECRET, currentTotp(SECRET, NOW + 2 * STEP), NOW)).toBe(false);
  });

  it('refuses the code of another secret', () => {
    const other = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(currentTotp(other, NOW)).not.toBe(code);
    expect(checkTotp(SECRET, currentTotp(other, NOW), NOW)).toBe(false);
  });

  it.each([
    ['five digits', code.slice(0, 5)],
    ['seven digits', `${code}0`],
    ['letters', 'abcdef'],
    ['digits and a letter', `${code.slice(0, 5)}a`],
    ['nothing', ''],
    ['only spaces', '      '],
    ['a sign', `-${code.slice(1)}`],
    ['full-width digits', code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
  ])('refuses a malformed code: %s', (_what, malformed) => {
    expect(checkTotp(SECRET, malformed, NOW)).toBe(false);
  });

  it('tolerates spaces, as people copy "123 456" from their app', () => {
    expect(checkTotp(SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, NOW)).toBe(true);
    expect(checkTotp(SECRET, `  ${code}  `, NOW)).toBe(true);
    expect(checkTotp(SECRET, code.split('').join(' '), NOW)).toBe(true);
    expect(checkTotp(SECRET, `${code.slice(0, 3)}\t${code.slice(3)}`, NOW)).toBe(true);
  });
});

describe('newTotpSecret', () => {
  it('makes a different 160-bit base32 secret each time', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('totpSetup', () => {
  it('gives an otpauth:// URI naming the issuer Jointly and the person, and an SVG QR code', async () => {
    const email = 'caseworker@demoshire.example.org';
    const setup = await totpSetup(SECRET, email);
    const uri = new URL(setup.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Jointly:${email}`);
    expect(uri.searchParams.get('issuer')).toBe('Jointly');
    expect(uri.searchParams.get('secret')).toBe(SECRET);
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');

    const prefix = 'data:image/svg+xml;base64,';
    expect(setup.qrDataUrl.startsWith(prefix)).toBe(true);
    const svg = Buffer.from(setup.qrDataUrl.slice(prefix.length), 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg).toContain('</svg>');

    expect(setup.secretGrouped).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(setup.secretGrouped.replace(/ /g, '')).toBe(SECRET);
  });

  it('sets up a secret whose codes are then accepted', async () => {
    const secret = newTotpSecret();
    const setup = await totpSetup(secret, 'finance@demoshire.example.org');
    const fromUri = new URL(setup.uri).searchParams.get('secret')!;
    expect(checkTotp(fromUri, currentTotp(secret, NOW), NOW)).toBe(true);
  });
});
