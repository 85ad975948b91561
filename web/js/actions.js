// Extra record actions per entity, shown as buttons on the detail page.
// Each: {key, label(), perm, when?(item), danger?, run(item, meta, refresh)}.
// Also: list-page actions, row links to pages of their own, extra panels on
// detail pages and defaults for new records.
import { h, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { modal, toast } from './ui.js';
import { templateEditor, exportTemplates, importTemplates } from './tpl_editor.js';
import { contractQuickBar } from './contracts_list.js';
import { compensationPayment } from './ticket_common.js';
import { outboxQuickBar, printLetters } from './service.js';

function resetPassword(item) {
  const input = h('input', { id: 'reset-pw', name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const err = h('div', { class: 'field-error', role: 'alert', id: 'reset-pw-err' });
  input.setAttribute('aria-describedby', 'reset-pw-err');
  const item0 = h('div', { class: 'form-item', dataset: { field: 'password' } },
    h('label', { class: 'form-label', for: 'reset-pw' }, t('pw.new'), h('span', { class: 'req', text: '*' })), input, err);
  const body = h('div', null, h('p', { class: 'muted', text: t('pw.reset_hint') }), item0);
  return modal({
    title: `${t('pw.reset_title')} · ${item.username || item.id}`,
    body,
    okText: t('common.save'),
    onOk: async () => {
      err.textContent = '';
      item0.classList.remove('has-error');
      if (!input.value) {
        err.textContent = t('form.required', { label: t('pw.new') });
        item0.classList.add('has-error');
        input.focus();
        return false;
      }
      try {
        await api.post(`users/${encodeURIComponent(item.id)}/password`, { password: input.value });
        toast(t('pw.reset_done'), 'success');
        return true;
      } catch (e) {
        err.textContent = e.message;
        item0.classList.add('has-error');
        input.focus();
        return false;
      }
    },
  });
}

async function unlock(item, meta, refresh) {
  const ok = await modal({ title: t('detail.unlock'), body: h('p', { text: t('detail.unlock_confirm') }) });
  if (!ok) return;
  try {
    await api.post(`users/${encodeURIComponent(item.id)}/unlock`, {});
    toast(t('detail.unlocked'), 'success');
    refresh();
  } catch (e) {
    toast(e.message, 'error', 5000);
  }
}

/** A small dialog of labelled inputs; submit(values) does the request. */
function formDialog({ title, okText, intro, fields, submit }) {
  const items = fields.map((f) => {
    const id = nextId(`dlg-${f.name}`);
    const input = f.type === 'textarea'
      ? h('textarea', { id, name: f.name, rows: 3, maxlength: 500 })
      : h('input', { id, name: f.name, type: 'text', autocomplete: 'off', inputmode: f.inputmode || null, placeholder: f.placeholder || null });
    const err = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
    input.setAttribute('aria-describedby', `${id}-err`);
    const control = f.prefix ? h('div', { class: 'input-affix prefix' }, h('span', { class: 'affix', text: f.prefix }), input) : input;
    const el = h('div', { class: 'form-item', dataset: { field: f.name } },
      h('label', { class: 'form-label', for: id }, f.label, f.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null),
      control, f.help ? h('div', { class: 'field-help', text: f.help }) : null, err);
    return { f, input, el, set(msg) { err.textContent = msg || ''; el.classList.toggle('has-error', !!msg); } };
  });
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  return modal({
    title,
    okText,
    body: h('div', null, intro ? h('p', { class: 'muted', text: intro }) : null, banner, items.map((x) => x.el)),
    onOk: async () => {
      banner.hidden = true;
      const values = {};
      let bad = null;
      for (const x of items) {
        x.set('');
        const raw = x.input.value.trim();
        if (!raw) {
          if (x.f.required) { x.set(t('form.required', { label: x.f.label })); bad = bad || x; }
          continue;
        }
        const r = x.f.parse ? x.f.parse(raw) : { value: raw };
        if (r.error) { x.set(r.error); bad = bad || x; continue; }
        values[x.f.name] = r.value;
      }
      if (bad) { bad.input.focus(); return false; }
      try {
        await submit(values);
        return true;
      } catch (e) {
        const x = items.find((y) => y.f.api === e.field || y.f.name === e.field);
        if (x) { x.set(e.message); x.input.focus(); } else { banner.textContent = e.message; banner.hidden = false; }
        return false;
      }
    },
  });
}

function stampSeal(item, meta, refresh) {
  return formDialog({
    title: `${t('reg.stamp')} · ${item.document || `#${item.id}`}`,
    okText: t('reg.stamp'),
    intro: t('reg.stamp_intro', { seal: item.seal || '', copies: item.copies ?? '' }),
    fields: [{ name: 'note', label: t('reg.note'), type: 'textarea' }],
    submit: async (v) => {
      await api.post(`seal-uses/${encodeURIComponent(item.id)}/stamp`, v.note ? { note: v.note } : {});
      toast(t('reg.stamped'), 'success');
      refresh();
    },
  });
}

function repayLoan(item, meta, refresh) {
  const owed = item.owed_fen ?? (Number(item.amount_fen) - Number(item.repaid_fen || 0));
  return formDialog({
    title: `${t('reg.repay')} · ${item.borrower || `#${item.id}`}`,
    okText: t('reg.repay'),
    intro: t('reg.repay_intro', { owed: fmt.money(owed) }),
    fields: [
      {
        name: 'amount', api: 'amount_fen', label: t('reg.repay_amount'), required: true, prefix: '¥', inputmode: 'decimal',
        parse: (s) => {
          const b = fmt.parseHundredths(s);
          return b === null || b <= 0n ? { error: t('form.bad_money') } : { value: fmt.bigToNumber(b) };
        },
      },
      { name: 'note', label: t('reg.note') },
    ],
    submit: async (v) => {
      await api.post(`employee-loans/${encodeURIComponent(item.id)}/repay`, { amount_fen: v.amount, note: v.note });
      toast(t('reg.repaid'), 'success');
      refresh();
    },
  });
}

function adjustStock(item, meta, refresh) {
  return formDialog({
    title: `${t('reg.adjust')} · ${item.name || `#${item.id}`}`,
    okText: t('common.save'),
    intro: t('reg.adjust_intro', { stock: item.stock ?? 0, unit: item.unit || '' }),
    fields: [
      {
        name: 'qty', label: t('reg.adjust_qty'), required: true, inputmode: 'numeric', placeholder: '+10 / -2', help: t('reg.adjust_help'),
        parse: (s) => (/^[+-]?\d{1,9}$/.test(s) && Number(s) !== 0 ? { value: Number(s) } : { error: t('reg.adjust_bad') }),
      },
      { name: 'note', label: t('reg.adjust_reason'), required: true },
    ],
    submit: async (v) => {
      await api.post(`office-supplies/${encodeURIComponent(item.id)}/adjust`, { qty: v.qty, note: v.note });
      toast(t('reg.adjusted'), 'success');
      refresh();
    },
  });
}

export const ENTITY_ACTIONS = {
  users: [
    { key: 'reset-password', label: () => t('pw.reset_title'), perm: 'user.write', run: resetPassword },
    { key: 'unlock', label: () => t('detail.unlock'), perm: 'user.write', run: unlock },
  ],
  'seal-uses': [
    { key: 'stamp', label: () => t('reg.stamp'), perm: 'register.write', primary: true, when: (it) => !it.stamped_at, run: stampSeal },
  ],
  'employee-loans': [
    { key: 'repay', label: () => t('reg.repay'), perm: 'register.write', primary: true, when: (it) => it.status === 'outstanding', run: repayLoan },
  ],
  'office-supplies': [
    { key: 'adjust', label: () => t('reg.adjust'), perm: 'register.write', run: adjustStock },
  ],
  // Finance pays an approved compensation from the 赔付台账.
  'delivery-batches': [
    { key: 'open-batch', label: () => t('ho.open_batch'), perm: 'handover.read', detailOnly: true, href: (it) => router.page('handover/batch', it.id) },
  ],
  handovers: [
    { key: 'open-batch', label: () => t('ho.open_batch'), perm: 'handover.read', href: (it) => (it.batch_id ? router.page('handover/batch', it.batch_id) : null) },
  ],
  'inspection-defects': [
    { key: 'open-ticket', label: () => t('tk.open'), perm: 'ticket.read', href: (it) => (it.ticket_id ? router.page('ticket', it.ticket_id) : null) },
  ],
  compensations: [
    { key: 'pay', label: () => t('tk.comp_pay'), perm: 'compensation.pay', primary: true, when: (it) => it.status === 'approved' && !it.paid_on, run: (it, meta, refresh) => compensationPayment(it, refresh) },
  ],
  'approval-templates': [
    { key: 'export-json', label: () => t('tpl.export_one'), perm: 'approval.admin', run: (it) => exportTemplates(it.id).catch((e) => toast(e.message, 'error', 5000)) },
  ],
};

/** Buttons in a list page's header: {key, label(), perm, run(meta, reload)}. */
export const LIST_ACTIONS = {
  'approval-templates': [
    { key: 'export-json', label: () => t('tpl.export'), perm: 'approval.admin', run: () => exportTemplates().catch((e) => toast(e.message, 'error', 5000)) },
    { key: 'import-json', label: () => t('tpl.import'), perm: 'approval.admin', run: (meta, reload) => importTemplates(reload) },
  ],
  outbox: [
    { key: 'print-letters', label: () => t('ob.print_letters'), perm: 'outbox.print', run: async (meta, reload) => { if (await printLetters()) reload(); } },
  ],
};

/** Rows that open a page of their own instead of the generic detail. */
export const ROW_HREF = {
  'approval-requests': (it) => router.page('approval', it.id),
  contracts: (it) => router.page('contract', it.id),
  loans: (it) => router.page('loan', it.id),
  tickets: (it) => router.page('ticket', it.id),
  'delivery-batches': (it) => router.page('handover/batch', it.id),
  newsletters: (it) => router.page('newsletter', it.id),
  'survey-responses': (it) => router.page('survey', it.id),
};

/** Something above a list's filter bar (quick filters): (query) → element. */
export const LIST_TOP = {
  contracts: (query) => contractQuickBar(query.get('status') || ''),
  outbox: (query) => outboxQuickBar(query),
};

/**
 * Panels added to a detail page: {perm, hide: [fields], render(item, meta, refresh)}.
 */
export const DETAIL_PANELS = {
  'approval-templates': { perm: 'approval.admin', hide: ['form_json', 'steps_json'], render: templateEditor },
};

/** Values a new record starts with when the form does not ask for them. */
export const CREATE_DEFAULTS = {
  'approval-templates': () => ({
    form_json: { fields: [{ name: 'reason', label: '事由', type: 'textarea', required: true }] },
    steps_json: [{ name: '部门负责人审批', approver: { type: 'dept_head' }, mode: 'any', limit_hours: 24 }],
  }),
};

/**
 * Links to pages of their own, per entity: in list rows (a last 操作 column)
 * and as buttons on the detail page. Each: {key, label(), perm?, href(item)}.
 */
export const ENTITY_LINKS = {
  customers: [
    { key: 'open-360', label: () => t('c360.open'), perm: 'customer.read', href: (it) => router.page('360', it.id) },
  ],
  buildings: [
    { key: 'open-grid', label: () => t('grid.open'), perm: 'unit.read', href: (it) => router.page('grid', it.id) },
  ],
  units: [
    { key: 'open-grid', label: () => t('grid.open'), detailOnly: true, href: (it) => (it.building_id ? router.page('grid', it.building_id) : null) },
  ],
  'approval-templates': [
    { key: 'new-request', label: () => t('appr.new_with'), perm: 'approval.use', detailOnly: true, href: (it) => (it.enabled ? `#/approval/new/${encodeURIComponent(it.code)}` : null) },
  ],
  contracts: [
    { key: 'open-contract', label: () => t('ct.open'), perm: 'contract.read', detailOnly: true, href: (it) => router.page('contract', it.id) },
  ],
  loans: [
    { key: 'open-loan', label: () => t('ln.open'), perm: 'loan.read', detailOnly: true, href: (it) => router.page('loan', it.id) },
    { key: 'open-contract', label: () => t('ct.open'), perm: 'contract.read', href: (it) => (it.contract_id ? router.page('contract', it.contract_id) : null) },
  ],
  receivables: [
    { key: 'open-contract', label: () => t('ct.open'), perm: 'contract.read', href: (it) => (it.contract_id ? router.page('contract', it.contract_id) : null) },
  ],
  receipts: [
    { key: 'open-contract', label: () => t('ct.open'), perm: 'contract.read', href: (it) => (it.contract_id ? router.page('contract', it.contract_id) : null) },
  ],
  'dunning-logs': [
    { key: 'open-contract', label: () => t('ct.open'), perm: 'contract.read', href: (it) => (it.contract_id ? router.page('contract', it.contract_id) : null) },
  ],
  tickets: [
    { key: 'open-ticket', label: () => t('tk.open'), perm: 'ticket.read', detailOnly: true, href: (it) => router.page('ticket', it.id) },
  ],
  newsletters: [
    { key: 'open-newsletter', label: () => t('nl.open'), perm: 'newsletter.read', detailOnly: true, href: (it) => router.page('newsletter', it.id) },
  ],
  'delivery-batches': [
    { key: 'open-batch', label: () => t('ho.open_batch'), perm: 'handover.read', detailOnly: true, href: (it) => router.page('handover/batch', it.id) },
  ],
  handovers: [
    { key: 'open-batch', label: () => t('ho.open_batch'), perm: 'handover.read', href: (it) => (it.batch_id ? router.page('handover/batch', it.batch_id) : null) },
  ],
  'inspection-defects': [
    { key: 'open-ticket', label: () => t('tk.open'), perm: 'ticket.read', href: (it) => (it.ticket_id ? router.page('ticket', it.ticket_id) : null) },
  ],
  compensations: [
    { key: 'open-ticket', label: () => t('tk.open'), perm: 'ticket.read', href: (it) => (it.ticket_id ? router.page('ticket', it.ticket_id) : null) },
  ],
  'approval-requests': [
    { key: 'open-approval', label: () => t('appr.open'), perm: 'approval.use', detailOnly: true, href: (it) => router.page('approval', it.id) },
  ],
  // Registers fed by approvals: open the request behind the record.
  'employee-loans': [
    { key: 'open-request', label: () => t('reg.open_request'), perm: 'approval.use', detailOnly: true, href: (it) => (it.request_id ? router.page('approval', it.request_id) : null) },
  ],
  'seal-uses': [
    { key: 'open-request', label: () => t('reg.open_request'), perm: 'approval.use', detailOnly: true, href: (it) => (it.request_id ? router.page('approval', it.request_id) : null) },
  ],
  'fixed-assets': [
    { key: 'open-purchase', label: () => t('reg.open_purchase'), perm: 'approval.use', detailOnly: true, href: (it) => (it.purchase_request_id ? router.page('approval', it.purchase_request_id) : null) },
    { key: 'open-scrap', label: () => t('reg.open_scrap'), perm: 'approval.use', detailOnly: true, href: (it) => (it.scrap_request_id ? router.page('approval', it.scrap_request_id) : null) },
  ],
};
