// Pure rules for panel meetings: the dates a meeting's cut-off and papers fall on, whether an
// action is late, and the dates of a regular monthly meeting ("the second Wednesday").
// Dates are 'YYYY-MM-DD' strings; arithmetic is in UTC so no clock change shifts a day.
import { addWorkingDays, isWorkingDay } from '../../../platform/working-days.js';

const DAY_MS = 86_400_000;
const ms = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export const shiftDays = (date: string, days: number) => iso(ms(date) + days * DAY_MS);

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) => Math.round((ms(to) - ms(from)) / DAY_MS);

/**
 * The day `days` calendar days before the meeting; if that is not a working day (a weekend or an
 * England and Wales bank holiday), the working day before it, so a deadline never falls on a day
 * nobody is at work and never moves closer to the meeting.
 */
export function deadlineBefore(meetsOn: string, days: number): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`The number of days must be a whole number, 0 or more, not ${days}.`);
  const day = shiftDays(meetsOn, -days);
  return isWorkingDay(day) ? day : addWorkingDays(day, -1);
}

export interface MeetingDeadlines {
  /** The last day cases may be added without being marked late. */
  cutOffOn: string;
  /** The last day the agenda and papers may go to members without being marked late. */
  papersDueOn: string;
}

export function meetingDeadlines(meetsOn: string, settings: { papersDays: number; cutOffDays: number }): MeetingDeadlines {
  return { cutOffOn: deadlineBefore(meetsOn, settings.cutOffDays), papersDueOn: deadlineBefore(meetsOn, settings.papersDays) };
}

/** An action on `today` is late when the deadline day has passed (the deadline day itself is on time). */
export const isLate = (today: string, deadline: string) => today > deadline;

/** Why a day cannot be a meeting date, or null: meetings are held on working days. */
export function meetingDayProblem(meetsOn: string): string | null {
  if (isWorkingDay(meetsOn)) return null;
  const wd = new Date(ms(meetsOn)).getUTCDay();
  return wd === 0 || wd === 6 ? `is a ${wd === 0 ? 'Sunday' : 'Saturday'}` : 'is a bank holiday';
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const ORDINALS = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'last' } as const;
/** 1–4: the nth such weekday of the month; 5: the last one. */
export type Nth = keyof typeof ORDINALS;

export interface MonthlyRule {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  nth: Nth;
}

/** The date of, say, the second Wednesday of a month (month 1–12). */
export function nthWeekdayOfMonth(year: number, month: number, rule: MonthlyRule): string {
  if (rule.nth === 5) {
    const last = new Date(Date.UTC(year, month, 0));
    const back = (last.getUTCDay() - rule.weekday + 7) % 7;
    return iso(last.getTime() - back * DAY_MS);
  }
  const first = new Date(Date.UTC(year, month - 1, 1));
  const offset = (rule.weekday - first.getUTCDay() + 7) % 7;
  return iso(first.getTime() + (offset + 7 * (rule.nth - 1)) * DAY_MS);
}

export interface ProposedMeeting {
  meetsOn: string;
  /** Set when the rule's day is not a working day: the meeting should be moved by hand. */
  problem: string | null;
}

/**
 * The next `count` dates of a monthly rule strictly after `after`. A rule's day that falls on a
 * bank holiday is still proposed, with the problem said, rather than silently moved.
 */
export function nextMonthlyMeetings(after: string, rule: MonthlyRule, count: number): ProposedMeeting[] {
  const out: ProposedMeeting[] = [];
  let year = Number(after.slice(0, 4));
  let month = Number(after.slice(5, 7));
  while (out.length < count) {
    const day = nthWeekdayOfMonth(year, month, rule);
    if (day > after) out.push({ meetsOn: day, problem: meetingDayProblem(day) });
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

export const describeRule = (rule: MonthlyRule) => `the ${ORDINALS[rule.nth]} ${WEEKDAYS[rule.weekday]} of each month`;
