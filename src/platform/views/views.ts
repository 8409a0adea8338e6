// Nunjucks with the GOV.UK Design System. Autoescape is on: user text goes through `text`, never `html`.
import nunjucks from 'nunjucks';
import { projectPath } from '../paths-on-disk.js';
import { paths } from '../../paths.js';

export type Render = (template: string, context: Record<string, unknown>) => string;

export function createViews(opts: { watch?: boolean } = {}): Render {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [projectPath('src/platform/views/templates'), projectPath('src/capabilities'), projectPath('node_modules/govuk-frontend/dist')],
      { watch: opts.watch ?? false, noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false },
  );
  env.addGlobal('paths', paths);
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
