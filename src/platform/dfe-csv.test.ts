// The DfE reader against the real published file (../shared/reference/ehcp-statistics) and against
// the faults a real file can carry: a marker is never a zero, a bad cell names its line and column.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DfeFileProblem, periodLabel, readDfeCsv } from './dfe-csv.js';

// Beside the project, or (in a helper's worktree elsewhere) at the machine's shared folder.
const DATA = [join(import.meta.dirname, '../../..'), '/work']
  .map((root) => join(root, 'shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data'))
  .find((d) => existsSync(d))!;

describe('readDfeCsv on the published caseload file', () => {
  const rows = readDfeCsv(readFileSync(join(DATA, 'caseload.csv'), 'utf8'), ['ehcplans']);
  const all = rows.filter((r) => r.breakdownTopic === 'All EHC plans');

  it('reads the national series the DfE publishes', () => {
    const national = all.filter((r) => r.geographicLevel === 'National').map((r) => [r.timePeriod, r.cell('EHCPLANS').value]);
    expect(national.sort((a, b) => a[0]! - b[0]!)).toEqual([
      [201819, 353995],
      [201920, 390109],
      [202021, 430697],
      [202122, 473255],
      [202223, 517048],
      [202324, 576474],
      [202425, 638745],
    ]);
    expect(national).toHaveLength(7);
  });

  it('has local-authority rows for 2024/25 that sum to the national figure', () => {
    const las = all.filter((r) => r.geographicLevel === 'Local authority' && r.timePeriod === 202425);
    expect(las).toHaveLength(153);
    expect(las.every((r) => /^\d{3}$/.test(r.laCode ?? '') && /^E\d{8}$/.test(r.onsCode ?? ''))).toBe(true);
    expect(las.reduce((s, r) => s + (r.cell('ehcplans').value ?? 0), 0)).toBe(638745);
  });

  it('keeps the x marker as a marker, not a zero', () => {
    const marked = rows.flatMap((r) => {
      const c = r.cell('ehcplans');
      return c.marker ? [c] : [];
    });
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((c) => c.value === null)).toBe(true);
  });
});

describe('readDfeCsv refuses what it cannot read, saying where', () => {
  const head = 'time_period,geographic_level,old_la_code,breakdown_topic,breakdown,ehcplans\n';
  it('reads c, z and low as markers', () => {
    const rows = readDfeCsv(`${head}202425,Local authority,301,All,All,c\n202425,Local authority,302,All,All,z\n202425,National,,All,All,LOW\n`);
    expect(rows.map((r) => r.cell('ehcplans').marker)).toEqual(['c', 'z', 'low']);
  });
  it('refuses a word that is neither a number nor a marker', () => {
    expect(() => readDfeCsv(`${head}202425,National,,All,All,many\n`).map((r) => r.cell('ehcplans'))).toThrow(
      /Line 2: "ehcplans" is "many", which is neither a number nor a DfE marker/,
    );
  });
  it('refuses an empty cell rather than read it as zero', () => {
    expect(() => readDfeCsv(`${head}202425,National,,All,All,\n`)[0]!.cell('ehcplans')).toThrow(/Line 2: "ehcplans" is empty/);
  });
  it('refuses a file without a column the caller needs', () => {
    expect(() => readDfeCsv(head, ['number_asd'])).toThrow(new DfeFileProblem('The file has no "number_asd" column. Is it the right DfE file?'));
  });
  it('refuses a time period that is not a year', () => {
    expect(() => readDfeCsv(`${head}2024-25,National,,All,All,1\n`)).toThrow(/Line 2: the time period "2024-25"/);
  });
  it('labels academic and calendar years', () => {
    expect([periodLabel(202425), periodLabel(2024)]).toEqual(['2024/25', '2024']);
  });
});
