// Parsing birth dates by a declared format into a compact integer yyyymmdd (0 when missing or
// impossible), so that a value that does not parse is treated as missing, never an error.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface DateParser {
  (raw: string): number;
}

const TOKEN = /YYYY|YY|MMM|MM|M|DD|D/g;

/** Checks a format such as YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY; returns an error message or undefined. */
export function checkDateFormat(format: string): string | undefined {
  const tokens = format.match(TOKEN) ?? [];
  const has = (t: string[]) => tokens.some((x) => t.includes(x));
  if (!has(['YYYY', 'YY']) || !has(['MMM', 'MM', 'M']) || !has(['DD', 'D']))
    return `"${format}" is not a date format: use YYYY, MM and DD, for example YYYY-MM-DD or DD/MM/YYYY`;
  if (format.replace(TOKEN, '').match(/[A-Za-z0-9]/)) return `"${format}" is not a date format: only YYYY, YY, MMM, MM, M, DD, D and separators are allowed`;
  return undefined;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function makeDateParser(format: string): DateParser {
  const order: string[] = [];
  const escaped = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const compact = !/[^A-Za-z]/.test(format); // no separators: fixed widths
  const pattern = escaped.replace(TOKEN, (t) => {
    order.push(t);
    if (t === 'YYYY') return '(\\d{4})';
    if (t === 'YY') return '(\\d{2})';
    if (t === 'MMM') return '([A-Za-z]{3})[A-Za-z]*';
    if (t === 'MM' || t === 'DD') return compact ? '(\\d{2})' : '(\\d{1,2})';
    return '(\\d{1,2})';
  });
  // Spreadsheet exports often append a time of day; it is ignored.
  const re = new RegExp(`^\\s*${pattern}(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\s*$`);
  const thisYear = new Date().getUTCFullYear() % 100;
  return (raw: string): number => {
    if (raw === '') return 0;
    const m = re.exec(raw);
    if (!m) return 0;
    let y = 0;
    let mo = 0;
    let d = 0;
    for (let i = 0; i < order.length; i++) {
      const v = m[i + 1]!;
      switch (order[i]) {
        case 'YYYY':
          y = Number(v);
          break;
        case 'YY': {
          const yy = Number(v);
          y = yy <= thisYear ? 2000 + yy : 1900 + yy;
          break;
        }
        case 'MMM':
          mo = MONTHS.indexOf(v.toLowerCase()) + 1;
          break;
        case 'MM':
        case 'M':
          mo = Number(v);
          break;
        default:
          d = Number(v);
      }
    }
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return 0;
    return y * 10000 + mo * 100 + d;
  };
}

/** Days since 1 Jan 1970 for a yyyymmdd integer. */
export function dayNumber(ymd: number): number {
  const y = Math.floor(ymd / 10000);
  const m = Math.floor(ymd / 100) % 100;
  const d = ymd % 100;
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

export const isoDate = makeDateParser('YYYY-MM-DD');
