// The forecast's chart: an inline SVG line per scenario (children each year), drawn beside the
// table that holds the same figures. Text is escaped; patterns as well as colours tell lines apart.
import type { ScenarioFigures } from './rules.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const DASHES = ['', '8 4', '2 4', '12 4 2 4'];
const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92'];

export function forecastChartSvg(scenarios: readonly ScenarioFigures[]): string {
  const width = 640;
  const height = 300;
  const left = 70;
  const right = 20;
  const top = 20;
  const bottom = 40;
  const years = scenarios[0]?.years ?? [];
  if (years.length === 0) return '';
  const values = scenarios.flatMap((s) => s.years.flatMap((y) => [y.low, y.high, y.children]));
  const max = Math.max(1, ...values);
  const min = Math.max(0, Math.min(...values) * 0.9);
  const x = (i: number) => left + (years.length === 1 ? 0 : (i * (width - left - right)) / (years.length - 1));
  const y = (v: number) => top + (height - top - bottom) * (1 - (v - min) / (max - min || 1));
  const axis = years.map((yr, i) => `<text x="${x(i)}" y="${height - 15}" text-anchor="middle" font-size="13">${esc(yr.label)}</text>`).join('');
  const ticks = [min, (min + max) / 2, max]
    .map((v) => `<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="13">${Math.round(v).toLocaleString('en-GB')}</text>`)
    .join('');
  const lines = scenarios
    .map((s, si) => {
      const pts = s.years.map((yr, i) => `${x(i)},${y(yr.children)}`).join(' ');
      const colour = COLOURS[si % COLOURS.length]!;
      const dash = DASHES[si % DASHES.length]!;
      return `<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
    })
    .join('');
  const legend = scenarios
    .map((s, si) => {
      const ly = top + 16 * si;
      return `<line x1="${left + 10}" x2="${left + 40}" y1="${ly}" y2="${ly}" stroke="${COLOURS[si % COLOURS.length]!}" stroke-width="3"${DASHES[si % DASHES.length] ? ` stroke-dasharray="${DASHES[si % DASHES.length]!}"` : ''}/><text x="${left + 46}" y="${ly + 4}" font-size="13">${esc(s.name)}</text>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="chart-forecast-title chart-forecast-desc">` +
    `<title id="chart-forecast-title">Children and young people forecast, by scenario</title>` +
    `<desc id="chart-forecast-desc">Line chart of the central forecast of each scenario in the table that follows it, one line per scenario, for ${esc(years[0]!.label)} to ${esc(years.at(-1)!.label)}.</desc>` +
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="#0b0c0c"/><line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#0b0c0c"/>` +
    axis +
    ticks +
    lines +
    legend +
    `</svg>`
  );
}
