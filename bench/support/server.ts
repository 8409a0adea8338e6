// Runs the built app (node dist/src/main.js) as a child process, the way it runs for real,
// and answers the questions benchmarks ask of it: when was it ready, how much memory does it hold.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath, projectRoot } from '../../src/platform/paths-on-disk.js';
import { freePort } from '../../test/support/postgres-cluster.js';
import { paths } from '../../src/paths.js';

/** Compiles src/ to dist/ so the benchmark measures the code as it is now. */
export function build(): void {
  const r = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Server {
  pid: number;
  url: string;
  dataDir: string;
  /** Milliseconds from spawning the process to /health/ready first answering 200. */
  readyAfterMs: number;
  /** Resident memory now (VmRSS) and at its peak (VmHWM), in MiB, from /proc/<pid>/status. */
  memory(): { rssMb: number; peakRssMb: number };
  /** CPU time (user + system) the server process has used so far, in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartOptions {
  databaseUrl?: string;
  /** How often to ask /health/ready while waiting. */
  pollMs?: number;
  timeoutMs?: number;
}

/** Starts the app on a fresh, empty data folder and waits until /health/ready answers 200. */
export async function startServer(opts: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'jointly-bench-data-'));
  // A clean environment, so nothing from the caller's shell (a DATABASE_URL, say) leaks in.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PORT: String(port),
    JOINTLY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;

  const started = performance.now();
  const child = spawn(process.execPath, [projectPath('dist', 'src', 'main.js')], { cwd: projectRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      running.delete(child);
      resolve();
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  const pollMs = opts.pollMs ?? 20;
  const deadline = started + (opts.timeoutMs ?? 60_000);
  let readyAfterMs: number | undefined;
  while (readyAfterMs === undefined) {
    if (exited) throw new Error(`The app ${exited} before it was ready:\n${stderr}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The app was not ready within ${opts.timeoutMs ?? 60_000} ms:\n${stderr}`);
    }
    if ((await statusOf(`${url}${paths.health.ready}`)) === 200) readyAfterMs = performance.now() - started;
    else await new Promise((r) => setTimeout(r, pollMs));
  }

  const pid = child.pid!;
  return {
    pid,
    url,
    dataDir,
    readyAfterMs,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
    },
    cpuSeconds() {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which is in brackets and may contain spaces: utime and stime are the 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks();
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let ticks: number | undefined;
function clockTicks(): number {
  ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks;
}

/** One GET without keep-alive; the status code, or 0 when nothing answered. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
