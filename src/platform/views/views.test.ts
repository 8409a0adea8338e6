// The `trim` filter must give exactly what Nunjucks' own gives, only faster.
import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { createViews, trimFilter } from './views.js';
import { projectPath } from '../paths-on-disk.js';

const nunjucksTrim = new nunjucks.Environment().getFilter('trim') as (s: unknown) => unknown;

const samples = [
  '',
  ' ',
  '   \n\t  ',
  'Jointly',
  '  Jointly  ',
  '\n    <label class="govuk-label" for="name">\n      Name\n    </label>\n\n\n  ',
  `<div>${' '.repeat(500)}</div>${' '.repeat(300)}`,
  '\u00a0\u2003 non-breaking and em spaces \u3000\ufeff',
  '\u2028 line and paragraph separators \u2029',
  '\v\f vertical tab and form feed \r\n',
  'inner   spaces   stay',
];

describe('the trim filter', () => {
  it('removes the same characters as Nunjucks’ trim', () => {
    for (const s of samples) expect(trimFilter(s, nunjucksTrim)).toBe(nunjucksTrim(s));
  });

  it('keeps what was marked safe marked safe, and plain text plain', () => {
    const safe = trimFilter(new nunjucks.runtime.SafeString('  <b>bold</b>  '), nunjucksTrim);
    expect(safe).toBeInstanceOf(nunjucks.runtime.SafeString);
    expect(String(safe)).toBe('<b>bold</b>');
    expect(trimFilter('  <b>bold</b>  ', nunjucksTrim)).toBe('<b>bold</b>');
  });

  it('leaves anything else to Nunjucks', () => {
    expect(() => trimFilter(undefined, nunjucksTrim)).toThrow();
    expect(() => nunjucksTrim(undefined)).toThrow();
  });

  it('is the filter pages use, and GOV.UK macros render exactly as with Nunjucks’ own', () => {
    const render = createViews();
    const reference = new nunjucks.Environment(new nunjucks.FileSystemLoader(projectPath('node_modules/govuk-frontend/dist')), { autoescape: true });
    const params = {
      id: 'name',
      name: 'name',
      label: { text: '  Name  ' },
      hint: { html: '  Any of <b>their</b> names  ' },
      errorMessage: { text: 'Enter at least 2 letters of the name' },
    };
    const html = render('govuk/components/input/template.njk', { params });
    expect(html).toContain('Any of <b>their</b> names');
    expect(html).toBe(reference.render('govuk/components/input/template.njk', { params }));
  });
});
