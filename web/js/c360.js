// Customer 360 (#/360/{id}): what a caller usually asks, at a glance — who,
// how to reach them, which units in what state, and what happened lately.
// `N` starts a new ticket for this customer (the unit chosen in the form).
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { getEntityMeta, enumField } from './meta.js';
import { can } from './session.js';
import { textValue, fieldLabel } from './fields.js';
import { loading, errorState, enumTag, tag, toast, modal, setBusy, emptyValue } from './ui.js';
import { maskedValue } from './reveal.js';
import { codeLabel, statusTag, ticketSla } from './ticket_common.js';

const PATH = '/api/v1/customers';

/** Share in basis points → "50%", "33.33%". */
export function sharePct(bp) {
  if (bp === null || bp === undefined || bp === '') return '';
  const n = Number(bp);
  if (!Number.isFinite(n)) return String(bp);
  const whole = Math.trunc(n / 100);
  const frac = Math.abs(n % 100);
  return frac ? `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}%` : `${whole}%`;
}

function fieldOf(meta, name) {
  return (meta && meta.fields.find((f) => f.name === name)) || { name, type: 'text', label: name };
}

function val(meta, c, name) {
  const f = fieldOf(meta, name);
  const s = textValue(f, c[name], c);
  return s ? document.createTextNode(s) : emptyValue();
}

function fact(label, value, field) {
  return h('div', { class: 'fact', dataset: field ? { field } : null },
    h('dt', { text: label }), h('dd', null, value));
}

function pii(meta, c, name, onRevealed) {
  const f = fieldOf(meta, name);
  return maskedValue(c[name], {
    path: PATH, id: c.id, field: name, canReveal: !!f.reveal && c.status !== 'anonymised', label: fieldLabel(f), onRevealed,
  });
}

export async function render360(main, id, ctx) {
  replace(main, loading());
  let meta;
  let data;
  try {
    [meta, data] = await Promise.all([
      getEntityMeta('customers'),
      api.get(`customers/${encodeURIComponent(id)}/360`),
      enumField.ready('units', 'status'),
    ]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => render360(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const c = data.customer || {};
  const units = data.units || [];
  const timeline = data.timeline || [];
  const refresh = () => render360(main, id, ctx);
  const name = c.name || `#${c.id}`;
  // A reveal is an event of its own: show it in the timeline.
  let timelineBox = null;
  const reloadTimeline = async () => {
    try {
      const r = await api.get(`customers/${encodeURIComponent(id)}/360`);
      if (timelineBox && timelineBox.isConnected) timelineBox.replaceChildren(timelineList(r.timeline || [], c.id));
    } catch { /* keep the old one */ }
  };
  const piiOf = (n) => pii(meta, c, n, reloadTimeline);
  ctx.setTitle(`${name} - ${t('c360.crumb')}`);

  // ---- header --------------------------------------------------------------
  const statusF = fieldOf(meta, 'status');
  const kindF = fieldOf(meta, 'kind');
  const actions = h('div', { class: 'page-actions' });
  const canTicket = can('ticket.write') && c.status === 'active';
  const ticketHref = router.page('ticket', 'new', units.length === 1 ? { customer: c.id, unit: units[0].id } : { customer: c.id });
  if (canTicket) {
    actions.append(h('a', { class: 'btn btn-primary', href: ticketHref, dataset: { action: 'new-ticket' }, title: t('tk.new_key') },
      t('tk.new'), h('kbd', { class: 'btn-kbd', text: 'N' })));
  }
  actions.append(h('a', { class: 'btn', href: router.href('view', 'customers', c.id), text: t('c360.record'), dataset: { action: 'record' } }));
  if (meta.can_update && c.status === 'active') {
    actions.append(h('a', { class: 'btn', href: router.href('edit', 'customers', c.id, { back: '360' }), text: t('common.edit'), dataset: { action: 'edit' } }));
  }
  if (can('customer.privacy')) {
    const exportBtn = h('button', { class: 'btn', type: 'button', text: t('c360.export'), title: t('c360.export_tip'), dataset: { action: 'privacy-export' } });
    exportBtn.addEventListener('click', async () => {
      setBusy(exportBtn, true, t('list.exporting'));
      try {
        const r = await api.download(`customers/${encodeURIComponent(c.id)}/personal-data`, null, `customer-${c.id}.json`);
        toast(t('list.exported', { name: r.name }), 'success');
        refresh();
      } catch (err) {
        toast(err.message, 'error', 5000);
        setBusy(exportBtn, false);
      }
    });
    actions.append(exportBtn);
    if (c.status !== 'anonymised') {
      actions.append(h('button', {
        class: 'btn btn-danger-ghost', type: 'button', text: t('c360.anonymise'), dataset: { action: 'anonymise' },
        onclick: () => anonymise(c, refresh),
      }));
    }
  }

  const tags = [
    c.status ? enumTag(statusF, c.status) : null,
    c.kind && c.kind !== 'person' ? enumTag(kindF, c.kind) : null,
  ];
  const idTypeF = fieldOf(meta, 'id_type');
  const idLabel = c.id_type ? textValue(idTypeF, c.id_type) : fieldLabel(fieldOf(meta, 'id_number'));
  const keyFacts = h('dl', { class: 'facts facts-key' },
    fact(fieldLabel(fieldOf(meta, 'phone')), piiOf('phone'), 'phone'),
    c.phone2 ? fact(fieldLabel(fieldOf(meta, 'phone2')), piiOf('phone2'), 'phone2') : null,
    c.kind === 'company' && c.uscc
      ? fact(fieldLabel(fieldOf(meta, 'uscc')), val(meta, c, 'uscc'), 'uscc')
      : fact(idLabel, piiOf('id_number'), 'id_number'),
    fact(t('c360.units_count'), document.createTextNode(units.length ? t('c360.n_units', { n: units.length }) : t('c360.no_units')), 'units'),
    fact(fieldLabel(fieldOf(meta, 'project_id')), val(meta, c, 'project_id'), 'project_id'));

  const header = h('section', { class: 'card c360-head' },
    h('div', { class: 'c360-head-top' },
      h('div', { class: 'head-main' },
        h('a', { class: 'back-link', href: router.href('list', 'customers'), text: `‹ ${L(meta, 'customers')}` }),
        h('h1', { class: 'page-title' },
          h('span', { class: 'avatar avatar-lg', 'aria-hidden': 'true', text: name.slice(0, 1) }),
          h('span', { class: 'record-title', text: name }), tags,
          h('span', { class: 'muted small c360-no', text: `#${c.id}` }))),
      actions),
    keyFacts);

  const banners = [];
  if (c.status === 'merged') banners.push(mergedBanner(c, refresh));
  if (c.status === 'anonymised') banners.push(h('div', { class: 'banner banner-grey', role: 'note', text: t('c360.anonymised_note') }));

  // ---- units ---------------------------------------------------------------
  const unitStatus = enumField('units', 'status');
  const unitsBox = h('section', { class: 'c360-units', 'aria-labelledby': 'c360-units-title' },
    h('h2', { class: 'section-title', id: 'c360-units-title' }, t('c360.units'), h('span', { class: 'count', text: String(units.length) })));
  if (!units.length) {
    unitsBox.append(h('div', { class: 'card empty-small muted', text: t('c360.no_units_long') }));
  } else {
    unitsBox.append(h('div', { class: 'unit-cards' }, units.map((u) => unitCard(u, c, unitStatus))));
  }

  // ---- other details -------------------------------------------------------
  const more = h('dl', { class: 'facts facts-more' });
  const add = (n, node) => { more.append(fact(fieldLabel(fieldOf(meta, n)), node || val(meta, c, n), n)); };
  if (c.kind !== 'company') { add('gender'); add('hukou'); add('marital'); } else if (!c.uscc) add('uscc');
  if (c.kind === 'company' && c.uscc) add('id_number', piiOf('id_number'));
  add('address');
  add('bank_name');
  add('bank_account', piiOf('bank_account'));
  add('created_at');
  const note = c.note ? h('div', { class: 'c360-note' }, h('span', { class: 'muted', text: `${fieldLabel(fieldOf(meta, 'note'))}：` }), h('span', { class: 'pre-wrap', text: c.note })) : null;
  const moreCard = h('section', { class: 'card' }, h('h2', { class: 'card-title', text: t('c360.more') }), more, note);

  // ---- timeline ------------------------------------------------------------
  timelineBox = h('div', { class: 'timeline-box' }, timelineList(timeline, c.id));
  const side = h('aside', { class: 'detail-side' },
    h('section', { class: 'card history c360-timeline' },
      h('h2', { class: 'card-title', text: t('c360.timeline') }), timelineBox));

  const ticketsBox = can('ticket.read') ? recentTickets(c.id, canTicket ? ticketHref : null) : null;
  const body = h('div', { class: 'detail-body' }, h('div', { class: 'detail-main c360-main' }, unitsBox, ticketsBox, moreCard), side);
  const pageEl = h('div', { class: 'page page-360', dataset: { id: c.id } }, header, banners, body);
  replace(main, pageEl);
  if (canTicket) {
    const onKey = (e) => {
      if (!pageEl.isConnected) { document.removeEventListener('keydown', onKey); return; }
      if ((e.key !== 'n' && e.key !== 'N') || e.ctrlKey || e.metaKey || e.altKey) return;
      const a = document.activeElement;
      if (a && (a.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName))) return;
      if (document.querySelector('.modal-mask')) return;
      e.preventDefault();
      router.go(ticketHref);
    };
    document.addEventListener('keydown', onKey);
  }
}

/** The customer's latest tickets: "what happened to my last repair". */
function recentTickets(customerId, newHref) {
  const list = h('div', { class: 'c360-ticket-list' }, h('div', { class: 'muted small', text: t('common.loading') }));
  const box = h('section', { class: 'card c360-tickets', dataset: { part: 'tickets' } },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: t('tk.recent') }),
      h('a', { class: 'btn btn-link btn-sm', href: router.href('list', 'tickets', null, { customer_id: customerId }), text: t('tk.all_of_customer') })),
    list);
  api.get('tickets', { customer_id: customerId, limit: 5, sort: '-id' }).then((r) => {
    const items = (r && r.items) || [];
    if (!items.length) {
      list.replaceChildren(h('div', { class: 'muted empty-small', text: newHref ? t('tk.none_press_n') : t('tk.none_yet') }));
      return;
    }
    list.replaceChildren(h('ul', { class: 'related-list' }, items.map((x) => h('li', { dataset: { id: x.id } },
      h('a', { class: 'mono', href: router.page('ticket', x.id), text: x.no || `#${x.id}` }),
      statusTag(x.status, !!x.paused_at),
      h('span', { class: 'small', text: codeLabel('type', x.type) }),
      h('span', { class: 'small ellipsis', title: x.title || '', text: x.title || '' }),
      ticketSla(x),
      h('span', { class: 'muted small', text: fmt.date(x.opened_on || x.created_at) })))));
  }, () => box.remove());
  return box;
}

function unitCard(u, c, unitStatus) {
  const owners = u.owners || [];
  const area = u.measured_area_dm2 !== null && u.measured_area_dm2 !== undefined
    ? [h('span', { text: fmt.area(u.measured_area_dm2) }), h('span', { class: 'muted small', text: ` ${t('c360.measured')}` })]
    : [h('span', { text: u.contract_area_dm2 !== null && u.contract_area_dm2 !== undefined ? fmt.area(u.contract_area_dm2) : t('common.none') }),
      u.contract_area_dm2 !== null && u.contract_area_dm2 !== undefined ? h('span', { class: 'muted small', text: ` ${t('c360.contract')}` }) : null];
  return h('article', { class: 'card unit-card', dataset: { id: u.id, status: u.status || '' } },
    h('div', { class: 'unit-card-head' },
      h('a', { class: 'unit-room', href: router.href('view', 'units', u.id), text: u.room_code || `#${u.id}` }),
      u.status ? enumTag(unitStatus, u.status) : null,
      h('span', { class: 'unit-role', text: Number(u.is_primary) ? t('c360.primary_owner') : t('c360.co_owner') })),
    h('div', { class: 'unit-where', text: [u.project_name, u.building_name].filter(Boolean).join(' · ') }),
    h('dl', { class: 'unit-facts' },
      h('div', null, h('dt', { text: t('c360.layout') }), h('dd', { text: u.layout || t('common.none') })),
      h('div', null, h('dt', { text: t('c360.area') }), h('dd', null, area)),
      h('div', null, h('dt', { text: t('c360.price') }), h('dd', { class: 'num', text: u.list_price_fen !== null && u.list_price_fen !== undefined ? fmt.money(u.list_price_fen) : t('common.none') })),
      h('div', null, h('dt', { text: t('c360.share') }), h('dd', { text: sharePct(u.share_bp) || t('common.none') }))),
    owners.length ? h('div', { class: 'unit-owners' },
      h('span', { class: 'muted small', text: t('c360.owners') }),
      h('ul', null, owners.map((o) => h('li', { class: String(o.id) === String(c.id) ? 'me' : null, dataset: { id: o.id } },
        String(o.id) === String(c.id) ? h('span', { class: 'owner-name', text: o.name })
          : h('a', { class: 'owner-name', href: router.page('360', o.id), text: o.name }),
        h('span', { class: 'owner-share', text: sharePct(o.share_bp) }),
        Number(o.is_primary) ? tag(t('c360.primary'), 'blue') : null,
        o.phone ? h('span', { class: 'muted small', text: o.phone }) : null)))) : null,
    can('contract.read') ? contractRows(u) : null);
}

/** The unit's contracts (live first) and the loan of the live one, loaded after the card. */
function contractRows(u) {
  const box = h('div', { class: 'unit-contracts', dataset: { part: 'contracts' } });
  Promise.all([
    api.get('contracts', { unit_id: u.id, limit: 5, sort: '-id' }),
    enumField.ready('contracts', 'status'),
    can('loan.read') ? enumField.ready('loans', 'stage') : null,
  ]).then(async ([r]) => {
    const items = ((r && r.items) || []).sort((a, b) => (a.status === 'cancelled') - (b.status === 'cancelled'));
    if (!items.length) return;
    const statusF = enumField('contracts', 'status');
    const live = items.find((x) => x.status !== 'cancelled');
    let loan = null;
    if (live && can('loan.read')) {
      try {
        const l = await api.get('loans', { contract_id: live.id, limit: 5 });
        loan = ((l && l.items) || []).find((x) => x.stage !== 'refused') || ((l && l.items) || [])[0] || null;
      } catch { /* no loan line */ }
    }
    box.replaceChildren(
      h('span', { class: 'muted small', text: t('c360.contracts') }),
      h('ul', null, items.slice(0, 3).map((x) => h('li', { class: x.status === 'cancelled' ? 'cancelled' : null, dataset: { contract: x.id } },
        h('a', { class: 'mono contract-link', href: router.page('contract', x.id), text: x.no }),
        enumTag(statusF, x.status),
        h('span', { class: 'muted small', text: [x.signed_on ? t('c360.signed_on', { date: x.signed_on }) : (x.subscribed_on ? t('c360.subscribed_on', { date: x.subscribed_on }) : null), fmt.money(x.total_price_fen)].filter(Boolean).join(' · ') }),
        loan && x === live ? h('a', { class: 'small loan-link', href: router.page('loan', loan.id), dataset: { loan: loan.id } },
          t('c360.loan'), enumTag(enumField('loans', 'stage'), loan.stage)) : null))));
  }, () => { /* the card without its contracts */ });
  return box;
}

const KIND_DOT = {
  create: 'green', update: 'blue', reveal: 'orange', merge: 'blue', merge_undo: 'orange',
  anonymise: 'red', privacy_export: 'orange', import: 'blue',
};

function timelineList(items, selfId) {
  if (!items.length) return h('div', { class: 'muted empty-small', text: t('c360.timeline_empty') });
  return h('ol', { class: 'timeline' }, items.map((e) => {
    // The event's record (another customer, later a ticket …) opens from its title.
    let to = null;
    if (e.entity && e.entity_id !== null && e.entity_id !== undefined) {
      if (e.entity === 'customers') {
        if (String(e.entity_id) !== String(selfId)) to = router.page('360', e.entity_id);
      } else if (e.entity === 'contracts') {
        to = router.page('contract', e.entity_id);
      } else if (e.entity === 'loans') {
        to = router.page('loan', e.entity_id);
      } else if (e.entity === 'tickets') {
        to = router.page('ticket', e.entity_id);
      } else if (/^[a-z][a-z0-9_-]*$/.test(e.entity)) {
        to = router.href('view', e.entity, e.entity_id);
      }
    }
    const title = e.title || e.kind || '';
    const ref = to && !title.includes(`#${e.entity_id}`) ? ` #${e.entity_id}` : '';
    const user = e.username === 'system' ? t('detail.system') : (e.username || '');
    return h('li', { class: ['timeline-item', `dot-${KIND_DOT[e.kind] || 'blue'}`], dataset: { kind: e.kind || '' } },
      h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'timeline-content' },
        h('div', { class: 'timeline-head' },
          to ? h('a', { class: 'timeline-action', href: to, text: title + ref }) : h('span', { class: 'timeline-action', text: title })),
        h('div', { class: 'timeline-meta' },
          h('time', { class: 'timeline-time', datetime: e.at || null, text: e.at ? fmt.datetime(e.at) : '' }),
          user ? h('span', { class: 'timeline-who', text: user }) : null)));
  }));
}

function mergedBanner(c, refresh) {
  const box = h('div', { class: 'banner banner-blue', role: 'note' },
    h('span', { text: t('c360.merged_into') }),
    c.merged_into ? h('a', { href: router.page('360', c.merged_into), text: `#${c.merged_into}`, dataset: { action: 'merged-into' } }) : null);
  if (can('customer.merge_undo') && can('audit.read')) {
    // The merge's id is in the audit row written with it.
    api.get('audit', { entity: 'customers', entity_id: c.id, action: 'merge', sort: '-id', limit: 1 }).then((r) => {
      const row = r && r.items && r.items[0];
      let after = row && row.after_json;
      if (typeof after === 'string') { try { after = JSON.parse(after); } catch { after = null; } }
      const mergeId = after && after.merge_id;
      if (!mergeId || !box.isConnected) return;
      const btn = h('button', { class: 'btn btn-link', type: 'button', text: t('dup.undo'), dataset: { action: 'undo-merge' } });
      btn.addEventListener('click', async () => {
        setBusy(btn, true);
        try {
          await api.post(`customer-merges/${encodeURIComponent(mergeId)}/undo`, {});
          toast(t('dup.undone'), 'success');
          refresh();
        } catch (err) {
          toast(err.message, 'error', 5000);
          setBusy(btn, false);
        }
      });
      box.append(btn);
    }, () => { /* no undo offered */ });
  }
  return box;
}

function anonymise(c, refresh) {
  const input = h('textarea', { id: 'anon-reason', name: 'reason', rows: 3, maxlength: 500, required: true, 'aria-describedby': 'anon-reason-err' });
  const err = h('div', { class: 'field-error', id: 'anon-reason-err', role: 'alert' });
  const item = h('div', { class: 'form-item', dataset: { field: 'reason' } },
    h('label', { class: 'form-label', for: 'anon-reason' }, t('c360.anon_reason'), h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })),
    input, err);
  const setErr = (msg) => { err.textContent = msg || ''; item.classList.toggle('has-error', !!msg); };
  return modal({
    title: t('c360.anon_title', { name: c.name || `#${c.id}` }),
    body: h('div', null,
      h('div', { class: 'banner banner-red', text: t('c360.anon_warning') }),
      item),
    okText: t('c360.anon_ok'),
    danger: true,
    width: '480px',
    onOk: async () => {
      setErr('');
      const reason = input.value.trim();
      if (!reason) {
        setErr(t('form.required', { label: t('c360.anon_reason') }));
        input.focus();
        return false;
      }
      try {
        await api.post(`customers/${encodeURIComponent(c.id)}/anonymise`, { reason });
      } catch (e) {
        setErr(e.message);
        input.focus();
        return false;
      }
      toast(t('c360.anonymised'), 'success');
      refresh();
      return true;
    },
  });
}
