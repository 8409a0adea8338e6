// Nunjucks with the GOV.UK Design System. Autoescape is on: user text goes through `text`, never `html`.
import nunjucks from 'nunjucks';
import { projectPath } from '../paths-on-disk.js';
import { paths } from '../../paths.js';

export type Render = (template: string, context: Record<string, unknown>) => string;

/**
 * The `trim` filter. Nunjucks' own, str.replace(/^\s*|\s*$/g, ''), takes time in the square of
 * each run of spaces, and the GOV.UK macros trim every label, hint and error message they draw:
 * on the search page it was about 40% of the app's processor time (bench/register.ts). A
 * string's own trim() removes exactly the same characters (\s and trim() both mean WhiteSpace
 * and LineTerminator) in linear time; what was marked safe stays safe, as in Nunjucks. Anything
 * else goes to Nunjucks' filter, as before.
 */
export function trimFilter(s: unknown, nunjucksTrim: (s: unknown) => unknown): unknown {
  if (s instanceof nunjucks.runtime.SafeString) return new nunjucks.runtime.SafeString(String(s).trim());
  if (typeof s === 'string') return s.trim();
  return nunjucksTrim(s);
}

export function createViews(opts: { watch?: boolean } = {}): Render {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [projectPath('src/platform/views/templates'), projectPath('src/capabilities'), projectPath('node_modules/govuk-frontend/dist')],
      { watch: opts.watch ?? false, noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false },
  );
  env.addGlobal('paths', paths);
  const nunjucksTrim = env.getFilter('trim');
  env.addFilter('trim', (s: unknown) => trimFilter(s, nunjucksTrim));
  // Error message for one field, for the govuk macros' errorMessage parameter.
  env.addGlobal('fieldError', (errors: { href: string; text: string }[] | undefined, field: string) => {
    const e = errors?.find((x) => x.href === `#${field}`);
    return e ? { text: e.text } : undefined;
  });
  env.addFilter('dateTime', (d: Date | string | null | undefined) =>
    d ? new Date(d).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' }) : '',
  );
  env.addFilter('date', (d: Date | string | null | undefined) =>
    d ? new Date(d).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' }) : '',
  );
  return (template, context) => env.render(template, context);
}
