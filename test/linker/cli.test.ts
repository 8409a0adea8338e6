// `jointly link` end to end on small fictional extracts: the exact clusters, the pairs and
// stats files, and a clear one-line message with exit code 2 (and nothing written) for bad input.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath, projectRoot } from '../../src/platform/paths-on-disk.js';

const fixtures = projectPath('test/fixtures/linkage');
const dir = mkdtempSync(join(tmpdir(), 'jointly-link-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jointly = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', projectPath('src/cli/jointly.ts'), 'link', ...args], { cwd: projectRoot, encoding: 'utf8' });
const csv = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));

/** Groups of "source/id" that share a cluster, in a canonical order. */
function groups(rows: string[][]): string[][] {
  const by = new Map<string, string[]>();
  for (const [source, id, cluster] of rows) by.set(cluster!, [...(by.get(cluster!) ?? []), `${source}/${id}`]);
  return [...by.values()].map((g) => g.sort()).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
}

const EXPECTED = [
  ['health/H1', 'school/S1'], // exact
  ['health/H10', 'school/S10'],
  ['health/H11', 'school/S11'], // Theo / Theodore
  ['health/H12', 'school/S12'], // Ashcombe-Vale / Ashcombe
  ['health/H2', 'school/S2'], // Robert / Bob
  ['health/H3', 'school/S3'], // twins H3/H4 and S3/S4 kept apart
  ['health/H4', 'school/S4'],
  ['health/H5', 'school/S5'], // given and family names swapped
  ['health/H6', 'school/S6'], // Marrowby / Marrowbey
  ['health/H7', 'school/S7'], // 31/02/2016 is not a date: treated as missing
  ['health/H8'],
  ['health/H9', 'school/S9'], // day and month swapped
  ['school/S8'],
];

describe('jointly link on the fixture extracts', () => {
  for (const mode of ['link', 'dedupe'] as const) {
    it(`finds exactly the expected people (${mode} mode) and writes pairs and stats`, () => {
      const config = JSON.parse(readFileSync(join(fixtures, 'config.json'), 'utf8')) as { mode: string; sources: { file: string }[] };
      config.mode = mode;
      for (const s of config.sources) s.file = join(fixtures, s.file);
      const cfg = join(dir, `${mode}.json`);
      writeFileSync(cfg, JSON.stringify(config));
      const out = join(dir, `${mode}-clusters.csv`);
      const pairs = join(dir, `${mode}-pairs.csv`);
      const stats = join(dir, `${mode}-stats.json`);
      const run = jointly('--config', cfg, '--out', out, '--pairs', pairs, '--stats', stats);
      expect(run.status, run.stderr).toBe(0);
      const rows = csv(out);
      expect(rows[0]).toEqual(['source', 'record_id', 'cluster_id']);
      expect(rows.length - 1).toBe(24);
      expect(groups(rows.slice(1))).toEqual(EXPECTED);

      const p = csv(pairs);
      expect(p[0]).toEqual([
        'source_a',
        'record_id_a',
        'source_b',
        'record_id_b',
        'match_probability',
        'weight_given_name',
        'weight_family_name',
        'weight_birth_date',
        'weight_sex',
        'weight_location',
        'weight_identifier_nhs_number',
      ]);
      const robert = p.find((r) => r[1] === 'H2' && r[3] === 'S2')!;
      expect(Number(robert[4])).toBeGreaterThan(0.9);
      expect(Number(robert[5])).toBeGreaterThan(0); // Bob counts for Robert
      const grace = p.find((r) => r[1] === 'H7' && r[3] === 'S7')!;
      expect(Number(grace[7])).toBe(0); // a missing birth date weighs nothing

      const s = JSON.parse(readFileSync(stats, 'utf8')) as Record<string, unknown>;
      expect(s.records).toBe(24);
      expect(s.clusters).toBe(13);
      expect(s.pairs_written).toBe(p.length - 1);
      expect(s.comparisons).toBeGreaterThanOrEqual(s.pairs_written as number);
      expect(typeof s.wall_ms).toBe('number');
      expect(Object.keys(s.phases_ms as object)).toEqual(expect.arrayContaining(['read', 'blocking', 'compare', 'estimate', 'cluster', 'write']));
    });
  }
});

describe('jointly link refuses bad input with one clear line and exit code 2', () => {
  const health = readFileSync(join(fixtures, 'health.csv'));
  let k = 0;
  /** Runs with a one-source config over the given file content; returns stderr and checks nothing was written. */
  function refuse(
    content: Buffer | string,
    columns: Record<string, string> = { given_name: 'first', family_name: 'surname' },
    extra: Record<string, unknown> = {},
  ): string {
    k++;
    const file = join(dir, `bad-${k}.csv`);
    writeFileSync(file, content);
    const cfg = join(dir, `bad-${k}.json`);
    writeFileSync(cfg, JSON.stringify({ mode: 'dedupe', sources: [{ name: 'health', file: `bad-${k}.csv`, id: 'rid', columns }], ...extra }));
    const out = join(dir, `bad-${k}-clusters.csv`);
    const run = jointly('--config', cfg, '--out', out, '--pairs', `${out}.pairs`, '--stats', `${out}.stats`);
    expect(run.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.pairs`)).toBe(false);
    expect(existsSync(`${out}.stats`)).toBe(false);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it('a missing file', () => {
    k++;
    const cfg = join(dir, 'missing.json');
    writeFileSync(cfg, JSON.stringify({ mode: 'dedupe', sources: [{ name: 'h', file: 'nowhere.csv', id: 'rid', columns: { given_name: 'first' } }] }));
    const run = jointly('--config', cfg, '--out', join(dir, 'missing-out.csv'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/nowhere\.csv does not exist/);
    expect(existsSync(join(dir, 'missing-out.csv'))).toBe(false);
  });
  it('a missing config file', () => {
    const run = jointly('--config', join(dir, 'no-such-config.json'), '--out', join(dir, 'x.csv'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/config file .*no-such-config\.json does not exist/);
  });
  it('a mapped column that is not in the file', () => {
    expect(refuse(health, { given_name: 'forename' })).toMatch(/bad-\d+\.csv has no column "forename" \(mapped to given_name\); its columns are: "rid", "nhs"/);
  });
  it('a record id column that is not in the file', () => {
    expect(refuse('id,first\n1,Ada\n')).toMatch(/has no column "rid" \(the record id\)/);
  });
  it('duplicated record ids', () => {
    expect(refuse('rid,first,surname\nA1,Ada,Quillbury\nA2,Bea,Quillbury\nA1,Cal,Quillbury\n')).toMatch(/has the record id "A1" twice \(rows 2 and 4\)/);
  });
  it('an empty record id', () => {
    expect(refuse('rid,first,surname\nA1,Ada,Quillbury\n,Bea,Quillbury\n')).toMatch(/row 3 has no record id in column "rid"/);
  });
  it('an empty file, and a file with only a header', () => {
    expect(refuse('')).toMatch(/bad-\d+\.csv is empty/);
    expect(refuse('rid,first,surname\n')).toMatch(/has a header but no records/);
  });
  it('a spreadsheet instead of CSV', () => {
    expect(refuse(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]))).toMatch(/is a spreadsheet or zip file, not CSV/);
  });
  it('a file in another encoding', () => {
    expect(refuse(Buffer.concat([Buffer.from('rid,first,surname\nA1,Ada,Quillbury\nA2,Zo'), Buffer.from([0xeb]), Buffer.from(',Pemberfold\n')]))).toMatch(
      /is not UTF-8 text: row 3 has a character in another encoding/,
    );
    expect(refuse(Buffer.from('\ufeffrid,first\n', 'utf16le'))).toMatch(/UTF-16/);
  });
  it('malformed CSV', () => {
    expect(refuse('rid,first,surname\nA1,"Ada,Quillbury\n')).toMatch(/row 2 opens a quote that is never closed/);
    expect(refuse('rid,first,surname\nA1,Ada,Quillbury,extra\n')).toMatch(/row 2 has 4 fields but the header has 3 columns/);
  });
  it('a config that is not right', () => {
    expect(refuse(health, { first_name: 'first' })).toMatch(/"first_name" is not a role/);
    expect(refuse(health, { given_name: 'first' }, { mode: 'merge' })).toMatch(/not right at mode/);
    expect(
      refuse(
        health,
        { given_name: 'first', birth_date: 'dob' },
        { sources: [{ name: 'h', file: 'health.csv', id: 'rid', birth_date_format: 'YYYY/MM', columns: { birth_date: 'dob' } }] },
      ),
    ).toMatch(/not a date format/);
  });
  it('link mode with one source', () => {
    expect(refuse(health, { given_name: 'first' }, { mode: 'link' })).toMatch(/needs at least two sources/);
  });
  it('accepts BOM, CRLF, quoted fields and blank lines', () => {
    const file = join(dir, 'ok.csv');
    copyFileSync(join(fixtures, 'health.csv'), join(dir, 'health.csv'));
    writeFileSync(file, '\ufeffrid,first,surname\r\n"A1","Ada ""Addy""",Quillbury\r\n\r\nA2,Ada,"Quill\nbury"\r\n');
    const cfg = join(dir, 'ok.json');
    writeFileSync(
      cfg,
      JSON.stringify({ mode: 'dedupe', sources: [{ name: 'h', file: 'ok.csv', id: 'rid', columns: { given_name: 'first', family_name: 'surname' } }] }),
    );
    const run = jointly('--config', cfg, '--out', join(dir, 'ok-out.csv'));
    expect(run.status, run.stderr).toBe(0);
    expect(csv(join(dir, 'ok-out.csv')).map((r) => r[1])).toEqual(['record_id', 'A1', 'A2']);
  });
});
