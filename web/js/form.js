// Generic create / edit form from entity metadata. Labels above fields, the
// API's error under the field it names, Ctrl+Enter saves, typed input is kept.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { getEntityMeta } from './meta.js';
import { formField, fieldLabel } from './fields.js';
import { loading, errorState, toast, setBusy } from './ui.js';
import { recordTitle } from './detail.js';
import { CREATE_DEFAULTS } from './actions.js';

function sameValue(a, b) {
  const norm = (v) => (v === undefined || v === '' ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function sameSet(a, b) {
  const x = (Array.isArray(a) ? a : []).map(String).sort();
  const y = (Array.isArray(b) ? b : []).map(String).sort();
  return JSON.stringify(x) === JSON.stringify(y);
}

export async function renderForm(main, entity, id, ctx) {
  const mode = id === null || id === undefined ? 'create' : 'update';
  replace(main, loading());
  let meta;
  let item = null;
  try {
    meta = await getEntityMeta(entity);
    if (mode === 'update') item = await api.get(`${meta.path}/${encodeURIComponent(id)}`);
  } catch (err) {
    replace(main, errorState(err, () => renderForm(main, entity, id, ctx)));
    return;
  }
  const label = L(meta, entity);
  const heading = mode === 'create' ? t('form.new_title', { label }) : t('form.edit_title', { label });
  ctx.setTitle(heading);

  const fields = meta.fields.filter((f) => {
    if (f.type === 'password') return mode === 'create' && f.create !== false;
    if (f.type === 'json') return mode === 'update' && (f.update || f.create);
    return mode === 'create' ? f.create : f.update;
  });
  const items = fields.map((f) => formField(f, { mode, item }));
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', text: t('common.save'), dataset: { action: 'save' } });
  // Opened from the 360 page (?back=360): return there, not to the record.
  const back360 = mode === 'update' && entity === 'customers' && ctx.query && ctx.query.get('back') === '360';
  const doneHref = back360 ? router.page('360', id) : router.href('view', entity, id);
  const cancelHref = mode === 'create' ? router.href('list', entity) : doneHref;
  const form = h('form', { class: 'entity-form', novalidate: true, dataset: { entity, mode } },
    banner,
    h('section', { class: 'card form-card' }, h('div', { class: 'form-grid' }, items.map((x) => x.el))),
    h('div', { class: 'form-foot' },
      h('span', { class: 'muted small', text: t('common.shortcut_save') }),
      h('div', { class: 'form-foot-buttons' },
        h('a', { class: 'btn', href: cancelHref, text: t('common.cancel'), dataset: { action: 'cancel' } }),
        saveBtn)));

  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: cancelHref, text: `‹ ${mode === 'create' ? label : recordTitle(meta, item)}` }),
      h('h1', { class: 'page-title', text: mode === 'update' ? `${heading} · ${recordTitle(meta, item)}` : heading })));
  replace(main, h('div', { class: 'page page-form' }, header, form));

  let dirty = false;
  let saving = false;
  form.addEventListener('input', () => { dirty = true; });
  form.addEventListener('change', () => { dirty = true; });
  router.setLeaveGuard(() => !dirty || saving || window.confirm(t('form.leave_confirm')));
  const onUnload = (e) => {
    if (!form.isConnected) {
      window.removeEventListener('beforeunload', onUnload);
      return;
    }
    if (dirty && !saving) {
      e.preventDefault();
      e.returnValue = '';
    }
  };
  window.addEventListener('beforeunload', onUnload);
  const stopGuard = () => {
    dirty = false;
    window.removeEventListener('beforeunload', onUnload);
  };

  function showBanner(msg) {
    banner.textContent = msg;
    banner.hidden = !msg;
  }

  async function save() {
    if (saving) return;
    showBanner('');
    items.forEach((x) => x.clearError());
    const body = {};
    let firstBad = null;
    for (const x of items) {
      const r = x.read();
      if (r.skip) continue;
      const f = x.field;
      if (r.error) {
        x.setError(r.error);
        firstBad = firstBad || x;
        continue;
      }
      if (mode === 'create') {
        if (r.empty && f.required) {
          x.setError(t('form.required', { label: fieldLabel(f) }));
          firstBad = firstBad || x;
          continue;
        }
        if (!r.empty || f.type === 'refs' || f.type === 'enums') body[f.name] = r.value;
      } else {
        if (r.keep) continue; // masked value left empty: unchanged
        const changed = f.type === 'refs' || f.type === 'enums' ? !sameSet(r.value, x.original) : !sameValue(r.value, x.original);
        if (!changed) continue;
        if (r.empty && f.required) {
          x.setError(t('form.required', { label: fieldLabel(f) }));
          firstBad = firstBad || x;
          continue;
        }
        body[f.name] = r.value;
      }
    }
    if (firstBad) {
      showBanner(t('form.fix_errors'));
      firstBad.focus();
      return;
    }
    if (mode === 'create' && CREATE_DEFAULTS[entity]) {
      for (const [k, v] of Object.entries(CREATE_DEFAULTS[entity]())) if (!(k in body)) body[k] = v;
    }
    if (mode === 'update' && Object.keys(body).length === 0) {
      toast(t('form.unchanged'), 'info');
      stopGuard();
      router.go(doneHref);
      return;
    }
    saving = true;
    setBusy(saveBtn, true, t('common.saving'));
    try {
      const saved = mode === 'create'
        ? await api.post(meta.path, body)
        : await api.patch(`${meta.path}/${encodeURIComponent(id)}`, body);
      stopGuard();
      toast(mode === 'create' ? t('form.created') : t('form.saved'), 'success');
      const newId = saved && saved.id !== undefined ? saved.id : id;
      if (back360) router.go(doneHref);
      else router.go(newId !== null && newId !== undefined ? router.href('view', entity, newId) : router.href('list', entity));
    } catch (err) {
      const target = err.field ? items.find((x) => x.name === err.field) : null;
      if (target) {
        target.setError(err.message);
        target.focus();
      } else {
        showBanner(err.field ? `${err.message}（${err.field}）` : err.message);
        banner.scrollIntoView({ block: 'nearest' });
      }
    } finally {
      saving = false;
      setBusy(saveBtn, false);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    }
  });
  const first = items.find((x) => x.field.type !== 'json');
  if (first) first.focus();
}
