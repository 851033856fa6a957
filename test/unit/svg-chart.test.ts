// The bench's SVG line chart (bench/lib/svg-chart.ts): tick choice, scales, escaping, and a drawn
// chart that holds what it was given (one line per series, a legend entry each, no NaN anywhere).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  drawable,
  escapeXml,
  formatTick,
  lineChart,
  linearTicks,
  logTicks,
  project,
} from '../../bench/lib/svg-chart.js';

test('linear ticks are 1, 2 or 5 × 10^k steps that cover the range', () => {
  assert.deepEqual(linearTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(linearTicks(0, 37), [0, 10, 20, 30, 40]);
  assert.deepEqual(linearTicks(0, 0.3, 3), [0, 0.1, 0.2, 0.3]);
  const t = linearTicks(3, 997);
  assert.ok(t[0]! <= 3 && t[t.length - 1]! >= 997);
  // a flat series still gets an axis with room around its value
  const flat = linearTicks(5, 5);
  assert.ok(flat[0]! < 5 && flat[flat.length - 1]! > 5);
  assert.deepEqual(linearTicks(NaN, 1), []);
});

test('log ticks are powers of ten, with 2 and 5 between over a short range', () => {
  assert.deepEqual(logTicks(10, 10_000), [10, 100, 1000, 10_000]);
  assert.deepEqual(logTicks(3, 40), [2, 5, 10, 20, 50]);
  assert.deepEqual(logTicks(0.4, 7), [0.2, 0.5, 1, 2, 5, 10]);
  assert.deepEqual(logTicks(0, 10), []);
});

test('tick labels are short', () => {
  assert.equal(formatTick(10_000), '10k');
  assert.equal(formatTick(1500), '1.5k');
  assert.equal(formatTick(2_000_000), '2M');
  assert.equal(formatTick(0.5), '0.5');
  assert.equal(formatTick(200), '200');
});

test('projection onto an axis, linear and logarithmic', () => {
  assert.equal(project(5, 0, 10, 'linear'), 0.5);
  assert.equal(project(100, 10, 1000, 'log'), 0.5);
  assert.equal(project(3, 3, 3, 'linear'), 0.5);
  assert.equal(drawable({ x: 1, y: 0 }, 'linear', 'log'), false);
  assert.equal(drawable({ x: 1, y: NaN }, 'linear', 'linear'), false);
  assert.equal(drawable({ x: 1, y: 0 }, 'linear', 'linear'), true);
});

test('text is escaped', () => {
  assert.equal(escapeXml(`<a & "b">'`), '&lt;a &amp; &quot;b&quot;&gt;&apos;');
});

test('a chart has one line and one legend entry per series, and skips undrawable points', () => {
  const svg = lineChart({
    title: 'latency <p99>',
    xLabel: 'offered rate',
    yLabel: 'ms',
    xScale: 'linear',
    yScale: 'log',
    targets: [{ y: 10, label: 'target ≤ 10 ms' }],
    series: [
      {
        name: 'chatd IRC',
        points: [
          { x: 50, y: 3 },
          { x: 100, y: 5 },
          { x: 200, y: 40 },
        ],
      },
      {
        name: 'long-poll',
        dashed: true,
        points: [
          { x: 50, y: 8 },
          { x: 100, y: NaN },
          { x: 200, y: 0 },
          { x: 400, y: 900 },
        ],
      },
      { name: 'ngIRCd', points: [] },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.equal(svg.match(/stroke-dasharray="6 4"/g)?.length, 2); // the dashed line and its legend
  assert.match(svg, /latency &lt;p99&gt;/);
  assert.match(svg, /ngIRCd \(no data\)/);
  assert.match(svg, /target ≤ 10 ms/);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  // 3 + 2 drawable points
  assert.equal(svg.match(/<circle/g)?.length, 5);
});

test('a chart without data says so and still draws', () => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] });
  assert.match(svg, />no data</);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
});
