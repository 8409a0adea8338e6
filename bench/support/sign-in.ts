// Signs in over real HTTP, as a browser would, and returns the Cookie header for later requests.
import { paths } from '../../src/paths.js';

export const BENCH_ACCOUNT = { email: 'admin@demoshire.example.org', password: 'demo-password-only' };

function cookiesFrom(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const i = pair.indexOf('=');
    if (i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  return jar;
}

/** `family`: a family account, whose home is its own family's page (/my-family), not the staff home. */
export async function signIn(baseUrl: string, account = BENCH_ACCOUNT, kind: 'staff' | 'family' = 'staff'): Promise<string> {
  const page = await fetch(`${baseUrl}${paths.signIn}`, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${paths.signIn} answered ${page.status}, expected 200`);
  const csrfCookie = cookiesFrom(page).get('jointly_csrf');
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrfCookie || !token) throw new Error('The sign-in page did not give a jointly_csrf cookie and a _csrf field');

  const res = await fetch(`${baseUrl}${paths.signIn}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `jointly_csrf=${csrfCookie}` },
    body: new URLSearchParams({ email: account.email, password: account.password, _csrf: token }).toString(),
  });
  await res.arrayBuffer();
  const session = cookiesFrom(res).get('jointly_session');
  if (res.status !== 303 || !session) throw new Error(`Signing in answered ${res.status} without a session (expected 303 and a jointly_session cookie)`);
  if (res.headers.get('location') !== paths.home) throw new Error(`Signing in sent us to ${res.headers.get('location')}, not the home page`);
  const cookie = `jointly_csrf=${csrfCookie}; jointly_session=${session}`;

  // The page under load must be the signed-in home page, not a redirect or the sign-in form.
  const [homePath, mark] = kind === 'family' ? [paths.myFamily.home, 'Your family'] : [paths.home, 'Your roles:'];
  const home = await fetch(`${baseUrl}${homePath}`, { redirect: 'manual', headers: { cookie } });
  const body = await home.text();
  if (home.status !== 200 || !body.includes(mark)) throw new Error(`The signed-in home page (${homePath}) answered ${home.status} without "${mark}"`);
  return cookie;
}
