// The ticket reports: 工单看板 (#/tickets/dashboard?from=&to=) — counts by
// category, SLA compliance and satisfaction per month with ECharts and the
// same numbers as tables, and 疑似群诉 warnings from the clusters; 质量缺陷
// (#/tickets/defects?by=) — defect cases summed by project, building,
// category or contractor, and new cases from selected defect tickets;
// 节假日 (#/calendar?year=) — the working-day calendar of a year and the
// import of a pasted yearly table.
import { h, replace, clear } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { loading, errorState, toast, tag, modal } from './ui.js';
import { inputField, fieldsDialog } from './widgets.js';
import { chartBox } from './echarts.js';
import { codeLabel, statusTag, TYPES, STATUSES } from './ticket_common.js';

const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

/** A rate given as basis points, a fraction or a percent → percent (Number) or null. */
function pct(x) {
  if (!x || typeof x !== 'object') return null;
  if (x.rate_bp !== undefined && x.rate_bp !== null) return Number(x.rate_bp) / 100;
  if (x.rate !== undefined && x.rate !== null) return Number(x.rate) <= 1 ? Number(x.rate) * 100 : Number(x.rate);
  const met = num(x.met ?? x.on_time ?? x.resolve_met);
  const all = num(x.total ?? x.resolved ?? x.count);
  return met !== null && all ? (met * 100) / all : null;
}

const pctText = (p) => (p === null || p === undefined || Number.isNaN(p) ? t('common.none') : `${p.toFixed(1)}%`);

/** The dashboard's reply in one shape (the API's names vary a little between parts). */
export function normalizeDashboard(d) {
  const rows = (x) => (Array.isArray(x) ? x : x && typeof x === 'object' ? Object.entries(x).map(([k, v]) => (typeof v === 'object' ? { key: k, ...v } : { key: k, count: v })) : []);
  const byCategory = rows(d.by_category || d.categories).map((r) => ({
    id: r.category_id ?? r.id ?? r.key, name: r.category_name || r.name || r.label || r.key || '', count: Number(r.count ?? r.total ?? 0),
  })).sort((a, b) => b.count - a.count);
  const byType = rows(d.by_type || d.types).map((r) => ({ key: r.type ?? r.key, count: Number(r.count ?? 0) }));
  const byStatus = rows(d.by_status || d.statuses).map((r) => ({ key: r.status ?? r.key, count: Number(r.count ?? 0) }));
  const sla = rows(d.sla || d.sla_by_month || d.months);
  const sat = rows(d.satisfaction || d.satisfaction_by_month || d.months);
  const months = [...new Set([...sla, ...sat].map((r) => r.month || r.key))].filter(Boolean).sort();
  const perMonth = months.map((m) => {
    const s = sla.find((r) => (r.month || r.key) === m) || {};
    const f = sat.find((r) => (r.month || r.key) === m) || {};
    const resp = s.response ? pct(s.response) : (s.response_rate_bp !== undefined ? Number(s.response_rate_bp) / 100 : null);
    const resv = s.resolve ? pct(s.resolve) : (s.resolve_rate_bp !== undefined ? Number(s.resolve_rate_bp) / 100 : pct(s));
    let avg = f.avg_score ?? f.satisfaction_avg ?? f.average ?? f.avg ?? null;
    if (avg === null && f.score_sum !== undefined && f.scored) avg = Number(f.score_sum) / Number(f.scored);
    if (avg === null && f.avg_score_x100 !== undefined) avg = Number(f.avg_score_x100) / 100;
    return {
      month: m,
      total: num(s.total ?? s.created ?? s.count ?? f.total),
      resolved: num(s.resolved ?? s.resolve_total),
      responseRate: resp,
      resolveRate: resv,
      satisfaction: avg === null ? null : Number(avg),
      scored: num(f.scored ?? f.callbacks ?? f.count),
    };
  });
  return { byCategory, byType, byStatus, perMonth, total: num(d.total) };
}

function fillTable(heads, rowsOf, { foot, cls } = {}) {
  return h('div', { class: 'table-wrap table-static' }, h('table', { class: ['data-table', 'plain-table', cls] },
    h('thead', null, h('tr', null, heads.map(([text, c]) => h('th', { class: c || null, text })))),
    h('tbody', null, rowsOf),
    foot ? h('tfoot', null, foot) : null));
}

// ---- 工单看板 --------------------------------------------------------------------------------------

export async function renderTicketDashboard(main, query, ctx) {
  ctx.setTitle(t('tk.dashboard'));
  const today = fmt.today();
  const defFrom = `${fmt.addDays(`${today.slice(0, 7)}-01`, -150).slice(0, 7)}-01`;
  let from = fmt.isValidDate(query.get('from')) ? query.get('from') : defFrom;
  let to = fmt.isValidDate(query.get('to')) ? query.get('to') : today;

  const fromIn = h('input', { type: 'date', id: 'td-from', name: 'from', value: from });
  const toIn = h('input', { type: 'date', id: 'td-to', name: 'to', value: to });
  const form = h('form', { class: 'filter-bar', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'td-from', text: t('cr.period') }),
        h('div', { class: 'range range-date' }, fromIn, h('span', { class: 'range-sep', text: '~' }), toIn)),
      h('div', { class: 'filter-buttons' }, h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }))));
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('tk.dashboard') }), h('div', { class: 'muted small', text: t('tk.dashboard_sub') })),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('tickets'), text: t('tk.queue') }),
      can('defect.read') ? h('a', { class: 'btn', href: router.page('tickets/defects'), text: t('tk.defects') }) : null));
  const clusterBox = h('div', { class: 'cluster-box', dataset: { part: 'clusters' } });
  const body = h('div', { class: 'report-body' });
  const page = h('div', { class: 'page page-ticket-dashboard' }, header, form, clusterBox, body);
  replace(main, page);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ok = fmt.isValidDate(fromIn.value) && fmt.isValidDate(toIn.value) && fromIn.value <= toIn.value;
    fromIn.classList.toggle('invalid', !ok);
    toIn.classList.toggle('invalid', !ok);
    if (!ok) { toast(t('cr.bad_range'), 'error'); return; }
    from = fromIn.value;
    to = toIn.value;
    load();
  });

  async function loadClusters() {
    try {
      const r = await api.get('tickets/clusters', { project_id: currentProject(), days: 3, min: 3 });
      if (!page.isConnected) return;
      const items = Array.isArray(r) ? r : (r && (r.items || r.clusters)) || [];
      if (!items.length) { clear(clusterBox); return; }
      replace(clusterBox, h('div', { class: 'banner banner-red banner-block', role: 'alert', dataset: { banner: 'clusters' } },
        h('strong', { text: t('tk.clusters_title', { n: items.length }) }),
        h('ul', { class: 'cluster-list' }, items.map((c) => {
          const ids = c.ticket_ids || (c.tickets || []).map((x) => x.id || x) || [];
          return h('li', { dataset: { building: c.building_id ?? '', category: c.category_id ?? '' } },
            h('span', { class: 'strong', text: [c.project_name, c.building_name].filter(Boolean).join(' ') || `#${c.building_id}` }),
            h('span', { text: ` · ${c.category_name || c.category_path || `#${c.category_id}`} · ` }),
            h('span', { text: t('tk.cluster_n', { n: c.count ?? ids.length }) }),
            c.first_at || c.from ? h('span', { class: 'muted small', text: `（${fmt.date(c.first_at || c.from)} ~ ${fmt.date(c.last_at || c.to)}）` }) : null,
            ids.length ? h('span', { class: 'cluster-tickets' }, ids.slice(0, 8).map((id) => h('a', { class: 'mono small', href: router.page('ticket', id), text: `#${id}` }))) : null);
        })),
        h('span', { class: 'small', text: t('tk.clusters_hint') })));
    } catch { clear(clusterBox); }
  }

  async function load() {
    router.replaceQuiet(router.page('tickets/dashboard', null, { from: from === defFrom ? '' : from, to: to === today ? '' : to }));
    replace(body, loading());
    let d;
    try {
      d = await api.get('tickets/dashboard', { project_id: currentProject(), from, to });
    } catch (err) {
      replace(body, errorState(err, load));
      return;
    }
    if (!page.isConnected) return;
    paint(normalizeDashboard(d || {}));
  }

  function paint(n) {
    const pid = currentProject();
    const proj = pid && session.projects.find((x) => String(x.id) === pid);
    const total = n.total ?? n.byCategory.reduce((a, r) => a + r.count, 0);
    const open = n.byStatus.filter((r) => !['closed', 'merged'].includes(r.key)).reduce((a, r) => a + r.count, 0);
    const last = n.perMonth.filter((m) => m.resolveRate !== null);
    const sats = n.perMonth.filter((m) => m.satisfaction !== null);
    const avgSat = sats.length ? sats.reduce((a, m) => a + m.satisfaction * (m.scored || 1), 0) / sats.reduce((a, m) => a + (m.scored || 1), 0) : null;
    const stat = (key, label, value, cls) => h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: label }), h('span', { class: ['stat-value', cls], dataset: { stat: key }, text: value }));
    const summary = h('div', { class: 'summary-strip' },
      stat('total', t('tk.s_total'), fmt.integer(total)),
      stat('open', t('tk.s_open'), fmt.integer(open)),
      stat('sla', t('tk.s_sla'), last.length ? pctText(last[last.length - 1].resolveRate) : t('common.none')),
      stat('satisfaction', t('tk.s_satisfaction'), avgSat === null ? t('common.none') : avgSat.toFixed(2)),
      h('span', { class: 'muted small summary-note', text: t('tk.period_note', { from, to }) }),
      proj ? h('span', { class: 'chip', text: t('list.project_filtered', { name: proj.name }) }) : null);

    // By category: a bar chart and the table.
    const cats = n.byCategory.filter((r) => r.count > 0);
    const catChart = cats.length ? chartBox({
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: cats.slice(0, 12).map((r) => r.name) },
      series: [{ type: 'bar', name: t('tk.count'), data: cats.slice(0, 12).map((r) => r.count), barMaxWidth: 18, label: { show: true, position: 'right' } }],
    }, { height: Math.max(180, Math.min(12, cats.length) * 30 + 30), label: t('tk.by_category') }) : h('div', { class: 'muted empty-small', text: t('tk.no_data') });
    const catTable = fillTable([[t('tk.category')], [t('tk.count'), 'num'], [t('tk.share'), 'num']],
      cats.map((r) => h('tr', { dataset: { category: r.id ?? '' } },
        h('td', { text: r.name }), h('td', { class: 'num', text: fmt.integer(r.count) }),
        h('td', { class: 'num', text: total ? `${((r.count * 100) / total).toFixed(1)}%` : '' }))),
      { cls: 'cat-table', foot: h('tr', null, h('td', { text: t('od.total') }), h('td', { class: 'num', text: fmt.integer(total) }), h('td')) });

    // Per month: SLA compliance (%) and satisfaction (1–5).
    const months = n.perMonth;
    const trendChart = months.length ? chartBox({
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: months.map((m) => m.month) },
      yAxis: [
        { type: 'value', name: '%', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        { type: 'value', name: t('tk.satisfaction'), min: 0, max: 5, interval: 1, splitLine: { show: false } },
      ],
      series: [
        { type: 'line', name: t('tk.resolve_rate'), data: months.map((m) => (m.resolveRate === null ? null : Number(m.resolveRate.toFixed(1)))), connectNulls: true, symbolSize: 7 },
        { type: 'line', name: t('tk.response_rate'), data: months.map((m) => (m.responseRate === null ? null : Number(m.responseRate.toFixed(1)))), connectNulls: true, symbolSize: 7, lineStyle: { type: 'dashed' } },
        { type: 'bar', name: t('tk.satisfaction'), yAxisIndex: 1, data: months.map((m) => (m.satisfaction === null ? null : Number(m.satisfaction.toFixed(2)))), barMaxWidth: 22, itemStyle: { color: '#b7eb8f' } },
      ],
    }, { height: 300, label: t('tk.trend') }) : h('div', { class: 'muted empty-small', text: t('tk.no_data') });
    const trendTable = fillTable([[t('tk.month')], [t('tk.m_total'), 'num'], [t('tk.response_rate'), 'num'], [t('tk.resolve_rate'), 'num'], [t('tk.satisfaction'), 'num'], [t('tk.m_scored'), 'num']],
      months.map((m) => h('tr', { dataset: { month: m.month } },
        h('td', { text: m.month }),
        h('td', { class: 'num', text: m.total === null ? t('common.none') : fmt.integer(m.total) }),
        h('td', { class: 'num', text: pctText(m.responseRate) }),
        h('td', { class: 'num', dataset: { col: 'resolve-rate' }, text: pctText(m.resolveRate) }),
        h('td', { class: 'num', dataset: { col: 'satisfaction' }, text: m.satisfaction === null ? t('common.none') : m.satisfaction.toFixed(2) }),
        h('td', { class: 'num', text: m.scored === null ? t('common.none') : fmt.integer(m.scored) }))),
      { cls: 'trend-table' });

    const small = (title, list, label, key) => h('section', { class: 'card', dataset: { part: key } }, h('h2', { class: 'card-title', text: title }),
      fillTable([[title], [t('tk.count'), 'num']], list.map((r) => h('tr', { dataset: { key: r.key } },
        h('td', null, key === 'by-status' ? statusTag(r.key) : h('span', { text: label(r.key) })), h('td', { class: 'num', text: fmt.integer(r.count) })))));

    replace(body, summary,
      h('div', { class: 'report-row' },
        h('section', { class: 'card chart-card', dataset: { part: 'by-category' } }, h('h2', { class: 'card-title', text: t('tk.by_category') }), catChart, catTable),
        h('section', { class: 'card chart-card', dataset: { part: 'trend' } }, h('h2', { class: 'card-title', text: t('tk.trend') }), trendChart, trendTable)),
      h('div', { class: 'report-row' },
        small(t('tk.type'), TYPES.map((k) => n.byType.find((r) => r.key === k) || { key: k, count: 0 }).concat(n.byType.filter((r) => !TYPES.includes(r.key))), (k) => codeLabel('type', k), 'by-type'),
        small(t('tk.status'), STATUSES.map((k) => n.byStatus.find((r) => r.key === k) || { key: k, count: 0 }).concat(n.byStatus.filter((r) => !STATUSES.includes(r.key))), (k) => codeLabel('status', k), 'by-status')));
  }

  loadClusters();
  await load();
}

// ---- 质量缺陷 --------------------------------------------------------------------------------------

const BYS = ['category', 'project', 'building', 'contractor'];

export async function renderDefects(main, query, ctx) {
  ctx.setTitle(t('tk.defects'));
  let by = BYS.includes(query.get('by')) ? query.get('by') : 'category';
  const bySeg = h('div', { class: 'seg', role: 'group', 'aria-label': t('tk.by') }, BYS.map((b) => h('button', {
    type: 'button', class: ['seg-btn', b === by && 'active'], dataset: { by: b }, 'aria-pressed': String(b === by), text: t(`tk.by_${b}`),
    onclick: () => { by = b; loadReport(); },
  })));
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('tk.defects') }), h('div', { class: 'muted small', text: t('tk.defects_sub') })),
    h('div', { class: 'page-actions' }, h('a', { class: 'btn', href: router.href('list', 'defect-cases'), text: t('tk.defect_cases') })));
  const reportBox = h('div', { class: 'report-box' });
  const ticketsBox = h('div', { class: 'defect-tickets' });
  const page = h('div', { class: 'page page-defects' }, header,
    h('section', { class: 'card', dataset: { part: 'report' } },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: t('tk.defect_report') }), bySeg), reportBox),
    h('section', { class: 'card', dataset: { part: 'defect-tickets' } }, ticketsBox));
  replace(main, page);

  async function loadReport() {
    router.replaceQuiet(router.page('tickets/defects', null, { by }));
    for (const b of bySeg.children) { const on = b.dataset.by === by; b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); }
    replace(reportBox, loading());
    try {
      const r = await api.get('defect-cases/report', { by, project_id: currentProject() });
      if (!page.isConnected) return;
      const items = Array.isArray(r) ? r : (r && (r.items || r.rows)) || [];
      const sum = (k) => items.reduce((a, x) => a + Number(x[k] || 0), 0);
      replace(reportBox, items.length ? fillTable([[t(`tk.by_${by}`)], [t('tk.cases'), 'num'], [t('tk.tickets_n'), 'num'], [t('tk.cost'), 'num']],
        items.map((x) => h('tr', { dataset: { key: x.key ?? x.id ?? '' } },
          h('td', { text: x.name || x.label || x.key_name || (x.key ? `#${x.key}` : t('tk.unassigned')) }),
          h('td', { class: 'num', text: fmt.integer(x.cases ?? x.case_count ?? 0) }),
          h('td', { class: 'num', text: fmt.integer(x.tickets ?? x.ticket_count ?? 0) }),
          h('td', { class: 'num', text: fmt.money(x.cost_fen ?? 0) }))),
        { cls: 'defect-report', foot: h('tr', null, h('td', { text: t('od.total') }), h('td', { class: 'num', text: fmt.integer(sum('cases') || sum('case_count')) }), h('td', { class: 'num', text: fmt.integer(sum('tickets') || sum('ticket_count')) }), h('td', { class: 'num', text: fmt.money(sum('cost_fen')) })) })
        : h('div', { class: 'muted empty-small', text: t('tk.defect_none') }));
    } catch (err) {
      replace(reportBox, errorState(err, loadReport));
    }
  }

  async function defectTickets() {
    const q = { limit: 200, sort: '-id', project_id: currentProject() };
    try {
      const r = await api.get('tickets', { ...q, is_defect: 'true' });
      return ((r && r.items) || []).filter((x) => Number(x.is_defect) || x.is_defect === true);
    } catch (e) {
      if (e.status !== 400) throw e;
      const r = await api.get('tickets', { ...q, type: 'repair' });
      return ((r && r.items) || []).filter((x) => Number(x.is_defect) || x.is_defect === true);
    }
  }

  async function loadTickets() {
    replace(ticketsBox, loading());
    let items;
    try {
      items = (await defectTickets()).filter((x) => !x.defect_case_id);
    } catch (err) {
      replace(ticketsBox, errorState(err, loadTickets));
      return;
    }
    if (!page.isConnected) return;
    const checks = [];
    const btn = h('button', { class: 'btn btn-primary', type: 'button', text: t('tk.case_new'), dataset: { action: 'new-case' }, disabled: true });
    const countEl = h('span', { class: 'muted small' });
    const sync = () => {
      const n = checks.filter((c) => c.cb.checked).length;
      btn.disabled = !n;
      countEl.textContent = n ? t('tk.selected_n', { n }) : t('tk.select_hint');
    };
    const rows = items.map((x) => {
      const cb = h('input', { type: 'checkbox', value: String(x.id), 'aria-label': x.no || `#${x.id}` });
      cb.addEventListener('change', sync);
      checks.push({ cb, x });
      return h('tr', { dataset: { id: x.id } },
        h('td', { class: 'col-check' }, cb),
        h('td', null, h('a', { class: 'mono row-link', href: router.page('ticket', x.id), text: x.no || `#${x.id}` })),
        h('td', { text: [x.project_name, x.building_name].filter(Boolean).join(' ') }),
        h('td', { class: 'mono', text: x.room_code || '' }),
        h('td', { text: x.category_name || '' }),
        h('td', { class: 'wrap-cell', text: x.title || '' }),
        h('td', null, statusTag(x.status)));
    });
    btn.addEventListener('click', () => caseDialog(checks.filter((c) => c.cb.checked).map((c) => c.x)));
    replace(ticketsBox,
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title' }, t('tk.defect_tickets'), h('span', { class: 'count', text: String(items.length) })),
        can('defect.write') ? h('div', { class: 'card-head-actions' }, countEl, btn) : null),
      items.length ? fillTable([[''], [t('tk.no')], [t('tk.project_building')], [t('tk.unit')], [t('tk.category')], [t('tk.title')], [t('tk.status')]], rows, { cls: 'defect-tickets-table' })
        : h('div', { class: 'muted empty-small', text: t('tk.defect_tickets_none') }));
    sync();
  }

  async function caseDialog(list) {
    const projects = [...new Set(list.map((x) => String(x.project_id)))];
    if (projects.length > 1) { toast(t('tk.case_one_project'), 'error', 5000); return; }
    const buildings = [...new Set(list.map((x) => String(x.building_id || '')))];
    const catIds = [...new Set(list.map((x) => String(x.category_id)))];
    let contractors = [];
    try { contractors = (await api.get('contractors', { limit: 200, sort: 'name' })).items || []; } catch { contractors = []; }
    const first = list[0];
    fieldsDialog({
      title: t('tk.case_new'),
      intro: t('tk.case_intro', { n: list.length, nos: list.map((x) => x.no || `#${x.id}`).join('、') }),
      width: '600px',
      grid: true,
      fields: [
        inputField({ name: 'title', label: t('tk.case_title'), required: true, wide: true, maxlen: 100, value: [first.building_name, first.category_name].filter(Boolean).join(' ') }),
        inputField({
          name: 'category_id', label: t('tk.category'), type: 'select', required: true, placeholder: false, value: catIds[0],
          options: catIds.map((id) => ({ value: id, label: (list.find((x) => String(x.category_id) === id) || {}).category_name || `#${id}` })), parse: (s) => ({ value: Number(s) }),
        }),
        inputField({
          name: 'contractor_id', label: t('tk.contractor'), type: 'select', options: contractors.map((c) => ({ value: c.id, label: c.name })), parse: (s) => ({ value: Number(s) }),
        }),
        inputField({ name: 'root_cause', label: t('tk.root_cause'), type: 'textarea', required: true, wide: true, maxlen: 2000 }),
        inputField({ name: 'fix', label: t('tk.fix'), type: 'textarea', required: true, wide: true, maxlen: 2000 }),
        inputField({ name: 'cost', api: 'cost_fen', label: t('tk.cost'), type: 'money', prefix: '¥', value: '0' }),
      ],
      okText: t('tk.case_create'),
      submit: async (v) => {
        const body = { ...v, project_id: Number(projects[0]), ticket_ids: list.map((x) => Number(x.id)) };
        if (buildings.length === 1 && buildings[0]) body.building_id = Number(buildings[0]);
        if (body.cost_fen === undefined) body.cost_fen = 0;
        const r = await api.post('defect-cases', body);
        toast(t('tk.case_created', { no: (r && r.no) || '' }), 'success');
        loadReport();
        loadTickets();
      },
    });
  }

  loadTickets();
  await loadReport();
}

// ---- 节假日 ----------------------------------------------------------------------------------------

const WEEK = ['一', '二', '三', '四', '五', '六', '日'];

/**
 * A pasted yearly table → [{day, kind, name}] or {error}. Lines like
 *   2027-01-01 休 元旦          2027-02-06~2027-02-12 休 春节
 *   2027-02-14,班,春节调休       2027/10/09 workday 国庆节调休
 * (休/假/放假/holiday, 班/上班/调休上班/workday; tab, comma or spaces).
 */
export function parseCalendar(text, year) {
  const out = new Map();
  const lines = String(text || '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:\s*[~～至-]\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}))?[\s,，\t]+(\S+)(?:[\s,，\t]+(.*))?$/.exec(line);
    if (!m) return { error: t('cal.bad_line', { n: i + 1, line }) };
    const norm = (s) => { const p = s.split(/[-/.]/); return `${p[0]}-${p[1].padStart(2, '0')}-${p[2].padStart(2, '0')}`; };
    const a = norm(m[1]);
    const b = m[2] ? norm(m[2]) : a;
    const k = m[3].toLowerCase();
    const kind = ['休', '假', '放假', '休息', 'holiday', 'off'].includes(k) ? 'holiday' : ['班', '上班', '调休上班', '补班', 'workday', 'work'].includes(k) ? 'workday' : null;
    if (!kind) return { error: t('cal.bad_kind', { n: i + 1, kind: m[3] }) };
    if (!fmt.isValidDate(a) || !fmt.isValidDate(b) || b < a) return { error: t('cal.bad_line', { n: i + 1, line }) };
    for (let d = a; d <= b; d = fmt.addDays(d, 1)) {
      if (Number(d.slice(0, 4)) !== Number(year)) return { error: t('cal.other_year', { n: i + 1, day: d, year }) };
      out.set(d, { day: d, kind, name: (m[4] || '').trim() || null });
    }
  }
  return { days: [...out.values()].sort((x, y) => x.day.localeCompare(y.day)) };
}

export async function renderCalendar(main, query, ctx) {
  ctx.setTitle(t('cal.title'));
  let year = /^\d{4}$/.test(query.get('year') || '') ? Number(query.get('year')) : Number(fmt.today().slice(0, 4));
  const yearLabel = h('span', { class: 'cal-year', dataset: { part: 'year' } });
  const shift = (n) => { year += n; load(); };
  const importBtn = can('calendar.admin') ? h('button', { class: 'btn', type: 'button', text: t('cal.import'), dataset: { action: 'import-calendar' }, onclick: () => importDialog() }) : null;
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('cal.title') }), h('div', { class: 'muted small', text: t('cal.sub') })),
    h('div', { class: 'page-actions' },
      h('button', { class: 'btn', type: 'button', text: '‹', 'aria-label': t('cal.prev'), dataset: { action: 'prev-year' }, onclick: () => shift(-1) }),
      yearLabel,
      h('button', { class: 'btn', type: 'button', text: '›', 'aria-label': t('cal.next'), dataset: { action: 'next-year' }, onclick: () => shift(1) }),
      importBtn));
  const body = h('div', { class: 'cal-body' });
  const page = h('div', { class: 'page page-calendar' }, header, body);
  replace(main, page);
  let days = [];

  async function load() {
    yearLabel.textContent = t('cal.year_n', { y: year });
    router.replaceQuiet(router.page('calendar', null, { year }));
    replace(body, loading());
    try {
      const r = await api.get('calendar', { year });
      if (!page.isConnected) return;
      days = (r && r.days) || [];
      paint();
    } catch (err) {
      replace(body, errorState(err, load));
    }
  }

  function paint() {
    const byDay = new Map(days.map((d) => [d.day, d]));
    const holidays = days.filter((d) => d.kind === 'holiday').length;
    const workdays = days.filter((d) => d.kind === 'workday').length;
    const todayS = fmt.today();
    const months = [];
    for (let m = 1; m <= 12; m++) {
      const first = `${year}-${String(m).padStart(2, '0')}-01`;
      const dow = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
      const cells = [];
      for (let i = 0; i < dow; i++) cells.push(h('span', { class: 'cal-cell void' }));
      for (let d = first; d.slice(0, 7) === first.slice(0, 7); d = fmt.addDays(d, 1)) {
        const e = byDay.get(d);
        const wd = (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;
        const kind = e ? e.kind : (wd >= 5 ? 'weekend' : 'work');
        cells.push(h('span', {
          class: ['cal-cell', `k-${kind}`, d === todayS && 'today'], dataset: { day: d, kind },
          title: e ? `${d} ${e.name || ''} ${e.kind === 'holiday' ? t('cal.holiday') : t('cal.workday')}` : d,
        }, h('span', { class: 'cal-d', text: String(Number(d.slice(8))) }),
        e ? h('span', { class: 'cal-mark', text: e.kind === 'holiday' ? t('cal.mark_off') : t('cal.mark_work') }) : null));
      }
      months.push(h('section', { class: 'cal-month', dataset: { month: m } },
        h('h3', { class: 'cal-month-title', text: t('cal.month_n', { m }) }),
        h('div', { class: 'cal-grid' }, WEEK.map((w, i) => h('span', { class: ['cal-head', i >= 5 && 'weekend'], text: w })), cells)));
    }
    const legend = h('div', { class: 'cal-legend' },
      h('span', { class: 'cal-cell k-holiday sample' }, h('span', { class: 'cal-d', text: '1' })), h('span', { text: t('cal.holiday') }),
      h('span', { class: 'cal-cell k-workday sample' }, h('span', { class: 'cal-d', text: '1' })), h('span', { text: t('cal.workday') }),
      h('span', { class: 'cal-cell k-weekend sample' }, h('span', { class: 'cal-d', text: '1' })), h('span', { text: t('cal.weekend') }),
      h('span', { class: 'muted small', text: t('cal.counts', { h: holidays, w: workdays }) }));
    const list = days.length ? fillTable([[t('cal.day')], [t('cal.kind')], [t('cal.name')]], days.map((d) => h('tr', { dataset: { day: d.day } },
      h('td', { class: 'mono', text: d.day }),
      h('td', null, d.kind === 'holiday' ? tag(t('cal.holiday'), 'red') : tag(t('cal.workday'), 'orange')),
      h('td', { text: d.name || '' }))), { cls: 'cal-table' }) : h('div', { class: 'banner banner-orange', text: t('cal.empty', { y: year }) });
    replace(body, legend, h('div', { class: 'cal-layout' },
      h('div', { class: 'card cal-months' }, months),
      h('aside', { class: 'card cal-side' }, h('h2', { class: 'card-title', text: t('cal.list') }), list)));
  }

  function importDialog() {
    const text = h('textarea', { id: 'cal-text', name: 'days', rows: 12, class: 'mono', placeholder: t('cal.paste_ph', { y: year + (days.length ? 1 : 0) }) });
    const yearIn = h('input', { id: 'cal-import-year', name: 'year', type: 'text', inputmode: 'numeric', value: String(days.length ? year + 1 : year), class: 'input-narrow' });
    const preview = h('div', { class: 'muted small', dataset: { part: 'preview' } });
    const err = h('div', { class: 'field-error', role: 'alert' });
    const check = () => {
      const r = parseCalendar(text.value, yearIn.value);
      err.textContent = r.error || '';
      preview.textContent = r.days ? t('cal.preview', { h: r.days.filter((d) => d.kind === 'holiday').length, w: r.days.filter((d) => d.kind === 'workday').length }) : '';
      return r;
    };
    text.addEventListener('input', check);
    yearIn.addEventListener('input', check);
    return modal({
      title: t('cal.import'),
      width: '620px',
      okText: t('cal.import_ok'),
      body: h('div', { class: 'fields-dialog' },
        h('p', { class: 'muted', text: t('cal.import_intro') }),
        h('div', { class: 'form-item', dataset: { field: 'year' } }, h('label', { class: 'form-label', for: 'cal-import-year', text: t('cal.year') }), yearIn),
        h('div', { class: 'form-item', dataset: { field: 'days' } }, h('label', { class: 'form-label', for: 'cal-text', text: t('cal.paste') }), text, preview, err)),
      onOk: async () => {
        if (!/^\d{4}$/.test(yearIn.value.trim())) { err.textContent = t('cal.bad_year'); yearIn.focus(); return false; }
        const r = check();
        if (r.error) { text.focus(); return false; }
        if (!r.days.length) { err.textContent = t('cal.nothing'); text.focus(); return false; }
        try {
          await api.post('calendar/import', { year: Number(yearIn.value.trim()), days: r.days });
        } catch (e) {
          err.textContent = e.message;
          return false;
        }
        toast(t('cal.imported', { n: r.days.length, y: yearIn.value.trim() }), 'success');
        year = Number(yearIn.value.trim());
        load();
        return true;
      },
    });
  }

  await load();
}

