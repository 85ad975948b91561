// The frame around every page: left navigation from /meta/nav, top bar with
// project switcher, language switch and user menu.
import { h } from './dom.js';
import { t, L, getLang, setLang } from './i18n.js';
import { session, displayName, currentProject, can } from './session.js';
import { dropdown } from './ui.js';
import * as router from './router.js';
import { renderSearchBox, canSearch } from './search.js';
import { onCounts, badge, setBadge, renderBell } from './notify.js';

const SIDER_KEY = 'anjia.sider';
const GROUPS_KEY = 'anjia.navClosed';

function readJson(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key) || 'null') ?? fallback; } catch { return fallback; }
}
function writeJson(key, v) {
  try { localStorage.setItem(key, JSON.stringify(v)); } catch { /* ignore */ }
}

/**
 * Pages of the UI's own (not entity lists) that belong in the navigation,
 * shown when the user has the permission. `page` is the key setActive() gets.
 */
const CLIENT_PAGES = [
  { page: 'duplicates', group: 'master', perm: 'customer.merge', label: '重复客户', label_en: 'Duplicates' },
  { page: 'import', group: 'master', perm: 'customer.import', label: '批量导入', label_en: 'Import' },
  // First in its group, with the number of approvals waiting for me.
  { page: 'approvals', group: 'approval', perm: 'approval.use', label: '审批中心', label_en: 'Approvals', first: true, badge: 'todo' },
  // 按揭回款: the work pages next to the ledgers they read.
  { page: 'mortgage/weekly', group: 'mortgage', perm: 'loan.read', label: '按揭周报', label_en: 'Weekly report', after: 'loans' },
  { page: 'collections/overdue', group: 'mortgage', perm: 'receivable.read', label: '逾期催缴', label_en: 'Overdue & dunning', after: 'receivables' },
  { page: 'collections/rate', group: 'mortgage', perm: 'receivable.read', label: '回款率', label_en: 'Collection rate', after: 'collections/overdue' },
  { page: 'collections/penalties', group: 'mortgage', perm: 'receivable.read', label: '违约金台账', label_en: 'Late-payment penalties', after: 'collections/rate' },
  { page: 'calc/mortgage', group: 'mortgage', perm: ['loan.read', 'receivable.read'], label: '房贷计算器', label_en: 'Mortgage calculator' },
  // 客服工单: the work queues first, the reports next to the ledgers they read.
  { page: 'tickets/queue', group: 'service', perm: 'ticket.read', label: '工单队列', label_en: 'Ticket queues', first: true },
  { page: 'tickets/dashboard', group: 'service', perm: 'ticket.read', label: '工单看板', label_en: 'Ticket dashboard', after: 'tickets' },
  { page: 'tickets/defects', group: 'service', perm: 'defect.read', label: '质量缺陷分析', label_en: 'Defect analysis', after: 'defect-cases' },
  // 交付与产权: the work pages first, next to the ledgers they read.
  { page: 'handover/batches', group: 'handover', perm: 'handover.read', label: '交付工作台', label_en: 'Handover desk', first: true },
  { page: 'handover/defects', group: 'handover', perm: ['handover.read', 'inspection.write'], label: '验房缺陷整改', label_en: 'Inspection defects', after: 'handover/batches' },
  { page: 'handover/certificates', group: 'handover', perm: 'certificate.read', label: '产权证工作台', label_en: 'Certificate desk', after: 'handover/defects' },
  { page: 'warranty/expiring', group: 'service', perm: 'warranty.read', label: '保修期台账', label_en: 'Warranty ledger', after: 'warranty-periods' },
  { page: 'surveys', group: 'service', perm: 'survey.read', label: '回访队列', label_en: 'Callback queue', after: 'survey-responses' },
  { page: 'surveys/report', group: 'service', perm: 'survey.read', label: '满意度统计', label_en: 'Satisfaction report', after: 'surveys' },
  { page: 'calendar', group: 'service', perm: ['calendar.admin', 'ticket.admin'], label: '节假日与调休', label_en: 'Holidays & make-up days', after: 'sla-policies' },
];
const GROUP_LABELS = {
  master: { label: '客户与房源', label_en: 'Customers & units', first: true },
  approval: { label: '审批与行政', label_en: 'Approvals & office' },
  contract: { label: '签约', label_en: 'Contracts' },
  mortgage: { label: '按揭回款', label_en: 'Mortgages & collections' },
  service: { label: '客服工单', label_en: 'Service tickets', before: 'contract' },
  handover: { label: '交付与产权', label_en: 'Handover & certificates', before: 'service' },
};

/** The server's navigation plus the client pages this user may open. */
export function navGroups() {
  const groups = (session.nav || []).map((g) => ({ ...g, items: g.items.slice() }));
  for (const p of CLIENT_PAGES) {
    const perms = Array.isArray(p.perm) ? p.perm : [p.perm];
    if (!perms.some((x) => can(x))) continue;
    let g = groups.find((x) => x.key === p.group);
    if (!g) {
      const gl = GROUP_LABELS[p.group] || { label: p.group };
      g = { key: p.group, label: gl.label, label_en: gl.label_en, items: [] };
      const at = gl.before ? groups.findIndex((x) => x.key === gl.before) : -1;
      if (gl.first) groups.unshift(g); else if (at >= 0) groups.splice(at, 0, g); else groups.push(g);
    }
    if (!g.items.some((i) => i.entity === p.page)) {
      const it = { entity: p.page, page: true, label: p.label, label_en: p.label_en, badge: p.badge };
      const at = p.after ? g.items.findIndex((i) => i.entity === p.after) : -1;
      if (p.first) g.items.unshift(it);
      else if (at >= 0) g.items.splice(at + 1, 0, it);
      else g.items.push(it);
    }
  }
  return groups;
}

export function itemHref(it) {
  return it.page ? router.page(it.entity) : router.href('list', it.entity);
}

export function renderShell(root, { onLogout, onChangePassword, onProjectChange, onDelegations }) {
  const closed = new Set(readJson(GROUPS_KEY, []));
  const nav = h('nav', { class: 'nav', 'aria-label': t('nav.home') });
  nav.append(h('a', { class: 'nav-item nav-home', href: '#/', dataset: { entity: '' } },
    h('span', { class: 'nav-icon', 'aria-hidden': 'true', text: '⌂' }), h('span', { text: t('nav.home') })));
  const groups = navGroups();
  for (const g of groups) {
    const list = h('ul', { class: 'nav-items', id: `nav-g-${g.key}` });
    for (const it of g.items) {
      const a = h('a', { class: 'nav-item', href: itemHref(it), dataset: { entity: it.entity } },
        h('span', { class: 'nav-text', text: L(it, it.entity) }));
      if (it.badge) {
        const b = badge(0, 'nav-badge');
        b.dataset.badge = it.badge;
        a.append(b);
      }
      list.append(h('li', null, a));
    }
    const isClosed = closed.has(g.key);
    list.hidden = isClosed;
    const title = h('button', {
      class: 'nav-group-title', type: 'button', 'aria-expanded': String(!isClosed), 'aria-controls': `nav-g-${g.key}`,
    }, h('span', { text: L(g, g.key) }), h('span', { class: 'caret', 'aria-hidden': 'true' }));
    title.addEventListener('click', () => {
      list.hidden = !list.hidden;
      title.setAttribute('aria-expanded', String(!list.hidden));
      if (list.hidden) closed.add(g.key); else closed.delete(g.key);
      writeJson(GROUPS_KEY, [...closed]);
    });
    nav.append(h('div', { class: 'nav-group', dataset: { group: g.key } }, title, list));
  }
  if (!groups.length) nav.append(h('p', { class: 'nav-empty', text: t('nav.empty') }));

  const sider = h('aside', { class: 'sider' },
    h('a', { class: 'brand', href: '#/' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: '安' }),
      h('span', { class: 'brand-text' }, h('span', { class: 'brand-name', text: t('app.name') }), h('span', { class: 'brand-sub', text: t('app.subtitle') }))),
    nav);

  // Top bar.
  const collapsed = readJson(SIDER_KEY, false) === true;
  const toggle = h('button', {
    class: 'icon-btn sider-toggle', type: 'button', 'aria-label': collapsed ? t('nav.expand') : t('nav.collapse'),
    title: collapsed ? t('nav.expand') : t('nav.collapse'), 'aria-expanded': String(!collapsed), text: '☰',
  });
  const crumb = h('div', { class: 'crumb' });

  const right = h('div', { class: 'top-right' });
  // Project switcher.
  const user = session.user || {};
  if (session.projects.length || user.all_projects) {
    const sel = h('select', { id: 'project-switch', class: 'project-switch', 'aria-label': t('top.project') });
    if (user.all_projects || session.projects.length > 1) {
      sel.append(h('option', { value: '', text: user.all_projects ? t('top.all_projects') : t('top.my_projects') }));
    }
    for (const p of session.projects) {
      sel.append(h('option', { value: String(p.id), text: p.code ? `${p.name}（${p.code}）` : p.name }));
    }
    sel.value = currentProject() || (sel.options[0] ? sel.options[0].value : '');
    sel.addEventListener('change', () => onProjectChange(sel.value));
    right.append(h('label', { class: 'top-project' }, h('span', { class: 'top-label', text: t('top.project') }), sel));
  }
  // Language switch.
  const lang = getLang();
  right.append(h('div', { class: 'seg lang-seg', role: 'group', 'aria-label': t('lang.switch') },
    h('button', { type: 'button', class: ['seg-btn', lang === 'zh' && 'active'], 'aria-pressed': String(lang === 'zh'), lang: 'zh-CN', text: '中文', dataset: { lang: 'zh' }, onclick: () => setLang('zh') }),
    h('button', { type: 'button', class: ['seg-btn', lang === 'en' && 'active'], 'aria-pressed': String(lang === 'en'), lang: 'en', text: 'English', dataset: { lang: 'en' }, onclick: () => setLang('en') })));
  // Approvals waiting for me, and the notification bell.
  if (can('approval.use')) {
    const waiting = badge(0, 'top-badge');
    const link = h('a', { class: 'top-approvals', href: router.page('approvals'), id: 'top-approvals', title: t('appr.waiting_title') },
      h('span', { class: 'top-approvals-icon', 'aria-hidden': 'true' }), h('span', { text: t('appr.waiting') }), waiting);
    right.append(link);
  }
  right.append(renderBell());
  // User menu.
  const userBtn = h('button', { class: 'user-btn', type: 'button', id: 'user-menu' },
    h('span', { class: 'avatar', 'aria-hidden': 'true', text: (displayName() || '?').slice(0, 1) }),
    h('span', { class: 'user-name' }, displayName()),
    user.role ? h('span', { class: 'user-role', text: L(user.role) || user.role.name || '' }) : null,
    h('span', { class: 'caret', 'aria-hidden': 'true' }));
  const menu = h('div', { class: 'menu', role: 'menu' });
  const drop = dropdown(userBtn, menu, { align: 'right' });
  menu.append(
    can('approval.use') ? h('button', { type: 'button', class: 'menu-item', role: 'menuitem', dataset: { action: 'delegations' }, text: t('deleg.menu'), onclick: () => { drop.closeDropdown(); onDelegations(); } }) : null,
    h('button', { type: 'button', class: 'menu-item', role: 'menuitem', dataset: { action: 'change-password' }, text: t('top.change_password'), onclick: () => { drop.closeDropdown(); onChangePassword(); } }),
    h('button', { type: 'button', class: 'menu-item', role: 'menuitem', dataset: { action: 'logout' }, text: t('top.logout'), onclick: () => { drop.closeDropdown(); onLogout(); } }));
  right.append(drop);

  const search = canSearch() ? renderSearchBox() : null;
  const topbar = h('header', { class: 'topbar' }, toggle, crumb, search, right);
  const main = h('main', { class: 'content', id: 'main', tabindex: '-1' });
  const shell = h('div', { class: ['shell', collapsed && 'sider-collapsed'] }, sider, h('div', { class: 'main-col' }, topbar, main));
  toggle.addEventListener('click', () => {
    const now = !shell.classList.contains('sider-collapsed');
    shell.classList.toggle('sider-collapsed', now);
    toggle.setAttribute('aria-expanded', String(!now));
    toggle.setAttribute('aria-label', now ? t('nav.expand') : t('nav.collapse'));
    toggle.title = now ? t('nav.expand') : t('nav.collapse');
    writeJson(SIDER_KEY, now);
  });

  root.replaceChildren(shell);

  // Counts: the nav badge and the top bar's number of approvals waiting.
  onCounts((c) => {
    if (!shell.isConnected) return false;
    for (const b of shell.querySelectorAll('.nav-badge[data-badge]')) setBadge(b, c[b.dataset.badge]);
    const tb = shell.querySelector('#top-approvals');
    if (tb) {
      setBadge(tb.querySelector('.top-badge'), c.todo);
      tb.classList.toggle('has-overdue', Number(c.overdue) > 0);
      tb.title = Number(c.overdue) > 0 ? t('appr.waiting_overdue', { n: c.todo, m: c.overdue }) : t('appr.waiting_title_n', { n: c.todo });
    }
    return true;
  });

  function groupOf(entity) {
    return groups.find((g) => g.items.some((i) => i.entity === entity)) || null;
  }

  return {
    main,
    /**
     * Highlight the nav entry and fill the breadcrumb; `sub` adds a last part
     * (e.g. 客户360 under 客户与房源 / 客户).
     */
    setActive(entity, pageLabel, sub) {
      for (const a of nav.querySelectorAll('.nav-item')) {
        const on = (a.dataset.entity || '') === (entity || '');
        a.classList.toggle('active', on);
        if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
      }
      const g = entity ? groupOf(entity) : null;
      if (g) {
        const list = nav.querySelector(`#nav-g-${CSS.escape(g.key)}`);
        if (list && list.hidden) list.previousElementSibling.click();
      }
      const item = g && g.items.find((i) => i.entity === entity);
      crumb.replaceChildren(
        ...(g ? [h('span', { class: 'crumb-part', text: L(g, g.key) }), h('span', { class: 'crumb-sep', text: '/' })] : []),
        item ? h('a', { class: 'crumb-part', href: itemHref(item), text: L(item, entity) })
          : h('span', { class: 'crumb-part', text: pageLabel || t('nav.home') }),
        ...(sub ? [h('span', { class: 'crumb-sep', text: '/' }), h('span', { class: 'crumb-part', text: sub })] : []));
    },
  };
}
