// Money and key worker rules for involvements: pure, tested beside this file.

/** Costs are entered in pounds and stored as whole pence. */
export const MAX_COST_PENCE = 1_000_000_000; // £10,000,000

export type CostParse = { ok: true; pence: number | null } | { ok: false; message: string };

/**
 * "45.50", "£1,200", "12.5" → pence. Refuses negative amounts and part-pennies with their own
 * message, rather than rounding: a cost someone typed is either kept exactly or not at all.
 */
export function poundsToPence(input: string | undefined | null): CostParse {
  const raw = (input ?? '').trim();
  if (raw === '') return { ok: true, pence: null };
  const s = raw
    .replace(/^£\s*/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '')
    .trim();
  if (/^-\s*£?\s*\d/.test(s) || /^£?\s*-/.test(raw)) return { ok: false, message: 'The cost cannot be negative' };
  if (/^\d+\.\d{3,}$/.test(s)) {
    return { ok: false, message: 'Enter the cost in pounds and pence, like 45.50. It cannot include part of a penny' };
  }
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return { ok: false, message: 'Enter the cost as an amount in pounds, like 45.50' };
  const pence = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  if (!Number.isSafeInteger(pence) || pence >= MAX_COST_PENCE) return { ok: false, message: 'The cost must be less than £10,000,000' };
  return { ok: true, pence };
}

/** 4550 → "£45.50"; 120000 → "£1,200.00". */
export function formatPence(pence: number): string {
  const pounds = Math.floor(pence / 100);
  const p = String(pence % 100).padStart(2, '0');
  return `£${pounds.toLocaleString('en-GB')}.${p}`;
}

export const formatCost = (pence: number | null, period: 'week' | 'year' | null) =>
  pence === null || period === null ? null : `${formatPence(pence)} a ${period}`;

/**
 * A change of key worker needs the family's agreement. When the change cannot wait (the key
 * worker has left, say), it may be recorded as an interim change, with the family still to be
 * asked; the record then says so until a change with their agreement is recorded.
 */
export const KEY_WORKER_AGREEMENT = {
  yes: 'Yes, the family agreed',
  interim: 'Not yet: this is an interim change and the family will be asked',
  no: 'No, the family did not agree',
} as const;
export type KeyWorkerAgreement = keyof typeof KEY_WORKER_AGREEMENT;
export const NEEDS_FAMILY_AGREEMENT =
  'A change of key worker needs the family’s agreement. If the change cannot wait, choose the interim option and ask the family';
