// Consent and lawful bases for sharing a child's record, emergency access, and "who has looked".
import type { RouteSpec } from '../../platform/http/route.js';
import type { CapabilityDeps } from '../deps.js';

export function sharingRoutes(_deps: CapabilityDeps): RouteSpec[] {
  return [];
}
