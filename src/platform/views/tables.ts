// Narrow screens (WCAG 1.4.10, reflow at 320 CSS pixels): a wide table scrolls sideways inside
// its own region instead of making the whole page scroll. Done once here, for every page's
// tables, rather than in each of the many templates: each table is wrapped in a region named by
// its caption (every table has one), which keyboard users can focus and scroll.

const TABLE = /<table\b[^>]*>[\s\S]*?<\/table>/g;
const CAPTION = /<caption\b[^>]*>([\s\S]*?)<\/caption>/;

/** The page with each table inside a focusable, labelled region that scrolls sideways when it must. */
export function scrollableTables(html: string): string {
  if (!html.includes('<table')) return html;
  return html.replace(TABLE, (table) => {
    const caption = CAPTION.exec(table)?.[1] ?? '';
    // The caption is already escaped HTML; tags are dropped and quotes kept out of the attribute.
    const label =
      caption
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/"/g, '&quot;') || 'Table';
    return `<div class="jointly-table-scroll" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
  });
}
