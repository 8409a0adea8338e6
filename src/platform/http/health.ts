import type { Database } from '../db/database.js';
import type { RouteSpec } from './route.js';
import { paths } from '../../paths.js';

export function healthRoutes(database: Database): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: paths.health.live,
      access: 'public',
      audit: 'health.live',
      handler: () => ({ contentType: 'application/json', body: JSON.stringify({ status: 'up' }) }),
    },
    {
      method: 'GET',
      url: paths.health.ready,
      access: 'public',
      audit: 'health.ready',
      handler: async () => {
        const ok = await database.ping(200);
        return ok
          ? { contentType: 'application/json', body: JSON.stringify({ status: 'ready', database: database.kind }) }
          : { status: 503, contentType: 'application/json', body: JSON.stringify({ status: 'unavailable', database: database.kind }) };
      },
    },
  ];
}
