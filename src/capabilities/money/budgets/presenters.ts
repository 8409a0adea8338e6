// Shaping budgets data for the pages: money, shares, splits and dates in plain English. Pure.
import { formatPence } from '../../../platform/money.js';
import { financialYearLabel, periodBounds } from '../../../platform/financial-year.js';
import { formatShare, type Split } from './split.js';
import { dateInputValues } from '../../../platform/date-input.js';
import { longDate } from '../../../platform/dates.js';
import { fieldItems } from '../../../platform/views/items.js';

export const ACCOUNT_NAMES: Record<string, string> = {
  budget: 'Budget',
  contributions: 'Partner contributions',
  commitments: 'Commitments',
  'commitments-reserve': 'Reserved for commitments',
  spend: 'Actual spend',
  suspense: 'Invoices not yet matched',
  creditors: 'Owed to providers',
  cash: 'Paid out',
};

export const KIND_NAMES: Record<string, string> = {
  contribution: 'Contribution',
  commitment: 'Commitment',
  invoice: 'Invoice',
  'invoice-match': 'Invoice matched',
  payment: 'Payment',
  'direct-payment': 'Direct payment',
  transfer: 'Transfer',
  'year-end-adjustment': 'Year-end adjustment',
  reversal: 'Reversal',
};

/** "£20.00 a week for 10 hours" style: units and cost. */
export function unitsText(unitsX100: number, frequency: 'week' | 'month', unitCostPence: number): string {
  const units = (unitsX100 / 100).toLocaleString('en-GB', { maximumFractionDigits: 2 });
  return `${units} ${unitsX100 === 100 ? 'unit' : 'units'} a ${frequency} at ${formatPence(unitCostPence)} each`;
}

/** Each part of a split as one line: "2 June 2025 to 13 July 2025: Health 50%, Social care 50%". */
export function splitLines(split: Split, partnerName: (id: string) => string): string[] {
  return split.map((s) => {
    const when = s.to ? `${longDate(s.from)} to ${longDate(s.to)}` : `From ${longDate(s.from)}`;
    const who = s.shares
      .map((sh) => ({ name: partnerName(sh.partnerId), bp: sh.bp }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((sh) => `${sh.name} ${formatShare(sh.bp)}`)
      .join(', ');
    return `${when}: ${who}`;
  });
}

export const money = formatPence;
export const yearLabel = financialYearLabel;
export const periodName = (fy: number, period: number) => periodBounds(fy, period).name;

/** A GOV.UK date input's values (its `values` parameter), from what was typed or a stored date. */
export const dateItems = (values: Record<string, unknown>, field: string, _errors?: unknown, iso?: string | null) => dateInputValues(values, field, iso);

// The choices the finance forms share, worded the same on every form.
export const yearItems = (years: { financialYear: number; label: string }[], selected: unknown) =>
  fieldItems(years, 'financialYear', 'label', selected, 'Choose a year');
export const partnerItems = (partners: { id: string; short_name: string }[], selected: unknown) =>
  fieldItems(partners, 'id', 'short_name', selected, 'Choose a partner');
export const categoryItems = (categories: { code: string; name: string }[], selected: unknown) =>
  fieldItems(categories, 'code', 'name', selected, 'Choose a kind of service');
