import { describe, expect, test } from '@jest/globals';
import { chartSvg } from '../../../src/lib/io/chart.js';

/** The SVG charts of the HTML views (the pages themselves are checked in Chromium: test/commands/*browser.e2e). */

describe('the charts audit and bill add', () => {
  test('a count axis has whole-number gridlines (21 calls: 0, 6, 12, 18, 24)', () => {
    const svg = chartSvg({
      type: 'columns',
      title: 't',
      desc: 'd',
      unit: 'count',
      categories: ['a', 'b'],
      series: [{ name: 's', values: [21, 3] }],
    });
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '6', '12', '18', '24']);
  });

  test('a waterfall: start and end from zero, each step from the running total, signed values', () => {
    const svg = chartSvg({
      type: 'waterfall',
      title: 't',
      desc: 'd',
      unit: 'money',
      steps: [
        { label: 'estimated', value: 10, kind: 'start' },
        { label: 'up', value: 5, kind: 'step' },
        { label: 'down', value: -3, kind: 'step' },
        { label: 'billed', value: 12, kind: 'end' },
      ],
    });
    // Axis from 0 to 15 over 390 px from x=220: 26 px per dollar.
    const rects = [...svg.matchAll(/<rect class="(\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
      Number(m[3]),
    ]);
    expect(rects).toEqual([
      ['c0', 220, 260],
      ['up', 480, 130],
      ['down', 532, 78],
      ['c0', 220, 312],
    ]);
    expect(svg).toContain('+$5.00');
    expect(svg).toContain('−$3.00');
  });
});
