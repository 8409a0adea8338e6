import type { RouteSpec } from '../../../platform/http/route.js';
import type { CapabilityDeps } from '../../deps.js';

export function moderationRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
