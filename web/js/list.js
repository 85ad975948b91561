// Generic list page: filter bar, dense sortable table, column chooser,
// paging with total, 新建 and 导出Excel — all from entity metadata.
import { h, clear, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { getEntityMeta, refOptions } from './meta.js';
import { session, currentProject, can } from './session.js';
import { displayValue, fieldLabel, NUMERIC_TYPES, RANGE_TYPES } from './fields.js';
import { loading, errorState, toast, dropdown, setBusy } from './ui.js';
import { ENTITY_LINKS, LIST_ACTIONS, ROW_HREF, LIST_TOP } from './actions.js';

const PAGE_SIZE = 40;
const VISIBLE_FILTERS = 3;
const RESERVED = new Set(['q', 'sort', 'page', 'limit', 'offset', 'cursor']);

function colsKey(entity) {
  return `anjia.cols.${entity}`;
}

function defaultColumns(meta) {
  return meta.fields.filter((f) => f.list && f.type !== 'password').map((f) => f.name);
}

function loadColumns(meta) {
  try {
    const saved = JSON.parse(localStorage.getItem(colsKey(meta.name)) || 'null');
    if (Array.isArray(saved)) {
      const names = new Set(meta.fields.filter((f) => f.list).map((f) => f.name));
      const cols = saved.filter((n) => names.has(n));
      if (cols.length) return cols;
    }
  } catch { /* ignore */ }
  return defaultColumns(meta);
}

function saveColumns(meta, cols) {
  try { localStorage.setItem(colsKey(meta.name), JSON.stringify(cols)); } catch { /* ignore */ }
}

/** API params for the current address + project switcher (no paging). */
function filterParams(meta, query) {
  const p = new URLSearchParams();
  for (const [k, v] of query.entries()) {
    if (k === 'page' || v === '') continue;
    p.append(k, v);
  }
  if (projectFilterable(meta) && !p.has('project_id')) {
    const pid = currentProject();
    if (pid) p.set('project_id', pid);
  }
  return p;
}

/** The project switcher filters every list whose metadata says it takes ?project_id=. */
function projectFilterable(meta) {
  return !!meta.project_filter;
}

function hasFilters(query) {
  for (const [k, v] of query.entries()) {
    if (k !== 'sort' && k !== 'page' && v !== '') return true;
  }
  return false;
}

// ---- filter controls ------------------------------------------------------

/** Builds the control(s) for one filterable field; returns {el, read(), names}. */
function filterControl(f, query) {
  const label = fieldLabel(f);
  const id = `flt-${f.name}`;
  const item = (control) => h('div', { class: 'filter-item', dataset: { field: f.name } },
    h('label', { class: 'filter-label', for: id, text: label }), control);

  if (RANGE_TYPES.has(f.type)) {
    const fromKey = `${f.name}_from`;
    const toKey = `${f.name}_to`;
    const toInput = (apiVal, end) => {
      if (!apiVal) return '';
      if (f.type === 'money' || f.type === 'area') return fmt.hundredthsToInput(apiVal);
      if (f.type === 'datetime') return fmt.date(apiVal);
      return apiVal;
    };
    const mk = (key, ph, end) => {
      const attrs = { id: end ? `${id}-to` : id, name: key, placeholder: ph, 'aria-label': `${label} ${ph}` };
      if (f.type === 'date' || f.type === 'datetime') return h('input', { ...attrs, type: 'date', value: toInput(query.get(key), end) });
      return h('input', { ...attrs, type: 'text', inputmode: f.type === 'int' ? 'numeric' : 'decimal', autocomplete: 'off', value: toInput(query.get(key), end) });
    };
    const a = mk(fromKey, t('list.from'), false);
    const b = mk(toKey, t('list.to'), true);
    const conv = (input, end) => {
      const s = input.value.trim();
      if (!s) return '';
      if (f.type === 'money' || f.type === 'area') {
        const v = fmt.parseHundredths(s);
        return v === null ? undefined : v.toString();
      }
      if (f.type === 'int') return /^-?\d+$/.test(s.replace(/,/g, '')) ? s.replace(/,/g, '') : undefined;
      if (f.type === 'datetime') return fmt.dayBoundToUtc(s, end) || undefined;
      return fmt.isValidDate(s) ? s : undefined;
    };
    const el = item(h('div', { class: ['range', (f.type === 'date' || f.type === 'datetime') && 'range-date'] },
      f.type === 'money' ? h('span', { class: 'unit', text: '¥' }) : null,
      a, h('span', { class: 'range-sep', text: '~' }), b,
      f.type === 'area' ? h('span', { class: 'unit', text: 'm²' }) : null));
    return {
      el,
      names: [fromKey, toKey],
      read() {
        const out = {};
        const va = conv(a, false);
        const vb = conv(b, true);
        if (va === undefined) return { error: a };
        if (vb === undefined) return { error: b };
        out[fromKey] = va;
        out[toKey] = vb;
        return { values: out };
      },
    };
  }

  if (f.type === 'enum' || f.type === 'enums' || f.type === 'bool' || f.type === 'ref' || f.type === 'refs') {
    const sel = h('select', { id, name: f.name });
    const cur = query.get(f.name) || '';
    const fill = (opts) => {
      clear(sel);
      sel.append(h('option', { value: '', text: t('common.all') }));
      for (const o of opts) sel.append(h('option', { value: String(o.value), text: o.label }));
      if (cur && !opts.some((o) => String(o.value) === cur)) sel.append(h('option', { value: cur, text: `#${cur}` }));
      sel.value = cur;
    };
    if (f.type === 'enum' || f.type === 'enums') fill((f.options || []).map((o) => ({ value: o.value, label: L(o, String(o.value)) })));
    else if (f.type === 'bool') fill([{ value: 'true', label: t('common.yes') }, { value: 'false', label: t('common.no') }]);
    else {
      fill([]);
      refOptions(f.ref).then(fill, () => { /* keep 全部 + current */ });
    }
    return {
      el: item(sel),
      names: [f.name],
      read: () => ({ values: { [f.name]: sel.value } }),
    };
  }

  const input = h('input', { id, name: f.name, type: 'text', autocomplete: 'off', value: query.get(f.name) || '' });
  return {
    el: item(input),
    names: [f.name],
    read: () => ({ values: { [f.name]: input.value.trim() } }),
  };
}

/**
 * The filters shown without unfolding 更多筛选: those metadata marks common,
 * else the state first, then other choices (enum/ref/bool), then the rest —
 * free text is already covered by the keyword box. Kept in field order.
 */
function pickCommonFilters(meta, filterable) {
  if (filterable.some((f) => f.filter_common || f.common)) return filterable.filter((f) => f.filter_common || f.common);
  const rank = (f) => {
    if (f.type === 'enum' && (f.name === 'status' || f.name === 'state')) return 0;
    if (f.type === 'enum' || f.type === 'ref') return 1;
    if (f.type === 'bool' || f.type === 'enums') return 2;
    if (f.name === meta.title_field) return 3;
    if (RANGE_TYPES.has(f.type)) return 5;
    return 4;
  };
  const chosen = new Set(filterable.map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .slice(0, VISIBLE_FILTERS).map((x) => x.f));
  return filterable.filter((f) => chosen.has(f));
}

// ---- page -------------------------------------------------------------------

export async function renderList(main, entity, query, ctx) {
  replace(main, loading());
  let meta;
  try {
    meta = await getEntityMeta(entity);
  } catch (err) {
    replace(main, errorState(err, () => renderList(main, entity, query, ctx)));
    return;
  }
  const label = L(meta, entity);
  ctx.setTitle(label);

  let columns = loadColumns(meta);
  let abort = null;
  const filterable = meta.fields.filter((f) => f.filter && f.type !== 'password' && f.type !== 'json');
  const common = pickCommonFilters(meta, filterable);
  const more = filterable.filter((f) => !common.includes(f));

  // Header and actions.
  const actions = h('div', { class: 'page-actions' });
  const header = h('div', { class: 'page-head' }, h('h1', { class: 'page-title', text: label }), actions);

  // Column chooser.
  const colPanel = h('div', { class: 'col-chooser' });
  const colBtn = h('button', { class: 'btn', type: 'button', text: t('list.columns') });
  const colDrop = dropdown(colBtn, colPanel, { align: 'right' });
  function fillColPanel() {
    clear(colPanel);
    // Only list fields: the others (detail-only) are not in list replies.
    for (const f of meta.fields) {
      if (!f.list || f.type === 'password') continue;
      const cb = h('input', { type: 'checkbox', checked: columns.includes(f.name), value: f.name });
      cb.addEventListener('change', () => {
        const order = meta.fields.map((x) => x.name);
        const set = new Set(columns);
        if (cb.checked) set.add(f.name); else set.delete(f.name);
        if (set.size === 0) { cb.checked = true; return; }
        columns = order.filter((n) => set.has(n));
        saveColumns(meta, columns);
        renderTable();
      });
      colPanel.append(h('label', { class: 'check' }, cb, h('span', { text: fieldLabel(f) })));
    }
    colPanel.append(h('div', { class: 'col-chooser-foot' }, h('button', {
      class: 'btn btn-link', type: 'button', text: t('list.columns_default'),
      onclick: () => {
        columns = defaultColumns(meta);
        try { localStorage.removeItem(colsKey(meta.name)); } catch { /* ignore */ }
        fillColPanel();
        renderTable();
      },
    })));
  }
  fillColPanel();
  actions.append(colDrop);
  for (const a of LIST_ACTIONS[entity] || []) {
    if (a.perm && !can(a.perm)) continue;
    actions.append(h('button', {
      class: 'btn', type: 'button', text: a.label(), dataset: { action: a.key },
      onclick: () => a.run(meta, () => renderList(main, entity, query, ctx)),
    }));
  }

  if (meta.can_export) {
    const exportBtn = h('button', { class: 'btn', type: 'button', text: t('list.export'), dataset: { action: 'export' } });
    exportBtn.addEventListener('click', async () => {
      setBusy(exportBtn, true, t('list.exporting'));
      try {
        const r = await api.download(`${meta.path}/export.xlsx`, filterParams(meta, query), `${label}.xlsx`);
        toast(t('list.exported', { name: r.name }), 'success');
      } catch (err) {
        toast(err.message, 'error', 5000);
      } finally {
        setBusy(exportBtn, false);
      }
    });
    actions.append(exportBtn);
  }
  if (meta.can_create) {
    actions.append(h('a', { class: 'btn btn-primary', href: router.href('new', entity), text: `+ ${t('common.new')}`, dataset: { action: 'new' } }));
  }

  // Filter bar.
  const controls = [];
  const qInput = h('input', {
    id: 'flt-q', name: 'q', type: 'search', autocomplete: 'off', value: query.get('q') || '',
    placeholder: t('list.search_ph'), dataset: { search: '1' },
  });
  // Keyword box when the entity has searchable fields (older metadata without
  // the `search` flag: always).
  const searchable = meta.fields.some((f) => f.search) || !meta.fields.some((f) => 'search' in f);
  const commonRow = h('div', { class: 'filter-row' },
    searchable ? h('div', { class: 'filter-item filter-q' }, h('label', { class: 'filter-label', for: 'flt-q', text: t('list.search') }), qInput) : null);
  for (const f of common) {
    const c = filterControl(f, query);
    controls.push(c);
    commonRow.append(c.el);
  }
  const moreBox = h('div', { class: 'filter-row filter-more' });
  for (const f of more) {
    const c = filterControl(f, query);
    controls.push(c);
    moreBox.append(c.el);
  }
  const moreActive = more.some((f) => [f.name, `${f.name}_from`, `${f.name}_to`].some((k) => query.get(k)));
  moreBox.hidden = !moreActive;
  const moreBtn = more.length ? h('button', {
    class: 'btn btn-link', type: 'button', 'aria-expanded': String(moreActive),
    text: moreActive ? t('list.less') : t('list.more'),
    onclick: () => {
      moreBox.hidden = !moreBox.hidden;
      moreBtn.textContent = moreBox.hidden ? t('list.more') : t('list.less');
      moreBtn.setAttribute('aria-expanded', String(!moreBox.hidden));
    },
  }) : null;
  const resetBtn = h('button', { class: 'btn', type: 'button', text: t('list.reset') });
  commonRow.append(h('div', { class: 'filter-buttons' },
    h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }), resetBtn, moreBtn));
  const projectHint = h('div', { class: 'filter-hint' });
  const filterForm = h('form', { class: 'filter-bar', role: 'search', novalidate: true }, commonRow, moreBox, projectHint);

  function applyFilters() {
    const next = new URLSearchParams();
    if (qInput.value.trim()) next.set('q', qInput.value.trim());
    for (const c of controls) {
      const r = c.read();
      if (r.error) {
        r.error.classList.add('invalid');
        r.error.focus();
        toast(t('list.bad_number'), 'error');
        return;
      }
      for (const [k, v] of Object.entries(r.values)) if (v) next.set(k, v);
    }
    if (query.get('sort')) next.set('sort', query.get('sort'));
    filterForm.querySelectorAll('.invalid').forEach((x) => x.classList.remove('invalid'));
    query = next;
    load();
  }
  filterForm.addEventListener('submit', (e) => {
    e.preventDefault();
    applyFilters();
  });
  filterForm.addEventListener('change', (e) => {
    if (e.target.tagName === 'SELECT') applyFilters();
  });
  resetBtn.addEventListener('click', () => {
    const sort = query.get('sort');
    query = new URLSearchParams();
    if (sort) query.set('sort', sort);
    router.replaceQuiet(router.href('list', entity, null, query));
    renderList(main, entity, query, ctx);
  });

  // Table and pager.
  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const top = LIST_TOP[entity] ? LIST_TOP[entity](query) : null;
  const page = h('div', { class: 'page page-list', dataset: { entity } }, header, top, filterForm, tableWrap, pager);
  replace(main, page);

  let data = { items: [], total: 0 };
  const sortOf = () => query.get('sort') || meta.default_sort || '';

  function setSort(f) {
    const cur = sortOf();
    let next;
    if (cur === f.name) next = `-${f.name}`;
    else if (cur === `-${f.name}`) next = meta.default_sort && meta.default_sort.replace(/^-/, '') !== f.name ? '' : f.name;
    else next = f.name;
    if (next) query.set('sort', next); else query.delete('sort');
    query.delete('page');
    load();
  }

  function renderTable() {
    const fields = columns.map((n) => meta.fields.find((f) => f.name === n)).filter(Boolean);
    const sort = sortOf();
    const links = (ENTITY_LINKS[entity] || []).filter((a) => !a.detailOnly && (!a.perm || can(a.perm)));
    const thead = h('thead', null, h('tr', null, fields.map((f) => {
      const isNum = NUMERIC_TYPES.has(f.type);
      if (!f.sort) return h('th', { class: isNum && 'num', scope: 'col', text: fieldLabel(f) });
      const dir = sort === f.name ? 'asc' : sort === `-${f.name}` ? 'desc' : '';
      return h('th', {
        class: ['sortable', isNum && 'num', dir && `sorted-${dir}`], scope: 'col',
        'aria-sort': dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none',
      }, h('button', { type: 'button', class: 'th-sort', title: t('list.sort_hint'), dataset: { sort: f.name }, onclick: () => setSort(f) },
        h('span', { text: fieldLabel(f) }), h('span', { class: 'sort-icon', 'aria-hidden': 'true' })));
    }), links.length ? h('th', { class: 'col-actions', scope: 'col', text: t('list.actions') }) : null));
    const tbody = h('tbody');
    for (const it of data.items) {
      const link = ROW_HREF[entity] ? ROW_HREF[entity](it) : router.href('view', entity, it.id);
      const tr = h('tr', { tabindex: 0, dataset: { id: it.id }, 'aria-label': String(it[meta.title_field] ?? it.id) });
      fields.forEach((f) => {
        const cell = displayValue(f, it);
        const td = h('td', { class: [NUMERIC_TYPES.has(f.type) && 'num', f.type === 'enum' && 'tag-cell'] });
        if (f.name === meta.title_field) td.append(h('a', { href: link, class: 'row-link' }, cell));
        else td.append(cell);
        tr.append(td);
      });
      if (links.length) {
        tr.append(h('td', { class: 'col-actions' }, links.map((a) => h('a', {
          class: 'row-action', href: a.href(it), text: a.label(), dataset: { action: a.key },
        }))));
      }
      tr.addEventListener('click', (e) => {
        if (e.target.closest('a')) return;
        if (window.getSelection && String(window.getSelection()).length) return;
        router.go(link);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') router.go(link);
        else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
        else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
      });
      tbody.append(tr);
    }
    const table = h('table', { class: 'data-table' }, thead, tbody);
    clear(tableWrap);
    tableWrap.append(table);
    if (!data.items.length) {
      const filtered = hasFilters(query);
      tableWrap.append(h('div', { class: 'empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: filtered ? t('list.empty_filtered') : (meta.can_create ? t('list.empty_new') : t('list.empty')) }),
        filtered ? h('button', { class: 'btn', type: 'button', text: t('list.clear_filters'), onclick: () => resetBtn.click() })
          : (meta.can_create ? h('a', { class: 'btn btn-primary', href: router.href('new', entity), text: `+ ${t('common.new')}` }) : null)));
    }
  }

  function renderPager() {
    const total = Number(data.total) || 0;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const cur = Math.min(Math.max(1, Number(query.get('page')) || 1), pages);
    const goPage = (p) => {
      if (p <= 1) query.delete('page'); else query.set('page', String(p));
      load();
    };
    const btn = (text, p, opts = {}) => h('button', {
      type: 'button', class: ['page-btn', opts.current && 'current'], text, disabled: opts.disabled || false,
      'aria-current': opts.current ? 'page' : null, 'aria-label': opts.label || null, dataset: { page: p },
      onclick: () => goPage(p),
    });
    const nums = [];
    const want = new Set([1, pages, cur - 2, cur - 1, cur, cur + 1, cur + 2].filter((p) => p >= 1 && p <= pages));
    let last = 0;
    for (const p of [...want].sort((a, b) => a - b)) {
      if (p - last > 1) nums.push(h('span', { class: 'page-gap', text: '…' }));
      nums.push(btn(String(p), p, { current: p === cur }));
      last = p;
    }
    replace(pager,
      h('span', { class: 'pager-total', text: t('list.total', { n: fmt.integer(total) }) }),
      h('div', { class: 'pager-pages' },
        btn('‹', cur - 1, { disabled: cur <= 1, label: t('list.prev') }),
        nums,
        btn('›', cur + 1, { disabled: cur >= pages, label: t('list.next') })),
      h('span', { class: 'pager-info', text: t('list.page', { p: cur, n: pages }) }));
  }

  function renderProjectHint() {
    const pid = projectFilterable(meta) && !query.get('project_id') ? currentProject() : '';
    const p = pid && session.projects.find((x) => String(x.id) === pid);
    replace(projectHint, p ? h('span', { class: 'chip', text: t('list.project_filtered', { name: p.name }) }) : null);
    projectHint.hidden = !p;
  }

  async function load() {
    router.replaceQuiet(router.href('list', entity, null, query));
    if (top && top.update) top.update(query);
    if (abort) abort.abort();
    abort = new AbortController();
    const myAbort = abort;
    const params = filterParams(meta, query);
    const pageNo = Math.max(1, Number(query.get('page')) || 1);
    params.set('limit', String(PAGE_SIZE));
    params.set('offset', String((pageNo - 1) * PAGE_SIZE));
    if (!params.has('sort') && meta.default_sort) params.set('sort', meta.default_sort);
    tableWrap.classList.add('is-loading');
    page.setAttribute('aria-busy', 'true');
    renderProjectHint();
    try {
      const r = await api.get(meta.path, params, { signal: myAbort.signal });
      if (myAbort !== abort) return;
      data = { items: (r && r.items) || [], total: r && r.total !== undefined ? r.total : ((r && r.items) || []).length };
      // Past the last page (e.g. after filtering): go to the last one.
      const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
      if (pageNo > pages && data.total > 0) {
        query.set('page', String(pages));
        load();
        return;
      }
      renderTable();
      renderPager();
      tableWrap.scrollTop = 0;
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(tableWrap, errorState(err, load));
      clear(pager);
    } finally {
      if (myAbort === abort) {
        tableWrap.classList.remove('is-loading');
        page.removeAttribute('aria-busy');
      }
    }
  }

  tableWrap.append(loading());
  await load();
}
