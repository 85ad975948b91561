// 新建工单 (#/ticket/new?customer=&unit=&type=): intake during a live call,
// keyboard only. The caller comes from the global search (Shift+Enter on a
// result) or the 360 page (N); customer and unit are filled in, channel 来电
// and severity 一般 are set, the focus waits in the first empty field and
// Ctrl+Enter saves. A 12345 ticket asks for the hotline's number and deadline.
import { h, replace, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { loading, errorState, toast, setBusy } from './ui.js';
import { customerPicker } from './widgets.js';
import { TYPES, CHANNELS, SEVERITIES, codeLabel, categories } from './ticket_common.js';
import { warrantyBox } from './ticket_view.js';

/** A labelled form item with an error line; `field` is the API's name for it. */
function item(field, label, control, { required, help, wide, id } = {}) {
  const err = h('div', { class: 'field-error', role: 'alert', id: id ? `${id}-err` : null });
  const el = h('div', { class: ['form-item', wide && 'wide'], dataset: { field } },
    h('label', { class: 'form-label', for: id || null }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null),
    control, help ? h('div', { class: 'field-help', text: help }) : null, err);
  const set = (msg) => {
    err.textContent = msg || '';
    el.classList.toggle('has-error', !!msg);
  };
  el.addEventListener('input', () => set(''));
  el.addEventListener('change', () => set(''));
  return { el, set };
}

/**
 * The category picker: type part of a name (漏水, 门窗 …), arrows, Enter.
 * Without text it lists the tree. read() → the chosen id or null.
 */
export function categoryPicker(cats, { id, onChange } = {}) {
  const listId = `${id}-list`;
  const input = h('input', {
    id, type: 'text', autocomplete: 'off', spellcheck: 'false', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder: t('tk.category_ph'), dataset: { picker: 'category' },
  });
  const list = h('div', { class: 'picker-list cat-list', id: listId, role: 'listbox', hidden: true });
  const box = h('div', { class: 'picker cat-picker' }, input, list);
  let chosen = null;
  let hits = [];
  let active = -1;
  const open = (on) => { list.hidden = !on; input.setAttribute('aria-expanded', String(on)); };
  const setActive = (i) => {
    if (!hits.length) { active = -1; return; }
    active = (i + hits.length) % hits.length;
    hits.forEach((x, k) => { x.el.classList.toggle('active', k === active); x.el.setAttribute('aria-selected', String(k === active)); });
    hits[active].el.scrollIntoView({ block: 'nearest' });
  };
  const pick = (c) => {
    chosen = c;
    input.value = c ? c.path : '';
    box.dataset.value = c ? String(c.id) : '';
    open(false);
    if (onChange) onChange(c);
  };
  function show() {
    const q = input.value.trim().toLowerCase();
    const matches = (chosen && input.value === chosen.path) || !q ? cats : cats.filter((c) => c.path.toLowerCase().includes(q));
    // Leaves first when searching: "渗漏" offers 卫生间渗漏 … before the group.
    const shown = q && !(chosen && input.value === chosen.path) ? matches.slice().sort((a, b) => (b.leaf - a.leaf) || (a.depth - b.depth)) : matches;
    hits = shown.slice(0, 60).map((c, i) => {
      const el = h('div', {
        class: ['picker-item', 'cat-item', `depth-${Math.min(c.depth, 3)}`], role: 'option', id: `${id}-o${i}`, dataset: { id: c.id },
      }, h('span', { class: 'cat-name', text: q ? c.path : c.name }));
      el.addEventListener('mousedown', (e) => e.preventDefault());
      el.addEventListener('click', () => pick(c));
      return { c, el };
    });
    replace(list, hits.length ? hits.map((x) => x.el) : h('div', { class: 'picker-empty muted', text: t('tk.category_none', { q: input.value.trim() }) }));
    open(true);
    const at = chosen ? hits.findIndex((x) => x.c.id === chosen.id) : -1;
    setActive(at >= 0 ? at : 0);
  }
  input.addEventListener('input', () => {
    if (chosen && input.value !== chosen.path) { chosen = null; box.dataset.value = ''; if (onChange) onChange(null); }
    show();
  });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) { show(); return; }
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      if (list.hidden) { show(); return; }
      if (hits[active]) pick(hits[active].c);
    } else if (e.key === 'Tab' && !list.hidden && input.value.trim() && !chosen && hits[active]) {
      // Tab takes the highlighted category and moves on.
      pick(hits[active].c);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      e.stopPropagation();
      open(false);
    }
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 150));
  return {
    el: box, input,
    read: () => (chosen ? chosen.id : null),
    set: (catId) => pick(cats.find((c) => String(c.id) === String(catId)) || null),
  };
}

export async function renderTicketNew(main, query, ctx) {
  ctx.setTitle(t('tk.new'));
  replace(main, loading());
  const customerId = /^\d{1,18}$/.test(query.get('customer') || '') ? query.get('customer') : null;
  let cats;
  let c360 = null;
  try {
    [cats, c360] = await Promise.all([
      categories(),
      customerId ? api.get(`customers/${encodeURIComponent(customerId)}/360`) : null,
    ]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderTicketNew(main, query, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const cust = c360 && c360.customer;
  const units = (c360 && c360.units) || [];
  const wantUnit = query.get('unit');

  // ---- who is calling -----------------------------------------------------------------
  const callerBox = h('section', { class: 'card intake-caller', dataset: { part: 'caller' } });
  let callerName = null;
  let callerPhone = null;
  if (cust) {
    callerBox.dataset.customer = cust.id;
    callerBox.append(
      h('div', { class: 'intake-who' },
        h('span', { class: 'avatar', 'aria-hidden': 'true', text: (cust.name || '?').slice(0, 1) }),
        h('a', { class: 'intake-name', href: router.page('360', cust.id), text: cust.name || `#${cust.id}`, tabindex: -1 }),
        h('span', { class: 'mono muted', text: cust.phone || '' }),
        h('span', { class: 'muted small', text: units.length ? units.map((u) => u.room_code).join('、') : t('c360.no_units_long') })),
      h('a', { class: 'btn btn-link btn-sm', href: router.page('ticket', 'new'), text: t('tk.other_caller'), tabindex: -1 }));
  } else {
    const picker = customerPicker({
      id: 'tk-customer-pick',
      placeholder: t('tk.find_caller'),
      onPick: (c) => router.go(router.page('ticket', 'new', { customer: c.id })),
    });
    callerName = h('input', { id: 'tk-caller-name', name: 'caller_name', type: 'text', autocomplete: 'off', maxlength: 60 });
    callerPhone = h('input', { id: 'tk-caller-phone', name: 'caller_phone', type: 'text', autocomplete: 'off', inputmode: 'tel', maxlength: 30 });
    callerBox.append(h('div', { class: 'intake-find' }, h('label', { class: 'form-label', for: 'tk-customer-pick', text: t('tk.caller_known') }), picker.el),
      h('div', { class: 'muted small', text: t('tk.caller_unknown') }));
  }

  // ---- fields ------------------------------------------------------------------------------
  const fields = {};
  const typeName = nextId('tk-type');
  const typeRadios = TYPES.map((v) => h('input', { type: 'radio', name: typeName, value: v, id: `tk-type-${v}`, checked: query.get('type') === v }));
  const typeGroup = h('div', { class: 'seg form-seg radio-seg', role: 'radiogroup', 'aria-label': t('tk.type'), id: 'tk-type' },
    typeRadios.map((r) => h('label', { class: 'seg-radio', for: r.id, dataset: { value: r.value } }, r, h('span', { text: codeLabel('type', r.value) }))));
  fields.type = item('type', t('tk.type'), typeGroup, { required: true, help: t('tk.type_help') });

  const unitSel = h('select', { id: 'tk-unit', name: 'unit_id' },
    units.length === 1 ? null : h('option', { value: '', text: units.length ? t('form.select') : t('tk.no_unit') }),
    units.map((u) => h('option', { value: String(u.id), text: [u.room_code, u.project_name, u.building_name].filter(Boolean).join(' · ') })));
  if (wantUnit && units.some((u) => String(u.id) === wantUnit)) unitSel.value = wantUnit;
  fields.unit_id = item('unit_id', t('tk.unit'), unitSel, { id: 'tk-unit', required: units.length > 0 });

  const warranty = h('div', { class: 'intake-warranty', dataset: { part: 'warranty' } });
  const cat = categoryPicker(cats, { id: 'tk-category', onChange: () => checkWarranty() });
  fields.category_id = item('category_id', t('tk.category'), h('div', null, cat.el, warranty), { id: 'tk-category', required: true });

  const desc = h('textarea', { id: 'tk-description', name: 'description', rows: 3, maxlength: 2000, placeholder: t('tk.description_ph') });
  fields.description = item('description', t('tk.description'), desc, { id: 'tk-description', required: true, wide: true });
  const loc = h('input', { id: 'tk-location', name: 'location', type: 'text', autocomplete: 'off', maxlength: 100, placeholder: t('tk.location_ph') });
  fields.location = item('location', t('tk.location'), loc, { id: 'tk-location' });
  const title = h('input', { id: 'tk-title', name: 'title', type: 'text', autocomplete: 'off', maxlength: 100, placeholder: t('tk.title_ph') });
  fields.title = item('title', t('tk.title'), title, { id: 'tk-title' });

  const channel = h('select', { id: 'tk-channel', name: 'channel' }, CHANNELS.map((v) => h('option', { value: v, text: codeLabel('channel', v) })));
  channel.value = CHANNELS.includes(query.get('channel')) ? query.get('channel') : 'phone';
  fields.channel = item('channel', t('tk.channel'), channel, { id: 'tk-channel', required: true });
  const severity = h('select', { id: 'tk-severity', name: 'severity' }, SEVERITIES.map((v) => h('option', { value: v, text: codeLabel('severity', v) })));
  severity.value = 'normal';
  fields.severity = item('severity', t('tk.severity'), severity, { id: 'tk-severity', required: true, help: t('tk.severity_help') });

  const hotNo = h('input', { id: 'tk-hotline-no', name: 'hotline_no', type: 'text', autocomplete: 'off', maxlength: 40, placeholder: t('tk.hotline_no_ph') });
  fields.hotline_no = item('hotline_no', t('tk.hotline_no'), hotNo, { id: 'tk-hotline-no', required: true });
  const hotDue = h('input', { id: 'tk-hotline-deadline', name: 'hotline_deadline', type: 'datetime-local' });
  fields.hotline_deadline = item('hotline_deadline', t('tk.hotline_deadline'), hotDue, { id: 'tk-hotline-deadline', required: true, help: t('tk.hotline_deadline_help') });
  const hotline = h('div', { class: 'form-grid hotline-box', dataset: { part: 'hotline' } }, fields.hotline_no.el, fields.hotline_deadline.el);
  const syncHotline = () => { hotline.hidden = channel.value !== 'hotline'; };
  channel.addEventListener('change', syncHotline);
  syncHotline();

  if (callerName) {
    fields.caller_name = item('caller_name', t('tk.caller_name'), callerName, { id: 'tk-caller-name' });
    fields.caller_phone = item('caller_phone', t('tk.caller_phone'), callerPhone, { id: 'tk-caller-phone' });
  }

  async function checkWarranty() {
    warranty.replaceChildren();
    const u = unitSel.value;
    const c = cat.read();
    if (!u || !c) return;
    try {
      const w = await api.get(`units/${encodeURIComponent(u)}/warranty`, { category_id: c });
      if (unitSel.value !== u || cat.read() !== c) return;
      warranty.replaceChildren(warrantyBox(w, true));
    } catch { /* no hint */ }
  }
  unitSel.addEventListener('change', checkWarranty);

  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', dataset: { action: 'save-ticket' } }, t('tk.save'), h('kbd', { class: 'btn-kbd', text: 'Ctrl+Enter' }));
  const form = h('form', { class: 'ticket-form', novalidate: true, autocomplete: 'off' },
    banner,
    h('div', { class: 'form-grid' },
      fields.type.el, fields.category_id.el,
      fields.unit_id.el, fields.location.el,
      fields.description.el,
      fields.channel.el, fields.severity.el,
      fields.title.el,
      fields.caller_name ? fields.caller_name.el : null, fields.caller_phone ? fields.caller_phone.el : null),
    hotline,
    h('div', { class: 'form-actions' },
      h('span', { class: 'muted small', text: t('tk.keys') }),
      h('a', { class: 'btn', href: cust ? router.page('360', cust.id) : router.page('tickets/queue'), text: t('common.cancel') }),
      saveBtn));

  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: router.page('tickets/queue'), text: `‹ ${t('tk.queue')}` }),
      h('h1', { class: 'page-title', text: t('tk.new') })));
  const page = h('div', { class: 'page page-ticket-new', dataset: { customer: cust ? cust.id : '' } }, header, callerBox, h('section', { class: 'card' }, form));
  replace(main, page);

  let dirty = false;
  form.addEventListener('input', () => { dirty = true; });
  router.setLeaveGuard(() => !dirty || !page.isConnected || window.confirm(t('form.leave_confirm')));

  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit(saveBtn);
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (saveBtn.disabled) return;
    Object.values(fields).forEach((f) => f.set(''));
    banner.hidden = true;
    const typeV = (typeRadios.find((r) => r.checked) || {}).value || '';
    const body = {
      type: typeV,
      channel: channel.value,
      severity: severity.value,
      category_id: cat.read(),
      description: desc.value.trim(),
    };
    if (cust) body.customer_id = Number(cust.id);
    if (unitSel.value) body.unit_id = Number(unitSel.value);
    if (loc.value.trim()) body.location = loc.value.trim();
    if (callerName && callerName.value.trim()) body.caller_name = callerName.value.trim();
    if (callerPhone && callerPhone.value.trim()) body.caller_phone = callerPhone.value.trim();
    const catObj = cats.find((c) => c.id === body.category_id);
    body.title = title.value.trim() || autoTitle(catObj, body.description);
    const bad = [];
    const need = (k, ok, msg) => { if (!ok) { fields[k].set(msg); bad.push(k); } };
    need('type', !!typeV, t('tk.need_type'));
    need('category_id', !!body.category_id, t('tk.need_category'));
    if (units.length) need('unit_id', !!body.unit_id, t('tk.need_unit'));
    need('description', !!body.description, t('form.required', { label: t('tk.description') }));
    if (body.channel === 'hotline') {
      body.hotline_no = hotNo.value.trim();
      const due = fmt.inputToDatetime(hotDue.value);
      need('hotline_no', !!body.hotline_no, t('form.required', { label: t('tk.hotline_no') }));
      need('hotline_deadline', !!due, t('form.required', { label: t('tk.hotline_deadline') }));
      if (due) body.hotline_deadline = due;
    }
    if (!cust && !body.caller_name && !body.caller_phone) {
      banner.textContent = t('tk.need_caller');
      banner.hidden = false;
      bad.push('caller_name');
    }
    if (bad.length) {
      focusField(bad[0]);
      return;
    }
    setBusy(saveBtn, true, t('common.saving'));
    try {
      const tk = await api.post('tickets', body);
      dirty = false;
      toast(t('tk.created', { no: tk.no || `#${tk.id}` }), 'success');
      if (tk.cluster) toast(t('tk.cluster_joined', { n: tk.cluster.count || tk.cluster.tickets || '' }), 'warning', 8000);
      router.go(router.page('ticket', tk.id));
    } catch (err) {
      setBusy(saveBtn, false);
      const k = err.field && fields[err.field] ? err.field : null;
      if (k) {
        fields[k].set(err.message);
        focusField(k);
      } else {
        banner.textContent = err.message;
        banner.hidden = false;
      }
    }
  });

  function focusField(k) {
    const f = fields[k];
    if (k === 'type') { (typeRadios.find((r) => r.checked) || typeRadios[0]).focus(); return; }
    const x = f && f.el.querySelector('input, select, textarea');
    if (x) x.focus();
  }

  // The first empty field takes the focus: the type, then the category …
  const firstEmpty = [
    ['type', () => typeRadios.some((r) => r.checked)],
    ['caller', () => !!cust],
    ['category_id', () => !!cat.read()],
    ['unit_id', () => !units.length || !!unitSel.value],
    ['description', () => !!desc.value.trim()],
  ].find(([, filled]) => !filled());
  if (firstEmpty && firstEmpty[0] === 'caller') document.getElementById('tk-customer-pick').focus();
  else focusField(firstEmpty ? firstEmpty[0] : 'description');
  if (unitSel.value) checkWarranty();
}

/** 卫生间渗漏：主卧卫生间顶部滴水… (at most 40 characters). */
function autoTitle(catObj, description) {
  const head = catObj ? catObj.name : '';
  const text = String(description || '').replace(/\s+/g, ' ');
  const s = head ? `${head}：${text}` : text;
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
