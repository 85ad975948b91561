// 审批中心 (#/approvals?box=todo|mine|done|all&status=&page=): the inboxes as
// tabs, a status filter, paging; a row opens the request. 发起申请 opens the
// template picker, grouped by category, with each template's description.
import { h, replace, clear } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can } from './session.js';
import { loading, errorState, modal } from './ui.js';
import { onCounts, badge, setBadge } from './notify.js';
import {
  REQUEST_STATUS, statusTag, dueView, when, listTemplates, templateDetail, CATEGORY_ORDER, categoryLabel,
} from './approval_common.js';

const PAGE_SIZE = 40;
const BOXES = ['todo', 'mine', 'done', 'all'];

function boxes() {
  return BOXES.filter((b) => b !== 'all' || can('approval.read_all'));
}

/** Columns per inbox: [key, label key, render(it), class]. */
function columns(box) {
  const no = ['no', 'appr.col_no', (it) => h('a', { class: 'row-link mono', href: router.page('approval', it.id), text: it.no || `#${it.id}` })];
  const type = ['template_name', 'appr.col_type', (it) => document.createTextNode(it.template_name || '')];
  const title = ['title', 'appr.col_title', (it) => h('span', { class: 'ellipsis title-cell', title: it.title || '', text: it.title || '' })];
  const applicant = ['applicant_name', 'appr.col_applicant', (it) => document.createTextNode(it.applicant_name || '')];
  const dept = ['department', 'appr.col_department', (it) => document.createTextNode(it.department || '')];
  const amount = ['amount_fen', 'appr.col_amount', (it) => document.createTextNode(it.amount_fen === null || it.amount_fen === undefined ? '' : fmt.money(it.amount_fen)), 'num'];
  const status = ['status', 'appr.col_status', (it) => statusTag(it.status), 'tag-cell'];
  const step = ['step_name', 'appr.col_step', (it) => document.createTextNode(
    it.status === 'in_progress' ? (it.step_name || '') : it.status === 'returned' ? t('appr.step_applicant') : t('common.none'))];
  const submitted = ['submitted_at', 'appr.col_submitted', (it) => document.createTextNode(when(it.submitted_at))];
  const decided = ['decided_at', 'appr.col_decided', (it) => document.createTextNode(when(it.decided_at) || t('common.none'))];
  const due = ['due_at', 'appr.col_due', (it) => dueView(it.due_at, { pending: true })];
  switch (box) {
    case 'todo': return [no, type, title, applicant, amount, step, submitted, due];
    case 'mine': return [no, type, title, amount, status, step, submitted, decided];
    case 'done': return [no, type, title, applicant, amount, status, step, submitted, decided];
    default: return [no, type, title, applicant, dept, amount, status, step, submitted];
  }
}

export async function renderApprovals(main, query, ctx) {
  ctx.setTitle(t('appr.center'));
  let box = query.get('box') || 'todo';
  if (!boxes().includes(box)) box = 'todo';
  let status = query.get('status') || '';
  let pageNo = Math.max(1, Number(query.get('page')) || 1);
  let abort = null;

  const newBtn = h('button', { class: 'btn btn-primary', type: 'button', text: `+ ${t('appr.new')}`, dataset: { action: 'new-request' } });
  newBtn.addEventListener('click', () => pickTemplate());
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('appr.center') })),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('delegations'), text: t('deleg.menu'), dataset: { action: 'delegations' } }),
      newBtn));

  // Tabs.
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('appr.center') });
  const tabBtns = boxes().map((b) => {
    const btn = h('button', {
      type: 'button', role: 'tab', class: ['tab', b === box && 'active'], 'aria-selected': String(b === box),
      dataset: { box: b },
    }, h('span', { text: t(`appr.box_${b}`) }));
    if (b === 'todo') {
      const bd = badge(0, 'tab-badge');
      btn.append(bd);
    }
    btn.addEventListener('click', () => {
      if (box === b) return;
      box = b;
      pageNo = 1;
      for (const x of tabBtns) {
        const on = x.dataset.box === b;
        x.classList.toggle('active', on);
        x.setAttribute('aria-selected', String(on));
      }
      load();
    });
    tabs.append(btn);
    return btn;
  });
  onCounts((c) => {
    if (!tabs.isConnected && tabs.dataset.mounted) return false;
    tabs.dataset.mounted = '1';
    const b = tabs.querySelector('.tab-badge');
    if (b) setBadge(b, c.todo);
    return true;
  });

  // Status filter.
  const statusSel = h('select', { id: 'appr-status', name: 'status', 'aria-label': t('appr.col_status') },
    h('option', { value: '', text: t('appr.all_status') }),
    REQUEST_STATUS.map((o) => h('option', { value: o.value, text: L(o) })));
  statusSel.value = status;
  statusSel.addEventListener('change', () => {
    status = statusSel.value;
    pageNo = 1;
    load();
  });
  const bar = h('div', { class: 'tabs-bar' }, tabs,
    h('label', { class: 'tabs-filter' }, h('span', { class: 'filter-label', text: t('appr.col_status') }), statusSel));

  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const page = h('div', { class: 'page page-list page-approvals', dataset: { box } }, header, bar, tableWrap, pager);
  replace(main, page);

  function address() {
    const q = {};
    if (box !== 'todo') q.box = box;
    if (status) q.status = status;
    if (pageNo > 1) q.page = String(pageNo);
    return router.page('approvals', null, q);
  }

  function renderTable(items) {
    const cols = columns(box);
    const thead = h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c[3] === 'num' ? 'num' : null, text: t(c[1]) }))));
    const tbody = h('tbody');
    for (const it of items) {
      const link = router.page('approval', it.id);
      const late = box === 'todo' && it.overdue;
      const tr = h('tr', { tabindex: 0, class: late ? 'row-overdue' : null, dataset: { id: it.id, status: it.status || '' }, 'aria-label': `${it.no || ''} ${it.title || ''}` },
        cols.map((c) => h('td', { class: c[3] || null, dataset: { col: c[0] } }, c[2](it))));
      tr.addEventListener('click', (e) => {
        if (e.target.closest('a')) return;
        if (window.getSelection && String(window.getSelection()).length) return;
        router.go(link);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') router.go(link);
        else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
        else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
      });
      tbody.append(tr);
    }
    clear(tableWrap);
    tableWrap.append(h('table', { class: 'data-table approvals-table' }, thead, tbody));
    if (!items.length) {
      const key = status ? 'appr.empty_filtered' : `appr.empty_${box}`;
      tableWrap.append(h('div', { class: 'empty' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: t(key) }),
        box === 'mine' && !status ? h('button', { class: 'btn btn-primary', type: 'button', text: `+ ${t('appr.new')}`, onclick: () => pickTemplate() }) : null));
    }
  }

  function renderPager(total) {
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const btn = (text, p, opts = {}) => h('button', {
      type: 'button', class: ['page-btn', opts.current && 'current'], text, disabled: opts.disabled || false,
      'aria-current': opts.current ? 'page' : null, 'aria-label': opts.label || null, dataset: { page: p },
      onclick: () => { pageNo = p; load(); },
    });
    const nums = [];
    const want = new Set([1, pages, pageNo - 2, pageNo - 1, pageNo, pageNo + 1, pageNo + 2].filter((p) => p >= 1 && p <= pages));
    let last = 0;
    for (const p of [...want].sort((a, b) => a - b)) {
      if (p - last > 1) nums.push(h('span', { class: 'page-gap', text: '…' }));
      nums.push(btn(String(p), p, { current: p === pageNo }));
      last = p;
    }
    replace(pager,
      h('span', { class: 'pager-total', text: t('list.total', { n: fmt.integer(total) }) }),
      h('div', { class: 'pager-pages' },
        btn('‹', pageNo - 1, { disabled: pageNo <= 1, label: t('list.prev') }),
        nums,
        btn('›', pageNo + 1, { disabled: pageNo >= pages, label: t('list.next') })),
      h('span', { class: 'pager-info', text: t('list.page', { p: pageNo, n: pages }) }));
  }

  async function load() {
    page.dataset.box = box;
    router.replaceQuiet(address());
    if (abort) abort.abort();
    abort = new AbortController();
    const mine = abort;
    tableWrap.classList.add('is-loading');
    page.setAttribute('aria-busy', 'true');
    try {
      const r = await api.get('approvals', { box, status, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE }, { signal: mine.signal });
      if (mine !== abort) return;
      const total = Number(r && r.total) || 0;
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      if (pageNo > pages && total > 0) {
        pageNo = pages;
        load();
        return;
      }
      renderTable((r && r.items) || []);
      renderPager(total);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(tableWrap, errorState(err, load));
      clear(pager);
    } finally {
      if (mine === abort) {
        tableWrap.classList.remove('is-loading');
        page.removeAttribute('aria-busy');
      }
    }
  }

  tableWrap.append(loading());
  await load();
}

export function newRequestHref(code) {
  return `#/approval/new/${encodeURIComponent(code)}`;
}

/** 发起申请: enabled templates grouped by category, each with its description. */
export async function pickTemplate() {
  const body = h('div', { class: 'tpl-picker' }, loading());
  let closeFn = null;
  const done = modal({
    title: t('appr.pick_title'), body, footer: false, width: '760px', className: 'modal-wide',
    onMount: (close) => { closeFn = close; },
  });
  let items;
  try {
    items = await listTemplates();
  } catch (err) {
    replace(body, errorState(err));
    return done;
  }
  if (!items.length) {
    replace(body, h('div', { class: 'empty-small muted', text: t('appr.no_templates') }));
    return done;
  }
  const cats = [...new Set(items.map((x) => x.category || ''))].sort((a, b) => {
    const ia = CATEGORY_ORDER.indexOf(a);
    const ib = CATEGORY_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || String(a).localeCompare(String(b));
  });
  const groups = cats.map((c) => {
    const list = items.filter((x) => (x.category || '') === c);
    return h('section', { class: 'tpl-group', dataset: { category: c } },
      h('h3', { class: 'tpl-group-title' }, categoryLabel(c), h('span', { class: 'count', text: String(list.length) })),
      h('div', { class: 'tpl-cards' }, list.map((x) => {
        const desc = h('span', { class: 'tpl-desc', text: '' });
        const card = h('button', { type: 'button', class: 'tpl-card', dataset: { code: x.code } },
          h('span', { class: 'tpl-name', text: x.name }), desc);
        card.addEventListener('click', () => {
          if (closeFn) closeFn(true);
          router.go(newRequestHref(x.code));
        });
        // The list has no description: the template itself does (cached).
        templateDetail(x.id).then((d) => {
          desc.textContent = (d && d.description) || '';
          card.title = desc.textContent;
        }, () => { /* name only */ });
        return card;
      })));
  });
  replace(body, h('p', { class: 'muted small tpl-hint', text: t('appr.pick_hint') }), groups);
  const first = body.querySelector('.tpl-card');
  if (first) first.focus();
  return done;
}

