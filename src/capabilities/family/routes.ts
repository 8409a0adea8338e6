// Parents, carers and siblings of a child on the register.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function familyRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
