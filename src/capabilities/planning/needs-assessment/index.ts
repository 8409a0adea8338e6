// The needs assessment's public module: what the demo seed, the command line and the bench use.
export { loadDfeFigures, loadPopulation, setNeighbours } from './service.js';
export { readDfeDir, readPopulationText, DEFAULT_DFE_DIR } from './cli.js';
export { protectReport, protectFigure, type NeedsReport } from './rules.js';
