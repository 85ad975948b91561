// Metadata from /api/v1/meta: navigation and entity descriptions, cached for
// the session; plus option lists for ref fields.
import * as api from './api.js';
import { L } from './i18n.js';

let entityCache = new Map();
let refCache = new Map();
let enumCache = new Map();

export function resetMetaCache() {
  entityCache = new Map();
  refCache = new Map();
  enumCache = new Map();
}

// State fields used outside their own entity's pages (search results, the
// 360 page, the building grid). Used until the metadata has loaded, or when
// the user may not read that entity's metadata.
const FALLBACK_ENUMS = {
  'units.status': {
    name: 'status', type: 'enum', label: '状态', label_en: 'Status',
    options: [
      { value: 'unsold', label: '未售', label_en: 'Unsold', color: 'grey' },
      { value: 'reserved', label: '已认购', label_en: 'Reserved', color: 'orange' },
      { value: 'signed', label: '已签约', label_en: 'Signed', color: 'blue' },
      { value: 'delivered', label: '已交付', label_en: 'Delivered', color: 'green' },
    ],
  },
  'contracts.status': {
    name: 'status', type: 'enum', label: '状态', label_en: 'Status',
    options: [
      { value: 'subscribed', label: '认购', label_en: 'Subscribed', color: 'grey' },
      { value: 'signed', label: '已签约', label_en: 'Signed', color: 'blue' },
      { value: 'filed', label: '已备案', label_en: 'Filed', color: 'blue' },
      { value: 'preregistered', label: '已预告登记', label_en: 'Pre-registered', color: 'green' },
      { value: 'cancelled', label: '已作废', label_en: 'Cancelled', color: 'red' },
    ],
  },
  'contracts.payment_method': {
    name: 'payment_method', type: 'enum', label: '付款方式', label_en: 'Payment',
    options: [
      { value: 'full', label: '一次性付款', label_en: 'Full payment' },
      { value: 'installment', label: '分期付款', label_en: 'Instalments' },
      { value: 'commercial_loan', label: '商业贷款', label_en: 'Commercial loan' },
      { value: 'provident_loan', label: '公积金贷款', label_en: 'Provident fund loan' },
      { value: 'combined', label: '组合贷款', label_en: 'Combined loan' },
    ],
  },
  'loans.stage': {
    name: 'stage', type: 'enum', label: '阶段', label_en: 'Stage',
    options: [
      { value: 'collecting', label: '资料收集', label_en: 'Collecting papers', color: 'grey' },
      { value: 'signed', label: '已面签', label_en: 'Signed at bank', color: 'blue' },
      { value: 'reviewing', label: '审批中', label_en: 'Under review', color: 'orange' },
      { value: 'approved', label: '已批贷', label_en: 'Approved', color: 'blue' },
      { value: 'disbursed', label: '已放款', label_en: 'Disbursed', color: 'green' },
      { value: 'refused', label: '被拒', label_en: 'Refused', color: 'red' },
    ],
  },
  'loans.loan_type': {
    name: 'loan_type', type: 'enum', label: '贷款类型', label_en: 'Loan type',
    options: [
      { value: 'commercial', label: '商业贷款', label_en: 'Commercial' },
      { value: 'provident', label: '公积金贷款', label_en: 'Provident fund' },
      { value: 'combined', label: '组合贷款', label_en: 'Combined' },
    ],
  },
  'receivables.kind': {
    name: 'kind', type: 'enum', label: '款项', label_en: 'Kind',
    options: [
      { value: 'deposit', label: '定金', label_en: 'Deposit' },
      { value: 'down_payment', label: '首付款/房款', label_en: 'Down payment' },
      { value: 'installment', label: '分期款', label_en: 'Instalment' },
      { value: 'loan', label: '按揭贷款', label_en: 'Loan' },
      { value: 'area_true_up', label: '面积补差', label_en: 'Area true-up' },
      { value: 'other', label: '其他', label_en: 'Other' },
    ],
  },
  'receipts.method': {
    name: 'method', type: 'enum', label: '方式', label_en: 'Method',
    options: [
      { value: 'transfer', label: '转账', label_en: 'Bank transfer' },
      { value: 'cash', label: '现金', label_en: 'Cash' },
      { value: 'pos', label: 'POS刷卡', label_en: 'POS' },
      { value: 'loan', label: '银行放款', label_en: 'Loan disbursement' },
      { value: 'cheque', label: '支票', label_en: 'Cheque' },
    ],
  },
  'dunning-logs.channel': {
    name: 'channel', type: 'enum', label: '方式', label_en: 'Channel',
    options: [
      { value: 'call', label: '电话', label_en: 'Call' },
      { value: 'sms', label: '短信', label_en: 'SMS' },
      { value: 'letter', label: '函件', label_en: 'Letter' },
      { value: 'visit', label: '上门', label_en: 'Visit' },
    ],
  },
  'customers.status': {
    name: 'status', type: 'enum', label: '状态', label_en: 'Status',
    options: [
      { value: 'active', label: '正常', label_en: 'Active', color: 'green' },
      { value: 'merged', label: '已合并', label_en: 'Merged', color: 'grey' },
      { value: 'anonymised', label: '已匿名化', label_en: 'Anonymised', color: 'grey' },
    ],
  },
};

/** An enum field of an entity, now: from loaded metadata, else a built-in fallback. */
export function enumField(entity, name) {
  const key = `${entity}.${name}`;
  const f = enumCache.get(key);
  if (f) return f;
  return FALLBACK_ENUMS[key] || { name, type: 'enum', options: [] };
}

/** The label of an enum value ("signed" → 已签约), from enumField(). */
export function enumLabel(entity, name, value) {
  const f = enumField(entity, name);
  const o = (f.options || []).find((x) => String(x.value) === String(value));
  return o ? L(o, String(value)) : String(value ?? '');
}

/** The same, once the entity's metadata has been asked for (never rejects). */
enumField.ready = async (entity, name) => {
  const key = `${entity}.${name}`;
  if (!enumCache.has(key)) {
    let f = null;
    try {
      const m = await getEntityMeta(entity);
      f = m.fields.find((x) => x.name === name && Array.isArray(x.options)) || null;
    } catch { /* no access: fallback */ }
    enumCache.set(key, f || FALLBACK_ENUMS[key] || { name, type: 'enum', options: [] });
  }
  return enumCache.get(key);
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
