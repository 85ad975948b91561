// 工作台: who you are, your projects, and the modules you can open.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import { session, displayName } from './session.js';
import { navGroups, itemHref } from './layout.js';
import { canSearch } from './search.js';

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
    h('h2', { class: 'section-title', text: t('home.modules') }),
    modules));
}
