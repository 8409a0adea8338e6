// The register as counts and charts for commissioners, small numbers suppressed.
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function registerOverviewRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
