// Building grid (#/grid/{building_id}): floors × flats like the sales
// office's board, each flat coloured by its state, with room and owner. A
// click opens the flat's card: 认购 for a free flat, its contract, the
// owner's 360, the unit record.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { enumField } from './meta.js';
import { can } from './session.js';
import { loading, errorState, tagColor, toast, tag } from './ui.js';
import { contractOfUnit } from './contracts_list.js';

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
        'aria-haspopup': 'dialog', 'aria-expanded': 'false',
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

  // ---- the flat's card -----------------------------------------------------------
  let pop = null;
  function closePop(refocus) {
    if (!pop) return;
    const { el, cell } = pop;
    pop = null;
    el.remove();
    cell.classList.remove('open');
    cell.setAttribute('aria-expanded', 'false');
    document.removeEventListener('mousedown', outside, true);
    if (refocus) cell.focus();
  }
  function outside(e) {
    if (pop && !pop.el.contains(e.target) && !pop.cell.contains(e.target)) closePop(false);
  }

  function openUnit(u, cell) {
    if (pop && pop.cell === cell) { closePop(true); return; }
    closePop(false);
    const free = u.status === 'unsold';
    const acts = h('div', { class: 'unit-pop-actions' });
    const btn = (key, text, primary, run) => {
      const b = h('button', { type: 'button', class: ['btn', 'btn-sm', primary && 'btn-primary'], text, dataset: { action: key } });
      b.addEventListener('click', () => run(b));
      acts.append(b);
      return b;
    };
    if (free && can('contract.write')) btn('subscribe', t('grid.subscribe'), true, () => router.go(router.page('contract', 'new', { unit: u.id })));
    if (!free && can('contract.read')) {
      btn('open-contract', t('grid.contract'), true, async (b) => {
        b.disabled = true;
        try {
          const c = await contractOfUnit(u.id);
          if (c) router.go(router.page('contract', c.id));
          else { toast(t('grid.no_contract'), 'info'); b.disabled = false; }
        } catch (err) {
          toast(err.message, 'error', 5000);
          b.disabled = false;
        }
      });
    }
    if (u.owner_name && can('customer.read')) {
      btn('open-360', t('grid.owner_360'), !acts.childElementCount, async (b) => {
        b.disabled = true;
        try {
          const owner = u.owner_id || await ownerIdOf(u);
          router.go(owner ? router.page('360', owner) : router.href('view', 'units', u.id));
        } catch (err) {
          if (err.status === 403) router.go(router.href('view', 'units', u.id));
          else { toast(err.message, 'error', 5000); b.disabled = false; }
        }
      });
    }
    btn('open-unit', t('grid.unit_record'), !acts.childElementCount, () => router.go(router.href('view', 'units', u.id)));
    const facts = [
      [t('c360.layout'), u.layout],
      [t('c360.area'), u.contract_area_dm2 !== null && u.contract_area_dm2 !== undefined ? fmt.area(u.contract_area_dm2) : null],
      [t('c360.price'), u.list_price_fen !== null && u.list_price_fen !== undefined ? fmt.money(u.list_price_fen) : null],
      [t('grid.owner'), u.owner_name],
    ].filter((x) => x[1]);
    const el = h('div', { class: 'unit-pop', role: 'dialog', 'aria-label': u.room_code, dataset: { id: u.id } },
      h('div', { class: 'unit-pop-head' },
        h('span', { class: 'unit-pop-room', text: u.room_code || u.room }),
        tag(labelOf(u.status), colorOf(u.status))),
      h('dl', { class: 'unit-pop-facts' }, facts.map(([k, v]) => h('div', null, h('dt', { text: k }), h('dd', { text: v })))),
      acts);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closePop(true); }
    });
    const wrap = cell.closest('.grid-wrap');
    wrap.append(el);
    // Below the flat, or above when it would leave the board.
    const wr = wrap.getBoundingClientRect();
    const cr = cell.getBoundingClientRect();
    let left = cr.left - wr.left + wrap.scrollLeft;
    let top = cr.bottom - wr.top + wrap.scrollTop + 4;
    const pw = el.offsetWidth;
    const ph = el.offsetHeight;
    if (left + pw > wrap.scrollLeft + wrap.clientWidth - 4) left = Math.max(wrap.scrollLeft + 4, cr.right - wr.left + wrap.scrollLeft - pw);
    if (cr.bottom + ph + 8 > wr.bottom && cr.top - ph - 8 > wr.top) top = cr.top - wr.top + wrap.scrollTop - ph - 4;
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
    pop = { el, cell };
    cell.classList.add('open');
    cell.setAttribute('aria-expanded', 'true');
    document.addEventListener('mousedown', outside, true);
    const first = acts.querySelector('button');
    if (first) first.focus();
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
