// Nunjucks with the GOV.UK Design System. Autoescape is on: user text goes through `text`, never `html`.
import { posix } from 'node:path';
import nunjucks from 'nunjucks';
import { paths } from '../../paths.js';
import { ENVIRONMENT_OPTIONS, readCompiledViews, VIEW_ROOTS } from './compiled.js';

const DATE_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' });

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

/** A loader of templates compiled ahead of time (compiled.ts), each turned into code on first use. */
class CompiledLoader extends nunjucks.Loader {
  constructor(private readonly code: Record<string, string>) {
    super();
  }
  getSource(name: string) {
    const code = this.code[name];
    if (code === undefined) return null as unknown as nunjucks.LoaderSource;
    // The code nunjucks itself would make from the template and run the same way.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function(code) as () => unknown;
    const obj = make();
    return { src: { type: 'code', obj }, path: name, noCache: false } as unknown as nunjucks.LoaderSource;
  }
  /** A relative name ("../../macros/attributes.njk", as govuk-frontend's macros use) from the name of the template using it. */
  override resolve(from: string, to: string): string {
    return posix.normalize(posix.join(posix.dirname(from), to));
  }
}

/**
 * The views. `compiled`: templates compiled at build time (compiled.ts); by default the built
 * app's, when it has them. Any template not among them is read from its file.
 */
export function createViews(opts: { watch?: boolean; compiled?: Record<string, string> | null } = {}): Render {
  const compiled = opts.watch ? null : opts.compiled === undefined ? readCompiledViews() : opts.compiled;
  const files = new nunjucks.FileSystemLoader(VIEW_ROOTS, { watch: opts.watch ?? false, noCache: false });
  const env = new nunjucks.Environment(compiled ? [new CompiledLoader(compiled), files] : files, { ...ENVIRONMENT_OPTIONS });
  env.addGlobal('paths', paths);
  const nunjucksTrim = env.getFilter('trim');
  env.addFilter('trim', (s: unknown) => trimFilter(s, nunjucksTrim));
  // Error message for one field, for the govuk macros' errorMessage parameter.
  env.addGlobal('fieldError', (errors: { href: string; text: string }[] | undefined, field: string) => {
    const e = errors?.find((x) => x.href === `#${field}`);
    return e ? { text: e.text } : undefined;
  });
  // Formatters made once: toLocaleString with options makes a new one on every call.
  env.addFilter('dateTime', (d: Date | string | null | undefined) => (d ? DATE_TIME.format(new Date(d)) : ''));
  env.addFilter('date', (d: Date | string | null | undefined) => (d ? DATE.format(new Date(d)) : ''));
  return (template, context) => env.render(template, context);
}
