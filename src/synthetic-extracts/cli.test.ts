// `jointly synth-extracts` writes what it says: one file per agency with the counts it prints,
// a truth file covering every record once, and a config.json that `jointly link` can read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath, projectRoot } from '../platform/paths-on-disk.js';
import { splitCsvLine } from './csv.js';
import { evaluateFiles } from './service.js';

const dir = mkdtempSync(join(tmpdir(), 'jointly-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jointly = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', projectPath('src/cli/jointly.ts'), ...args], { cwd: projectRoot, encoding: 'utf8' });
const readCsv = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map(splitCsvLine);

describe('jointly synth-extracts', () => {
  const run = jointly('synth-extracts', '--people', '400', '--out', dir, '--seed', '5');

  it('writes each extract, with the record counts it prints, and truth for every record exactly once', () => {
    expect(run.status, run.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      mode: string;
      sources: { name: string; file: string; id: string; birth_date_format: string; columns: Record<string, string | string[]> }[];
    };
    expect(config.mode).toBe('dedupe');
    expect(config.sources.map((s) => s.name)).toEqual(['health', 'education', 'social_care', 'provider']);
    const truth = readCsv(join(dir, 'truth.csv'));
    expect(truth[0]).toEqual(['source', 'record_id', 'person_id']);
    const truthKeys = truth.slice(1).map(([s, id]) => `${s}/${id}`);
    expect(new Set(truthKeys).size).toBe(truthKeys.length);
    const recordKeys: string[] = [];
    let total = 0;
    for (const s of config.sources) {
      const [header, ...rows] = readCsv(join(dir, s.file));
      // Every mapped column is in the file's header.
      for (const col of [s.id, ...Object.values(s.columns).flat()]) expect(header).toContain(col);
      const at = header!.indexOf(s.id);
      for (const row of rows) {
        expect(row.length).toBe(header!.length);
        recordKeys.push(`${s.name}/${row[at]}`);
      }
      expect(run.stdout).toMatch(new RegExp(`${s.file}\\s+${rows.length.toLocaleString('en-GB')} records`));
      total += rows.length;
    }
    expect(new Set(recordKeys).size).toBe(recordKeys.length);
    expect([...recordKeys].sort()).toEqual([...truthKeys].sort());
    expect(run.stdout).toMatch(new RegExp(`total\\s+${total.toLocaleString('en-GB')} records`));
    expect(new Set(truth.slice(1).map((r) => r[2])).size).toBe(400);
  });

  it('scores the truth itself as perfect and every-record-alone as no recall', async () => {
    // truth.csv has person_id, not cluster_id: the evaluator says which column is missing.
    await expect(evaluateFiles(join(dir, 'truth.csv'), join(dir, 'truth.csv'))).rejects.toThrow(/no column cluster_id/);
    const rows = readCsv(join(dir, 'truth.csv')).slice(1);
    writeFileSync(join(dir, 'same.csv'), `source,record_id,cluster_id\n${rows.map(([s, id, p]) => `${s},${id},c-${p}`).join('\n')}\n`);
    writeFileSync(join(dir, 'alone.csv'), `source,record_id,cluster_id\n${rows.map(([s, id], i) => `${s},${id},${i}`).join('\n')}\n`);
    expect(await evaluateFiles(join(dir, 'truth.csv'), join(dir, 'same.csv'))).toMatchObject({ precision: 1, recall: 1, f1: 1, missing: 0 });
    expect(await evaluateFiles(join(dir, 'truth.csv'), join(dir, 'alone.csv'))).toMatchObject({ precision: 1, recall: 0, predictedPairs: 0 });
  });

  it('writes byte-for-byte the same files for the same seed', () => {
    const again = join(dir, 'again');
    expect(jointly('synth-extracts', '--people', '400', '--out', again, '--seed', '5').status).toBe(0);
    for (const file of ['health.csv', 'education.csv', 'social_care.csv', 'provider.csv', 'truth.csv', 'config.json'])
      expect(readFileSync(join(again, file), 'utf8'), file).toBe(readFileSync(join(dir, file), 'utf8'));
  });

  it('refuses a size that is not a whole number, and writes nothing', () => {
    const out = join(dir, 'refused');
    const bad = jointly('synth-extracts', '--people', 'ten', '--out', out);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--people: give a whole number/);
    expect(existsSync(out)).toBe(false);
  });
});
