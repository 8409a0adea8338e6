import { describe, expect, it } from 'vitest';
import { scrollableTables } from './tables.js';

describe('scrollableTables', () => {
  it('wraps each table in a focusable region named by its caption', () => {
    const html =
      '<h2>A</h2><table class="govuk-table"><caption class="govuk-table__caption">Spend by <b>partner</b></caption><tr><td>1</td></tr></table>' +
      '<p>between</p><table><caption>Second &amp; last</caption><tr><td>2</td></tr></table>';
    const out = scrollableTables(html);
    expect(out).toBe(
      '<h2>A</h2><div class="jointly-table-scroll" role="region" aria-label="Spend by partner" tabindex="0"><table class="govuk-table"><caption class="govuk-table__caption">Spend by <b>partner</b></caption><tr><td>1</td></tr></table></div>' +
        '<p>between</p><div class="jointly-table-scroll" role="region" aria-label="Second &amp; last" tabindex="0"><table><caption>Second &amp; last</caption><tr><td>2</td></tr></table></div>',
    );
  });

  it('leaves a page without tables as it is, and keeps quotes out of the label', () => {
    expect(scrollableTables('<p>No tables</p>')).toBe('<p>No tables</p>');
    expect(scrollableTables('<table><caption>Say "yes"</caption></table>')).toContain('aria-label="Say &quot;yes&quot;"');
    expect(scrollableTables('<table><tr><td>x</td></tr></table>')).toContain('aria-label="Table"');
  });
});
