// `jointly import-population <csv>` and `jointly import-dfe-ehcp [dir]`: the needs assessment's two
// loads. Each is all or nothing: one bad line and nothing is loaded (the problem names the line);
// loading the same file again leaves the tables as they were.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../platform/paths-on-disk.js';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../../platform/db/database.js';
import { appendAudit } from '../../../platform/audit/audit.js';
import { DfeFileProblem, readDfeCsv } from '../../../platform/dfe-csv.js';
import { DFE_FILES, dfeFiguresFrom, parsePopulationCsv, PopulationFileError, type DfeFigure, type DfeFileName, type PopulationRow } from './rules.js';
import { loadDfeFigures, loadPopulation } from './service.js';

/** Where the DfE files are when no folder is given: the shared reference copy beside the project (or the current folder's parent). */
const DFE_SUBFOLDER = join('shared', 'reference', 'ehcp-statistics', 'education-health-and-care-plans_2025', 'data');
export const DEFAULT_DFE_DIR =
  [join(projectRoot, '..', DFE_SUBFOLDER), join(process.cwd(), '..', DFE_SUBFOLDER)].find((d) => existsSync(d)) ?? join(projectRoot, '..', DFE_SUBFOLDER);

/** Reads and checks a population CSV's text (throws PopulationFileError naming the line). */
export function readPopulationText(text: string): PopulationRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new PopulationFileError(`The file is not a readable CSV file: ${(e as Error).message}`);
  }
  return parsePopulationCsv(records);
}

export async function importPopulationCommand(db: Db, file: string, log: (s: string) => void): Promise<number> {
  let rows: PopulationRow[];
  try {
    rows = readPopulationText(await readFile(file, 'utf8'));
  } catch (e) {
    if (e instanceof PopulationFileError) log(`Nothing was loaded. ${e.message}`);
    else log(`Cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  await db.transaction().execute(async (tx) => {
    await loadPopulation(tx, rows);
    await appendAudit(tx, { action: 'cli.import-population', result: 'allowed', details: { rows: rows.length } });
  });
  const area = rows.filter((r) => r.localityCode === null);
  const localities = new Set(rows.map((r) => r.localityCode).filter((l) => l !== null)).size;
  const people = (area.length ? area : rows).reduce((s, r) => s + r.people, 0);
  log(
    `Loaded ${rows.length} population figures: ${people.toLocaleString('en-GB')} people aged 0 to 25${localities ? ` (${localities} localit${localities === 1 ? 'y' : 'ies'} given)` : ''}.`,
  );
  return 0;
}

/** Reads every DfE file the comparison uses from `dir`; throws DfeFileProblem naming the file (and line). */
export async function readDfeDir(dir: string): Promise<DfeFigure[]> {
  const out: DfeFigure[] = [];
  for (const name of Object.keys(DFE_FILES) as DfeFileName[]) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch {
      throw new DfeFileProblem(`${name}: not found in ${dir}. The folder should hold DfE's "Education, health and care plans" data files.`);
    }
    try {
      out.push(...dfeFiguresFrom(name, readDfeCsv(text, DFE_FILES[name].measures)));
    } catch (e) {
      if (e instanceof DfeFileProblem) throw new DfeFileProblem(`${name}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

export async function importDfeEhcpCommand(db: Db, dir: string | undefined, log: (s: string) => void): Promise<number> {
  const folder = dir ?? DEFAULT_DFE_DIR;
  let figures: DfeFigure[];
  try {
    figures = await readDfeDir(folder);
  } catch (e) {
    if (!(e instanceof DfeFileProblem)) throw e;
    log(`Nothing was loaded. ${e.message}`);
    return 1;
  }
  const r = await db.transaction().execute(async (tx) => {
    const res = await loadDfeFigures(tx, figures);
    await appendAudit(tx, { action: 'cli.import-dfe-ehcp', result: 'allowed', details: { figures: figures.length, folder } });
    return res;
  });
  const notPublished = figures.filter((f) => f.cell.value === null).length;
  log(
    `Loaded ${r.after.toLocaleString('en-GB')} DfE figures (${notPublished.toLocaleString('en-GB')} not published, kept as their markers), replacing ${r.before.toLocaleString('en-GB')}.`,
  );
  return 0;
}
