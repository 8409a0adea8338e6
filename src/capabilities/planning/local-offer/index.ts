// The Local Offer's public module: what the demo seed and the command line use.
export { loadPostcodes, saveEntries } from './service.js';
export { parsePostcodeCsv } from './schema.js';
export { ACCESS_ROUTES, SCHEDULE_2_ITEMS, SUPPORT_TYPES, type DirectoryEntry } from './rules.js';
export { localOfferWorklist } from './worklist.js';
export { needAgainstSupply, type SupplyRow } from './need-and-supply.js';
export { serviceChoices, serviceName } from './read-model.js';
