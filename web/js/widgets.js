// Form pieces shared by the contract, loan and collection screens: labelled
// inputs that read themselves into API values, a dialog that puts the API's
// error under the field it names, the customer picker (the phone-call search)
// and the buyers-with-shares editor.
import { h, nextId, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { modal, tag } from './ui.js';

/**
 * One labelled input. spec: {name, api?, label, type, required, value,
 * options: [{value, label}], help, placeholder, prefix, suffix, wide, parse(s)}
 * Types: text, textarea, date, money (yuan → fen), int, rate (decimal text),
 * select, seg (segmented buttons), element (spec.el, spec.read()).
 * Returns {spec, el, input, read() → {value} | {empty} | {error}, setError, focus}.
 */
export function inputField(spec) {
  const id = nextId(`w-${spec.name}`);
  const errId = `${id}-err`;
  const err = h('div', { class: 'field-error', id: errId, role: 'alert' });
  const common = { id, name: spec.name, 'aria-describedby': errId, required: spec.required || null };
  let input;
  let control;
  let readRaw;
  switch (spec.type) {
    case 'textarea':
      input = h('textarea', { ...common, rows: spec.rows || 3, maxlength: spec.maxlen || 1000, placeholder: spec.placeholder || null, value: spec.value ?? '' });
      break;
    case 'date':
      input = h('input', { ...common, type: 'date', value: spec.value ?? '' });
      break;
    case 'select':
      input = h('select', common,
        spec.placeholder !== false ? h('option', { value: '', text: spec.placeholder || t('form.select') }) : null,
        (spec.options || []).map((o) => h('option', { value: String(o.value), text: o.label })));
      if (spec.value !== undefined && spec.value !== null) input.value = String(spec.value);
      break;
    case 'seg': {
      let cur = spec.value ?? (spec.options[0] && spec.options[0].value);
      const btns = spec.options.map((o) => h('button', {
        type: 'button', class: ['seg-btn', String(o.value) === String(cur) && 'active'], 'aria-pressed': String(String(o.value) === String(cur)),
        text: o.label, dataset: { value: o.value },
        onclick: () => {
          cur = o.value;
          btns.forEach((b) => { const on = b.dataset.value === String(cur); b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); });
          if (spec.onChange) spec.onChange(cur);
        },
      }));
      input = h('div', { class: 'seg form-seg', id, role: 'group', 'aria-label': spec.label, dataset: { name: spec.name } }, btns);
      readRaw = () => cur;
      input.setValue = (v) => { const b = btns.find((x) => x.dataset.value === String(v)); if (b) b.click(); };
      break;
    }
    case 'element':
      input = spec.el;
      readRaw = spec.read;
      break;
    default:
      input = h('input', {
        ...common, type: 'text', autocomplete: 'off', value: spec.value ?? '', placeholder: spec.placeholder || null,
        inputmode: spec.type === 'money' || spec.type === 'rate' ? 'decimal' : spec.type === 'int' ? 'numeric' : null,
        maxlength: spec.maxlen || null,
      });
  }
  if (spec.onInput && input.addEventListener) input.addEventListener('input', spec.onInput);
  control = input;
  if (spec.prefix || spec.suffix) {
    control = h('div', { class: ['input-affix', spec.prefix ? 'prefix' : 'suffix'] },
      spec.prefix ? h('span', { class: 'affix', text: spec.prefix }) : null, input,
      spec.suffix ? h('span', { class: 'affix', text: spec.suffix }) : null);
  }
  const label = h('label', { class: 'form-label', for: spec.type === 'seg' || spec.type === 'element' ? null : id },
    spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null);
  const help = spec.help ? h('div', { class: 'field-help', text: spec.help }) : null;
  const el = h('div', { class: ['form-item', spec.wide && 'wide', spec.class], dataset: { field: spec.api || spec.name } }, label, control, help, err);
  // Typing again takes the old error away.
  const clear = () => { if (el.classList.contains('has-error')) me.setError(''); };
  el.addEventListener('input', clear);
  el.addEventListener('change', clear);
  const me = {
    spec, el, input, help,
    setError(msg) {
      err.textContent = msg || '';
      el.classList.toggle('has-error', !!msg);
      if (input.setAttribute) { if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid'); }
    },
    focus() {
      const x = el.querySelector('input, select, textarea, button') || input;
      if (x && x.focus) x.focus();
    },
    read() {
      const raw = readRaw ? readRaw() : input.value;
      if (spec.type === 'element') return raw;
      const s = typeof raw === 'string' ? raw.trim() : raw;
      if (s === '' || s === null || s === undefined) return spec.required ? { error: t('form.required', { label: spec.label }) } : { empty: true };
      if (spec.parse) return spec.parse(s);
      switch (spec.type) {
        case 'money': {
          const v = fmt.parseYuan(s);
          return v === null ? { error: t('form.bad_money') } : { value: v };
        }
        case 'int':
          return /^\d{1,9}$/.test(s) ? { value: Number(s) } : { error: t('form.bad_int') };
        case 'rate':
          return /^\d{1,3}(\.\d{1,4})?$/.test(s) ? { value: s } : { error: t('w.bad_rate') };
        case 'date':
          return fmt.isValidDate(s) ? { value: s } : { error: t('form.bad_date') };
        default:
          return { value: s };
      }
    },
  };
  return me;
}

/** Read a set of inputFields: {values, bad} (bad: the first field in error). */
export function readFields(fields) {
  const values = {};
  let bad = null;
  for (const f of fields) {
    f.setError('');
    if (f.el.hidden || f.skip) continue;
    const r = f.read();
    if (r.error) { f.setError(r.error); bad = bad || f; continue; }
    if (r.empty) continue;
    values[f.spec.api || f.spec.name] = r.value;
  }
  return { values, bad };
}

/** Put an API error under its field; false when no field takes it. */
export function showApiError(fields, e) {
  if (!e || !e.field) return false;
  const f = fields.find((x) => !x.el.hidden && (x.spec.api === e.field || x.spec.name === e.field
    || (x.spec.fields && x.spec.fields.includes(e.field))));
  if (!f) return false;
  f.setError(e.message);
  f.focus();
  return true;
}

/**
 * A dialog of inputFields. submit(values) does the request; an ApiError with
 * a field goes under that field, anything else into the banner; the typed
 * input stays. extra: nodes put above the fields (facts, warnings).
 */
export function fieldsDialog({ title, okText, intro, extra, fields, submit, danger, width, className, grid = false }) {
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const body = h('div', { class: 'fields-dialog' },
    intro ? h('p', { class: 'muted', text: intro }) : null, extra || null, banner,
    h('div', { class: grid ? 'form-grid dialog-grid' : 'dialog-fields' }, fields.map((f) => f.el)));
  return modal({
    title, okText, danger, width, className, body,
    onOk: async () => {
      banner.hidden = true;
      const { values, bad } = readFields(fields);
      if (bad) { bad.focus(); return false; }
      try {
        await submit(values, { banner });
        return true;
      } catch (e) {
        if (!showApiError(fields, e)) {
          banner.textContent = e.message || String(e);
          banner.hidden = false;
        }
        return false;
      }
    },
  });
}

// ---- customer picker ----------------------------------------------------------

/**
 * The phone-call search as a picker: type a name, initials, the last four
 * digits of a phone or an ID number; pick a customer. onPick({id, name, phone, id_number}).
 */
export function customerPicker({ onPick, placeholder, id }) {
  const inputId = id || nextId('cust-pick');
  const listId = `${inputId}-list`;
  const input = h('input', {
    id: inputId, type: 'search', autocomplete: 'off', spellcheck: 'false', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    placeholder: placeholder || t('w.cust_ph'), dataset: { picker: 'customer' },
  });
  const list = h('div', { class: 'picker-list', id: listId, role: 'listbox', hidden: true });
  const box = h('div', { class: 'picker' }, input, list);
  let timer = null;
  let seq = 0;
  let hits = [];
  let active = -1;
  const open = (on) => {
    list.hidden = !on;
    input.setAttribute('aria-expanded', String(on));
  };
  const setActive = (i) => {
    if (!hits.length) { active = -1; return; }
    active = (i + hits.length) % hits.length;
    hits.forEach((x, k) => x.el.classList.toggle('active', k === active));
    hits[active].el.scrollIntoView({ block: 'nearest' });
  };
  const pick = (i) => {
    const hit = hits[i];
    if (!hit) return;
    open(false);
    input.value = '';
    hits = [];
    onPick(hit.c);
  };
  async function run(q) {
    const mine = ++seq;
    box.classList.add('busy');
    try {
      const r = await api.get('search', { q, limit: 10 });
      if (mine !== seq) return;
      const cs = ((r && r.customers) || []).filter((c) => !c.status || c.status === 'active');
      hits = cs.map((c, i) => {
        const el = h('div', { class: 'picker-item', role: 'option', dataset: { id: c.id } },
          h('span', { class: 'picker-name', text: c.name || `#${c.id}` }),
          c.kind === 'company' ? tag(t('search.company'), 'neutral') : null,
          h('span', { class: 'picker-sub mono', text: [c.phone, c.id_number].filter(Boolean).join('  ') }),
          c.unit_summary ? h('span', { class: 'picker-sub muted', text: c.unit_summary }) : null);
        el.addEventListener('mousedown', (e) => e.preventDefault());
        el.addEventListener('click', () => pick(i));
        return { c, el };
      });
      replace(list, hits.length ? hits.map((x) => x.el) : h('div', { class: 'picker-empty muted', text: t('w.cust_none', { q }) }));
      open(true);
      setActive(0);
    } catch (e) {
      if (mine !== seq) return;
      hits = [];
      replace(list, h('div', { class: 'picker-empty error-text', text: e.message }));
      open(true);
    } finally {
      if (mine === seq) box.classList.remove('busy');
    }
  }
  input.addEventListener('input', (e) => {
    if (e.isComposing) return;
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { seq++; open(false); return; }
    timer = setTimeout(() => run(q), 180);
  });
  input.addEventListener('compositionend', () => input.dispatchEvent(new Event('input')));
  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (!list.hidden && hits.length) pick(active >= 0 ? active : 0);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      e.stopPropagation();
      open(false);
    }
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 150));
  return { el: box, input };
}

// ---- buyers with shares ----------------------------------------------------------

/**
 * Buyers [{customer_id, name, share_bp}] with a picker to add more and a
 * share (%) per buyer; shares are split evenly until someone types one.
 * read() → {value: [{customer_id, share_bp}]} or {error}.
 */
export function buyersEditor({ initial = [], id } = {}) {
  const rows = [];
  let typed = false;
  const tbody = h('tbody');
  const sumEl = h('span', { class: 'buyers-sum' });
  const empty = h('div', { class: 'buyers-empty muted', text: t('w.buyers_empty') });
  const table = h('table', { class: 'items-table buyers-table' },
    h('thead', null, h('tr', null,
      h('th', { class: 'items-no', text: '#' }),
      h('th', { text: t('w.buyer') }),
      h('th', { text: t('w.buyer_contact') }),
      h('th', { class: 'col-share', text: t('w.share') }),
      h('th', { class: 'items-ops', 'aria-label': t('common.close') }))),
    tbody,
    h('tfoot', null, h('tr', null, h('td', { colspan: 3, class: 'items-total-label', text: t('w.share_total') }), h('td', { class: 'num' }, sumEl), h('td'))));
  const picker = customerPicker({
    id,
    onPick: (c) => {
      if (rows.some((r) => String(r.c.id) === String(c.id))) return;
      add(c, null);
    },
  });
  const el = h('div', { class: 'buyers-editor' }, table, empty, h('div', { class: 'buyers-add' },
    h('span', { class: 'muted small', text: t('w.add_buyer') }), picker.el));

  function split() {
    if (typed || !rows.length) return;
    const n = rows.length;
    const base = Math.floor(10000 / n);
    rows.forEach((r, i) => { r.share.value = fmt.bpPercent(i === 0 ? 10000 - base * (n - 1) : base).replace(/\.00%$/, '').replace('%', ''); });
  }
  function total() {
    let sum = 0;
    let ok = true;
    for (const r of rows) {
      const bp = fmt.parsePercentBp(r.share.value);
      if (bp === null || bp === 0) ok = false; else sum += bp;
    }
    return { sum, ok };
  }
  function paint() {
    rows.forEach((r, i) => { r.no.textContent = String(i + 1); });
    table.hidden = !rows.length;
    empty.hidden = rows.length > 0;
    const { sum, ok } = total();
    sumEl.textContent = fmt.bpPercent(sum);
    sumEl.classList.toggle('bad', !ok || sum !== 10000);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
  function add(c, shareBp) {
    const share = h('input', { type: 'text', inputmode: 'decimal', class: 'share-input', 'aria-label': `${c.name} ${t('w.share')}`, autocomplete: 'off' });
    if (shareBp !== null && shareBp !== undefined) { share.value = fmt.bpPercent(shareBp).replace(/\.00%$/, '').replace('%', ''); typed = true; }
    share.addEventListener('input', () => { typed = true; paint(); });
    const no = h('td', { class: 'items-no' });
    const r = { c, share, no };
    const tr = h('tr', { dataset: { customer: c.id } }, no,
      h('td', null, h('span', { class: 'buyer-name', text: c.name || `#${c.id}` }), c.kind === 'company' ? tag(t('search.company'), 'neutral') : null),
      h('td', { class: 'mono small', text: [c.phone, c.id_number].filter(Boolean).join('  ') }),
      h('td', { class: 'col-share' }, h('div', { class: 'input-affix suffix' }, share, h('span', { class: 'affix', text: '%' }))),
      h('td', { class: 'items-ops' }, h('button', {
        type: 'button', class: 'icon-btn items-remove', 'aria-label': t('w.remove_buyer', { name: c.name || '' }), text: '×',
        onclick: () => {
          rows.splice(rows.indexOf(r), 1);
          tr.remove();
          split();
          paint();
        },
      })));
    r.tr = tr;
    rows.push(r);
    tbody.append(tr);
    split();
    paint();
  }
  for (const b of initial) add({ id: b.customer_id, name: b.name, phone: b.phone, id_number: b.id_number, kind: b.kind }, b.share_bp ?? null);
  if (!initial.length) paint();
  return {
    el,
    input: picker.input,
    read() {
      if (!rows.length) return { error: t('w.buyers_need') };
      const out = [];
      for (const r of rows) {
        const bp = fmt.parsePercentBp(r.share.value);
        if (bp === null || bp === 0) return { error: t('w.share_bad', { name: r.c.name || '' }) };
        out.push({ customer_id: Number(r.c.id), share_bp: bp });
      }
      const sum = out.reduce((a, b) => a + b.share_bp, 0);
      if (sum !== 10000) return { error: t('w.share_sum', { sum: fmt.bpPercent(sum) }) };
      return { value: out };
    },
  };
}

/** A fact for header strips: label and value side by side. */
export function headFact(label, value, key) {
  return h('div', { class: 'head-fact', dataset: { fact: key } }, h('span', { class: 'head-fact-label', text: label }),
    h('span', { class: 'head-fact-value' }, value instanceof Node ? value : String(value ?? '')));
}

/** A description-grid item. */
export function descItem(label, value, key, wide) {
  return h('div', { class: ['desc-item', wide && 'wide'], dataset: { field: key } },
    h('dt', { text: label }), h('dd', null, value instanceof Node ? value : (value === null || value === undefined || value === '' ? h('span', { class: 'muted', text: t('common.none') }) : String(value))));
}

/** Days left until a deadline as a coloured tag: negative red, ≤ 7 orange. */
export function daysLeftTag(days) {
  const n = Number(days);
  if (!Number.isFinite(n)) return null;
  if (n < 0) return tag(t('w.days_over', { n: -n }), 'red');
  if (n === 0) return tag(t('w.days_today'), 'orange');
  return tag(t('w.days_left', { n }), n <= 7 ? 'orange' : 'blue');
}
