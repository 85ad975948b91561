// Login page.
import { h, replace } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import * as api from './api.js';
import { setBusy } from './ui.js';

export function renderLogin(root, { onLoggedIn, notice } = {}) {
  document.title = `${t('login.title')} - ${t('app.name')}`;
  const user = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = h('div', { class: 'login-error', role: 'alert', id: 'login-error', hidden: !notice, text: notice || '' });
  const btn = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('login.submit') });
  const langBtn = h('button', {
    class: 'btn btn-link lang-switch', type: 'button', dataset: { action: 'lang' },
    text: getLang() === 'en' ? t('lang.zh') : t('lang.en'),
    onclick: () => setLang(getLang() === 'en' ? 'zh' : 'en'),
  });
  const form = h('form', { class: 'login-card', novalidate: true },
    h('div', { class: 'login-brand' },
      h('div', { class: 'brand-mark', 'aria-hidden': 'true', text: '安' }),
      h('div', null, h('div', { class: 'brand-name', text: t('app.name') }), h('div', { class: 'brand-sub', text: t('app.subtitle') }))),
    h('h1', { class: 'login-title', text: t('login.title') }),
    err,
    h('div', { class: 'form-item' }, h('label', { class: 'form-label', for: 'login-username', text: t('login.username') }), user),
    h('div', { class: 'form-item' }, h('label', { class: 'form-label', for: 'login-password', text: t('login.password') }), pass),
    btn,
    h('div', { class: 'login-foot' }, h('span', { class: 'muted small', text: t('login.footer') }), langBtn));

  function showError(msg) {
    err.textContent = msg;
    err.hidden = !msg;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (btn.disabled) return;
    const username = user.value.trim();
    if (!username) {
      showError(t('login.need_username'));
      user.focus();
      return;
    }
    if (!pass.value) {
      showError(t('login.need_password'));
      pass.focus();
      return;
    }
    showError('');
    setBusy(btn, true, t('login.busy'));
    try {
      const r = await api.post('login', { username, password: pass.value }, { skipAuthRedirect: true });
      await onLoggedIn(r);
    } catch (ex) {
      setBusy(btn, false);
      showError(ex.message);
      pass.select();
      pass.focus();
    }
  });

  replace(root, h('div', { class: 'login-page' }, form));
  user.focus();
}
