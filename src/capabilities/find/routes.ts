// Search, lists and exports of the children a person may see.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function findRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
