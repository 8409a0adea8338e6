// Daily schedules as pure functions: which run, if any, is due now. The run's key makes
// enqueuing it idempotent, so several processes (or restarts) never run one day twice.

export interface DailySchedule {
  kind: string;
  /** Wall-clock time in the area's time zone, HH:MM. */
  at: string;
}

// Making an Intl.DateTimeFormat is slow (about 0.1 ms here) and every page asks for today's date
// several times (todayInLondon), so each time zone's formatter is made once and kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date and minutes past midnight of `now` in the time zone. */
export function wallClock(now: Date, timeZone = 'Europe/London'): { date: string; minutes: number } {
  const parts = formatterFor(timeZone).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function parseAt(at: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!m) throw new Error(`A daily schedule time must be HH:MM (24-hour), not "${at}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The key of today's run once its time has come (it stays due until the day ends), else null. */
export function dueRunKey(schedule: DailySchedule, now: Date, timeZone = 'Europe/London'): string | null {
  const { date, minutes } = wallClock(now, timeZone);
  return minutes >= parseAt(schedule.at) ? `${schedule.kind}@${date}` : null;
}
