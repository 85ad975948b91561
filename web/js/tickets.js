// 工单队列 (#/tickets?view=mine|team|overdue|open&age=): the work lists of the
// service desk — mine, my team's, the overdue ones, all open — with an age
// filter, the SLA state of each ticket and the Excel ledger. `N` opens a new
// ticket.
import { h, replace, clear } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { loading, errorState, toast, setBusy } from './ui.js';
import { codeLabel, statusTag, severityTag, ticketSla, whoText } from './ticket_common.js';

const PAGE_SIZE = 40;
const VIEWS = ['mine', 'team', 'overdue', 'open'];
const AGES = ['', '0-1', '1-3', '3-7', '7-'];

export async function renderTickets(main, query, ctx) {
  ctx.setTitle(t('tk.queue'));
  let view = VIEWS.includes(query.get('view')) ? query.get('view') : 'mine';
  let age = AGES.includes(query.get('age') || '') ? (query.get('age') || '') : '';
  let pageNo = Math.max(1, Number(query.get('page')) || 1);
  let abort = null;

  const actions = h('div', { class: 'page-actions' });
  actions.append(h('a', { class: 'btn', href: router.href('list', 'tickets'), text: t('tk.ledger'), dataset: { action: 'ledger' } }));
  actions.append(h('a', { class: 'btn', href: router.page('tickets/dashboard'), text: t('tk.dashboard'), dataset: { action: 'dashboard' } }));
  if (can('ticket.export')) {
    const exportBtn = h('button', { class: 'btn', type: 'button', text: t('list.export'), dataset: { action: 'export' } });
    exportBtn.addEventListener('click', async () => {
      setBusy(exportBtn, true, t('list.exporting'));
      try {
        // The ledger with every field (the generic export of the tickets list).
        const r = await api.download('tickets/export.xlsx', { project_id: currentProject() }, `工单台账-${fmt.today()}.xlsx`);
        toast(t('list.exported', { name: r.name }), 'success');
      } catch (err) {
        toast(err.message, 'error', 5000);
      } finally {
        setBusy(exportBtn, false);
      }
    });
    actions.append(exportBtn);
  }
  if (can('ticket.write')) {
    actions.append(h('a', { class: 'btn btn-primary', href: router.page('ticket', 'new'), dataset: { action: 'new-ticket' }, title: t('tk.new_key') },
      `+ ${t('tk.new')}`, h('kbd', { class: 'btn-kbd', text: 'N' })));
  }
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('tk.queue') }),
      h('div', { class: 'muted small', text: t('tk.queue_sub') })),
    actions);

  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  for (const v of VIEWS) {
    tabs.append(h('button', {
      type: 'button', role: 'tab', class: ['tab', v === view && 'active'], 'aria-selected': String(v === view), dataset: { view: v },
      onclick: () => { view = v; pageNo = 1; load(); },
    }, h('span', { text: t(`tk.view_${v}`) }), h('span', { class: 'count', dataset: { count: v }, hidden: true })));
  }
  const ageSeg = h('div', { class: 'seg age-seg', role: 'group', 'aria-label': t('tk.age') },
    AGES.map((a) => h('button', {
      type: 'button', class: ['seg-btn', a === age && 'active'], 'aria-pressed': String(a === age), dataset: { age: a },
      text: a ? t(`tk.age_${a.replace('-', '_')}`) : t('common.all'),
      onclick: () => { age = a; pageNo = 1; load(); },
    })));
  const bar = h('div', { class: 'tabs-bar' }, tabs,
    h('div', { class: 'tabs-filter' }, h('span', { class: 'muted small', text: t('tk.age') }), ageSeg));
  const projectHint = h('div', { class: 'filter-hint', hidden: true });
  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const page = h('div', { class: 'page page-list page-tickets', dataset: { view } }, header, bar, projectHint, tableWrap, pager);
  replace(main, page);

  const onKey = (e) => {
    if (!page.isConnected) { document.removeEventListener('keydown', onKey); return; }
    if (e.key !== 'n' && e.key !== 'N') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const a = document.activeElement;
    if (a && (a.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName))) return;
    if (document.querySelector('.modal-mask') || !can('ticket.write')) return;
    e.preventDefault();
    router.go(router.page('ticket', 'new'));
  };
  document.addEventListener('keydown', onKey);

  function address() {
    const q = { view };
    if (age) q.age = age;
    if (pageNo > 1) q.page = pageNo;
    return router.page('tickets/queue', null, q);
  }

  function paint(r) {
    const items = (r && r.items) || [];
    const total = r && r.total !== undefined ? Number(r.total) : items.length;
    page.dataset.view = view;
    for (const b of tabs.children) {
      const on = b.dataset.view === view;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
      // Only the shown queue's count: the others would be stale.
      const c = b.querySelector('.count');
      c.textContent = on ? String(total) : '';
      c.hidden = !on;
    }
    for (const b of ageSeg.children) {
      const on = b.dataset.age === age;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', String(on));
    }
    const cols = [t('tk.no'), t('tk.type'), t('tk.customer_unit'), t('tk.category'), t('tk.title'), t('tk.status'), t('tk.sla'), t('tk.assignee'), t('tk.created_at')];
    const now = Date.now();
    const tbody = h('tbody', null, items.map((tk) => {
      const href = router.page('ticket', tk.id);
      const tr = h('tr', { tabindex: 0, dataset: { id: tk.id, status: tk.status || '' }, class: tk.is_overdue || tk.overdue ? 'row-overdue' : null },
        h('td', { class: 'nowrap' }, h('a', { class: 'row-link mono', href, text: tk.no || `#${tk.id}` })),
        h('td', { class: 'nowrap' }, h('span', { text: codeLabel('type', tk.type) }), tk.channel === 'hotline' ? h('span', { class: 'tag tag-red tag-gap', title: t('tk.channel_hotline'), text: '12345' }) : null),
        h('td', { class: 'two-line' }, h('div', { text: whoText(tk) || t('common.none') }), h('div', { class: 'muted small mono', text: tk.room_code || '' })),
        h('td', { text: tk.category_name || tk.category_path || '' }),
        h('td', { class: 'wrap-cell' }, h('span', { class: 'ellipsis ticket-title', title: tk.title || '', text: tk.title || '' }), severityTag(tk.severity !== 'normal' ? tk.severity : null)),
        h('td', { class: 'nowrap' }, statusTag(tk.status, !!tk.paused_at)),
        h('td', { class: 'nowrap', dataset: { col: 'sla' } }, ticketSla(tk, now) || h('span', { class: 'muted', text: t('common.none') })),
        h('td', { text: tk.assignee_name || tk.assignee || '' }),
        h('td', { class: 'nowrap small', title: fmt.datetime(tk.created_at), text: fmt.datetime(tk.created_at).slice(5) }));
      tr.addEventListener('click', (e) => { if (!e.target.closest('a')) router.go(href); });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') router.go(href); });
      return tr;
    }));
    clear(tableWrap);
    tableWrap.append(h('table', { class: 'data-table tickets-table' },
      h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: i === 6 ? 'col-sla' : null, text: c })))), tbody));
    if (!items.length) {
      tableWrap.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: can('ticket.write') ? t('tk.empty_new') : t('tk.empty') })));
    }
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    replace(pager,
      h('span', { class: 'pager-total', text: t('list.total', { n: fmt.integer(total) }) }),
      h('button', { class: 'btn', type: 'button', disabled: pageNo <= 1, text: t('list.prev'), onclick: () => { pageNo -= 1; load(); } }),
      h('span', { class: 'pager-info', text: t('list.page', { p: pageNo, n: pages }) }),
      h('button', { class: 'btn', type: 'button', disabled: pageNo >= pages, text: t('list.next'), onclick: () => { pageNo += 1; load(); } }));
  }

  async function load() {
    router.replaceQuiet(address());
    if (abort) abort.abort();
    const mine = new AbortController();
    abort = mine;
    const pid = currentProject();
    const p = pid && session.projects.find((x) => String(x.id) === pid);
    replace(projectHint, p ? h('span', { class: 'chip', text: t('list.project_filtered', { name: p.name }) }) : null);
    projectHint.hidden = !p;
    tableWrap.classList.add('is-loading');
    page.setAttribute('aria-busy', 'true');
    try {
      const r = await api.get('tickets/queue', {
        view, age, project_id: pid, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE,
      }, { signal: mine.signal });
      if (abort !== mine || !page.isConnected) return;
      paint(r);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(tableWrap, errorState(err, load));
      clear(pager);
    } finally {
      if (abort === mine) {
        tableWrap.classList.remove('is-loading');
        page.removeAttribute('aria-busy');
      }
    }
  }

  tableWrap.append(loading());
  await load();
}
