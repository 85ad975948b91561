// 工作台: who you are, your projects, and the modules you can open.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import { session, displayName, can } from './session.js';
import { navGroups, itemHref } from './layout.js';
import { canSearch } from './search.js';
import { onCounts, refreshCounts } from './notify.js';
import { pickTemplate } from './approvals.js';

/** 我的审批: what waits for me, what came back — from the counts the top bar polls. */
function approvalsCard() {
  const stat = (key, label, href, cls) => {
    const num = h('span', { class: 'home-stat-num', text: '0' });
    const el = h('a', { class: ['home-stat', cls], href, dataset: { stat: key } }, num, h('span', { class: 'home-stat-label', text: label }));
    return { el, num };
  };
  const todo = stat('todo', t('appr.box_todo'), '#/approvals');
  const overdue = stat('overdue', t('appr.overdue'), '#/approvals', 'danger');
  const returned = stat('returned', t('home.returned'), '#/approvals?box=mine&status=returned', 'warn');
  const card = h('section', { class: 'card home-approvals', dataset: { part: 'approvals' } },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: t('home.my_approvals') }),
      h('button', { class: 'btn btn-primary', type: 'button', text: `+ ${t('appr.new')}`, dataset: { action: 'new-request' }, onclick: () => pickTemplate() })),
    h('div', { class: 'home-stats' }, todo.el, overdue.el, returned.el));
  onCounts((c) => {
    if (!card.isConnected && card.dataset.mounted) return false;
    card.dataset.mounted = '1';
    todo.num.textContent = String(c.todo || 0);
    overdue.num.textContent = String(c.overdue || 0);
    returned.num.textContent = String(c.returned || 0);
    overdue.el.classList.toggle('zero', !Number(c.overdue));
    returned.el.classList.toggle('zero', !Number(c.returned));
    return true;
  });
  refreshCounts();
  return card;
}

export function renderHome(main, ctx) {
  ctx.setTitle(t('nav.home'));
  const u = session.user || {};
  const projects = u.all_projects ? [t('home.all_projects')] : (u.projects || []).map((p) => p.name || p.code);
  const facts = h('dl', { class: 'home-facts' },
    u.role ? [h('dt', { text: t('home.role') }), h('dd', { text: L(u.role) || u.role.name || '' })] : null,
    u.department ? [h('dt', { text: t('home.department') }), h('dd', { text: u.department })] : null,
    [h('dt', { text: t('home.projects') }), h('dd', { text: projects.length ? projects.join('、') : t('common.none') })]);
  const modules = h('div', { class: 'home-modules' });
  const groups = navGroups();
  for (const g of groups) {
    modules.append(h('section', { class: 'card home-group', dataset: { group: g.key } },
      h('h2', { class: 'card-title', text: L(g, g.key) }),
      h('ul', { class: 'home-links' }, g.items.map((it) => h('li', null,
        h('a', { href: itemHref(it), text: L(it, it.entity) }))))));
  }
  if (!groups.length) modules.append(h('p', { class: 'muted', text: t('nav.empty') }));
  replace(main, h('div', { class: 'page page-home' },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' },
      h('h1', { class: 'page-title', text: t('home.welcome', { name: displayName() }) }),
      canSearch() ? h('div', { class: 'muted small home-search-hint', text: t('home.search_hint') }) : null)),
    h('section', { class: 'card' }, facts),
    can('approval.use') ? approvalsCard() : null,
    h('h2', { class: 'section-title', text: t('home.modules') }),
    modules));
}
