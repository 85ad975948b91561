// Building grid (#/grid/{building_id}): floors × flats like the sales
// office's board, each flat coloured by its state, with room and owner.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { enumField } from './meta.js';
import { loading, errorState, tagColor, toast } from './ui.js';

function naturalCmp(a, b) {
  return String(a).localeCompare(String(b), 'zh-CN', { numeric: true });
}

/** The flat's place on its floor: "1402" on floor 14 → "02". */
function flatOf(u) {
  const room = String(u.room ?? '');
  const fl = String(u.floor ?? '');
  if (fl && room.startsWith(fl) && room.length > fl.length) return room.slice(fl.length);
  return room || String(u.room_code || u.id);
}

/** Owner of a unit, by a room-code search (the grid rows carry only the name). */
async function ownerIdOf(u) {
  const r = await api.get('search', { q: u.room_code, limit: 10 });
  const hit = ((r && r.units) || []).find((x) => String(x.id) === String(u.id));
  return hit && hit.owner_id ? hit.owner_id : null;
}

export async function renderGrid(main, id, ctx) {
  replace(main, loading());
  let data;
  let statusF;
  try {
    [data, statusF] = await Promise.all([
      api.get(`buildings/${encodeURIComponent(id)}/grid`),
      enumField.ready('units', 'status'),
    ]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderGrid(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const b = data.building || {};
  const units = data.units || [];
  const bname = b.name || `#${id}`;
  ctx.setTitle(`${bname} - ${t('grid.crumb')}`);

  const options = statusF.options || [];
  const optOf = (v) => options.find((o) => String(o.value) === String(v)) || { value: v };
  const colorOf = (v) => tagColor(optOf(v));
  const labelOf = (v) => L(optOf(v), String(v ?? ''));

  // Columns: stairwell (单元) → flats; rows: floors, top floor first.
  const stairs = new Map(); // unit_no → Set(flat)
  const byCell = new Map(); // `${floor}|${unit_no}|${flat}` → unit
  let minF = Infinity;
  let maxF = -Infinity;
  for (const u of units) {
    const s = String(u.unit_no ?? '');
    const f = flatOf(u);
    if (!stairs.has(s)) stairs.set(s, new Set());
    stairs.get(s).add(f);
    byCell.set(`${u.floor}|${s}|${f}`, u);
    const fl = Number(u.floor);
    if (Number.isFinite(fl)) { minF = Math.min(minF, fl); maxF = Math.max(maxF, fl); }
  }
  const cols = [];
  for (const s of [...stairs.keys()].sort(naturalCmp)) {
    for (const f of [...stairs.get(s)].sort(naturalCmp)) cols.push({ stair: s, flat: f });
  }
  const floors = [];
  if (Number.isFinite(maxF)) {
    for (let fl = maxF; fl >= Math.min(minF, 1) && floors.length < 300; fl--) {
      if (fl === 0) continue; // no floor 0 in China: 1F, then B1
      floors.push(fl);
    }
  }

  // Counts per state, for the legend.
  const counts = new Map();
  for (const u of units) counts.set(u.status, (counts.get(u.status) || 0) + 1);
  let focusState = '';
  const legendItems = [];
  const legendStates = options.length ? options.map((o) => o.value) : [...counts.keys()];
  for (const v of [...counts.keys()]) if (!legendStates.includes(v)) legendStates.push(v);
  const legend = h('div', { class: 'grid-legend', role: 'group', 'aria-label': t('grid.legend') });
  for (const v of legendStates) {
    const btn = h('button', {
      type: 'button', class: ['legend-item', `st-${colorOf(v)}`], 'aria-pressed': 'false', dataset: { status: v },
      title: t('grid.legend_tip'),
    }, h('span', { class: 'legend-swatch', 'aria-hidden': 'true' }), h('span', { text: labelOf(v) }),
    h('span', { class: 'legend-count', text: String(counts.get(v) || 0) }));
    btn.addEventListener('click', () => {
      focusState = focusState === v ? '' : v;
      legendItems.forEach((x) => x.setAttribute('aria-pressed', String(x.dataset.status === focusState)));
      table.classList.toggle('focusing', !!focusState);
      for (const cell of table.querySelectorAll('.grid-cell')) cell.classList.toggle('dim', !!focusState && cell.dataset.status !== focusState);
    });
    legendItems.push(btn);
    legend.append(btn);
  }
  legend.append(h('span', { class: 'legend-total muted', text: t('grid.total', { n: units.length }) }));

  // The table.
  const thead = h('thead', null,
    h('tr', null, h('th', { class: 'grid-floor', rowspan: 2, scope: 'col', text: t('grid.floor') }),
      [...stairs.keys()].sort(naturalCmp).map((s) => h('th', { class: 'grid-stair', colspan: stairs.get(s).size, scope: 'colgroup', text: t('grid.stair', { n: s }) }))),
    h('tr', null, cols.map((c) => h('th', { class: 'grid-flat', scope: 'col', text: c.flat }))));
  const tbody = h('tbody');
  const cellGrid = []; // [row][col] → element (for arrow keys)
  floors.forEach((fl, r) => {
    const row = [];
    const tr = h('tr', { dataset: { floor: fl } }, h('th', { class: 'grid-floor', scope: 'row', text: fl < 0 ? `B${-fl}` : `${fl}F` }));
    cols.forEach((c, k) => {
      const u = byCell.get(`${fl}|${c.stair}|${c.flat}`);
      if (!u) {
        tr.append(h('td', { class: 'grid-void' }));
        row.push(null);
        return;
      }
      const color = colorOf(u.status);
      const tip = [
        u.room_code, labelOf(u.status), u.layout,
        u.contract_area_dm2 !== null && u.contract_area_dm2 !== undefined ? fmt.area(u.contract_area_dm2) : null,
        u.list_price_fen !== null && u.list_price_fen !== undefined ? fmt.money(u.list_price_fen) : null,
        u.owner_name ? t('search.owner', { name: u.owner_name }) : null,
      ].filter(Boolean).join(' · ');
      const cell = h('button', {
        type: 'button', class: ['grid-cell', `st-${color}`], title: tip, 'aria-label': tip,
        dataset: { id: u.id, status: u.status || '', room: u.room_code || '' }, tabindex: r === 0 && k === 0 ? 0 : -1,
      },
      h('span', { class: 'cell-room', text: u.room || u.room_code }),
      h('span', { class: 'cell-owner', text: u.owner_name || labelOf(u.status) }),
      u.contract_area_dm2 !== null && u.contract_area_dm2 !== undefined ? h('span', { class: 'cell-area', text: fmt.area(u.contract_area_dm2) }) : null);
      cell.addEventListener('click', () => openUnit(u, cell));
      cell.addEventListener('keydown', (e) => move(e, r, k));
      tr.append(h('td', null, cell));
      row.push(cell);
    });
    cellGrid.push(row);
    tbody.append(tr);
  });
  // Roving tabindex: the first real cell takes Tab.
  const firstCell = cellGrid.flat().find(Boolean);
  cellGrid.flat().forEach((x) => { if (x) x.tabIndex = x === firstCell ? 0 : -1; });

  function move(e, r, k) {
    const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    let rr = r + d[0];
    let kk = k + d[1];
    while (rr >= 0 && rr < cellGrid.length && kk >= 0 && kk < cols.length) {
      const el = cellGrid[rr][kk];
      if (el) {
        cellGrid.flat().forEach((x) => { if (x) x.tabIndex = -1; });
        el.tabIndex = 0;
        el.focus();
        return;
      }
      rr += d[0];
      kk += d[1];
    }
  }

  async function openUnit(u, cell) {
    if (cell.classList.contains('busy')) return;
    if (!u.owner_name) {
      router.go(router.href('view', 'units', u.id));
      return;
    }
    cell.classList.add('busy');
    try {
      const owner = await ownerIdOf(u);
      router.go(owner ? router.page('360', owner) : router.href('view', 'units', u.id));
    } catch (err) {
      if (err.status === 403) router.go(router.href('view', 'units', u.id));
      else toast(err.message, 'error', 5000);
    } finally {
      cell.classList.remove('busy');
    }
  }

  const table = h('table', { class: 'grid-table' }, thead, tbody);
  const board = units.length
    ? h('div', { class: 'grid-wrap' }, table)
    : h('div', { class: 'card empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }), h('div', { class: 'empty-text', text: t('grid.empty') }));

  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: router.href('view', 'buildings', b.id ?? id), text: `‹ ${bname}` }),
      h('h1', { class: 'page-title' },
        h('span', { class: 'record-title', text: [b.project_name, bname].filter(Boolean).join(' ') }),
        h('span', { class: 'muted title-sub', text: t('grid.crumb') }))),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.href('list', 'units', null, { building_id: b.id ?? id }), text: t('grid.as_list'), dataset: { action: 'units-list' } })));
  replace(main, h('div', { class: 'page page-grid', dataset: { id: b.id ?? id } },
    header,
    h('div', { class: 'grid-bar' }, legend, h('span', { class: 'muted small', text: t('grid.hint') })),
    board));
}
