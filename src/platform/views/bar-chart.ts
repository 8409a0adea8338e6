// One server-drawn horizontal bar chart for every report that needs one: an accessible SVG string
// (role="img", named by its title and described by its desc), never a canvas, so it works without
// JavaScript and the table beside it stays the source of truth. Pure.

/** Escapes text for SVG/XML content and attribute values. */
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Cuts a label to at most `max` characters, ending in an ellipsis when cut. */
export const shortenLabel = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

/** One bar: `value` null draws no bar (a withheld or missing figure); `text` is written beside it either way. */
export interface BarRow {
  label: string;
  value: number | null;
  text: string;
}

export interface BarChartOptions {
  /** Prefix of the title and desc element ids (so several charts can share a page). */
  id: string;
  title: string;
  description: string;
  rows: readonly BarRow[];
  /** Room for the row labels, right-aligned against the bars. */
  labelWidth?: number;
  /** Length of the longest bar. */
  barMax?: number;
  /** viewBox width; the chart scales to its container. */
  width?: number;
  /** Longer labels are cut to this many characters. */
  labelMax?: number;
}

const ROW_HEIGHT = 26;

/** Horizontal bars, one a row, each labelled with its text; bars scale to the largest value, and zero or negative values draw none. */
export function horizontalBarChartSvg({ id, title, description, rows, labelWidth = 250, barMax = 340, width = 720, labelMax = 32 }: BarChartOptions): string {
  const barX = labelWidth + 10;
  const height = 8 + rows.length * ROW_HEIGHT + 8;
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="jointly-chart" role="img" width="100%" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="${id}-title ${id}-desc" font-family="arial, sans-serif" font-size="14">`,
    `<title id="${id}-title">${escapeXml(title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(description)}</desc>`,
  ];
  rows.forEach((r, i) => {
    const y = 8 + i * ROW_HEIGHT;
    parts.push(`<text x="${labelWidth}" y="${y + 17}" text-anchor="end" fill="#0b0c0c">${escapeXml(shortenLabel(r.label, labelMax))}</text>`);
    const len = r.value === null || r.value <= 0 ? 0 : Math.max(1, Math.round((barMax * r.value) / max));
    if (len) parts.push(`<rect x="${barX}" y="${y + 4}" width="${len}" height="${ROW_HEIGHT - 8}" fill="#1d70b8"/>`);
    parts.push(`<text x="${barX + len + 6}" y="${y + 17}" font-size="12" fill="#0b0c0c">${escapeXml(r.text)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
