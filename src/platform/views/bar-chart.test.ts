// The shared horizontal bar chart: safe text, honest bar lengths, and an accessible name.
import { describe, expect, it } from 'vitest';
import { escapeXml, horizontalBarChartSvg, shortenLabel } from './bar-chart.js';

const rects = (svg: string) => [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));

describe('horizontalBarChartSvg', () => {
  it('escapes markup in the title, description, labels and texts', () => {
    const svg = horizontalBarChartSvg({
      id: 'c',
      title: 'Spend <b>& more</b>',
      description: 'Says "hello" & \'bye\'',
      rows: [{ label: '<script>alert(1)</script>', value: 3, text: '<img src=x onerror=alert(1)>' }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('<title id="c-title">Spend &lt;b&gt;&amp; more&lt;/b&gt;</title>');
    expect(svg).toContain('<desc id="c-desc">Says &quot;hello&quot; &amp; &#39;bye&#39;</desc>');
  });

  it('draws no bar for a row with no figure, but still writes its label and text', () => {
    const svg = horizontalBarChartSvg({
      id: 'c',
      title: 'T',
      description: 'D',
      rows: [
        { label: 'Shown', value: 10, text: '10' },
        { label: 'Withheld', value: null, text: 'not shown' },
      ],
    });
    expect(rects(svg)).toHaveLength(1);
    expect(svg).toContain('>Withheld</text>');
    expect(svg).toContain('>not shown</text>');
  });

  it('draws no bar for zero or negative values', () => {
    const svg = horizontalBarChartSvg({
      id: 'c',
      title: 'T',
      description: 'D',
      rows: [
        { label: 'Zero', value: 0, text: '0' },
        { label: 'Minus', value: -5, text: '-5' },
      ],
    });
    expect(rects(svg)).toEqual([]);
  });

  it('makes bar lengths proportional to the values, the largest filling barMax', () => {
    const svg = horizontalBarChartSvg({
      id: 'c',
      title: 'T',
      description: 'D',
      barMax: 300,
      rows: [
        { label: 'A', value: 100, text: '100' },
        { label: 'B', value: 50, text: '50' },
        { label: 'C', value: 25, text: '25' },
        { label: 'D', value: null, text: '–' },
      ],
    });
    expect(rects(svg)).toEqual([300, 150, 75]);
  });

  it('gives a tiny positive value a visible bar', () => {
    const svg = horizontalBarChartSvg({
      id: 'c',
      title: 'T',
      description: 'D',
      rows: [
        { label: 'Big', value: 1_000_000, text: 'big' },
        { label: 'Tiny', value: 1, text: 'tiny' },
      ],
    });
    expect(rects(svg)).toEqual([340, 1]);
  });

  it('is an image named by its title and described by its desc', () => {
    const svg = horizontalBarChartSvg({ id: 'chart-x', title: 'Title', description: 'Description', rows: [] });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toMatch(/^<svg [^>]*aria-labelledby="chart-x-title chart-x-desc"/);
    expect(svg).toContain('<title id="chart-x-title">Title</title>');
    expect(svg).toContain('<desc id="chart-x-desc">Description</desc>');
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('sizes the viewBox from the width and the number of rows', () => {
    const rows = [1, 2, 3].map((v) => ({ label: `Row ${v}`, value: v, text: `${v}` }));
    expect(horizontalBarChartSvg({ id: 'c', title: 'T', description: 'D', rows })).toContain('viewBox="0 0 720 94"');
    expect(horizontalBarChartSvg({ id: 'c', title: 'T', description: 'D', rows, width: 740 })).toContain('viewBox="0 0 740 94"');
  });

  it('cuts long labels to labelMax characters with an ellipsis', () => {
    const label = 'A partner with a rather long name indeed';
    const svg = horizontalBarChartSvg({ id: 'c', title: 'T', description: 'D', labelMax: 20, rows: [{ label, value: 1, text: '1' }] });
    expect(svg).toContain(`>${shortenLabel(label, 20)}</text>`);
    expect(shortenLabel(label, 20)).toBe('A partner with a ra…');
    expect(shortenLabel(label, 20)).toHaveLength(20);
  });
});

describe('shortenLabel', () => {
  it('leaves short labels alone and drops a trailing space before the ellipsis', () => {
    expect(shortenLabel('Short', 10)).toBe('Short');
    expect(shortenLabel('Exactly 10', 10)).toBe('Exactly 10');
    expect(shortenLabel('Cut here now', 5)).toBe('Cut…');
  });
});

describe('escapeXml', () => {
  it('escapes the five XML special characters and nothing else', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jo'</a> £5`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt; £5');
  });
});
