// Per-type display and input of entity fields, shared by list, detail and form.
import { h, nextId } from './dom.js';
import { t, L } from './i18n.js';
import * as fmt from './format.js';
import { enumTag, emptyValue, tag } from './ui.js';
import { refOptions } from './meta.js';

export const NUMERIC_TYPES = new Set(['int', 'money', 'area']);
export const RANGE_TYPES = new Set(['int', 'money', 'area', 'date', 'datetime']);

export function fieldLabel(f) {
  return L(f, f.name);
}

function isEmpty(v) {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Plain-text value (for history diffs, titles, tooltips). */
export function textValue(f, v, item) {
  if (isEmpty(v)) return '';
  switch (f.type) {
    case 'money': return fmt.money(v);
    case 'area': return fmt.area(v);
    case 'date': return fmt.date(v);
    case 'datetime': return fmt.datetime(v);
    case 'int': return fmt.integer(v);
    case 'bool': return v === true || v === 'true' || v === 1 ? t('common.yes') : t('common.no');
    case 'enum': {
      const o = (f.options || []).find((x) => String(x.value) === String(v));
      return o ? L(o, String(v)) : String(v);
    }
    case 'enums': {
      const vals = Array.isArray(v) ? v : [v];
      return vals.map((x) => {
        const o = (f.options || []).find((y) => String(y.value) === String(x));
        return o ? L(o, String(x)) : String(x);
      }).join('、');
    }
    case 'ref': {
      const d = item && f.ref_label ? item[f.ref_label] : null;
      return isEmpty(d) ? `#${v}` : String(d);
    }
    case 'refs': {
      const d = item && f.ref_label ? item[f.ref_label] : null;
      if (Array.isArray(d) && d.length) return d.map(String).join('、');
      if (typeof d === 'string' && d) return d;
      return Array.isArray(v) ? v.map(String).join('、') : String(v);
    }
    case 'json': return typeof v === 'string' ? v : JSON.stringify(v);
    case 'password': return '••••••';
    default: return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** DOM for a value in a table cell or a detail grid. */
export function displayValue(f, item, { full = false } = {}) {
  const v = item ? item[f.name] : undefined;
  if (f.type === 'password') return emptyValue();
  if (isEmpty(v) && !(f.type === 'refs' && item && f.ref_label && !isEmpty(item[f.ref_label]))) {
    if (f.type === 'bool' && v === false) return document.createTextNode(t('common.no'));
    return emptyValue();
  }
  switch (f.type) {
    case 'enum':
      return enumTag(f, v);
    case 'enums':
      return h('span', { class: 'tag-list' }, (Array.isArray(v) ? v : [v]).map((x) => enumTag(f, x)));
    case 'bool':
      return document.createTextNode(textValue(f, v));
    case 'json': {
      let s;
      try { s = JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v, null, full ? 2 : 0); } catch { s = String(v); }
      return full ? h('pre', { class: 'json', text: s }) : h('code', { class: 'json-inline', text: s });
    }
    case 'refs': {
      if (!full) return document.createTextNode(textValue(f, v, item));
      if (f.ref_label && Array.isArray(item[f.ref_label])) {
        return h('div', { class: 'tag-list' }, item[f.ref_label].map((x) => tag(String(x), 'neutral')));
      }
      // Only ids / codes: show them, then their labels once the options load.
      const ids = Array.isArray(v) ? v : [v];
      const box = h('div', { class: 'tag-list' }, ids.map((x) => tag(String(x), 'neutral')));
      refOptions(f.ref).then((opts) => {
        const byValue = new Map(opts.map((o) => [String(o.value), o.label]));
        box.replaceChildren(...ids.map((x) => tag(byValue.get(String(x)) || String(x), 'neutral')));
      }, () => { /* keep the raw values */ });
      return box;
    }
    case 'textarea':
      return h('span', { class: full ? 'pre-wrap' : 'ellipsis', text: String(v) });
    default:
      return document.createTextNode(textValue(f, v, item));
  }
}

// ---- form inputs ------------------------------------------------------------

function selectOptions(select, options, value, { placeholder } = {}) {
  while (select.firstChild) select.firstChild.remove();
  select.append(h('option', { value: '', text: placeholder || t('form.select') }));
  for (const o of options) {
    select.append(h('option', { value: String(o.value), text: o.label }));
  }
  if (value !== undefined && value !== null) select.value = String(value);
}

/**
 * One form field: label above, control, error line under it.
 * Returns {el, name, field, focus(), setError(msg), clearError(), read()}.
 * read() → {value, empty, error} with the value converted to the API type.
 */
export function formField(f, { mode, item }) {
  const id = nextId(`fld-${f.name}`);
  const errId = `${id}-err`;
  const orig = item ? item[f.name] : undefined;
  const readOnly = f.type === 'json';
  const required = !!f.required && !readOnly;
  const label = h('label', { class: 'form-label', for: id },
    fieldLabel(f), required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null,
    readOnly ? h('span', { class: 'muted small', text: ` (${t('form.readonly')})` }) : null);
  const errEl = h('div', { class: 'field-error', id: errId, role: 'alert' });
  const help = [];
  let control;
  let read;
  const common = { id, name: f.name, 'aria-describedby': errId, required: required || null };

  switch (f.type) {
    case 'textarea': {
      control = h('textarea', { ...common, rows: 3, maxlength: f.maxlen || null, value: orig ?? '' });
      read = () => ({ value: control.value.trim() === '' ? null : control.value, empty: control.value.trim() === '' });
      break;
    }
    case 'int': {
      control = h('input', { ...common, type: 'text', inputmode: 'numeric', autocomplete: 'off', value: orig ?? '' });
      read = () => {
        const s = control.value.trim().replace(/[,，]/g, '');
        if (s === '') return { value: null, empty: true };
        if (!/^-?\d+$/.test(s)) return { error: t('form.bad_int') };
        const b = BigInt(s);
        try { return { value: fmt.bigToNumber(b) }; } catch { return { error: t('form.bad_int') }; }
      };
      break;
    }
    case 'money':
    case 'area': {
      const unit = f.type === 'money' ? '¥' : 'm²';
      const inp = h('input', { ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off', value: isEmpty(orig) ? '' : fmt.hundredthsToInput(orig) });
      read = () => {
        const s = inp.value.trim();
        if (s === '') return { value: null, empty: true };
        const b = fmt.parseHundredths(s);
        const bad = t(f.type === 'money' ? 'form.bad_money' : 'form.bad_area');
        if (b === null) return { error: bad };
        try { return { value: fmt.bigToNumber(b) }; } catch { return { error: bad }; }
      };
      control = h('div', { class: ['input-affix', f.type === 'money' ? 'prefix' : 'suffix'] },
        f.type === 'money' ? h('span', { class: 'affix', text: unit }) : null, inp,
        f.type === 'area' ? h('span', { class: 'affix', text: unit }) : null);
      break;
    }
    case 'date': {
      control = h('input', { ...common, type: 'date', value: orig ? fmt.date(orig) : '' });
      read = () => {
        const s = control.value;
        if (!s) return { value: null, empty: true };
        return fmt.isValidDate(s) ? { value: s } : { error: t('form.bad_date') };
      };
      break;
    }
    case 'datetime': {
      control = h('input', { ...common, type: 'datetime-local', value: orig ? fmt.datetimeToInput(orig) : '' });
      read = () => {
        const s = control.value;
        if (!s) return { value: null, empty: true };
        const v = fmt.inputToDatetime(s);
        return v ? { value: v } : { error: t('form.bad_datetime') };
      };
      break;
    }
    case 'bool': {
      const cb = h('input', { ...common, type: 'checkbox', checked: orig === true || orig === 1 || orig === 'true' });
      control = h('label', { class: 'check bool-check' }, cb, h('span', { text: t('common.yes') }));
      // Unchecked is false; on edit an untouched null stays null (no change).
      read = () => {
        if (cb.checked) return { value: true };
        return { value: mode === 'update' && (orig === null || orig === undefined) ? null : false };
      };
      break;
    }
    case 'enum': {
      control = h('select', { ...common });
      selectOptions(control, (f.options || []).map((o) => ({ value: o.value, label: L(o, String(o.value)) })), orig);
      read = () => (control.value === '' ? { value: null, empty: true } : { value: control.value });
      break;
    }
    case 'ref': {
      const sel = h('select', { ...common, disabled: true });
      selectOptions(sel, [], null, { placeholder: t('common.loading') });
      let options = [];
      refOptions(f.ref).then((opts) => {
        options = opts;
        const keep = sel.dataset.userValue !== undefined ? sel.dataset.userValue : orig;
        selectOptions(sel, opts, keep, { placeholder: opts.length ? t('form.select') : t('form.no_options') });
        // Current value not in the first 200 options: keep it selectable.
        if (!isEmpty(orig) && !opts.some((o) => String(o.value) === String(orig))) {
          sel.append(h('option', { value: String(orig), text: textValue(f, orig, item) }));
          if (keep === orig) sel.value = String(orig);
        }
        sel.disabled = false;
      }, () => {
        selectOptions(sel, [], null, { placeholder: t('form.options_error') });
        if (!isEmpty(orig)) {
          sel.append(h('option', { value: String(orig), text: textValue(f, orig, item) }));
          sel.value = String(orig);
        }
        sel.disabled = false;
      });
      sel.addEventListener('change', () => { sel.dataset.userValue = sel.value; });
      control = sel;
      read = () => {
        if (sel.value === '') return { value: null, empty: true };
        const n = Number(sel.value);
        const opt = options.find((o) => String(o.value) === sel.value);
        return { value: opt ? opt.value : (Number.isInteger(n) ? n : sel.value) };
      };
      break;
    }
    case 'refs': {
      const box = h('div', { class: 'checks', id, role: 'group', 'aria-describedby': errId }, h('span', { class: 'muted', text: t('common.loading') }));
      const chosen = new Set((Array.isArray(orig) ? orig : []).map(String));
      let options = [];
      refOptions(f.ref).then((opts) => {
        options = opts;
        box.textContent = '';
        if (!opts.length) box.append(h('span', { class: 'muted', text: t('form.no_options') }));
        let group = null;
        let groupBox = box;
        for (const o of opts) {
          if (o.group && o.group !== group) {
            group = o.group;
            groupBox = h('div', { class: 'check-group-items' });
            box.append(h('div', { class: 'check-group' }, h('div', { class: 'check-group-title', text: o.group }), groupBox));
          }
          const cb = h('input', { type: 'checkbox', value: String(o.value), checked: chosen.has(String(o.value)), name: f.name });
          cb.addEventListener('change', () => (cb.checked ? chosen.add(cb.value) : chosen.delete(cb.value)));
          groupBox.append(h('label', { class: 'check' }, cb, h('span', { text: o.label })));
        }
      }, () => {
        box.textContent = t('form.options_error');
      });
      control = box;
      read = () => {
        const vals = options.filter((o) => chosen.has(String(o.value))).map((o) => o.value);
        // Keep chosen values whose option did not load.
        for (const c of chosen) if (!options.some((o) => String(o.value) === c)) vals.push(Number.isInteger(Number(c)) ? Number(c) : c);
        return { value: vals, empty: vals.length === 0 };
      };
      break;
    }
    case 'enums': {
      const chosen = new Set((Array.isArray(orig) ? orig : []).map(String));
      const opts = f.options || [];
      control = h('div', { class: 'checks', id, role: 'group', 'aria-describedby': errId },
        opts.map((o) => {
          const cb = h('input', { type: 'checkbox', value: String(o.value), checked: chosen.has(String(o.value)), name: f.name });
          cb.addEventListener('change', () => (cb.checked ? chosen.add(cb.value) : chosen.delete(cb.value)));
          return h('label', { class: 'check' }, cb, h('span', { text: L(o, String(o.value)) }));
        }));
      read = () => {
        const vals = opts.map((o) => String(o.value)).filter((v) => chosen.has(v));
        return { value: vals, empty: vals.length === 0 };
      };
      break;
    }
    case 'json': {
      let s = '';
      try { s = isEmpty(orig) ? '' : JSON.stringify(typeof orig === 'string' ? JSON.parse(orig) : orig, null, 2); } catch { s = String(orig); }
      control = h('pre', { class: 'json readonly', id, text: s || t('common.none') });
      read = () => ({ skip: true });
      break;
    }
    case 'password': {
      control = h('input', { ...common, type: 'password', autocomplete: 'new-password', maxlength: f.maxlen || null });
      read = () => (control.value === '' ? { value: null, empty: true } : { value: control.value });
      break;
    }
    default: {
      const masked = mode === 'update' && f.masked;
      control = h('input', {
        ...common, type: 'text', autocomplete: 'off', maxlength: f.maxlen || null,
        value: masked ? '' : (orig ?? ''), placeholder: masked && !isEmpty(orig) ? String(orig) : null,
      });
      if (masked && !isEmpty(orig)) help.push(h('div', { class: 'field-help', text: t('form.masked_hint') }));
      read = () => {
        const s = control.value.trim();
        if (s === '') return { value: null, empty: true, keep: masked };
        return { value: s };
      };
    }
  }

  const wide = ['textarea', 'refs', 'enums', 'json'].includes(f.type);
  const el = h('div', { class: ['form-item', wide && 'wide'], dataset: { field: f.name } }, label, control, help, errEl);
  const focusTarget = () => el.querySelector('input, select, textarea') || control;

  return {
    el,
    name: f.name,
    field: f,
    focus() {
      const x = focusTarget();
      if (x && x.focus) x.focus();
      el.scrollIntoView({ block: 'nearest' });
    },
    setError(msg) {
      errEl.textContent = msg;
      el.classList.add('has-error');
      const x = focusTarget();
      if (x) x.setAttribute('aria-invalid', 'true');
    },
    clearError() {
      errEl.textContent = '';
      el.classList.remove('has-error');
      const x = focusTarget();
      if (x) x.removeAttribute('aria-invalid');
    },
    read,
    original: orig,
  };
}
