// Masked personal data with an explicit "查看完整" for roles that may see it.
// Every reveal is a logged read on the server: the tooltip says so.
import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { toast, emptyValue } from './ui.js';

/**
 * The masked value, plus a 查看完整 button when `canReveal`.
 * path: the entity's API path (/api/v1/customers); field: id_number, phone …
 */
export function maskedValue(value, { path, id, field, canReveal, label, onRevealed }) {
  if (value === null || value === undefined || value === '') return emptyValue();
  const masked = String(value);
  const text = h('span', { class: 'pii-value', text: masked, dataset: { field } });
  const box = h('span', { class: 'pii', dataset: { field } }, text);
  if (!canReveal) return box;
  const tip = t('reveal.tip');
  const btn = h('button', {
    type: 'button', class: 'btn-reveal', title: tip, 'aria-label': label ? `${t('reveal.show')} ${label}（${t('reveal.logged')}）` : tip,
    dataset: { reveal: field }, text: t('reveal.show'),
  });
  const hide = h('button', {
    type: 'button', class: 'btn-reveal', text: t('reveal.hide'), dataset: { hide: field }, hidden: true,
  });
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const r = await api.get(`${path}/${encodeURIComponent(id)}/reveal`, { field });
      text.textContent = r && r.value !== undefined && r.value !== null ? String(r.value) : masked;
      box.classList.add('revealed');
      text.title = t('reveal.logged');
      btn.hidden = true;
      hide.hidden = false;
      if (onRevealed) onRevealed(field);
    } catch (err) {
      toast(err.message, 'error', 5000);
      if (err.status === 403) btn.remove();
    } finally {
      btn.disabled = false;
    }
  });
  hide.addEventListener('click', () => {
    text.textContent = masked;
    text.removeAttribute('title');
    box.classList.remove('revealed');
    hide.hidden = true;
    btn.hidden = false;
    btn.focus();
  });
  box.append(btn, hide);
  return box;
}
