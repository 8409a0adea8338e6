// HTTP load with autocannon (in-process API). autocannon reports p97.5 and p99 but not p95, so
// every response time is kept and percentiles are computed here from the raw figures.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Request headers sent on every request (cookies, for signed-in pages). */
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  /**
   * Requests to rotate through, in order, across all connections (each its own path on the same
   * server and its own headers, added to `headers`): to spread a load over many records and
   * several signed-in people. Without it, every request is `url`.
   */
  rotate?: readonly RotatingRequest[];
  /**
   * An unmeasured warm-up: it may end before any response arrives (a slow page at 50
   * connections); anything other than 2xx still fails it.
   */
  warmUp?: boolean;
  /** Seconds without an answer before a request counts as timed out (a failure); autocannon's default is 10. */
  timeoutS?: number;
}

export interface RotatingRequest {
  /** Path and query string, e.g. /children/<id>. */
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  perS: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** autocannon's own p97.5 and p99 (whole milliseconds), kept to cross-check ours. */
  autocannonP97_5Ms: number;
  autocannonP99Ms: number;
  bytesPerResponse: number;
  durationS: number;
  /** Requests sent but not answered when the run stopped (not in the figures above). */
  unanswered: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('No values to take a percentile of');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Runs one load and fails loudly unless every response was 2xx and nothing errored or timed out:
 * a benchmark of redirects or error pages measures the wrong thing.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  let bytes = 0;
  const rotate = opts.rotate;
  if (rotate && rotate.length === 0) throw new Error('rotate: give at least one request');
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationS,
        pipelining: 1,
        headers: opts.headers ?? {},
        ...(opts.timeoutS ? { timeout: opts.timeoutS } : {}),
        // autocannon rebuilds a request with setupRequest before every send; one shared counter
        // takes the next request of the rotation, whichever connection is sending.
        ...(rotate
          ? {
              requests: [
                {
                  method: 'GET' as const,
                  setupRequest: (req: autocannon.Request) => {
                    const r = rotate[next++ % rotate.length]!;
                    return { ...req, path: r.path, headers: { ...req.headers, ...r.headers } };
                  },
                },
              ],
            }
          : {}),
      },
      (err: Error | null, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, resBytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        times.push(responseTime);
        bytes += resBytes;
      }
    });
  });

  const problems: string[] = [];
  if (result.non2xx !== 0) problems.push(`${result.non2xx} responses were not 2xx (by status: ${JSON.stringify(result.statusCodeStats ?? {})})`);
  if (result.errors !== 0) problems.push(`${result.errors} requests failed with connection errors`);
  if (result.timeouts !== 0) problems.push(`${result.timeouts} requests timed out`);
  if (result.mismatches !== 0) problems.push(`${result.mismatches} responses did not match`);
  if (times.length === 0 && !opts.warmUp) problems.push('no responses at all');
  if (problems.length) throw new Error(`Load on ${opts.url} is not a valid measurement:\n  ${problems.join('\n  ')}`);

  times.sort((a, b) => a - b);
  if (times.length === 0) {
    return {
      requests: 0,
      perS: 0,
      p50Ms: NaN,
      p95Ms: NaN,
      p99Ms: NaN,
      maxMs: NaN,
      meanMs: NaN,
      autocannonP97_5Ms: NaN,
      autocannonP99Ms: NaN,
      bytesPerResponse: NaN,
      durationS: result.duration,
      unanswered: result.requests.sent - result.requests.total,
    };
  }
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  return {
    requests: times.length,
    perS: times.length / result.duration,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    maxMs: times[times.length - 1]!,
    meanMs: mean,
    autocannonP97_5Ms: result.latency.p97_5,
    autocannonP99Ms: result.latency.p99,
    bytesPerResponse: bytes / times.length,
    durationS: result.duration,
    unanswered: result.requests.sent - result.requests.total,
  };
}
