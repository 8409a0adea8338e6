// The register overview's public module: small-number protection of a breakdown, used by other reports.
export { CELL_TEXT, protectBreakdown, type Shown } from './rules.js';
