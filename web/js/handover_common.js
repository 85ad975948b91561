// What the handover screens share (docs/handover.md): the codes and their
// labels, the state tags in the UI's colours, small table and dialog helpers,
// and the lookups (projects' buildings, contractors, ticket categories).
import { h, replace } from './dom.js';
import { getLang } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { tag } from './ui.js';
import { categories } from './ticket_common.js';
import { enumField } from './meta.js';

/** A UI string in both languages: tr('交付批次', 'Delivery batches'). */
export function tr(zh, en, vars) {
  let s = getLang() === 'en' ? en : zh;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/**
 * code → [中文, English, colour] of one of the server's option lists
 * (GET /meta/enums). The lists load with the session, after this module,
 * so the map reads them on each use; it behaves as a plain object
 * (map[code], Object.keys(map), hasOwnProperty).
 */
function serverEnum(entity, field) {
  const now = () => {
    const m = {};
    for (const o of enumField(entity, field).options || []) m[o.value] = [o.label, o.label_en || o.label, o.color || 'neutral'];
    return m;
  };
  return new Proxy({}, {
    get: (_, k) => now()[k],
    has: (_, k) => k in now(),
    ownKeys: () => Object.keys(now()),
    getOwnPropertyDescriptor: (_, k) => {
      const v = now()[k];
      return v ? { value: v, enumerable: true, configurable: true, writable: false } : undefined;
    },
  });
}

export const BATCH_STATUS = serverEnum('delivery-batches', 'status');
export const HANDOVER_STATUS = serverEnum('handovers', 'status');
export const MAIL_STATUS = serverEnum('handovers', 'mail_status');
export const DEFECT_STATUS = serverEnum('inspection-defects', 'status');
export const CERT_STATUS = serverEnum('certificates', 'status');
// Not fields of an entity: code → [中文, English, colour] here.
export const INSPECTION_KIND = {
  pre: ['模拟验房', 'Pre-inspection', 'blue'],
  formal: ['正式验房', 'Formal inspection', 'blue'],
  re: ['复验', 'Re-inspection', 'blue'],
};
export const SEVERITY = {
  low: ['轻微', 'Minor', 'grey'],
  normal: ['一般', 'Normal', 'neutral'],
  high: ['严重', 'Serious', 'orange'],
  urgent: ['紧急', 'Urgent', 'red'],
};
export const DOCUMENTS = {
  quality_guarantee: ['住宅质量保证书', 'Housing quality guarantee'],
  manual: ['住宅使用说明书', 'Housing user manual'],
};
export const ROOMS = ['客厅', '餐厅', '主卧', '次卧', '书房', '厨房', '主卫', '次卫', '阳台', '入户门', '其他'];
export const PARTS = ['墙面', '地面', '顶棚', '门窗', '水电', '给排水', '防水', '五金', '其他'];

export function label(map, code) {
  const x = map[code];
  if (!x) return code === null || code === undefined ? '' : String(code);
  return getLang() === 'en' ? x[1] : x[0];
}

export function codeTag(map, code, key = 'status') {
  if (code === null || code === undefined || code === '') return h('span', { class: 'muted', text: '—' });
  const x = map[code];
  const el = tag(label(map, code), (x && x[2]) || 'neutral');
  el.dataset[key] = code;
  return el;
}

export function options(map) {
  return Object.keys(map).map((k) => ({ value: k, label: label(map, k) }));
}

export const dash = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));

/**
 * A plain data table: cols [[label, cls?]], rows (tr elements); an empty
 * table says what to do next.
 */
export function table(cols, rows, { cls, empty, foot } = {}) {
  const t = h('table', { class: ['data-table', 'ho-table', cls] },
    h('thead', null, h('tr', null, cols.map(([l, c]) => h('th', { scope: 'col', class: c || null, text: l })))),
    h('tbody', null, rows),
    foot ? h('tfoot', null, foot) : null);
  const wrap = h('div', { class: 'table-wrap ho-table-wrap' }, t);
  if (!rows.length) {
    wrap.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
      h('div', { class: 'empty-text', text: empty || tr('暂无数据', 'Nothing here yet') })));
  }
  return wrap;
}

export function td(text, cls) {
  return h('td', { class: cls || null }, text instanceof Node ? text : dash(text));
}

/** Items of a list reply, whatever it is called. */
export function itemsOf(r, ...keys) {
  if (Array.isArray(r)) return r;
  if (!r) return [];
  for (const k of [...keys, 'items', 'rows', 'data']) if (Array.isArray(r[k])) return r[k];
  return [];
}

/** Every page of a generic list (limit 200). */
export async function listAll(path, query = {}, max = 2000) {
  const out = [];
  for (let offset = 0; offset < max; offset += 200) {
    const r = await api.get(path, { ...query, limit: 200, offset });
    const items = itemsOf(r);
    out.push(...items);
    if (items.length < 200 || (r && r.total !== undefined && out.length >= Number(r.total))) break;
  }
  return out;
}

let contractorsCache = null;
export function contractors() {
  if (!contractorsCache) {
    contractorsCache = listAll('contractors', {}).catch((e) => { contractorsCache = null; throw e; });
  }
  return contractorsCache;
}

export { categories };

/** Unit text: 1-1-1401 (or #id). */
export function unitText(r) {
  return r.room_code || r.unit_code || r.unit_name || (r.unit_id ? `#${r.unit_id}` : '');
}

export function ownerText(r) {
  return r.owner_name || r.customer_name || r.buyer_names || (r.customer_id ? `#${r.customer_id}` : '');
}

export function money(v) {
  return v === null || v === undefined || v === '' ? '—' : fmt.money(v);
}

/** A segmented control of filters: seg([{value,label}], cur, onPick). */
export function seg(opts, cur, onPick, name) {
  const el = h('div', { class: 'seg ho-seg', role: 'group', dataset: { seg: name || '' } });
  const paint = (v) => {
    replace(el, opts.map((o) => h('button', {
      type: 'button', class: ['seg-btn', String(o.value) === String(v) && 'active'], 'aria-pressed': String(String(o.value) === String(v)),
      dataset: { value: o.value }, text: o.label,
      onclick: () => { paint(o.value); onPick(o.value); },
    })));
  };
  paint(cur);
  return el;
}
