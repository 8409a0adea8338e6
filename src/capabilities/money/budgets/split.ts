// A package's funding split: who pays what share, as a rule that can change over time ("health
// 50% and social care 50% for six weeks after surgery, then social care 100%"). Pure.
//
// A split is an ordered list of segments. Each runs from a date to a date (both included; the
// last may be open-ended) and gives each partner a share in basis points (10000 = 100%).
// Segments must follow on from each other with no gap and no overlap, and each must add up to
// exactly 100%.
import { addDays, epochDay } from '../../../platform/financial-year.js';

export interface Share {
  partnerId: string;
  /** Basis points: 5000 = 50%. */
  bp: number;
}
export interface SplitSegment {
  from: string;
  /** Last day included; null for "until further notice" (the last segment only). */
  to: string | null;
  shares: Share[];
}
export type Split = SplitSegment[];

export const FULL_SHARE = 10_000;

export interface SplitProblem {
  /** 1-based segment number, or 0 for the split as a whole. */
  segment: number;
  code:
    | 'empty'
    | 'no-shares'
    | 'bad-share'
    | 'duplicate-partner'
    | 'not-100'
    | 'ends-before-starts'
    | 'gap'
    | 'overlap'
    | 'open-ended-before-last'
    | 'starts-late'
    | 'ends-early';
  message: string;
}

const pct = (bp: number) => `${(bp / 100).toLocaleString('en-GB', { maximumFractionDigits: 2 })}%`;
const day = (iso: string) => iso.split('-').reverse().join('/');

/**
 * Every problem with a split, in order; empty when it is valid. With `covers`, the split must
 * also cover those dates (a package's start and end; end null = open-ended).
 */
export function validateSplit(split: Split, covers?: { from: string; to: string | null }): SplitProblem[] {
  const problems: SplitProblem[] = [];
  if (split.length === 0) return [{ segment: 0, code: 'empty', message: 'Give at least one funding split' }];
  split.forEach((s, i) => {
    const n = i + 1;
    const label = split.length === 1 ? 'The funding split' : `Part ${n} of the funding split`;
    if (s.shares.length === 0) problems.push({ segment: n, code: 'no-shares', message: `${label} has no partner paying a share` });
    const seen = new Set<string>();
    for (const sh of s.shares) {
      if (!Number.isInteger(sh.bp) || sh.bp <= 0 || sh.bp > FULL_SHARE) {
        problems.push({ segment: n, code: 'bad-share', message: `${label}: each share must be more than 0% and no more than 100%` });
      }
      if (seen.has(sh.partnerId)) problems.push({ segment: n, code: 'duplicate-partner', message: `${label} names the same partner twice` });
      seen.add(sh.partnerId);
    }
    const total = s.shares.reduce((a, sh) => a + sh.bp, 0);
    if (s.shares.length && total !== FULL_SHARE) {
      problems.push({ segment: n, code: 'not-100', message: `${label} adds up to ${pct(total)}: the shares must add up to exactly 100%` });
    }
    if (s.to !== null && s.to < s.from) {
      problems.push({ segment: n, code: 'ends-before-starts', message: `${label} ends (${day(s.to)}) before it starts (${day(s.from)})` });
    }
    if (s.to === null && i < split.length - 1) {
      problems.push({
        segment: n,
        code: 'open-ended-before-last',
        message: `${label} has no end date, but another part follows it: only the last part can be open-ended`,
      });
    }
    const next = split[i + 1];
    if (next && s.to !== null) {
      const expected = addDays(s.to, 1);
      if (next.from > expected) {
        problems.push({
          segment: n + 1,
          code: 'gap',
          message: `Part ${n + 1} of the funding split starts on ${day(next.from)}, leaving a gap after part ${n} ends on ${day(s.to)}`,
        });
      } else if (next.from < expected) {
        problems.push({
          segment: n + 1,
          code: 'overlap',
          message: `Part ${n + 1} of the funding split starts on ${day(next.from)}, before part ${n} ends on ${day(s.to)}: parts cannot overlap`,
        });
      }
    }
  });
  if (covers) {
    const first = split[0]!;
    const last = split[split.length - 1]!;
    if (first.from > covers.from) {
      problems.push({
        segment: 1,
        code: 'starts-late',
        message: `The funding split starts on ${day(first.from)}, after the package starts on ${day(covers.from)}`,
      });
    }
    if (last.to !== null && (covers.to === null || last.to < covers.to)) {
      const until = covers.to === null ? 'the package has no end date' : `the package runs until ${day(covers.to)}`;
      problems.push({ segment: split.length, code: 'ends-early', message: `The funding split ends on ${day(last.to)}, but ${until}` });
    }
  }
  return problems;
}

/** The segment in force on a date, or undefined. */
export const segmentOn = (split: Split, iso: string) => split.find((s) => s.from <= iso && (s.to === null || s.to >= iso));

/**
 * Shares `amount` pence (any sign) out by integer weights so the parts always add up to the
 * whole: each part gets the floor of its exact share, and the pennies left over go one each to
 * the largest remainders, ties broken by key (so the answer never depends on input order).
 */
export function allocate<K extends string>(amount: number, weights: readonly { key: K; weight: bigint }[]): Map<K, number> {
  const out = new Map<K, number>();
  const total = weights.reduce((a, w) => a + w.weight, 0n);
  if (weights.some((w) => w.weight < 0n)) throw new RangeError('Weights cannot be negative');
  if (total === 0n) {
    if (amount !== 0) throw new RangeError('Cannot share an amount out by weights that are all zero');
    return out;
  }
  const sign = amount < 0 ? -1n : 1n;
  const abs = BigInt(Math.abs(amount));
  let given = 0n;
  const parts = weights.map((w) => {
    const exact = abs * w.weight;
    const floor = exact / total;
    given += floor;
    return { key: w.key, floor, rem: exact % total };
  });
  let left = abs - given;
  const order = [...parts].sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const p of order) {
    if (left === 0n) break;
    p.floor += 1n;
    left -= 1n;
  }
  for (const p of parts) out.set(p.key, (out.get(p.key) ?? 0) + Number(p.floor * sign));
  return out;
}

/** One amount shared by one segment's shares. */
export const shareOf = (amount: number, shares: readonly Share[]) =>
  allocate(
    amount,
    shares.map((s) => ({ key: s.partnerId, weight: BigInt(s.bp) })),
  );

/**
 * Weights (days × basis points) by financial year and partner for the days `from`..`to` that the
 * split covers, for sharing an invoice or payment for those days. Keys are 'fy|partnerId'.
 */
export function dayWeights(split: Split, from: string, to: string, fyOf: (iso: string) => number): Map<string, bigint> {
  const weights = new Map<string, bigint>();
  const end = epochDay(to);
  for (const s of split) {
    const a = Math.max(epochDay(s.from), epochDay(from));
    const b = Math.min(s.to === null ? end : epochDay(s.to), end);
    for (let d = a; d <= b;) {
      // Walk in runs that stay inside one financial year.
      const iso = new Date(d * 86_400_000).toISOString().slice(0, 10);
      const fy = fyOf(iso);
      const fyEnd = epochDay(`${fy + 1}-03-31`);
      const runEnd = Math.min(b, fyEnd);
      const days = BigInt(runEnd - d + 1);
      for (const sh of s.shares) {
        const k = `${fy}|${sh.partnerId}`;
        weights.set(k, (weights.get(k) ?? 0n) + days * BigInt(sh.bp));
      }
      d = runEnd + 1;
    }
  }
  return weights;
}

/** "50%" from basis points; "33.33%". */
export const formatShare = pct;

/** '50', '33.33', '100%' → basis points, or null when it is not a percentage with at most 2 decimals. */
export function parsePercent(input: string | null | undefined): number | null {
  const s = (input ?? '').trim().replace(/%$/, '').trim();
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= FULL_SHARE ? bp : null;
}
