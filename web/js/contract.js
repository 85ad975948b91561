// One contract (#/contract/{id}?tab=): header with the unit, buyers, state,
// price and the filing deadline; the moves the API offers (签约, 网签备案,
// 预告登记) and amendments (退房/作废, 更名, 换房) through approvals; tabs for
// the details and buyers, the signing checklist, receivables, the loan and
// the amendments; the history on the side.
import { h, replace } from './dom.js';
import { t, getLang } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can } from './session.js';
import { getEntityMeta, enumField, enumLabel } from './meta.js';
import { loading, errorState, toast, tag, enumTag, dropdown, setBusy } from './ui.js';
import { loadHistory } from './detail.js';
import { sharePct } from './c360.js';
import {
  inputField, fieldsDialog, buyersEditor, headFact, descItem, daysLeftTag,
} from './widgets.js';
import { newLoanDialog } from './loan.js';
import { receiptDialog } from './collections.js';

const TABS = ['info', 'docs', 'receivables', 'loan', 'amendments'];

const AMEND_KINDS = {
  cancel: { template: 'contract_cancel', label: 'ct.amend_cancel', reasons: ['客户原因退房', '按揭未获批', '合同信息错误', '换房重签', '其他'] },
  rename: { template: 'contract_rename', label: 'ct.amend_rename', reasons: ['增加共有人', '减少共有人', '直系亲属间更名', '其他'] },
  unit_change: { template: 'contract_unit_change', label: 'ct.amend_unit', reasons: ['客户要求换房', '房源问题', '其他'] },
};

const AMEND_STATUS = {
  pending: ['ct.am_pending', 'orange'],
  approved: ['ct.am_approved', 'green'],
  rejected: ['ct.am_rejected', 'red'],
  withdrawn: ['ct.am_withdrawn', 'grey'],
};

const DOC_STATUS = {
  received: ['ct.doc_received', 'green'],
  missing: ['ct.doc_missing', 'red'],
  waived: ['ct.doc_waived', 'blue'],
};

const LOAN_METHODS = { commercial_loan: 'commercial', provident_loan: 'provident', combined: 'combined' };

/** The reason categories of an amendment's approval template (cached), else the built-in ones. */
const reasonCache = new Map();
function reasonOptions(kind) {
  const k = AMEND_KINDS[kind];
  if (!reasonCache.has(kind)) {
    reasonCache.set(kind, (async () => {
      try {
        const list = await api.get('approval-templates', { code: k.template, limit: 5 });
        const it = ((list && list.items) || []).find((x) => x.code === k.template);
        if (!it) return k.reasons;
        const tpl = await api.get(`approval-templates/${encodeURIComponent(it.id)}`);
        let form = tpl.form_json;
        if (typeof form === 'string') form = JSON.parse(form);
        const f = ((form && form.fields) || []).find((x) => x.name === 'reason_category');
        const opts = f && Array.isArray(f.options) ? f.options.map((o) => (typeof o === 'object' ? (o.value ?? o.label) : o)) : null;
        return opts && opts.length ? opts : k.reasons;
      } catch {
        return k.reasons;
      }
    })());
  }
  return reasonCache.get(kind);
}

/** A move's label: ours (both languages) for the known ones, else the API's. */
function actLabel(tr) {
  const k = `ct.act_${tr.action}`;
  const s = t(k);
  return s === k ? (tr.label || tr.action) : s;
}

function amendTag(status) {
  const x = AMEND_STATUS[status];
  const el = tag(x ? t(x[0]) : String(status || ''), x ? x[1] : 'neutral');
  el.dataset.status = status || '';
  return el;
}

export async function renderContract(main, id, ctx) {
  replace(main, loading());
  const state = { tab: ctx.query && TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : null, missing: null };
  let data;
  try {
    data = await load(id);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderContract(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const reload = async (keepTab = true) => {
    try {
      const d = await load(id);
      if (!main.isConnected) return;
      data = d;
      paint(keepTab);
    } catch (err) {
      toast(err.message, 'error', 5000);
    }
  };

  function paint() {
    const top = main.scrollTop;
    const c = data.c;
    if (!state.tab) state.tab = c.status === 'subscribed' ? 'docs' : 'info';
    ctx.setTitle(`${c.no} - ${t('ct.title')}`);
    replace(main, pageOf(c));
    main.scrollTop = top;
  }

  function pageOf(c) {
    const statusF = enumField('contracts', 'status');
    const pending = (c.amendments || []).find((a) => a.status === 'pending');
    const cancelled = c.status === 'cancelled';

    // ---- actions (none while an amendment waits: the API offers none) ----------
    const bar = h('div', { class: 'page-actions contract-actions' });
    (c.transitions || []).forEach((tr, i) => {
      const b = h('button', {
        class: ['btn', i === 0 && 'btn-primary'], type: 'button', text: actLabel(tr),
        dataset: { action: tr.action },
        onclick: () => transition(c, tr),
      });
      bar.append(b);
    });
    if (c.can_amend) {
      const menu = h('div', { class: 'menu', role: 'menu' });
      const trigger = h('button', { class: 'btn', type: 'button', dataset: { action: 'amend' } },
        t('ct.amend'), h('span', { class: 'caret', 'aria-hidden': 'true' }));
      const drop = dropdown(trigger, menu, { align: 'right' });
      for (const kind of Object.keys(AMEND_KINDS)) {
        menu.append(h('button', {
          type: 'button', class: 'menu-item', role: 'menuitem', dataset: { amend: kind }, text: t(AMEND_KINDS[kind].label),
          onclick: () => { drop.closeDropdown(); amendDialog(c, kind); },
        }));
      }
      bar.prepend(drop);
    }

    // ---- header -----------------------------------------------------------------------
    const unitLink = data.unit && data.unit.building_id
      ? h('a', { href: router.page('grid', data.unit.building_id), class: 'mono', text: c.room_code || `#${c.unit_id}`, title: t('ct.open_grid'), dataset: { link: 'grid' } })
      : h('span', { class: 'mono', text: c.room_code || `#${c.unit_id}` });
    const dl = c.deadline;
    const header = h('div', { class: 'page-head detail-head approval-head contract-head' },
      h('div', { class: 'head-main' },
        h('a', { class: 'back-link', href: router.href('list', 'contracts'), text: `‹ ${t('ct.list')}` }),
        h('h1', { class: 'page-title' },
          h('span', { class: 'record-title mono-title', text: c.no }),
          enumTag(statusF, c.status),
          h('span', { class: 'muted title-sub', text: [c.project_name, c.room_code].filter(Boolean).join(' ') })),
        h('div', { class: 'head-facts' },
          headFact(t('ct.unit'), unitLink, 'unit'),
          headFact(t('ct.buyers'), c.buyer_names || '', 'buyers'),
          headFact(t('ct.total'), h('span', { class: 'amount', text: fmt.money(c.total_price_fen) }), 'total'),
          headFact(t('ct.payment'), enumLabel('contracts', 'payment_method', c.payment_method), 'payment'),
          dl ? headFact(dl.kind === 'filing' ? t('ct.due_filing') : t('ct.due_prereg'),
            h('span', { class: 'deadline' }, h('span', { text: dl.due }), daysLeftTag(dl.days_left)), 'deadline') : null)),
      bar);

    // ---- banners ----------------------------------------------------------------------
    const banners = [];
    // After a refused signing: what is still missing, from the checklist itself
    // (it shrinks as papers come in, and goes when none is missing).
    const stillMissing = (c.documents || []).filter((d) => d.status === 'missing').map((d) => `${d.customer_name} ${d.doc_name}`);
    if (state.missing && c.status === 'subscribed' && stillMissing.length) {
      banners.push(h('div', { class: 'banner banner-red banner-block', role: 'alert', dataset: { banner: 'missing' } },
        h('strong', { text: t('ct.sign_refused') }),
        h('ul', { class: 'missing-list' }, stillMissing.map((x) => h('li', { text: x }))),
        h('span', { class: 'small', text: t('ct.sign_refused_hint') })));
    }
    if (pending) {
      banners.push(h('div', { class: 'banner banner-orange', role: 'note', dataset: { banner: 'pending' } },
        h('strong', { text: t('ct.pending_title', { kind: t(AMEND_KINDS[pending.kind] ? AMEND_KINDS[pending.kind].label : pending.kind) }) }),
        amendTag('pending'),
        pending.step_name ? h('span', { text: t('ct.pending_step', { step: pending.step_name }) }) : null,
        pending.approval_id ? h('a', { href: router.page('approval', pending.approval_id), dataset: { link: 'approval' }, text: t('ct.open_approval', { no: pending.approval_no || `#${pending.approval_id}` }) }) : null,
        h('span', { class: 'muted small', text: t('ct.pending_block') })));
    }
    if (cancelled) {
      banners.push(h('div', { class: 'banner banner-red', role: 'note', dataset: { banner: 'cancelled' } },
        h('strong', { text: t('ct.cancelled_on', { date: c.cancelled_on || '' }) }),
        c.cancel_reason ? h('span', { text: c.cancel_reason }) : null,
        h('span', { class: 'muted small', text: t('ct.cancelled_hint') })));
    }
    if (c.follow_up && !cancelled) {
      banners.push(h('div', { class: 'banner banner-orange', role: 'note', dataset: { banner: 'follow-up' } },
        h('strong', { text: t('ct.follow_up') }), h('span', { text: c.follow_up })));
    }

    // ---- tabs ----------------------------------------------------------------------
    const docs = c.documents || [];
    const missingDocs = docs.filter((d) => d.status === 'missing').length;
    const recv = data.receivables;
    const loans = data.loans;
    const tabDefs = [
      ['info', t('ct.tab_info'), null],
      ['docs', t('ct.tab_docs'), docs.length ? (missingDocs ? `${missingDocs}` : '✓') : null, missingDocs ? 'warn' : 'ok'],
      recv ? ['receivables', t('ct.tab_receivables'), recv.length ? String(recv.length) : null] : null,
      loans ? ['loan', t('ct.tab_loan'), loans.length ? String(loans.length) : null] : null,
      ['amendments', t('ct.tab_amendments'), (c.amendments || []).length ? String(c.amendments.length) : null],
    ].filter(Boolean);
    if (!tabDefs.some((x) => x[0] === state.tab)) state.tab = 'info';
    const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
    const tabs = h('div', { class: 'tabs card-tabs', role: 'tablist' });
    const show = (key) => {
      state.tab = key;
      for (const b of tabs.children) {
        const on = b.dataset.tab === key;
        b.classList.toggle('active', on);
        b.setAttribute('aria-selected', String(on));
      }
      panel.dataset.tab = key;
      replace(panel, tabBody(c, key));
      const q = new URLSearchParams(ctx.query || '');
      q.set('tab', key);
      router.replaceQuiet(router.page('contract', c.id, q));
    };
    for (const [key, label, count, cls] of tabDefs) {
      tabs.append(h('button', {
        type: 'button', role: 'tab', class: ['tab', key === state.tab && 'active'], 'aria-selected': String(key === state.tab), dataset: { tab: key },
        onclick: () => show(key),
      }, h('span', { text: label }), count ? h('span', { class: ['count', cls && `count-${cls}`], text: count }) : null));
    }
    panel.dataset.tab = state.tab;
    panel.append(tabBody(c, state.tab));
    const mainCard = h('section', { class: 'card contract-tabs' }, tabs, panel);

    // ---- side: key dates, and the audit trail for those who may read it -------------------------
    let audit = null;
    if (can('audit.read')) {
      const histBox = h('div', { class: 'timeline-box' }, loading());
      getEntityMeta('contracts').then((meta) => loadHistory(histBox, meta, c.id), () => replace(histBox, h('div', { class: 'muted', text: t('detail.history_empty') })));
      audit = h('section', { class: 'card', dataset: { part: 'history' } }, h('h2', { class: 'card-title', text: t('detail.history') }), histBox);
    }
    const side = h('aside', { class: 'detail-side side-stack' },
      h('section', { class: 'card', dataset: { part: 'key-dates' } },
        h('h2', { class: 'card-title', text: t('ct.key_dates') }), keyDates(c)),
      audit);

    return h('div', { class: 'page page-detail page-contract', dataset: { id: c.id, status: c.status } },
      header, banners, h('div', { class: 'detail-body' }, h('div', { class: 'detail-main' }, mainCard), side));
  }

  // ---- tab bodies ----------------------------------------------------------------------------

  function tabBody(c, key) {
    switch (key) {
      case 'docs': return docsTab(c);
      case 'receivables': return receivablesTab(c);
      case 'loan': return loanTab(c);
      case 'amendments': return amendmentsTab(c);
      default: return infoTab(c);
    }
  }

  function infoTab(c) {
    const lang = getLang();
    const rateText = (rate, grace) => [rate ? `${fmt.perTenThousand(rate, lang)}${t('ct.per_day')}` : null,
      grace !== null && grace !== undefined ? t('ct.grace', { n: grace }) : null].filter(Boolean).join('，');
    const grid = h('dl', { class: 'desc-grid' },
      descItem(t('ct.subscribed_on'), c.subscribed_on, 'subscribed_on'),
      descItem(t('ct.signed_on'), c.signed_on, 'signed_on'),
      descItem(t('ct.filing_no'), c.filing_no ? h('span', { class: 'mono', text: c.filing_no }) : null, 'filing_no'),
      descItem(t('ct.filed_on'), c.filed_on, 'filed_on'),
      descItem(t('ct.prereg_no'), c.prereg_no ? h('span', { class: 'mono', text: c.prereg_no }) : null, 'prereg_no'),
      descItem(t('ct.preregistered_on'), c.preregistered_on, 'preregistered_on'),
      descItem(t('ct.deposit'), fmt.money(c.deposit_fen), 'deposit_fen'),
      descItem(t('ct.delivery_deadline'), c.delivery_deadline, 'delivery_deadline'),
      descItem(t('ct.late_delivery'), rateText(c.late_delivery_rate, c.late_delivery_grace_days), 'late_delivery_rate'),
      descItem(t('ct.late_payment'), rateText(c.late_payment_rate, c.late_payment_grace_days), 'late_payment_rate'),
      descItem(t('ct.certificate_days'), c.certificate_days ? t('ct.cert_days', { n: c.certificate_days }) : null, 'certificate_days'),
      descItem(t('ct.presale_permit'), c.presale_permit, 'presale_permit'),
      c.note ? descItem(t('ct.note'), h('span', { class: 'pre-wrap', text: c.note }), 'note', true) : null);
    const buyers = c.buyers || [];
    const btable = h('table', { class: 'data-table plain-table buyers-view' },
      h('thead', null, h('tr', null, [t('w.buyer'), t('ct.buyer_type'), t('ct.phone'), t('ct.id_number'), t('w.share')].map((x, i) => h('th', { class: i === 4 ? 'num' : null, text: x })))),
      h('tbody', null, buyers.map((b) => h('tr', { dataset: { customer: b.customer_id } },
        h('td', null,
          can('customer.read') ? h('a', { href: router.page('360', b.customer_id), text: b.name, dataset: { link: '360' } }) : h('span', { text: b.name }),
          Number(b.is_primary) ? h('span', { class: 'tag-gap' }, tag(t('c360.primary'), 'blue')) : null),
        h('td', { text: t(`ct.hukou_${b.kind === 'company' ? 'company' : (b.hukou || 'local')}`) }),
        h('td', { class: 'mono', text: b.phone || t('common.none') }),
        h('td', { class: 'mono', text: b.id_number || t('common.none') }),
        h('td', { class: 'num', text: sharePct(b.share_bp) })))));
    return h('div', { class: 'tab-info' },
      grid,
      h('h3', { class: 'sub-title', text: t('ct.buyers_title', { n: buyers.length }) }),
      btable);
  }

  function docsTab(c) {
    const docs = c.documents || [];
    if (!docs.length) return h('div', { class: 'empty-small muted', text: t('ct.docs_none') });
    const editable = c.status !== 'cancelled' && can('contract.write');
    const mayWaive = can('contract.waive');
    const byBuyer = new Map();
    for (const d of docs) {
      if (!byBuyer.has(d.customer_id)) byBuyer.set(d.customer_id, []);
      byBuyer.get(d.customer_id).push(d);
    }
    // After a refused signing, the papers still missing are flagged.
    const missingNames = new Set(state.missing ? docs.filter((d) => d.status === 'missing').map((d) => `${d.customer_name} ${d.doc_name}`) : []);
    const done = docs.filter((d) => d.status !== 'missing').length;
    const head = h('div', { class: 'docs-head' },
      h('div', { class: 'docs-progress' },
        h('div', { class: ['progress', done === docs.length ? '' : 'warn'] }, h('div', { class: 'progress-fill', style: { width: `${Math.round((done * 100) / docs.length)}%` } })),
        h('span', { class: 'progress-text', text: t('ct.docs_done', { done, n: docs.length }) })),
      h('span', { class: 'muted small', text: c.status === 'subscribed' ? t('ct.docs_hint') : t('ct.docs_hint_signed') }));
    const groups = [...byBuyer.entries()].map(([cid, list]) => {
      const b = (c.buyers || []).find((x) => String(x.customer_id) === String(cid)) || {};
      const name = list[0].customer_name || b.name || `#${cid}`;
      const open = list.filter((d) => d.status === 'missing');
      const allBtn = editable && open.length ? h('button', {
        class: 'btn btn-sm', type: 'button', text: t('ct.docs_all_received'), dataset: { action: 'all-received' },
        onclick: async (e) => {
          setBusy(e.currentTarget, true);
          try {
            let last = null;
            for (const d of open) last = await api.post(`contracts/${c.id}/documents/${d.id}`, { status: 'received' });
            if (last) setContract(last);
            toast(t('ct.docs_saved'), 'success');
          } catch (err) {
            toast(err.message, 'error', 5000);
            reload();
          }
        },
      }) : null;
      return h('div', { class: 'doc-group', dataset: { customer: cid } },
        h('div', { class: 'doc-group-head' },
          h('span', { class: 'doc-buyer', text: name }),
          b.kind ? h('span', { class: 'muted small', text: t(`ct.hukou_${b.kind === 'company' ? 'company' : (b.hukou || 'local')}`) }) : null,
          h('span', { class: ['muted small', open.length && 'warn-text'], text: t('ct.docs_done', { done: list.length - open.length, n: list.length }) }),
          allBtn),
        h('ul', { class: 'doc-list' }, list.map((d) => docRow(c, d, name, editable, mayWaive, missingNames))));
    });
    return h('div', { class: 'tab-docs' }, head, groups);
  }

  function docRow(c, d, buyerName, editable, mayWaive, missingNames) {
    const st = DOC_STATUS[d.status] || [d.status, 'neutral'];
    const flagged = d.status === 'missing' && missingNames.has(`${buyerName} ${d.doc_name}`);
    const err = h('div', { class: 'field-error doc-error', role: 'alert' });
    const set = async (status, btn) => {
      if (status === d.status && status !== 'waived') return;
      err.textContent = '';
      let body = { status };
      if (status === 'waived') {
        const reason = await waiveReason(d, buyerName);
        if (reason === null) return;
        body = { status, reason };
      }
      btn.disabled = true;
      try {
        const full = await api.post(`contracts/${c.id}/documents/${d.id}`, body);
        setContract(full);
      } catch (e) {
        btn.disabled = false;
        err.textContent = e.message;
        toast(e.message, 'error', 5000);
      }
    };
    const seg = editable ? h('div', { class: 'seg doc-seg', role: 'group', 'aria-label': `${buyerName} ${d.doc_name}` },
      [['received', t('ct.doc_set_received')], ['missing', t('ct.doc_set_missing')], mayWaive ? ['waived', t('ct.doc_set_waived')] : null]
        .filter(Boolean).map(([v, label]) => h('button', {
          type: 'button', class: ['seg-btn', d.status === v && 'active', `seg-${v}`], 'aria-pressed': String(d.status === v), text: label, dataset: { set: v },
          onclick: (e) => set(v, e.currentTarget),
        }))) : null;
    const note = d.status === 'received' && d.received_on ? t('ct.doc_received_on', { date: d.received_on })
      : d.status === 'waived' ? t('ct.doc_waived_by', { who: d.waived_by || '', reason: d.waive_reason || '' }) : '';
    return h('li', { class: ['doc-row', `doc-${d.status}`, flagged && 'flagged'], dataset: { doc: d.id, code: d.doc_code || '', status: d.status } },
      h('span', { class: 'doc-name', text: d.doc_name }),
      tag(t(st[0]), st[1]),
      h('span', { class: 'doc-note muted small', title: note || null, text: note }),
      seg, err);
  }

  function waiveReason(d, buyerName) {
    return new Promise((resolve) => {
      let value = null;
      const f = inputField({ name: 'reason', label: t('ct.waive_reason'), type: 'textarea', required: true, maxlen: 500 });
      fieldsDialog({
        title: t('ct.waive_title', { doc: `${buyerName} ${d.doc_name}` }),
        intro: t('ct.waive_intro'),
        fields: [f],
        okText: t('ct.doc_set_waived'),
        submit: async (v) => { value = v.reason; },
      }).then(() => resolve(value));
    });
  }

  function receivablesTab(c) {
    const items = data.receivables || [];
    const canGen = can('receivable.write') && c.status !== 'cancelled' && !items.length;
    const today = fmt.today();
    const box = h('div', { class: 'tab-receivables' });
    const bar = h('div', { class: 'tab-bar' },
      h('span', { class: 'muted small', text: t('ct.recv_hint') }),
      canGen ? h('button', { class: 'btn btn-primary', type: 'button', text: t('ct.recv_generate'), dataset: { action: 'generate-receivables' }, onclick: () => generateDialog(c) }) : null,
      items.length ? h('a', { class: 'btn btn-link', href: router.href('list', 'receipts', null, { contract_id: c.id }), text: t('ct.recv_receipts') }) : null);
    box.append(bar);
    if (!items.length) {
      box.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: canGen ? t('ct.recv_empty_gen') : t('ct.recv_empty') })));
      return box;
    }
    const sum = (k) => items.reduce((a, x) => a + Number(x[k] || 0), 0);
    const canReceipt = can('receipt.write') && c.status !== 'cancelled';
    box.append(h('div', { class: 'table-wrap table-static' }, h('table', { class: 'data-table recv-table' },
      h('thead', null, h('tr', null,
        [t('ct.r_kind'), t('ct.r_due'), t('ct.r_amount'), t('ct.r_received'), t('ct.r_owed'), t('ct.r_state'), canReceipt ? t('list.actions') : null]
          .filter((x) => x !== null).map((x, i) => h('th', { class: [i >= 2 && i <= 4 && 'num', i === 6 && 'col-actions'], text: x })))),
      h('tbody', null, items.map((r) => {
        const over = !r.settled && Number(r.owed_fen) > 0 && r.due_on < today;
        return h('tr', { dataset: { id: r.id, kind: r.kind }, class: over ? 'row-overdue' : null },
          h('td', { title: r.note || null, text: enumLabel('receivables', 'kind', r.kind) }),
          h('td', { text: r.due_on || '' }),
          h('td', { class: 'num', text: fmt.money(r.amount_fen) }),
          h('td', { class: 'num', text: fmt.money(r.received_fen) }),
          h('td', { class: 'num', dataset: { col: 'owed' }, text: fmt.money(r.owed_fen) }),
          h('td', null, r.settled ? tag(t('ct.r_settled'), 'green') : over ? tag(t('ct.r_overdue'), 'red') : tag(t('ct.r_open'), 'grey')),
          canReceipt ? h('td', { class: 'col-actions' }, !r.settled && Number(r.owed_fen) > 0 ? h('button', {
            class: 'btn btn-link btn-sm', type: 'button', text: t('od.act_receipt'), dataset: { action: 'receipt' },
            onclick: () => receiptDialog({ ...r, contract_no: c.no, room_code: c.room_code, buyer_names: c.buyer_names }).then((ok) => ok && reload()),
          }) : null) : null);
      })),
      h('tfoot', null, h('tr', null,
        h('td', { colspan: 2, class: 'items-total-label', text: t('od.total') }),
        h('td', { class: 'num', text: fmt.money(sum('amount_fen')) }),
        h('td', { class: 'num', text: fmt.money(sum('received_fen')) }),
        h('td', { class: 'num', text: fmt.money(sum('owed_fen')) }),
        h('td'), canReceipt ? h('td') : null)))));
    return box;
  }

  function generateDialog(c) {
    const loanType = LOAN_METHODS[c.payment_method];
    const fields = loanType ? [inputField({
      name: 'loan', api: 'loan_fen', label: t('ct.recv_loan'), type: 'money', prefix: '¥',
      help: t('ct.recv_loan_help'),
    })] : [];
    return fieldsDialog({
      title: t('ct.recv_generate'),
      intro: t(`ct.recv_plan_${loanType ? 'loan' : c.payment_method === 'installment' ? 'installment' : 'full'}`),
      fields,
      okText: t('ct.recv_generate'),
      submit: async (v) => {
        await api.post(`contracts/${c.id}/receivables`, v);
        toast(t('ct.recv_generated'), 'success');
        state.tab = 'receivables';
        reload();
      },
    });
  }

  function loanTab(c) {
    const loans = data.loans || [];
    const open = loans.find((l) => l.stage !== 'refused');
    const canNew = can('loan.write') && c.status !== 'cancelled' && !open;
    const box = h('div', { class: 'tab-loan' });
    const stageF = enumField('loans', 'stage');
    if (!loans.length) {
      box.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: LOAN_METHODS[c.payment_method] ? t('ct.loan_empty') : t('ct.loan_not_needed') }),
        canNew ? h('button', { class: 'btn btn-primary', type: 'button', text: `+ ${t('ln.new')}`, dataset: { action: 'new-loan' }, onclick: () => newLoan(c) }) : null));
      return box;
    }
    for (const l of loans) {
      box.append(h('article', { class: 'loan-card', dataset: { loan: l.id, stage: l.stage } },
        h('div', { class: 'loan-card-head' },
          h('a', { class: 'loan-title', href: router.page('loan', l.id), dataset: { link: 'loan' }, text: `${enumLabel('loans', 'loan_type', l.loan_type)} · ${l.bank_name || ''}` }),
          enumTag(stageF, l.stage),
          h('span', { class: 'muted small', text: l.stage_since ? t('ln.since', { date: l.stage_since }) : '' }),
          h('a', { class: 'btn btn-sm', href: router.page('loan', l.id), text: t('ln.open') })),
        h('dl', { class: 'unit-facts loan-facts' },
          h('div', null, h('dt', { text: t('ln.amount') }), h('dd', { class: 'num', text: fmt.money(l.amount_fen) })),
          h('div', null, h('dt', { text: t('ln.disbursed') }), h('dd', { class: 'num', text: Number(l.disbursed_fen) ? `${fmt.money(l.disbursed_fen)}（${l.disbursed_on || ''}）` : t('common.none') })),
          h('div', null, h('dt', { text: t('ln.next_action') }), h('dd', { text: l.next_action ? `${l.next_action}${l.next_action_on ? `（${l.next_action_on}）` : ''}` : t('common.none') })),
          h('div', null, h('dt', { text: t('ln.missing_docs') }), h('dd', { text: String(l.missing_docs ?? 0) })))));
    }
    if (canNew) box.append(h('button', { class: 'btn', type: 'button', text: `+ ${t('ln.new')}`, dataset: { action: 'new-loan' }, onclick: () => newLoan(c) }));
    return box;
  }

  function newLoan(c) {
    const loanRecv = (data.receivables || []).find((r) => r.kind === 'loan');
    newLoanDialog(c, { suggestedFen: loanRecv ? loanRecv.amount_fen : null }).then((loan) => {
      if (loan && loan.id) router.go(router.page('loan', loan.id));
    });
  }

  function amendmentsTab(c) {
    const list = c.amendments || [];
    const box = h('div', { class: 'tab-amendments' });
    if (c.can_amend && !list.some((a) => a.status === 'pending')) {
      box.append(h('div', { class: 'tab-bar' }, h('span', { class: 'muted small', text: t('ct.amend_hint') }),
        h('div', { class: 'btn-row' }, Object.keys(AMEND_KINDS).map((kind) => h('button', {
          class: 'btn', type: 'button', text: t(AMEND_KINDS[kind].label), dataset: { amend: kind }, onclick: () => amendDialog(c, kind),
        })))));
    }
    if (!list.length) {
      box.append(h('div', { class: 'empty-small muted', text: t('ct.amend_none') }));
      return box;
    }
    box.append(h('div', { class: 'table-wrap table-static' }, h('table', { class: 'data-table amend-table' },
      h('thead', null, h('tr', null, [t('ct.am_kind'), t('ct.am_reason'), t('ct.am_by'), t('ct.am_status'), t('ct.am_approval')].map((x) => h('th', { text: x })))),
      h('tbody', null, list.map((a) => h('tr', { dataset: { id: a.id, kind: a.kind, status: a.status } },
        h('td', { class: 'strong-cell', text: t(AMEND_KINDS[a.kind] ? AMEND_KINDS[a.kind].label : a.kind) }),
        h('td', { class: 'wrap-cell' }, h('div', { text: a.reason_category || '' }), a.comment ? h('div', { class: 'muted small', text: a.comment }) : null),
        h('td', null, h('div', { text: a.requested_by || '' }), h('div', { class: 'muted small', text: fmt.datetime(a.created_at) })),
        h('td', null, h('div', null, amendTag(a.status)),
          h('div', { class: 'muted small', text: a.status === 'pending' ? (a.step_name || '') : (a.decided_at ? fmt.datetime(a.decided_at) : '') })),
        h('td', null, a.approval_id ? h('a', { class: 'mono', href: router.page('approval', a.approval_id), dataset: { link: 'approval' }, text: a.approval_no || `#${a.approval_id}` }) : t('common.none'))))))));
    return box;
  }

  // ---- actions ----------------------------------------------------------------------------

  function setContract(full) {
    data.c = full;
    if ((full.documents || []).every((d) => d.status !== 'missing')) state.missing = null;
    paint();
  }

  function transition(c, tr) {
    const today = fmt.today();
    const specs = {
      sign: [{ name: 'signed_on', label: t('ct.signed_on'), type: 'date', value: today, help: t('ct.signed_on_help') }],
      file: [
        { name: 'filing_no', label: t('ct.filing_no'), required: true, maxlen: 60, placeholder: t('ct.filing_no_ph') },
        { name: 'filed_on', label: t('ct.filed_on'), type: 'date', required: true, value: today },
      ],
      preregister: [
        { name: 'prereg_no', label: t('ct.prereg_no'), required: true, maxlen: 60 },
        { name: 'preregistered_on', label: t('ct.preregistered_on'), type: 'date', required: true, value: today },
      ],
    }[tr.action] || [];
    const fields = specs.map((s) => inputField(s));
    const missing = (c.documents || []).filter((d) => d.status === 'missing');
    const warn = tr.action === 'sign' && missing.length
      ? h('div', { class: 'banner banner-orange', text: t('ct.sign_warn', { n: missing.length }) }) : null;
    return fieldsDialog({
      title: `${actLabel(tr)} · ${c.no}`,
      extra: warn,
      fields,
      okText: actLabel(tr),
      submit: async (v) => {
        try {
          const full = await api.post(`contracts/${c.id}/transitions`, { action: tr.action, ...v });
          state.missing = null;
          toast(t('ct.moved', { label: actLabel(tr) }), 'success');
          data.c = full;
          reload();
        } catch (e) {
          if (e.field === 'documents') {
            // Not a field of this dialog: the page says what is missing.
            state.missing = e.message;
            state.tab = 'docs';
            paint();
            return;
          }
          throw e;
        }
      },
    });
  }

  async function amendDialog(c, kind) {
    const k = AMEND_KINDS[kind];
    const reasons = await reasonOptions(kind);
    const fields = [
      inputField({ name: 'reason_category', label: t('ct.am_reason'), type: 'select', required: true, options: reasons.map((r) => ({ value: r, label: r })) }),
    ];
    let buyers = null;
    if (kind === 'rename') {
      buyers = buyersEditor({ initial: c.buyers || [] });
      fields.push(inputField({ name: 'buyers', label: t('ct.am_new_buyers'), type: 'element', required: true, el: buyers.el, read: () => buyers.read(), wide: true }));
    }
    if (kind === 'unit_change') {
      const sel = h('select', { name: 'new_unit_id', id: 'am-new-unit' }, h('option', { value: '', text: t('common.loading') }));
      sel.disabled = true;
      api.get('units', { project_id: c.project_id, status: 'unsold', limit: 200, sort: 'room_code' }).then((r) => {
        const items = (r && r.items) || [];
        const byB = new Map();
        for (const u of items) {
          if (!byB.has(u.building_name)) byB.set(u.building_name, []);
          byB.get(u.building_name).push(u);
        }
        replace(sel, h('option', { value: '', text: items.length ? t('form.select') : t('ct.am_no_units') }),
          [...byB.entries()].map(([b, us]) => h('optgroup', { label: b || '' }, us.map((u) => h('option', {
            value: String(u.id),
            text: [u.room_code, u.layout, u.contract_area_dm2 ? fmt.area(u.contract_area_dm2) : null, u.list_price_fen ? fmt.money(u.list_price_fen) : null].filter(Boolean).join(' · '),
          })))));
        sel.disabled = false;
      }, (e) => { replace(sel, h('option', { value: '', text: e.message })); });
      fields.push(inputField({
        name: 'new_unit_id', label: t('ct.am_new_unit'), type: 'element', required: true, el: sel, wide: true,
        help: t('ct.am_new_unit_help'),
        read: () => (sel.value ? { value: Number(sel.value) } : { error: t('ct.am_pick_unit') }),
      }));
    }
    if (kind === 'cancel') {
      fields.push(inputField({ name: 'refund', api: 'refund_fen', label: t('ct.am_refund'), type: 'money', prefix: '¥', help: t('ct.am_refund_help') }));
    }
    fields.push(inputField({ name: 'comment', label: t('ct.am_comment'), type: 'textarea', required: true, wide: true, maxlen: 1000 }));
    return fieldsDialog({
      title: `${t(k.label)} · ${c.no}`,
      intro: t('ct.amend_intro'),
      extra: kind === 'cancel' ? h('div', { class: 'banner banner-orange', text: t('ct.cancel_warn') }) : null,
      fields,
      width: kind === 'cancel' ? null : '640px',
      okText: t('ct.amend_submit'),
      submit: async (v) => {
        const full = await api.post(`contracts/${c.id}/amendments`, { kind, ...v });
        toast(t('ct.amend_submitted'), 'success');
        data.c = full;
        state.tab = 'amendments';
        reload();
      },
    });
  }

  paint();
}

async function load(id) {
  const c = await api.get(`contracts/${encodeURIComponent(id)}/full`);
  const [receivables, loans, unit] = await Promise.all([
    can('receivable.read') ? api.get('receivables', { contract_id: c.id, limit: 100, sort: 'due_on' }).then((r) => r.items || [], () => null) : null,
    can('loan.read') ? api.get('loans', { contract_id: c.id, limit: 20 }).then((r) => r.items || [], () => null) : null,
    can('unit.read') ? api.get(`units/${encodeURIComponent(c.unit_id)}`).catch(() => null) : null,
    enumField.ready('contracts', 'status'),
    enumField.ready('contracts', 'payment_method'),
    can('loan.read') ? enumField.ready('loans', 'stage') : null,
    can('receivable.read') ? enumField.ready('receivables', 'kind') : null,
  ]);
  return { c, receivables, loans, unit };
}

/** Key dates of a contract as a timeline, for those who may not read the audit trail. */
function keyDates(c) {
  const ev = [];
  if (c.subscribed_on) ev.push([c.subscribed_on, t('ct.ev_subscribed'), 'grey']);
  if (c.signed_on) ev.push([c.signed_on, t('ct.ev_signed'), 'blue']);
  if (c.filed_on) ev.push([c.filed_on, t('ct.ev_filed', { no: c.filing_no || '' }), 'blue']);
  if (c.preregistered_on) ev.push([c.preregistered_on, t('ct.ev_prereg', { no: c.prereg_no || '' }), 'green']);
  for (const a of c.amendments || []) {
    const kind = t(AMEND_KINDS[a.kind] ? AMEND_KINDS[a.kind].label : a.kind);
    if (a.created_at) ev.push([fmt.datetime(a.created_at), t('ct.ev_amend', { kind, who: a.requested_by || '' }), 'orange']);
    if (a.decided_at) ev.push([fmt.datetime(a.decided_at), `${kind} · ${t((AMEND_STATUS[a.status] || ['ct.am_pending'])[0])}`, (AMEND_STATUS[a.status] || [0, 'blue'])[1]]);
  }
  if (c.cancelled_on) {
    const a = (c.amendments || []).find((x) => x.kind === 'cancel' && x.status === 'approved' && x.decided_at);
    ev.push([a ? fmt.datetime(a.decided_at) : c.cancelled_on, t('ct.ev_cancelled', { reason: c.cancel_reason || '' }), 'red']);
  }
  if (!ev.length) return h('div', { class: 'muted empty-small', text: t('detail.history_empty') });
  // Newest first; on the same day the later step first.
  ev.forEach((e, i) => e.push(i));
  ev.sort((a, b) => String(b[0]).localeCompare(String(a[0])) || b[3] - a[3]);
  return h('ol', { class: 'timeline c360-timeline' }, ev.map(([at, text, color]) => h('li', { class: ['timeline-item', `dot-${color}`] },
    h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'timeline-content' },
      h('div', { class: 'timeline-head' }, h('span', { class: 'timeline-action', text })),
      h('time', { class: 'timeline-time', text: at })))));
}

export { AMEND_KINDS };
