// The register overview's public module: small-number protection of a breakdown, used by other reports.
export { AGE_BANDS, birthDatesForBand, CELL_TEXT, OVER_25, protectBreakdown, type AgeBandCode, type Shown } from './rules.js';
