// 逾期催缴 (#/collections/overdue?as_of=): what is past due and unpaid on a
// date, with days overdue, the penalty and whether the contract may be
// terminated; per row 登记催缴 and (finance) 登记收款. 回款率
// (#/collections/rate?from=&to=): per project, due vs received, as a table
// and a bar chart. 违约金台账 (#/collections/penalties?from=&to=&state=): the
// penalties of what fell due in a period and was paid late — final once the
// receivable is paid in full (it has left the overdue list), else growing.
import { h, replace, clear } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { enumField, enumLabel } from './meta.js';
import { loading, errorState, toast, tag, setBusy } from './ui.js';
import { inputField, fieldsDialog, headFact } from './widgets.js';
import { barChart } from './chart.js';

// ---- dialogs ---------------------------------------------------------------------------

/** 登记收款 for a receivable row ({id, kind, amount_fen, received_fen, owed_fen, contract_no, room_code, buyer_names}). */
export function receiptDialog(r) {
  const facts = h('div', { class: 'dialog-facts' },
    headFact(t('od.contract'), r.contract_no || `#${r.contract_id}`, 'contract'),
    headFact(t('od.room'), r.room_code || '', 'room'),
    headFact(t('od.buyers'), r.buyer_names || '', 'buyers'),
    headFact(t('od.kind'), enumLabel('receivables', 'kind', r.kind), 'kind'),
    headFact(t('ct.r_amount'), fmt.money(r.amount_fen), 'amount'),
    headFact(t('ct.r_received'), fmt.money(r.received_fen), 'received'),
    headFact(t('ct.r_owed'), h('strong', { text: fmt.money(r.owed_fen) }), 'owed'));
  const methodF = enumField('receipts', 'method');
  return fieldsDialog({
    title: t('od.receipt_title'),
    extra: facts,
    grid: true,
    width: '560px',
    fields: [
      inputField({
        name: 'amount', api: 'amount_fen', label: t('od.r_amount'), type: 'money', prefix: '¥', required: true,
        value: fmt.hundredthsToInput(r.owed_fen), help: t('od.r_amount_help'),
        parse: (s) => {
          const v = fmt.parseYuan(s);
          return v === null || v <= 0 ? { error: t('form.bad_money') } : { value: v };
        },
      }),
      inputField({ name: 'received_on', label: t('od.r_on'), type: 'date', required: true, value: fmt.today() }),
      inputField({ name: 'voucher_no', label: t('od.r_voucher'), required: true, maxlen: 40, placeholder: t('od.r_voucher_ph') }),
      inputField({
        name: 'method', label: t('od.r_method'), type: 'select', required: true, value: 'transfer', placeholder: false,
        options: (methodF.options || []).filter((o) => o.value !== 'loan').map((o) => ({ value: o.value, label: enumLabel('receipts', 'method', o.value) })),
      }),
    ],
    okText: t('od.act_receipt'),
    submit: async (v) => {
      await api.post('receipts', { receivable_id: r.id, ...v });
      toast(t('od.receipt_done', { amount: fmt.money(v.amount_fen) }), 'success');
    },
  });
}

/** 登记催缴 for an overdue row. */
export function dunningDialog(r) {
  const facts = h('div', { class: 'dialog-facts' },
    headFact(t('od.contract'), r.contract_no || '', 'contract'),
    headFact(t('od.room'), r.room_code || '', 'room'),
    headFact(t('od.buyers'), r.buyer_names || '', 'buyers'),
    headFact(t('ct.r_owed'), fmt.money(r.owed_fen), 'owed'),
    r.days_overdue !== undefined ? headFact(t('od.days'), t('od.days_n', { n: r.days_overdue }), 'days') : null);
  const chF = enumField('dunning-logs', 'channel');
  return fieldsDialog({
    title: t('od.dunning_title'),
    extra: facts,
    fields: [
      inputField({ name: 'channel', label: t('od.d_channel'), type: 'seg', value: 'call', options: (chF.options || []).map((o) => ({ value: o.value, label: enumLabel('dunning-logs', 'channel', o.value) })) }),
      inputField({ name: 'outcome', label: t('od.d_outcome'), type: 'textarea', required: true, maxlen: 500, placeholder: t('od.d_outcome_ph') }),
      inputField({ name: 'next_on', label: t('od.d_next_on'), type: 'date', value: fmt.addDays(fmt.today(), 7) }),
    ],
    okText: t('od.act_dunning'),
    submit: async (v) => {
      await api.post('dunning', { contract_id: r.contract_id, receivable_id: r.id, ...v });
      toast(t('od.dunning_done'), 'success');
    },
  });
}

// ---- 逾期催缴 ----------------------------------------------------------------------------------

/** Fetch a list page's data with the table marked busy; show() it while the
 * page is still up, or an error with 重试 (retry) in the table's place. */
async function fetchInto(page, tableWrap, fetch, show, retry) {
  tableWrap.classList.add('is-loading');
  page.setAttribute('aria-busy', 'true');
  try {
    const d = await fetch();
    if (page.isConnected) show(d);
  } catch (err) {
    replace(tableWrap, errorState(err, retry));
  } finally {
    tableWrap.classList.remove('is-loading');
    page.removeAttribute('aria-busy');
  }
}

const OD_COLS = [
  // [key, label, sort value, class]
  ['project_name', 'od.project', (r) => r.project_name || ''],
  ['contract_no', 'od.contract', (r) => r.contract_no || ''],
  ['room_code', 'od.room', (r) => r.room_code || ''],
  ['buyer_names', 'od.buyers', (r) => r.buyer_names || ''],
  ['kind', 'od.kind', (r) => r.kind || ''],
  ['due_on', 'od.due', (r) => r.due_on || ''],
  ['owed_fen', 'od.owed', (r) => Number(r.owed_fen), 'num'],
  ['days_overdue', 'od.days', (r) => Number(r.days_overdue), 'num'],
  ['penalty_fen', 'od.penalty', (r) => Number(r.penalty_fen), 'num'],
  ['may_terminate', 'od.may_terminate', (r) => (r.may_terminate ? 1 : 0)],
  ['last_dunning', 'od.last_dunning', (r) => r.last_dunning || ''],
];

export async function renderOverdue(main, query, ctx) {
  ctx.setTitle(t('od.title'));
  await enumField.ready('receivables', 'kind');
  if (!ctx.isCurrent()) return;
  let asOf = fmt.isValidDate(query.get('as_of')) ? query.get('as_of') : fmt.today();
  let q = query.get('q') || '';
  let sort = query.get('sort') || '-days_overdue';
  let data = null;

  const exportBtn = can('receivable.export') ? h('button', { class: 'btn', type: 'button', text: t('list.export'), dataset: { action: 'export' } }) : null;
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('od.title') }),
      h('div', { class: 'muted small', text: t('od.subtitle') })),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('collections/rate'), text: t('cr.title') }),
      h('a', { class: 'btn', href: router.href('list', 'dunning-logs'), text: t('od.dunning_log') }),
      exportBtn));

  const dateIn = h('input', { type: 'date', id: 'od-as-of', name: 'as_of', value: asOf });
  const qIn = h('input', { type: 'search', id: 'od-q', name: 'q', value: q, placeholder: t('od.q_ph'), autocomplete: 'off', dataset: { search: '1' } });
  const form = h('form', { class: 'filter-bar', role: 'search', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'od-as-of', text: t('od.as_of') }), dateIn),
      h('div', { class: 'filter-item filter-q' }, h('label', { class: 'filter-label', for: 'od-q', text: t('list.search') }), qIn),
      h('div', { class: 'filter-buttons' },
        h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }),
        h('button', { class: 'btn', type: 'button', text: t('od.today'), onclick: () => { dateIn.value = fmt.today(); form.requestSubmit(); } }))));
  const summary = h('div', { class: 'summary-strip' });
  const tableWrap = h('div', { class: 'table-wrap' });
  const page = h('div', { class: 'page page-list page-overdue' }, header, form, summary, tableWrap);
  replace(main, page);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!fmt.isValidDate(dateIn.value)) { dateIn.classList.add('invalid'); dateIn.focus(); return; }
    dateIn.classList.remove('invalid');
    const changed = dateIn.value !== asOf;
    asOf = dateIn.value;
    q = qIn.value.trim();
    if (changed || !data) load(); else paint();
  });
  qIn.addEventListener('input', () => { q = qIn.value.trim(); paint(); });
  if (exportBtn) {
    exportBtn.addEventListener('click', async () => {
      setBusy(exportBtn, true, t('list.exporting'));
      try {
        const r = await api.download('receivables/overdue.xlsx', { as_of: asOf, project_id: currentProject() }, `逾期应收-${asOf}.xlsx`);
        toast(t('list.exported', { name: r.name }), 'success');
      } catch (err) {
        toast(err.message, 'error', 5000);
      } finally {
        setBusy(exportBtn, false);
      }
    });
  }

  function address() {
    const p = {};
    if (asOf !== fmt.today()) p.as_of = asOf;
    if (q) p.q = q;
    if (sort !== '-days_overdue') p.sort = sort;
    return router.page('collections/overdue', null, p);
  }

  function rows() {
    let items = (data && data.items) || [];
    const pid = currentProject();
    if (pid) items = items.filter((r) => String(r.project_id) === pid);
    if (q) {
      const s = q.toLowerCase();
      items = items.filter((r) => [r.contract_no, r.room_code, r.buyer_names, r.project_name].some((x) => String(x || '').toLowerCase().includes(s)));
    }
    const key = sort.replace(/^-/, '');
    const col = OD_COLS.find((c) => c[0] === key) || OD_COLS[7];
    const dir = sort.startsWith('-') ? -1 : 1;
    return items.slice().sort((a, b) => {
      const x = col[2](a);
      const y = col[2](b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (Number(a.id) - Number(b.id));
    });
  }

  function paint() {
    router.replaceQuiet(address());
    const items = rows();
    const owed = items.reduce((a, r) => a + Number(r.owed_fen || 0), 0);
    const pen = items.reduce((a, r) => a + Number(r.penalty_fen || 0), 0);
    const term = items.filter((r) => r.may_terminate).length;
    const pid = currentProject();
    const p = pid && session.projects.find((x) => String(x.id) === pid);
    replace(summary,
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('od.s_count') }), h('span', { class: 'stat-value', dataset: { stat: 'count' }, text: fmt.integer(items.length) })),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('od.s_owed') }), h('span', { class: 'stat-value', dataset: { stat: 'owed' }, text: fmt.money(owed) })),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('od.s_penalty') }), h('span', { class: 'stat-value danger', dataset: { stat: 'penalty' }, text: fmt.money(pen) })),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('od.s_terminate') }), h('span', { class: 'stat-value', dataset: { stat: 'terminate' }, text: fmt.integer(term) })),
      h('span', { class: 'muted small summary-note', text: t('od.as_of_note', { date: asOf }) }),
      p ? h('span', { class: 'chip', text: t('list.project_filtered', { name: p.name }) }) : null);

    const canDun = can('receivable.write');
    const canRec = can('receipt.write');
    const actions = canDun || canRec;
    const thead = h('thead', null, h('tr', null, OD_COLS.map(([key, label, , cls]) => {
      const dir = sort === key ? 'asc' : sort === `-${key}` ? 'desc' : '';
      return h('th', { class: ['sortable', cls, dir && `sorted-${dir}`], scope: 'col', 'aria-sort': dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none' },
        h('button', {
          type: 'button', class: 'th-sort', dataset: { sort: key },
          onclick: () => { sort = sort === `-${key}` ? key : `-${key}`; paint(); },
        }, h('span', { text: t(label) }), h('span', { class: 'sort-icon', 'aria-hidden': 'true' })));
    }), actions ? h('th', { class: 'col-actions col-sticky', text: t('list.actions') }) : null));
    const tbody = h('tbody');
    for (const r of items) {
      const grace = Number(r.late_payment_grace_days) || 0;
      const days = Number(r.days_overdue) || 0;
      const tr = h('tr', { dataset: { id: r.id, contract: r.contract_id } },
        h('td', { text: r.project_name || '' }),
        h('td', null, can('contract.read') ? h('a', { class: 'row-link mono', href: router.page('contract', r.contract_id), text: r.contract_no || `#${r.contract_id}` }) : h('span', { class: 'mono', text: r.contract_no || '' })),
        h('td', { class: 'mono', text: r.room_code || '' }),
        h('td', null, h('span', { class: 'ellipsis cell-buyers', title: r.buyer_names || '', text: r.buyer_names || '' })),
        h('td', { text: enumLabel('receivables', 'kind', r.kind) }),
        h('td', { text: r.due_on || '' }),
        h('td', { class: 'num', dataset: { col: 'owed' }, title: t('od.owed_tip', { amount: fmt.money(r.amount_fen), received: fmt.money(r.received_fen) }), text: fmt.money(r.owed_fen) }),
        h('td', { class: 'num', dataset: { col: 'days' } }, tag(t('od.days_n', { n: days }), days > grace ? 'red' : 'orange')),
        h('td', { class: 'num', dataset: { col: 'penalty' }, text: fmt.money(r.penalty_fen) }),
        h('td', { dataset: { col: 'terminate' } }, r.may_terminate ? tag(t('od.may_terminate_yes'), 'red') : h('span', { class: 'muted', text: t('common.no') })),
        h('td', { dataset: { col: 'last-dunning' }, class: 'two-line', title: r.last_dunning ? `${fmt.datetime(r.last_dunning)} ${r.last_dunning_outcome || ''}` : null },
          h('div', { class: 'nowrap', dataset: { part: 'when' }, text: r.last_dunning ? fmt.date(r.last_dunning) : t('common.none') }),
          r.last_dunning_outcome ? h('div', { class: 'muted small ellipsis cell-outcome', dataset: { part: 'outcome' }, text: r.last_dunning_outcome }) : null),
        actions ? h('td', { class: 'col-actions col-sticky nowrap' },
          canDun ? h('button', { class: 'btn btn-link btn-sm', type: 'button', text: t('od.act_dunning'), dataset: { action: 'dunning' }, onclick: () => dunningDialog(r).then((ok) => ok && load()) }) : null,
          canRec ? h('button', { class: 'btn btn-link btn-sm', type: 'button', text: t('od.act_receipt'), dataset: { action: 'receipt' }, onclick: () => receiptDialog(r).then((ok) => ok && load()) }) : null) : null);
      tbody.append(tr);
    }
    const tfoot = h('tfoot', null, h('tr', null,
      h('td', { colspan: 6, class: 'items-total-label', text: t('od.total_n', { n: items.length }) }),
      h('td', { class: 'num', text: fmt.money(owed) }), h('td'),
      h('td', { class: 'num', text: fmt.money(pen) }), h('td'), h('td'), actions ? h('td', { class: 'col-sticky' }) : null));
    clear(tableWrap);
    tableWrap.append(h('table', { class: 'data-table overdue-table' }, thead, tbody, items.length ? tfoot : null));
    if (!items.length) {
      tableWrap.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: q ? t('list.empty_filtered') : t('od.empty', { date: asOf }) })));
    }
  }

  async function load() {
    router.replaceQuiet(address());
    await fetchInto(page, tableWrap, () => api.get('receivables/overdue', { as_of: asOf }), (d) => { data = d; paint(); }, load);
  }

  tableWrap.append(loading());
  await load();
}

// ---- 统计期间 (回款率, 违约金台账) --------------------------------------------------------------

/** The period of a report: this year to today unless the address says
 * otherwise; a form with the two dates, 本月/本季度/本年 and 查询 (extra
 * filter items after them), calling submit() with valid dates. */
function period(query, idPrefix, submit, ...extra) {
  const today = fmt.today();
  const yearStart = `${today.slice(0, 4)}-01-01`;
  const p = {
    from: fmt.isValidDate(query.get('from')) ? query.get('from') : yearStart,
    to: fmt.isValidDate(query.get('to')) ? query.get('to') : today,
    /** The address's from/to, or null for the default period. */
    params() { return p.from === yearStart && p.to === today ? {} : { from: p.from, to: p.to }; },
  };
  const fromIn = h('input', { type: 'date', id: `${idPrefix}-from`, name: 'from', value: p.from });
  const toIn = h('input', { type: 'date', id: `${idPrefix}-to`, name: 'to', value: p.to });
  const quick = (label, f, tt) => h('button', { class: 'btn btn-link', type: 'button', text: label, onclick: () => { fromIn.value = f; toIn.value = tt; p.form.requestSubmit(); } });
  const m0 = `${today.slice(0, 7)}-01`;
  const qm = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
  const q0 = `${today.slice(0, 4)}-${String(qm).padStart(2, '0')}-01`;
  p.form = h('form', { class: 'filter-bar', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: `${idPrefix}-from`, text: t('cr.period') }),
        h('div', { class: 'range range-date' }, fromIn, h('span', { class: 'range-sep', text: '~' }), toIn)),
      h('div', { class: 'filter-item' }, quick(t('cr.this_month'), m0, today), quick(t('cr.this_quarter'), q0, today), quick(t('cr.this_year'), yearStart, today)),
      ...extra,
      h('div', { class: 'filter-buttons' }, h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }))));
  p.form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const x of [fromIn, toIn]) x.classList.toggle('invalid', !fmt.isValidDate(x.value));
    if (!fmt.isValidDate(fromIn.value) || !fmt.isValidDate(toIn.value)) return;
    if (toIn.value < fromIn.value) { toIn.classList.add('invalid'); toast(t('cr.bad_range'), 'error'); return; }
    p.from = fromIn.value;
    p.to = toIn.value;
    submit();
  });
  return p;
}

/** The head of a collections page: its title and subtitle (`${key}.title`,
 * `${key}.subtitle`), links to the other pages ([page, label key]) and the
 * Excel button. */
function pageHead(key, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t(`${key}.title`) }), h('div', { class: 'muted small', text: t(`${key}.subtitle`) })),
    h('div', { class: 'page-actions' }, actions.map((a) => (Array.isArray(a) ? h('a', { class: 'btn', href: router.page(a[0]), text: t(a[1]) }) : a))));
}

/** An Excel button for a report (null without receivable.export). */
function exportButton(path, params, name) {
  if (!can('receivable.export')) return null;
  const btn = h('button', { class: 'btn', type: 'button', text: t('list.export'), dataset: { action: 'export' } });
  btn.addEventListener('click', async () => {
    setBusy(btn, true, t('list.exporting'));
    try {
      const r = await api.download(path, params(), name());
      toast(t('list.exported', { name: r.name }), 'success');
    } catch (err) {
      toast(err.message, 'error', 5000);
    } finally {
      setBusy(btn, false);
    }
  });
  return btn;
}

// ---- 回款率 ----------------------------------------------------------------------------------

export async function renderCollectionRate(main, query, ctx) {
  ctx.setTitle(t('cr.title'));
  const per = period(query, 'cr', () => load());
  const exportBtn = exportButton('collections/rate.xlsx', () => ({ from: per.from, to: per.to, project_id: currentProject() }), () => `回款率-${per.from}至${per.to}.xlsx`);
  const header = pageHead('cr', ['collections/overdue', 'od.title'], ['collections/penalties', 'pn.title'], exportBtn);
  const body = h('div', { class: 'report-body' });
  const page = h('div', { class: 'page page-rate' }, header, per.form, body);
  replace(main, page);

  async function load() {
    const { from, to } = per;
    router.replaceQuiet(router.page('collections/rate', null, per.params()));
    replace(body, loading());
    let d;
    try {
      d = await api.get('collections/rate', { from, to, project_id: currentProject() });
    } catch (err) {
      replace(body, errorState(err, load));
      return;
    }
    if (!page.isConnected) return;
    const items = d.items || [];
    const rateCell = (bp) => h('div', { class: 'rate-cell' },
      h('div', { class: 'rate-bar' }, h('div', { class: ['rate-fill', Number(bp) < 7000 ? 'low' : Number(bp) < 9000 ? 'mid' : 'high'], style: { width: `${Math.min(100, Number(bp) / 100)}%` } })),
      h('span', { class: 'rate-text', text: fmt.bpPercent(bp) }));
    const tbl = h('table', { class: 'data-table rate-table' },
      h('thead', null, h('tr', null, [t('cr.project'), t('cr.count'), t('cr.due'), t('cr.received'), t('cr.owed'), t('cr.rate')].map((x, i) => h('th', { class: i > 0 && i < 5 ? 'num' : null, text: x })))),
      h('tbody', null, items.map((r) => h('tr', { dataset: { project: r.project_id } },
        h('td', { text: r.project_name || `#${r.project_id}` }),
        h('td', { class: 'num', text: fmt.integer(r.receivables) }),
        h('td', { class: 'num', text: fmt.money(r.due_fen) }),
        h('td', { class: 'num', text: fmt.money(r.received_fen) }),
        h('td', { class: 'num', text: fmt.money(Number(r.due_fen) - Number(r.received_fen)) }),
        h('td', { dataset: { col: 'rate' } }, rateCell(r.rate_bp))))),
      h('tfoot', null, h('tr', null,
        h('td', { text: t('od.total') }),
        h('td', { class: 'num', text: fmt.integer(items.reduce((a, r) => a + Number(r.receivables || 0), 0)) }),
        h('td', { class: 'num', text: fmt.money(d.due_fen) }),
        h('td', { class: 'num', text: fmt.money(d.received_fen) }),
        h('td', { class: 'num', text: fmt.money(Number(d.due_fen) - Number(d.received_fen)) }),
        h('td', { dataset: { col: 'rate' } }, rateCell(d.rate_bp)))));
    const chart = barChart({
      title: t('cr.chart_title'),
      rows: items.map((r) => ({
        label: r.project_name || `#${r.project_id}`,
        bars: [
          { key: 'due', label: t('cr.due'), value: Number(r.due_fen), text: fmt.money(r.due_fen), color: '#d9d9d9' },
          { key: 'received', label: t('cr.received'), value: Number(r.received_fen), text: `${fmt.money(r.received_fen)}（${fmt.bpPercent(r.rate_bp)}）`, color: '#1677ff' },
        ],
      })),
    });
    replace(body,
      h('section', { class: 'card', dataset: { part: 'table' } },
        h('h2', { class: 'card-title', text: t('cr.table_title', { from, to }) }),
        items.length ? h('div', { class: 'table-wrap table-static' }, tbl) : h('div', { class: 'empty-small muted', text: t('cr.empty') }),
        h('p', { class: 'muted small', text: t('cr.note') })),
      items.length ? h('section', { class: 'card chart-card', dataset: { part: 'chart' } }, h('h2', { class: 'card-title', text: t('cr.chart_title') }), chart) : null);
  }

  await load();
}

// ---- 违约金台账 ------------------------------------------------------------------------------

export async function renderPenalties(main, query, ctx) {
  ctx.setTitle(t('pn.title'));
  await enumField.ready('receivables', 'kind');
  if (!ctx.isCurrent()) return;
  let state = ['final', 'accruing'].includes(query.get('state')) ? query.get('state') : '';
  let data = null;
  const stateSeg = h('div', { class: 'seg', role: 'group', 'aria-label': t('pn.state') },
    [['', 'pn.all'], ['final', 'pn.final'], ['accruing', 'pn.accruing']].map(([v, label]) =>
      h('button', { type: 'button', class: ['seg-btn', v === state && 'active'], 'aria-pressed': String(v === state), dataset: { state: v || 'all' }, text: t(label),
        onclick: () => { state = v; for (const b of stateSeg.children) { const on = b.dataset.state === (v || 'all'); b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); } paint(); } })));
  const per = period(query, 'pn', () => load(),
    h('div', { class: 'filter-item' }, h('span', { class: 'filter-label', text: t('pn.state') }), stateSeg));
  const exportBtn = exportButton('receivables/penalties.xlsx', () => ({ from: per.from, to: per.to, project_id: currentProject() }), () => `违约金台账-${per.from}至${per.to}.xlsx`);
  const header = pageHead('pn', ['collections/overdue', 'od.title'], ['collections/rate', 'cr.title'], exportBtn);
  const summary = h('div', { class: 'summary-strip' });
  const tableWrap = h('div', { class: 'table-wrap' });
  const page = h('div', { class: 'page page-list page-penalties' }, header, per.form, summary, tableWrap);
  replace(main, page);

  function paint() {
    router.replaceQuiet(router.page('collections/penalties', null, { ...per.params(), ...(state ? { state } : {}) }));
    const all = (data && data.items) || [];
    const items = all.filter((r) => !state || (state === 'final') === Boolean(r.paid_in_full));
    const sum = (xs) => xs.reduce((a, r) => a + Number(r.penalty_fen || 0), 0);
    const stat = (key, label, value, cls) => h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t(label) }), h('span', { class: ['stat-value', cls], dataset: { stat: key }, text: value }));
    replace(summary,
      stat('count', 'pn.s_count', fmt.integer(items.length)),
      stat('penalty', 'pn.s_penalty', fmt.money(sum(items)), 'danger'),
      stat('final', 'pn.s_final', fmt.money(sum(items.filter((r) => r.paid_in_full)))),
      stat('accruing', 'pn.s_accruing', fmt.money(sum(items.filter((r) => !r.paid_in_full)))),
      h('span', { class: 'muted small summary-note', text: t('pn.note', { to: per.to }) }));
    const cols = ['od.project', 'od.contract', 'od.room', 'od.buyers', 'od.kind', 'od.due', 'pn.amount', 'pn.paid', 'od.days', 'pn.rate', 'od.penalty'];
    const numeric = new Set(['pn.amount', 'od.days', 'od.penalty']);
    const tbody = h('tbody', null, items.map((r) => h('tr', { dataset: { id: r.id, contract: r.contract_id } },
      h('td', { text: r.project_name || '' }),
      h('td', null, can('contract.read') ? h('a', { class: 'row-link mono', href: router.page('contract', r.contract_id), text: r.contract_no || `#${r.contract_id}` }) : h('span', { class: 'mono', text: r.contract_no || '' })),
      h('td', { class: 'mono', text: r.room_code || '' }),
      h('td', null, h('span', { class: 'ellipsis cell-buyers', title: r.buyer_names || '', text: r.buyer_names || '' })),
      h('td', { text: enumLabel('receivables', 'kind', r.kind) }),
      h('td', { text: r.due_on || '' }),
      h('td', { class: 'num', text: fmt.money(r.amount_fen) }),
      h('td', { dataset: { col: 'paid' } }, r.paid_in_full
        ? h('span', { class: 'nowrap', text: t('pn.paid_on', { date: r.paid_on }) })
        : tag(t('pn.owing', { amount: fmt.money(r.owed_fen) }), 'orange')),
      h('td', { class: 'num', text: t('od.days_n', { n: Number(r.days_overdue) || 0 }) }),
      h('td', { class: 'num', text: t('pn.rate_v', { rate: r.late_payment_rate }) }),
      h('td', { class: 'num', dataset: { col: 'penalty' } }, h('strong', { text: fmt.money(r.penalty_fen) }), r.paid_in_full ? null : h('span', { class: 'muted small', text: ` ${t('pn.growing')}` })))));
    const table = h('table', { class: 'data-table penalty-table' },
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', class: numeric.has(c) ? 'num' : null, text: t(c) })))),
      tbody,
      items.length ? h('tfoot', null, h('tr', null,
        h('td', { colspan: 10, class: 'items-total-label', text: t('od.total_n', { n: items.length }) }),
        h('td', { class: 'num', dataset: { col: 'penalty-total' }, text: fmt.money(sum(items)) }))) : null);
    clear(tableWrap);
    tableWrap.append(table);
    if (!items.length) {
      tableWrap.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: t('pn.empty', { from: per.from, to: per.to }) })));
    }
  }

  async function load() {
    await fetchInto(page, tableWrap, () => api.get('receivables/penalties', { from: per.from, to: per.to, project_id: currentProject() }), (d) => { data = d; paint(); }, load);
  }

  tableWrap.append(loading());
  await load();
}
