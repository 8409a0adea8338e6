// The `trim` filter must give exactly what Nunjucks' own gives, only faster.
import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { createViews, trimFilter } from './views.js';
import { compileViews } from './compiled.js';
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

describe('templates compiled at build time', () => {
  it('compiles every template, and pages render from them exactly as from the files', () => {
    const compiled = compileViews();
    expect(Object.keys(compiled)).toEqual(expect.arrayContaining(['layout.njk', 'record/children/views/record.njk', 'govuk/components/input/template.njk']));
    const fromFiles = createViews({ compiled: null });
    const fromCode = createViews({ compiled });
    const child = { id: '00000000-0000-4000-8000-000000000001', given_name: 'Ada', family_name: 'Example <b>' };
    const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
    const pages: [string, Record<string, unknown>][] = [
      ['error.njk', { pageTitle: 'Page not found', title: 'Page not found', paragraphs: ['If you typed the web address, check it is correct.'] }],
      [
        'record/children/views/record.njk',
        {
          pageTitle: 'Ada Example',
          child,
          name: 'Ada Example <b>',
          rows: { about: [row('Name', 'Ada <i>')], identifiers: [row('NHS number', '943 476 5919')], needs: [], register: [] },
          criteria: [{ description: 'Needs help every day', assessed: 'Someone, 1 January 2026' }],
          canEdit: true,
          registered: true,
          provenance: { sources: [], fields: [], merges: [] },
          referrals: [{ reference: 'R-1', href: null, received: '1 January 2026', status: 'Received', decision: null }],
          referHref: '/referrals/new',
        },
      ],
    ];
    for (const [template, data] of pages) {
      const html = fromCode(template, data);
      expect(html.length).toBeGreaterThan(500);
      expect(html).toBe(fromFiles(template, data));
    }
    expect(fromCode('record/children/views/record.njk', pages[1]![1])).toContain('Ada Example &lt;b&gt;');
  });
});
