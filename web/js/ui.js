// Small shared widgets: tags, toasts, modals, dropdowns, empty/error states.
import { h, clear } from './dom.js';
import { t, L } from './i18n.js';

// Colours by meaning. Metadata may put `color` on an enum option (either these
// names or Ant Design's status words); without it a handful of universal state
// values get their conventional colour and everything else stays neutral.
const COLOR_ALIASES = {
  grey: 'grey', gray: 'grey', default: 'grey', neutral: 'neutral',
  blue: 'blue', processing: 'blue', info: 'blue',
  orange: 'orange', warning: 'orange', gold: 'orange',
  red: 'red', error: 'red', danger: 'red',
  green: 'green', success: 'green',
};
const STATE_COLORS = {
  new: 'grey', draft: 'grey', disabled: 'grey', inactive: 'grey', cancelled: 'grey', canceled: 'grey',
  in_progress: 'blue', processing: 'blue', open: 'blue',
  pending: 'orange', waiting: 'orange',
  overdue: 'red', refused: 'red', rejected: 'red', locked: 'red',
  done: 'green', active: 'green', closed: 'green', completed: 'green', approved: 'green',
};

export function tagColor(option) {
  if (option && option.color) return COLOR_ALIASES[String(option.color).toLowerCase()] || 'neutral';
  const v = option && option.value !== undefined ? String(option.value) : '';
  return STATE_COLORS[v] || 'neutral';
}

export function tag(text, color = 'neutral') {
  return h('span', { class: `tag tag-${color}`, text });
}

export function enumTag(field, value) {
  if (value === null || value === undefined || value === '') return emptyValue();
  const opt = (field.options || []).find((o) => String(o.value) === String(value));
  return tag(opt ? L(opt, String(value)) : String(value), tagColor(opt || { value }));
}

export function emptyValue() {
  return h('span', { class: 'muted', text: t('common.none') });
}

// ---- toasts ---------------------------------------------------------------
let toastBox = null;
export function toast(message, kind = 'info', ms = 3000) {
  if (!toastBox || !toastBox.isConnected) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const el = h('div', { class: `toast toast-${kind}` }, h('span', { class: 'toast-icon', 'aria-hidden': 'true' }), message);
  toastBox.append(el);
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 300);
  }, ms);
}

// ---- modal ----------------------------------------------------------------
/**
 * modal({title, body, okText, onOk}) — onOk() may throw/return false to keep
 * it open (e.g. to show a field error); resolves true when confirmed.
 * footer: false leaves out the buttons (a picker that closes itself);
 * onMount(close) gets the function that closes it (close(value) resolves).
 */
export function modal({ title, body, okText, cancelText, onOk, danger = false, width, footer = true, onMount, className }) {
  return new Promise((resolve) => {
    const prevFocus = document.activeElement;
    const okBtn = h('button', { class: ['btn', danger ? 'btn-danger' : 'btn-primary'], type: 'submit', text: okText || t('common.ok') });
    const cancelBtn = h('button', { class: 'btn', type: 'button', text: cancelText || t('common.cancel') });
    const form = h('form', { class: ['modal', className], role: 'dialog', 'aria-modal': 'true', 'aria-label': title, style: width ? { width } : null, novalidate: true },
      h('div', { class: 'modal-head' }, h('h2', { text: title }),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('common.close'), text: '×', onclick: () => close(false) })),
      h('div', { class: 'modal-body' }, body),
      footer ? h('div', { class: 'modal-foot' }, cancelBtn, okBtn) : null);
    const mask = h('div', { class: 'modal-mask' }, form);
    function close(result) {
      if (!mask.isConnected) return;
      mask.remove();
      document.removeEventListener('keydown', onKey, true);
      if (prevFocus && prevFocus.focus) prevFocus.focus();
      resolve(result);
    }
    function onKey(e) {
      if (e.key === 'Escape') {
        // An open picker inside the dialog closes first (its own handler).
        if (form.contains(e.target) && e.target.getAttribute && e.target.getAttribute('aria-expanded') === 'true') return;
        e.preventDefault();
        close(false);
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && footer && form.contains(e.target)) {
        // Ctrl+Enter confirms, also from a textarea (a comment, a reason).
        e.preventDefault();
        form.requestSubmit(okBtn);
      }
    }
    cancelBtn.addEventListener('click', () => close(false));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (okBtn.disabled) return;
      if (!onOk) {
        close(true);
        return;
      }
      okBtn.disabled = true;
      try {
        const r = await onOk();
        if (r !== false) close(true);
      } finally {
        okBtn.disabled = false;
      }
    });
    document.addEventListener('keydown', onKey, true);
    document.body.append(mask);
    if (onMount) onMount(close);
    const first = form.querySelector('input, select, textarea') || (footer ? okBtn : form.querySelector('button:not(.icon-btn)')) || okBtn;
    if (first && first.isConnected) first.focus();
  });
}

export function confirmDialog(message, okText) {
  return modal({ title: t('common.ok'), body: h('p', { text: message }), okText });
}

// ---- dropdown -------------------------------------------------------------
/** Attach a dropdown panel to a trigger button; closes on outside click / Esc. */
export function dropdown(trigger, panel, { align = 'left' } = {}) {
  const wrap = h('div', { class: 'dropdown' }, trigger, panel);
  panel.classList.add('dropdown-panel', `align-${align}`);
  panel.hidden = true;
  trigger.setAttribute('aria-haspopup', 'true');
  trigger.setAttribute('aria-expanded', 'false');
  function set(open) {
    panel.hidden = !open;
    trigger.setAttribute('aria-expanded', String(open));
    if (open) {
      document.addEventListener('mousedown', outside, true);
      document.addEventListener('keydown', esc, true);
    } else {
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('keydown', esc, true);
    }
  }
  function outside(e) {
    if (!wrap.contains(e.target)) set(false);
  }
  function esc(e) {
    if (e.key === 'Escape') {
      set(false);
      trigger.focus();
    }
  }
  trigger.addEventListener('click', () => set(panel.hidden));
  wrap.closeDropdown = () => set(false);
  return wrap;
}

// ---- states ---------------------------------------------------------------
export function loading() {
  return h('div', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('common.loading'));
}

export function errorState(err, retry) {
  const status = err && err.status;
  const msg = (err && err.message) || t('err.server', { status: status || '' });
  return h('div', { class: 'state-box error-state', role: 'alert' },
    h('div', { class: 'state-title', text: status === 403 ? t('err.forbidden') : t('err.title') }),
    status === 403 ? null : h('div', { class: 'state-msg', text: msg }),
    retry ? h('button', { class: 'btn', type: 'button', text: t('common.retry'), onclick: retry }) : null);
}

export function setBusy(btn, busy, busyText) {
  if (busy) {
    btn.dataset.text = btn.textContent;
    btn.disabled = true;
    if (busyText) btn.textContent = busyText;
  } else {
    btn.disabled = false;
    if (btn.dataset.text) btn.textContent = btn.dataset.text;
  }
}

export { clear };
