// Small charts in plain SVG (no library): horizontal stacked bars and grouped
// bars, with a legend and the numbers as tooltips. The pages show the same
// numbers as a table too.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

function legend(items) {
  return h('div', { class: 'chart-legend' }, items.map((x) => h('span', { class: 'chart-legend-item', dataset: { key: x.key } },
    h('span', { class: 'chart-swatch', style: { background: x.color }, 'aria-hidden': 'true' }), h('span', { text: x.label }))));
}

const DEFAULT_W = 760;

/** A rough width of a label in px (CJK wide, the rest narrow) for 12px text. */
function textWidth(str) {
  let w = 0;
  for (const ch of String(str)) w += /[\u2e80-\uffff]/.test(ch) ? 12 : 7;
  return w;
}

/**
 * Horizontal stacked bars: rows [{label, parts: [{key, label, value, color}]}].
 * Segments wide enough carry their value; each row ends with its total.
 */
export function stackedBarChart({ rows, series, title, unit = '', width = DEFAULT_W }) {
  const W = width;
  const LABEL_W = Math.min(150, Math.max(60, ...rows.map((r) => textWidth(r.label) + 14)));
  const rowH = 30;
  const barH = 18;
  const top = 6;
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, p) => a + p.value, 0)));
  const plotW = W - LABEL_W - 50;
  const height = top + rows.length * rowH + 22;
  const svg = s('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': title || '' });
  // Grid lines at quarters.
  for (let i = 0; i <= 4; i++) {
    const x = LABEL_W + (plotW * i) / 4;
    svg.append(s('line', { x1: x, x2: x, y1: top - 2, y2: top + rows.length * rowH, class: 'chart-grid' }));
    svg.append(s('text', { x, y: height - 6, class: 'chart-axis', 'text-anchor': 'middle', text: String(Math.round((max * i) / 4)) }));
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + (rowH - barH) / 2;
    svg.append(s('text', { x: LABEL_W - 8, y: y + barH / 2 + 4, class: 'chart-label', 'text-anchor': 'end', text: r.label }));
    let x = LABEL_W;
    let total = 0;
    const g = s('g', { class: 'chart-row', 'data-row': r.key ?? r.label });
    for (const p of r.parts) {
      if (!p.value) continue;
      const w = (plotW * p.value) / max;
      g.append(s('rect', { x, y, width: Math.max(w, 1), height: barH, fill: p.color, 'data-key': p.key, 'data-value': p.value },
        s('title', { text: `${r.label} · ${p.label}：${p.value}${unit}` })));
      if (w >= textWidth(p.value) + 6) {
        g.append(s('text', { x: x + w / 2, y: y + barH / 2 + 4, class: ['chart-in', p.dark ? 'dark' : ''].join(' '), 'text-anchor': 'middle', text: String(p.value) }));
      }
      x += w;
      total += p.value;
    }
    g.append(s('text', { x: x + 6, y: y + barH / 2 + 4, class: 'chart-total', text: String(total) }));
    svg.append(g);
  });
  return h('figure', { class: 'chart' }, legend(series), svg);
}

/**
 * Horizontal grouped bars: rows [{label, bars: [{key, label, value, text, color}]}],
 * one thin bar per series, each labelled with its text.
 */
export function barChart({ rows, title, width = DEFAULT_W }) {
  const W = width;
  const LABEL_W = Math.min(150, Math.max(60, ...rows.map((r) => textWidth(r.label) + 14)));
  const n = Math.max(1, ...rows.map((r) => r.bars.length));
  const barH = 14;
  const gap = 4;
  const rowH = n * (barH + gap) + 14;
  const top = 6;
  const max = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.value)));
  const plotW = W - LABEL_W - 210;
  const height = top + rows.length * rowH;
  const svg = s('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': title || '' });
  rows.forEach((r, i) => {
    const y0 = top + i * rowH + 4;
    svg.append(s('text', { x: LABEL_W - 8, y: y0 + (n * (barH + gap)) / 2 + 2, class: 'chart-label', 'text-anchor': 'end', text: r.label }));
    const g = s('g', { class: 'chart-row', 'data-row': r.label });
    r.bars.forEach((b, k) => {
      const y = y0 + k * (barH + gap);
      const w = (plotW * b.value) / max;
      g.append(s('rect', { x: LABEL_W, y, width: Math.max(w, 1), height: barH, rx: 2, fill: b.color, 'data-key': b.key },
        s('title', { text: `${r.label} · ${b.label}：${b.text ?? b.value}` })));
      g.append(s('text', { x: LABEL_W + w + 6, y: y + barH - 3, class: 'chart-value', text: b.text ?? String(b.value) }));
    });
    svg.append(g);
  });
  const series = rows.length ? rows[0].bars.map((b) => ({ key: b.key, label: b.label, color: b.color })) : [];
  return h('figure', { class: 'chart' }, legend(series), svg);
}
