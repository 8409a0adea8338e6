// The backtest on the real DfE caseload (../shared/reference/ehcp-statistics): the cohort model must
// beat both baselines, the command prints exactly the agreed JSON, and nothing after 2021/22 is fitted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDfeCsv } from '../src/platform/dfe-csv.js';
import { backtest, backtestFiles, defaultDataDir } from '../src/capabilities/planning/forecast/index.js';

// Beside the project, or (in a helper's worktree elsewhere) at the machine's shared folder.
const DATA = [defaultDataDir(), '/work/shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data'].find((d) => existsSync(d))!;

describe('forecast backtest on the DfE caseload', () => {
  it('beats the last value and the linear trend over every local authority with the full series', async () => {
    const { result, areas } = await backtestFiles(DATA);
    expect(result.local_authorities).toBe(areas.length);
    expect(result.local_authorities).toBeGreaterThan(140);
    expect(result.median_mape.model).toBeLessThan(result.median_mape.last_value);
    expect(result.median_mape.model).toBeLessThan(result.median_mape.linear_trend);
  });

  it('never lets 2022/23 or later into the fit: changing those years changes the answers, not the predictions', () => {
    const caseload = readDfeCsv(readFileSync(join(DATA, 'caseload.csv'), 'utf8'), ['ehcplans']);
    const timeliness = readDfeCsv(readFileSync(join(DATA, 'timeliness_20_week.csv'), 'utf8'), ['plans_issued_den']);
    const doubled = caseload.map((r) =>
      r.timePeriod >= 202223
        ? {
            ...r,
            cell: (c: string) => {
              const v = r.cell(c);
              return v.value === null ? v : { value: v.value * 2, marker: null };
            },
          }
        : r,
    );
    const later = timeliness.map((r) => (r.timePeriod >= 2022 ? { ...r, cell: () => ({ value: 999_999, marker: null }) } : r));
    const a = backtest(caseload, timeliness);
    const b = backtest(doubled, later);
    expect(b.areas.map((x) => x.model)).toEqual(a.areas.map((x) => x.model));
    expect(b.areas.map((x) => x.actual)).toEqual(a.areas.map((x) => x.actual.map((v) => v * 2)));
  });

  it('prints exactly {"local_authorities": N, "median_mape": {...}} from the command', () => {
    const out = execFileSync('npx', ['tsx', 'src/cli/jointly.ts', 'forecast-backtest', '--json', '--data', DATA], { encoding: 'utf8' });
    const json = JSON.parse(out) as unknown;
    expect(Object.keys(json as object)).toEqual(['local_authorities', 'median_mape']);
    const r = json as { local_authorities: number; median_mape: Record<string, number> };
    expect(Number.isInteger(r.local_authorities)).toBe(true);
    expect(Object.keys(r.median_mape)).toEqual(['model', 'last_value', 'linear_trend']);
    expect(Object.values(r.median_mape).every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
  });

  it('names the missing file and the --data option when the folder is wrong', async () => {
    await expect(backtestFiles('/nonexistent')).rejects.toThrow(
      'There is no caseload.csv in /nonexistent. Give the folder of the DfE EHC plan statistics with --data.',
    );
  });
});
