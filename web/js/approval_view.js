// One approval request (#/approval/{id}): header with the state tag, the form
// values read-only, the route as a vertical stepper (approvers, their
// decisions, comments, times, stand-ins, overdue), attachments, the history,
// and an action bar with exactly the actions the API offers this user.
import { h, replace, nextId } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { session, displayName } from './session.js';
import { loading, errorState, toast, modal, tag } from './ui.js';
import { refreshCounts } from './notify.js';
import {
  statusTag, taskTag, historyActionText, approverText, conditionText, conditionHolds, formFields,
  usersList, userOptionLabel, registerItems, projectsOfUser, when, dueView, isOverdue, fileSize,
} from './approval_common.js';

const ATTACH_MAX = 10 * 1024 * 1024;
const ATTACH_EXT = /\.(jpe?g|png|pdf|docx|xlsx|pptx|txt)$/i;

function parseJson(v) {
  if (typeof v !== 'string') return v;
  try { return JSON.parse(v); } catch { return null; }
}

export async function renderApproval(main, id, ctx) {
  replace(main, loading());
  let req;
  try {
    req = await api.get(`approvals/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderApproval(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const refresh = () => renderApproval(main, id, ctx);
  const me = session.user || {};
  const actions = Array.isArray(req.actions) ? req.actions : [];
  const tasks = Array.isArray(req.tasks) ? req.tasks : [];
  const isApplicant = String(req.applicant_id) === String(me.id);
  const isApprover = tasks.some((x) => String(x.approver_id) === String(me.id) || String(x.delegated_from) === String(me.id));
  ctx.setTitle(`${req.title || req.no} - ${t('appr.center')}`);

  // People this page can name without /users: applicant, approvers, me.
  const names = new Map();
  names.set(String(req.applicant_id), req.applicant_name);
  for (const x of tasks) if (x.approver_id) names.set(String(x.approver_id), x.approver_name);
  if (me.id) names.set(String(me.id), displayName());

  // ---- header ------------------------------------------------------------------
  const bar = h('div', { class: 'page-actions approval-actions' });
  const header = h('div', { class: 'page-head detail-head approval-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: router.page('approvals'), text: `‹ ${t('appr.center')}` }),
      h('h1', { class: 'page-title' }, h('span', { class: 'record-title', text: req.title || req.no }), statusTag(req.status)),
      h('div', { class: 'head-facts' },
        fact(t('appr.col_no'), h('span', { class: 'mono', text: req.no || '' }), 'no'),
        fact(t('appr.col_type'), req.template_name || '', 'template'),
        fact(t('appr.col_applicant'), `${req.applicant_name || ''}${req.department ? ` · ${req.department}` : ''}`, 'applicant'),
        fact(t('appr.col_submitted'), when(req.submitted_at), 'submitted'),
        req.amount_fen !== null && req.amount_fen !== undefined
          ? fact(t('appr.col_amount'), h('span', { class: 'amount', text: fmt.money(req.amount_fen) }), 'amount') : null,
        req.decided_at ? fact(t('appr.col_decided'), when(req.decided_at), 'decided') : null)),
    bar);

  // ---- form values -----------------------------------------------------------------
  const checklistEdits = new Map(); // field name → () => items (approver ticking)
  const canTick = actions.includes('approve');
  const valuesGrid = h('dl', { class: 'desc-grid approval-values' });
  const computed = (req.form && req.form.computed) || {};
  for (const def of formFields(req.form)) {
    const v = (req.data || {})[def.name];
    const wide = ['items', 'supply_lines', 'checklist', 'textarea'].includes(def.type);
    let node;
    if (def.type === 'checklist') node = checklistView(def, v, canTick, checklistEdits);
    else node = valueView(def, v, names);
    valuesGrid.append(h('div', { class: ['desc-item', wide && 'wide'], dataset: { field: def.name, type: def.type } },
      h('dt', { title: computed[def.name] ? t('appr.computed_hint') : null, text: L(def, def.name) }),
      h('dd', null, node)));
  }
  const valuesCard = h('section', { class: 'card', dataset: { part: 'values' } },
    h('h2', { class: 'card-title', text: t('appr.values') }), valuesGrid);

  // ---- attachments -------------------------------------------------------------------
  const attachCard = attachmentsCard(req, isApplicant || isApprover, refresh);

  // ---- route & history ------------------------------------------------------------------
  const stepper = routeStepper(req, names);
  const history = historyList(req);

  // ---- status banner ------------------------------------------------------------------------
  const banner = statusBanner(req, isApplicant);

  // ---- actions ---------------------------------------------------------------------------
  const A = (key, cls, run) => {
    if (!actions.includes(key)) return;
    bar.append(h('button', { class: ['btn', cls], type: 'button', text: t(`appr.act_${key}`), dataset: { action: key }, onclick: run }));
  };
  const after = (msg) => {
    toast(msg, 'success');
    refreshCounts();
    refresh();
  };
  A('comment', null, () => commentDialog({
    title: t('appr.act_comment'), label: t('appr.comment'), required: true, okText: t('appr.act_comment'),
    run: (comment) => api.post(`approvals/${req.id}/actions`, { action: 'comment', comment }),
  }).then((ok) => ok && after(t('appr.done_comment'))));
  A('withdraw', 'btn-danger-ghost', () => commentDialog({
    title: t('appr.act_withdraw'), label: t('appr.withdraw_reason'), required: false, okText: t('appr.act_withdraw'), danger: true,
    intro: t('appr.withdraw_confirm'),
    run: (comment) => api.post(`approvals/${req.id}/actions`, { action: 'withdraw', comment: comment || undefined }),
  }).then((ok) => ok && after(t('appr.done_withdraw'))));
  A('transfer', null, () => transferDialog(req, names).then((ok) => ok && after(t('appr.done_transfer'))));
  A('return', null, () => commentDialog({
    title: t('appr.act_return'), label: t('appr.return_reason'), required: true, okText: t('appr.act_return'),
    intro: t('appr.return_hint'),
    run: (comment) => api.post(`approvals/${req.id}/actions`, { action: 'return', comment }),
  }).then((ok) => ok && after(t('appr.done_return'))));
  A('reject', 'btn-danger-ghost', () => commentDialog({
    title: t('appr.act_reject'), label: t('appr.reject_reason'), required: true, okText: t('appr.act_reject'), danger: true,
    intro: t('appr.reject_hint'),
    run: (comment) => api.post(`approvals/${req.id}/actions`, { action: 'reject', comment }),
  }).then((ok) => ok && after(t('appr.done_reject'))));
  A('approve', 'btn-primary', () => {
    const updates = {};
    for (const [name, read] of checklistEdits) {
      const now = read();
      if (JSON.stringify(now) !== JSON.stringify((req.data || {})[name] || [])) updates[name] = now;
    }
    const ticks = Object.keys(updates).length ? updates : undefined;
    const open = checklistOpen(req.form, { ...(req.data || {}), ...updates });
    return commentDialog({
      title: t('appr.act_approve'), label: t('appr.approve_comment'), required: false, okText: t('appr.act_approve'),
      intro: open.length ? t('appr.checklist_open', { items: open.join('、') }) : null,
      introClass: 'banner banner-orange',
      run: (comment) => api.post(`approvals/${req.id}/actions`, { action: 'approve', comment: comment || undefined, updates: ticks }),
    }).then((ok) => ok && after(t('appr.done_approve')));
  });
  if (actions.includes('resubmit')) {
    bar.append(h('a', { class: 'btn btn-primary', href: `#/approval/${encodeURIComponent(req.id)}/resubmit`, text: t('appr.act_resubmit'), dataset: { action: 'resubmit' } }));
  }

  const body = h('div', { class: 'detail-body approval-body' },
    h('div', { class: 'detail-main' }, valuesCard, attachCard),
    h('aside', { class: 'detail-side' },
      h('section', { class: 'card route-card', dataset: { part: 'route' } }, h('h2', { class: 'card-title', text: t('appr.route') }), stepper),
      h('section', { class: 'card', dataset: { part: 'history' } }, h('h2', { class: 'card-title', text: t('appr.history') }), history)));
  replace(main, h('div', { class: 'page page-detail page-approval', dataset: { id: req.id, status: req.status } }, header, banner, body));
}

function fact(label, value, key) {
  return h('div', { class: 'head-fact', dataset: { fact: key } }, h('span', { class: 'head-fact-label', text: label }),
    h('span', { class: 'head-fact-value' }, value instanceof Node ? value : String(value ?? '')));
}

function statusBanner(req, isApplicant) {
  const lastOf = (action) => (req.history || []).filter((x) => x.action === action).pop();
  switch (req.status) {
    case 'in_progress': {
      const pend = (req.tasks || []).filter((x) => x.round === req.round && x.status === 'pending');
      const who = pend.map((x) => x.approver_name).filter(Boolean).join('、');
      const late = pend.some((x) => isOverdue(x.due_at));
      return h('div', { class: ['banner', late ? 'banner-red' : 'banner-blue'], role: 'note', dataset: { banner: 'in_progress' } },
        h('span', { text: t('appr.banner_waiting', { step: req.step_name || '', who: who || t('common.none') }) }),
        late ? tag(t('appr.overdue'), 'red') : null);
    }
    case 'returned': {
      const r = lastOf('return');
      return h('div', { class: 'banner banner-orange', role: 'note', dataset: { banner: 'returned' } },
        h('strong', { text: t('appr.returned_by', { who: r ? (r.display_name || r.username || '') : '' }) }),
        h('span', { text: (r && r.comment) || '' }),
        isApplicant ? h('span', { class: 'muted', text: t('appr.returned_hint') }) : null);
    }
    case 'rejected': {
      const r = lastOf('reject');
      return h('div', { class: 'banner banner-red', role: 'note', dataset: { banner: 'rejected' } },
        h('strong', { text: t('appr.rejected_by', { who: r ? (r.display_name || r.username || '') : '' }) }),
        h('span', { text: (r && r.comment) || '' }));
    }
    case 'approved':
      return h('div', { class: 'banner banner-green', role: 'note', dataset: { banner: 'approved' } },
        h('span', { text: t('appr.banner_approved', { at: when(req.decided_at) }) }));
    case 'withdrawn':
      return h('div', { class: 'banner banner-grey', role: 'note', dataset: { banner: 'withdrawn' } },
        h('span', { text: t('appr.banner_withdrawn', { at: when(req.decided_at) }) }));
    default:
      return null;
  }
}

// ---- values -------------------------------------------------------------------------------

function none() {
  return h('span', { class: 'muted', text: t('common.none') });
}

function scalarText(def, v) {
  if (v === null || v === undefined || v === '') return null;
  switch (def.type) {
    case 'money': return fmt.money(v);
    case 'int': return fmt.integer(v);
    case 'date': return fmt.date(v);
    case 'bool': return v === true ? t('common.yes') : t('common.no');
    default: return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** A name for an id, filled in when a readable list knows it. */
function lookupText(id, known, load, label) {
  const el = h('span', { class: 'ref-value', dataset: { id }, text: known || `#${id}` });
  if (!known && load) {
    load().then((items) => {
      const it = items && items.find((x) => String(x.id) === String(id));
      if (it && el.isConnected) el.textContent = label(it);
    }, () => { /* keep the number */ });
  }
  return el;
}

let supplyCache = null;
function suppliesOnce() {
  if (!supplyCache) {
    supplyCache = registerItems('office-supplies', {});
    setTimeout(() => { supplyCache = null; }, 30_000);
  }
  return supplyCache;
}

function valueView(def, v, names) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return none();
  switch (def.type) {
    case 'textarea': return h('span', { class: 'pre-wrap', text: String(v) });
    case 'user':
      return lookupText(v, names.get(String(v)), () => usersList(), (u) => userOptionLabel(u));
    case 'project': {
      const p = projectsOfUser().find((x) => String(x.id) === String(v));
      return lookupText(v, p ? p.name : null, null, null);
    }
    case 'asset':
      return lookupText(v, null, () => registerItems('fixed-assets', {}), (a) => [a.code, a.name].filter(Boolean).join(' '));
    case 'loan':
      return lookupText(v, null, () => registerItems('employee-loans', {}), (l) => `${l.purpose || ''} · ${fmt.money(l.amount_fen)}`);
    case 'items': return itemsView(def, v);
    case 'supply_lines': return supplyView(v);
    default: {
      const s = scalarText(def, v);
      return s === null ? none() : h('span', { class: def.type === 'money' ? 'num' : null, text: s });
    }
  }
}

function itemsView(def, rows) {
  const cols = Array.isArray(def.columns) ? def.columns : [];
  const amount = cols.find((c) => c.name === 'amount' && c.type === 'money');
  let total = 0n;
  const body = rows.map((r, i) => {
    if (amount && Number.isInteger(r[amount.name])) total += BigInt(r[amount.name]);
    return h('tr', null, h('td', { class: 'items-no', text: String(i + 1) }),
      cols.map((c) => {
        const s = scalarText(c, r[c.name]);
        return h('td', { class: c.type === 'money' || c.type === 'int' ? 'num' : null, dataset: { col: c.name }, text: s === null ? t('common.none') : s });
      }));
  });
  const idx = amount ? cols.indexOf(amount) : -1;
  return h('table', { class: 'items-table items-view', dataset: { field: def.name } },
    h('thead', null, h('tr', null, h('th', { class: 'items-no', text: '#' }),
      cols.map((c) => h('th', { class: c.type === 'money' || c.type === 'int' ? 'num' : null, text: L(c, c.name) })))),
    h('tbody', null, body),
    amount ? h('tfoot', null, h('tr', null,
      h('td', { class: 'items-total-label', colspan: idx + 1, text: t('appr.items_total') }),
      h('td', { class: 'num items-total', text: fmt.money(total.toString()) }),
      cols.length - idx - 1 > 0 ? h('td', { colspan: cols.length - idx - 1 }) : null)) : null);
}

function supplyView(lines) {
  const tbody = h('tbody', null, lines.map((l, i) => {
    const name = h('span', { text: `#${l.supply_id}` });
    const unit = h('span', { class: 'muted' });
    suppliesOnce().then((items) => {
      const s = items && items.find((x) => String(x.id) === String(l.supply_id));
      if (s) { name.textContent = s.name; unit.textContent = ` ${s.unit || ''}`; }
    }, () => {});
    return h('tr', null, h('td', { class: 'items-no', text: String(i + 1) }), h('td', { dataset: { col: 'supply_id' } }, name),
      h('td', { class: 'num', dataset: { col: 'qty' } }, fmt.integer(l.qty), unit));
  }));
  return h('table', { class: 'items-table items-view supply-view' },
    h('thead', null, h('tr', null, h('th', { class: 'items-no', text: '#' }), h('th', { text: t('appr.supply_item') }), h('th', { class: 'num', text: t('appr.supply_qty') }))),
    tbody);
}

function checklistView(def, v, editable, edits) {
  const items = Array.isArray(def.items) ? def.items : [];
  const done = new Map((Array.isArray(v) ? v : []).map((x) => [x && x.item, !!(x && x.done)]));
  const boxes = items.map((it) => h('input', { type: 'checkbox', value: String(it), checked: done.get(it) === true, disabled: !editable }));
  if (editable) edits.set(def.name, () => items.map((it, i) => ({ item: it, done: boxes[i].checked })));
  const count = h('span', { class: 'muted small' });
  const upd = () => { count.textContent = t('appr.checklist_count', { n: boxes.filter((b) => b.checked).length, total: items.length }); };
  boxes.forEach((b) => b.addEventListener('change', upd));
  upd();
  return h('div', { class: ['checklist', editable ? 'editable' : 'readonly'], dataset: { field: def.name } },
    items.map((it, i) => h('label', { class: ['check', boxes[i].checked && 'done'] }, boxes[i], h('span', { text: String(it) }))),
    h('div', { class: 'checklist-foot' }, count, editable ? h('span', { class: 'muted small', text: t('appr.checklist_tick_hint') }) : null));
}

/** Unticked checklist items (the final approval needs them all). */
function checklistOpen(form, data) {
  const out = [];
  for (const def of formFields(form)) {
    if (def.type !== 'checklist') continue;
    const v = Array.isArray(data[def.name]) ? data[def.name] : [];
    for (const it of def.items || []) if (!v.some((x) => x.item === it && x.done)) out.push(it);
  }
  return out;
}

// ---- route stepper --------------------------------------------------------------------------

function routeStepper(req, names) {
  const steps = Array.isArray(req.steps) ? req.steps : [];
  const tasks = (req.tasks || []).filter((x) => x.round === req.round);
  const data = req.data || {};
  const skipped = new Set((req.history || []).filter((x) => x.action === 'skip').map((x) => x.step_index));
  const ol = h('ol', { class: 'stepper' });
  ol.append(h('li', { class: 'step done', dataset: { step: 'submit', state: 'done' } },
    h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'step-body' },
      h('div', { class: 'step-head' }, h('span', { class: 'step-name', text: req.round > 1 ? t('appr.route_resubmit') : t('appr.route_submit') })),
      h('div', { class: 'step-task' }, h('div', { class: 'task-line' }, h('span', { class: 'task-who', text: req.applicant_name || '' }),
        h('span', { class: 'task-time', text: when(req.submitted_at) }))),
      req.round > 1 ? h('div', { class: 'muted small', text: t('appr.round_note', { n: req.round }) }) : null)));
  steps.forEach((s, i) => {
    const applies = conditionHolds(s.when, data);
    const mine = tasks.filter((x) => x.step_index === i);
    let state;
    if (mine.length) {
      if (mine.some((x) => x.status === 'pending') && req.status === 'in_progress') state = 'current';
      else if (mine.some((x) => x.status === 'rejected')) state = 'rejected';
      else if (mine.some((x) => x.status === 'returned')) state = 'returned';
      else if (mine.some((x) => x.status === 'approved')) state = 'done';
      else state = 'cancelled';
    } else if (!applies) state = 'na';
    else if (skipped.has(i) && (req.status === 'approved' || i < req.step_index)) state = 'skipped';
    else state = 'waiting';
    const late = state === 'current' && mine.some((x) => x.status === 'pending' && isOverdue(x.due_at));
    const stateText = {
      current: t('appr.step_current'), rejected: t('appr.task_rejected'), returned: t('appr.task_returned'),
      done: t('appr.step_done'), cancelled: t('appr.task_cancelled'), na: t('appr.step_na'),
      skipped: t('appr.step_skipped'), waiting: req.status === 'in_progress' ? t('appr.step_waiting') : t('appr.step_not_reached'),
    }[state];
    const colors = { current: 'blue', rejected: 'red', returned: 'orange', done: 'green', cancelled: 'grey', na: 'grey', skipped: 'grey', waiting: 'grey' };
    const cond = s.when ? conditionText(s.when, req.form) : '';
    ol.append(h('li', { class: ['step', state, late && 'late'], dataset: { step: i, state } },
      h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'step-body' },
        h('div', { class: 'step-head' },
          h('span', { class: 'step-name', text: s.name || '' }),
          tag(stateText, late ? 'red' : colors[state]),
          s.mode === 'all' ? tag(t('appr.mode_all'), 'blue') : null),
        cond ? h('div', { class: 'step-cond small', text: t('appr.cond', { cond }) }) : null,
        mine.length ? mine.map((x) => taskLine(x, names, req))
          : h('div', { class: 'muted small', text: [approverText(s.approver), s.limit_hours ? t('appr.limit_h', { n: s.limit_hours }) : null].filter(Boolean).join(' · ') }))));
  });
  const endState = { approved: 'done', rejected: 'rejected', withdrawn: 'cancelled', returned: 'returned' }[req.status] || 'waiting';
  const endText = { approved: t('appr.end_approved'), rejected: t('appr.end_rejected'), withdrawn: t('appr.end_withdrawn'), returned: t('appr.end_returned') }[req.status] || t('appr.route_end');
  ol.append(h('li', { class: ['step', 'step-end', endState], dataset: { step: 'end', state: endState } },
    h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'step-body' },
      h('div', { class: 'step-head' }, h('span', { class: 'step-name', text: endText })),
      req.decided_at ? h('div', { class: 'muted small', text: when(req.decided_at) }) : null)));
  return ol;
}

function taskLine(x, names, req) {
  const pending = x.status === 'pending' && req.status === 'in_progress';
  const from = x.delegated_from ? (names.get(String(x.delegated_from)) || `#${x.delegated_from}`) : null;
  return h('div', { class: ['step-task', pending && isOverdue(x.due_at) && 'late'], dataset: { task: x.id, status: x.status } },
    h('div', { class: 'task-line' },
      h('span', { class: 'task-who', text: x.approver_name || `#${x.approver_id}` }),
      from ? h('span', { class: 'task-deleg muted small', text: t('appr.delegated_from', { who: from }) }) : null,
      taskTag(x.status === 'pending' && req.status !== 'in_progress' ? 'cancelled' : x.status),
      h('span', { class: 'task-time', text: when(x.acted_at) })),
    x.comment ? h('div', { class: 'task-comment', text: x.comment }) : null,
    pending && x.due_at ? h('div', { class: 'task-due small' }, h('span', { class: 'muted', text: `${t('appr.col_due')} ` }), dueView(x.due_at)) : null);
}

// ---- history ------------------------------------------------------------------------------------

const HISTORY_DOT = {
  submit: 'blue', resubmit: 'blue', approve: 'green', approved: 'green', reject: 'red', rejected: 'red',
  return: 'orange', withdraw: 'grey', withdrawn: 'grey', transfer: 'blue', comment: 'grey', skip: 'grey',
};

function historyList(req) {
  const items = Array.isArray(req.history) ? req.history : [];
  if (!items.length) return h('div', { class: 'muted empty-small', text: t('detail.history_empty') });
  return h('ol', { class: 'timeline approval-history' }, items.map((x) => {
    const detail = parseJson(x.detail_json);
    let extra = null;
    if (x.action === 'transfer' && detail && detail.to_name) extra = t('appr.h_transfer_to', { who: detail.to_name });
    else if (x.action === 'approve' && detail && typeof detail === 'object') {
      const ticked = Object.values(detail).flat().filter((y) => y && y.done).map((y) => y.item);
      if (ticked.length) extra = t('appr.h_ticked', { items: ticked.join('、') });
    }
    const who = x.display_name || x.username || t('detail.system');
    return h('li', { class: ['timeline-item', `dot-${HISTORY_DOT[x.action] || 'blue'}`], dataset: { action: x.action || '' } },
      h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'timeline-content' },
        h('div', { class: 'timeline-head' },
          h('span', { class: 'timeline-who', text: who }),
          h('span', { class: 'timeline-action', text: historyActionText(x.action) }),
          x.step_name ? h('span', { class: 'muted small', text: `· ${x.step_name}` }) : null),
        h('time', { class: 'timeline-time', datetime: x.at || null, text: when(x.at) }),
        x.comment ? h('div', { class: 'timeline-note task-comment', text: x.comment }) : null,
        extra ? h('div', { class: 'timeline-note', text: extra }) : null));
  }));
}

// ---- attachments ----------------------------------------------------------------------------------

function attachmentsCard(req, canUpload, refresh) {
  const files = Array.isArray(req.attachments) ? req.attachments : [];
  const list = files.length ? h('ul', { class: 'attach-list' }, files.map((f) => h('li', { dataset: { id: f.id } },
    h('span', { class: 'attach-icon', 'aria-hidden': 'true', text: (String(f.file_name || '').split('.').pop() || '').slice(0, 4).toUpperCase() }),
    attachLink(f),
    h('span', { class: 'muted small', text: fileSize(f.size) }),
    f.uploaded_at ? h('span', { class: 'muted small', text: when(f.uploaded_at) }) : null)))
    : h('div', { class: 'muted empty-small', text: t('appr.attach_empty') });
  const head = h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: t('appr.attachments') }, h('span', { class: 'count', text: String(files.length) })));
  const err = h('div', { class: 'field-error', role: 'alert' });
  if (canUpload) {
    const inputId = nextId('attach');
    const input = h('input', { type: 'file', id: inputId, class: 'file-input', accept: '.jpg,.jpeg,.png,.pdf,.docx,.xlsx,.pptx,.txt' });
    const btn = h('label', { class: 'btn', for: inputId, tabindex: 0, role: 'button', dataset: { action: 'upload' }, text: t('appr.attach_add') });
    btn.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
    input.addEventListener('change', async () => {
      err.textContent = '';
      const f = input.files && input.files[0];
      if (!f) return;
      if (!ATTACH_EXT.test(f.name)) { err.textContent = t('appr.attach_bad_type'); input.value = ''; return; }
      if (f.size > ATTACH_MAX) { err.textContent = t('appr.attach_too_big', { size: fileSize(f.size) }); input.value = ''; return; }
      if (f.size === 0) { err.textContent = t('imp.empty_file'); input.value = ''; return; }
      btn.classList.add('disabled');
      btn.textContent = t('imp.uploading');
      try {
        await api.upload('attachments', { entity: 'approval_requests', id: req.id, file_name: f.name }, f);
        toast(t('appr.attach_done', { name: f.name }), 'success');
        refresh();
      } catch (e) {
        err.textContent = e.message;
        btn.classList.remove('disabled');
        btn.textContent = t('appr.attach_add');
      } finally {
        input.value = '';
      }
    });
    head.append(h('div', { class: 'card-head-actions' }, input, btn, h('span', { class: 'muted small', text: t('appr.attach_hint') })));
  }
  return h('section', { class: 'card', dataset: { part: 'attachments' } }, head, err, list);
}

// ---- dialogs -----------------------------------------------------------------------------------------

/** The server names every download attachment-N: save it under its own name. */
function attachLink(f) {
  const name = f.file_name || `attachment-${f.id}`;
  const a = h('a', { class: 'attach-name', href: `/api/v1/attachments/${encodeURIComponent(f.id)}`, download: name, text: name, title: name });
  a.addEventListener('click', async (e) => {
    e.preventDefault();
    try {
      await api.download(`attachments/${encodeURIComponent(f.id)}`, null, name, { forceName: name });
    } catch (err) {
      toast(err.message, 'error', 5000);
    }
  });
  return a;
}

/** A comment dialog; run(comment) does the request (errors stay in the dialog). */
function commentDialog({ title, label, required, okText, danger, intro, introClass, run, extra }) {
  const id = nextId('appr-comment');
  const input = h('textarea', { id, name: 'comment', rows: 4, maxlength: 2000, 'aria-describedby': `${id}-err`, required: required || null });
  const err = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  const item = h('div', { class: 'form-item', dataset: { field: 'comment' } },
    h('label', { class: 'form-label', for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null),
    input, err);
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const setErr = (msg) => { err.textContent = msg || ''; item.classList.toggle('has-error', !!msg); };
  input.addEventListener('input', () => setErr(''));
  return modal({
    title,
    okText,
    danger,
    width: '480px',
    body: h('div', { class: 'action-dialog' },
      intro ? h('div', { class: introClass || 'muted dialog-intro', text: intro }) : null,
      banner, extra ? extra.el : null, item),
    onOk: async () => {
      setErr('');
      banner.hidden = true;
      const comment = input.value.trim();
      if (required && !comment) {
        setErr(t('form.required', { label }));
        input.focus();
        return false;
      }
      if (extra && extra.check && !extra.check()) return false;
      try {
        await run(comment, extra);
      } catch (e) {
        if (e.field === 'comment') { setErr(e.message); input.focus(); } else if (extra && extra.showError && extra.showError(e)) { /* shown */ } else {
          banner.textContent = e.message;
          banner.hidden = false;
        }
        return false;
      }
      return true;
    },
  });
}

/** 转交: to a user picked from the list (user.read), or from the people on this route, or by number. */
function transferDialog(req, names) {
  const me = session.user || {};
  const id = nextId('appr-to');
  const err = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  const box = h('div', { class: 'ref-picker' }, h('span', { class: 'muted', text: t('common.loading') }));
  const hint = h('div', { class: 'field-help' });
  let read = () => null;
  const item = h('div', { class: 'form-item', dataset: { field: 'to_user' } },
    h('label', { class: 'form-label', for: id }, t('appr.transfer_to'), h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })),
    box, hint, err);
  const exclude = new Set([String(me.id), String(req.applicant_id)]);
  usersList().then((users) => {
    if (users) {
      const sel = h('select', { id, name: 'to_user' }, h('option', { value: '', text: t('form.select') }),
        users.filter((u) => !exclude.has(String(u.id))).map((u) => h('option', { value: String(u.id), text: userOptionLabel(u) })));
      box.replaceChildren(sel);
      read = () => sel.value;
      return;
    }
    // No user list for this role: the people on this route, or a user number.
    const known = [...names.entries()].filter(([uid]) => !exclude.has(uid));
    const sel = known.length ? h('select', { id, name: 'to_user' }, h('option', { value: '', text: t('form.select') }),
      known.map(([uid, n]) => h('option', { value: uid, text: n || `#${uid}` }))) : null;
    const num = h('input', { id: sel ? `${id}-num` : id, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('appr.id_ph'), 'aria-label': t('appr.transfer_id') });
    box.replaceChildren(...[sel, sel ? h('span', { class: 'muted small', text: t('appr.or') }) : null, num].filter(Boolean));
    hint.textContent = t('appr.user_id_hint');
    read = () => num.value.trim() || (sel ? sel.value : '');
  }, () => { box.replaceChildren(h('span', { class: 'muted', text: t('form.options_error') })); });
  const setErr = (msg) => { err.textContent = msg || ''; item.classList.toggle('has-error', !!msg); };
  const extra = {
    el: item,
    value: null,
    check() {
      setErr('');
      const v = String(read() || '').trim();
      if (!/^\d{1,15}$/.test(v) || Number(v) <= 0) {
        setErr(v ? t('appr.bad_id') : t('appr.pick_required', { label: t('appr.transfer_to') }));
        return false;
      }
      this.value = Number(v);
      return true;
    },
    showError(e) {
      if (e.field !== 'to_user') return false;
      setErr(e.message);
      return true;
    },
  };
  return commentDialog({
    title: t('appr.act_transfer'), label: t('appr.transfer_comment'), required: false, okText: t('appr.act_transfer'),
    extra,
    run: (comment, x) => api.post(`approvals/${req.id}/actions`, { action: 'transfer', to_user: x.value, comment: comment || undefined }),
  });
}

