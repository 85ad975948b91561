// What the ticket screens share: the codes and their labels (docs/tickets.md),
// the state tag, the SLA badge (剩余 / 已超期 …) and the category tree.
import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { tag, toast } from './ui.js';
import { inputField, fieldsDialog, headFact } from './widgets.js';

export const TYPES = ['repair', 'complaint', 'consult', 'suggestion', 'compensation'];
export const CHANNELS = ['phone', 'visit', 'online', 'hotline', 'letter', 'media'];
export const SEVERITIES = ['normal', 'high', 'urgent', 'low'];
export const STATUSES = ['new', 'accepted', 'processing', 'callback', 'closed', 'merged'];
export const DISPATCH_KINDS = ['department', 'contractor', 'property'];

// UI.md: grey new, blue in progress, orange waiting, red overdue, green done.
const STATUS_COLOR = { new: 'grey', accepted: 'blue', processing: 'blue', callback: 'orange', closed: 'green', merged: 'grey' };
const SEVERITY_COLOR = { urgent: 'red', high: 'orange', normal: 'neutral', low: 'grey' };

/** Label of a code: codeLabel('type', 'repair') → 报修 (the code itself when unknown). */
export function codeLabel(kind, value) {
  if (value === null || value === undefined || value === '') return '';
  const k = `tk.${kind}_${value}`;
  const s = t(k);
  return s === k ? String(value) : s;
}

export function statusTag(status, paused) {
  const el = tag(codeLabel('status', status), STATUS_COLOR[status] || 'neutral');
  el.dataset.status = status || '';
  if (!paused) return el;
  return h('span', { class: 'tag-pair' }, el, tag(t('tk.paused'), 'orange'));
}

export function severityTag(sev) {
  if (!sev) return null;
  const el = tag(codeLabel('severity', sev), SEVERITY_COLOR[sev] || 'neutral');
  el.dataset.severity = sev;
  return el;
}

function ms(v) {
  if (!v) return null;
  const s = String(v).trim();
  const x = Date.parse(/Z$|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(x) ? null : x;
}

/**
 * A span of time in words: 2天3小时, 5小时20分, 12分钟; on the working
 * clock (8 working hours a day) 3个工作日2小时.
 */
export function span(msLeft, work = false) {
  const m = Math.max(0, Math.round(Math.abs(msLeft) / 60000));
  const perDay = work ? 480 : 1440;
  const d = Math.floor(m / perDay);
  const hh = Math.floor((m % perDay) / 60);
  const mm = m % 60;
  if (d && !hh) return t(work ? 'tk.span_wd' : 'tk.span_d', { d });
  if (d) return t(work ? 'tk.span_wdh' : 'tk.span_dh', { d, h: hh });
  if (hh) return t('tk.span_hm', { h: hh, m: mm });
  return t('tk.span_m', { m: mm });
}

/**
 * The SLA state of one clock as a tag: done in time (green) or late (red);
 * running: 剩余 … (blue, orange once past warn_at or in the last quarter)
 * or 已超期 … (red). `paused` freezes it (grey).
 */
export function slaBadge(due, done, { warnAt, paused, now = Date.now(), kind = 'resolve', secondsLeft = null, work = false } = {}) {
  const d = ms(due);
  if (d === null) return null;
  const fin = ms(done);
  // The API's time left on the ticket's own clock (working time for work
  // units) when it gives one; else wall time to the due instant.
  const left = secondsLeft !== null && secondsLeft !== undefined ? Number(secondsLeft) * 1000 : d - now;
  const onWork = secondsLeft !== null && secondsLeft !== undefined && work;
  let el;
  if (fin !== null) {
    el = fin <= d ? tag(t('tk.sla_met'), 'green') : tag(t('tk.sla_late', { s: span(fin - d) }), 'red');
    el.dataset.sla = fin <= d ? 'met' : 'late';
  } else if (paused) {
    el = tag(t('tk.sla_paused'), 'grey');
    el.dataset.sla = 'paused';
  } else if (left < 0) {
    el = tag(t('tk.sla_over', { s: span(left, onWork) }), 'red');
    el.dataset.sla = 'overdue';
  } else {
    const w = ms(warnAt);
    const near = w !== null ? now >= w : d - now < 4 * 3600e3;
    el = tag(t('tk.sla_left', { s: span(left, onWork) }), near ? 'orange' : 'blue');
    el.dataset.sla = near ? 'near' : 'running';
  }
  el.classList.add('sla-badge');
  el.dataset.clock = kind;
  el.title = `${t(kind === 'response' ? 'tk.response_due' : 'tk.resolve_due')}：${fmt.datetime(due)}`;
  return el;
}

/** The clock that matters now: the response while new, else the resolution. */
export function ticketSla(tk, now = Date.now()) {
  const paused = !!tk.paused_at;
  if (tk.status === 'merged') return null;
  // Resolved, but the row does not say when (list rows): no clock to show.
  if ((tk.status === 'callback' || tk.status === 'closed') && !tk.resolved_at) return null;
  if (tk.status === 'new' && tk.response_due_at) {
    return slaBadge(tk.response_due_at, tk.responded_at, { paused, now, kind: 'response' });
  }
  // Queue rows carry the time left on the ticket's own clock.
  const secondsLeft = tk.seconds_left !== undefined ? tk.seconds_left : null;
  return slaBadge(tk.resolve_due_at, tk.resolved_at, {
    warnAt: tk.warn_at, paused, now, kind: 'resolve', secondsLeft, work: tk.sla_clock === 'work',
  });
}

// ---- category tree -------------------------------------------------------------

let catCache = null;

/** Every category, a page of 200 (the list's limit) at a time. */
async function allCategories() {
  const out = [];
  for (let offset = 0; offset < 5000; offset += 200) {
    const r = await api.get('ticket-categories', { limit: 200, offset, sort: 'id' });
    const items = (r && r.items) || [];
    out.push(...items);
    if (items.length < 200 || (r.total !== undefined && out.length >= Number(r.total))) break;
  }
  return out;
}

/** [{id, parent_id, name, path ("渗漏 / 卫生间渗漏"), component, leaf}] sorted as the tree. */
export function categories() {
  if (!catCache) {
    catCache = allCategories().then((all) => {
      const items = all.filter((c) => c.active === undefined || c.active === null || Number(c.active) === 1 || c.active === true);
      const byId = new Map(items.map((c) => [String(c.id), c]));
      const kids = new Map();
      for (const c of items) {
        const p = c.parent_id ? String(c.parent_id) : '';
        if (!kids.has(p)) kids.set(p, []);
        kids.get(p).push(c);
      }
      const sortOf = (a, b) => (Number(a.sort) || 0) - (Number(b.sort) || 0) || Number(a.id) - Number(b.id);
      const out = [];
      const walk = (pid, trail, depth) => {
        for (const c of (kids.get(pid) || []).sort(sortOf)) {
          const path = [...trail, c.name];
          out.push({ ...c, path: path.join(' / '), depth, leaf: !(kids.get(String(c.id)) || []).length });
          walk(String(c.id), path, depth + 1);
        }
      };
      walk('', [], 0);
      // Orphans (parent not readable) at the end.
      for (const c of items) if (!out.some((x) => x.id === c.id) && !byId.has(String(c.parent_id))) out.push({ ...c, path: c.name, depth: 0, leaf: true });
      return out;
    });
    catCache.catch(() => { catCache = null; });
  }
  return catCache;
}

export function resetCategories() {
  catCache = null;
}

/** Who a ticket is about, as text: the customer, else the caller. */
export function whoText(tk) {
  return tk.customer_name || tk.caller_name || (tk.customer_id ? `#${tk.customer_id}` : '');
}

/**
 * 登记付款 of an approved compensation (finance): the amount paid (the
 * approved amount by default, never more), the date and the voucher.
 */
export function compensationPayment(c, after) {
  return fieldsDialog({
    title: t('tk.comp_pay'),
    extra: h('div', { class: 'dialog-facts' },
      headFact(t('tk.comp_amount'), fmt.money(c.amount_fen), 'amount'),
      headFact(t('tk.comp_reason'), c.reason_category || '', 'reason')),
    fields: [
      inputField({ name: 'paid', api: 'paid_fen', label: t('tk.comp_paid_amount'), type: 'money', prefix: '¥', required: true, value: fmt.hundredthsToInput(c.amount_fen), help: t('tk.comp_paid_help') }),
      inputField({ name: 'paid_on', label: t('tk.comp_paid_on'), type: 'date', required: true, value: fmt.today() }),
      inputField({ name: 'payment_ref', label: t('tk.comp_ref'), required: true, maxlen: 60, placeholder: t('od.r_voucher_ph') }),
    ],
    okText: t('tk.comp_pay'),
    submit: async (v) => {
      await api.post(`compensations/${c.id}/payment`, v);
      toast(t('tk.comp_paid_done'), 'success');
      if (after) after();
    },
  });
}
