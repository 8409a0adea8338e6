// A store for @fastify/rate-limit that counts in the database (rate_limits), so several app
// processes on one PostgreSQL share one count per route and client address. One statement per
// request: it starts a new window when the last has ended, otherwise adds one, atomically (two
// processes counting the same key at once are taken in turn by the row's lock).
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Windows that ended this long ago are deleted, at most once a minute per process. */
const PRUNE_AFTER_MINUTES = 10;

export function databaseRateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  let prunedAt = 0;
  const prune = () => {
    if (Date.now() - prunedAt < 60_000) return;
    prunedAt = Date.now();
    sql`delete from rate_limits where resets_at < now() - make_interval(mins => ${PRUNE_AFTER_MINUTES})`.execute(db).catch(() => undefined);
  };

  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    /** The plugin passes its options first; a route's store is made by child() with the route's prefix. */
    constructor(
      _options?: unknown,
      private readonly prefix = '',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const seconds = Math.max(1, timeWindow) / 1000;
      sql<{ hits: number; ttl: number }>`
        insert into rate_limits as r (key, hits, resets_at) values (${this.prefix + key}, 1, now() + make_interval(secs => ${seconds}))
        on conflict (key) do update set
          hits = case when r.resets_at <= now() then 1 else r.hits + 1 end,
          resets_at = case when r.resets_at <= now() then excluded.resets_at else r.resets_at end
        returning hits, greatest(0, ceil(extract(epoch from (resets_at - now())) * 1000))::int as ttl`
        .execute(db)
        .then(
          (res) => {
            const row = res.rows[0]!;
            callback(null, { current: Number(row.hits), ttl: Number(row.ttl) });
          },
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
      prune();
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      // As the plugin's own stores do: one count per route (method and address) and client.
      const route = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      return new DatabaseRateLimitStore(undefined, `${[route.method ?? ''].flat().join(',')}${route.url ?? ''}-`);
    }
  }
  return DatabaseRateLimitStore;
}
