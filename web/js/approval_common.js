// Shared pieces of the approval screens: state tags, how a route step and its
// condition read, the template cache, and the lookups the form pickers use
// (users, projects, assets, loans, office supplies) — each of which the
// caller's role may not be allowed to read: then the picker says so and takes
// a number.
import { h } from './dom.js';
import { t, L, getLang } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import { session, can } from './session.js';
import { tag } from './ui.js';

export const REQUEST_STATUS = [
  { value: 'in_progress', label: '审批中', label_en: 'In progress', color: 'blue' },
  { value: 'returned', label: '已退回', label_en: 'Returned', color: 'orange' },
  { value: 'approved', label: '已通过', label_en: 'Approved', color: 'green' },
  { value: 'rejected', label: '已驳回', label_en: 'Rejected', color: 'red' },
  { value: 'withdrawn', label: '已撤回', label_en: 'Withdrawn', color: 'grey' },
];

export function statusTag(status) {
  const o = REQUEST_STATUS.find((x) => x.value === status);
  const el = tag(o ? L(o) : String(status || ''), o ? o.color : 'neutral');
  el.dataset.status = status || '';
  return el;
}

const TASK_STATUS = {
  pending: ['appr.task_pending', 'blue'],
  approved: ['appr.task_approved', 'green'],
  rejected: ['appr.task_rejected', 'red'],
  returned: ['appr.task_returned', 'orange'],
  transferred: ['appr.task_transferred', 'grey'],
  skipped: ['appr.task_skipped', 'grey'],
  cancelled: ['appr.task_cancelled', 'grey'],
};

export function taskTag(status) {
  const x = TASK_STATUS[status];
  const el = tag(x ? t(x[0]) : String(status || ''), x ? x[1] : 'neutral');
  el.dataset.status = status || '';
  return el;
}

export function historyActionText(action) {
  const k = `appr.h_${action}`;
  const s = t(k);
  return s === k ? String(action || '') : s;
}

// Role codes as the route names them (GET /roles needs role.read; these are
// the built-in roles, used when it is not readable).
const ROLE_NAMES = {
  admin: ['系统管理员', 'Administrator'],
  agent: ['客服专员', 'CS agent'],
  contract: ['签约专员', 'Contract clerk'],
  mortgage: ['按揭专员', 'Mortgage clerk'],
  manager: ['客服经理', 'CS manager'],
  engineer: ['工程部', 'Engineering'],
  finance: ['财务部', 'Finance'],
  property: ['物业公司', 'Property management'],
  director: ['分管领导', 'Director'],
};
let rolesLoaded = null;

/** Roles as [{code, name}] — from the API when readable, else the built-in ones. */
export async function roleList() {
  if (!rolesLoaded) {
    rolesLoaded = (async () => {
      if (!can('role.read')) return;
      try {
        const r = await api.get('roles', { limit: 200 });
        for (const x of (r && r.items) || []) ROLE_NAMES[x.code] = [x.name || x.code, x.name_en || x.name || x.code];
      } catch { /* the built-in names */ }
    })();
  }
  await rolesLoaded;
  return Object.keys(ROLE_NAMES).map((code) => ({ code, name: roleName(code) }));
}

export function roleName(code) {
  const n = ROLE_NAMES[code];
  return n ? (getLang() === 'en' ? n[1] : n[0]) : String(code || '');
}

/** "部门负责人" / "角色：财务部" / "指定人员：zhangsan" / "项目负责人". */
export function approverText(ap) {
  if (!ap || !ap.type) return t('common.none');
  switch (ap.type) {
    case 'dept_head': return t('appr.ap_dept_head');
    case 'project_manager': return t('appr.ap_project_manager');
    case 'role': return t('appr.ap_role', { role: roleName(ap.role) });
    case 'user': return t('appr.ap_user', { user: ap.username || '' });
    default: return String(ap.type);
  }
}

const OPS = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠', in: '∈' };
export const OP_LIST = ['>', '>=', '<', '<=', '==', '!=', 'in'];
export function opText(op) {
  return op === 'in' ? t('appr.op_in') : (OPS[op] || String(op || ''));
}

export function formFields(form) {
  return (form && Array.isArray(form.fields)) ? form.fields : [];
}

function fieldDef(form, name) {
  return formFields(form).find((f) => f.name === name) || null;
}

/** A value of the form as text (money as ¥, lists joined). */
function scalarText(def, v) {
  if (v === null || v === undefined || v === '') return t('common.none');
  if (Array.isArray(v)) return v.map((x) => scalarText(def, x)).join('、');
  if (def && def.type === 'money') return fmt.money(v);
  if (def && def.type === 'int') return fmt.integer(v);
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  return String(v);
}

/** "条件：报销总额 > ¥5,000.00". */
export function conditionText(when, form) {
  if (!when || !when.field) return '';
  const def = fieldDef(form, when.field);
  const label = def ? L(def, when.field) : when.field;
  return `${label} ${opText(when.op)} ${scalarText(def, when.value)}`;
}

function asNumber(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return 0;
}

function jsonEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The server's rule (approval.c condition_holds): does the step apply to data? */
export function conditionHolds(when, data) {
  if (!when) return true;
  const have = data ? data[when.field] : undefined;
  const want = when.value;
  const op = when.op;
  if (have === undefined || have === null) return false;
  if (op === 'in') return Array.isArray(want) && want.some((x) => jsonEqual(x, have));
  if (typeof have === 'string' || typeof want === 'string') {
    const eq = jsonEqual(have, want);
    return op === '==' ? eq : op === '!=' ? !eq : false;
  }
  const a = asNumber(have);
  const b = asNumber(want);
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '==': return a === b;
    case '!=': return a !== b;
    default: return false;
  }
}

// ---- templates ---------------------------------------------------------------

export const CATEGORY_ORDER = ['行政', '财务', '人事', '资产', '客服'];
const CATEGORY_EN = { 行政: 'Administration', 财务: 'Finance', 人事: 'HR', 资产: 'Assets', 客服: 'Customer service' };
export function categoryLabel(c) {
  return getLang() === 'en' && CATEGORY_EN[c] ? CATEGORY_EN[c] : String(c || t('appr.cat_other'));
}

let cacheUser = null;
let templateDetails = new Map();
function cacheCheck() {
  const uid = session.user && session.user.id;
  if (cacheUser !== uid) {
    cacheUser = uid;
    templateDetails = new Map();
    usersPromise = null;
    rolesLoaded = null;
  }
}

/** Enabled templates, as the list gives them (no description, form or route). */
export async function listTemplates() {
  const r = await api.get('approval-templates', { enabled: 'true', limit: 200 });
  return (r && r.items) || [];
}

/** One template with description, form_json and steps_json (cached for the session). */
export function templateDetail(id) {
  cacheCheck();
  if (!templateDetails.has(String(id))) {
    const p = api.get(`approval-templates/${encodeURIComponent(id)}`);
    p.catch(() => templateDetails.delete(String(id)));
    templateDetails.set(String(id), p);
  }
  return templateDetails.get(String(id));
}

/** Forget a template after it was edited. */
export function forgetTemplate(id) {
  templateDetails.delete(String(id));
}

export async function templateByCode(code) {
  const r = await api.get('approval-templates', { code, limit: 50 });
  const row = ((r && r.items) || []).find((x) => x.code === code);
  if (!row) throw new api.ApiError(404, 'not_found', t('appr.no_template', { code }));
  // Always fresh: the form must be the one the server checks against.
  forgetTemplate(row.id);
  return templateDetail(row.id);
}

// ---- lookups for pickers ---------------------------------------------------------

let usersPromise = null;

/**
 * Active users [{id, username, display_name, department}], or null when the
 * caller may not list users (GET /users needs user.read).
 */
export function usersList() {
  cacheCheck();
  if (!usersPromise) {
    usersPromise = (async () => {
      if (!can('user.read')) return null;
      try {
        const r = await api.get('users', { limit: 200, status: 'active', sort: 'username' });
        return (r && r.items) || [];
      } catch (e) {
        if (e.status === 403) return null;
        throw e;
      }
    })();
    usersPromise.catch(() => { usersPromise = null; });
  }
  return usersPromise;
}

export function userOptionLabel(u) {
  const name = u.display_name || u.username || `#${u.id}`;
  const extra = [u.username && u.username !== name ? u.username : null, u.department].filter(Boolean).join(' · ');
  return extra ? `${name}（${extra}）` : name;
}

/** A register list the caller may not be allowed to read: items, or null on 403. */
export async function registerItems(path, query) {
  try {
    const r = await api.get(path, { limit: 200, ...query });
    return (r && r.items) || [];
  } catch (e) {
    if (e.status === 403) return null;
    throw e;
  }
}

export function projectsOfUser() {
  const u = session.user || {};
  const list = (session.projects && session.projects.length) ? session.projects : (u.projects || []);
  return list.map((p) => ({ id: p.id, name: p.code ? `${p.name}（${p.code}）` : p.name }));
}

// ---- small view helpers ----------------------------------------------------------

/** Unix seconds or ISO → "2026-03-05 14:30". */
export function when(v) {
  return v === null || v === undefined || v === '' || v === 0 ? '' : fmt.datetime(v);
}

export function dueMs(v) {
  if (v === null || v === undefined || v === '' || v === 0) return null;
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000;
  const ms = Date.parse(String(v));
  return Number.isNaN(ms) ? null : ms;
}

export function isOverdue(due) {
  const ms = dueMs(due);
  return ms !== null && ms < Date.now();
}

/** Due time, red with 已超时 when past. */
export function dueView(due, { pending = true } = {}) {
  const s = when(due);
  if (!s) return h('span', { class: 'muted', text: t('common.none') });
  const late = pending && isOverdue(due);
  return h('span', { class: ['due', late && 'overdue'], dataset: { overdue: late ? '1' : '0' } },
    h('span', { text: s }), late ? tag(t('appr.overdue'), 'red') : null);
}

export function fileSize(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}
