// The forecast's public module: the backtest (for the CLI and the benchmark) and the area forecast's pure rules.
export { backtest, TEST_YEARS, TRAINING_YEARS, type BacktestDetail, type BacktestResult } from './backtest.js';
export { backtestFiles, defaultDataDir } from './dfe-files.js';
export { forecast, histories, costs, ScenarioProblem, type RegisterChild, type Scenario, type ScenarioFigures } from './rules.js';
