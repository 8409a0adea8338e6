// The partnership's public module: role requests waiting for a second administrator, for "Your work".
export { partnershipWorklist } from './worklist.js';
