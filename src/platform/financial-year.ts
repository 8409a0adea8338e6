// Financial years run from 1 April to 31 March and are named by the year they start in (2025 is
// "2025 to 2026"). Accounting periods are the months of the year, 1 (April) to 12 (March).
// Dates are 'YYYY-MM-DD' strings, counted in whole days from 1970-01-01 (no time zones).

export function epochDay(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}
export const fromEpochDay = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
export const addDays = (iso: string, days: number) => fromEpochDay(epochDay(iso) + days);

/** The same day whole calendar months later (or earlier); a day past the month's end becomes its last day (31 August + 6 months = 28 or 29 February). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export const daysInclusive = (from: string, to: string) => Math.max(0, epochDay(to) - epochDay(from) + 1);

export function financialYearOf(iso: string): number {
  const y = Number(iso.slice(0, 4));
  return Number(iso.slice(5, 7)) < 4 ? y - 1 : y;
}

export const financialYearStart = (fy: number) => `${fy}-04-01`;
export const financialYearEnd = (fy: number) => `${fy + 1}-03-31`;
export const financialYearLabel = (fy: number) => `${fy} to ${fy + 1}`;

export function periodOf(iso: string): { financialYear: number; period: number } {
  const month = Number(iso.slice(5, 7));
  return { financialYear: financialYearOf(iso), period: ((month + 8) % 12) + 1 };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The first and last day of a period, and its name ("April 2025"). */
export function periodBounds(fy: number, period: number): { startsOn: string; endsOn: string; name: string } {
  const month = ((period + 2) % 12) + 1; // 1 → 4 (April), 10 → 1 (January)
  const year = month >= 4 ? fy : fy + 1;
  const startsOn = `${year}-${String(month).padStart(2, '0')}-01`;
  const endsOn = addDays(month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`, -1);
  return { startsOn, endsOn, name: `${MONTHS[month - 1]} ${year}` };
}

/** Days in the calendar month of a date (28 to 31). */
export function daysInMonth(iso: string): number {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The last day of the calendar month of a date. */
export const monthEnd = (iso: string) => `${iso.slice(0, 8)}${String(daysInMonth(iso)).padStart(2, '0')}`;
