// `jointly import` and `jointly demo-extracts`: the same checks, dry run and all-or-nothing apply
// as the imports pages, from the command line.
import { readFile, mkdir, writeFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Db } from '../../../platform/db/database.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { OUTCOMES } from './fields.js';
import { MAX_BYTES, MAX_MB } from './rules.js';
import { applyImport, claimForApply, createImport, dryRun, getImport, listSources, plannedText, reportRows, sourceByName } from './service.js';
import { demoExtracts, ensureDemoSources } from './demo-extracts.js';

const CLI_ACTOR = { userId: null, organisationId: null, roles: ['command-line'] };

export async function importCommand(
  db: Db,
  opts: { source: string; file: string; apply?: boolean; leaveOutInvalid?: boolean },
  log: (s: string) => void,
): Promise<number> {
  const source = await sourceByName(db, opts.source);
  if (!source) {
    const names = (await listSources(db)).map((s) => `"${s.name}"`);
    throw new Error(
      `--source: there is no agency source called "${opts.source}". ${names.length ? `The sources are ${names.join(', ')}` : 'Add one on the Imports page first'}`,
    );
  }
  const size = (await stat(opts.file).catch(() => null))?.size;
  if (size === undefined) throw new Error(`${opts.file}: there is no such file`);
  if (size > MAX_BYTES)
    throw new Error(`The file ${basename(opts.file)} is larger than ${MAX_MB} MB. Split the extract into smaller files and import each one`);
  const bytes = new Uint8Array(await readFile(opts.file));
  let id: string;
  try {
    id = await createImport(db, source, { name: basename(opts.file), bytes }, null);
  } catch (e) {
    if (e instanceof ValidationError) throw new Error(`Nothing was imported. ${e.errors.map((x) => x.text).join('. ')}`, { cause: e });
    throw e;
  }
  const counts = await dryRun(db, id);
  log(`Dry run of ${basename(opts.file)} from ${source.name}:`);
  for (const [k, label] of Object.entries(OUTCOMES)) log(`  ${label.padEnd(28)} ${counts[k] ?? 0}`);
  const { planned, plannedForReview } = (await getImport(db, id)).summary ?? {};
  if (planned) log(`Applying the file will make: ${plannedText(planned, plannedForReview ?? 0)}.`);
  const invalid = await reportRows(db, id, { outcome: 'invalid', limit: 20 });
  for (const r of invalid) log(`  row ${r.row_number + 1} (record ${r.record_id ?? 'with no id'}): ${r.reason}`);
  if (!opts.apply) {
    log('Nothing has been changed. Add --apply to apply the file.');
    return 0;
  }
  if (counts.invalid && !opts.leaveOutInvalid) {
    log(`${counts.invalid} rows are invalid, so nothing has been applied. Correct the file, or add --leave-out-invalid to apply the rest.`);
    return 1;
  }
  await claimForApply(db, id, (counts.invalid ?? 0) > 0);
  const summary = await applyImport(db, id, CLI_ACTOR);
  if (summary.alreadyAppliedAt) log('This file from this agency was applied before: nothing has changed.');
  else if (summary.applied)
    log(
      `Applied: ${summary.applied.created} new records, ${summary.applied.linked} linked, ${summary.applied.updated} updated, ${summary.applied.reviews} pairs for review.`,
    );
  log(`Import ${(await getImport(db, id)).id}`);
  return 0;
}

export async function demoExtractsCommand(db: Db, opts: { out: string; children?: number }, log: (s: string) => void): Promise<void> {
  const extracts = await demoExtracts(db, { limit: opts.children });
  await mkdir(opts.out, { recursive: true });
  for (const e of extracts) {
    await writeFile(join(opts.out, e.file), e.csv);
    log(`  ${join(opts.out, e.file)}: ${e.rows} rows for "${e.source.name}"`);
  }
  const made = await ensureDemoSources(db, extracts, null);
  if (made.length) log(`Added the agency sources ${made.map((m) => `"${m}"`).join(', ')}.`);
}
