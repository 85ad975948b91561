// Generic detail page: header with title and state tag, allowed actions,
// fields in a grid, and the history timeline from /api/v1/audit.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { getEntityMeta } from './meta.js';
import { can } from './session.js';
import { displayValue, fieldLabel, textValue } from './fields.js';
import { loading, errorState, enumTag } from './ui.js';
import { ENTITY_ACTIONS, ENTITY_LINKS, DETAIL_PANELS } from './actions.js';
import { maskedValue } from './reveal.js';

export function statusField(meta) {
  const enums = meta.fields.filter((f) => f.type === 'enum');
  return enums.find((f) => f.name === 'status' || f.name === 'state') || enums[0] || null;
}

export function recordTitle(meta, item) {
  const v = item && meta.title_field ? item[meta.title_field] : null;
  if (v === null || v === undefined || v === '') return `#${item ? item.id : ''}`;
  const f = meta.fields.find((x) => x.name === meta.title_field);
  return f ? textValue(f, v, item) || String(v) : String(v);
}

export async function renderDetail(main, entity, id, ctx) {
  replace(main, loading());
  let meta;
  let item;
  try {
    meta = await getEntityMeta(entity);
    item = await api.get(`${meta.path}/${encodeURIComponent(id)}`);
  } catch (err) {
    replace(main, errorState(err, () => renderDetail(main, entity, id, ctx)));
    return;
  }
  const label = L(meta, entity);
  const title = recordTitle(meta, item);
  ctx.setTitle(`${title} - ${label}`);
  const refresh = () => renderDetail(main, entity, id, ctx);

  const sf0 = statusField(meta);
  const sf = sf0 && sf0.name !== meta.title_field ? sf0 : null;
  const actions = h('div', { class: 'page-actions' });
  for (const a of ENTITY_ACTIONS[entity] || []) {
    if (a.perm && !can(a.perm)) continue;
    if (a.when && !a.when(item)) continue;
    actions.append(h('button', {
      class: ['btn', a.danger && 'btn-danger', a.primary && 'btn-primary'], type: 'button', text: a.label(), dataset: { action: a.key },
      onclick: () => a.run(item, meta, refresh),
    }));
  }
  for (const a of ENTITY_LINKS[entity] || []) {
    const to = a.perm && !can(a.perm) ? null : a.href(item);
    if (to) actions.append(h('a', { class: 'btn', href: to, text: a.label(), dataset: { action: a.key } }));
  }
  if (meta.can_update) {
    actions.append(h('a', { class: 'btn btn-primary', href: router.href('edit', entity, id), text: t('common.edit'), dataset: { action: 'edit' } }));
  }

  const header = h('div', { class: 'page-head detail-head' },
    h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: router.href('list', entity), text: `‹ ${label}`, title: t('detail.back_to_list', { label }) }),
      h('h1', { class: 'page-title' }, h('span', { class: 'record-title', text: title }),
        sf && item[sf.name] !== undefined && item[sf.name] !== null ? enumTag(sf, item[sf.name]) : null)),
    actions);

  const panelDef = DETAIL_PANELS[entity];
  const panel = panelDef && (!panelDef.perm || can(panelDef.perm)) ? panelDef : null;
  const hidden = new Set(panel ? panel.hide || [] : []);
  const grid = h('dl', { class: 'desc-grid' });
  for (const f of meta.fields) {
    if (f.type === 'password' || hidden.has(f.name)) continue;
    const wide = ['textarea', 'json', 'refs', 'enums'].includes(f.type);
    grid.append(h('div', { class: ['desc-item', wide && 'wide'], dataset: { field: f.name } },
      h('dt', { text: fieldLabel(f) }),
      h('dd', null, f.masked && f.type !== 'password'
        ? maskedValue(item[f.name], { path: meta.path, id, field: f.name, canReveal: !!f.reveal, label: fieldLabel(f) })
        : displayValue(f, item, { full: true }))));
  }
  const fieldsCard = h('section', { class: 'card' },
    h('h2', { class: 'card-title', text: t('detail.fields') }), grid);

  const body = h('div', { class: 'detail-body' }, h('div', { class: 'detail-main' }, fieldsCard));
  if (can('audit.read') && entity !== 'audit') {
    const timeline = h('div', { class: 'timeline-box' }, loading());
    body.append(h('aside', { class: 'detail-side' },
      h('section', { class: 'card history' }, h('h2', { class: 'card-title', text: t('detail.history') }), timeline)));
    loadHistory(timeline, meta, id);
  } else {
    body.classList.add('no-side');
  }
  // A panel of the entity's own (e.g. the template editor) takes the full width.
  replace(main, h('div', { class: 'page page-detail', dataset: { entity, id } }, header, body,
    panel ? panel.render(item, meta, refresh) : null));
}

// ---- history ----------------------------------------------------------------

function parseMaybeJson(v) {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!(s.startsWith('{') || s.startsWith('['))) return v;
  try { return JSON.parse(s); } catch { return v; }
}

function who(a) {
  if (a.user_id === 0 || (a.username === 'system' && !a.user_id)) return t('detail.system');
  const u = a.user && typeof a.user === 'object' ? a.user : null;
  return a.user_display_name || a.display_name || a.user_name || a.username || a.actor_name || a.actor
    || (u && (u.display_name || u.username))
    || (a.user_id !== undefined && a.user_id !== null ? `#${a.user_id}` : t('detail.system'));
}

function when(a) {
  return a.at || a.created_at || a.time || a.ts || a.timestamp || null;
}

function actionLabel(a, auditMeta) {
  const raw = String(a.action || a.op || a.event || a.kind || '');
  const af = auditMeta && auditMeta.fields.find((f) => f.name === 'action' && f.options);
  const opt = af && af.options.find((o) => o.value === raw);
  if (opt) return L(opt, raw);
  const key = raw.split(/[.:/]/).pop();
  const k = `audit.${key}`;
  const s = t(k);
  return s === k ? raw : s;
}

/** [{field, from, to, hasFrom}] from the many shapes an audit row may take. */
function changesOf(a) {
  const out = [];
  const before = parseMaybeJson(a.before_json ?? a.before ?? a.old ?? null);
  const after = parseMaybeJson(a.after_json ?? a.after ?? a.new ?? null);
  let c = parseMaybeJson(a.changes ?? a.diff ?? a.fields ?? a.detail ?? a.data ?? null);
  if (c && typeof c === 'object' && !Array.isArray(c) && (c.before || c.after) && Object.keys(c).every((k) => ['before', 'after'].includes(k))) {
    return changesOf({ before: c.before, after: c.after });
  }
  if (Array.isArray(c)) {
    for (const x of c) {
      if (x && typeof x === 'object' && (x.field || x.name)) {
        const from = x.old ?? x.from ?? x.before;
        out.push({ field: x.field || x.name, from, to: x.new ?? x.to ?? x.after ?? x.value, hasFrom: from !== undefined });
      }
    }
    return out;
  }
  if (c && typeof c === 'object') {
    for (const [k, v] of Object.entries(c)) {
      if (Array.isArray(v) && v.length === 2) out.push({ field: k, from: v[0], to: v[1], hasFrom: true });
      else if (v && typeof v === 'object' && !Array.isArray(v) && ('old' in v || 'new' in v || 'from' in v || 'to' in v || 'before' in v || 'after' in v)) {
        const from = v.old ?? v.from ?? v.before;
        out.push({ field: k, from, to: v.new ?? v.to ?? v.after, hasFrom: from !== undefined });
      } else out.push({ field: k, to: v, hasFrom: false });
    }
    return out;
  }
  if ((before && typeof before === 'object') || (after && typeof after === 'object')) {
    const b = before && typeof before === 'object' ? before : {};
    const af = after && typeof after === 'object' ? after : {};
    for (const k of new Set([...Object.keys(b), ...Object.keys(af)])) {
      if (JSON.stringify(b[k]) !== JSON.stringify(af[k])) {
        out.push({ field: k, from: b[k], to: af[k], hasFrom: k in b });
      }
    }
  }
  return out;
}

function changeValue(meta, name, v, record) {
  const f = meta.fields.find((x) => x.name === name);
  if (f && f.type === 'password') return '••••••';
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return t('common.none');
  if (!f) return typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A ref shows its display value when the audit record carries it.
  return textValue(f, v, record && typeof record === 'object' ? record : null) || t('common.none');
}

function recordsOf(a) {
  const c = parseMaybeJson(a.changes ?? a.diff ?? null);
  const pick = (x) => (x && typeof x === 'object' && !Array.isArray(x) ? x : null);
  return {
    before: pick(parseMaybeJson(a.before_json ?? a.before ?? a.old ?? (c && c.before) ?? null)),
    after: pick(parseMaybeJson(a.after_json ?? a.after ?? a.new ?? (c && c.after) ?? null)),
  };
}

/** Changes worth showing: declared fields only (display keys like role_name
 * are used for the ref they label); a creation lists only filled values. */
function visibleChanges(meta, a) {
  const all = changesOf(a).filter((c) => !HIDDEN_CHANGE_FIELDS.has(c.field));
  const declared = new Set(meta.fields.map((f) => f.name));
  let list = all.some((c) => declared.has(c.field)) ? all.filter((c) => declared.has(c.field)) : all;
  const isEmptyVal = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);
  if (list.every((c) => !c.hasFrom)) list = list.filter((c) => !isEmptyVal(c.to));
  return list;
}

const HIDDEN_CHANGE_FIELDS = new Set(['id', 'created_at', 'updated_at', 'password_hash', 'version']);

const DETAIL_KEYS = ['before_json', 'after_json', 'before', 'after', 'changes', 'diff'];
export async function loadHistory(box, meta, id) {
  let items;
  try {
    const r = await api.get('audit', { entity: meta.name, entity_id: id, limit: 100 });
    items = (r && r.items) || [];
  } catch (err) {
    replace(box, h('div', { class: 'muted', text: t('detail.history_error', { msg: err.message }) }));
    return;
  }
  // The audit trail's own metadata names its actions (新建, 重置密码 …).
  const auditMeta = await getEntityMeta('audit').catch(() => null);
  if (!items.length) {
    replace(box, h('div', { class: 'muted empty-small', text: t('detail.history_empty') }));
    return;
  }
  items.sort((x, y) => String(when(y) || '').localeCompare(String(when(x) || '')) || (Number(y.id) || 0) - (Number(x.id) || 0));
  const ol = h('ol', { class: 'timeline' });
  for (const a of items) {
    const changes = visibleChanges(meta, a);
    const rec = recordsOf(a);
    const ul = changes.length ? h('ul', { class: 'changes' }, changes.map((c) => {
      const f = meta.fields.find((x) => x.name === c.field);
      return h('li', { dataset: { field: c.field } },
        h('span', { class: 'change-field', text: f ? fieldLabel(f) : c.field }), '：',
        c.hasFrom ? h('span', { class: 'change-old', text: changeValue(meta, c.field, c.from, rec.before) }) : null,
        c.hasFrom ? h('span', { class: 'change-arrow', text: ' → ' }) : null,
        h('span', { class: 'change-new', text: changeValue(meta, c.field, c.to, rec.after) }));
    })) : null;
    const ts = when(a);
    ol.append(h('li', { class: 'timeline-item', dataset: { action: String(a.action || '') } },
      h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'timeline-content' },
        h('div', { class: 'timeline-head' },
          h('span', { class: 'timeline-who', text: who(a) }),
          h('span', { class: 'timeline-action', text: actionLabel(a, auditMeta) })),
        h('time', { class: 'timeline-time', datetime: ts || null, text: ts ? fmt.datetime(ts) : '' }),
        a.reason || a.note ? h('div', { class: 'timeline-note', text: String(a.reason || a.note) }) : null,
        ul)));
  }
  replace(box, ol);
}
