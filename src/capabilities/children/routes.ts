// The core record of a child or young person: register (with the duplicate guard), view, edit, history.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function childrenRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
