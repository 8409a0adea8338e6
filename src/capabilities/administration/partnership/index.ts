// The partnership's public module: role requests waiting for a second administrator, for "Your
// work"; and a family member's account, invited from a child's record (ADR 0015).
export { createFamilyAccount, sendFamilyInvitation, type InviteDeps } from './service.js';
export { partnershipWorklist } from './worklist.js';
