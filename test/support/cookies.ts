// What a test client keeps from each response, as a browser would: the cookies set (an empty or
// expired one removes it) and the CSRF token of the last form the page held.

/** Applies Set-Cookie headers to the jar; answers the page's CSRF token, if it has a form. */
export function absorbResponse(cookies: Map<string, string>, setCookies: readonly string[], body: string): string | undefined {
  for (const c of setCookies) {
    const [pair, ...attrs] = c.split(';');
    const i = pair!.indexOf('=');
    const name = pair!.slice(0, i).trim();
    const value = pair!.slice(i + 1).trim();
    const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim()) || /max-age=0\b/i.test(a.trim()));
    if (!value || expired) cookies.delete(name);
    else cookies.set(name, value);
  }
  return /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
}
