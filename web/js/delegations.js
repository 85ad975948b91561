// 审批代理 (#/delegations, from the user menu): while I am away, someone else
// approves what comes to me. List (mine and those I stand in for), add, revoke.
import { h, replace, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { session } from './session.js';
import { loading, errorState, toast, modal, tag, setBusy } from './ui.js';
import { usersList, userOptionLabel } from './approval_common.js';

function today() {
  return fmt.date(new Date().toISOString());
}

function stateOf(d) {
  if (d.status !== 'active') return ['deleg.revoked', 'grey'];
  const now = today();
  if (d.end_date < now) return ['deleg.expired', 'grey'];
  if (d.start_date > now) return ['deleg.scheduled', 'orange'];
  return ['deleg.active', 'green'];
}

export async function renderDelegations(main, ctx) {
  ctx.setTitle(t('deleg.title'));
  replace(main, loading());
  let items;
  try {
    const r = await api.get('me/delegations');
    items = (r && r.items) || [];
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderDelegations(main, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const me = session.user || {};
  const refresh = () => renderDelegations(main, ctx);

  // ---- add --------------------------------------------------------------------
  const mk = (name, label, control, required = true) => {
    const err = h('div', { class: 'field-error', role: 'alert' });
    const el = h('div', { class: 'form-item', dataset: { field: name } },
      h('label', { class: 'form-label', for: control.id || null }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null),
      control, err);
    return { el, set(msg) { err.textContent = msg || ''; el.classList.toggle('has-error', !!msg); } };
  };
  const delegId = nextId('deleg-who');
  const whoBox = h('div', { class: 'ref-picker', id: `${delegId}-box` }, h('span', { class: 'muted', text: t('common.loading') }));
  let whoInput = null;
  let users = null;
  const whoHint = h('div', { class: 'field-help' });
  usersList().then((list) => {
    users = list;
    if (list) {
      whoInput = h('select', { id: delegId, name: 'delegate_id' }, h('option', { value: '', text: t('form.select') }),
        list.filter((u) => String(u.id) !== String(me.id)).map((u) => h('option', { value: String(u.id), text: userOptionLabel(u) })));
    } else {
      whoInput = h('input', { id: delegId, name: 'delegate_id', type: 'text', autocomplete: 'off', placeholder: t('deleg.who_ph') });
      whoHint.textContent = t('deleg.who_hint');
    }
    whoBox.replaceChildren(whoInput);
  }, () => { whoBox.replaceChildren(h('span', { class: 'muted', text: t('form.options_error') })); });
  const who = mk('delegate_id', t('deleg.delegate'), h('div', null, whoBox, whoHint));
  const start = h('input', { id: nextId('deleg-start'), name: 'start_date', type: 'date', value: today() });
  const end = h('input', { id: nextId('deleg-end'), name: 'end_date', type: 'date' });
  const note = h('input', { id: nextId('deleg-note'), name: 'note', type: 'text', maxlength: 500, autocomplete: 'off', placeholder: t('deleg.note_ph') });
  const startF = mk('start_date', t('deleg.start'), start);
  const endF = mk('end_date', t('deleg.end'), end);
  const noteF = mk('note', t('deleg.note'), note, false);
  const all = { delegate_id: who, start_date: startF, end_date: endF, note: noteF };
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', text: t('deleg.add'), dataset: { action: 'add-delegation' } });
  const form = h('form', { class: 'deleg-form', novalidate: true },
    banner, h('div', { class: 'deleg-grid' }, who.el, startF.el, endF.el, noteF.el, h('div', { class: 'deleg-submit' }, saveBtn)));

  function resolveWho() {
    const v = whoInput ? String(whoInput.value || '').trim() : '';
    if (!v) return { error: t('form.required', { label: t('deleg.delegate') }) };
    if (/^\d{1,15}$/.test(v)) return { id: Number(v) };
    // A username: only resolvable with the user list.
    const u = users && users.find((x) => x.username === v);
    if (u) return { id: u.id };
    return { error: users ? t('deleg.no_such_user', { name: v }) : t('deleg.need_id') };
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    Object.values(all).forEach((f) => f.set(''));
    banner.hidden = true;
    const w = resolveWho();
    let bad = false;
    if (w.error) { who.set(w.error); bad = true; }
    if (!fmt.isValidDate(start.value)) { startF.set(t('form.bad_date')); bad = true; }
    if (!fmt.isValidDate(end.value)) { endF.set(end.value ? t('form.bad_date') : t('form.required', { label: t('deleg.end') })); bad = true; }
    if (!bad && end.value < start.value) { endF.set(t('deleg.end_before_start')); bad = true; }
    if (bad) return;
    setBusy(saveBtn, true, t('common.saving'));
    try {
      await api.post('me/delegations', { delegate_id: w.id, start_date: start.value, end_date: end.value, note: note.value.trim() || undefined });
      toast(t('deleg.added'), 'success');
      refresh();
    } catch (err) {
      const f = all[err.field];
      if (f) f.set(err.message); else { banner.textContent = err.message; banner.hidden = false; }
    } finally {
      setBusy(saveBtn, false);
    }
  });

  // ---- list ---------------------------------------------------------------------
  const mine = items.filter((d) => String(d.user_id) === String(me.id));
  const forOthers = items.filter((d) => String(d.user_id) !== String(me.id));
  const table = (rows, own) => {
    if (!rows.length) return h('div', { class: 'muted empty-small', text: own ? t('deleg.empty') : t('deleg.empty_others') });
    return h('table', { class: 'data-table deleg-table' },
      h('thead', null, h('tr', null,
        h('th', { text: own ? t('deleg.delegate') : t('deleg.principal') }),
        h('th', { text: t('deleg.period') }),
        h('th', { text: t('deleg.note') }),
        h('th', { text: t('deleg.state') }),
        own ? h('th', { class: 'col-actions', text: t('list.actions') }) : null)),
      h('tbody', null, rows.map((d) => {
        const [k, color] = stateOf(d);
        const revoke = own && d.status === 'active' ? h('button', { class: 'btn btn-link', type: 'button', text: t('deleg.revoke'), dataset: { action: 'revoke' } }) : null;
        if (revoke) {
          revoke.addEventListener('click', async () => {
            const ok = await modal({ title: t('deleg.revoke'), body: h('p', { text: t('deleg.revoke_confirm', { who: d.delegate_name || '' }) }), okText: t('deleg.revoke'), danger: true });
            if (!ok) return;
            try {
              await api.post(`me/delegations/${encodeURIComponent(d.id)}/revoke`, {});
              toast(t('deleg.revoked_done'), 'success');
              refresh();
            } catch (err) {
              toast(err.message, 'error', 5000);
            }
          });
        }
        return h('tr', { dataset: { id: d.id, status: d.status } },
          h('td', { text: own ? (d.delegate_name || `#${d.delegate_id}`) : (d.user_name || `#${d.user_id}`) }),
          h('td', { text: `${d.start_date} ~ ${d.end_date}` }),
          h('td', { text: d.note || t('common.none') }),
          h('td', { class: 'tag-cell' }, tag(t(k), color)),
          own ? h('td', { class: 'col-actions' }, revoke) : null);
      })));
  };

  replace(main, h('div', { class: 'page page-delegations' },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: '#/approvals', text: `‹ ${t('appr.center')}` }),
      h('h1', { class: 'page-title', text: t('deleg.title') }),
      h('div', { class: 'muted page-desc', text: t('deleg.intro') }))),
    h('section', { class: 'card' }, h('h2', { class: 'card-title', text: t('deleg.new') }), form),
    h('section', { class: 'card', dataset: { part: 'mine' } }, h('h2', { class: 'card-title', text: t('deleg.mine') }), table(mine, true)),
    h('section', { class: 'card', dataset: { part: 'others' } }, h('h2', { class: 'card-title', text: t('deleg.others') }), table(forOthers, false))));
}
