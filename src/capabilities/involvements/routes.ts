// Which organisation and service works with a child, and the key worker.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function involvementsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
