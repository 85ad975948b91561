// One ticket (#/ticket/{id}): the header with its state, the SLA clocks and
// their countdown, the warranty, who and which unit; the actions the API
// offers (受理, 派单, 等待业主, 办结, 回访 …) each with its dialog; the
// description, photos and files, callbacks, compensations (申请赔付; finance
// records the payment), parent and children; the history on the side.
import { h, replace, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can } from './session.js';
import { loading, errorState, toast, tag } from './ui.js';
import { inputField, fieldsDialog, headFact, descItem } from './widgets.js';
import {
  DISPATCH_KINDS, codeLabel, statusTag, severityTag, slaBadge, whoText, compensationPayment,
} from './ticket_common.js';

const ATTACH_EXT = /\.(jpe?g|png|pdf|docx|xlsx|pptx|txt)$/i;
const ATTACH_MAX = 10 * 1024 * 1024;
const COMP_REASONS = ['维修延误', '财产损失', '交付延期', '销售承诺未兑现', '服务过失', '其他'];
const COMP_STATUS = { pending: 'orange', approved: 'blue', rejected: 'red', withdrawn: 'grey', paid: 'green' };
const EVENT_DOT = {
  create: 'grey', accept: 'blue', dispatch: 'blue', assign: 'blue', pause: 'orange', resume: 'blue', resolve: 'green',
  callback: 'green', close: 'green', reopen: 'red', merge: 'grey', set_parent: 'blue', mark_defect: 'orange',
  warn: 'orange', escalate1: 'red', escalate2: 'red', compensation: 'orange',
};

/** The warranty as the API gives it: 在保 until …, 已过保 since …, or why not known. */
export function warrantyBox(w, compact = false) {
  if (!w) return null;
  let state;
  let text;
  if (w.status === 'not_delivered') {
    state = tag(t('tk.w_not_delivered'), 'grey');
    text = t('tk.w_not_delivered_hint');
  } else if (w.status === 'no_component') {
    state = tag(t('tk.w_no_component'), 'grey');
    text = t('tk.w_no_component_hint');
  } else if (w.under_warranty) {
    state = tag(t('tk.w_under'), 'green');
    text = t('tk.w_until', { end: w.end || '', n: w.days_left ?? '' });
  } else {
    state = tag(t('tk.w_expired'), 'red');
    text = t('tk.w_ended', { end: w.end || '' });
  }
  const period = w.component_name
    ? t('tk.w_period', { name: w.component_name, y: w.years || 0, m: w.months ? t('tk.w_months', { n: w.months }) : '', from: w.delivered_on || '' })
    : '';
  state.dataset.warranty = w.status || (w.under_warranty ? 'under' : 'expired');
  return h('div', { class: ['warranty-box', compact && 'compact'], dataset: { warranty: state.dataset.warranty } },
    state, h('span', { class: 'warranty-text', text }), period ? h('span', { class: 'muted small', text: period }) : null);
}

function actionName(a) {
  return typeof a === 'string' ? a : (a && (a.action || a.code || a.name)) || '';
}

function actionLabel(a) {
  const code = actionName(a);
  const k = `tk.act_${code}`;
  const s = t(k);
  return s === k ? ((a && a.label) || code) : s;
}

function fileSize(n) {
  const v = Number(n) || 0;
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  if (v >= 1024) return `${Math.round(v / 1024)} KB`;
  return `${v} B`;
}

async function loadFull(id) {
  const d = await api.get(`tickets/${encodeURIComponent(id)}/full`);
  const tk = d && d.ticket ? { ...d.ticket, ...d, ticket: undefined } : d;
  return tk;
}

export async function renderTicket(main, id, ctx) {
  replace(main, loading());
  let tk;
  try {
    tk = await loadFull(id);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderTicket(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  let timer = null;
  let loadedAt = Date.now();

  const reload = async (fresh) => {
    try {
      tk = fresh && fresh.id ? await loadFull(id).catch(() => fresh) : await loadFull(id);
      loadedAt = Date.now();
      if (!main.isConnected) return;
      paint();
    } catch (err) {
      toast(err.message, 'error', 5000);
    }
  };

  function paint() {
    const top = main.scrollTop;
    ctx.setTitle(`${tk.no || `#${tk.id}`} - ${t('tk.crumb')}`);
    replace(main, pageOf());
    main.scrollTop = top;
    clearInterval(timer);
    // The countdown moves on while the page is open.
    timer = setInterval(() => {
      const box = main.querySelector('.page-ticket .sla-strip');
      if (!box) { clearInterval(timer); return; }
      box.replaceWith(slaStrip());
    }, 30_000);
  }

  function slaStrip() {
    const paused = !!tk.paused_at;
    // The resolution clock: the API's time left on the policy's clock (working
    // time for work units) as of loading; the response clock in wall time.
    const left = tk.sla && tk.sla.seconds_left !== undefined ? tk.sla.seconds_left - (tk.sla_clock === 'work' ? 0 : Math.round((Date.now() - loadedAt) / 1000)) : null;
    const clock = (label, due, done, kind, warnAt) => h('div', { class: 'sla-clock', dataset: { clock: kind } },
      h('span', { class: 'sla-label', text: label }),
      h('span', { class: 'sla-due mono', text: due ? fmt.datetime(due) : t('common.none') }),
      due ? slaBadge(due, done, {
        warnAt, paused, kind, secondsLeft: kind === 'resolve' ? left : null, work: tk.sla_clock === 'work',
      }) : null,
      done ? h('span', { class: 'muted small', text: t('tk.done_at', { at: fmt.datetime(done) }) }) : null);
    return h('div', { class: 'sla-strip', dataset: { part: 'sla' } },
      clock(t('tk.response_due'), tk.response_due_at, tk.responded_at, 'response'),
      clock(t('tk.resolve_due'), tk.resolve_due_at, tk.resolved_at, 'resolve', tk.warn_at),
      tk.channel === 'hotline' ? h('div', { class: 'sla-clock', dataset: { clock: 'hotline' } },
        h('span', { class: 'sla-label', text: t('tk.hotline_deadline') }),
        h('span', { class: 'sla-due mono', text: tk.hotline_deadline ? fmt.datetime(tk.hotline_deadline) : t('common.none') }),
        tk.hotline_no ? h('span', { class: 'muted small', text: t('tk.hotline_no_is', { no: tk.hotline_no }) }) : null) : null,
      paused ? h('div', { class: 'sla-clock' }, tag(t('tk.paused_since', { at: fmt.datetime(tk.paused_at) }), 'orange')) : null,
      Number(tk.escalation_level) > 0 ? h('div', { class: 'sla-clock' }, tag(t('tk.escalated', { n: tk.escalation_level }), 'red')) : null);
  }

  function pageOf() {
    const actions = (tk.actions || []).map((a) => (typeof a === 'string' ? { action: a } : a)).filter((a) => actionName(a));
    const bar = h('div', { class: 'page-actions ticket-actions' });
    // The first move is the usual next step; reopening never is.
    const primary = actions.find((a) => actionName(a) !== 'reopen');
    actions.forEach((a) => {
      bar.append(h('button', {
        class: ['btn', a === primary && 'btn-primary', actionName(a) === 'reopen' && 'btn-danger-ghost'], type: 'button',
        text: actionLabel(a), dataset: { action: actionName(a) }, onclick: () => runAction(actionName(a)),
      }));
    });

    const unitLink = tk.unit_id
      ? h('a', { class: 'mono', href: router.href('view', 'units', tk.unit_id), text: tk.room_code || `#${tk.unit_id}`, dataset: { link: 'unit' } })
      : h('span', { class: 'muted', text: t('common.none') });
    const custLink = tk.customer_id && can('customer.read')
      ? h('a', { href: router.page('360', tk.customer_id), text: whoText(tk), dataset: { link: '360' } })
      : h('span', { text: [whoText(tk), tk.caller_phone].filter(Boolean).join(' ') || t('common.none') });
    const header = h('div', { class: 'page-head detail-head ticket-head' },
      h('div', { class: 'head-main' },
        h('a', { class: 'back-link', href: router.page('tickets/queue'), text: `‹ ${t('tk.queue')}` }),
        h('h1', { class: 'page-title' },
          h('span', { class: 'record-title mono-title', text: tk.no || `#${tk.id}` }),
          statusTag(tk.status, !!tk.paused_at),
          h('span', { class: 'tag tag-neutral', dataset: { type: tk.type }, text: codeLabel('type', tk.type) }),
          severityTag(tk.severity),
          Number(tk.is_defect) ? tag(t('tk.defect'), 'orange') : null,
          h('span', { class: 'title-sub ticket-title-text', text: tk.title || '' })),
        h('div', { class: 'head-facts' },
          headFact(t('tk.customer'), custLink, 'customer'),
          headFact(t('tk.unit'), unitLink, 'unit'),
          headFact(t('tk.category'), [tk.category_parent, tk.category_name].filter(Boolean).join(' / '), 'category'),
          headFact(t('tk.channel'), codeLabel('channel', tk.channel), 'channel'),
          headFact(t('tk.assignee'), tk.assignee_name || t('common.none'), 'assignee'),
          headFact(t('tk.created_at'), `${fmt.datetime(tk.created_at)}${tk.created_by_name ? ` · ${tk.created_by_name}` : ''}`, 'created'))),
      bar);

    const banners = [];
    if (tk.status === 'merged' && tk.merged_into_id) {
      banners.push(h('div', { class: 'banner banner-grey', dataset: { banner: 'merged' } },
        h('span', { text: t('tk.merged_into') }), h('a', { href: router.page('ticket', tk.merged_into_id), text: tk.merged_into_no || `#${tk.merged_into_id}` })));
    }
    if (Number(tk.reopen_count) > 0) {
      banners.push(h('div', { class: 'banner banner-orange', dataset: { banner: 'reopened' }, text: t('tk.reopened_n', { n: tk.reopen_count }) }));
    }
    if (tk.cluster) {
      banners.push(h('div', { class: 'banner banner-red', dataset: { banner: 'cluster' }, text: t('tk.cluster_banner', { n: tk.cluster.count || tk.cluster.tickets || '' }) }));
    }

    // ---- main column -------------------------------------------------------------------------
    const descCard = h('section', { class: 'card', dataset: { part: 'description' } },
      h('h2', { class: 'card-title', text: t('tk.description') }),
      h('p', { class: 'pre-wrap ticket-desc', text: tk.description || '' }),
      h('dl', { class: 'desc-grid' },
        descItem(t('tk.location'), tk.location, 'location'),
        descItem(t('tk.dispatch'), tk.dispatch_kind ? `${codeLabel('dispatch', tk.dispatch_kind)} · ${tk.dispatch_to || tk.contractor_name || ''}` : null, 'dispatch'),
        descItem(t('tk.work_order'), tk.work_order_no ? h('span', { class: 'mono', text: tk.work_order_no }) : null, 'work_order_no'),
        descItem(t('tk.dispatch_due'), tk.dispatch_due, 'dispatch_due'),
        tk.resolution ? descItem(t('tk.resolution'), h('span', { class: 'pre-wrap', text: tk.resolution }), 'resolution', true) : null,
        tk.satisfaction ? descItem(t('tk.satisfaction'), stars(tk.satisfaction), 'satisfaction') : null));

    const side = h('aside', { class: 'detail-side side-stack' },
      h('section', { class: 'card', dataset: { part: 'warranty' } }, h('h2', { class: 'card-title', text: t('tk.warranty') }),
        warrantyBox(tk.warranty) || h('div', { class: 'muted', text: t('common.none') })),
      relatedCard(),
      h('section', { class: 'card history', dataset: { part: 'history' } },
        h('h2', { class: 'card-title', text: t('tk.history') }), timeline(tk.events || [])));

    return h('div', { class: 'page page-detail page-ticket', dataset: { id: tk.id, status: tk.status || '' } },
      header, slaStrip(), banners,
      h('div', { class: 'detail-body' },
        h('div', { class: 'detail-main main-stack' }, descCard, attachmentsCard(), callbacksCard(), compensationsCard()),
        side));
  }

  function stars(n) {
    const v = Math.max(0, Math.min(5, Number(n) || 0));
    return h('span', { class: 'stars', title: t('tk.score_n', { n: v }), dataset: { score: v } },
      h('span', { class: 'stars-on', text: '★'.repeat(v) }), h('span', { class: 'stars-off', text: '★'.repeat(5 - v) }),
      h('span', { class: 'muted small', text: ` ${t('tk.score_n', { n: v })}` }));
  }

  function timeline(events) {
    if (!events.length) return h('div', { class: 'muted empty-small', text: t('detail.history_empty') });
    const list = events.slice().sort((a, b) => String(b.at).localeCompare(String(a.at)) || Number(b.id) - Number(a.id));
    return h('ol', { class: 'timeline ticket-timeline' }, list.map((e) => h('li', { class: ['timeline-item', `dot-${EVENT_DOT[e.action] || 'blue'}`], dataset: { action: e.action || '' } },
      h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'timeline-content' },
        h('div', { class: 'timeline-head' },
          h('span', { class: 'timeline-who', text: e.user_name || e.username || t('detail.system') }),
          h('span', { class: 'timeline-action', text: actionLabel(e.action) }),
          e.to_status && e.to_status !== e.from_status ? h('span', { class: 'muted small', text: `→ ${codeLabel('status', e.to_status)}` }) : null),
        h('time', { class: 'timeline-time', datetime: e.at || null, text: fmt.datetime(e.at) }),
        e.note ? h('div', { class: 'timeline-note pre-wrap', text: e.note }) : null))));
  }

  function relatedCard() {
    const kids = tk.children || [];
    const parent = tk.parent_id ? h('div', { class: 'related-parent', dataset: { part: 'parent' } },
      h('span', { class: 'muted', text: t('tk.parent') }),
      h('a', { class: 'mono', href: router.page('ticket', tk.parent_id), text: tk.parent_no || `#${tk.parent_id}` })) : null;
    if (!parent && !kids.length) return null;
    return h('section', { class: 'card', dataset: { part: 'related' } },
      h('h2', { class: 'card-title' }, t('tk.related'), kids.length ? h('span', { class: 'count', text: String(kids.length) }) : null),
      parent,
      kids.length ? h('ul', { class: 'related-list' }, kids.map((c) => h('li', { dataset: { id: c.id } },
        h('a', { class: 'mono', href: router.page('ticket', c.id), text: c.no || `#${c.id}` }),
        statusTag(c.status, !!c.paused_at),
        h('span', { class: 'small ellipsis', text: c.title || '' })))) : null);
  }

  function attachmentsCard() {
    const files = tk.attachments || [];
    const err = h('div', { class: 'field-error', role: 'alert' });
    const head = h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, t('tk.attachments'), h('span', { class: 'count', text: String(files.length) })));
    if (can('ticket.write') && tk.status !== 'merged') {
      const inputId = nextId('tk-attach');
      const input = h('input', { type: 'file', id: inputId, class: 'file-input', accept: '.jpg,.jpeg,.png,.pdf,.docx,.xlsx,.pptx,.txt', multiple: true });
      const btn = h('label', { class: 'btn', for: inputId, tabindex: 0, role: 'button', dataset: { action: 'upload' }, text: t('tk.upload') });
      btn.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
      input.addEventListener('change', async () => {
        err.textContent = '';
        const list = [...(input.files || [])];
        if (!list.length) return;
        for (const f of list) {
          if (!ATTACH_EXT.test(f.name)) { err.textContent = t('appr.attach_bad_type'); input.value = ''; return; }
          if (f.size > ATTACH_MAX) { err.textContent = t('appr.attach_too_big', { size: fileSize(f.size) }); input.value = ''; return; }
          if (f.size === 0) { err.textContent = t('imp.empty_file'); input.value = ''; return; }
        }
        btn.classList.add('disabled');
        btn.textContent = t('imp.uploading');
        try {
          for (const f of list) await api.upload('attachments', { entity: 'tickets', id: tk.id, file_name: f.name }, f);
          toast(t('appr.attach_done', { name: list.map((f) => f.name).join('、') }), 'success');
          reload();
        } catch (e) {
          err.textContent = e.message;
          btn.classList.remove('disabled');
          btn.textContent = t('tk.upload');
        } finally {
          input.value = '';
        }
      });
      head.append(h('div', { class: 'card-head-actions' }, input, btn, h('span', { class: 'muted small', text: t('tk.upload_hint') })));
    }
    const thumbs = [];
    const list = files.length ? h('ul', { class: 'attach-list' }, files.map((f) => {
      const name = f.file_name || `attachment-${f.id}`;
      const isImg = /\.(jpe?g|png)$/i.test(name);
      const a = h('a', { class: 'attach-name', href: `/api/v1/attachments/${encodeURIComponent(f.id)}`, download: name, text: name, title: name });
      a.addEventListener('click', async (e) => {
        e.preventDefault();
        try { await api.download(`attachments/${encodeURIComponent(f.id)}`, null, name, { forceName: name }); } catch (x) { toast(x.message, 'error', 5000); }
      });
      if (isImg) thumbs.push({ f, name });
      return h('li', { dataset: { id: f.id } },
        h('span', { class: 'attach-icon', 'aria-hidden': 'true', text: (name.split('.').pop() || '').slice(0, 4).toUpperCase() }),
        a, h('span', { class: 'muted small', text: fileSize(f.size) }),
        f.uploaded_at ? h('span', { class: 'muted small', text: fmt.datetime(f.uploaded_at) }) : null);
    })) : h('div', { class: 'muted empty-small', text: t('tk.attach_empty') });
    // Photos as thumbnails (the download is same-origin: img-src 'self' allows it).
    const gallery = thumbs.length ? h('div', { class: 'photo-row' }, thumbs.map(({ f, name }) => h('img', {
      class: 'photo-thumb', src: `/api/v1/attachments/${encodeURIComponent(f.id)}`, alt: name, title: name, loading: 'lazy',
    }))) : null;
    return h('section', { class: 'card', dataset: { part: 'attachments' } }, head, err, gallery, list);
  }

  function callbacksCard() {
    const cbs = tk.callbacks || [];
    const canCb = (tk.actions || []).some((a) => actionName(a) === 'callback');
    return h('section', { class: 'card', dataset: { part: 'callbacks' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title' }, t('tk.callbacks'), h('span', { class: 'count', text: String(cbs.length) })),
        canCb ? h('button', { class: 'btn btn-sm', type: 'button', text: t('tk.act_callback'), dataset: { action: 'callback-inline' }, onclick: () => runAction('callback') }) : null),
      cbs.length ? h('table', { class: 'data-table plain-table callbacks-table' },
        h('thead', null, h('tr', null, [t('tk.cb_at'), t('tk.cb_by'), t('tk.cb_outcome'), t('tk.cb_score'), t('tk.cb_comment')].map((x) => h('th', { text: x })))),
        h('tbody', null, cbs.map((c) => h('tr', { dataset: { id: c.id, outcome: c.outcome } },
          h('td', { class: 'nowrap', text: fmt.datetime(c.at) }),
          h('td', { text: c.user_name || '' }),
          h('td', null, c.outcome === 'reached' ? tag(t('tk.cb_reached'), 'green') : tag(t('tk.cb_failed'), 'grey')),
          h('td', null, c.score ? stars(c.score) : h('span', { class: 'muted', text: t('common.none') })),
          h('td', { class: 'wrap-cell', text: c.comment || '' })))))
        : h('div', { class: 'muted empty-small', text: tk.status === 'callback' ? t('tk.cb_waiting') : t('tk.cb_none') }));
  }

  function compensationsCard() {
    const list = tk.compensations || [];
    if (!list.length && !tk.can_compensate && !can('compensation.read')) return null;
    const canNew = tk.can_compensate !== undefined ? !!tk.can_compensate : can('compensation.write') && tk.status !== 'merged';
    const canPay = tk.can_pay !== undefined ? !!tk.can_pay : can('compensation.pay');
    return h('section', { class: 'card', dataset: { part: 'compensations' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title' }, t('tk.compensations'), h('span', { class: 'count', text: String(list.length) })),
        canNew ? h('button', { class: 'btn btn-sm', type: 'button', text: t('tk.comp_new'), dataset: { action: 'compensation' }, onclick: compensationDialog }) : null),
      list.length ? h('table', { class: 'data-table plain-table comp-table' },
        h('thead', null, h('tr', null, [t('tk.comp_amount'), t('tk.comp_reason'), t('tk.comp_status'), t('tk.comp_paid'), t('tk.comp_approval'), canPay ? t('list.actions') : null]
          .filter(Boolean).map((x, i) => h('th', { class: i === 0 || i === 3 ? 'num' : null, text: x })))),
        h('tbody', null, list.map((c) => {
          const st = c.paid_on ? 'paid' : c.status;
          return h('tr', { dataset: { id: c.id, status: st } },
            h('td', { class: 'num', text: fmt.money(c.amount_fen) }),
            h('td', { class: 'wrap-cell' }, h('div', { text: c.reason_category || '' }), c.reason ? h('div', { class: 'muted small', text: c.reason }) : null),
            h('td', null, tag(t(`tk.comp_${st}`), COMP_STATUS[st] || 'neutral')),
            h('td', { class: 'num' }, c.paid_on ? h('div', null, h('div', { text: fmt.money(c.paid_fen) }), h('div', { class: 'muted small', text: [c.paid_on, c.payment_ref].filter(Boolean).join(' · ') })) : t('common.none')),
            h('td', null, c.approval_id ? h('a', { class: 'mono', href: router.page('approval', c.approval_id), text: c.approval_no || `#${c.approval_id}` }) : t('common.none')),
            canPay ? h('td', null, c.status === 'approved' && !c.paid_on ? h('button', {
              class: 'btn btn-link btn-sm', type: 'button', text: t('tk.comp_pay'), dataset: { action: 'pay' }, onclick: () => paymentDialog(c),
            }) : null) : null);
        }))) : h('div', { class: 'muted empty-small', text: t('tk.comp_none') }));
  }

  // ---- dialogs ---------------------------------------------------------------------------------

  function compensationDialog() {
    return fieldsDialog({
      title: `${t('tk.comp_new')} · ${tk.no || `#${tk.id}`}`,
      intro: t('tk.comp_intro'),
      fields: [
        inputField({ name: 'amount', api: 'amount_fen', label: t('tk.comp_amount'), type: 'money', prefix: '¥', required: true }),
        inputField({ name: 'reason_category', label: t('tk.comp_reason_cat'), type: 'select', required: true, options: COMP_REASONS.map((r) => ({ value: r, label: r })) }),
        inputField({ name: 'reason', label: t('tk.comp_reason'), type: 'textarea', required: true, maxlen: 1000 }),
      ],
      okText: t('tk.comp_submit'),
      submit: async (v) => {
        await api.post(`tickets/${tk.id}/compensations`, v);
        toast(t('tk.comp_submitted'), 'success');
        reload();
      },
    });
  }

  function paymentDialog(c) {
    return compensationPayment(c, () => reload());
  }

  /** Users who may be named as assignee, when this user may list them. */
  async function userOptions() {
    try {
      const r = await api.get('users', { limit: 200, status: 'active' });
      return ((r && r.items) || []).map((u) => ({ value: u.id, label: [u.display_name || u.username, u.role_name || u.department_name].filter(Boolean).join(' · ') }));
    } catch {
      return null;
    }
  }

  async function assigneeField(required) {
    const opts = await userOptions();
    // Optional and no list to choose from: leave it out (转派 names one by number).
    if (!opts && !required) return null;
    if (opts) {
      return inputField({
        name: 'assignee_id', label: t('tk.assignee'), type: 'select', required, options: opts,
        value: tk.assignee_id || null, parse: (s) => ({ value: Number(s) }),
      });
    }
    return inputField({ name: 'assignee_id', label: t('tk.assignee_id'), type: 'int', required, help: t('appr.user_id_hint') });
  }

  async function lookupTicket(s) {
    const v = String(s || '').trim();
    if (!v) return null;
    if (/^\d{1,18}$/.test(v)) return Number(v);
    const r = await api.get('tickets', { q: v, limit: 5 });
    const hit = ((r && r.items) || []).find((x) => x.no === v) || ((r && r.items) || [])[0];
    if (!hit) throw Object.assign(new Error(t('tk.no_such_ticket', { no: v })), { field: 'ticket_ref' });
    return hit.id;
  }

  async function post(action, params) {
    const full = await api.post(`tickets/${tk.id}/actions`, { action, ...params });
    toast(t('tk.done', { label: actionLabel(action) }), 'success');
    reload(full);
  }

  async function runAction(action) {
    const title = `${actionLabel(action)} · ${tk.no || `#${tk.id}`}`;
    const note = (label = t('tk.note'), required = false) => inputField({ name: 'note', label, type: 'textarea', required, maxlen: 1000 });
    switch (action) {
      case 'dispatch': {
        let contractors = [];
        if (can('contractor.read')) {
          try { contractors = ((await api.get('contractors', { limit: 200, sort: 'name' })).items || []); } catch { contractors = []; }
        }
        const kindF = inputField({
          name: 'dispatch_kind', label: t('tk.dispatch_kind'), type: 'seg', value: tk.dispatch_kind || 'contractor',
          options: DISPATCH_KINDS.map((k) => ({ value: k, label: codeLabel('dispatch', k) })),
          onChange: (k) => sync(k),
        });
        const toF = inputField({ name: 'dispatch_to', label: t('tk.dispatch_to'), required: true, maxlen: 100, placeholder: t('tk.dispatch_to_ph') });
        const conF = inputField({
          name: 'contractor_id', label: t('tk.contractor'), type: 'select', required: true,
          options: contractors.map((c) => ({ value: c.id, label: [c.name, c.trade].filter(Boolean).join(' · ') })), parse: (s) => ({ value: Number(s) }),
        });
        const asgF = await assigneeField(false);
        const dueF = inputField({ name: 'due_date', label: t('tk.dispatch_due'), type: 'date' });
        const noteF = note();
        const sync = (k) => { conF.el.hidden = k !== 'contractor'; toF.el.hidden = k === 'contractor'; };
        sync(tk.dispatch_kind || 'contractor');
        return fieldsDialog({
          title, fields: [kindF, conF, toF, asgF, dueF, noteF].filter(Boolean), okText: actionLabel(action), width: '560px',
          submit: (v) => post(action, v),
        });
      }
      case 'assign': {
        const asgF = await assigneeField(true);
        return fieldsDialog({ title, fields: [asgF, note()], okText: actionLabel(action), submit: (v) => post(action, v) });
      }
      case 'pause':
        return fieldsDialog({ title, intro: t('tk.pause_intro'), fields: [note(t('tk.pause_note'), true)], okText: actionLabel(action), submit: (v) => post(action, v) });
      case 'resolve':
        return fieldsDialog({
          title, intro: t('tk.resolve_intro'),
          fields: [inputField({ name: 'resolution', label: t('tk.resolution'), type: 'textarea', required: true, maxlen: 2000, placeholder: t('tk.resolution_ph') })],
          okText: actionLabel(action), submit: (v) => post(action, v),
        });
      case 'reopen':
        return fieldsDialog({
          title, danger: true,
          fields: [inputField({ name: 'reason', label: t('tk.reopen_reason'), type: 'textarea', required: true, maxlen: 1000 })],
          okText: actionLabel(action), submit: (v) => post(action, v),
        });
      case 'callback':
        return callbackDialog(title);
      case 'merge': {
        const f = inputField({ name: 'ticket_ref', api: 'into_id', label: t('tk.merge_into'), required: true, placeholder: t('tk.ticket_ref_ph'), help: t('tk.merge_help') });
        return fieldsDialog({
          title, fields: [f], okText: actionLabel(action), danger: true,
          submit: async (v) => post(action, { into_id: await lookupTicket(v.into_id) }),
        });
      }
      case 'set_parent': {
        const f = inputField({ name: 'ticket_ref', api: 'parent_id', label: t('tk.parent'), placeholder: t('tk.ticket_ref_ph'), help: t('tk.parent_help'), value: tk.parent_id || '' });
        return fieldsDialog({
          title, fields: [f], okText: actionLabel(action),
          submit: async (v) => post(action, { parent_id: v.parent_id ? await lookupTicket(v.parent_id) : null }),
        });
      }
      case 'mark_defect': {
        const on = !Number(tk.is_defect);
        return fieldsDialog({
          title, intro: on ? t('tk.defect_on') : t('tk.defect_off'), fields: [], okText: on ? t('tk.defect_mark') : t('tk.defect_unmark'),
          submit: () => post(action, { is_defect: on }),
        });
      }
      default:
        // accept, resume, close and anything new: an optional note.
        return fieldsDialog({ title, fields: [note()], okText: actionLabel(action), submit: (v) => post(action, v) });
    }
  }

  function callbackDialog(title) {
    let score = 0;
    const scoreBtns = [1, 2, 3, 4, 5].map((n) => h('button', {
      type: 'button', class: 'seg-btn score-btn', dataset: { score: n }, 'aria-pressed': 'false', text: `${n}`, title: t(`tk.score_${n}`),
      onclick: () => setScore(n),
    }));
    const scoreHint = h('span', { class: 'muted small score-hint' });
    const setScore = (n) => {
      score = n;
      scoreBtns.forEach((b) => { const on = Number(b.dataset.score) === n; b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); });
      scoreHint.textContent = t(`tk.score_${n}`) + (n <= 2 ? ` · ${t('tk.score_low')}` : '');
    };
    const scoreEl = h('div', { class: 'score-row' }, h('div', { class: 'seg form-seg score-seg', role: 'group', 'aria-label': t('tk.cb_score'), dataset: { name: 'score' } }, scoreBtns), scoreHint);
    scoreEl.addEventListener('keydown', (e) => { if (/^[1-5]$/.test(e.key)) { e.preventDefault(); setScore(Number(e.key)); } });
    const scoreF = inputField({
      name: 'score', label: t('tk.cb_score'), type: 'element', required: true, el: scoreEl,
      read: () => (score ? { value: score } : { error: t('tk.need_score') }),
    });
    const commentF = inputField({ name: 'comment', label: t('tk.cb_comment'), type: 'textarea', required: true, maxlen: 1000, placeholder: t('tk.cb_comment_ph') });
    const noteF = inputField({ name: 'note', label: t('tk.cb_fail_note'), type: 'textarea', maxlen: 1000, placeholder: t('tk.cb_fail_ph') });
    const sync = (o) => { scoreF.el.hidden = o !== 'reached'; commentF.el.hidden = o !== 'reached'; noteF.el.hidden = o === 'reached'; };
    const outcomeF = inputField({
      name: 'outcome', label: t('tk.cb_outcome'), type: 'seg', value: 'reached',
      options: [{ value: 'reached', label: t('tk.cb_reached') }, { value: 'failed', label: t('tk.cb_failed') }],
      onChange: sync,
    });
    sync('reached');
    const fails = Number(tk.callback_failures) || 0;
    return fieldsDialog({
      title, fields: [outcomeF, scoreF, commentF, noteF], okText: t('tk.cb_save'), width: '520px',
      intro: fails ? t('tk.cb_fails_so_far', { n: fails }) : t('tk.cb_intro'),
      submit: (v) => post('callback', v),
    });
  }

  paint();
}
