// England and Wales bank holidays, computed by rule so deadlines ("outcome sheet by the next
// working day") need no downloaded calendar. Dates are 'YYYY-MM-DD' strings; arithmetic is done
// in UTC so no time zone or clock change can shift a day.

export const FIRST_YEAR = 1995;
export const LAST_YEAR = 2100;

export interface BankHoliday {
  readonly date: string;
  readonly name: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function toUtc(iso: string): number {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new RangeError(`"${iso}" is not a date in the form YYYY-MM-DD.`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 31 February over into March; a real date survives the round trip.
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`"${iso}" is not a real calendar date.`);
  }
  // Date.UTC treats years 0–99 as 1900–1999; the range check below rules those out anyway.
  checkYear(year);
  return ms;
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function ymd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`Bank holidays are only known for ${FIRST_YEAR} to ${LAST_YEAR}; ${year} is outside that range.`);
  }
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function shiftDays(iso: string, days: number): string {
  return fromUtc(toUtcUnchecked(iso) + days * DAY_MS);
}

// Parses without the year range check, for stepping across a range boundary before checking.
function toUtcUnchecked(iso: string): number {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new RangeError(`"${iso}" is not a date in the form YYYY-MM-DD.`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

function firstMonday(year: number, month: number): number {
  const wd = weekday(year, month, 1);
  return 1 + ((8 - wd) % 7);
}

function lastMonday(year: number, month: number, daysInMonth: number): number {
  const wd = weekday(year, month, daysInMonth);
  return daysInMonth - ((wd + 6) % 7);
}

// Moved fixed holidays, by year: royal and commemorative events.
const EARLY_MAY_MOVED: Readonly<Record<number, string>> = {
  1995: '1995-05-08', // 50th anniversary of VE Day
  2020: '2020-05-08', // 75th anniversary of VE Day
};
const SPRING_MOVED: Readonly<Record<number, string>> = {
  2002: '2002-06-04', // Golden Jubilee
  2012: '2012-06-04', // Diamond Jubilee
  2022: '2022-06-02', // Platinum Jubilee
};
const ONE_OFF: readonly BankHoliday[] = [
  { date: '1999-12-31', name: 'Millennium celebrations' },
  { date: '2002-06-03', name: 'Golden Jubilee' },
  { date: '2011-04-29', name: 'Royal wedding' },
  { date: '2012-06-05', name: 'Diamond Jubilee' },
  { date: '2022-06-03', name: 'Platinum Jubilee' },
  { date: '2022-09-19', name: 'State Funeral of Queen Elizabeth II' },
  { date: '2023-05-08', name: 'Coronation of King Charles III' },
];

function computeBankHolidays(year: number): BankHoliday[] {
  const list: BankHoliday[] = [];

  // New Year's Day: a Saturday or Sunday moves to the following Monday.
  const nyWd = weekday(year, 1, 1);
  const nyDay = nyWd === 6 ? 3 : nyWd === 0 ? 2 : 1;
  list.push({ date: ymd(year, 1, nyDay), name: nyDay === 1 ? "New Year's Day" : "New Year's Day (substitute day)" });

  const easter = easterSunday(year);
  list.push({ date: shiftDays(easter, -2), name: 'Good Friday' });
  list.push({ date: shiftDays(easter, 1), name: 'Easter Monday' });

  list.push({ date: EARLY_MAY_MOVED[year] ?? ymd(year, 5, firstMonday(year, 5)), name: 'Early May bank holiday' });
  list.push({ date: SPRING_MOVED[year] ?? ymd(year, 5, lastMonday(year, 5, 31)), name: 'Spring bank holiday' });
  list.push({ date: ymd(year, 8, lastMonday(year, 8, 31)), name: 'Summer bank holiday' });

  // Christmas on a weekend is taken on the 27th; Boxing Day on a weekend on the 28th. This covers
  // every case: Sat/Sun Christmas → Mon 27/Tue 28; Fri Christmas → Boxing Day on Mon 28;
  // Sun Christmas → Boxing Day Mon 26 stays, Christmas on Tue 27.
  const xmasWd = weekday(year, 12, 25);
  const xmasWeekend = xmasWd === 0 || xmasWd === 6;
  list.push({
    date: ymd(year, 12, xmasWeekend ? 27 : 25),
    name: xmasWeekend ? 'Christmas Day (substitute day)' : 'Christmas Day',
  });
  const boxingWd = weekday(year, 12, 26);
  const boxingWeekend = boxingWd === 0 || boxingWd === 6;
  list.push({
    date: ymd(year, 12, boxingWeekend ? 28 : 26),
    name: boxingWeekend ? 'Boxing Day (substitute day)' : 'Boxing Day',
  });

  for (const h of ONE_OFF) if (h.date.startsWith(`${year}-`)) list.push(h);
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const cache = new Map<number, readonly BankHoliday[]>();

/** The England and Wales bank holidays in a year, in date order. */
export function bankHolidays(year: number): readonly BankHoliday[] {
  checkYear(year);
  let list = cache.get(year);
  if (!list) {
    list = Object.freeze(computeBankHolidays(year));
    cache.set(year, list);
  }
  return list;
}

export function isBankHoliday(iso: string): boolean {
  toUtc(iso);
  const year = Number(iso.slice(0, 4));
  return bankHolidays(year).some((h) => h.date === iso);
}

export function isWorkingDay(iso: string): boolean {
  const wd = new Date(toUtc(iso)).getUTCDay();
  if (wd === 0 || wd === 6) return false;
  return !isBankHoliday(iso);
}

function stepToWorkingDay(iso: string, direction: 1 | -1): string {
  let day = iso;
  // At most a handful of steps (the longest run of non-working days is about five).
  do {
    day = shiftDays(day, direction);
    toUtc(day); // refuses stepping out of the supported years with a plain message
  } while (!isWorkingDay(day));
  return day;
}

/** The first working day strictly after the given date. */
export function nextWorkingDay(iso: string): string {
  toUtc(iso);
  return stepToWorkingDay(iso, 1);
}

/**
 * The date n working days after (n > 0) or before (n < 0) the given date; n = 0 returns the date
 * itself, even if it is not a working day.
 */
export function addWorkingDays(iso: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`The number of working days must be a whole number, not ${n}.`);
  toUtc(iso);
  let day = iso;
  const direction = n < 0 ? -1 : 1;
  for (let i = 0; i < Math.abs(n); i++) day = stepToWorkingDay(day, direction);
  return day;
}
