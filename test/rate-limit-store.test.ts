// The rate limits' database store on real databases: one count per route and client, shared by
// every process (here, every caller), a new window once the last has ended, and no count lost when
// many requests arrive at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { databaseKinds, openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { databaseRateLimitStore } from '../src/platform/http/rate-limit-store.js';

function incr(store: FastifyRateLimitStore, key: string, windowMs = 60_000): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) => store.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), windowMs, 5));
}

describe.each(databaseKinds())('the rate limit store on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.close());

  const routeStore = (method: string, url: string) => {
    const Store = databaseRateLimitStore(database.db);
    return new Store({}).child({ routeInfo: { method, url } } as never);
  };

  it('counts each client at each route, and two stores (two processes) share the count', async () => {
    const a = routeStore('POST', '/sign-in');
    const b = routeStore('POST', '/sign-in');
    const other = routeStore('POST', '/refer');
    expect((await incr(a, '10.0.0.1')).current).toBe(1);
    expect((await incr(b, '10.0.0.1')).current).toBe(2);
    const third = await incr(a, '10.0.0.1');
    expect(third.current).toBe(3);
    expect(third.ttl).toBeGreaterThan(0);
    expect(third.ttl).toBeLessThanOrEqual(60_000);
    expect((await incr(a, '10.0.0.2')).current).toBe(1);
    expect((await incr(other, '10.0.0.1')).current).toBe(1);
  });

  it('starts a new window once the last one has ended', async () => {
    const a = routeStore('POST', '/invitation/:token');
    for (let i = 0; i < 4; i++) await incr(a, '10.0.0.3');
    await sql`update rate_limits set resets_at = now() - interval '1 second' where key like '%10.0.0.3'`.execute(database.db);
    const fresh = await incr(a, '10.0.0.3');
    expect(fresh.current).toBe(1);
    expect(fresh.ttl).toBeGreaterThan(50_000);
  });

  it('loses no count when many requests arrive at once', async () => {
    const stores = Array.from({ length: 4 }, () => routeStore('POST', '/sign-in/code'));
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => incr(stores[i % 4]!, '10.0.0.4')));
    expect(counts.map((c) => c.current).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
