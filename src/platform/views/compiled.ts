// Templates compiled at build time: `npm run build` (jointly prepare) compiles every Nunjucks
// template the app can render (its own and govuk-frontend's) to JavaScript, into one file beside
// the built views module; the built app loads them from there instead of reading and compiling
// each template on its first use. Running from the TypeScript source (tests, `npm run dev`) has
// no such file and reads the templates themselves, so an edited template shows at once.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { projectPath } from '../paths-on-disk.js';

/** Where templates are looked up, in order (the first folder holding a name wins). */
export const VIEW_ROOTS = [projectPath('src/platform/views/templates'), projectPath('src/capabilities'), projectPath('node_modules/govuk-frontend/dist')];

/** The options every environment is made with: the compiled code depends on them. */
export const ENVIRONMENT_OPTIONS = { autoescape: true, throwOnUndefined: false } as const;

const here = dirname(fileURLToPath(import.meta.url));
/** Only the built app (dist/) has compiled templates. */
const built = here.split(sep).includes('dist');
export const compiledViewsFile = () => (built ? join(here, 'compiled-views.json') : null);

function templatesUnder(root: string, dir = root): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return templatesUnder(root, path);
    return e.name.endsWith('.njk') ? [path] : [];
  });
}

/** Every template, by the name the app renders or includes it under, compiled to JavaScript. */
export function compileViews(): Record<string, string> {
  const env = new nunjucks.Environment([], ENVIRONMENT_OPTIONS);
  const out: Record<string, string> = {};
  for (const root of VIEW_ROOTS) {
    for (const path of templatesUnder(root)) {
      const name = relative(root, path).split(sep).join('/');
      if (name in out) continue;
      // The wrapper is given a list of the templates compiled (one here), whatever @types/nunjucks says.
      const wrapper = (templates: unknown) => (templates as { template: string }[])[0]!.template;
      out[name] = nunjucks.precompileString(readFileSync(path, 'utf8'), { name, env, wrapper });
    }
  }
  return out;
}

/** Compiles every template into the built app's file (jointly prepare). Answers the file, or null when not built. */
export function writeCompiledViews(): string | null {
  const file = compiledViewsFile();
  if (!file) return null;
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(compileViews()));
  renameSync(partial, file);
  return file;
}

/** The built app's compiled templates, or null (running from source, or not built yet). */
export function readCompiledViews(): Record<string, string> | null {
  const file = compiledViewsFile();
  if (!file || !existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}
