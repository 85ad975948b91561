// Metadata from /api/v1/meta: navigation and entity descriptions, cached for
// the session; plus option lists for ref fields.
import * as api from './api.js';
import { L } from './i18n.js';

let entityCache = new Map();
let refCache = new Map();
let enumCache = new Map();
let enumsLoad = null; // GET /meta/enums, once a session

export function resetMetaCache() {
  entityCache = new Map();
  refCache = new Map();
  enumCache = new Map();
  enumsLoad = null;
}

// Every option list (GET /meta/enums, once a session): state fields are shown
// outside their own entity's pages (search results, the 360 page, the
// building grid), to users who may not read that entity's metadata.
/** Load the option lists; startSession waits for it before the first page. */
export function loadEnums() {
  if (!enumsLoad) {
    enumsLoad = api.get('meta/enums').then((all) => {
      for (const [key, f] of Object.entries(all || {})) enumCache.set(key, f);
    });
    enumsLoad.catch(() => { enumsLoad = null; });
  }
  return enumsLoad;
}

/** An enum field of an entity, now (the option lists load with the session). */
export function enumField(entity, name) {
  return enumCache.get(`${entity}.${name}`) || { name, type: 'enum', options: [] };
}

/** The label of an enum value ("signed" → 已签约), from enumField(). */
export function enumLabel(entity, name, value) {
  const f = enumField(entity, name);
  const o = (f.options || []).find((x) => String(x.value) === String(value));
  return o ? L(o, String(value)) : String(value ?? '');
}

/** The same, once the option lists have loaded (never rejects). */
enumField.ready = async (entity, name) => {
  try {
    await loadEnums();
  } catch { /* shown as the stored codes */ }
  return enumField(entity, name);
};

export function getEntityMeta(name) {
  if (!entityCache.has(name)) {
    const p = api.get(`meta/entities/${encodeURIComponent(name)}`).then(normalizeMeta);
    p.catch(() => entityCache.delete(name));
    entityCache.set(name, p);
  }
  return entityCache.get(name);
}

function normalizeMeta(m) {
  const meta = { ...m };
  meta.path = meta.path || `/api/v1/${meta.name}`;
  meta.fields = (meta.fields || []).map((f) => ({ ...f, type: f.type || 'text' }));
  return meta;
}

export async function getNav() {
  const r = await api.get('meta/nav');
  return (r && Array.isArray(r.groups) ? r.groups : []).filter((g) => Array.isArray(g.items) && g.items.length);
}

export function fieldByName(meta, name) {
  return meta.fields.find((f) => f.name === name) || null;
}

function optionLabel(item, titleField) {
  if (titleField && item[titleField] !== undefined && item[titleField] !== null && item[titleField] !== '') {
    const title = String(item[titleField]);
    const extra = item.name && titleField !== 'name' && item.name !== title ? ` ${item.name}` : '';
    return title + extra;
  }
  return L(item) || item.name || item.display_name || item.username || item.code || `#${item.id}`;
}

/**
 * Options for a ref / refs field: [{value, label, group}]. Uses the ref
 * entity's metadata for its path and title when readable; otherwise
 * GET /api/v1/<ref> (e.g. permissions, whose items have `code`).
 */
export function refOptions(ref) {
  if (!refCache.has(ref)) {
    const p = (async () => {
      let path = `/api/v1/${ref}`;
      let titleField = null;
      let sort = null;
      try {
        const m = await getEntityMeta(ref);
        path = m.path;
        titleField = m.title_field || null;
        sort = m.default_sort || null;
      } catch (e) {
        if (e.status !== 404 && e.status !== 403) throw e;
      }
      const query = { limit: 200 };
      if (sort) query.sort = sort;
      let r;
      try {
        r = await api.get(path, query);
      } catch (e) {
        // Not a generic list (no paging params): try the bare route.
        if (e.status !== 400) throw e;
        r = await api.get(path);
      }
      const items = (r && r.items) || [];
      return items.map((it) => ({
        value: it.id !== undefined ? it.id : it.code,
        label: optionLabel(it, titleField),
        group: it.group_label || it.group || '',
      }));
    })();
    p.catch(() => refCache.delete(ref));
    refCache.set(ref, p);
  }
  return refCache.get(ref);
}
