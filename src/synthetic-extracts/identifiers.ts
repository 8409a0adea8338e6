// NHS numbers and UPNs with valid check characters (rules in /work/shared/reference/STANDARDS.md
// sections 4.2 and 4.3). Reimplemented here so this module does not depend on src/capabilities.

/** The modulus 11 check digit for the first nine digits, or null when no valid number has them (remainder gives 10). */
export function nhsCheckDigit(nine: string): number | null {
  if (!/^[0-9]{9}$/.test(nine)) throw new Error(`An NHS number body is nine digits, not "${nine}"`);
  let total = 0;
  for (let i = 0; i < 9; i++) total += Number(nine[i]) * (10 - i);
  const check = 11 - (total % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

export function isValidNhsNumber(value: string): boolean {
  const digits = value.replace(/\s+/g, '');
  if (!/^[0-9]{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** The check letter for the last twelve characters of a UPN (a temporary UPN ends in a letter). */
export function upnCheckLetter(body: string): string {
  if (!/^[0-9]{11}[0-9A-HJ-NP-RT-Z]$/.test(body)) throw new Error(`A UPN body is eleven digits and a digit or letter, not "${body}"`);
  let total = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body[i]!;
    const value = /[0-9]/.test(ch) ? Number(ch) : UPN_LETTERS.indexOf(ch);
    total += value * (i + 2);
  }
  return UPN_LETTERS[total % 23]!;
}

export function isValidUpn(value: string): boolean {
  const upn = value.trim().toUpperCase();
  if (!/^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$/.test(upn)) return false;
  return upnCheckLetter(upn.slice(1)) === upn[0];
}

/**
 * A bijection on 0 .. 10^8 - 1 (multiplying by a number coprime to 10^8, then adding), so
 * consecutive people get scattered, unique identifier bodies.
 */
export function scatter(i: number, offset: number): number {
  const M = 100_000_000;
  // i < 10^8, so the product stays below 2^53 and plain numbers are exact.
  return (i * 48_271_437 + offset) % M;
}

/**
 * A valid NHS number for person `index` (0 .. 9,999,999). All start with 9, a range England,
 * Wales, Scotland and Northern Ireland do not issue, so none can be a real person's.
 */
export function fictionalNhsNumber(index: number, offset = 0): string {
  if (index < 0 || index >= 10_000_000) throw new Error('Fictional NHS numbers are made for at most 10,000,000 people');
  // Each person owns the ten bodies index + t * 10^7, so the numbers stay unique; take the first valid one.
  for (let t = 0; t < 10; t++) {
    const body = `9${String(scatter(index + t * 10_000_000, offset)).padStart(8, '0')}`;
    const check = nhsCheckDigit(body);
    if (check !== null) return `${body}${check}`;
  }
  throw new Error(`No valid fictional NHS number for person ${index}`);
}
