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
const pctText = (p) => (p === null || p === undefined || Number.isNaN(p) ? t('common.none') : `${p.toFixed(1)}%`);

/**
 * GET /tickets/dashboard → {from, to, totals, by_category [{category_id,
 * category, count}], by_type, by_status, monthly [{month, opened, resolved,
 * resolved_in_time, scored, score_sum, compliance_pct100,
 * satisfaction_avg100}], clusters}. Percentages and means come in
 * hundredths (integers); here they become numbers to draw.
 */
export function normalizeDashboard(d) {
  const hundredths = (v) => (v === null || v === undefined ? null : Number(v) / 100);
  const byCategory = (d.by_category || []).map((r) => ({
    id: r.category_id, name: r.category || r.category_name || (r.category_id ? `#${r.category_id}` : t('tk.unassigned')), count: Number(r.count || 0),
  }));
  const byType = (d.by_type || []).map((r) => ({ key: r.type, count: Number(r.count || 0) }));
  const byStatus = (d.by_status || []).map((r) => ({ key: r.status, count: Number(r.count || 0) }));
  const perMonth = (d.monthly || []).map((m) => ({
    month: m.month,
    opened: num(m.opened),
    resolved: num(m.resolved),
    inTime: num(m.resolved_in_time),
    resolveRate: hundredths(m.compliance_pct100),
    satisfaction: hundredths(m.satisfaction_avg100),
    scored: num(m.scored),
  }));
  const tot = d.totals || {};
  return {
    byCategory, byType, byStatus, perMonth,
    totals: {
      opened: num(tot.opened), open: num(tot.open), overdue: num(tot.overdue), escalated: num(tot.escalated),
      resolveRate: hundredths(tot.compliance_pct100), satisfaction: hundredths(tot.satisfaction_avg100), scored: num(tot.scored),
    },
    clusters: d.clusters || [],
    from: d.from, to: d.to,
  };
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
  // Without dates the API reports a year of months up to today.
  let from = fmt.isValidDate(query.get('from')) ? query.get('from') : '';
  let to = fmt.isValidDate(query.get('to')) ? query.get('to') : '';

  const fromIn = h('input', { type: 'date', id: 'td-from', name: 'from', value: from });
  const toIn = h('input', { type: 'date', id: 'td-to', name: 'to', value: to });
  const form = h('form', { class: 'filter-bar', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'td-from', text: t('cr.period') }),
        h('div', { class: 'range range-date' }, fromIn, h('span', { class: 'range-sep', text: '~' }), toIn)),
      h('div', { class: 'filter-buttons' },
        h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }),
        h('button', { class: 'btn', type: 'button', text: t('tk.last_year'), onclick: () => { fromIn.value = ''; toIn.value = ''; form.requestSubmit(); } }))));
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('tk.dashboard') }), h('div', { class: 'muted small', text: t('tk.dashboard_sub') })),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('tickets/queue'), text: t('tk.queue') }),
      can('defect.read') ? h('a', { class: 'btn', href: router.page('tickets/defects'), text: t('tk.defects') }) : null));
  const clusterBox = h('div', { class: 'cluster-box', dataset: { part: 'clusters' } });
  const body = h('div', { class: 'report-body' });
  const page = h('div', { class: 'page page-ticket-dashboard' }, header, form, clusterBox, body);
  replace(main, page);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const okF = !fromIn.value || fmt.isValidDate(fromIn.value);
    const okT = !toIn.value || fmt.isValidDate(toIn.value);
    const ok = okF && okT && (!fromIn.value || !toIn.value || fromIn.value <= toIn.value);
    fromIn.classList.toggle('invalid', !ok);
    toIn.classList.toggle('invalid', !ok);
    if (!ok) { toast(t('cr.bad_range'), 'error'); return; }
    from = fromIn.value;
    to = toIn.value;
    load();
  });

  function paintClusters(items) {
    if (!items.length) { clear(clusterBox); return; }
    replace(clusterBox, h('div', { class: 'banner banner-red banner-block', role: 'alert', dataset: { banner: 'clusters' } },
      h('strong', { text: t('tk.clusters_title', { n: items.length }) }),
      h('ul', { class: 'cluster-list' }, items.map((c) => {
        const ids = c.ticket_ids || [];
        return h('li', { dataset: { building: c.building_id ?? '', category: c.category_id ?? '' } },
          h('span', { class: 'strong', text: c.building || c.building_name || `#${c.building_id}` }),
          h('span', { text: ` · ${c.category || c.category_name || `#${c.category_id}`} · ` }),
          h('span', { text: t('tk.cluster_n', { n: c.count ?? ids.length }) }),
          c.open !== undefined ? h('span', { class: 'muted small', text: ` ${t('tk.cluster_open', { n: c.open })}` }) : null,
          c.first_at ? h('span', { class: 'muted small', text: `（${fmt.datetime(c.first_at)} ~ ${fmt.datetime(c.last_at)}）` }) : null,
          ids.length ? h('span', { class: 'cluster-tickets' }, ids.slice(0, 8).map((id) => h('a', { class: 'mono small', href: router.page('ticket', id), text: `#${id}` }))) : null);
      })),
      h('span', { class: 'small', text: t('tk.clusters_hint') })));
  }

  async function load() {
    router.replaceQuiet(router.page('tickets/dashboard', null, { from, to }));
    replace(body, loading());
    let d;
    try {
      d = await api.get('tickets/dashboard', { project_id: currentProject(), from, to });
    } catch (err) {
      replace(body, errorState(err, load));
      return;
    }
    if (!page.isConnected) return;
    const n = normalizeDashboard(d || {});
    if (!fromIn.value && n.from) fromIn.value = n.from;
    if (!toIn.value && n.to) toIn.value = n.to;
    paintClusters(n.clusters);
    paint(n);
  }

  function paint(n) {
    const pid = currentProject();
    const proj = pid && session.projects.find((x) => String(x.id) === pid);
    const tot = n.totals;
    const total = tot.opened ?? n.byCategory.reduce((a, r) => a + r.count, 0);
    const stat = (key, label, value, cls) => h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: label }), h('span', { class: ['stat-value', cls], dataset: { stat: key }, text: value }));
    const summary = h('div', { class: 'summary-strip' },
      stat('total', t('tk.s_total'), fmt.integer(total)),
      stat('open', t('tk.s_open'), tot.open === null ? t('common.none') : fmt.integer(tot.open)),
      stat('overdue', t('tk.s_overdue'), tot.overdue === null ? t('common.none') : fmt.integer(tot.overdue), tot.overdue ? 'danger' : null),
      stat('sla', t('tk.s_sla'), pctText(tot.resolveRate)),
      stat('satisfaction', t('tk.s_satisfaction'), tot.satisfaction === null ? t('common.none') : `${tot.satisfaction.toFixed(2)} / 5`),
      h('span', { class: 'muted small summary-note', text: t('tk.period_note', { from: n.from || from, to: n.to || to }) }),
      proj ? h('span', { class: 'chip', text: t('list.project_filtered', { name: proj.name }) }) : null);

    // By category: a bar chart and the table.
    const cats = n.byCategory.filter((r) => r.count > 0);
    const top = cats.slice(0, 12);
    const catChart = cats.length ? chartBox({
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name) },
      series: [{ type: 'bar', name: t('tk.count'), data: top.map((r) => r.count), barMaxWidth: 18, label: { show: true, position: 'right' } }],
    }, { height: Math.max(160, top.length * 30 + 30), label: t('tk.by_category') }) : h('div', { class: 'muted empty-small', text: t('tk.no_data') });
    const catTable = fillTable([[t('tk.category')], [t('tk.count'), 'num'], [t('tk.share'), 'num']],
      cats.map((r) => h('tr', { dataset: { category: r.id ?? '' } },
        h('td', { text: r.name }), h('td', { class: 'num', text: fmt.integer(r.count) }),
        h('td', { class: 'num', text: total ? `${((r.count * 100) / total).toFixed(1)}%` : '' }))),
      { cls: 'cat-table', foot: h('tr', null, h('td', { text: t('od.total') }), h('td', { class: 'num', text: fmt.integer(total) }), h('td')) });

    // Per month: resolved in time (%) and satisfaction (1–5).
    const months = n.perMonth;
    const trendChart = months.length ? chartBox({
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: months.map((m) => m.month) },
      yAxis: [
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        { type: 'value', min: 0, max: 5, interval: 1, splitLine: { show: false } },
      ],
      series: [
        { type: 'bar', name: t('tk.satisfaction'), yAxisIndex: 1, data: months.map((m) => (m.satisfaction === null ? null : Number(m.satisfaction.toFixed(2)))), barMaxWidth: 22, itemStyle: { color: '#b7eb8f' } },
        { type: 'line', name: t('tk.resolve_rate'), data: months.map((m) => (m.resolveRate === null ? null : Number(m.resolveRate.toFixed(1)))), connectNulls: true, symbolSize: 7, itemStyle: { color: '#1677ff' } },
      ],
    }, { height: 280, label: t('tk.trend') }) : h('div', { class: 'muted empty-small', text: t('tk.no_data') });
    const trendTable = fillTable([[t('tk.month')], [t('tk.m_total'), 'num'], [t('tk.m_resolved'), 'num'], [t('tk.m_in_time'), 'num'], [t('tk.resolve_rate'), 'num'], [t('tk.m_scored'), 'num'], [t('tk.satisfaction'), 'num']],
      months.map((m) => h('tr', { dataset: { month: m.month } },
        h('td', { text: m.month }),
        h('td', { class: 'num', text: fmt.integer(m.opened ?? 0) }),
        h('td', { class: 'num', text: fmt.integer(m.resolved ?? 0) }),
        h('td', { class: 'num', text: fmt.integer(m.inTime ?? 0) }),
        h('td', { class: 'num', dataset: { col: 'resolve-rate' }, text: pctText(m.resolveRate) }),
        h('td', { class: 'num', text: fmt.integer(m.scored ?? 0) }),
        h('td', { class: 'num', dataset: { col: 'satisfaction' }, text: m.satisfaction === null ? t('common.none') : m.satisfaction.toFixed(2) }))),
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
      const items = Array.isArray(r) ? r : (r && (r.rows || r.items)) || [];
      const sum = (k) => items.reduce((a, x) => a + Number(x[k] || 0), 0);
      replace(reportBox, items.length ? fillTable([[t(`tk.by_${by}`)], [t('tk.cases'), 'num'], [t('tk.tickets_n'), 'num'], [t('tk.cost'), 'num']],
        items.map((x) => h('tr', { dataset: { key: x.key ?? x.id ?? '' } },
          h('td', { text: x.label || x.name || (x.key ? `#${x.key}` : t('tk.unassigned')) }),
          h('td', { class: 'num', text: fmt.integer(x.cases ?? x.case_count ?? 0) }),
          h('td', { class: 'num', text: fmt.integer(x.tickets ?? x.ticket_count ?? 0) }),
          h('td', { class: 'num', text: fmt.money(x.cost_fen ?? 0) }))),
        { cls: 'defect-report', foot: h('tr', null, h('td', { text: t('od.total') }), h('td', { class: 'num', text: fmt.integer(sum('cases') || sum('case_count')) }), h('td', { class: 'num', text: fmt.integer(sum('tickets') || sum('ticket_count')) }), h('td', { class: 'num', text: fmt.money(sum('cost_fen')) })) })
        : h('div', { class: 'muted empty-small', text: t('tk.defect_none') }));
    } catch (err) {
      replace(reportBox, errorState(err, loadReport));
    }
  }

  /**
   * Repairs flagged as defects and not yet in a case. The list filters by
   * is_defect; whether a ticket is in a case, and its building, are on the
   * ticket itself (read a few at a time).
   */
  async function defectTickets() {
    const r = await api.get('tickets', { limit: 100, sort: '-id', project_id: currentProject(), is_defect: 'true' });
    const list = (r && r.items) || [];
    const out = [];
    for (let i = 0; i < list.length; i += 6) {
      const part = await Promise.all(list.slice(i, i + 6).map((x) => api.get(`tickets/${x.id}/full`).catch(() => null)));
      for (const f of part) if (f && Number(f.is_defect) && !f.defect_case_id && f.status !== 'merged') out.push(f);
    }
    return out;
  }

  async function loadTickets() {
    replace(ticketsBox, loading());
    let items;
    try {
      items = await defectTickets();
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

