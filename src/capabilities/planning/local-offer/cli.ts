// `jointly import-postcodes <csv>`: postcode centres for the Local Offer's distance search, from a
// postcode,lat,long CSV (the ONS Postcode Directory's pcds,lat,long also read). All or nothing:
// one bad row and nothing is loaded; loading the same file again changes nothing.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../../platform/db/database.js';
import { appendAudit } from '../../../platform/audit/audit.js';
import { parsePostcodeCsv, PostcodeFileError } from './schema.js';
import { loadPostcodes } from './service.js';
import { importFeed } from './feed.js';
import { todayInLondon } from '../../../platform/dates.js';

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

/**
 * `jointly import-oruk <file> [--apply] [--leave-out-conflicts]`: another directory's ORUK 3.0 feed.
 * Without --apply, a dry run: says what would be created, updated, left unchanged or refused.
 */
export async function importOrukCommand(
  db: Db,
  file: string,
  opts: { apply?: boolean; leaveOutConflicts?: boolean },
  log: (s: string) => void,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    log(`Cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const report = await db.transaction().execute(async (tx) => {
    const r = await importFeed(tx, text, { apply: !!opts.apply, today: todayInLondon(), leaveOutConflicts: !!opts.leaveOutConflicts });
    if (r.applied) {
      await appendAudit(tx, {
        action: 'cli.import-oruk',
        result: 'allowed',
        details: { created: r.created.length, updated: r.updated.length, unchanged: r.unchanged.length, conflicts: r.conflicts.length },
      });
    }
    return r;
  });
  const list = (title: string, items: string[]) => {
    if (items.length) log(`${title} (${items.length}):\n${items.map((i) => `  ${i}`).join('\n')}`);
  };
  list('Problems: nothing was imported', report.errors);
  list('Changed here since, not overwritten', report.conflicts);
  list('Warnings', report.warnings);
  const verb = report.applied ? '' : 'would be ';
  log(`${report.created.length} ${verb}created, ${report.updated.length} ${verb}updated, ${report.unchanged.length} unchanged.`);
  if (!opts.apply) log('This was a dry run: nothing was stored. Run again with --apply to import.');
  else if (!report.applied && (report.created.length || report.updated.length)) {
    log(report.errors.length ? 'Nothing was imported: put the problems right first.' : 'Nothing was imported: use --leave-out-conflicts to import the rest.');
  }
  return report.errors.length || (opts.apply && report.conflicts.length && !opts.leaveOutConflicts) ? 1 : 0;
}
