// 房贷计算器 (#/calc/mortgage): principal, term, rate and method; or a
// combined loan (商贷 + 公积金, each with its own rate and term) computed by
// the API part by part and shown as one schedule. Money stays in integer fen.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { loading, errorState } from './ui.js';
import { inputField, readFields, showApiError } from './widgets.js';

function partFields(prefix, { label, rate }) {
  const principal = inputField({
    name: `${prefix}_principal`, api: 'principal_fen', label: t('calc.principal'), required: true, prefix: '¥',
    placeholder: t('calc.principal_ph'), help: label ? null : t('calc.principal_help'),
    parse: (s) => {
      const v = fmt.parseYuan(s, { wan: true });
      return v === null || v <= 0 ? { error: t('calc.bad_principal') } : { value: v };
    },
  });
  let unit = 'year';
  const termIn = h('input', { type: 'text', inputmode: 'numeric', name: `${prefix}_term`, id: `calc-${prefix}-term`, value: '30', autocomplete: 'off' });
  const unitSeg = h('div', { class: 'seg term-unit', role: 'group', 'aria-label': t('calc.term_unit') },
    ['year', 'month'].map((u) => h('button', {
      type: 'button', class: ['seg-btn', u === unit && 'active'], 'aria-pressed': String(u === unit), dataset: { unit: u }, text: t(`calc.unit_${u}`),
      onclick: (e) => {
        if (unit === u) return;
        const n = Number(termIn.value);
        if (Number.isInteger(n) && n > 0) termIn.value = String(u === 'month' ? n * 12 : Math.max(1, Math.round(n / 12)));
        unit = u;
        for (const b of unitSeg.children) { const on = b === e.currentTarget; b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); }
      },
    })));
  const term = inputField({
    name: `${prefix}_term`, api: 'months', label: t('calc.term'), type: 'element', required: true,
    el: h('div', { class: 'term-row' }, termIn, unitSeg),
    read: () => {
      const s = termIn.value.trim();
      if (!/^\d{1,3}$/.test(s)) return { error: t('calc.bad_term') };
      const months = unit === 'year' ? Number(s) * 12 : Number(s);
      return months >= 1 && months <= 360 ? { value: months } : { error: t('calc.bad_term') };
    },
  });
  term.input = termIn;
  const rateF = inputField({ name: `${prefix}_rate`, api: 'annual_rate_percent', label: t('calc.rate'), type: 'rate', suffix: '%', required: true, value: rate });
  const el = [principal.el, h('div', { class: 'calc-pair' }, term.el, rateF.el)];
  return { fields: [principal, term, rateF], el, principal, term, rate: rateF };
}

export function renderCalc(main, query, ctx) {
  ctx.setTitle(t('calc.title'));
  let mode = query.get('mode') === 'combined' ? 'combined' : 'single';
  let method = query.get('method') === 'equal_principal' ? 'equal_principal' : 'equal_payment';

  const single = partFields('s', { label: '', rate: '3.1' });
  const comm = partFields('c', { label: t('calc.part_c'), rate: '3.1' });
  const prov = partFields('p', { label: t('calc.part_p'), rate: '2.6' });
  const seg = (name, opts, cur, onChange) => {
    const box = h('div', { class: 'seg form-seg', role: 'group', dataset: { name } });
    for (const [v, label] of opts) {
      box.append(h('button', {
        type: 'button', class: ['seg-btn', v === cur && 'active'], 'aria-pressed': String(v === cur), dataset: { value: v }, text: label,
        onclick: () => {
          for (const b of box.children) { const on = b.dataset.value === v; b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); }
          onChange(v);
        },
      }));
    }
    return box;
  };
  const singleBox = h('div', { class: 'calc-part', dataset: { part: 'single' } }, single.el);
  const combBox = h('div', { class: 'calc-part', dataset: { part: 'combined' } },
    h('div', { class: 'calc-part-title', text: t('calc.part_c') }), comm.el,
    h('div', { class: 'calc-part-title', text: t('calc.part_p') }), prov.el);
  const showMode = () => {
    singleBox.hidden = mode !== 'single';
    combBox.hidden = mode !== 'combined';
  };
  showMode();
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const calcBtn = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('calc.run'), dataset: { action: 'calculate' } });
  const form = h('form', { class: 'card calc-form', novalidate: true },
    h('div', { class: 'form-item' }, h('span', { class: 'form-label', text: t('calc.mode') }),
      seg('mode', [['single', t('calc.mode_single')], ['combined', t('calc.mode_combined')]], mode, (v) => { mode = v; showMode(); })),
    h('div', { class: 'form-item' }, h('span', { class: 'form-label', text: t('calc.method') }),
      seg('method', [['equal_payment', t('calc.equal_payment')], ['equal_principal', t('calc.equal_principal')]], method, (v) => { method = v; })),
    banner, singleBox, combBox, calcBtn,
    h('p', { class: 'muted small calc-note', text: t('calc.note') }));
  const result = h('div', { class: 'calc-result' },
    h('div', { class: 'card empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }), h('div', { class: 'empty-text', text: t('calc.empty') })));
  replace(main, h('div', { class: 'page page-calc' },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('calc.title') }),
      h('div', { class: 'muted small', text: t('calc.subtitle') }))),
    h('div', { class: 'calc-body' }, form, result)));

  async function run() {
    banner.hidden = true;
    const parts = mode === 'single' ? [['single', single]] : [['c', comm], ['p', prov]];
    const reqs = [];
    let bad = null;
    for (const [key, p] of parts) {
      const { values, bad: b } = readFields(p.fields);
      bad = bad || b;
      reqs.push({ key, p, body: { ...values, method } });
    }
    if (bad) { bad.focus(); return; }
    calcBtn.disabled = true;
    replace(result, loading());
    try {
      const replies = await Promise.all(reqs.map((r) => api.post('calc/mortgage', r.body).catch((e) => { e.part = r.p; throw e; })));
      paint(reqs.map((r, i) => ({ key: r.key, body: r.body, res: replies[i] })));
    } catch (e) {
      if (!(e.part && showApiError(e.part.fields, e))) {
        banner.textContent = e.message;
        banner.hidden = false;
      }
      replace(result, errorState(e));
    } finally {
      calcBtn.disabled = false;
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  form.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });

  function paint(parts) {
    const combined = parts.length > 1;
    const n = Math.max(...parts.map((p) => p.res.schedule.length));
    const at = (p, i) => p.res.schedule[i] || null;
    const totalPrincipal = parts.reduce((a, p) => a + p.body.principal_fen, 0);
    const totalInterest = parts.reduce((a, p) => a + Number(p.res.total_interest_fen), 0);
    const totalPaid = parts.reduce((a, p) => a + Number(p.res.total_payment_fen), 0);
    const first = parts.reduce((a, p) => a + Number((at(p, 0) || {}).payment_fen || 0), 0);
    const second = parts.reduce((a, p) => a + Number((at(p, 1) || {}).payment_fen || 0), 0);
    const last = parts.reduce((a, p) => a + Number((p.res.schedule[p.res.schedule.length - 1] || {}).payment_fen || 0), 0);
    const stat = (key, label, value, cls) => h('div', { class: ['calc-stat', cls], dataset: { stat: key } },
      h('span', { class: 'stat-label', text: label }), h('span', { class: 'stat-value', text: value }));
    const stats = h('div', { class: 'calc-stats' },
      stat('first', t('calc.first_month'), fmt.money(first), 'main'),
      method === 'equal_principal' ? stat('decrease', t('calc.decrease'), fmt.money(first - second)) : null,
      method === 'equal_principal' ? stat('last', t('calc.last_month'), fmt.money(last)) : null,
      stat('interest', t('calc.total_interest'), fmt.money(totalInterest)),
      stat('paid', t('calc.total_paid'), fmt.money(totalPaid)),
      stat('principal', t('calc.total_principal'), fmt.money(totalPrincipal)));
    const partLines = combined ? h('ul', { class: 'calc-parts' }, parts.map((p) => h('li', { dataset: { part: p.key } },
      h('strong', { text: p.key === 'c' ? t('calc.part_c') : t('calc.part_p') }),
      h('span', { text: t('calc.part_line', {
        principal: fmt.money(p.body.principal_fen), rate: fmt.percentText(p.body.annual_rate_percent), months: p.body.months,
        first: fmt.money(p.res.schedule[0].payment_fen), interest: fmt.money(p.res.total_interest_fen),
      }) })))) : null;

    const cols = combined
      ? [t('calc.col_month'), t('calc.col_pay_c'), t('calc.col_pay_p'), t('calc.col_pay_total'), t('calc.col_interest_total'), t('calc.col_bal_c'), t('calc.col_bal_p')]
      : [t('calc.col_month'), t('calc.col_pay'), t('calc.col_principal'), t('calc.col_interest'), t('calc.col_balance')];
    const tbody = h('tbody');
    const cellM = (v) => h('td', { class: 'num', text: v === null ? '' : fmt.money(v) });
    for (let i = 0; i < n; i++) {
      const tr = h('tr', { class: (i + 1) % 12 === 0 ? 'year-end' : null, dataset: { month: i + 1 } });
      tr.append(h('td', { class: 'num month-cell', text: String(i + 1) }));
      if (combined) {
        const c = at(parts[0], i);
        const p = at(parts[1], i);
        const pay = Number(c ? c.payment_fen : 0) + Number(p ? p.payment_fen : 0);
        const int = Number(c ? c.interest_fen : 0) + Number(p ? p.interest_fen : 0);
        tr.append(cellM(c ? c.payment_fen : null), cellM(p ? p.payment_fen : null), cellM(pay), cellM(int),
          cellM(c ? c.balance_fen : 0), cellM(p ? p.balance_fen : 0));
      } else {
        const r = at(parts[0], i);
        tr.append(cellM(r.payment_fen), cellM(r.principal_fen), cellM(r.interest_fen), cellM(r.balance_fen));
      }
      tbody.append(tr);
    }
    const tfoot = h('tfoot', null, h('tr', null,
      h('td', { text: t('od.total') }),
      combined ? [cellM(parts[0].res.total_payment_fen), cellM(parts[1].res.total_payment_fen), cellM(totalPaid), cellM(totalInterest), h('td'), h('td')]
        : [cellM(totalPaid), cellM(totalPrincipal), cellM(totalInterest), h('td')]));
    const table = h('table', { class: ['data-table', 'calc-table', combined && 'combined'] },
      h('thead', null, h('tr', null, cols.map((c, i) => h('th', { class: 'num', scope: 'col', text: c, dataset: { col: i } })))), tbody, tfoot);
    replace(result,
      h('section', { class: 'card calc-summary', dataset: { method, mode: combined ? 'combined' : 'single' } },
        h('h2', { class: 'card-title', text: [t(method === 'equal_payment' ? 'calc.equal_payment' : 'calc.equal_principal'), combined ? t('calc.mode_combined') : t('calc.mode_single'), t('calc.months_n', { n })].join(' · ') }),
        stats, partLines),
      h('section', { class: 'card calc-schedule' },
        h('h2', { class: 'card-title', text: t('calc.schedule') }),
        h('div', { class: 'table-wrap calc-wrap' }, table)));
  }
}
