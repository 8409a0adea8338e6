// "About me", written with the family, and one chronology across agencies.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function tellItOnceRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
