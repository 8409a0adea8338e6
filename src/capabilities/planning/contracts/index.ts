// The contracts register's public module: what "Your work" and the demo seed use.
export { contractsWorklist } from './worklist.js';
export { addKpi, createContract, linkPackage, recordReturn, type NewContract } from './service.js';
export { addMonths, expiry } from './rules.js';
