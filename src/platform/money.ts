// Money is integer pence everywhere. This is the one place where text typed by a person (or a
// CSV cell) becomes pence, and pence become text, so every form says the same thing when an
// amount is wrong.

/** The largest amount accepted: £10 billion, far above any budget, far below 2^53 pence. */
export const MAX_PENCE = 1_000_000_000_000;

export type MoneyProblem = 'empty' | 'negative' | 'fractional-pence' | 'not-money' | 'zero' | 'too-large';
export type ParsedMoney = { ok: true; pence: number } | { ok: false; problem: MoneyProblem };

/**
 * '£1,234.56', '1234.5', '1,234', ' £ 12 ' → pence. Commas must group thousands. Negative
 * amounts ('-5', '-£5', '(5.00)') and fractions of a penny ('1.234') are refused with their own
 * problem so the message can say exactly what is wrong. Zero is allowed here; forms that need
 * more than zero say so (see moneyMessage).
 */
export function parseMoney(input: string | null | undefined): ParsedMoney {
  let s = (input ?? '').trim();
  if (!s) return { ok: false, problem: 'empty' };
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (/^[-−–]/.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  }
  s = s.replace(/^£\s*/, '');
  if (/^[-−–]/.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  }
  if (s.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return { ok: false, problem: 'not-money' };
    s = s.replace(/,/g, '');
  }
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s) ?? /^()\.(\d+)$/.exec(s);
  if (!m) return { ok: false, problem: 'not-money' };
  const whole = m[1] || '0';
  const decimals = m[2] ?? '';
  if (decimals.length > 2 && /[1-9]/.test(decimals.slice(2))) return { ok: false, problem: 'fractional-pence' };
  if (negative && (/[1-9]/.test(whole) || /[1-9]/.test(decimals))) return { ok: false, problem: 'negative' };
  if (whole.replace(/^0+/, '').length > 13) return { ok: false, problem: 'too-large' };
  const pence = Number(whole) * 100 + Number((decimals + '00').slice(0, 2));
  if (pence > MAX_PENCE) return { ok: false, problem: 'too-large' };
  return { ok: true, pence };
}

/**
 * The message for a problem with an amount. `what` names the field in lower case ("the unit
 * cost"); `positive` refuses zero too.
 */
export function moneyMessage(problem: MoneyProblem, what: string): string {
  const What = what.charAt(0).toUpperCase() + what.slice(1);
  switch (problem) {
    case 'empty':
      return `Enter ${what}`;
    case 'negative':
      return `${What} cannot be negative. To correct an amount already recorded, reverse it instead`;
    case 'fractional-pence':
      return `${What} cannot include part of a penny: use no more than 2 digits after the decimal point, like 12.50`;
    case 'zero':
      return `${What} must be more than £0`;
    case 'too-large':
      return `${What} must be less than £10,000,000,000`;
    case 'not-money':
      return `${What} must be an amount in pounds and pence, like 1,234.56`;
  }
}

/** Parses an amount that must be more than zero, answering pence or the message to show. */
export function parsePositiveMoney(input: string | null | undefined, what: string): { ok: true; pence: number } | { ok: false; message: string } {
  const r = parseMoney(input);
  if (!r.ok) return { ok: false, message: moneyMessage(r.problem, what) };
  if (r.pence === 0) return { ok: false, message: moneyMessage('zero', what) };
  return r;
}

/** 123456 → '£1,234.56'; -5 → '-£0.05'. */
export function formatPence(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`Not a whole number of pence: ${pence}`);
  const abs = Math.abs(pence);
  const pounds = Math.floor(abs / 100).toLocaleString('en-GB');
  return `${pence < 0 ? '-' : ''}£${pounds}.${String(abs % 100).padStart(2, '0')}`;
}

/** The amount as a form shows it back: 123456 → '1234.56'. */
export const penceToInput = (pence: number) => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
