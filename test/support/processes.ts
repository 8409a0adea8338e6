// Real app processes for tests of several processes behind a load balancer: each is
// `node --import tsx src/main.ts` on its own port, as `npm run dev` runs it, and a small HTTP
// client that keeps cookies and the CSRF token, talks to any of them, and can come from another
// loopback address (the rate limits count per client address).
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { projectRoot } from '../../src/platform/paths-on-disk.js';
import { freePort } from './postgres-cluster.js';
import { absorbResponse } from './cookies.js';

export interface AppProcess {
  url: string;
  pid: number;
  /** What it has written so far (the end of it). */
  output(): string;
  stop(): Promise<void>;
  /** Ends it at once (SIGKILL), whatever it is doing, as a crash would. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts the app with `env` (on top of PATH and HOME only) and waits until /health/ready answers 200. */
export async function startAppProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      running.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`The app ${exited} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The app was not ready within ${timeoutMs} ms:\n${output}`);
    }
    const ready = await httpRequest({ url: `${url}/health/ready`, method: 'GET', headers: {} }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(killer);
    },
  };
}

export interface HttpResponse {
  status: number;
  body: string;
  location: string | undefined;
  setCookies: string[];
}

function httpRequest(opts: { url: string; method: string; headers: Record<string, string>; body?: string; localAddress?: string }): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(opts.url, { method: opts.method, headers: opts.headers, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const set = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location, setCookies: set });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A browser-like client over real HTTP: one cookie jar and CSRF token, whichever process it asks. */
export class HttpClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  /** `from`: the loopback address to connect from (127.0.0.1 unless given). */
  constructor(private readonly from?: string) {}

  private absorb(res: HttpResponse) {
    this.csrf = absorbResponse(this.cookies, res.setCookies, res.body) ?? this.csrf;
    return res;
  }

  private headers(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  async get(base: string, path: string): Promise<HttpResponse> {
    return this.absorb(await httpRequest({ url: base + path, method: 'GET', headers: this.headers(), ...(this.from ? { localAddress: this.from } : {}) }));
  }

  async post(base: string, path: string, form: Record<string, string>): Promise<HttpResponse> {
    const params = new URLSearchParams(this.csrf ? { _csrf: this.csrf, ...form } : form);
    return this.absorb(
      await httpRequest({
        url: base + path,
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        ...(this.from ? { localAddress: this.from } : {}),
      }),
    );
  }
}
