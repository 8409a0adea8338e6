// Imports on real databases: each bad file refused with its own message and nothing stored; the
// dry run's verdict on every row of the demo extracts; apply, then the same file again changes
// nothing; a failure half way through leaves the register as it was; the upload page and the
// background jobs end to end over HTTP; the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import {
  applyImport,
  checkFile,
  claimForApply,
  createImport,
  dryRun,
  reportCsv,
  sourceByName,
  type Source,
} from '../src/capabilities/linkage/imports/service.js';
import { ValidationError } from '../src/platform/http/errors.js';
import type { DemoExtract } from '../src/capabilities/linkage/imports/demo-extracts.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { ACTOR, bytesOf, demoSetup, dryRunFile, importFile, photograph } from './fixtures/imports/setup.js';

const FINANCE = 'finance@demoshire.example.org';

/** A multipart/form-data body as a browser sends it. */
function multipart(fields: Record<string, string>, file?: { name: string; bytes: Uint8Array; type?: string }) {
  const boundary = '----jointlytest' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`),
    );
    parts.push(Buffer.from(file.bytes));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(databaseKinds())('imports on %s', (kind) => {
  let t: TestApp;
  let extracts: DemoExtract[];
  let sources: Source[];
  let health: Source;
  let healthCsv: string;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    ({ extracts, sources } = await demoSetup(t.database.db));
    health = sources[0]!;
    healthCsv = extracts[0]!.csv;
  }, 120_000);
  afterAll(() => t?.close());

  const refusal = async (name: string, bytes: Uint8Array, source = health) => {
    try {
      await checkFile(source, name, bytes, todayInLondon());
    } catch (e) {
      if (e instanceof ValidationError) return e.errors.map((x) => x.text);
      throw e;
    }
    return null;
  };

  it('refuses each kind of bad file with its own message, and stores nothing', async () => {
    const before = await photograph(t.database.db);
    const header = 'rid,first,surname,dob,gender,nhs,pc\r\n';
    expect(await refusal('extract.pdf', bytesOf('%PDF-1.7'))).toEqual(['The file extract.pdf must be a CSV (.csv) or Excel (.xlsx) file']);
    expect(await refusal('extract.csv', new Uint8Array())).toEqual([expect.stringMatching(/^The file extract\.csv is empty/)]);
    expect(await refusal('extract.csv', bytesOf(header))).toEqual(['The file extract.csv has a header row but no rows of data']);
    expect(await refusal('extract.csv', new Uint8Array([...bytesOf(`${header}H1,Zo`), 0xeb, ...bytesOf(',Fictional,20150101,F,,\r\n')]))).toEqual([
      expect.stringMatching(/^The file extract\.csv is not UTF-8 text \(line 2/),
    ]);
    expect(await refusal('extract.csv', new Uint8Array([0xff, 0xfe, ...bytesOf('r\0i\0d\0')]))).toEqual([expect.stringMatching(/saved as UTF-16/)]);
    expect(await refusal('extract.csv', bytesOf('rid,first,dob\r\nH1,A,20150101\r\n'))).toEqual([
      'The file extract.csv has no columns “surname”, “gender”, “nhs”, “pc”, which the source’s column mapping uses. Check the file is this agency’s extract, or change the mapping',
    ]);
    expect(await refusal('extract.csv', bytesOf(`${header}H1,A,B,20150101,F,,\r\nH2,C,D,20150101,F,,\r\nH1,E,F,20150101,F,,\r\n`))).toEqual([
      'The file extract.csv has the same record id on more than one row: record id “H1” is on rows 2 and 4. Each record id must appear once',
    ]);
    expect(await refusal('extract.xlsx', bytesOf(healthCsv))).toEqual([expect.stringMatching(/named \.xlsx but is not an Excel workbook/)]);
    expect(await photograph(t.database.db)).toEqual(before);
    expect(await t.database.db.selectFrom('imports').select('id').execute()).toEqual([]);
  });

  it('reads an Excel workbook the same as the CSV', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Extract');
    for (const line of healthCsv.trim().split('\r\n').slice(0, 4)) sheet.addRow(line.split(','));
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const fromXlsx = await checkFile(health, 'extract.xlsx', bytes, todayInLondon());
    const fromCsv = await checkFile(health, 'extract.csv', bytesOf(healthCsv), todayInLondon());
    expect(fromXlsx.type).toBe('xlsx');
    expect(fromXlsx.rows).toEqual(fromCsv.rows.slice(0, 3));
  });

  it('the dry run gives every row a verdict with its reason, and changes nothing', async () => {
    const before = await photograph(t.database.db);
    const { id, counts } = await dryRunFile(t.database.db, health, extracts[0]!.file, healthCsv);
    const rows = await t.database.db.selectFrom('import_rows').selectAll().where('import_id', '=', id).orderBy('row_number').execute();
    expect(rows.length).toBe(extracts[0]!.rows);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(extracts[0]!.rows);
    // The planted invalid row: its column and the register's NHS number rule.
    const bad = rows.find((r) => r.record_id === 'H999999')!;
    expect(bad.outcome).toBe('invalid');
    expect(JSON.parse(bad.problems)).toEqual([{ column: 'nhs', message: 'The NHS number is not valid: its check digit is wrong' }]);
    // The fictional newcomer is nobody on the register.
    expect(rows.find((r) => r.record_id === 'H900001')!.outcome).toBe('create');
    // A row carrying a child's NHS number links to that child.
    const children = new Map((await t.database.db.selectFrom('children').select(['id', 'nhs_number']).execute()).map((c) => [c.nhs_number, c.id]));
    let checked = 0;
    for (const r of rows) {
      const nhs = (JSON.parse(r.field_values) as { nhs_number?: string }).nhs_number;
      if (!nhs || r.outcome === 'invalid') continue;
      expect(r.outcome).toBe('link');
      expect(r.child_id).toBe(children.get(nhs));
      expect(r.probability).toBeGreaterThanOrEqual(0.9);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(await photograph(t.database.db)).toEqual(before);
  });

  it('applies only when asked to leave invalid rows out; then the same file again changes nothing', async () => {
    const { id } = await dryRunFile(t.database.db, health, extracts[0]!.file, healthCsv);
    await claimForApply(t.database.db, id, false);
    await expect(applyImport(t.database.db, id, ACTOR)).rejects.toThrow('1 rows are invalid and leaving them out was not chosen; nothing has been applied');
    expect((await t.database.db.selectFrom('imports').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('failed');
    expect(await t.database.db.selectFrom('source_records').select('id').execute()).toEqual([]);

    const again = await dryRunFile(t.database.db, health, extracts[0]!.file, healthCsv);
    await claimForApply(t.database.db, again.id, true);
    const summary = await applyImport(t.database.db, again.id, ACTOR);
    expect(summary.applied).toEqual({ created: 1, linked: again.counts.link, updated: 0, reviews: 0 });
    const sourceRecords = await t.database.db.selectFrom('source_records').select(['record_id', 'child_id']).where('source_id', '=', health.id).execute();
    expect(sourceRecords.length).toBe(extracts[0]!.rows - 1);
    // Provenance: each linked value is kept with its source.
    const values = await t.database.db.selectFrom('child_field_values').select(['field']).where('import_id', '=', again.id).execute();
    expect(values.filter((v) => v.field === 'nhs_number').length).toBeGreaterThan(50);
    // The apply is audited with every child it wrote to.
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['id', 'details'])
      .where('action', '=', 'imports.apply')
      .where('subject_id', '=', again.id)
      .executeTakeFirstOrThrow();
    const linked = await t.database.db.selectFrom('audit_children').select('child_id').where('audit_id', '=', audit.id).execute();
    expect(linked.length).toBe(new Set(sourceRecords.map((s) => s.child_id)).size);

    // The same file again: the dry run says nothing would change, and applying changes nothing.
    const before = await photograph(t.database.db);
    const third = await dryRunFile(t.database.db, health, 'renamed.csv', healthCsv);
    expect(third.counts).toEqual({ create: 0, update: 0, link: 0, review: 0, invalid: 1, unchanged: extracts[0]!.rows - 1 });
    await claimForApply(t.database.db, third.id, true);
    const repeat = await applyImport(t.database.db, third.id, ACTOR);
    expect(repeat.alreadyAppliedAt).toBeTruthy();
    expect(await photograph(t.database.db)).toEqual(before);
  });

  it('a failure half way through an apply leaves the register exactly as it was', async () => {
    const education = sources[1]!;
    const before = await photograph(t.database.db);
    const { id, counts } = await dryRunFile(t.database.db, education, extracts[1]!.file, extracts[1]!.csv);
    expect(counts.link).toBeGreaterThan(10);
    await claimForApply(t.database.db, id, true);
    const middle = Math.floor(extracts[1]!.rows / 2);
    await expect(applyImport(t.database.db, id, ACTOR, { failAtRow: middle })).rejects.toThrow(`The import stopped at row ${middle}`);
    const after = await photograph(t.database.db);
    // Only the import's own report rows differ (the dry run's verdicts): the register is untouched.
    expect(after).toEqual(before);
    const imp = await t.database.db.selectFrom('imports').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(imp).toEqual({ status: 'failed', error: `Nothing was applied: The import stopped at row ${middle} (a fault injected for testing)` });
    expect(await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'imports.apply').where('subject_id', '=', id).execute()).toEqual([]);
  });

  it('over HTTP: a data officer uploads, watches the dry run, applies and downloads the report; a bad file is refused on the page', async () => {
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    const home = await c.get(paths.imports.home);
    expect(home.status).toBe(200);
    const social = sources[2]!;
    const send = async (file: { name: string; bytes: Uint8Array }, csrf = c.csrf!) => {
      const body = multipart({ _csrf: csrf, sourceId: social.id }, file);
      const res = await t.app.inject({
        method: 'POST',
        url: paths.imports.upload,
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      return { status: res.statusCode, body: res.body, location: res.headers.location };
    };
    const bad = await send({ name: 'social.csv', bytes: bytesOf('Person ID,Given Name\r\nSC1,A\r\n') });
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('The file social.csv has no columns “Family Name”, “Date of Birth”, “Sex”, “Council Ref”, “Postcode”');
    // Larger than the 1 MB form limit, still read (uploads have their own limit) and checked.
    const big = await send({ name: 'big.csv', bytes: bytesOf(`Person ID,Given Name\r\n${'SC1,Fictional\r\n'.repeat(150_000)}`) });
    expect(big.status).toBe(400);
    expect(text(big.body)).toContain('The file big.csv has no columns “Family Name”');
    // The upload is audited by its content's hash, never its file name.
    const uploadAudit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'imports.upload')
      .where('result', '=', 'allowed')
      .execute();
    for (const u of uploadAudit) {
      expect(u.details).not.toContain('.csv');
      expect((JSON.parse(u.details) as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const noToken = await send({ name: 'social.csv', bytes: bytesOf(extracts[2]!.csv) }, 'not-the-token');
    expect(noToken.status).toBe(403);

    const ok = await send({ name: 'social.csv', bytes: bytesOf(extracts[2]!.csv) });
    expect(ok.status).toBe(303);
    const page = ok.location!;
    expect(text((await c.get(page)).body)).toContain('Checking every row against the register');
    await t.jobs.runPending();
    const checked = text((await c.get(page)).body);
    expect(checked).toContain('What applying the file would do');
    // A finance officer may see no child, so no row says whether it is on the register (issue 11).
    expect(checked).toMatch(/Valid \d+ rows/);
    expect(checked).not.toMatch(/Link to a record \d+ rows/);
    const applied = await c.post(paths.imports.apply(page.split('/').pop()), {});
    expect(applied.status).toBe(303);
    await t.jobs.runPending();
    const done = text((await c.get(page)).body);
    expect(done).toContain('What was done');
    expect(done).toMatch(/pairs? sent for review/);
    const report = await c.get(paths.imports.report(page.split('/').pop()));
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    const lines = report.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('row,record_id,outcome,column,reason,match_probability');
    expect(lines.length).toBe(extracts[2]!.rows + 1);
    expect(lines.filter((l) => /^\d+,SC\d+,valid,,"Will be added to the register, or matched to a record on it/.test(l)).length).toBeGreaterThan(20);
    expect(lines.filter((l) => /,(link|create|update|unchanged|review),/.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith(`${extracts[2]!.rows + 1},SC99001,valid,`))).toBe(true);
    // No child's register id anywhere a records:import holder reads: finance references begin with it.
    const childIds = (await t.database.db.selectFrom('children').select('id').execute()).map((x) => x.id);
    expect(childIds.length).toBeGreaterThan(50);
    const shown = [report.body, done, (await c.get(page)).body, (await c.get(paths.imports.home)).body].join('\n');
    for (const id of childIds) {
      expect(shown).not.toContain(id);
      expect(shown).not.toContain(id.slice(0, 8));
    }
  });

  it('multipart bodies are refused before they are read, except an upload by someone who may import', async () => {
    const probe = (url: string, cookie = '', csrf = 'x') => {
      const body = multipart({ _csrf: csrf, email: FINANCE, password: 'irrelevant' }, { name: 'x.csv', bytes: bytesOf('a,b\r\n1,2\r\n') });
      return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { 'content-type': body.contentType, cookie } });
    };
    const anon = new Client(t.app);
    await anon.get(paths.signIn);
    const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const signIn = await probe(paths.signIn, cookieOf(anon), anon.csrf);
    expect(signIn.statusCode).toBe(415);
    expect(signIn.body).toBe('This page does not accept file uploads. Send the form again from its page.');
    const upload = await probe(paths.imports.upload, cookieOf(anon), anon.csrf);
    expect(upload.statusCode).toBe(400);
    expect(upload.body).toBe('Sign in before uploading a file.');
    // Signed in with the permission, but another route: still refused unread.
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    await c.get(paths.imports.newSource);
    const other = await probe(paths.imports.newSource, cookieOf(c), c.csrf);
    expect(other.statusCode).toBe(415);
    expect(await t.database.db.selectFrom('import_sources').select('id').where('name', '=', 'irrelevant').execute()).toEqual([]);
    // Signed in without the permission: refused at the upload route too.
    const cw = new Client(t.app);
    await cw.signIn('caseworker@demoshire.example.org');
    await cw.get(paths.home);
    const refused = await probe(paths.imports.upload, cookieOf(cw), cw.csrf);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toBe('You do not have permission to upload agency extracts.');
  });

  it('an XLSX declaring a huge uncompressed size is refused at upload from its zip directory; the full read happens in the dry run job', async () => {
    // A tiny zip whose central directory declares a 4 GB worksheet: never inflated.
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(64, 18);
    local.writeUInt32LE(4_000_000_000, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(64, 20);
    central.writeUInt32LE(4_000_000_000, 24);
    central.writeUInt16LE(name.length, 28);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(30 + name.length + 64, 16);
    const bomb = new Uint8Array(Buffer.concat([local, name, Buffer.alloc(64), central, name, end]));
    await expect(createImport(t.database.db, health, { name: 'bomb.xlsx', bytes: bomb }, null)).rejects.toThrow(ValidationError);
    await expect(checkFile(health, 'bomb.xlsx', bomb, todayInLondon())).rejects.toThrow(ValidationError);
    try {
      await createImport(t.database.db, health, { name: 'bomb.xlsx', bytes: bomb }, null);
    } catch (e) {
      expect((e as ValidationError).errors[0]!.text).toMatch(/^The file bomb\.xlsx would be more than 250 MB once opened/);
    }
    expect(await t.database.db.selectFrom('imports').select('id').where('file_name', '=', 'bomb.xlsx').execute()).toEqual([]);

    // A workbook within the limits but unreadable is stored, then fails in the dry run job, and its content is purged.
    const small = new Uint8Array(Buffer.concat([local, name, Buffer.alloc(64), central, name, end]));
    new DataView(small.buffer).setUint32(22, 3000, true);
    new DataView(small.buffer).setUint32(30 + name.length + 64 + 24, 3000, true);
    const id = await createImport(t.database.db, health, { name: 'broken.xlsx', bytes: small }, null);
    const { DRY_RUN_JOB } = await import('../src/capabilities/linkage/imports/service.js');
    await t.jobs.enqueue(t.database.db, DRY_RUN_JOB, { importId: id }, { maxAttempts: 1 });
    await t.jobs.runPending();
    const imp = await t.database.db.selectFrom('imports').select(['status', 'error', 'content']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(imp.status).toBe('failed');
    expect(imp.error).toMatch(/could not be opened as an Excel workbook/);
    expect(imp.content).toBeNull();

    // A checked file nobody applies is purged after the documented time, and cannot then be applied.
    const { purgeAbandoned, ABANDONED_AFTER_DAYS } = await import('../src/capabilities/linkage/imports/service.js');
    const waiting = await dryRunFile(t.database.db, health, 'waiting.csv', healthCsv);
    expect(await purgeAbandoned(t.database.db)).toBe(0);
    expect((await t.database.db.selectFrom('imports').select('content').where('id', '=', waiting.id).executeTakeFirstOrThrow()).content).not.toBeNull();
    expect(await purgeAbandoned(t.database.db, new Date(Date.now() + (ABANDONED_AFTER_DAYS + 1) * 86_400_000))).toBeGreaterThanOrEqual(1);
    const purged = await t.database.db.selectFrom('imports').select(['status', 'content']).where('id', '=', waiting.id).executeTakeFirstOrThrow();
    expect(purged).toEqual({ status: 'failed', content: null });
  });

  it('two apply requests at once: one is refused plainly, one job applies, and the import ends applied', async () => {
    const education = sources[1]!;
    const csv = extracts[1]!.csv;
    const { id, counts } = await dryRunFile(t.database.db, education, 'double.csv', csv);
    const actor = {
      userId: (await t.database.db.selectFrom('users').select('id').where('email', '=', FINANCE).executeTakeFirstOrThrow()).id,
      organisationId: null,
      roles: ['test'],
    };
    const { requestApply } = await import('../src/capabilities/linkage/imports/service.js');
    const tries = await Promise.allSettled(
      [0, 1].map(() => t.database.db.transaction().execute((tx) => requestApply(tx, t.jobs, id, actor, (counts.invalid ?? 0) > 0))),
    );
    expect(tries.filter((x) => x.status === 'fulfilled').length).toBe(1);
    const refused = tries.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ValidationError);
    expect((refused.reason as ValidationError).errors[0]!.text).toBe('This file is already being applied, or has been applied');
    await t.jobs.runPending();
    expect((await t.database.db.selectFrom('imports').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('applied');
    // A second job for the same import (as if queued twice) changes nothing and never marks it failed.
    const before = await photograph(t.database.db);
    await expect(applyImport(t.database.db, id, ACTOR)).rejects.toThrow(/not waiting to be applied/);
    expect((await t.database.db.selectFrom('imports').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('applied');
    expect(await photograph(t.database.db)).toEqual(before);
    // An import nobody asked to apply is not applied by a stray job.
    const other = await dryRunFile(t.database.db, education, 'stray.csv', csv);
    await expect(applyImport(t.database.db, other.id, ACTOR)).rejects.toThrow(/not waiting to be applied/);
    expect((await t.database.db.selectFrom('imports').select('status').where('id', '=', other.id).executeTakeFirstOrThrow()).status).toBe('checked');
  });

  it('a data officer adds an agency source with its column mapping, and is told what is missing', async () => {
    const c = new Client(t.app);
    await c.signIn(FINANCE);
    await c.get(paths.imports.newSource);
    const empty = await c.post(paths.imports.newSource, {});
    expect(empty.status).toBe(400);
    const said = text(empty.body);
    for (const m of [
      'Enter the match probability at which records link, from 1 to 100',
      'Enter the source’s name',
      'Select the kind of agency',
      'Enter the column holding the agency’s record id',
      'Enter the column holding the given name',
      'Enter the column holding the date of birth',
    ])
      expect(said).toContain(m);
    const form = {
      name: 'Fictional Provider extract',
      matchThreshold: '95',
      reviewLower: '40',
      kind: 'provider',
      recordIdColumn: 'Ref',
      birthDateFormat: 'DD/MM/YYYY',
      'column-given_name': 'First',
      'column-family_name': 'Last',
      'column-birth_date': 'Born',
      'column-postcode': 'PC',
    };
    expect((await c.post(paths.imports.newSource, form)).status).toBe(303);
    const saved = await t.database.db
      .selectFrom('import_sources')
      .select(['id', 'mapping', 'birth_date_format', 'match_threshold', 'review_lower'])
      .where('name', '=', form.name)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(saved.mapping)).toEqual({ given_name: 'First', family_name: 'Last', birth_date: 'Born', postcode: 'PC' });
    expect([saved.match_threshold, saved.review_lower]).toEqual([0.95, 0.4]);
    await c.get(paths.imports.newSource);
    expect(text((await c.post(paths.imports.newSource, form)).body)).toContain('A source with this name already exists');
    // Changing it: the page shows the saved mapping, and a stale form is refused.
    const page = await c.get(paths.imports.source(saved.id));
    expect(page.body).toContain('value="Born"');
    expect((await c.post(paths.imports.source(saved.id), { ...form, version: '1', 'column-town': 'Town' })).status).toBe(303);
    await c.get(paths.imports.source(saved.id));
    expect((await c.post(paths.imports.source(saved.id), { ...form, version: '1' })).status).toBe(409);
  });

  it('only someone who manages organisations may set a source’s organisation; an apply lists the involvements it creates', async () => {
    const db = t.database.db;
    const org = await db.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).orderBy('name').executeTakeFirstOrThrow();
    const form = {
      name: 'Fictional Clinic extract',
      organisationId: org.id,
      matchThreshold: '95',
      reviewLower: '40',
      kind: 'provider',
      recordIdColumn: 'Ref',
      birthDateFormat: 'DD/MM/YYYY',
      'column-given_name': 'First',
      'column-family_name': 'Last',
      'column-birth_date': 'Born',
    };
    const officer = new Client(t.app);
    await officer.signIn(FINANCE);
    const blank = await officer.get(paths.imports.newSource);
    expect(blank.body).not.toContain('name="organisationId"');
    expect(text(blank.body)).toContain('Only a partnership administrator can set or change it');
    expect((await officer.post(paths.imports.newSource, form)).status).toBe(303);
    const saved = await db.selectFrom('import_sources').select(['id', 'organisation_id', 'version']).where('name', '=', form.name).executeTakeFirstOrThrow();
    expect(saved.organisation_id).toBeNull();
    // An administrator sets it; the officer's later change keeps it whatever the form says.
    const admin = new Client(t.app);
    await admin.signIn('admin@demoshire.example.org');
    expect((await admin.get(paths.imports.source(saved.id))).body).toContain('name="organisationId"');
    expect((await admin.post(paths.imports.source(saved.id), { ...form, version: String(saved.version) })).status).toBe(303);
    expect((await db.selectFrom('import_sources').select('organisation_id').where('id', '=', saved.id).executeTakeFirstOrThrow()).organisation_id).toBe(org.id);
    const page = await officer.get(paths.imports.source(saved.id));
    expect(text(page.body)).toContain(org.name);
    expect((await officer.post(paths.imports.source(saved.id), { ...form, organisationId: '', version: String(saved.version + 1) })).status).toBe(303);
    expect((await db.selectFrom('import_sources').select('organisation_id').where('id', '=', saved.id).executeTakeFirstOrThrow()).organisation_id).toBe(org.id);

    const source = (await sourceByName(db, form.name))!;
    const { id } = await importFile(db, source, 'clinic.csv', 'Ref,First,Last,Born\r\nCL1,Fictionalia,Clinictest,01/02/2016\r\n');
    const audit = await db
      .selectFrom('audit_log')
      .select(['id', 'details'])
      .where('action', '=', 'imports.apply')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    const made = await db
      .selectFrom('involvements')
      .select(['id', 'child_id'])
      .where('organisation_id', '=', org.id)
      .where('service', 'like', 'Known to Fictional Clinic extract%')
      .execute();
    expect(made.length).toBe(1);
    expect((JSON.parse(audit.details) as { involvements: string[] }).involvements).toEqual(made.map((m) => String(m.id)));
    expect(audit.details).not.toContain('clinic.csv');
    const linked = await db.selectFrom('audit_children').select('child_id').where('audit_id', '=', audit.id).execute();
    expect(linked.map((l) => l.child_id)).toEqual([made[0]!.child_id]);
  });

  it('people without the permission are refused, and the refusal is audited', async () => {
    const c = new Client(t.app);
    await c.signIn('caseworker@demoshire.example.org');
    for (const url of [paths.imports.home, paths.imports.newSource, paths.matching.queue, paths.matching.merges]) expect((await c.get(url)).status).toBe(403);
    const denied = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'result'])
      .where('action', '=', 'imports.home')
      .where('result', '=', 'denied')
      .execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it('the report CSV neutralises spreadsheet formulas', async () => {
    const id = await createImport(
      t.database.db,
      health,
      { name: 'formula.csv', bytes: bytesOf('rid,first,surname,dob,gender,nhs,pc\r\n"=HYPERLINK(""x"")",A,B,20150101,F,,\r\n') },
      null,
    );
    await dryRun(t.database.db, id);
    const csv = await reportCsv(t.database.db, id);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
