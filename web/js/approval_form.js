// New approval request (#/approval/new/{code}) and resubmitting a returned
// one (#/approval/{id}/resubmit): the form is rendered from the template's
// form JSON, the route preview sits beside it (conditional steps marked and
// evaluated as you type). Money is typed in yuan and sent as integer fen;
// errors appear under the field or the table cell the API names
// (`lines[0].amount`); typed input is never lost; Ctrl+Enter submits.
import { h, replace, nextId, append } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { session, displayName, can } from './session.js';
import { loading, errorState, toast, setBusy, tag } from './ui.js';
import { refreshCounts } from './notify.js';
import {
  templateByCode, formFields, approverText, conditionText, conditionHolds, usersList, userOptionLabel,
  registerItems, projectsOfUser, categoryLabel,
} from './approval_common.js';

// ---- scalar inputs (fields and table cells) ------------------------------------

function isBlank(s) {
  return s === null || s === undefined || String(s).trim() === '';
}

function requiredMsg(label) {
  return t('appr.required', { label });
}

/**
 * One input for a scalar type. read(errs, path, label) → the API value, or
 * undefined when empty (required → an error pushed to errs).
 */
function scalarControl(def, value, { id, cell = false } = {}) {
  const type = def.type;
  const common = { id, name: def.name, autocomplete: 'off' };
  let control;
  let input;
  let readRaw; // → {empty} | {value} | {error}
  switch (type) {
    case 'textarea': {
      input = cell
        ? h('input', { ...common, type: 'text', maxlength: def.maxlen || null, value: value ?? '' })
        : h('textarea', { ...common, rows: 3, maxlength: def.maxlen || null, value: value ?? '' });
      readRaw = () => (isBlank(input.value) ? { empty: true } : { value: input.value.trim() });
      break;
    }
    case 'int': {
      input = h('input', { ...common, type: 'text', inputmode: 'numeric', value: value ?? '' });
      readRaw = () => {
        const s = input.value.trim().replace(/[,，]/g, '');
        if (s === '') return { empty: true };
        if (!/^-?\d+$/.test(s)) return { error: t('form.bad_int') };
        try { return { value: fmt.bigToNumber(BigInt(s)) }; } catch { return { error: t('form.bad_int') }; }
      };
      break;
    }
    case 'money': {
      input = h('input', {
        ...common, type: 'text', inputmode: 'decimal', placeholder: cell ? '0.00' : null,
        value: value === null || value === undefined || value === '' ? '' : fmt.hundredthsToInput(value),
      });
      readRaw = () => {
        const s = input.value.trim();
        if (s === '') return { empty: true };
        const b = fmt.parseHundredths(s);
        if (b === null || b < 0n) return { error: t('form.bad_money') };
        try { return { value: fmt.bigToNumber(b) }; } catch { return { error: t('form.bad_money') }; }
      };
      control = h('div', { class: 'input-affix prefix' }, h('span', { class: 'affix', text: '¥' }), input);
      break;
    }
    case 'date': {
      input = h('input', { ...common, type: 'date', value: value ?? '' });
      readRaw = () => {
        if (!input.value) return input.validity && input.validity.badInput ? { error: t('form.bad_date') } : { empty: true };
        return fmt.isValidDate(input.value) ? { value: input.value } : { error: t('form.bad_date') };
      };
      break;
    }
    case 'datetime': {
      // The form's datetime is Shanghai wall time "YYYY-MM-DD HH:MM".
      const v = typeof value === 'string' ? value.replace(' ', 'T').slice(0, 16) : '';
      input = h('input', { ...common, type: 'datetime-local', value: v });
      readRaw = () => {
        const s = input.value;
        if (!s) return input.validity && input.validity.badInput ? { error: t('form.bad_datetime') } : { empty: true };
        const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
        return m ? { value: `${m[1]} ${m[2]}` } : { error: t('form.bad_datetime') };
      };
      break;
    }
    case 'enum': {
      input = h('select', { ...common },
        h('option', { value: '', text: t('form.select') }),
        (def.options || []).map((o) => h('option', { value: String(o), text: String(o) })));
      if (value !== null && value !== undefined) input.value = String(value);
      readRaw = () => (input.value === '' ? { empty: true } : { value: input.value });
      break;
    }
    case 'bool': {
      input = h('input', { ...common, type: 'checkbox', checked: value === true });
      control = h('label', { class: 'check bool-check' }, input, h('span', { text: t('common.yes') }));
      readRaw = () => ({ value: input.checked });
      break;
    }
    default: {
      input = h('input', { ...common, type: 'text', maxlength: def.maxlen || null, value: value ?? '' });
      readRaw = () => (isBlank(input.value) ? { empty: true } : { value: input.value.trim() });
    }
  }
  return {
    control: control || input,
    input,
    read(errs, path, label, short = false) {
      const r = readRaw();
      if (r.error) { errs.push({ path, msg: r.error }); return undefined; }
      if (r.empty) {
        if (def.required) errs.push({ path, msg: short ? t('form.required', { label }) : requiredMsg(label) });
        return undefined;
      }
      return r.value;
    },
    isEmpty() {
      const r = readRaw();
      return !!r.empty || (type === 'bool' && r.value === false);
    },
  };
}

// ---- reference pickers (user, project, asset, loan) -------------------------------

/**
 * A select filled by load() (→ [{value, label}] or null when the role may not
 * read the list: then a number input, with a hint saying why).
 */
function refPicker({ id, name, value, load, idHint, quick }) {
  const box = h('div', { class: 'ref-picker' });
  let input = h('select', { id, name, disabled: true }, h('option', { value: '', text: t('common.loading') }));
  let mode = 'select';
  box.append(input);
  const hint = h('div', { class: 'field-help' });
  const wrap = h('div', { class: 'ref-wrap' }, box, hint);
  let touched = false;
  const ready = load().then((opts) => {
    const keep = touched ? input.value : (value === null || value === undefined ? '' : String(value));
    if (opts === null) {
      mode = 'id';
      const inp = h('input', { id, name, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('appr.id_ph'), value: keep });
      box.replaceChildren(inp);
      if (quick) {
        box.append(h('button', {
          type: 'button', class: 'btn', text: quick.label, dataset: { action: 'pick-self' },
          onclick: () => { inp.value = String(quick.value); inp.dispatchEvent(new Event('input', { bubbles: true })); },
        }));
      }
      hint.textContent = idHint;
      input = inp;
      return;
    }
    const sel = h('select', { id, name },
      h('option', { value: '', text: opts.length ? t('form.select') : t('form.no_options') }),
      opts.map((o) => h('option', { value: String(o.value), text: o.label })));
    if (keep && !opts.some((o) => String(o.value) === keep)) sel.append(h('option', { value: keep, text: `#${keep}` }));
    sel.value = keep;
    box.replaceChildren(sel);
    input = sel;
  }, (err) => {
    hint.textContent = t('form.options_error');
    input.disabled = false;
    replace(input, h('option', { value: '', text: err.message || t('form.options_error') }));
  });
  box.addEventListener('change', () => { touched = true; });
  box.addEventListener('input', () => { touched = true; });
  return {
    control: wrap,
    get input() { return input; },
    ready,
    read(errs, path, label, required) {
      const s = String(input.value || '').trim();
      if (s === '') {
        if (required) errs.push({ path, msg: t('appr.pick_required', { label }) });
        return undefined;
      }
      if (!/^\d{1,15}$/.test(s) || Number(s) <= 0) {
        errs.push({ path, msg: mode === 'id' ? t('appr.bad_id') : t('appr.pick_required', { label }) });
        return undefined;
      }
      return Number(s);
    },
    isEmpty() { return String(input.value || '').trim() === ''; },
  };
}

function loadUsers() {
  return usersList().then((list) => (list === null ? null
    : list.map((u) => ({ value: u.id, label: userOptionLabel(u) }))));
}

function loadProjects() {
  return Promise.resolve(projectsOfUser().map((p) => ({ value: p.id, label: p.name })));
}

function loadAssets() {
  return registerItems('fixed-assets', { status: 'in_use', sort: 'code' }).then((items) => (items === null ? null
    : items.map((a) => ({ value: a.id, label: [a.code, a.name, a.location ? `（${a.location}）` : ''].filter(Boolean).join(' ') }))));
}

function loadLoans() {
  const me = session.user && session.user.id;
  return registerItems('employee-loans', { status: 'outstanding', user_id: me }).then((items) => (items === null ? null
    : items.filter((l) => !me || l.user_id === undefined || String(l.user_id) === String(me))
      .map((l) => ({ value: l.id, label: `${l.purpose || `#${l.id}`} · ${t('appr.loan_owed', { owed: fmt.money(l.owed_fen ?? (l.amount_fen - (l.repaid_fen || 0))) })}` }))));
}

let suppliesPromise = null;
function loadSupplies() {
  // Stock changes with every approval: fetched once per form.
  if (!suppliesPromise) {
    suppliesPromise = registerItems('office-supplies', { sort: 'name' });
    suppliesPromise.catch(() => { suppliesPromise = null; });
  }
  return suppliesPromise;
}

// ---- field widgets ------------------------------------------------------------------

/**
 * A form field: {def, el, read(errs), showError(path, msg) → bool,
 * clearErrors(), focus(path), ready}.
 */
function fieldWidget(def, value, ctx) {
  const id = nextId(`af-${def.name}`);
  const label = L(def, def.name);
  const errEl = h('div', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  const help = def.help ? h('div', { class: 'field-help', text: def.help }) : null;
  const labelEl = h('label', { class: 'form-label', for: id },
    label, def.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null);
  const el = h('div', { class: 'form-item', dataset: { field: def.name, type: def.type } });
  const setFieldError = (msg) => {
    errEl.textContent = msg || '';
    el.classList.toggle('has-error', !!msg);
  };
  let inner;
  let wide = false;

  switch (def.type) {
    case 'items': inner = itemsTable(def, value, ctx, id); wide = true; break;
    case 'supply_lines': inner = supplyLines(def, value, ctx, id); wide = true; break;
    case 'checklist': inner = checklistBox(def, value, id); wide = true; break;
    case 'user': {
      const me = session.user || {};
      const p = refPicker({ id, name: def.name, value, load: loadUsers, idHint: t('appr.user_id_hint'), quick: { label: t('appr.self', { name: displayName() }), value: me.id } });
      inner = simpleInner(p, def, label);
      break;
    }
    case 'project': inner = simpleInner(refPicker({ id, name: def.name, value, load: loadProjects, idHint: '' }), def, label); break;
    case 'asset': inner = simpleInner(refPicker({ id, name: def.name, value, load: loadAssets, idHint: t('appr.asset_id_hint') }), def, label); break;
    case 'loan': inner = simpleInner(refPicker({ id, name: def.name, value, load: loadLoans, idHint: t('appr.loan_id_hint') }), def, label); break;
    default: {
      const c = scalarControl(def, value, { id });
      c.input.setAttribute('aria-describedby', `${id}-err`);
      inner = simpleInner(c, def, label);
      wide = def.type === 'textarea';
    }
  }
  if (wide) el.classList.add('wide');
  append(el, [labelEl, inner.el, help, errEl]);
  const clearOwn = (e) => { if (!e.target.closest('td')) setFieldError(''); };
  el.addEventListener('input', clearOwn);
  el.addEventListener('change', clearOwn);

  return {
    def,
    el,
    ready: inner.ready || Promise.resolve(),
    read(errs) {
      const mine = [];
      const v = inner.read(mine, label);
      errs.push(...mine);
      return v;
    },
    isEmpty: () => (inner.isEmpty ? inner.isEmpty() : false),
    showError(path, msg) {
      if (path !== def.name && inner.showError && inner.showError(path, msg)) return true;
      if (path === def.name || path.startsWith(`${def.name}[`) || path.startsWith(`${def.name}.`)) {
        setFieldError(msg);
        return true;
      }
      return false;
    },
    clearErrors() {
      setFieldError('');
      if (inner.clearErrors) inner.clearErrors();
    },
    focus(path) {
      const target = (inner.focusTarget && inner.focusTarget(path)) || el.querySelector('input, select, textarea, button');
      if (target && target.focus) target.focus();
      el.scrollIntoView({ block: 'nearest' });
    },
    sum: inner.sum,
  };
}

function simpleInner(c, def, label) {
  return {
    el: c.control,
    ready: c.ready,
    read(errs) {
      return c.read(errs, def.name, label, !!def.required);
    },
    isEmpty: () => c.isEmpty(),
    focusTarget: () => c.input,
  };
}

/** Editing a table cell takes its error away. */
function clearCell(e) {
  const td = e.target.closest('td.has-error');
  if (!td) return;
  td.classList.remove('has-error');
  const err = td.querySelector('.cell-error');
  if (err) err.textContent = '';
  e.target.removeAttribute('aria-invalid');
}

/** items: an editable table of the template's columns; a running total of `amount`. */
function itemsTable(def, value, ctx, id) {
  const cols = Array.isArray(def.columns) ? def.columns : [];
  const label = L(def, def.name);
  const amountCol = cols.find((c) => c.name === 'amount' && c.type === 'money');
  const rows = [];
  let sent = []; // index in the request → row
  const tbody = h('tbody');
  const totalCell = h('td', { class: 'num items-total', colspan: 1 });
  const tfoot = amountCol ? h('tfoot', null, h('tr', null,
    h('td', { class: 'items-total-label', colspan: cols.indexOf(amountCol) + 1, text: t('appr.items_total') }),
    totalCell,
    h('td', { colspan: cols.length - cols.indexOf(amountCol) }))) : null;
  const table = h('table', { class: 'items-table', id, dataset: { field: def.name } },
    h('thead', null, h('tr', null,
      h('th', { class: 'items-no', scope: 'col', text: '#' }),
      cols.map((c) => h('th', { scope: 'col', class: [c.type === 'money' || c.type === 'int' ? 'num' : null, `col-${c.type}`], dataset: { col: c.name } },
        L(c, c.name), c.required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null)),
      h('th', { class: 'items-ops', scope: 'col', 'aria-label': t('list.actions') }))),
    tbody, tfoot);

  function renumber() {
    rows.forEach((r, i) => { r.no.textContent = String(i + 1); });
  }
  function updateTotal() {
    if (!amountCol) return;
    totalCell.textContent = fmt.money(sum().toString());
    ctx.changed();
  }
  function sum() {
    let s = 0n;
    for (const r of rows) {
      const c = r.cells.get('amount');
      if (!c) continue;
      const raw = c.ctl.input.value.trim();
      const b = raw ? fmt.parseHundredths(raw) : null;
      if (b !== null && b > 0n) s += b;
    }
    return s;
  }
  function addRow(v, focus) {
    const r = { cells: new Map() };
    r.no = h('td', { class: 'items-no' });
    const tds = cols.map((c) => {
      const ctl = scalarControl(c, v ? v[c.name] : undefined, { id: nextId(`cell-${def.name}-${c.name}`), cell: true });
      ctl.input.setAttribute('aria-label', `${label} ${L(c, c.name)}`);
      const err = h('div', { class: 'cell-error', role: 'alert' });
      const td = h('td', { class: [`col-${c.type}`], dataset: { col: c.name } }, ctl.control, err);
      r.cells.set(c.name, { ctl, err, td, def: c });
      return td;
    });
    const rm = h('button', { type: 'button', class: 'icon-btn items-remove', title: t('appr.row_remove'), 'aria-label': t('appr.row_remove'), text: '×' });
    rm.addEventListener('click', () => {
      const i = rows.indexOf(r);
      if (i >= 0) rows.splice(i, 1);
      r.tr.remove();
      renumber();
      updateTotal();
      ctx.dirty();
    });
    r.tr = h('tr', { class: 'items-row' }, r.no, tds, h('td', { class: 'items-ops' }, rm));
    rows.push(r);
    tbody.append(r.tr);
    renumber();
    if (focus) {
      const first = r.tr.querySelector('input, select');
      if (first) first.focus();
    }
    return r;
  }
  const list = Array.isArray(value) && value.length ? value : [null];
  for (const v of list) addRow(v);
  const addBtn = h('button', { type: 'button', class: 'btn btn-dashed', text: `+ ${t('appr.row_add')}`, dataset: { action: 'add-row' } });
  addBtn.addEventListener('click', () => { addRow(null, true); ctx.dirty(); });
  table.addEventListener('input', updateTotal);
  table.addEventListener('change', updateTotal);
  table.addEventListener('input', clearCell);
  table.addEventListener('change', clearCell);
  updateTotal();

  return {
    el: h('div', { class: 'items-box' }, h('div', { class: 'items-scroll' }, table), addBtn),
    sum,
    read(errs) {
      sent = [];
      const out = [];
      for (const r of rows) {
        // A row left completely empty is not sent.
        if ([...r.cells.values()].every((c) => c.ctl.isEmpty())) continue;
        const i = out.length;
        const obj = {};
        for (const [name, c] of r.cells) {
          // Under the cell: its column names it already.
          const v = c.ctl.read(errs, `${def.name}[${i}].${name}`, L(c.def, name), true);
          if (v !== undefined) obj[name] = v;
        }
        sent.push(r);
        out.push(obj);
      }
      if (!out.length) {
        if (def.required) errs.push({ path: def.name, msg: requiredMsg(label) });
        return undefined;
      }
      return out;
    },
    isEmpty: () => rows.every((r) => [...r.cells.values()].every((c) => c.ctl.isEmpty())),
    showError(path, msg) {
      const m = /^[a-z0-9_]+\[(\d+)\]\.([a-z0-9_]+)$/.exec(path);
      if (!m) return false;
      const r = sent[Number(m[1])] || rows[Number(m[1])];
      const c = r && r.cells.get(m[2]);
      if (!c) return false;
      c.err.textContent = msg;
      c.td.classList.add('has-error');
      c.ctl.input.setAttribute('aria-invalid', 'true');
      return true;
    },
    clearErrors() {
      for (const r of rows) {
        for (const c of r.cells.values()) {
          c.err.textContent = '';
          c.td.classList.remove('has-error');
          c.ctl.input.removeAttribute('aria-invalid');
        }
      }
    },
    focusTarget(path) {
      const m = /^[a-z0-9_]+\[(\d+)\]\.([a-z0-9_]+)$/.exec(path || '');
      if (m) {
        const r = sent[Number(m[1])] || rows[Number(m[1])];
        const c = r && r.cells.get(m[2]);
        if (c) return c.ctl.input;
      }
      return table.querySelector('input, select');
    },
  };
}

/** supply_lines: rows of office supply (with its stock) + quantity. */
function supplyLines(def, value, ctx, id) {
  const label = L(def, def.name);
  const rows = [];
  let sent = [];
  const tbody = h('tbody');
  const hint = h('div', { class: 'field-help' });
  const table = h('table', { class: 'items-table supply-table', id, dataset: { field: def.name } },
    h('thead', null, h('tr', null,
      h('th', { class: 'items-no', text: '#' }),
      h('th', null, t('appr.supply_item'), h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })),
      h('th', { class: 'num col-int' }, t('appr.supply_qty'), h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })),
      h('th', { class: 'items-ops', 'aria-label': t('list.actions') }))),
    tbody);
  let supplies; // undefined: loading, null: not readable
  const ready = loadSupplies().then((s) => {
    supplies = s;
    if (s === null) hint.textContent = t('appr.supply_id_hint');
    for (const r of rows) r.fill();
  }, () => { supplies = null; hint.textContent = t('form.options_error'); for (const r of rows) r.fill(); });

  function addRow(v, focus) {
    const r = {};
    r.no = h('td', { class: 'items-no' });
    const itemTd = h('td', { class: 'col-supply' });
    const qty = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', 'aria-label': t('appr.supply_qty'), value: v && v.qty ? String(v.qty) : '' });
    const itemErr = h('div', { class: 'cell-error', role: 'alert' });
    const qtyErr = h('div', { class: 'cell-error', role: 'alert' });
    const qtyTd = h('td', { class: 'col-int' }, qty, qtyErr);
    const stockNote = h('div', { class: 'cell-note muted small' });
    r.item = h('select', { disabled: true, 'aria-label': t('appr.supply_item') }, h('option', { value: '', text: t('common.loading') }));
    itemTd.append(r.item, stockNote, itemErr);
    const keep = v && v.supply_id ? String(v.supply_id) : '';
    r.fill = () => {
      const cur = r.item.value || keep;
      let ctl;
      if (supplies === null) {
        ctl = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('appr.supply_id_ph'), 'aria-label': t('appr.supply_item'), value: cur });
      } else {
        ctl = h('select', { 'aria-label': t('appr.supply_item') },
          h('option', { value: '', text: t('form.select') }),
          (supplies || []).map((s) => h('option', { value: String(s.id), text: t('appr.supply_option', { name: s.name, stock: s.stock, unit: s.unit || '' }) })));
        if (cur && !(supplies || []).some((s) => String(s.id) === cur)) ctl.append(h('option', { value: cur, text: `#${cur}` }));
        ctl.value = cur;
      }
      r.item.replaceWith(ctl);
      r.item = ctl;
      showStock();
    };
    function showStock() {
      const s = supplies && supplies.find((x) => String(x.id) === r.item.value);
      const q = Number(qty.value);
      stockNote.textContent = s ? t('appr.supply_stock', { stock: s.stock, unit: s.unit || '' }) : '';
      stockNote.classList.toggle('warn', !!(s && q > s.stock));
    }
    itemTd.addEventListener('change', showStock);
    qty.addEventListener('input', showStock);
    const rm = h('button', { type: 'button', class: 'icon-btn items-remove', title: t('appr.row_remove'), 'aria-label': t('appr.row_remove'), text: '×' });
    rm.addEventListener('click', () => {
      rows.splice(rows.indexOf(r), 1);
      r.tr.remove();
      rows.forEach((x, i) => { x.no.textContent = String(i + 1); });
      ctx.dirty();
    });
    r.qty = qty;
    r.itemErr = itemErr;
    r.qtyErr = qtyErr;
    r.itemTd = itemTd;
    r.qtyTd = qtyTd;
    r.tr = h('tr', { class: 'items-row' }, r.no, itemTd, qtyTd, h('td', { class: 'items-ops' }, rm));
    rows.push(r);
    tbody.append(r.tr);
    r.no.textContent = String(rows.length);
    if (supplies !== undefined) r.fill();
    if (focus) r.item.focus();
  }
  const list = Array.isArray(value) && value.length ? value : [null];
  for (const v of list) addRow(v);
  const addBtn = h('button', { type: 'button', class: 'btn btn-dashed', text: `+ ${t('appr.row_add')}`, dataset: { action: 'add-row' } });
  addBtn.addEventListener('click', () => { addRow(null, true); ctx.dirty(); });
  table.addEventListener('input', clearCell);
  table.addEventListener('change', clearCell);

  const setCell = (td, err, msg) => { err.textContent = msg || ''; td.classList.toggle('has-error', !!msg); };
  return {
    el: h('div', { class: 'items-box' }, table, addBtn, hint),
    ready,
    read(errs) {
      sent = [];
      const out = [];
      for (const r of rows) {
        const sid = String(r.item.value || '').trim();
        const q = r.qty.value.trim();
        if (!sid && !q) continue;
        const i = out.length;
        const line = {};
        if (!/^\d{1,15}$/.test(sid) || Number(sid) <= 0) errs.push({ path: `${def.name}[${i}].supply_id`, msg: t('appr.supply_pick') });
        else line.supply_id = Number(sid);
        if (!/^\d{1,9}$/.test(q) || Number(q) <= 0) errs.push({ path: `${def.name}[${i}].qty`, msg: t('appr.supply_bad_qty') });
        else line.qty = Number(q);
        sent.push(r);
        out.push(line);
      }
      if (!out.length) {
        if (def.required) errs.push({ path: def.name, msg: requiredMsg(label) });
        return undefined;
      }
      return out;
    },
    isEmpty: () => rows.every((r) => !String(r.item.value || '').trim() && !r.qty.value.trim()),
    showError(path, msg) {
      const m = /^[a-z0-9_]+\[(\d+)\]\.(supply_id|qty)$/.exec(path);
      if (!m) return false;
      const r = sent[Number(m[1])] || rows[Number(m[1])];
      if (!r) return false;
      if (m[2] === 'qty') setCell(r.qtyTd, r.qtyErr, msg); else setCell(r.itemTd, r.itemErr, msg);
      return true;
    },
    clearErrors() {
      for (const r of rows) { setCell(r.qtyTd, r.qtyErr, ''); setCell(r.itemTd, r.itemErr, ''); }
    },
    focusTarget(path) {
      const m = /^[a-z0-9_]+\[(\d+)\]\.(supply_id|qty)$/.exec(path || '');
      const r = m ? (sent[Number(m[1])] || rows[Number(m[1])]) : rows[0];
      if (!r) return null;
      return m && m[2] === 'qty' ? r.qty : r.item;
    },
  };
}

/** checklist: the template's items, each with a box. */
function checklistBox(def, value, id) {
  const items = Array.isArray(def.items) ? def.items : [];
  const done = new Map((Array.isArray(value) ? value : []).map((x) => [x && x.item, !!(x && x.done)]));
  const boxes = items.map((it) => h('input', { type: 'checkbox', value: String(it), checked: done.get(it) === true }));
  const el = h('div', { class: 'checklist', id, role: 'group' },
    items.map((it, i) => h('label', { class: 'check' }, boxes[i], h('span', { text: String(it) }))));
  return {
    el,
    read() {
      return items.map((it, i) => ({ item: it, done: boxes[i].checked }));
    },
    isEmpty: () => boxes.every((b) => !b.checked),
    focusTarget: () => boxes[0],
  };
}

// ---- route preview --------------------------------------------------------------------

export function routePreview(steps, form) {
  const box = h('ol', { class: 'route-preview' });
  const nodes = (Array.isArray(steps) ? steps : []).map((s, i) => {
    const cond = s.when ? conditionText(s.when, form) : '';
    const state = h('span', { class: 'route-cond-state' });
    const self = h('span', { class: 'route-self' });
    const li = h('li', { class: ['route-step', s.when && 'conditional'], dataset: { step: i } },
      h('span', { class: 'route-dot', 'aria-hidden': 'true', text: String(i + 1) }),
      h('div', { class: 'route-body' },
        h('div', { class: 'route-name' }, h('span', { text: s.name || '' }),
          s.mode === 'all' ? tag(t('appr.mode_all'), 'blue') : null, self),
        h('div', { class: 'route-who muted small', text: [approverText(s.approver), s.limit_hours ? t('appr.limit_h', { n: s.limit_hours }) : null].filter(Boolean).join(' · ') }),
        cond ? h('div', { class: 'route-cond' }, h('span', { text: t('appr.cond', { cond }) }), state) : null));
    return { li, step: s, state, self };
  });
  // Nobody approves their own request: a step whose only approver is me is skipped.
  const me = session.user || {};
  const markSelf = (n) => { n.self.replaceChildren(tag(t('appr.self_skip'), 'grey')); n.li.classList.add('self'); };
  for (const n of nodes) {
    const ap = n.step.approver || {};
    if (ap.type === 'user' && ap.username && ap.username === me.username) markSelf(n);
  }
  const heads = nodes.filter((n) => (n.step.approver || {}).type === 'dept_head');
  if (heads.length && me.department && can('department.read')) {
    api.get('departments', { name: me.department, limit: 20 }).then((r) => {
      const d = ((r && r.items) || []).find((x) => x.name === me.department);
      if (d && String(d.head_user_id) === String(me.id)) heads.forEach(markSelf);
    }, () => { /* no hint */ });
  }
  box.append(h('li', { class: 'route-step route-start' },
    h('span', { class: 'route-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'route-body' }, h('div', { class: 'route-name', text: t('appr.route_submit') }),
      h('div', { class: 'route-who muted small', text: displayName() }))));
  for (const n of nodes) box.append(n.li);
  box.append(h('li', { class: 'route-step route-end' },
    h('span', { class: 'route-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'route-body' }, h('div', { class: 'route-name', text: t('appr.route_end') }))));
  return {
    el: box,
    /** Mark conditional steps as applying or not for these values. */
    update(data) {
      for (const n of nodes) {
        if (!n.step.when) continue;
        const on = conditionHolds(n.step.when, data);
        n.li.classList.toggle('inactive', !on);
        n.state.replaceChildren(tag(on ? t('appr.cond_on') : t('appr.cond_off'), on ? 'orange' : 'grey'));
      }
    },
  };
}

// ---- the page -----------------------------------------------------------------------

async function renderRequestForm(main, ctx, { mode, template, request }) {
  const form = mode === 'resubmit' ? request.form : template.form_json;
  const steps = mode === 'resubmit' ? request.steps : template.steps_json;
  const name = mode === 'resubmit' ? request.template_name : template.name;
  const initial = mode === 'resubmit' ? (request.data || {}) : {};
  const computed = (form && form.computed && typeof form.computed === 'object') ? form.computed : {};
  const heading = mode === 'resubmit' ? t('appr.resubmit_title', { name }) : t('appr.new_title', { name });
  ctx.setTitle(heading);
  suppliesPromise = null;

  let dirty = false;
  let saving = false;
  let preview = null;
  let previewTimer = null;
  const fctx = {
    dirty: () => { dirty = true; },
    changed: () => { if (preview) { updateComputed(); schedulePreview(); } },
  };

  // Title (new requests only): the server names it "<applicant>的<template>" when empty.
  const titleId = nextId('af-title');
  const titleInput = h('input', { id: titleId, name: 'title', type: 'text', maxlength: 200, autocomplete: 'off', placeholder: t('appr.title_ph', { name: `${displayName()}的${name}` }) });
  const titleErr = h('div', { class: 'field-error', role: 'alert' });
  const titleItem = mode === 'new' ? h('div', { class: 'form-item wide', dataset: { field: 'title' } },
    h('label', { class: 'form-label', for: titleId, text: t('appr.title_label') }), titleInput, titleErr) : null;

  const widgets = [];
  const computedViews = [];
  for (const def of formFields(form)) {
    if (Object.prototype.hasOwnProperty.call(computed, def.name)) {
      // Computed by the server (e.g. total = sum of lines.amount): shown, not sent.
      const out = h('div', { class: 'computed-value', id: nextId(`af-${def.name}`) });
      computedViews.push({ def, out, spec: String(computed[def.name] || '') });
      continue;
    }
    widgets.push(fieldWidget(def, initial[def.name], fctx));
  }
  const computedEls = computedViews.map((c) => h('div', { class: 'form-item', dataset: { field: c.def.name, type: 'computed' } },
    h('span', { class: 'form-label', text: L(c.def, c.def.name) }), c.out,
    h('div', { class: 'field-help', text: t('appr.computed_hint') })));
  function updateComputed() {
    for (const c of computedViews) {
      const [field] = c.spec.split('.');
      const w = widgets.find((x) => x.def.name === field);
      const s = w && w.sum ? w.sum() : 0n;
      c.out.textContent = fmt.money(s.toString());
    }
  }

  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const submitBtn = h('button', { class: 'btn btn-primary', type: 'submit', text: mode === 'resubmit' ? t('appr.resubmit') : t('appr.submit'), dataset: { action: 'submit' } });
  const cancelHref = mode === 'resubmit' ? router.page('approval', request.id) : router.page('approvals');
  // Computed values read best right after the table they add up.
  const formChildren = [];
  if (titleItem) formChildren.push(titleItem);
  for (const w of widgets) {
    formChildren.push(w.el);
    const after = computedViews.map((c, i) => (c.spec.split('.')[0] === w.def.name ? computedEls[i] : null)).filter(Boolean);
    formChildren.push(...after);
  }
  for (let i = 0; i < computedViews.length; i++) {
    if (!formChildren.includes(computedEls[i])) formChildren.push(computedEls[i]);
  }
  const returnedNote = mode === 'resubmit' ? lastReturn(request) : null;
  const formEl = h('form', { class: 'entity-form approval-form', novalidate: true, dataset: { template: mode === 'resubmit' ? request.template_code : template.code, mode } },
    returnedNote, banner,
    h('section', { class: 'card form-card' }, h('div', { class: 'form-grid' }, formChildren)),
    h('div', { class: 'form-foot' },
      h('span', { class: 'muted small', text: `${t('appr.shortcut_submit')} · ${t('appr.attach_later')}` }),
      h('div', { class: 'form-foot-buttons' },
        h('a', { class: 'btn', href: cancelHref, text: t('common.cancel'), dataset: { action: 'cancel' } }),
        submitBtn)));

  preview = routePreview(steps, form);
  const side = h('aside', { class: 'detail-side' },
    h('section', { class: 'card route-card' }, h('h2', { class: 'card-title', text: t('appr.route') }), preview.el,
      h('p', { class: 'muted small route-note', text: t('appr.route_note') })));
  const desc = mode === 'new' && template.description ? h('div', { class: 'muted page-desc', text: template.description }) : null;
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: cancelHref, text: `‹ ${mode === 'resubmit' ? (request.no || request.title) : t('appr.center')}` }),
      h('h1', { class: 'page-title' }, h('span', { text: heading }),
        mode === 'new' && template.category ? tag(categoryLabel(template.category), 'neutral') : null),
      desc));
  replace(main, h('div', { class: 'page page-form page-approval-form', dataset: { mode } }, header,
    h('div', { class: 'detail-body' }, h('div', { class: 'detail-main' }, formEl), side)));

  // Route preview follows the values (quietly: errors are for submit).
  function collectQuiet() {
    const data = {};
    for (const w of widgets) {
      const v = w.read([]);
      if (v !== undefined) data[w.def.name] = v;
    }
    for (const c of computedViews) {
      const [field] = c.spec.split('.');
      const w = widgets.find((x) => x.def.name === field);
      if (w && w.sum) data[c.def.name] = Number(w.sum());
    }
    return data;
  }
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => preview.update(collectQuiet()), 120);
  }
  updateComputed();
  preview.update(collectQuiet());

  formEl.addEventListener('input', () => { dirty = true; schedulePreview(); });
  formEl.addEventListener('change', () => { dirty = true; schedulePreview(); });
  router.setLeaveGuard(() => !dirty || saving || window.confirm(t('form.leave_confirm')));
  const onUnload = (e) => {
    if (!formEl.isConnected) { window.removeEventListener('beforeunload', onUnload); return; }
    if (dirty && !saving) { e.preventDefault(); e.returnValue = ''; }
  };
  window.addEventListener('beforeunload', onUnload);

  function showBanner(msg) {
    banner.textContent = msg || '';
    banner.hidden = !msg;
  }
  function clearErrors() {
    showBanner('');
    titleErr.textContent = '';
    if (titleItem) titleItem.classList.remove('has-error');
    for (const w of widgets) w.clearErrors();
  }
  /** Put an error where its path points; false when no field claims it. */
  function placeError(path, msg) {
    if (path === 'title' && titleItem) {
      titleErr.textContent = msg;
      titleItem.classList.add('has-error');
      return { focus: () => titleInput.focus() };
    }
    for (const w of widgets) {
      if (w.showError(path, msg)) return { focus: () => w.focus(path) };
    }
    return null;
  }

  async function submit() {
    if (saving) return;
    clearErrors();
    const errs = [];
    const data = {};
    for (const w of widgets) {
      const v = w.read(errs);
      if (v !== undefined) data[w.def.name] = v;
    }
    if (errs.length) {
      let first = null;
      for (const e of errs) {
        const p = placeError(e.path, e.msg);
        first = first || p;
      }
      showBanner(t('form.fix_errors'));
      if (first) first.focus();
      return;
    }
    saving = true;
    setBusy(submitBtn, true, t('appr.submitting'));
    try {
      let saved;
      if (mode === 'resubmit') {
        saved = await api.post(`approvals/${encodeURIComponent(request.id)}/resubmit`, { data });
      } else {
        const body = { template: template.code, data };
        if (titleInput.value.trim()) body.title = titleInput.value.trim();
        saved = await api.post('approvals', body);
      }
      dirty = false;
      window.removeEventListener('beforeunload', onUnload);
      toast(mode === 'resubmit' ? t('appr.resubmitted') : t('appr.submitted', { no: saved.no || '' }), 'success');
      refreshCounts();
      router.go(router.page('approval', saved.id));
    } catch (err) {
      const placed = err.field ? placeError(err.field, err.message) : null;
      if (placed) {
        showBanner(t('form.fix_errors'));
        placed.focus();
      } else {
        showBanner(err.message);
        banner.scrollIntoView({ block: 'nearest' });
      }
    } finally {
      saving = false;
      setBusy(submitBtn, false);
    }
  }

  formEl.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  formEl.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); }
  });
  const target = (widgets[0] && widgets[0].el.querySelector('input, select, textarea')) || (titleItem ? titleInput : null);
  if (target) target.focus();
  await Promise.all(widgets.map((w) => w.ready.catch(() => {})));
  preview.update(collectQuiet());
}

/** The reason of the last return, shown above the form when resubmitting. */
function lastReturn(req) {
  const ret = (req.history || []).filter((x) => x.action === 'return').pop();
  if (!ret) return null;
  return h('div', { class: 'banner banner-orange', role: 'note', dataset: { role: 'returned-reason' } },
    h('strong', { text: t('appr.returned_by', { who: ret.display_name || ret.username || '' }) }),
    h('span', { text: ret.comment || '' }));
}

export async function renderApprovalNew(main, code, ctx) {
  replace(main, loading());
  let template;
  try {
    template = await templateByCode(code);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderApprovalNew(main, code, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (!template.enabled) {
    replace(main, errorState({ status: 409, message: t('appr.template_disabled', { name: template.name }) }));
    return;
  }
  await renderRequestForm(main, ctx, { mode: 'new', template });
}

export async function renderApprovalResubmit(main, id, ctx) {
  replace(main, loading());
  let request;
  try {
    request = await api.get(`approvals/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderApprovalResubmit(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (!(request.actions || []).includes('resubmit')) {
    // Not (or no longer) returned to this user: show the request instead.
    router.go(router.page('approval', id));
    return;
  }
  await renderRequestForm(main, ctx, { mode: 'resubmit', request });
}
