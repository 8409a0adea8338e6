// `jointly import-postcodes <csv>`: postcode centres for the Local Offer's distance search, from a
// postcode,lat,long CSV (the ONS Postcode Directory's pcds,lat,long also read). All or nothing:
// one bad row and nothing is loaded; loading the same file again changes nothing.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../../platform/db/database.js';
import { appendAudit } from '../../../platform/audit/audit.js';
import { parsePostcodeCsv, PostcodeFileError } from './schema.js';
import { loadPostcodes } from './service.js';

export async function importPostcodesCommand(db: Db, file: string, log: (s: string) => void): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    log(`Cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  let rows;
  try {
    rows = parsePostcodeCsv(text);
  } catch (e) {
    if (!(e instanceof PostcodeFileError)) throw e;
    log(e.message);
    return 1;
  }
  await db.transaction().execute(async (tx) => {
    await loadPostcodes(tx, rows);
    await appendAudit(tx, { action: 'cli.import-postcodes', result: 'allowed', details: { rows: rows.length } });
  });
  log(`Loaded ${rows.length.toLocaleString('en-GB')} postcode${rows.length === 1 ? '' : 's'}.`);
  return 0;
}
