// Reading the DfE files for the backtest (the one place the forecast touches the disk). Every file
// goes through the platform's DfE reader, which handles the byte-order mark, header case and markers.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DfeFileProblem, readDfeCsv } from '../../../platform/dfe-csv.js';
import { backtest, type BacktestDetail } from './backtest.js';

const RELATIVE = 'shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data';

/** The project's folder: the nearest folder above this file holding package.json (source or built copy). */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The DfE EHC plan statistics beside the project (../shared/reference/...). */
export const defaultDataDir = () => resolve(projectRoot(), '..', RELATIVE);

async function readFileOf(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new DfeFileProblem(`There is no ${name} in ${dir}. Give the folder of the DfE EHC plan statistics with --data.`);
  }
}

/** Reads caseload.csv and timeliness_20_week.csv from `dir` and runs the backtest. */
export async function backtestFiles(dir = defaultDataDir()): Promise<BacktestDetail> {
  const [caseload, timeliness] = await Promise.all([readFileOf(dir, 'caseload.csv'), readFileOf(dir, 'timeliness_20_week.csv')]);
  try {
    return backtest(readDfeCsv(caseload, ['ehcplans']), readDfeCsv(timeliness, ['plans_issued_den']));
  } catch (e) {
    if (e instanceof DfeFileProblem) throw new DfeFileProblem(`${e.message} (in ${dir})`);
    throw e;
  }
}
