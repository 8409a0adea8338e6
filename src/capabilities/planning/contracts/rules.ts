// The contracts register's rules, with no database: a contract's value split between partners
// and pools, the alerts before it ends, and whether a KPI's return meets its target.
import { formatPence } from '../../../platform/money.js';

export interface ContractShare {
  partnerId: string;
  agreementId: string;
  pence: number;
}

/**
 * Why the shares of a contract's value a year cannot be stored, or null. They must add up to the
 * value exactly; the message names the difference.
 */
export function sharesProblem(annualValuePence: number, shares: readonly ContractShare[]): string | null {
  if (shares.length === 0) return 'Enter how the value is split between partners and pools';
  const seen = new Set<string>();
  for (const s of shares) {
    if (!Number.isSafeInteger(s.pence) || s.pence <= 0) return 'Each share must be more than £0.00';
    const key = `${s.partnerId}|${s.agreementId}`;
    if (seen.has(key)) return 'Each partner has one share in each pool';
    seen.add(key);
  }
  const total = shares.reduce((t, s) => t + s.pence, 0);
  if (total < annualValuePence)
    return `The shares add up to ${formatPence(total)}, ${formatPence(annualValuePence - total)} less than the value a year of ${formatPence(annualValuePence)}`;
  if (total > annualValuePence)
    return `The shares add up to ${formatPence(total)}, ${formatPence(total - annualValuePence)} more than the value a year of ${formatPence(annualValuePence)}`;
  return null;
}

import { addMonths } from '../../../platform/financial-year.js';
export { addMonths };

export type Expiry = 'ended' | 'within-3-months' | 'within-6-months' | null;

/**
 * How near a contract is to its end on `today`: from 6 months before its end date (that day
 * included) 'within-6-months'; from 3 months before, 'within-3-months'; after its last day, 'ended'.
 */
export function expiry(endsOn: string, today: string): Expiry {
  if (today > endsOn) return 'ended';
  if (today >= addMonths(endsOn, -3)) return 'within-3-months';
  if (today >= addMonths(endsOn, -6)) return 'within-6-months';
  return null;
}

export const EXPIRY_TEXT: Record<Exclude<Expiry, null>, string> = {
  ended: 'Ended',
  'within-3-months': 'Ends within 3 months',
  'within-6-months': 'Ends within 6 months',
};

/** Whether a KPI's return meets its target (equal meets it either way). */
export const meetsTarget = (value: number, target: number, higherIsBetter: boolean) => (higherIsBetter ? value >= target : value <= target);
