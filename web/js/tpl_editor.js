// Template editor (approval.admin) on the approval-templates detail page: the
// form's fields (name, label, type, required, options, min/max, table columns,
// checklist items) and the route's steps (approver, one-of / all-of,
// condition, time limit); 保存 PATCHes form_json and steps_json and the
// server bumps the version. Also the JSON export / import of templates.
import { h, replace, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { toast, setBusy, modal } from './ui.js';
import { roleList, OP_LIST, opText, forgetTemplate } from './approval_common.js';

const FIELD_TYPES = ['text', 'textarea', 'int', 'money', 'date', 'datetime', 'enum', 'bool', 'user', 'project', 'asset', 'loan', 'supply_lines', 'items', 'checklist'];
const COLUMN_TYPES = ['text', 'textarea', 'int', 'money', 'date', 'datetime', 'enum', 'bool'];
const APPROVER_TYPES = ['dept_head', 'role', 'user', 'project_manager'];

function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function asObject(v, fallback) {
  if (typeof v === 'string') {
    try { return JSON.parse(v); } catch { return fallback; }
  }
  return v && typeof v === 'object' ? v : fallback;
}

function typeLabel(type) {
  return t(`tpl.type_${type}`);
}

function small(label, control, cls) {
  return h('label', { class: ['te-cell', cls] }, h('span', { class: 'te-label', text: label }), control);
}

function moneyIn(v) {
  return v === null || v === undefined || v === '' ? '' : fmt.hundredthsToInput(v);
}

// ---- one field definition (also used for table columns) -------------------------------

function fieldRow(def, { types, onMove, onRemove, index, nested = false }) {
  const orig = clone(def) || {};
  const name = h('input', { type: 'text', value: orig.name || '', placeholder: 'name', class: 'mono', 'aria-label': t('tpl.f_name'), dataset: { k: 'name' } });
  const label = h('input', { type: 'text', value: orig.label || '', 'aria-label': t('tpl.f_label'), dataset: { k: 'label' } });
  const type = h('select', { 'aria-label': t('tpl.f_type'), dataset: { k: 'type' } },
    types.map((x) => h('option', { value: x, text: typeLabel(x) })));
  type.value = types.includes(orig.type) ? orig.type : 'text';
  const req = h('input', { type: 'checkbox', checked: orig.required === true, dataset: { k: 'required' } });
  // Settings of the type: short ones on the row's line, long ones under it.
  const narrow = h('div', { class: 'te-narrow' });
  const wideBox = h('div', { class: 'te-wide-box' });
  const ops = h('div', { class: 'te-ops' },
    h('button', { type: 'button', class: 'icon-btn', title: t('tpl.up'), 'aria-label': t('tpl.up'), text: '↑', onclick: () => onMove(-1) }),
    h('button', { type: 'button', class: 'icon-btn', title: t('tpl.down'), 'aria-label': t('tpl.down'), text: '↓', onclick: () => onMove(1) }),
    h('button', { type: 'button', class: 'icon-btn te-remove', title: t('tpl.remove'), 'aria-label': t('tpl.remove'), text: '×', onclick: () => onRemove() }));
  const no = h('span', { class: 'te-no', text: String(index + 1) });
  const row = h('div', { class: ['te-row', nested && 'te-nested'], dataset: { kind: nested ? 'column' : 'field' } },
    h('div', { class: 'te-line' }, no,
      small(t('tpl.f_name'), name, 'te-name'), small(t('tpl.f_label'), label, 'te-label-cell'),
      small(t('tpl.f_type'), type, 'te-type'),
      h('label', { class: 'check te-req' }, req, h('span', { text: t('tpl.f_required') })),
      narrow, ops),
    wideBox);

  // Type-specific settings.
  let readExtra = () => ({});
  function renderExtra() {
    const ty = type.value;
    const parts = [];
    readExtra = () => ({});
    if (ty === 'enum') {
      const opts = h('textarea', { rows: 2, 'aria-label': t('tpl.f_options'), dataset: { k: 'options' }, value: (Array.isArray(orig.options) ? orig.options : []).join('\n') });
      parts.push(small(t('tpl.f_options'), opts, 'te-wide'));
      readExtra = () => ({ options: opts.value.split(/\n|，|,/).map((s) => s.trim()).filter(Boolean) });
    } else if (ty === 'int' || ty === 'money') {
      const conv = ty === 'money' ? moneyIn : (v) => (v === undefined || v === null ? '' : String(v));
      const min = h('input', { type: 'text', inputmode: 'decimal', value: conv(orig.min), dataset: { k: 'min' }, 'aria-label': t('tpl.f_min') });
      const max = h('input', { type: 'text', inputmode: 'decimal', value: conv(orig.max), dataset: { k: 'max' }, 'aria-label': t('tpl.f_max') });
      parts.push(small(ty === 'money' ? t('tpl.f_min_yuan') : t('tpl.f_min'), min, 'te-num'), small(ty === 'money' ? t('tpl.f_max_yuan') : t('tpl.f_max'), max, 'te-num'));
      readExtra = (errs) => {
        const out = {};
        for (const [k, inp] of [['min', min], ['max', max]]) {
          const s = inp.value.trim();
          if (!s) continue;
          if (ty === 'money') {
            const b = fmt.parseHundredths(s);
            if (b === null) { errs.push(t('tpl.bad_number', { what: `${name.value} ${k}` })); continue; }
            out[k] = Number(b);
          } else {
            if (!/^-?\d+$/.test(s)) { errs.push(t('tpl.bad_number', { what: `${name.value} ${k}` })); continue; }
            out[k] = Number(s);
          }
        }
        return out;
      };
    } else if (ty === 'text' || ty === 'textarea') {
      const maxlen = h('input', { type: 'text', inputmode: 'numeric', value: orig.maxlen ?? '', dataset: { k: 'maxlen' }, 'aria-label': t('tpl.f_maxlen') });
      parts.push(small(t('tpl.f_maxlen'), maxlen, 'te-num'));
      readExtra = (errs) => {
        const s = maxlen.value.trim();
        if (!s) return {};
        if (!/^\d+$/.test(s)) { errs.push(t('tpl.bad_number', { what: `${name.value} maxlen` })); return {}; }
        return { maxlen: Number(s) };
      };
    } else if (ty === 'checklist') {
      const items = h('textarea', { rows: 3, dataset: { k: 'items' }, 'aria-label': t('tpl.f_items'), value: (Array.isArray(orig.items) ? orig.items : []).join('\n') });
      parts.push(small(t('tpl.f_items'), items, 'te-wide'));
      readExtra = () => ({ items: items.value.split('\n').map((s) => s.trim()).filter(Boolean) });
    } else if (ty === 'items') {
      const cols = listEditor({
        items: Array.isArray(orig.columns) && orig.columns.length ? orig.columns : [{ name: 'amount', label: '金额', type: 'money', required: true }],
        make: (c, ctl) => fieldRow(c, { types: COLUMN_TYPES, nested: true, ...ctl }),
        addLabel: t('tpl.add_column'),
        blank: () => ({ name: '', label: '', type: 'text' }),
        cls: 'te-columns',
      });
      parts.push(h('div', { class: 'te-wide te-sub' }, h('span', { class: 'te-label', text: t('tpl.f_columns') }), cols.el));
      readExtra = (errs) => ({ columns: cols.read(errs) });
    }
    if (!nested) {
      const help = h('input', { type: 'text', value: orig.help || '', dataset: { k: 'help' }, 'aria-label': t('tpl.f_help') });
      parts.push(small(t('tpl.f_help'), help, 'te-help'));
      const prev = readExtra;
      readExtra = (errs) => ({ ...prev(errs), help: help.value.trim() || undefined });
    }
    replace(narrow, parts.filter((x) => !x.classList.contains('te-wide')));
    replace(wideBox, parts.filter((x) => x.classList.contains('te-wide')));
    wideBox.hidden = !wideBox.childNodes.length;
  }
  type.addEventListener('change', renderExtra);
  renderExtra();

  return {
    el: row,
    setNo(i) { no.textContent = String(i + 1); },
    read(errs) {
      const out = { ...orig };
      for (const k of ['options', 'min', 'max', 'maxlen', 'items', 'columns', 'help', 'required']) delete out[k];
      out.name = name.value.trim();
      out.label = label.value.trim();
      out.type = type.value;
      if (req.checked) out.required = true;
      const ex = readExtra(errs);
      for (const [k, v] of Object.entries(ex)) if (v !== undefined) out[k] = v;
      return out;
    },
    get name() { return name.value.trim(); },
    get type() { return type.value; },
    get label() { return label.value.trim(); },
    mark(on) { row.classList.toggle('te-bad', !!on); if (on) row.scrollIntoView({ block: 'nearest' }); },
  };
}

/** A reorderable list of rows: make(item, {index, onMove, onRemove}) → row. */
function listEditor({ items, make, addLabel, blank, cls, onChange }) {
  const box = h('div', { class: ['te-list', cls] });
  const rows = [];
  const changed = () => { rows.forEach((r, i) => r.setNo(i)); if (onChange) onChange(); };
  function add(item, at = rows.length) {
    const ctl = {
      index: at,
      onMove: (d) => {
        const i = rows.indexOf(row);
        const j = i + d;
        if (j < 0 || j >= rows.length) return;
        rows.splice(i, 1);
        rows.splice(j, 0, row);
        if (d < 0) box.insertBefore(row.el, rows[j + 1].el); else box.insertBefore(row.el, rows[j - 1].el.nextSibling);
        changed();
      },
      onRemove: () => {
        rows.splice(rows.indexOf(row), 1);
        row.el.remove();
        changed();
      },
    };
    const row = make(item, ctl);
    rows.splice(at, 0, row);
    box.append(row.el);
    changed();
    return row;
  }
  for (const it of items) add(it);
  const addBtn = h('button', { type: 'button', class: 'btn btn-dashed', text: `+ ${addLabel}`, dataset: { action: 'te-add' } });
  addBtn.addEventListener('click', () => {
    const r = add(blank());
    const first = r.el.querySelector('input');
    if (first) first.focus();
  });
  return {
    el: h('div', { class: 'te-list-wrap' }, box, addBtn),
    rows,
    read(errs) { return rows.map((r) => r.read(errs)); },
  };
}

// ---- one route step ------------------------------------------------------------------------

function stepRow(step, { index, onMove, onRemove, fieldsNow, roles }) {
  const orig = clone(step) || {};
  const ap = orig.approver || { type: 'dept_head' };
  const name = h('input', { type: 'text', value: orig.name || '', 'aria-label': t('tpl.s_name'), dataset: { k: 'name' } });
  const apType = h('select', { 'aria-label': t('tpl.s_approver'), dataset: { k: 'approver' } },
    APPROVER_TYPES.map((x) => h('option', { value: x, text: t(`tpl.ap_${x}`) })));
  apType.value = APPROVER_TYPES.includes(ap.type) ? ap.type : 'dept_head';
  const role = h('select', { 'aria-label': t('tpl.s_role'), dataset: { k: 'role' } },
    roles.map((r) => h('option', { value: r.code, text: `${r.name}（${r.code}）` })));
  if (ap.role && !roles.some((r) => r.code === ap.role)) role.append(h('option', { value: ap.role, text: ap.role }));
  role.value = ap.role || (roles[0] && roles[0].code) || '';
  const username = h('input', { type: 'text', value: ap.username || '', placeholder: 'username', class: 'mono', 'aria-label': t('tpl.s_username'), dataset: { k: 'username' } });
  const roleCell = small(t('tpl.s_role'), role, 'te-role');
  const userCell = small(t('tpl.s_username'), username, 'te-role');
  const mode = h('select', { 'aria-label': t('tpl.s_mode'), dataset: { k: 'mode' } },
    h('option', { value: 'any', text: t('tpl.mode_any') }), h('option', { value: 'all', text: t('tpl.mode_all') }));
  mode.value = orig.mode === 'all' ? 'all' : 'any';
  const limit = h('input', { type: 'text', inputmode: 'numeric', value: orig.limit_hours ?? '', 'aria-label': t('tpl.s_limit'), dataset: { k: 'limit_hours' } });
  const showAp = () => {
    roleCell.hidden = apType.value !== 'role';
    userCell.hidden = apType.value !== 'user';
  };
  apType.addEventListener('change', showAp);
  showAp();

  // Condition.
  const when = orig.when || null;
  const cField = h('select', { 'aria-label': t('tpl.s_cond_field'), dataset: { k: 'when_field' } });
  const cOp = h('select', { 'aria-label': t('tpl.s_cond_op'), dataset: { k: 'when_op' } }, OP_LIST.map((o) => h('option', { value: o, text: opText(o) })));
  cOp.value = when && when.op ? when.op : '>';
  const cVal = h('input', { type: 'text', 'aria-label': t('tpl.s_cond_value'), dataset: { k: 'when_value' } });
  const unit = h('span', { class: 'te-unit muted small' });
  const fieldType = () => {
    const f = fieldsNow().find((x) => x.name === cField.value);
    return f ? f.type : null;
  };
  const valueToInput = (v, ty) => {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.map((x) => valueToInput(x, ty)).join(', ');
    return ty === 'money' && Number.isInteger(v) ? fmt.hundredthsToInput(v) : String(v);
  };
  function fillFields() {
    const cur = cField.value || (when && when.field) || '';
    const fs = fieldsNow().filter((f) => f.name && !['items', 'supply_lines', 'checklist'].includes(f.type));
    replace(cField, h('option', { value: '', text: t('tpl.no_condition') }),
      fs.map((f) => h('option', { value: f.name, text: `${f.label || f.name}（${f.name}）` })));
    if (cur && !fs.some((f) => f.name === cur)) cField.append(h('option', { value: cur, text: cur }));
    cField.value = cur;
    showCond();
  }
  function showCond() {
    const on = !!cField.value;
    cOp.hidden = !on;
    cVal.hidden = !on;
    unit.textContent = on && fieldType() === 'money' ? t('tpl.yuan') : '';
  }
  cField.addEventListener('change', showCond);
  fillFields();
  cVal.value = when ? valueToInput(when.value, fieldType()) : '';

  const no = h('span', { class: 'te-no', text: String(index + 1) });
  const row = h('div', { class: 'te-row', dataset: { kind: 'step' } },
    h('div', { class: 'te-line' }, no,
      small(t('tpl.s_name'), name, 'te-step-name'),
      small(t('tpl.s_approver'), apType, 'te-type'), roleCell, userCell,
      small(t('tpl.s_mode'), mode, 'te-mode'),
      small(t('tpl.s_limit'), limit, 'te-num'),
      h('div', { class: 'te-ops' },
        h('button', { type: 'button', class: 'icon-btn', title: t('tpl.up'), 'aria-label': t('tpl.up'), text: '↑', onclick: () => onMove(-1) }),
        h('button', { type: 'button', class: 'icon-btn', title: t('tpl.down'), 'aria-label': t('tpl.down'), text: '↓', onclick: () => onMove(1) }),
        h('button', { type: 'button', class: 'icon-btn te-remove', title: t('tpl.remove'), 'aria-label': t('tpl.remove'), text: '×', onclick: () => onRemove() }))),
    h('div', { class: 'te-extra te-cond' }, h('span', { class: 'te-label', text: t('tpl.s_condition') }), cField, cOp, cVal, unit));

  return {
    el: row,
    setNo(i) { no.textContent = String(i + 1); },
    refreshFields: fillFields,
    read(errs) {
      const out = { ...orig };
      delete out.when;
      delete out.limit_hours;
      out.name = name.value.trim();
      const a = { type: apType.value };
      if (a.type === 'role') a.role = role.value;
      if (a.type === 'user') a.username = username.value.trim();
      out.approver = a;
      out.mode = mode.value;
      const lim = limit.value.trim();
      if (lim) {
        if (/^\d+$/.test(lim)) out.limit_hours = Number(lim);
        else errs.push(t('tpl.bad_number', { what: `${out.name} ${t('tpl.s_limit')}` }));
      }
      if (cField.value) {
        const ty = fieldType();
        const conv = (s) => {
          const x = s.trim();
          if (ty === 'money') { const b = fmt.parseHundredths(x); return b === null ? x : Number(b); }
          if (ty === 'int') return /^-?\d+$/.test(x) ? Number(x) : x;
          if (ty === 'bool') return x === 'true' || x === '是';
          return x;
        };
        const value = cOp.value === 'in' ? cVal.value.split(/[,，]/).filter((s) => s.trim()).map(conv) : conv(cVal.value);
        out.when = { field: cField.value, op: cOp.value, value };
      }
      return out;
    },
    mark(on) { row.classList.toggle('te-bad', !!on); if (on) row.scrollIntoView({ block: 'nearest' }); },
  };
}

// ---- the panel -------------------------------------------------------------------------------------

export function templateEditor(item, meta, refresh) {
  const form = asObject(item.form_json, { fields: [] });
  const steps = asObject(item.steps_json, []);
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const status = h('span', { class: 'muted small te-status' });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'button', text: t('common.save'), dataset: { action: 'save-template' } });
  const body = h('div', { class: 'te-body' }, h('div', { class: 'muted', text: t('common.loading') }));
  const panel = h('section', { class: 'card template-editor', dataset: { part: 'template-editor' } },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: t('tpl.editor') }),
      h('div', { class: 'card-head-actions' }, status, saveBtn)),
    banner, body);
  let dirty = false;
  panel.addEventListener('input', () => { dirty = true; status.textContent = t('tpl.unsaved'); });
  panel.addEventListener('change', () => { dirty = true; status.textContent = t('tpl.unsaved'); });

  roleList().then((roles) => {
    let stepList = null;
    const fieldList = listEditor({
      items: Array.isArray(form.fields) ? form.fields : [],
      make: (f, ctl) => fieldRow(f, { types: FIELD_TYPES, ...ctl }),
      addLabel: t('tpl.add_field'),
      blank: () => ({ name: '', label: '', type: 'text' }),
      cls: 'te-fields',
      onChange: () => { if (stepList) stepList.rows.forEach((r) => r.refreshFields()); },
    });
    const fieldsNow = () => fieldList.rows.map((r) => ({ name: r.name, type: r.type, label: r.label }));
    stepList = listEditor({
      items: Array.isArray(steps) ? steps : [],
      make: (s, ctl) => stepRow(s, { ...ctl, fieldsNow, roles }),
      addLabel: t('tpl.add_step'),
      blank: () => ({ name: '', approver: { type: 'role', role: 'manager' }, mode: 'any', limit_hours: 24 }),
      cls: 'te-steps',
    });
    // Field names typed or changed: the step conditions offer them.
    fieldList.el.addEventListener('change', () => stepList.rows.forEach((r) => r.refreshFields()));
    const computed = form.computed && typeof form.computed === 'object' ? Object.entries(form.computed) : [];
    replace(body,
      h('div', { class: 'te-section', dataset: { section: 'fields' } },
        h('h3', { class: 'te-title' }, t('tpl.fields'), h('span', { class: 'count', text: String(fieldList.rows.length) })),
        computed.length ? h('div', { class: 'muted small te-computed', text: t('tpl.computed', { list: computed.map(([k, v]) => `${k} = Σ ${v}`).join('；') }) }) : null,
        fieldList.el),
      h('div', { class: 'te-section', dataset: { section: 'steps' } },
        h('h3', { class: 'te-title' }, t('tpl.steps'), h('span', { class: 'count', text: String(stepList.rows.length) })),
        h('div', { class: 'muted small', text: t('tpl.steps_hint') }),
        stepList.el));

    saveBtn.addEventListener('click', async () => {
      banner.hidden = true;
      fieldList.rows.forEach((r) => r.mark(false));
      stepList.rows.forEach((r) => r.mark(false));
      const errs = [];
      const fields = fieldList.read(errs);
      const route = stepList.read(errs);
      if (errs.length) {
        banner.textContent = errs.join('；');
        banner.hidden = false;
        return;
      }
      const newForm = { ...form, fields };
      setBusy(saveBtn, true, t('common.saving'));
      try {
        const saved = await api.patch(`${meta.path}/${encodeURIComponent(item.id)}`, { form_json: newForm, steps_json: route });
        dirty = false;
        forgetTemplate(item.id);
        toast(t('tpl.saved', { v: saved && saved.version !== undefined ? saved.version : '' }), 'success');
        refresh();
      } catch (err) {
        banner.textContent = err.message;
        banner.hidden = false;
        // "第 2 步…" / "第 3 个字段…": mark that row.
        const m = /第 (\d+) (步|个字段)/.exec(err.message || '');
        if (m) {
          const list = m[2] === '步' ? stepList.rows : fieldList.rows;
          const r = list[Number(m[1]) - 1];
          if (r) r.mark(true);
        }
        banner.scrollIntoView({ block: 'nearest' });
      } finally {
        setBusy(saveBtn, false);
      }
    });
  });

  panel.isDirty = () => dirty;
  return panel;
}

// ---- JSON export / import (list page) ------------------------------------------------------------

export async function exportTemplates(id) {
  const path = id ? `approval-templates/${encodeURIComponent(id)}/export` : 'approval-templates/export';
  const r = await api.download(path, null, id ? `approval-template-${id}.json` : 'approval-templates.json');
  toast(t('list.exported', { name: r.name }), 'success');
}

export function importTemplates(reload) {
  const inputId = nextId('tpl-import');
  const input = h('input', { type: 'file', id: inputId, accept: '.json,application/json', class: 'file-input' });
  const name = h('span', { class: 'file-name muted', text: t('tpl.import_none') });
  const err = h('div', { class: 'field-error', role: 'alert' });
  let parsed = null;
  input.addEventListener('change', async () => {
    err.textContent = '';
    parsed = null;
    const f = input.files && input.files[0];
    if (!f) { name.textContent = t('tpl.import_none'); return; }
    name.textContent = f.name;
    try {
      parsed = JSON.parse(await f.text());
    } catch {
      err.textContent = t('tpl.import_bad_json');
      return;
    }
    const n = Array.isArray(parsed.templates) ? parsed.templates.length : 1;
    name.textContent = t('tpl.import_file', { name: f.name, n });
  });
  return modal({
    title: t('tpl.import'),
    okText: t('tpl.import_ok'),
    body: h('div', { class: 'tpl-import' },
      h('p', { class: 'muted', text: t('tpl.import_hint') }),
      h('div', { class: 'step-row' }, h('label', { class: 'btn', for: inputId, text: t('imp.pick') }), input, name),
      err),
    onOk: async () => {
      err.textContent = '';
      if (!parsed) {
        err.textContent = t('tpl.import_pick');
        return false;
      }
      try {
        const r = await api.post('approval-templates/import', parsed);
        toast(t('tpl.imported', { c: r.created, u: r.updated }), 'success');
        reload();
        return true;
      } catch (e) {
        err.textContent = e.message;
        return false;
      }
    },
  });
}
