// Extra record actions per entity, shown as buttons on the detail page.
// Each: {key, label(), perm, danger?, run(item, meta, refresh)}.
import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { modal, toast } from './ui.js';

function resetPassword(item) {
  const input = h('input', { id: 'reset-pw', name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const err = h('div', { class: 'field-error', role: 'alert', id: 'reset-pw-err' });
  input.setAttribute('aria-describedby', 'reset-pw-err');
  const item0 = h('div', { class: 'form-item', dataset: { field: 'password' } },
    h('label', { class: 'form-label', for: 'reset-pw' }, t('pw.new'), h('span', { class: 'req', text: '*' })), input, err);
  const body = h('div', null, h('p', { class: 'muted', text: t('pw.reset_hint') }), item0);
  return modal({
    title: `${t('pw.reset_title')} · ${item.username || item.id}`,
    body,
    okText: t('common.save'),
    onOk: async () => {
      err.textContent = '';
      item0.classList.remove('has-error');
      if (!input.value) {
        err.textContent = t('form.required', { label: t('pw.new') });
        item0.classList.add('has-error');
        input.focus();
        return false;
      }
      try {
        await api.post(`users/${encodeURIComponent(item.id)}/password`, { password: input.value });
        toast(t('pw.reset_done'), 'success');
        return true;
      } catch (e) {
        err.textContent = e.message;
        item0.classList.add('has-error');
        input.focus();
        return false;
      }
    },
  });
}

async function unlock(item, meta, refresh) {
  const ok = await modal({ title: t('detail.unlock'), body: h('p', { text: t('detail.unlock_confirm') }) });
  if (!ok) return;
  try {
    await api.post(`users/${encodeURIComponent(item.id)}/unlock`, {});
    toast(t('detail.unlocked'), 'success');
    refresh();
  } catch (e) {
    toast(e.message, 'error', 5000);
  }
}

export const ENTITY_ACTIONS = {
  users: [
    { key: 'reset-password', label: () => t('pw.reset_title'), perm: 'user.write', run: resetPassword },
    { key: 'unlock', label: () => t('detail.unlock'), perm: 'user.write', run: unlock },
  ],
};

/**
 * Links to pages of their own, per entity: in list rows (a last 操作 column)
 * and as buttons on the detail page. Each: {key, label(), perm?, href(item)}.
 */
export const ENTITY_LINKS = {
  customers: [
    { key: 'open-360', label: () => t('c360.open'), perm: 'customer.read', href: (it) => router.page('360', it.id) },
  ],
  buildings: [
    { key: 'open-grid', label: () => t('grid.open'), perm: 'unit.read', href: (it) => router.page('grid', it.id) },
  ],
  units: [
    { key: 'open-grid', label: () => t('grid.open'), detailOnly: true, href: (it) => (it.building_id ? router.page('grid', it.building_id) : null) },
  ],
};
