// Approval counts (nav badge, top-bar badge) polled from
// /approvals/counts every minute and after every action, and the
// notification bell: unread count, a dropdown list, a click opens the link
// and marks it read.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { session } from './session.js';
import { dropdown, loading } from './ui.js';
import { when } from './approval_common.js';

const POLL_MS = 60_000;
let counts = { todo: 0, overdue: 0, returned: 0, unread: 0 };
let timer = null;
let inflight = null;
const listeners = new Set();

/** fn(counts) now and on every change; returns false from fn to unsubscribe. */
export function onCounts(fn) {
  listeners.add(fn);
  if (fn(counts) === false) listeners.delete(fn);
}

function emit() {
  for (const fn of [...listeners]) {
    if (fn(counts) === false) listeners.delete(fn);
  }
}

export function currentCounts() {
  return counts;
}

export function refreshCounts() {
  if (!session.user) return Promise.resolve(counts);
  if (inflight) return inflight;
  inflight = (async () => {
    try {
      const r = await api.get('approvals/counts', null, { skipAuthRedirect: true });
      if (r && typeof r === 'object') counts = { ...counts, ...r };
      emit();
    } catch { /* keep the last numbers; the next poll tries again */ }
    inflight = null;
    return counts;
  })();
  return inflight;
}

export function startCounts() {
  stopCounts();
  counts = { todo: 0, overdue: 0, returned: 0, unread: 0 };
  refreshCounts();
  timer = setInterval(() => {
    if (document.visibilityState !== 'hidden') refreshCounts();
  }, POLL_MS);
}

export function stopCounts() {
  if (timer) clearInterval(timer);
  timer = null;
  listeners.clear();
}

/** A red count bubble; hidden at 0. */
export function badge(n, extraClass) {
  const el = h('span', { class: ['badge', extraClass], 'aria-hidden': 'true' });
  setBadge(el, n);
  return el;
}

export function setBadge(el, n) {
  const v = Number(n) || 0;
  el.textContent = v > 99 ? '99+' : String(v);
  el.hidden = v <= 0;
  el.dataset.count = String(v);
}

// ---- the bell ------------------------------------------------------------------

function openLink(link) {
  // Links are app addresses like "#/approval/12"; anything else stays put.
  if (typeof link === 'string' && /^#\/[A-Za-z0-9/_?=&.-]*$/.test(link)) router.go(link);
}

export function renderBell() {
  const count = badge(0, 'bell-badge');
  const btn = h('button', {
    class: 'icon-btn bell-btn', type: 'button', id: 'notify-bell', title: t('notify.title'), 'aria-label': t('notify.title'),
  }, h('span', { class: 'bell-icon', 'aria-hidden': 'true' }), count);
  const list = h('div', { class: 'notify-list' });
  const readAll = h('button', { class: 'btn btn-link btn-sm', type: 'button', text: t('notify.read_all'), dataset: { action: 'read-all' } });
  const panel = h('div', { class: 'notify-panel', role: 'dialog', 'aria-label': t('notify.title') },
    h('div', { class: 'notify-head' }, h('span', { class: 'notify-title', text: t('notify.title') }), readAll),
    list);
  const drop = dropdown(btn, panel, { align: 'right' });

  async function load() {
    replace(list, loading());
    let items;
    try {
      const r = await api.get('notifications');
      items = (r && r.items) || [];
    } catch (e) {
      replace(list, h('div', { class: 'notify-empty error-text', text: e.message }));
      return;
    }
    if (!items.length) {
      replace(list, h('div', { class: 'notify-empty muted', text: t('notify.empty') }));
      return;
    }
    replace(list, h('ul', { class: 'notify-items' }, items.map((n) => {
      const unread = !n.read_at;
      const item = h('button', {
        type: 'button', class: ['notify-item', unread && 'unread'], dataset: { id: n.id, kind: n.kind || '' },
      },
      h('span', { class: 'notify-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'notify-body' },
        h('span', { class: 'notify-text', text: n.title || '' }),
        h('span', { class: 'notify-time', text: when(n.at) })));
      item.addEventListener('click', async () => {
        drop.closeDropdown();
        if (unread) {
          try { await api.post(`notifications/${encodeURIComponent(n.id)}/read`, {}); } catch { /* still open it */ }
          refreshCounts();
        }
        openLink(n.link);
      });
      return h('li', null, item);
    })));
  }

  btn.addEventListener('click', () => {
    if (!panel.hidden) load();
  });
  readAll.addEventListener('click', async () => {
    try {
      await api.post('notifications/read-all', {});
    } catch { /* ignore */ }
    await refreshCounts();
    load();
  });
  onCounts((c) => {
    if (!drop.isConnected && drop.dataset.mounted) return false;
    drop.dataset.mounted = '1';
    setBadge(count, c.unread);
    btn.title = c.unread ? t('notify.unread_n', { n: c.unread }) : t('notify.title');
    return true;
  });
  return drop;
}
