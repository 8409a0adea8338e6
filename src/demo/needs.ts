// The needs assessment in Demoshire: a fictional 0 to 25 population by locality (made up for the
// demo, not any real area's figures), an illustrative set of statistical neighbours (ten real
// shire counties, chosen only so the comparison has something to show), and the DfE statistics
// when the shared reference folder is there. All through the needs assessment's public module.
import { existsSync, readFileSync } from 'node:fs';
import type { Db } from '../platform/db/database.js';
import { projectPath } from '../platform/paths-on-disk.js';
import {
  DEFAULT_DFE_DIR,
  loadDfeFigures,
  loadPopulation,
  readDfeDir,
  readPopulationText,
  setNeighbours,
} from '../capabilities/planning/needs-assessment/index.js';

/** Derbyshire, Leicestershire, Nottinghamshire, Lincolnshire, Staffordshire, Worcestershire, Warwickshire, Cambridgeshire, Oxfordshire, Gloucestershire. */
export const DEMO_NEIGHBOURS = ['830', '855', '891', '925', '860', '885', '937', '873', '931', '916'];

export async function seedDemoNeeds(db: Db) {
  await loadPopulation(db, readPopulationText(readFileSync(projectPath('src/demo/data/demoshire-population.csv'), 'utf8')));
  await setNeighbours(db, DEMO_NEIGHBOURS);
}

/** Loads the DfE figures from the shared reference folder, if it is there. Returns whether it did. */
export async function seedDemoDfe(db: Db, dir = DEFAULT_DFE_DIR): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const figures = await readDfeDir(dir);
  await db.transaction().execute((tx) => loadDfeFigures(tx, figures));
  return true;
}
