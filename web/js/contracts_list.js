// The contracts list's quick filters (one chip per state, with counts) and
// the 临近/逾期备案 view (#/contracts/deadlines?within=7): signed contracts due
// for 网签备案 and filed ones due for 预告登记, most urgent first.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { currentProject, session } from './session.js';
import { enumField } from './meta.js';
import { loading, errorState, enumTag, tag } from './ui.js';
import { daysLeftTag } from './widgets.js';

const STATES = ['subscribed', 'signed', 'filed', 'preregistered', 'cancelled'];

/** Chips above the contracts list: 全部, each state, 临近/逾期备案. active: a state, '' or 'deadlines'. */
export function contractQuickBar(active) {
  const statusF = enumField('contracts', 'status');
  const label = (v) => {
    const o = (statusF.options || []).find((x) => x.value === v);
    return o ? L(o, v) : v;
  };
  const chip = (key, text, href) => {
    const count = h('span', { class: 'quick-count' });
    const a = h('a', {
      class: ['quick-chip', key === active && 'active', key === 'deadlines' && 'quick-deadlines'], href, dataset: { quick: key || 'all' },
      'aria-current': key === active ? 'page' : null,
    }, h('span', { text }), count);
    return { a, count };
  };
  const pid = currentProject();
  const chips = [
    chip('', t('common.all'), router.href('list', 'contracts')),
    ...STATES.map((s) => chip(s, label(s), router.href('list', 'contracts', null, { status: s }))),
  ];
  const dl = chip('deadlines', t('cl.deadlines'), router.page('contracts/deadlines'));
  const bar = h('nav', { class: 'quick-bar', 'aria-label': t('cl.quick') }, chips.map((c) => c.a), h('span', { class: 'quick-sep', 'aria-hidden': 'true' }), dl.a);
  /** The list changed its filters: light up the matching chip. */
  bar.update = (query) => {
    const now = query.get('status') || '';
    for (const x of bar.querySelectorAll('.quick-chip')) {
      const on = (x.dataset.quick === 'all' ? '' : x.dataset.quick) === now;
      x.classList.toggle('active', on);
      if (on) x.setAttribute('aria-current', 'page'); else x.removeAttribute('aria-current');
    }
  };
  // Counts, in the background (the project switcher applies).
  chips.forEach((c, i) => {
    const q = { limit: 1 };
    if (i > 0) q.status = STATES[i - 1];
    if (pid) q.project_id = pid;
    api.get('contracts', q).then((r) => { c.count.textContent = String(r.total ?? ''); }, () => {});
  });
  api.get('contracts/deadlines', { within: 7, project_id: pid }).then((r) => {
    const items = ((r && r.items) || []).filter((x) => !pid || String(x.project_id) === pid);
    dl.count.textContent = String(items.length);
    if (items.some((x) => x.deadline && x.deadline.days_left < 0)) dl.a.classList.add('has-overdue');
  }, () => {});
  return bar;
}

export async function renderDeadlines(main, query, ctx) {
  ctx.setTitle(t('cl.deadlines'));
  await enumField.ready('contracts', 'status');
  if (!ctx.isCurrent()) return;
  let within = /^\d{1,3}$/.test(query.get('within') || '') ? Number(query.get('within')) : 7;
  const sel = h('select', { id: 'dl-within', name: 'within' }, [7, 15, 30, 60, 90].map((n) => h('option', { value: String(n), text: t('cl.within_n', { n }) })));
  if (![7, 15, 30, 60, 90].includes(within)) sel.append(h('option', { value: String(within), text: t('cl.within_n', { n: within }) }));
  sel.value = String(within);
  const tableWrap = h('div', { class: 'table-wrap' });
  const hint = h('div', { class: 'filter-hint' });
  const page = h('div', { class: 'page page-list page-deadlines' },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('cl.deadlines') }),
      h('div', { class: 'muted small', text: t('cl.deadlines_sub') }))),
    contractQuickBar('deadlines'),
    h('div', { class: 'filter-bar' }, h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'dl-within', text: t('cl.within') }), sel)), hint),
    tableWrap);
  replace(main, page);
  sel.addEventListener('change', () => { within = Number(sel.value); load(); });

  async function load() {
    router.replaceQuiet(router.page('contracts/deadlines', null, within === 7 ? null : { within }));
    replace(tableWrap, loading());
    let r;
    try {
      r = await api.get('contracts/deadlines', { within, project_id: currentProject() });
    } catch (err) {
      replace(tableWrap, errorState(err, load));
      return;
    }
    if (!page.isConnected) return;
    const pid = currentProject();
    const p = pid && session.projects.find((x) => String(x.id) === pid);
    replace(hint, p ? h('span', { class: 'chip', text: t('list.project_filtered', { name: p.name }) }) : null);
    hint.hidden = !p;
    const items = ((r && r.items) || []).filter((x) => !pid || String(x.project_id) === pid);
    const statusF = enumField('contracts', 'status');
    const tbody = h('tbody', null, items.map((x) => {
      const d = x.deadline || {};
      const link = router.page('contract', x.id);
      const tr = h('tr', { tabindex: 0, class: d.days_left < 0 ? 'row-overdue' : null, dataset: { id: x.id } },
        h('td', null, h('a', { class: 'row-link mono', href: link, text: x.no })),
        h('td', { text: x.project_name || '' }),
        h('td', { class: 'mono', text: x.room_code || '' }),
        h('td', { text: x.buyer_names || '' }),
        h('td', null, enumTag(statusF, x.status)),
        h('td', null, tag(d.kind === 'filing' ? t('cl.kind_filing') : t('cl.kind_prereg'), d.kind === 'filing' ? 'blue' : 'grey')),
        h('td', { text: (d.kind === 'filing' ? x.signed_on : x.filed_on) || '' }),
        h('td', { text: d.due || '' }),
        h('td', { class: 'num', dataset: { col: 'days' } }, daysLeftTag(d.days_left)));
      tr.addEventListener('click', (e) => { if (!e.target.closest('a')) router.go(link); });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') router.go(link); });
      return tr;
    }));
    const cols = [t('ct.no'), t('od.project'), t('od.room'), t('od.buyers'), t('ct.status'), t('cl.kind'), t('cl.from'), t('cl.due'), t('cl.days_left')];
    replace(tableWrap, h('table', { class: 'data-table' },
      h('thead', null, h('tr', null, cols.map((c, i) => h('th', { class: i === 8 ? 'num' : null, text: c })))), tbody),
    items.length ? h('div', { class: 'table-foot muted small', text: t('list.total', { n: items.length }) }) : h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }), h('div', { class: 'empty-text', text: t('cl.none', { n: within }) })));
  }
  await load();
}

/** The live contract of a unit (not cancelled), or null. */
export async function contractOfUnit(unitId) {
  const r = await api.get('contracts', { unit_id: unitId, limit: 20, sort: '-id' });
  const items = (r && r.items) || [];
  return items.find((x) => x.status !== 'cancelled') || null;
}
