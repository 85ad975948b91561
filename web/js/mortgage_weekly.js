// 按揭周报 (#/mortgage/weekly?week=&stuck_days=): per bank and project, the
// loans in each stage (count and amount) as of that week's Sunday, what was
// disbursed that week and so far, the loans stuck in a stage, and a stacked
// bar chart of counts by stage per bank. Excel from the same report.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { enumField, enumLabel } from './meta.js';
import { loading, errorState, toast, tag, enumTag, setBusy } from './ui.js';
import { stackedBarChart } from './chart.js';
import { STAGES } from './loan.js';

const ALL_STAGES = [...STAGES, 'refused'];
export const STAGE_COLORS = {
  collecting: '#bfbfbf', signed: '#91caff', reviewing: '#ffc069', approved: '#1677ff', disbursed: '#52c41a', refused: '#ff4d4f',
};

export async function renderWeekly(main, query, ctx) {
  ctx.setTitle(t('wk.title'));
  await enumField.ready('loans', 'stage');
  if (!ctx.isCurrent()) return;
  let week = fmt.isValidDate(query.get('week')) ? query.get('week') : fmt.today();
  let stuck = /^\d{1,3}$/.test(query.get('stuck_days') || '') ? Number(query.get('stuck_days')) : 14;

  const weekIn = h('input', { type: 'date', id: 'wk-week', name: 'week', value: week });
  const stuckIn = h('input', { type: 'text', inputmode: 'numeric', id: 'wk-stuck', name: 'stuck_days', value: String(stuck), class: 'input-narrow', autocomplete: 'off' });
  const span = h('span', { class: 'week-span', dataset: { part: 'span' } });
  const shift = (n) => { weekIn.value = fmt.addDays(weekIn.value || week, n * 7); form.requestSubmit(); };
  const form = h('form', { class: 'filter-bar', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'wk-week', text: t('wk.week') }),
        h('button', { class: 'btn', type: 'button', text: '‹', 'aria-label': t('wk.prev'), title: t('wk.prev'), dataset: { action: 'prev-week' }, onclick: () => shift(-1) }),
        weekIn,
        h('button', { class: 'btn', type: 'button', text: '›', 'aria-label': t('wk.next'), title: t('wk.next'), dataset: { action: 'next-week' }, onclick: () => shift(1) }),
        span),
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'wk-stuck', text: t('wk.stuck_days') }),
        h('div', { class: 'input-affix suffix' }, stuckIn, h('span', { class: 'affix', text: t('wk.days') }))),
      h('div', { class: 'filter-buttons' },
        h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }),
        h('button', { class: 'btn', type: 'button', text: t('wk.this_week'), onclick: () => { weekIn.value = fmt.today(); form.requestSubmit(); } }))));
  const exportBtn = can('loan.export') ? h('button', { class: 'btn', type: 'button', text: t('list.export'), dataset: { action: 'export' } }) : null;
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('wk.title') }), h('div', { class: 'muted small', text: t('wk.subtitle') })),
    h('div', { class: 'page-actions' }, h('a', { class: 'btn', href: router.href('list', 'loans'), text: t('wk.loans') }), exportBtn));
  const body = h('div', { class: 'report-body' });
  const page = h('div', { class: 'page page-weekly' }, header, form, body);
  replace(main, page);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const okW = fmt.isValidDate(weekIn.value);
    const okS = /^\d{1,3}$/.test(stuckIn.value.trim()) && Number(stuckIn.value) >= 1 && Number(stuckIn.value) <= 365;
    weekIn.classList.toggle('invalid', !okW);
    stuckIn.classList.toggle('invalid', !okS);
    if (!okW || !okS) { toast(okW ? t('wk.bad_stuck') : t('form.bad_date'), 'error'); return; }
    week = weekIn.value;
    stuck = Number(stuckIn.value.trim());
    load();
  });
  if (exportBtn) {
    exportBtn.addEventListener('click', async () => {
      setBusy(exportBtn, true, t('list.exporting'));
      try {
        const r = await api.download('mortgage/weekly.xlsx', { week, stuck_days: stuck, project_id: currentProject() }, `按揭周报-${fmt.mondayOf(week)}.xlsx`);
        toast(t('list.exported', { name: r.name }), 'success');
      } catch (err) {
        toast(err.message, 'error', 5000);
      } finally {
        setBusy(exportBtn, false);
      }
    });
  }

  async function load() {
    const monday = fmt.mondayOf(week);
    span.textContent = t('wk.span', { from: monday, to: fmt.addDays(monday, 6) });
    router.replaceQuiet(router.page('mortgage/weekly', null, { week, stuck_days: stuck === 14 ? '' : stuck }));
    replace(body, loading());
    let d;
    try {
      d = await api.get('mortgage/weekly', { week, stuck_days: stuck });
    } catch (err) {
      replace(body, errorState(err, load));
      return;
    }
    if (!page.isConnected) return;
    span.textContent = t('wk.span', { from: d.week_start, to: d.week_end });
    paint(d);
  }

  function paint(d) {
    const label = (s) => (d.stage_labels && d.stage_labels[s]) || enumLabel('loans', 'stage', s);
    const pid = currentProject();
    const proj = pid && session.projects.find((x) => String(x.id) === pid);
    let rows = (d.rows || []).slice();
    if (pid) rows = rows.filter((r) => String(r.project_id) === pid);
    rows.sort((a, b) => Number(a.bank_id) - Number(b.bank_id) || Number(a.project_id) - Number(b.project_id));
    // Totals: the report's own, or (with the project switcher) of the shown rows.
    const totals = pid ? sumRows(rows) : (d.totals || sumRows(rows));

    const cell = (count, amount) => h('td', { class: 'num wk-cell' },
      h('div', { class: ['wk-count', !Number(count) && 'zero'], text: fmt.integer(count || 0) }),
      Number(amount) ? h('div', { class: 'wk-amount', text: fmt.money(amount) }) : null);
    const thead = h('thead', null,
      h('tr', null,
        h('th', { text: t('wk.bank') }), h('th', { text: t('wk.project') }),
        ALL_STAGES.map((s) => h('th', { class: 'num', dataset: { stage: s } }, h('span', { class: 'stage-dot', style: { background: STAGE_COLORS[s] }, 'aria-hidden': 'true' }), label(s))),
        h('th', { class: 'num', text: t('wk.disbursed_week') }), h('th', { class: 'num', text: t('wk.disbursed_total') })));
    const tbody = h('tbody');
    const banks = [...new Set(rows.map((r) => r.bank_id))];
    for (const b of banks) {
      const mine = rows.filter((r) => r.bank_id === b);
      mine.forEach((r, i) => {
        tbody.append(h('tr', { dataset: { bank: r.bank_id, project: r.project_id } },
          i === 0 ? h('th', { scope: 'rowgroup', rowspan: mine.length, class: 'wk-bank', text: r.bank_name || `#${r.bank_id}` }) : null,
          h('td', { text: r.project_name || `#${r.project_id}` }),
          ALL_STAGES.map((s) => cell((r.count || {})[s], (r.amount_fen || {})[s])),
          h('td', { class: ['num', Number(r.disbursed_week_fen) ? 'strong' : 'zero-money'], dataset: { col: 'week' }, text: fmt.money(r.disbursed_week_fen || 0) }),
          h('td', { class: 'num', dataset: { col: 'total' }, text: fmt.money(r.disbursed_total_fen || 0) })));
      });
    }
    const tfoot = h('tfoot', null, h('tr', null,
      h('td', { colspan: 2, class: 'items-total-label', text: t('od.total') }),
      ALL_STAGES.map((s) => cell((totals.count || {})[s], (totals.amount_fen || {})[s])),
      h('td', { class: 'num', dataset: { col: 'week' }, text: fmt.money(totals.disbursed_week_fen || 0) }),
      h('td', { class: 'num', dataset: { col: 'total' }, text: fmt.money(totals.disbursed_total_fen || 0) })));
    const table = rows.length
      ? h('div', { class: 'table-wrap table-static' }, h('table', { class: 'data-table weekly-table' }, thead, tbody, tfoot))
      : h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }), h('div', { class: 'empty-text', text: t('wk.empty') }));

    // Chart: counts by stage per bank (all projects shown).
    const byBank = new Map();
    for (const r of rows) {
      if (!byBank.has(r.bank_id)) byBank.set(r.bank_id, { label: r.bank_name || `#${r.bank_id}`, key: r.bank_id, count: {} });
      const x = byBank.get(r.bank_id);
      for (const s of ALL_STAGES) x.count[s] = (x.count[s] || 0) + Number((r.count || {})[s] || 0);
    }
    const chart = stackedBarChart({
      title: t('wk.chart_title'),
      series: ALL_STAGES.map((s) => ({ key: s, label: label(s), color: STAGE_COLORS[s] })),
      rows: [...byBank.values()].map((x) => ({
        key: x.key, label: x.label,
        parts: ALL_STAGES.map((s) => ({ key: s, label: label(s), value: x.count[s], color: STAGE_COLORS[s], dark: s === 'collecting' || s === 'reviewing' || s === 'signed' })),
      })),
      unit: t('wk.loans_unit'),
      width: 500,
    });

    // Stuck loans, longest first.
    const bankName = new Map((d.rows || []).map((r) => [String(r.bank_id), r.bank_name]));
    const projName = new Map((d.rows || []).map((r) => [String(r.project_id), r.project_name]));
    let stuckList = (d.stuck || []).slice();
    if (pid) stuckList = stuckList.filter((x) => String(x.project_id) === pid);
    stuckList.sort((a, b) => Number(b.days) - Number(a.days));
    const stageF = enumField('loans', 'stage');
    const stuckBody = h('tbody', null, stuckList.map((x) => h('tr', { dataset: { loan: x.loan_id } },
      h('td', null, h('a', { class: 'row-link mono', href: router.page('loan', x.loan_id), text: `#${x.loan_id}` }), h('span', { class: 'stuck-room mono small', dataset: { room: x.loan_id } })),
      h('td', { class: 'two-line' }, h('div', { text: bankName.get(String(x.bank_id)) || `#${x.bank_id}` }),
        h('div', { class: 'muted small', text: projName.get(String(x.project_id)) || `#${x.project_id}` })),
      h('td', null, enumTag(stageF, x.stage)),
      h('td', { text: x.since || '' }),
      h('td', { class: 'num' }, tag(t('wk.days_n', { n: x.days }), Number(x.days) > stuck * 2 ? 'red' : 'orange')))));
    const stuckCard = h('section', { class: 'card stuck-card', dataset: { part: 'stuck' } },
      h('h2', { class: 'card-title' }, t('wk.stuck_title', { n: stuck }), h('span', { class: 'count', text: String(stuckList.length) })),
      stuckList.length ? h('div', { class: 'table-wrap stuck-wrap' }, h('table', { class: 'data-table' },
        h('thead', null, h('tr', null, [t('wk.loan'), t('wk.bank_project'), t('wk.stage'), t('wk.since'), t('wk.stuck_for')].map((c, i) => h('th', { class: i === 4 ? 'num' : null, text: c })))),
        stuckBody)) : h('div', { class: 'muted empty-small', text: t('wk.stuck_none') }));
    fillRooms(stuckList, stuckBody);

    replace(body,
      h('section', { class: 'card', dataset: { part: 'table' } },
        h('div', { class: 'card-head' },
          h('h2', { class: 'card-title', text: t('wk.table_title', { from: d.week_start, to: d.week_end }) }),
          h('span', { class: 'muted small', text: t('wk.cell_hint') }),
          proj ? h('span', { class: 'chip', text: t('list.project_filtered', { name: proj.name }) }) : null),
        table,
        h('p', { class: 'muted small', text: t('wk.note', { sunday: d.week_end }) })),
      h('div', { class: 'report-row' },
        h('section', { class: 'card chart-card', dataset: { part: 'chart' } }, h('h2', { class: 'card-title', text: t('wk.chart_title') }),
          byBank.size ? chart : h('div', { class: 'muted empty-small', text: t('wk.empty') })),
        stuckCard));
  }

  await load();
}

function sumRows(rows) {
  const out = { count: {}, amount_fen: {}, disbursed_week_fen: 0, disbursed_total_fen: 0 };
  for (const r of rows) {
    for (const s of ALL_STAGES) {
      out.count[s] = (out.count[s] || 0) + Number((r.count || {})[s] || 0);
      out.amount_fen[s] = (out.amount_fen[s] || 0) + Number((r.amount_fen || {})[s] || 0);
    }
    out.disbursed_week_fen += Number(r.disbursed_week_fen || 0);
    out.disbursed_total_fen += Number(r.disbursed_total_fen || 0);
  }
  return out;
}

/**
 * The stuck list names loans by id only: fill in room and buyers from the
 * loans list (one request; loans it does not return keep their number).
 */
async function fillRooms(stuckList, tbody) {
  if (!stuckList.length) return;
  try {
    const r = await api.get('loans', { limit: 200, sort: 'stage_since' });
    const by = new Map(((r && r.items) || []).map((x) => [String(x.id), x]));
    for (const s of stuckList) {
      const l = by.get(String(s.loan_id));
      const el = tbody.querySelector(`[data-room="${CSS.escape(String(s.loan_id))}"]`);
      if (l && el) {
        el.textContent = ` ${l.room_code || ''}`;
        el.title = l.buyer_names || '';
      }
    }
  } catch { /* numbers only */ }
}
