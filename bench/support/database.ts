// What the database benchmarks share: one-off queries, seeding the demo area with the real
// command (as an operator would), and the versions of what was measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectPath, projectRoot } from '../../src/platform/paths-on-disk.js';

export const versionOf = (pkg: string) => (JSON.parse(readFileSync(projectPath('node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** One query on its own connection. */
export async function queryOn<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

/**
 * `jointly seed-demo --children N` from the build, on an empty database: the demo area and N
 * fictional children. Resolves with the time it took; `onLine` sees each line it prints.
 */
export function seedDemoChildren(databaseUrl: string, children: number, onLine: (line: string) => void = () => undefined): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jointly-bench-seed-'));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: databaseUrl, JOINTLY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [projectPath('dist', 'src', 'cli', 'jointly.js'), 'seed-demo', '--children', String(children)], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const line of d.split('\n')) if (line.trim()) onLine(line.trim());
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      if (code === 0 && out.includes(`Added ${children.toLocaleString('en-GB')} fictional children`)) resolve(performance.now() - started);
      else reject(new Error(`jointly seed-demo --children ${children} exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}
