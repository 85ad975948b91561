// 重复客户 (#/duplicates): groups of records that look like one person,
// side by side; choose the one to keep and merge the others into it.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { enumField } from './meta.js';
import { can } from './session.js';
import { loading, errorState, enumTag, tag, toast, modal, setBusy } from './ui.js';

const REASONS = {
  same_id_number: ['dup.same_id', 'red'],
  same_name_phone: ['dup.same_name_phone', 'orange'],
};

/** The record to keep by default: the one with units, else the oldest. */
function defaultKeep(members) {
  const withUnits = members.filter((m) => m.unit_summary);
  const pool = withUnits.length ? withUnits : members;
  return pool.reduce((a, b) => (Number(b.id) < Number(a.id) ? b : a), pool[0]);
}

export async function renderDuplicates(main, ctx) {
  replace(main, loading());
  ctx.setTitle(t('dup.title'));
  let data;
  try {
    [data] = await Promise.all([api.get('customers/duplicates'), enumField.ready('customers', 'status')]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderDuplicates(main, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const groups = (data && data.groups) || [];
  const statusF = enumField('customers', 'status');
  const reload = () => renderDuplicates(main, ctx);

  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' },
      h('h1', { class: 'page-title' }, t('dup.title'), h('span', { class: 'count', text: String(groups.length) })),
      h('div', { class: 'muted small', text: t('dup.intro') })),
    h('div', { class: 'page-actions' }, h('button', { class: 'btn', type: 'button', text: t('dup.refresh'), onclick: reload })));

  const list = h('div', { class: 'dup-groups' });
  groups.forEach((g, gi) => list.append(groupCard(g, gi, statusF)));
  if (!groups.length) {
    list.append(h('div', { class: 'card empty' },
      h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
      h('div', { class: 'empty-text', text: t('dup.empty') })));
  }
  replace(main, h('div', { class: 'page page-duplicates' }, header, list));
}

function groupCard(g, gi, statusF) {
  const members = g.customers || [];
  const [reasonKey, reasonColor] = REASONS[g.reason] || [null, 'neutral'];
  const name = `dup-keep-${gi}`;
  let keep = defaultKeep(members);
  const cols = h('div', { class: 'dup-members' });
  const cards = [];
  for (const m of members) {
    const radio = h('input', { type: 'radio', name, value: String(m.id), checked: String(m.id) === String(keep.id) });
    const card = h('label', { class: ['dup-member', String(m.id) === String(keep.id) && 'keep'], dataset: { id: m.id } },
      h('div', { class: 'dup-member-head' },
        radio, h('span', { class: 'dup-keep-label', text: t('dup.keep_this') }),
        h('span', { class: 'dup-merge-label', text: t('dup.will_merge') })),
      h('div', { class: 'dup-name' },
        h('a', { href: router.page('360', m.id), text: m.name || `#${m.id}`, title: t('c360.open') }),
        h('span', { class: 'muted small', text: `#${m.id}` }),
        m.status && m.status !== 'active' ? enumTag(statusF, m.status) : null),
      h('dl', { class: 'dup-facts' },
        h('dt', { text: t('dup.phone') }), h('dd', { class: ['pii-value', g.reason === 'same_name_phone' && 'same'], text: m.phone || t('common.none') }),
        h('dt', { text: t('dup.id_number') }), h('dd', { class: ['pii-value', g.reason === 'same_id_number' && 'same'], text: m.id_number || t('common.none') }),
        h('dt', { text: t('dup.units') }), h('dd', { text: m.unit_summary || t('search.no_unit') })));
    radio.addEventListener('change', () => {
      keep = m;
      cards.forEach((c) => c.classList.toggle('keep', c.dataset.id === String(m.id)));
    });
    cards.push(card);
    cols.append(card);
  }

  const mergeBtn = h('button', { class: 'btn btn-primary', type: 'button', text: t('dup.merge'), dataset: { action: 'merge' } });
  const foot = h('div', { class: 'dup-foot' }, h('span', { class: 'muted small', text: t('dup.merge_hint') }), mergeBtn);
  const card = h('section', { class: 'card dup-group', dataset: { reason: g.reason || '' } },
    h('div', { class: 'dup-group-head' },
      reasonKey ? tag(t(reasonKey), reasonColor) : tag(String(g.reason || ''), 'neutral'),
      h('span', { class: 'muted small', text: t('dup.n_records', { n: members.length }) })),
    cols, foot);

  mergeBtn.addEventListener('click', async () => {
    const from = members.filter((m) => String(m.id) !== String(keep.id));
    const ok = await modal({
      title: t('dup.confirm_title'),
      body: h('div', null,
        h('p', { text: t('dup.confirm', { keep: `${keep.name} #${keep.id}`, from: from.map((m) => `#${m.id}`).join('、') }) }),
        h('p', { class: 'muted small', text: t('dup.confirm_note') })),
      okText: t('dup.merge'),
    });
    if (!ok) return;
    setBusy(mergeBtn, true, t('dup.merging'));
    const done = [];
    try {
      for (const m of from) {
        const r = await api.post(`customers/${encodeURIComponent(keep.id)}/merge`, { from_id: m.id });
        done.push(r && r.merge_id);
      }
    } catch (err) {
      toast(err.message, 'error', 6000);
    }
    if (!done.length) {
      setBusy(mergeBtn, false);
      return;
    }
    toast(t('dup.merged'), 'success');
    mergedState(card, keep, from.slice(0, done.length), done.filter(Boolean));
  });
  return card;
}

function mergedState(card, keep, merged, mergeIds) {
  const result = h('div', { class: 'dup-result', role: 'status' },
    h('span', { class: 'dup-result-icon', 'aria-hidden': 'true', text: '✓' }),
    h('span', { text: t('dup.merged_into', { from: merged.map((m) => `#${m.id}`).join('、') }) }),
    h('a', { href: router.page('360', keep.id), text: `${keep.name} #${keep.id}`, dataset: { action: 'kept' } }));
  if (can('customer.merge_undo') && mergeIds.length) {
    const undo = h('button', { class: 'btn btn-link', type: 'button', text: t('dup.undo'), dataset: { action: 'undo' } });
    undo.addEventListener('click', async () => {
      setBusy(undo, true);
      try {
        for (const id of mergeIds.slice().reverse()) {
          await api.post(`customer-merges/${encodeURIComponent(id)}/undo`, {});
        }
        toast(t('dup.undone'), 'success');
        result.replaceChildren(h('span', { text: t('dup.undone_note') }));
        card.classList.add('undone');
      } catch (err) {
        toast(err.message, 'error', 6000);
        setBusy(undo, false);
      }
    });
    result.append(undo);
  }
  card.classList.add('merged');
  card.querySelector('.dup-foot').replaceChildren(result);
  card.querySelectorAll('input[type=radio]').forEach((x) => { x.disabled = true; });
}
