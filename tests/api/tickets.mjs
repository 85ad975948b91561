// tickets.mjs - scripted tests of the ticket module (docs/tickets.md):
// the working-day calendar, ticket creation and SLA clocks, the workflow
// table (every action allowed and refused), pause/resume, callbacks and
// closing, parent/child and merge, project scope, permissions per route and
// per action, the events list and the customer timeline, the SLA sweep
// (`anjia remind --now`), the warranty check (民法典 201–202), compensation
// through approvals and payment, defect cases and clusters, the dashboard,
// the queue views and the Excel export.
//
// run.mjs runs these after the mortgage tests, before the graceful stop.
// Own data: buildings `TK<project>` whose units no other test uses,
// customers with ID numbers born in 2011 (area 330106, sequence >= 800) and
// phones 1680000xxxx, users tk_* with roles made here (never the roles that
// approval steps name), an SLA policy on the wall clock for suggestion /
// low / media tickets, the calendar of 2030 (restored to empty). The SLA
// sweep runs last, on its own wall-clock tickets, with times close to their
// due times. Counts are compared before and after, never with fixed numbers.
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import { isDeepStrictEqual } from 'node:util';

import { DEMO_PASSWORD, assert, expectError, expectStatus, fail, runBinClean, short } from './lib.mjs';
import { residentId } from './masterdata.mjs';
import { readXlsx } from './xlsx.mjs';

export const ticketTests = [];
/** Every test may act as supervisor (客服主管) and director, whom lib's DEMO_USERS lacks. */
const test = (name, fn, opts = {}) =>
  ticketTests.push({
    name,
    fn: (ctx) => {
      for (const u of ['supervisor', 'director']) if (!ctx.client.passwords.has(u)) ctx.client.addUser(u, DEMO_PASSWORD);
      return fn(ctx);
    },
    ...opts,
  });

/*---- Dates and the working-day calendar ------------------------------------*/

const DAY_MS = 86400000;
const HOUR_MS = 3600000;
const SH_MS = 8 * HOUR_MS; // Asia/Shanghai, no DST
const pad2 = (n) => String(n).padStart(2, '0');
const toDays = (s) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / DAY_MS;
const fromDays = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const addDays = (s, n) => fromDays(toDays(s) + n);
const diffDays = (a, b) => toDays(b) - toDays(a);
const weekday = (s) => new Date(toDays(s) * DAY_MS).getUTCDay(); // 0 = Sunday
const today = () => new Date(Date.now() + SH_MS).toISOString().slice(0, 10);
/** Shanghai civil date of an instant (ms). */
const shDate = (ms) => new Date(ms + SH_MS).toISOString().slice(0, 10);
/** The instant (ms) of hh:mm Shanghai time on a civil date. */
const shAt = (date, h, m = 0) => toDays(date) * DAY_MS - SH_MS + (h * 60 + m) * 60000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ms = (s) => {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) fail(`not a date-time: ${short(s)}`);
  return t;
};
const sleep = (n) => new Promise((r) => setTimeout(r, n));

function range(from, to) {
  const out = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * 国务院办公厅 holiday arrangements: days off (holidays and the weekend days
 * moved) and make-up working days (调休上班). 2026 in full; of 2025 only the
 * National Day / Mid-Autumn block the brief gives.
 */
const OFF = new Set([
  ...range('2026-01-01', '2026-01-03'),
  ...range('2026-02-15', '2026-02-23'),
  ...range('2026-04-04', '2026-04-06'),
  ...range('2026-05-01', '2026-05-05'),
  ...range('2026-06-19', '2026-06-21'),
  ...range('2026-09-25', '2026-09-27'),
  ...range('2026-10-01', '2026-10-07'),
  ...range('2025-10-01', '2025-10-08'),
]);
const WORK = new Set(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10', '2025-09-28', '2025-10-11']);
const isWorkday = (d) => WORK.has(d) || (!OFF.has(d) && weekday(d) >= 1 && weekday(d) <= 5);
function addWorkdays(from, n) {
  let d = from;
  for (let k = 0; k < n; ) {
    d = addDays(d, 1);
    if (isWorkday(d)) k++;
  }
  return d;
}

/** Working hours 09:00–12:00 and 13:00–18:00 Shanghai time on working days. */
const PERIODS = [
  [9, 12],
  [13, 18],
];

/** The instant `amount` ms of working time after `start` (an end exactly at a period's end stays there). */
function addWorkTime(start, amount) {
  let t = start;
  let left = amount;
  let date = shDate(t);
  if (left <= 0) return t;
  for (let guard = 0; guard < 3000; guard++) {
    if (isWorkday(date)) {
      for (const [a, b] of PERIODS) {
        const s = shAt(date, a);
        const e = shAt(date, b);
        const from = Math.max(t, s);
        if (from >= e) continue;
        if (from + left <= e) return from + left;
        left -= e - from;
        t = e;
      }
    }
    date = addDays(date, 1);
    t = shAt(date, 0);
  }
  fail('addWorkTime ran away');
}

/** Working time (ms) between two instants. */
function workTimeBetween(a, b) {
  let total = 0;
  for (let date = shDate(a); date <= shDate(b); date = addDays(date, 1)) {
    if (!isWorkday(date)) continue;
    for (const [h0, h1] of PERIODS) {
      const s = Math.max(a, shAt(date, h0));
      const e = Math.min(b, shAt(date, h1));
      if (e > s) total += e - s;
    }
  }
  return total;
}

/** 民法典 201–202: the start day is not counted; the period ends on the corresponding day, or the month's last day if there is none. */
function periodEnd(from, years, months) {
  const y = Number(from.slice(0, 4));
  const m = Number(from.slice(5, 7)) - 1 + years * 12 + months;
  const d = Number(from.slice(8, 10));
  const ty = y + Math.floor(m / 12);
  const tm = m % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return `${ty}-${pad2(tm + 1)}-${pad2(Math.min(d, last))}`;
}

/*---- Requests ----------------------------------------------------------------*/

async function getJson(client, as, p, label = '') {
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `${label || 'GET'} ${p} as ${as}`);
  return res.json;
}

async function post(client, as, p, body, status, label = '') {
  const res = await client.call('POST', p, { as, body });
  expectStatus(res, status, `${label || `POST ${p}`} as ${as} ${short(body, 200)}`);
  return res.json;
}

async function total(client, as, p) {
  const j = await getJson(client, as, p);
  assert(Number.isInteger(j.total), `GET ${p}: total is ${short(j.total)}`);
  return j.total;
}

/** Every item of a list, paging with `next`. */
async function listAll(client, as, entityPath) {
  const items = [];
  let cursor = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = entityPath.includes('?') ? '&' : '?';
    const p = `${entityPath}${sep}limit=200${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const j = await getJson(client, as, p);
    items.push(...j.items);
    cursor = j.next;
    if (cursor === null || cursor === undefined) return items;
  }
  fail(`${entityPath}: more than 100 pages`);
}

async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await fn(items[k], k);
      }
    }),
  );
  return out;
}

/*---- Fixtures ------------------------------------------------------------------*/

const fx = { users: null, buildings: new Map(), rooms: new Map(), categories: null, allRole: null, wallPolicy: null, contractor: null };
let serial = 0;
const MARK = '工单测试';
const nextTitle = (what = '') => `${MARK}${String(++serial).padStart(4, '0')}${what}`;

/** Ids of the demo users. */
async function users(client) {
  if (fx.users) return fx.users;
  const byName = {};
  for (const u of ['admin', 'agent', 'contract', 'mortgage', 'manager', 'engineer', 'finance', 'property', 'director', 'supervisor']) {
    const s = await client.session(u);
    byName[u] = s.user.id;
  }
  fx.users = byName;
  return byName;
}

/** A user of our own, created by admin with role `roleCode` (all projects unless told). */
async function createUser(client, username, roleCode, extra = {}) {
  const roles = await getJson(client, 'admin', `/api/v1/roles?code=${roleCode}`);
  const role = roles.items.find((r) => r.code === roleCode);
  assert(role, `no role with code ${roleCode}`);
  const password = `${username}-Pass-1`;
  const res = await client.call('POST', '/api/v1/users', { as: 'admin', body: { username, display_name: `测试${username}`, role_id: role.id, password, all_projects: true, ...extra } });
  expectStatus(res, 201, `create user ${username}`);
  client.addUser(username, password);
  return res.json;
}

/** Every permission code of /permissions. */
let permCatalogue = null;
async function allPermissions(client) {
  if (!permCatalogue) permCatalogue = (await getJson(client, 'admin', '/api/v1/permissions')).items.map((i) => i.code);
  return permCatalogue;
}

/** A role of our own with every permission but `without` (code tk_all when without is empty). */
const ownRoles = new Map();
async function roleWithout(client, without = []) {
  const code = without.length ? `tkno_${without.join('_').replace(/[^a-z0-9]/gi, '_')}`.slice(0, 32) : 'tk_all';
  if (ownRoles.has(code)) return code;
  const perms = (await allPermissions(client)).filter((p) => !without.includes(p));
  const res = await client.call('POST', '/api/v1/roles', { as: 'admin', body: { code, name: `工单测试角色${ownRoles.size}`, permissions: perms } });
  expectStatus(res, 201, `create role ${code}`);
  ownRoles.set(code, res.json.id);
  return code;
}

/** Users tk_<name> with every permission (a role that no approval step names), all projects. */
const ownUsers = new Map();
async function allUser(client, name) {
  const username = `tk_${name}`;
  if (ownUsers.has(username)) return { username, id: ownUsers.get(username) };
  const role = await roleWithout(client, []);
  const u = await createUser(client, username, role);
  ownUsers.set(username, u.id);
  return { username, id: u.id };
}

/** A new unit of project pid, in a building of our own (TK<pid>); delivered_on set when given. */
async function newUnit(client, pid, deliveredOn = null) {
  if (!fx.buildings.has(pid)) {
    const b = await client.call('POST', '/api/v1/buildings', { as: 'manager', body: { project_id: pid, code: `TK${pid}`, name: `工单测试${pid}号楼`, floors: 30 } });
    expectStatus(b, 201, `create building TK${pid}`);
    fx.buildings.set(pid, b.json.id);
    fx.rooms.set(pid, 0);
  }
  const n = fx.rooms.get(pid);
  fx.rooms.set(pid, n + 1);
  const floor = 1 + Math.floor(n / 8);
  const room = `${floor}${pad2(1 + (n % 8))}`;
  const u = await client.call('POST', '/api/v1/units', { as: 'manager', body: { building_id: fx.buildings.get(pid), unit_no: '1', floor, room, usage: 'residential' } });
  expectStatus(u, 201, `create unit ${room} in project ${pid}`);
  let unit = u.json;
  if (deliveredOn) {
    const p = await client.call('PATCH', `/api/v1/units/${unit.id}`, { as: 'manager', body: { delivered_on: deliveredOn } });
    expectStatus(p, 200, `PATCH unit ${unit.id} delivered_on ${deliveredOn}`);
    unit = p.json;
    assert(unit.delivered_on === deliveredOn, `unit after PATCH delivered_on: ${short(unit)}`);
  }
  return unit;
}

/** A new customer of project pid (ID born 2011 in 330106, phone 1680000xxxx). */
async function newCustomer(client, pid = 1, name = null) {
  const n = serial++;
  const id = residentId('330106', `2011${pad2(1 + (n % 12))}${pad2(1 + (Math.floor(n / 12) % 28))}`, 800 + Math.floor(n / 336));
  const body = { name: name || `工单客户${n}`, id_number: id, phone: `1680000${String(1000 + n).padStart(4, '0')}`, project_id: pid };
  return post(client, 'manager', '/api/v1/customers', body, 201, 'create customer');
}

/** The category tree; `repair` is a leaf with a warranty component, `plain` one without. */
async function categories(client) {
  if (fx.categories) return fx.categories;
  const all = await listAll(client, 'admin', '/api/v1/ticket-categories');
  assert(all.length > 0, 'no ticket categories');
  all.sort((a, b) => a.id - b.id);
  // Top-level categories (clusters and the dashboard roll up to them).
  const withComponent = all.filter((c) => typeof c.component === 'string' && c.component && !c.parent_id);
  assert(withComponent.length >= 2, `fewer than two categories with a component: ${short(all)}`);
  const without = all.find((c) => !c.component && !c.parent_id);
  fx.categories = { all, withComponent, repair: withComponent[0], other: withComponent.find((c) => c.component !== withComponent[0].component) || withComponent[1], plain: without || null };
  return fx.categories;
}

/** An SLA policy on the wall clock for suggestion / low / media tickets: response 1 h, resolution 4 h, warning at 50%. */
async function wallPolicy(client) {
  if (fx.wallPolicy) return fx.wallPolicy;
  const body = { name: '工单测试墙钟', type: 'suggestion', severity: 'low', channel: 'media', response_amount: 1, response_unit: 'hours', resolve_amount: 4, resolve_unit: 'hours', warn_percent: 50 };
  fx.wallPolicy = await post(client, 'admin', '/api/v1/sla-policies', body, 201, 'create a wall-clock SLA policy');
  return fx.wallPolicy;
}

/** POST /tickets; returns the created ticket (201 expected). */
async function newTicket(client, as, extra = {}) {
  const cats = await categories(client);
  let body = { type: 'repair', channel: 'phone', title: nextTitle(), description: '卫生间天花板渗水', category_id: cats.repair.id, ...extra };
  if (body.unit_id === undefined && body.project_id === undefined) body.unit_id = (await newUnit(client, 1)).id;
  if (body.customer_id === undefined && body.caller_name === undefined) {
    body.caller_name = '来电业主';
    body.caller_phone = `1680000${String(5000 + (serial % 5000)).padStart(4, '0')}`;
  }
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const res = await client.call('POST', '/api/v1/tickets', { as, body });
  expectStatus(res, 201, `create ticket ${short(body, 200)} as ${as}`);
  assert(Number.isInteger(res.json.id), `created ticket has no id: ${short(res.json)}`);
  return res.json;
}

/** A wall-clock ticket (the policy above): suggestion / low / media in project pid. */
async function wallTicket(client, as, pid = 1, extra = {}) {
  await wallPolicy(client);
  return newTicket(client, as, { type: 'suggestion', severity: 'low', channel: 'media', unit_id: (await newUnit(client, pid)).id, ...extra });
}

const act = (client, as, id, action, params = {}) => client.call('POST', `/api/v1/tickets/${id}/actions`, { as, body: { action, ...params } });

/** An action that must succeed; returns the full ticket. */
async function actOk(client, as, id, action, params = {}) {
  const res = await act(client, as, id, action, params);
  expectStatus(res, 200, `ticket ${id}: ${action} ${short(params, 120)} as ${as}`);
  return res.json;
}

const full = (client, as, id) => getJson(client, as, `/api/v1/tickets/${id}/full`);

/** Valid parameters for each action (so a refusal can only be about the state). */
function params(action, extra = {}) {
  const p = {
    accept: { note: '已受理' },
    dispatch: { dispatch_kind: 'department', dispatch_to: '工程部', note: '请尽快处理' },
    assign: {},
    pause: { note: '等待业主在家' },
    resume: { note: '业主已在家' },
    resolve: { resolution: '已更换防水层' },
    callback: { outcome: 'reached', score: 5, comment: '满意' },
    close: { note: '关闭' },
    reopen: { reason: '业主反映仍漏水' },
    merge: {},
    set_parent: {},
    mark_defect: { is_defect: true },
  }[action];
  return { ...p, ...extra };
}

const ACTIONS = ['accept', 'dispatch', 'assign', 'pause', 'resume', 'resolve', 'callback', 'close', 'reopen', 'merge', 'set_parent', 'mark_defect'];
const STATUS_LABEL = { new: '新建', accepted: '已受理', processing: '处理中', callback: '待回访', closed: '已关闭', merged: '已合并' };

/** Move a fresh ticket to `status` (as `as`, who has every permission). */
async function driveTo(client, as, t, status) {
  let j = t;
  const path = { new: [], accepted: ['accept'], processing: ['accept', 'dispatch'], callback: ['accept', 'dispatch', 'resolve'] }[status];
  for (const a of path) j = await actOk(client, as, t.id, a, params(a));
  assert(j.status === status, `ticket ${t.id} driven to ${status} is ${j.status}`);
  return j;
}

/** Notifications of `as` about ticket t (the list holds the newest 50, unread first). */
async function notesFor(client, as, t) {
  const items = (await getJson(client, as, '/api/v1/notifications')).items;
  const re = new RegExp(`ticket[s]?/${t.id}(?!\\d)`);
  return items.filter((n) => (typeof n.link === 'string' && re.test(n.link)) || (t.no && typeof n.title === 'string' && n.title.includes(t.no)));
}

const readAll = async (client, as) => expectStatus(await client.call('POST', '/api/v1/notifications/read-all', { as }), 204, `read-all as ${as}`);

/** The action names a full ticket offers the caller (items may be {action, label}). */
const actionNames = (j) => (Array.isArray(j.actions) ? j.actions.map((a) => (typeof a === 'string' ? a : a.action)) : fail(`no actions array: ${short(j)}`));
/** Paused: paused_at set (the spec names no field). */
const isPaused = (j) => typeof j.paused_at === 'string' && j.paused_at.length > 0;

/**
 * Close a ticket the quickest way: accept, resolve and, if it then waits
 * for a callback, a reached callback with 5 by `rater`.
 */
async function closeQuick(client, as, rater, t) {
  await actOk(client, as, t.id, 'accept', params('accept'));
  let j = await actOk(client, as, t.id, 'resolve', params('resolve'));
  if (j.status === 'callback') j = await actOk(client, rater, t.id, 'callback', params('callback'));
  assert(j.status === 'closed', `ticket ${t.id} not closed: ${j.status}`);
  return j;
}

/** The events of a full ticket: [{action, from_status, to_status, username, at, note}]. */
function events(j) {
  assert(Array.isArray(j.events), `full ticket has no events array: ${short(j)}`);
  return j.events;
}

/*==== 1. The calendar ========================================================*/

const ADD = '/api/v1/calendar/add-workdays';
const addWd = async (client, from, days, as = 'agent') => {
  const res = await client.call('GET', `${ADD}?from=${from}&days=${days}`, { as });
  expectStatus(res, 200, `add-workdays ${from} + ${days}`);
  assert(res.json && typeof res.json.date === 'string', `add-workdays ${from} + ${days}: ${short(res.json)}`);
  return res.json.date;
};

test('tickets calendar: add-workdays across the 2026 holidays and make-up days (国庆 09-30 + 1 → 10-08, 春节 02-13 + 1 → 02-14 Sat worked), 2025 国庆中秋, n = 0, across a year end', async ({ client }) => {
  const cases = [
    ['2026-09-30', 1, '2026-10-08'],
    ['2026-02-13', 1, '2026-02-14'],
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-26', 1, '2025-09-28'],
    ['2025-10-10', 1, '2025-10-11'],
    ['2026-02-14', 1, '2026-02-24'],
    ['2026-02-13', 5, '2026-02-27'],
    ['2026-02-27', 1, '2026-02-28'],
    ['2026-02-28', 1, '2026-03-02'],
    ['2025-12-31', 1, '2026-01-04'],
    ['2026-01-04', 1, '2026-01-05'],
    ['2026-04-03', 1, '2026-04-07'],
    ['2026-04-30', 1, '2026-05-06'],
    ['2026-05-08', 1, '2026-05-09'],
    ['2026-06-18', 1, '2026-06-22'],
    ['2026-09-18', 1, '2026-09-20'],
    ['2026-09-24', 1, '2026-09-28'],
    ['2026-10-09', 1, '2026-10-10'],
    ['2026-10-10', 1, '2026-10-12'],
    ['2026-09-30', 0, '2026-09-30'],
    ['2026-10-03', 0, '2026-10-03'],
    ['2026-09-30', 3, '2026-10-10'],
  ];
  const problems = [];
  for (const [from, n, want] of cases) {
    assert(addWorkdays(from, n) === want, `the test's own calendar disagrees on ${from} + ${n}`);
    const got = await addWd(client, from, n);
    if (got !== want) problems.push(`${from} + ${n} → ${got}, want ${want}`);
  }
  if (problems.length) fail(problems.join('\n'));
  return `${cases.length} dates`;
});

test('tickets calendar: every day of 2026 + 1 and + n (2–11) working days agrees with the State Council table', async ({ client }) => {
  const days = range('2026-01-01', '2026-12-20');
  const checks = [];
  days.forEach((d, i) => {
    checks.push([d, 1]);
    checks.push([d, 2 + (i % 10)]);
  });
  const got = await mapLimit(checks, 8, ([d, n]) => addWd(client, d, n));
  const bad = [];
  checks.forEach(([d, n], i) => {
    const want = addWorkdays(d, n);
    if (got[i] !== want) bad.push(`${d} + ${n} → ${got[i]}, want ${want}`);
  });
  if (bad.length) fail(`${bad.length} of ${checks.length} wrong, e.g.\n${bad.slice(0, 12).join('\n')}`);
  return `${checks.length} requests`;
});

test('tickets calendar: GET /calendar?year=2026 lists exactly the 2026 holidays and the make-up working days', async ({ client }) => {
  const j = await getJson(client, 'agent', '/api/v1/calendar?year=2026');
  assert(j.year === 2026 && Array.isArray(j.days), `calendar 2026: ${short(j)}`);
  for (const d of j.days) assert(typeof d.day === 'string' && typeof d.kind === 'string' && typeof d.name === 'string', `calendar day ${short(d)}`);
  const kindOf = new Map(j.days.map((d) => [d.day, d.kind]));
  const offKind = kindOf.get('2026-10-01');
  const workKind = kindOf.get('2026-10-10');
  assert(offKind && workKind && offKind !== workKind, `kinds of 2026-10-01 (${offKind}) and 2026-10-10 (${workKind})`);
  const off2026 = [...OFF].filter((d) => d.startsWith('2026')).sort();
  const work2026 = [...WORK].filter((d) => d.startsWith('2026')).sort();
  const listedOff = j.days.filter((d) => d.kind === offKind).map((d) => d.day).sort();
  const listedWork = j.days.filter((d) => d.kind === workKind).map((d) => d.day).sort();
  assert(isDeepStrictEqual(listedWork, work2026), `make-up days ${short(listedWork)}, want ${short(work2026)}`);
  // Days off that fall on a weekend may or may not be listed; every weekday holiday must be.
  const weekdayOff = off2026.filter((d) => weekday(d) >= 1 && weekday(d) <= 5);
  for (const d of weekdayOff) assert(listedOff.includes(d), `holiday ${d} not listed as ${offKind}: ${short(listedOff)}`);
  for (const d of listedOff) assert(OFF.has(d), `${d} listed as ${offKind}, but it is no 2026 holiday`);
  assert(j.days.every((d) => d.day.startsWith('2026-')), 'days of another year listed');
  const nd = j.days.find((d) => d.day === '2026-10-01');
  assert(/[\u4e00-\u9fff]/.test(nd.name), `2026-10-01 has no Chinese name: ${short(nd)}`);
});

test('tickets calendar: bad from or days → 422 naming the field', async ({ client }) => {
  const bad = [
    ['from=2026-02-30&days=1', 'from'],
    ['from=2026-13-01&days=1', 'from'],
    ['from=2026%2F09%2F30&days=1', 'from'],
    ['from=tomorrow&days=1', 'from'],
    ['days=1', 'from'],
    ['from=2026-09-30&days=abc', 'days'],
    ['from=2026-09-30&days=1.5', 'days'],
    ['from=2026-09-30', 'days'],
  ];
  const problems = [];
  for (const [q, field] of bad) {
    try {
      expectError(await client.call('GET', `${ADD}?${q}`, { as: 'agent' }), 422, 'invalid', field);
    } catch (e) {
      problems.push(`?${q}: ${e.message}`);
    }
  }
  if (problems.length) fail(problems.join('\n'));
});

test('tickets calendar import: an admin\'s import of 2030 changes add-workdays and GET /calendar; a non-admin gets 403 and changes nothing; re-import replaces the year', async ({ client }) => {
  const kinds = await getJson(client, 'agent', '/api/v1/calendar?year=2026');
  const offKind = kinds.days.find((d) => d.day === '2026-10-01').kind;
  const workKind = kinds.days.find((d) => d.day === '2026-10-10').kind;
  // 2030-01-01 is a Tuesday, 01-04 a Friday, 01-05 a Saturday.
  assert((await addWd(client, '2030-01-01', 1)) === '2030-01-02', 'before the import: 2030-01-01 + 1');
  assert((await addWd(client, '2030-01-04', 1)) === '2030-01-07', 'before the import: 2030-01-04 + 1');
  const body = {
    year: 2030,
    days: [
      { day: '2030-01-02', kind: offKind, name: '测试假日' },
      { day: '2030-01-05', kind: workKind, name: '测试调休' },
    ],
  };
  for (const u of ['agent', 'manager', 'engineer', 'supervisor']) expectError(await client.call('POST', '/api/v1/calendar/import', { as: u, body }), 403, 'forbidden');
  assert((await addWd(client, '2030-01-01', 1)) === '2030-01-02', 'a refused import changed 2030-01-01 + 1');
  expectError(await client.call('POST', '/api/v1/calendar/import', { as: 'admin', body: { year: 2030, days: [{ day: '2031-01-02', kind: offKind, name: 'x' }] } }), 422, 'invalid');
  expectError(await client.call('POST', '/api/v1/calendar/import', { as: 'admin', body: { year: 2030, days: [{ day: '2030-02-30', kind: offKind, name: 'x' }] } }), 422, 'invalid');
  expectError(await client.call('POST', '/api/v1/calendar/import', { as: 'admin', body: { year: 2030, days: [{ day: '2030-01-02', kind: 'party', name: 'x' }] } }), 422, 'invalid');
  assert((await addWd(client, '2030-01-01', 1)) === '2030-01-02', 'a refused import changed 2030-01-01 + 1');

  const res = await client.call('POST', '/api/v1/calendar/import', { as: 'admin', body });
  assert(res.status === 200 || res.status === 201 || res.status === 204, `import as admin: ${res.status} ${short(res.text)}`);
  try {
    assert((await addWd(client, '2030-01-01', 1)) === '2030-01-03', 'after importing 2030-01-02 as a holiday, 2030-01-01 + 1');
    assert((await addWd(client, '2030-01-04', 1)) === '2030-01-05', 'after importing 2030-01-05 as a working Saturday, 2030-01-04 + 1');
    const cal = await getJson(client, 'agent', '/api/v1/calendar?year=2030');
    const got = cal.days.map((d) => [d.day, d.kind]).sort();
    assert(isDeepStrictEqual(got, [['2030-01-02', offKind], ['2030-01-05', workKind]]), `GET /calendar?year=2030 ${short(cal)}`);
    // 2026 untouched.
    assert((await addWd(client, '2026-09-30', 1)) === '2026-10-08', 'importing 2030 changed 2026');
  } finally {
    await post(client, 'admin', '/api/v1/calendar/import', { year: 2030, days: [] }, res.status, 'restore 2030');
  }
  assert((await addWd(client, '2030-01-01', 1)) === '2030-01-02', 'after re-importing 2030 empty: 2030-01-01 + 1');
  assert((await addWd(client, '2030-01-04', 1)) === '2030-01-07', 'after re-importing 2030 empty: 2030-01-04 + 1');
  assert((await getJson(client, 'agent', '/api/v1/calendar?year=2030')).days.length === 0, 'GET /calendar?year=2030 after the empty import');
});

/*==== 2. Creating tickets =====================================================*/

test('tickets: create → 201 with the defaults (status new, severity normal, assignee = creator, project from the unit, SLA clocks in order, a create event)', async ({ client }) => {
  const u = await users(client);
  const unit = await newUnit(client, 1);
  const cust = await newCustomer(client, 1);
  const cats = await categories(client);
  const t = await newTicket(client, 'agent', { unit_id: unit.id, customer_id: cust.id, category_id: cats.repair.id, title: nextTitle('默认值') });
  assert(t.status === 'new' && t.type === 'repair' && t.channel === 'phone' && t.severity === 'normal', `defaults ${short(t)}`);
  assert(t.project_id === unit.project_id && t.unit_id === unit.id && t.customer_id === cust.id && t.category_id === cats.repair.id, `links ${short(t)}`);
  assert(t.assignee_id === u.agent, `assignee_id ${t.assignee_id}, want the creator ${u.agent}`);
  assert(t.reopen_count === 0, `reopen_count ${t.reopen_count}`);
  assert(typeof t.no === 'string' && t.no.length > 0, `ticket no ${short(t.no)}`);
  const c = ms(t.created_at);
  assert(Math.abs(c - Date.now()) < 120000, `created_at ${t.created_at} is not now`);
  const r = ms(t.response_due_at);
  const s = ms(t.resolve_due_at);
  const w = ms(t.warn_at);
  const e2 = ms(t.escalate2_at);
  assert(c < r && r <= s && c < w && w < s && s < e2, `clocks out of order: created ${t.created_at}, response ${t.response_due_at}, warn ${t.warn_at}, resolve ${t.resolve_due_at}, escalate2 ${t.escalate2_at}`);
  assert(!t.warned_at && !t.escalated1_at && !t.escalated2_at, `a new ticket already warned/escalated: ${short(t)}`);
  const j = await full(client, 'agent', t.id);
  const ev = events(j);
  assert(ev.length === 1 && ev[0].action === 'create' && ev[0].user_id === u.agent && ev[0].to_status === 'new', `events of a new ticket ${short(ev)}`);
  assert(actionNames(j).includes('accept') && !actionNames(j).includes('close') && !actionNames(j).includes('resolve'), `actions open to agent: ${short(j.actions)}`);
  assert(j.callback_required === 1 || j.callback_required === true, `a repair ticket needs a callback: ${short(j.callback_required)}`);
  for (const k of ['callbacks', 'compensations', 'children']) assert(Array.isArray(j[k]) && j[k].length === 0, `full.${k} of a new ticket ${short(j[k])}`);
  // The list finds it.
  const list = await getJson(client, 'agent', `/api/v1/tickets?q=${encodeURIComponent(t.title)}`);
  assert(list.total === 1 && list.items[0].id === t.id, `list ?q=title ${short(list)}`);
});

test('tickets: bad values → 422 naming the field and nothing stored (the list count does not change)', async ({ client }) => {
  const cats = await categories(client);
  const unit = await newUnit(client, 1);
  const unit2 = await newUnit(client, 2);
  const good = { type: 'repair', channel: 'phone', unit_id: unit.id, category_id: cats.repair.id, title: nextTitle('校验'), description: '门锁坏了', caller_name: '李先生', caller_phone: '16800009999' };
  const before = await total(client, 'admin', '/api/v1/tickets?limit=1');
  const bad = [
    [{ type: undefined }, 'type'],
    [{ type: 'praise' }, 'type'],
    [{ channel: 'wechat' }, 'channel'],
    [{ channel: undefined }, 'channel'],
    [{ severity: 'critical' }, 'severity'],
    [{ unit_id: 999999 }, 'unit_id'],
    [{ unit_id: 'abc' }, 'unit_id'],
    [{ category_id: 999999 }, 'category_id'],
    [{ customer_id: 999999 }, 'customer_id'],
    [{ assignee_id: 999999 }, 'assignee_id'],
    [{ parent_id: 999999 }, 'parent_id'],
    [{ project_id: 2 }, ['project_id', 'unit_id']],
    [{ unit_id: unit2.id, project_id: 1 }, ['project_id', 'unit_id']],
    [{ channel: 'hotline', hotline_no: 'GD001' }, 'hotline_deadline'],
    [{ channel: 'hotline', hotline_no: 'GD001', hotline_deadline: 'tomorrow' }, 'hotline_deadline'],
    [{ description: undefined }, 'description'],
    [{ description: '' }, 'description'],
    [{ hotline_deadline: iso(Date.now() + 2 * DAY_MS) }, 'hotline_deadline'],
    [{ customer_id: undefined, caller_name: undefined, caller_phone: undefined }, 'customer_id'],
    [{ caller_phone: '12345' }, 'caller_phone'],
    [{ bogus_field: 1 }, 'bogus_field'],
  ];
  const problems = [];
  for (const [change, field] of bad) {
    const body = { ...good, ...change };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const res = await client.call('POST', '/api/v1/tickets', { as: 'agent', body });
    try {
      expectError(res, 422, 'invalid');
      const fields = [].concat(field);
      assert(fields.includes(res.json.error.field), `error.field ${short(res.json.error.field)}, want ${fields.join(' or ')}`);
    } catch (e) {
      problems.push(`${short(change, 120)}: ${e.message}`);
    }
  }
  const after = await total(client, 'admin', '/api/v1/tickets?limit=1');
  if (after !== before) problems.push(`ticket count ${before} → ${after}: refused creates stored tickets`);
  if (problems.length) fail(problems.join('\n'));
  return `${bad.length} refusals`;
});

test('tickets 12345: a hotline ticket carries hotline_no and hotline_deadline; a near deadline caps resolve_due_at, a far one does not', async ({ client }) => {
  const near = Math.floor((Date.now() + 2 * HOUR_MS) / 1000) * 1000;
  const t = await newTicket(client, 'agent', { type: 'complaint', channel: 'hotline', hotline_no: 'GD20261128001', hotline_deadline: iso(near) });
  assert(t.channel === 'hotline' && t.hotline_no === 'GD20261128001', `hotline ticket ${short(t)}`);
  assert(ms(t.hotline_deadline) === near, `hotline_deadline ${t.hotline_deadline}, want ${iso(near)}`);
  assert(ms(t.resolve_due_at) === near, `resolve_due_at ${t.resolve_due_at}, want the hotline deadline ${iso(near)} (earlier than any policy)`);
  assert(ms(t.escalate2_at) > near && ms(t.warn_at) < near, `warn ${t.warn_at} / escalate2 ${t.escalate2_at} around the capped resolution ${iso(near)}`);
  const far = Math.floor((Date.now() + 120 * DAY_MS) / 1000) * 1000;
  const t2 = await newTicket(client, 'agent', { type: 'complaint', channel: 'hotline', hotline_no: 'GD20261128002', hotline_deadline: iso(far) });
  assert(ms(t2.resolve_due_at) < far, `resolve_due_at ${t2.resolve_due_at} is not before a deadline 120 days away`);
  // A date-only deadline is 18:00 Shanghai time of that day.
  const d = addDays(today(), 1);
  const t3 = await newTicket(client, 'agent', { type: 'consult', channel: 'hotline', hotline_no: 'GD20261128004', hotline_deadline: d });
  assert(ms(t3.hotline_deadline) === shAt(d, 18) && ms(t3.resolve_due_at) <= shAt(d, 18), `date-only deadline ${t3.hotline_deadline}, resolve_due_at ${t3.resolve_due_at}; want ${iso(shAt(d, 18))}`);
  // 12345 tickets always need a callback, consultations too.
  assert(t3.callback_required === 1 || t3.callback_required === true, `a 12345 consult needs a callback: ${short(t3.callback_required)}`);
  // docs/tickets.md: hotline_no + hotline_deadline are required for channel hotline.
  const before = await total(client, 'admin', '/api/v1/tickets?limit=1');
  const res = await client.call('POST', '/api/v1/tickets', { as: 'agent', body: { type: 'complaint', channel: 'hotline', unit_id: (await newUnit(client, 1)).id, category_id: (await categories(client)).repair.id, description: '无热线工单号', caller_name: '王女士', hotline_deadline: iso(far) } });
  expectError(res, 422, 'invalid', 'hotline_no');
  assert((await total(client, 'admin', '/api/v1/tickets?limit=1')) === before, 'a 12345 ticket without hotline_no was stored');
});

/*==== 3. The workflow ==========================================================*/

/** For each state, what the declared table refuses (params valid, caller holds every permission). */
const REFUSED = {
  new: ['dispatch', 'pause', 'resolve', 'callback', 'close', 'reopen'],
  accepted: ['accept', 'callback', 'close', 'reopen'],
  processing: ['accept', 'callback', 'close', 'reopen'],
  callback: ['accept', 'dispatch', 'pause', 'resolve', 'merge'],
  closed: ['accept', 'dispatch', 'assign', 'pause', 'resolve', 'callback', 'close', 'merge', 'set_parent'],
  merged: ['accept', 'dispatch', 'assign', 'pause', 'resolve', 'callback', 'close', 'reopen', 'merge', 'set_parent', 'mark_defect'],
};

test('tickets workflow: every action refused from the wrong state → 409 {field: status} naming the current state; nothing changes', async ({ client }) => {
  const a = await allUser(client, 'flow');
  const u = await users(client);
  const target = await newTicket(client, a.username);
  const problems = [];
  const check = async (t, status) => {
    const before = await full(client, a.username, t.id);
    assert(before.status === status, `ticket ${t.id} is ${before.status}, want ${status}`);
    for (const action of REFUSED[status]) {
      const extra = action === 'merge' ? { into_id: target.id } : action === 'assign' ? { assignee_id: u.engineer } : action === 'set_parent' ? { parent_id: target.id } : {};
      const res = await act(client, a.username, t.id, action, params(action, extra));
      try {
        expectError(res, 409, 'conflict', 'status');
        const m = res.json.error.message;
        assert(m.includes(STATUS_LABEL[status]) || m.includes(status), `message does not name the state ${STATUS_LABEL[status]}: ${m}`);
      } catch (e) {
        problems.push(`${status} → ${action}: ${e.message}`);
      }
    }
    const after = await full(client, a.username, t.id);
    if (after.status !== status || events(after).length !== events(before).length) problems.push(`${status}: refused actions changed the ticket (${after.status}, ${events(before).length} → ${events(after).length} events)`);
  };
  const t = await newTicket(client, a.username);
  await check(t, 'new');
  await actOk(client, a.username, t.id, 'accept', params('accept'));
  await check(t, 'accepted');
  await actOk(client, a.username, t.id, 'dispatch', params('dispatch'));
  await check(t, 'processing');
  await actOk(client, a.username, t.id, 'resolve', params('resolve'));
  await check(t, 'callback');
  const rater = await allUser(client, 'rater');
  await actOk(client, rater.username, t.id, 'callback', params('callback', { score: 4 }));
  await check(t, 'closed');
  const m = await newTicket(client, a.username);
  await actOk(client, a.username, m.id, 'merge', { into_id: target.id });
  await check(m, 'merged');
  // An unknown action, or none.
  expectError(await act(client, a.username, target.id, 'explode'), 422, 'invalid', 'action');
  expectError(await client.call('POST', `/api/v1/tickets/${target.id}/actions`, { as: a.username, body: {} }), 422, 'invalid', 'action');
  expectError(await act(client, a.username, 999999, 'accept', params('accept')), 404, 'not_found');
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
});

test('tickets workflow: new → accept → dispatch (work order PG-…) → assign → resolve → callback (score 4) → closed; reopen → processing; each step an event with who and from/to', async ({ client }) => {
  const u = await users(client);
  const a = await allUser(client, 'flow');
  const rater = await allUser(client, 'rater');
  const sup = 'supervisor';
  const t = await newTicket(client, 'agent');
  let j = await actOk(client, 'agent', t.id, 'accept', { note: '电话受理' });
  assert(j.status === 'accepted' && typeof j.responded_at === 'string', `after accept ${short(j)}`);
  // dispatch: to a department, with a due date; a work order number PG-…
  expectError(await act(client, 'agent', t.id, 'dispatch', { dispatch_kind: 'army', dispatch_to: '工程部' }), 422, 'invalid', 'dispatch_kind');
  expectError(await act(client, 'agent', t.id, 'dispatch', { dispatch_kind: 'contractor', contractor_id: 999999 }), 422, 'invalid', 'contractor_id');
  j = await actOk(client, a.username, t.id, 'dispatch', { dispatch_kind: 'department', dispatch_to: '工程部', assignee_id: u.engineer, due_date: addDays(today(), 3), note: '派工程部' });
  assert(j.status === 'processing' && j.assignee_id === u.engineer, `after dispatch ${short(j)}`);
  assert(typeof j.work_order_no === 'string' && /^PG/.test(j.work_order_no) && j.dispatch_kind === 'department' && j.dispatch_to === '工程部', `work order of the dispatched ticket: ${short({ no: j.work_order_no, kind: j.dispatch_kind, to: j.dispatch_to })}`);
  // assign: stays processing, names the new assignee.
  expectError(await act(client, a.username, t.id, 'assign', { assignee_id: 999999 }), 422, 'invalid', 'assignee_id');
  j = await actOk(client, a.username, t.id, 'assign', { assignee_id: u.property, note: '转物业' });
  assert(j.status === 'processing' && j.assignee_id === u.property, `after assign ${short(j)}`);
  // resolve needs a resolution.
  expectError(await act(client, a.username, t.id, 'resolve', {}), 422, 'invalid', 'resolution');
  expectError(await act(client, a.username, t.id, 'resolve', { resolution: '' }), 422, 'invalid', 'resolution');
  j = await actOk(client, a.username, t.id, 'resolve', { resolution: '已维修完毕' });
  assert(j.status === 'callback' && typeof j.resolved_at === 'string', `after resolve ${short(j)}`);
  // callback: bad values.
  expectError(await act(client, rater.username, t.id, 'callback', { outcome: 'maybe' }), 422, 'invalid', 'outcome');
  expectError(await act(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 6, comment: 'x' }), 422, 'invalid', 'score');
  expectError(await act(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 0, comment: 'x' }), 422, 'invalid', 'score');
  expectError(await act(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 4 }), 422, 'invalid', 'comment');
  j = await actOk(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 4, comment: '业主满意' });
  assert(j.status === 'closed' && typeof j.closed_at === 'string', `after a reached callback with 4: ${short(j)}`);
  assert(j.callbacks.length === 1 && j.callbacks[0].score === 4 && j.callbacks[0].outcome === 'reached', `callbacks ${short(j.callbacks)}`);
  // reopen needs ticket.supervise and a reason.
  expectError(await act(client, 'agent', t.id, 'reopen', { reason: '又漏了' }), 403, 'forbidden');
  expectError(await act(client, sup, t.id, 'reopen', {}), 422, 'invalid', 'reason');
  j = await actOk(client, sup, t.id, 'reopen', { reason: '业主反映又漏水' });
  assert(j.status === 'processing', `after reopen ${short(j)}`);

  const ev = events(j);
  const acts = ev.map((e) => e.action);
  const want = ['create', 'accept', 'dispatch', 'assign', 'resolve', 'callback', 'reopen'];
  assert(isDeepStrictEqual(acts.filter((x) => want.includes(x)), want), `event actions ${short(acts)}, want ${short(want)} in order`);
  const by = Object.fromEntries(ev.map((e) => [e.action, e]));
  assert(by.create.user_id === u.agent && by.create.to_status === 'new', `create event ${short(by.create)}`);
  assert(by.accept.user_id === u.agent && by.accept.from_status === 'new' && by.accept.to_status === 'accepted' && by.accept.note === '电话受理', `accept event ${short(by.accept)}`);
  assert(by.dispatch.user_id === a.id && by.dispatch.from_status === 'accepted' && by.dispatch.to_status === 'processing' && by.dispatch.note.includes(j.work_order_no), `dispatch event ${short(by.dispatch)}`);
  assert(by.assign.user_id === a.id && by.assign.from_status === 'processing' && by.assign.to_status === 'processing', `assign event ${short(by.assign)}`);
  assert(by.resolve.user_id === a.id && by.resolve.from_status === 'processing' && by.resolve.to_status === 'callback' && by.resolve.note === '已维修完毕', `resolve event ${short(by.resolve)}`);
  assert(by.callback.user_id === rater.id && by.callback.from_status === 'callback' && by.callback.to_status === 'closed', `callback event ${short(by.callback)}`);
  assert(by.reopen.user_id === u.supervisor && by.reopen.from_status === 'closed' && by.reopen.to_status === 'processing' && by.reopen.note === '业主反映又漏水', `reopen event ${short(by.reopen)}`);
  for (const e of ev) assert(typeof e.at === 'string' && /^\d{4}-\d\d-\d\dT/.test(e.at), `event time ${short(e)}`);
  for (let i = 1; i < ev.length; i++) assert(ev[i - 1].at <= ev[i].at, `events not in time order: ${short(ev.map((e) => e.at))}`);
  // Every action is audited.
  const audit = await getJson(client, 'admin', `/api/v1/audit?entity=tickets&entity_id=${t.id}&limit=200`);
  assert(audit.total >= want.length, `audit rows of ticket ${t.id}: ${audit.total}, want at least ${want.length}`);
});

test('tickets pause/resume: a paused ticket refuses all but resume, assign, set_parent, mark_defect; resume moves the due times later by the paused span (wall clock)', async ({ client }) => {
  const u = await users(client);
  const t = await wallTicket(client, 'agent');
  let j = await actOk(client, 'agent', t.id, 'accept', params('accept'));
  const before = { resolve: ms(j.resolve_due_at), warn: ms(j.warn_at), e2: ms(j.escalate2_at) };
  expectError(await act(client, 'agent', t.id, 'pause', {}), 422, 'invalid', 'note');
  expectError(await act(client, 'agent', t.id, 'resume', params('resume')), 409, 'conflict');
  const p0 = Date.now();
  j = await actOk(client, 'agent', t.id, 'pause', { note: '等待业主回家开门' });
  assert(j.status === 'accepted' && isPaused(j), `paused ticket ${short(j)}`);
  assert(isDeepStrictEqual(new Set(actionNames(j)), new Set(['assign', 'resume', 'set_parent'])), `a paused suggestion offers ${short(actionNames(j))}, want assign, resume, set_parent`);
  for (const action of ['accept', 'dispatch', 'pause', 'resolve', 'merge']) {
    const other = action === 'merge' ? { into_id: (await newTicket(client, 'agent')).id } : {};
    expectError(await act(client, 'agent', t.id, action, params(action, other)), 409, 'conflict');
  }
  j = await actOk(client, 'agent', t.id, 'assign', { assignee_id: u.contract });
  assert(j.assignee_id === u.contract && isPaused(j), `assign while paused ${short(j)}`);
  const parent = await wallTicket(client, 'agent');
  j = await actOk(client, 'agent', t.id, 'set_parent', { parent_id: parent.id });
  assert(j.parent_id === parent.id && isPaused(j), `set_parent while paused ${short(j)}`);
  j = await actOk(client, 'agent', t.id, 'set_parent', { parent_id: null });
  // mark_defect too (a repair ticket: only repairs are defects).
  const r = await driveTo(client, 'agent', await newTicket(client, 'agent'), 'accepted');
  await actOk(client, 'agent', r.id, 'pause', { note: '等待业主' });
  j = await actOk(client, 'agent', r.id, 'mark_defect', { is_defect: true });
  assert(j.is_defect === 1 || j.is_defect === true, `mark_defect while paused ${short(j.is_defect)}`);
  expectError(await act(client, 'agent', r.id, 'resolve', params('resolve')), 409, 'conflict');
  await sleep(Math.max(0, 2500 - (Date.now() - p0)));
  j = await actOk(client, 'agent', t.id, 'resume', { note: '业主已回家' });
  const span = Date.now() - p0;
  assert(!isPaused(j), `resumed ticket still paused ${short(j)}`);
  const after = { resolve: ms(j.resolve_due_at), warn: ms(j.warn_at), e2: ms(j.escalate2_at) };
  for (const k of ['resolve', 'warn', 'e2']) {
    const shift = after[k] - before[k];
    assert(shift >= 1000 && shift <= span + 2000, `${k} moved by ${shift} ms after a pause of about ${span} ms`);
  }
  assert(after.resolve - before.resolve === after.e2 - before.e2, `resolve moved ${after.resolve - before.resolve} ms, escalate2 ${after.e2 - before.e2} ms`);
  const acts = events(j).map((e) => e.action);
  assert(acts.includes('pause') && acts.includes('resume'), `events ${short(acts)}`);
  // It works normally again (a suggestion outside 12345 needs no callback: callback or closed).
  j = await actOk(client, 'agent', t.id, 'resolve', params('resolve'));
  assert(j.status === 'callback' || j.status === 'closed', `resolve after resume: ${j.status}`);
});

test('tickets pause/resume on working time: a pause outside working hours moves nothing, inside it moves the due time later', async ({ client }) => {
  const t = await newTicket(client, 'agent');
  let j = await actOk(client, 'agent', t.id, 'accept', params('accept'));
  const before = ms(j.resolve_due_at);
  const p0 = Date.now();
  await actOk(client, 'agent', t.id, 'pause', { note: '等业主' });
  await sleep(1500);
  j = await actOk(client, 'agent', t.id, 'resume', { note: '业主回复' });
  const p1 = Date.now();
  const worked = workTimeBetween(p0, p1);
  const shift = ms(j.resolve_due_at) - before;
  const pol = (await listAll(client, 'admin', '/api/v1/sla-policies')).find((p) => p.id === j.sla_policy_id);
  if (pol && (pol.resolve_unit === 'work_hours' || pol.resolve_unit === 'work_days')) {
    if (worked === 0) assert(shift === 0, `paused outside working hours (${iso(p0)}–${iso(p1)}), yet resolve_due_at moved by ${shift} ms`);
    else {
      // The due time moves by the paused working time, measured on working time (18:00 + 2 s is 09:00:02 next working day).
      const workShift = workTimeBetween(before, ms(j.resolve_due_at));
      assert(workShift > 0 && workShift <= worked + 1000, `paused ${worked} ms of working time, resolve_due_at moved ${workShift} ms of working time`);
    }
    return worked === 0 ? 'outside working hours' : 'inside working hours';
  }
  assert(shift >= 1000, `wall-clock policy: resolve_due_at moved ${shift} ms`);
  return `policy ${short(pol)}`;
});

test('tickets SLA: due times follow the matched policy on its clock (wall clock exact; work units from the calendar)', async ({ client }) => {
  const pol = await wallPolicy(client);
  const t = await wallTicket(client, 'agent');
  const c = ms(t.created_at);
  assert(t.sla_policy_id === pol.id, `wall-clock ticket matched policy ${t.sla_policy_id}, want ${pol.id} (type + severity + channel match beats fewer columns)`);
  const near = (a, b, label) => assert(Math.abs(a - b) <= 1000, `${label} ${iso(a)}, want ${iso(b)}`);
  near(ms(t.response_due_at), c + HOUR_MS, 'response_due_at');
  near(ms(t.resolve_due_at), c + 4 * HOUR_MS, 'resolve_due_at');
  near(ms(t.warn_at), c + 2 * HOUR_MS, 'warn_at (50% of 4 h)');
  near(ms(t.escalate2_at), c + 6 * HOUR_MS, 'escalate2_at (resolution + half the window)');
  // An ordinary repair: the policy it names, on its own clock.
  const r = await newTicket(client, 'agent');
  const policies = await listAll(client, 'admin', '/api/v1/sla-policies');
  const p = policies.find((x) => x.id === r.sla_policy_id);
  assert(p, `repair ticket names policy ${r.sla_policy_id}, not in /sla-policies`);
  const rc = ms(r.created_at);
  const due = (n, unit) => {
    if (unit === 'work_days') return shAt(addWorkdays(shDate(rc), n), 18);
    if (unit === 'work_hours') return addWorkTime(rc, n * HOUR_MS);
    if (unit === 'hours') return rc + n * HOUR_MS;
    return rc + n * DAY_MS;
  };
  assert(p.type === 'repair' && p.severity === 'normal', `a normal repair by phone matched ${short(p)}, want the repair + normal row`);
  const resolve = due(p.resolve_amount, p.resolve_unit);
  near(ms(r.resolve_due_at), resolve, `repair resolve_due_at (${p.resolve_amount} ${p.resolve_unit})`);
  near(ms(r.response_due_at), Math.min(resolve, due(p.response_amount, p.response_unit)), `repair response_due_at (${p.response_amount} ${p.response_unit})`);
  if (p.resolve_unit.startsWith('work_')) {
    // warn_percent and the half window on working time.
    const window = workTimeBetween(rc, resolve);
    near(ms(r.warn_at), addWorkTime(rc, Math.floor((window * p.warn_percent) / 100 / 1000) * 1000), `repair warn_at (${p.warn_percent}% of ${window / HOUR_MS} working hours)`);
    near(ms(r.escalate2_at), addWorkTime(resolve, Math.floor(window / 2 / 1000) * 1000), 'repair escalate2_at (resolution + half the window, working time)');
  }
  // Equally specific rows: the lower id wins.
  const u = await newTicket(client, 'agent', { severity: 'urgent', type: 'consult', channel: 'visit' });
  const pu = policies.find((x) => x.id === u.sla_policy_id);
  assert(pu && pu.severity === 'urgent' && pu.type === null, `an urgent consult matched ${short(pu)}, want the urgent row (1 column) over the consult row (1 column, higher id)`);
  return `repair policy ${p.resolve_amount} ${p.resolve_unit}`;
});

/*---- callbacks and closing ----*/

test('tickets callback: creator, assignee, accepter, dispatcher and resolver may not score (403); score 3 closes, 2 reopens (reopen_count + 1, supervisors told)', async ({ client }) => {
  const creator = await allUser(client, 'creator');
  const handler = await allUser(client, 'handler');
  const resolver = await allUser(client, 'resolver');
  const assignee = await allUser(client, 'assignee');
  const rater = await allUser(client, 'rater');
  const t = await newTicket(client, creator.username);
  await actOk(client, handler.username, t.id, 'accept', params('accept'));
  await actOk(client, handler.username, t.id, 'dispatch', params('dispatch', { assignee_id: assignee.id }));
  let j = await actOk(client, resolver.username, t.id, 'resolve', params('resolve'));
  assert(j.assignee_id === assignee.id, `assignee ${j.assignee_id}`);
  for (const who of [creator, handler, resolver, assignee]) {
    const res = await act(client, who.username, t.id, 'callback', { outcome: 'reached', score: 5, comment: '自评满意' });
    try {
      expectError(res, 403, 'forbidden');
    } catch (e) {
      fail(`${who.username} scored their own ticket: ${e.message}`);
    }
  }
  j = await full(client, rater.username, t.id);
  assert(j.status === 'callback' && j.callbacks.length === 0, `refused self-ratings changed the ticket: ${j.status}, ${short(j.callbacks)}`);
  j = await actOk(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 3, comment: '基本满意' });
  assert(j.status === 'closed', `score 3: ${j.status}, want closed`);

  // Score 2: back to processing, reopen_count 1, the supervisors hear of it.
  const t2 = await newTicket(client, creator.username);
  await driveTo(client, handler.username, t2, 'callback');
  await readAll(client, 'supervisor');
  j = await actOk(client, rater.username, t2.id, 'callback', { outcome: 'reached', score: 2, comment: '不满意，还漏水' });
  assert(j.status === 'processing' && j.reopen_count === 1, `score 2: ${j.status}, reopen_count ${j.reopen_count}; want processing, 1`);
  const n = await notesFor(client, 'supervisor', j);
  assert(n.length >= 1 && n.every((x) => !x.read_at), `the supervisor was not told of the score 2 on ${j.no}: ${short(n)}`);
  // Resolved again, the same rater closes it with 5.
  await actOk(client, handler.username, t2.id, 'resolve', params('resolve'));
  j = await actOk(client, rater.username, t2.id, 'callback', { outcome: 'reached', score: 5, comment: '满意' });
  assert(j.status === 'closed' && j.reopen_count === 1 && j.callbacks.length === 2, `second callback: ${short(j)}`);
});

test('tickets close: refused without a callback (409) until three failed attempts; consult/suggestion tickets outside 12345 close without one, 12345 ones never', async ({ client }) => {
  const h = await allUser(client, 'handler');
  const rater = await allUser(client, 'rater');
  const t = await driveTo(client, h.username, await newTicket(client, h.username, { type: 'complaint' }), 'callback');
  expectError(await act(client, rater.username, t.id, 'close', params('close')), 409, 'conflict');
  for (let k = 1; k <= 3; k++) {
    const j = await actOk(client, rater.username, t.id, 'callback', { outcome: 'failed', note: `第${k}次未接通` });
    assert(j.status === 'callback', `after ${k} failed callbacks: ${j.status}`);
    if (k < 3) expectError(await act(client, rater.username, t.id, 'close', params('close')), 409, 'conflict');
  }
  let j = await actOk(client, rater.username, t.id, 'close', params('close', { note: '三次未接通，关闭' }));
  assert(j.status === 'closed' && j.callbacks.length === 3 && j.callbacks.every((c) => c.outcome === 'failed'), `closed after 3 failed attempts: ${short(j)}`);

  // Failed attempts before a new resolution do not count.
  const t2 = await driveTo(client, h.username, await newTicket(client, h.username, { type: 'complaint' }), 'callback');
  for (let k = 0; k < 3; k++) await actOk(client, rater.username, t2.id, 'callback', { outcome: 'failed', note: '未接通' });
  await actOk(client, 'supervisor', t2.id, 'reopen', { reason: '业主来电仍未修好' });
  await actOk(client, h.username, t2.id, 'resolve', params('resolve'));
  expectError(await act(client, rater.username, t2.id, 'close', params('close')), 409, 'conflict');

  // No callback needed: consult and suggestion outside 12345 close without one
  // (the server closes them at resolve; a ticket left waiting could be closed).
  for (const type of ['consult', 'suggestion']) {
    const c = await newTicket(client, h.username, { type });
    await actOk(client, h.username, c.id, 'accept', params('accept'));
    j = await actOk(client, h.username, c.id, 'resolve', params('resolve'));
    if (j.status === 'callback') j = await actOk(client, h.username, c.id, 'close', params('close'));
    assert(j.status === 'closed' && j.callbacks.length === 0, `${type} closed without a callback: ${j.status}`);
  }
  // 12345 consultations do need one.
  const hl = await newTicket(client, h.username, { type: 'consult', channel: 'hotline', hotline_no: 'GD20261128003', hotline_deadline: iso(Date.now() + 3 * DAY_MS) });
  await driveTo(client, h.username, hl, 'callback');
  expectError(await act(client, h.username, hl.id, 'close', params('close')), 409, 'conflict');
  j = await actOk(client, rater.username, hl.id, 'callback', { outcome: 'reached', score: 4, comment: '已解答' });
  assert(j.status === 'closed', `12345 consult after a reached callback: ${j.status}`);
});

test('tickets parent/child: a parent cannot close, nor be closed by a callback, while a child is open (409 children); once the child closes it can', async ({ client }) => {
  const h = await allUser(client, 'handler');
  const rater = await allUser(client, 'rater');
  const unit = await newUnit(client, 1);
  const parent = await newTicket(client, h.username, { unit_id: unit.id, type: 'complaint', title: nextTitle('主工单') });
  const child = await newTicket(client, h.username, { unit_id: unit.id, parent_id: parent.id, title: nextTitle('子工单') });
  assert(child.parent_id === parent.id, `child.parent_id ${child.parent_id}`);
  const child2 = await newTicket(client, h.username, { unit_id: unit.id });
  let j = await actOk(client, h.username, child2.id, 'set_parent', { parent_id: parent.id });
  assert(j.parent_id === parent.id, `set_parent ${short(j)}`);
  j = await full(client, h.username, parent.id);
  assert(isDeepStrictEqual(j.children.map((c) => c.id).sort((a, b) => a - b), [child.id, child2.id].sort((a, b) => a - b)), `children ${short(j.children)}`);
  j = await actOk(client, h.username, child2.id, 'set_parent', { parent_id: null });
  assert(j.parent_id === null, `unlinked child ${short(j.parent_id)}`);
  expectError(await act(client, h.username, child.id, 'set_parent', { parent_id: child.id }), 422, 'invalid', 'parent_id');
  expectError(await act(client, h.username, parent.id, 'set_parent', { parent_id: child.id }), 422, 'invalid', 'parent_id');

  // Closing after three failed callbacks: still refused while a child is open.
  await driveTo(client, h.username, parent, 'callback');
  for (let k = 0; k < 3; k++) await actOk(client, rater.username, parent.id, 'callback', { outcome: 'failed', note: '未接通' });
  expectError(await act(client, rater.username, parent.id, 'close', params('close')), 409, 'conflict', 'children');
  j = await full(client, h.username, parent.id);
  assert(j.status === 'callback', `refused close changed the parent: ${j.status}`);
  // A complaint parent closed by a callback: the same 409.
  const p2 = await newTicket(client, h.username, { unit_id: unit.id, type: 'complaint' });
  const c2 = await newTicket(client, h.username, { unit_id: unit.id, parent_id: p2.id });
  await driveTo(client, h.username, p2, 'callback');
  expectError(await act(client, rater.username, p2.id, 'callback', { outcome: 'reached', score: 5, comment: '满意' }), 409, 'conflict', 'children');
  j = await full(client, h.username, p2.id);
  assert(j.status === 'callback' && j.callbacks.length === 0, `refused callback changed the parent: ${j.status} ${short(j.callbacks)}`);

  // Close the children, then the parents.
  await driveTo(client, h.username, child, 'callback');
  await actOk(client, rater.username, child.id, 'callback', { outcome: 'reached', score: 4, comment: '好' });
  j = await actOk(client, rater.username, parent.id, 'close', params('close'));
  assert(j.status === 'closed', `parent after its child closed: ${j.status}`);
  await driveTo(client, h.username, c2, 'callback');
  await actOk(client, rater.username, c2.id, 'callback', { outcome: 'reached', score: 4, comment: '好' });
  j = await actOk(client, rater.username, p2.id, 'callback', { outcome: 'reached', score: 5, comment: '满意' });
  assert(j.status === 'closed', `p2 after its child closed: ${j.status}`);
});

test('tickets merge: into an open ticket of the same project → merged (final); another project, itself, a closed or unknown ticket → refused', async ({ client }) => {
  const h = await allUser(client, 'handler');
  const a = await newTicket(client, h.username, { title: nextTitle('合并到') });
  const b = await newTicket(client, h.username, { title: nextTitle('被合并') });
  const other = await newTicket(client, h.username, { unit_id: (await newUnit(client, 2)).id });
  expectError(await act(client, h.username, b.id, 'merge', {}), 422, 'invalid', 'into_id');
  expectError(await act(client, h.username, b.id, 'merge', { into_id: 999999 }), 422, 'invalid', 'into_id');
  expectError(await act(client, h.username, b.id, 'merge', { into_id: b.id }), 422, 'invalid', 'into_id');
  expectError(await act(client, h.username, b.id, 'merge', { into_id: other.id }), 422, 'invalid', 'into_id');
  const rater = await allUser(client, 'rater');
  const closed = await closeQuick(client, h.username, rater.username, await newTicket(client, h.username));
  const r = await act(client, h.username, b.id, 'merge', { into_id: closed.id });
  assert(r.status === 422 || r.status === 409, `merge into a closed ticket: ${r.status} ${short(r.text)}`);
  let j = await actOk(client, h.username, b.id, 'merge', { into_id: a.id, note: '重复来电' });
  assert(j.status === 'merged' && j.merged_into_id === a.id, `merged ticket ${short(j)}`);
  assert(actionNames(j).length === 0, `a merged ticket still offers ${short(j.actions)}`);
  j = await full(client, h.username, a.id);
  assert(j.status === 'new', `the surviving ticket changed: ${j.status}`);
  assert(Array.isArray(j.merged) && j.merged.some((x) => x.id === b.id), `the surviving ticket does not list the merged one: ${short(j.merged)}`);
  const open = await getJson(client, h.username, `/api/v1/tickets?status=merged&q=${encodeURIComponent(b.title)}`);
  assert(open.total === 1 && open.items[0].id === b.id, `?status=merged ${short(open)}`);
});

test('tickets mark_defect: any state but merged; is_defect filterable', async ({ client }) => {
  const h = await allUser(client, 'handler');
  const t = await newTicket(client, h.username);
  let j = await actOk(client, h.username, t.id, 'mark_defect', { is_defect: true });
  assert(j.is_defect === 1 || j.is_defect === true, `is_defect ${j.is_defect}`);
  const listed = await getJson(client, h.username, `/api/v1/tickets?is_defect=true&q=${encodeURIComponent(t.title)}`);
  assert(listed.total === 1, `?is_defect=true ${short(listed)}`);
  expectError(await act(client, h.username, t.id, 'mark_defect', { is_defect: 'yes' }), 422, 'invalid', 'is_defect');
  j = await actOk(client, h.username, t.id, 'mark_defect', { is_defect: false });
  assert(j.is_defect === 0 || j.is_defect === false, `unmarked ${j.is_defect}`);
  // Closed tickets too; merged ones not (409).
  const rater = await allUser(client, 'rater');
  await closeQuick(client, h.username, rater.username, t);
  j = await actOk(client, h.username, t.id, 'mark_defect', { is_defect: true });
  assert(j.is_defect === 1 || j.is_defect === true, `closed ticket marked ${j.is_defect}`);
});

/*==== 4. Scope and permissions =================================================*/

test('tickets scope: engineering (project 1 only) and agents (projects 1–2) never see project 2 / 3 tickets; creating outside the scope → 403', async ({ client }) => {
  const t2 = await newTicket(client, 'manager', { unit_id: (await newUnit(client, 2)).id, title: nextTitle('二期') });
  const t3 = await newTicket(client, 'manager', { unit_id: (await newUnit(client, 3)).id, title: nextTitle('三期') });
  const denied = (res, what) => assert(res.status === 403 || res.status === 404, `${what}: ${res.status} ${short(res.text)}, want 403 or 404`);
  for (const [who, t] of [
    ['engineer', t2],
    ['engineer', t3],
    ['agent', t3],
  ]) {
    denied(await client.call('GET', `/api/v1/tickets/${t.id}/full`, { as: who }), `${who} GET /tickets/${t.id}/full`);
    denied(await act(client, who, t.id, 'accept', params('accept')), `${who} accepts ticket ${t.id}`);
    const list = await getJson(client, who, `/api/v1/tickets?q=${encodeURIComponent(t.title)}`);
    assert(list.total === 0, `${who} lists ticket ${t.id}: ${short(list)}`);
    for (const view of ['team', 'open', 'overdue']) {
      const q = await getJson(client, who, `/api/v1/tickets/queue?view=${view}&limit=200`);
      assert(!q.items.some((x) => x.id === t.id), `${who}'s ${view} queue shows ticket ${t.id} of project ${t.project_id}`);
    }
  }
  expectError(await client.call('GET', `/api/v1/tickets?project_id=3`, { as: 'agent' }), 403, 'forbidden');
  const still = await full(client, 'manager', t3.id);
  assert(still.status === 'new', `a refused accept changed ticket ${t3.id}: ${still.status}`);
  const cats = await categories(client);
  const n3 = await total(client, 'manager', '/api/v1/tickets?project_id=3&limit=1');
  for (const body of [
    { unit_id: (await newUnit(client, 3)).id },
    { project_id: 3 },
  ])
    expectError(await client.call('POST', '/api/v1/tickets', { as: 'agent', body: { type: 'repair', channel: 'phone', category_id: cats.repair.id, description: '越权登记', caller_name: '赵先生', title: nextTitle(), ...body } }), 403, 'forbidden');
  assert((await total(client, 'manager', '/api/v1/tickets?project_id=3&limit=1')) === n3, 'a refused create stored a project-3 ticket');
  // Readers of the project do see it.
  expectStatus(await client.call('GET', `/api/v1/tickets/${t2.id}/full`, { as: 'agent' }), 200, 'agent reads a project-2 ticket');
});

/** Ticket-module routes of `anjia routes`. */
function ticketRoutes(bin, env) {
  const r = runBinClean(bin, ['routes'], env);
  assert(r.status === 0, `anjia routes exited ${r.status}`);
  const all = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const re = /^\/api\/v1\/(tickets|ticket-categories|sla-policies|contractors|warranty-periods|compensations|defect-cases|calendar|units\/\{id\}\/warranty|meta\/entities\/(ticket-categories|sla-policies|contractors|warranty-periods|compensations|defect-cases|tickets))(\/|$|\?)/;
  return all.filter((x) => re.test(x.path));
}

test('tickets permissions: every ticket-module route refuses (403) a role holding every permission but the route\'s own', async ({ bin, env, client }) => {
  const routes = ticketRoutes(bin, env);
  const paths = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const want of [
    'POST /api/v1/tickets',
    'GET /api/v1/tickets',
    'GET /api/v1/tickets/export.xlsx',
    'GET /api/v1/tickets/queue',
    'GET /api/v1/tickets/{id}/full',
    'POST /api/v1/tickets/{id}/actions',
    'POST /api/v1/tickets/{id}/compensations',
    'POST /api/v1/compensations/{id}/payment',
    'GET /api/v1/tickets/dashboard',
    'GET /api/v1/tickets/clusters',
    'GET /api/v1/units/{id}/warranty',
    'POST /api/v1/defect-cases',
    'GET /api/v1/defect-cases/report',
    'GET /api/v1/calendar',
    'POST /api/v1/calendar/import',
    'GET /api/v1/calendar/add-workdays',
  ])
    assert(paths.has(want), `anjia routes lacks ${want}`);
  const expectPerm = {
    'POST /api/v1/tickets': 'ticket.write',
    'GET /api/v1/tickets': 'ticket.read',
    'GET /api/v1/tickets/export.xlsx': 'ticket.export',
    'POST /api/v1/tickets/{id}/compensations': 'compensation.write',
    'POST /api/v1/compensations/{id}/payment': 'compensation.pay',
    'POST /api/v1/defect-cases': 'defect.write',
    'GET /api/v1/defect-cases/report': 'defect.read',
    'POST /api/v1/calendar/import': 'calendar.admin',
    'GET /api/v1/calendar/add-workdays': '',
  };
  for (const r of routes) {
    const k = `${r.method} ${r.path}`;
    if (k in expectPerm) assert(r.perm === expectPerm[k], `${k} needs ${short(r.perm)}, docs/tickets.md says ${short(expectPerm[k])}`);
  }
  const perms = [...new Set(routes.map((r) => r.perm).filter((p) => p))];
  const lackers = new Map();
  for (const p of perms) {
    const role = await roleWithout(client, [p]);
    const name = `tkp${lackers.size}`;
    await createUser(client, name, role);
    lackers.set(p, name);
  }
  const problems = [];
  let checked = 0;
  for (const r of routes) {
    if (!r.perm) continue;
    const p = r.path.replace(/\{[a-z_]+\}/g, '1');
    const body = r.method === 'GET' ? undefined : {};
    const res = await client.call(r.method, p, { as: lackers.get(r.perm), body });
    checked++;
    try {
      expectError(res, 403, 'forbidden');
    } catch (e) {
      problems.push(`${r.method} ${r.path} as a role without ${r.perm}: ${e.message}`);
    }
    // A role lacking some other permission gets past authorization.
    const other = perms.find((q) => q !== r.perm);
    if (other) {
      const ok = await client.call(r.method, p, { as: lackers.get(other), body });
      if (ok.status === 401 || ok.status === 403 || ok.status >= 500) problems.push(`${r.method} ${r.path} as a role without ${other} only: ${ok.status} ${short(ok.text)}`);
    }
  }
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
  return `${checked} routes, ${perms.length} permissions`;
});

test('tickets permissions per action: dispatch/assign need ticket.dispatch, callback/close ticket.callback, reopen ticket.supervise, the rest ticket.write (403, nothing changes)', async ({ client }) => {
  const u = await users(client);
  const h = await allUser(client, 'handler');
  const lacker = async (perm) => {
    const role = await roleWithout(client, [perm]);
    const name = `tka_${perm.replace(/[^a-z]/g, '')}`.slice(0, 32);
    if (!client.passwords.has(name)) await createUser(client, name, role);
    return name;
  };
  const noWrite = await lacker('ticket.write');
  const noDispatch = await lacker('ticket.dispatch');
  const noCallback = await lacker('ticket.callback');
  const noSupervise = await lacker('ticket.supervise');
  const t = await newTicket(client, h.username);
  const refuse = async (who, action, extra = {}) => {
    const before = await full(client, h.username, t.id);
    const res = await act(client, who, t.id, action, params(action, extra));
    try {
      expectError(res, 403, 'forbidden');
    } catch (e) {
      fail(`${action} as ${who}: ${e.message}`);
    }
    const after = await full(client, h.username, t.id);
    assert(after.status === before.status && events(after).length === events(before).length, `refused ${action} changed the ticket`);
  };
  await refuse(noWrite, 'accept');
  await refuse(noDispatch, 'assign', { assignee_id: u.engineer });
  await actOk(client, noDispatch, t.id, 'accept', params('accept'));
  await refuse(noDispatch, 'dispatch');
  await refuse(noWrite, 'pause');
  await actOk(client, noWrite, t.id, 'dispatch', params('dispatch'));
  await refuse(noWrite, 'resolve');
  await refuse(noWrite, 'mark_defect');
  await actOk(client, noCallback, t.id, 'resolve', params('resolve'));
  await refuse(noCallback, 'callback', { outcome: 'failed', note: '未接通' });
  for (let k = 0; k < 3; k++) await actOk(client, noSupervise, t.id, 'callback', { outcome: 'failed', note: '未接通' });
  await refuse(noCallback, 'close');
  await refuse(noSupervise, 'reopen');
  const j = await actOk(client, noDispatch, t.id, 'close', params('close'));
  assert(j.status === 'closed', `close: ${j.status}`);
  await refuse(noSupervise, 'reopen');
});

/*==== 5. The customer's timeline ================================================*/

test('tickets timeline: every action on a customer\'s ticket shows on GET /customers/{id}/360', async ({ client }) => {
  const cust = await newCustomer(client, 1, '工单时间线客户');
  const h = await allUser(client, 'handler');
  const rater = await allUser(client, 'rater');
  const t = await newTicket(client, h.username, { customer_id: cust.id });
  await driveTo(client, h.username, t, 'callback');
  const j = await actOk(client, rater.username, t.id, 'callback', { outcome: 'reached', score: 5, comment: '满意' });
  const n = events(j).length;
  assert(n >= 5, `events ${short(events(j))}`);
  const v = await getJson(client, 'manager', `/api/v1/customers/${cust.id}/360`);
  const mine = v.timeline.filter((e) => e.entity === 'tickets' && e.entity_id === t.id);
  assert(mine.length === n, `timeline entries of ticket ${t.id}: ${mine.length}, want one per event (${n}): ${short(v.timeline)}`);
  for (const e of mine) assert(typeof e.title === 'string' && /[\u4e00-\u9fff]/.test(e.title) && typeof e.at === 'string' && typeof e.username === 'string', `timeline entry ${short(e)}`);
});

/*==== 6. Warranty ==================================================================*/

test('tickets warranty: a delivered unit is under warranty until delivered_on ⊕ the period (民法典 201–202, month-end rule); past it is not; not delivered → not_delivered; no component → no_component', async ({ client }) => {
  const cats = await categories(client);
  const periods = await listAll(client, 'admin', '/api/v1/warranty-periods');
  const defaultOf = (component) => periods.find((p) => p.component === component && (p.project_id === null || p.project_id === undefined));
  const cat = cats.repair;
  const def = defaultOf(cat.component);
  assert(def, `no default warranty period for ${cat.component}: ${short(periods)}`);
  const t0 = today();
  // Delivered on the last day of a month, so that the end may need the month-end rule.
  const cases = ['2024-02-29', '2025-08-31', '2026-01-31', '2021-03-31', addDays(t0, -1)];
  const problems = [];
  for (const delivered of cases) {
    const unit = await newUnit(client, 1, delivered);
    const w = await getJson(client, 'agent', `/api/v1/units/${unit.id}/warranty?category_id=${cat.id}`);
    const end = periodEnd(delivered, def.years, def.months);
    const want = { component: cat.component, delivered_on: delivered, years: def.years, months: def.months, end, under_warranty: end >= t0, days_left: diffDays(t0, end) };
    for (const [k, v] of Object.entries(want)) if (w[k] !== v) problems.push(`delivered ${delivered}: ${k} ${short(w[k])}, want ${short(v)} (${short(w)})`);
    if (!(typeof w.component_name === 'string' && /[\u4e00-\u9fff]/.test(w.component_name))) problems.push(`component_name ${short(w.component_name)}`);
  }
  if (problems.length) fail(problems.join('\n'));
  // The ticket carries it.
  const unit = await newUnit(client, 1, '2025-08-31');
  const t = await newTicket(client, 'agent', { unit_id: unit.id, category_id: cat.id });
  const j = await full(client, 'agent', t.id);
  assert(j.warranty && j.warranty.end === periodEnd('2025-08-31', def.years, def.months) && j.warranty.under_warranty === periodEnd('2025-08-31', def.years, def.months) >= t0, `ticket warranty ${short(j.warranty)}`);
  // Not delivered.
  const nd = await newUnit(client, 1);
  const w = await getJson(client, 'agent', `/api/v1/units/${nd.id}/warranty?category_id=${cat.id}`);
  assert(w.status === 'not_delivered' && w.end === undefined && w.under_warranty === undefined, `undelivered unit: ${short(w)}`);
  const tn = await newTicket(client, 'agent', { unit_id: nd.id, category_id: cat.id });
  assert((await full(client, 'agent', tn.id)).warranty.status === 'not_delivered', 'ticket on an undelivered unit');
  // No component.
  if (cats.plain) {
    const w2 = await getJson(client, 'agent', `/api/v1/units/${unit.id}/warranty?category_id=${cats.plain.id}`);
    assert(w2.status === 'no_component' && w2.end === undefined, `category without component: ${short(w2)}`);
  }
  return `${def.component}: ${def.years} y ${def.months} m`;
});

test('tickets warranty: an unknown unit → 404; a missing or unknown category → 422 category_id (not an answer); a unit outside the scope → 403', async ({ client }) => {
  const cats = await categories(client);
  const unit = await newUnit(client, 1, '2025-08-31');
  const u3 = await newUnit(client, 3, '2025-08-31');
  expectError(await client.call('GET', `/api/v1/units/999999/warranty?category_id=${cats.repair.id}`, { as: 'agent' }), 404, 'not_found');
  expectError(await client.call('GET', `/api/v1/units/${u3.id}/warranty?category_id=${cats.repair.id}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/units/${unit.id}/warranty`, { as: 'agent' }), 422, 'invalid', 'category_id');
  expectError(await client.call('GET', `/api/v1/units/${unit.id}/warranty?category_id=999999`, { as: 'agent' }), 422, 'invalid', 'category_id');
});

test('tickets warranty demo data: delivered_on is set on the delivered flats only, never on flats merely reserved or signed, never before the flat was sold', async ({ client }) => {
  // The demo's buildings are numbered 1, 2, …; the tests' have letters (TK1, AQ1, …).
  const demoBuildings = new Set((await listAll(client, 'manager', '/api/v1/buildings')).filter((b) => /^\d+$/.test(b.code)).map((b) => b.id));
  const demo = (await listAll(client, 'manager', '/api/v1/units')).filter((u) => demoBuildings.has(u.building_id));
  const problems = [];
  const early = [];
  for (const u of demo) {
    if (u.status === 'delivered' && !u.delivered_on) problems.push(`${u.room_code} (project ${u.project_id}) is delivered but has no delivered_on`);
    if (u.status !== 'delivered' && u.delivered_on) problems.push(`${u.room_code} (project ${u.project_id}) is ${u.status} but was delivered on ${u.delivered_on}`);
  }
  // A delivered flat's contract was signed before the handover.
  const contracts = await listAll(client, 'manager', '/api/v1/contracts');
  const byUnit = new Map(contracts.filter((k) => k.status !== 'cancelled').map((k) => [k.unit_id, k]));
  for (const u of demo.filter((x) => x.delivered_on)) {
    const k = byUnit.get(u.id);
    if (k && k.signed_on && u.delivered_on < k.signed_on) early.push(`${u.room_code}: delivered ${u.delivered_on}, contract ${k.no} signed ${k.signed_on}`);
  }
  const n = problems.length + early.length;
  if (n) fail(`${problems.length} units with delivered_on not matching their status, ${early.length} delivered before their contract was signed; e.g.\n${[...problems.slice(0, 4), ...early.slice(0, 4)].join('\n')}`);
  return `${demo.length} demo units`;
});

test('tickets warranty: a per-project period overrides the default for that project only', async ({ client }) => {
  const cats = await categories(client);
  const cat = cats.other;
  const periods = await listAll(client, 'admin', '/api/v1/warranty-periods');
  const def = periods.find((p) => p.component === cat.component && (p.project_id === null || p.project_id === undefined));
  assert(def, `no default period for ${cat.component}`);
  const ov = { project_id: 2, component: cat.component, name: `${def.name}（二期）`, years: def.years + 1, months: 6 };
  const res = await client.call('POST', '/api/v1/warranty-periods', { as: 'admin', body: ov });
  expectStatus(res, 201, 'create a project-2 warranty period');
  const u2 = await newUnit(client, 2, '2025-08-31');
  const u1 = await newUnit(client, 1, '2025-08-31');
  const w2 = await getJson(client, 'agent', `/api/v1/units/${u2.id}/warranty?category_id=${cat.id}`);
  const w1 = await getJson(client, 'agent', `/api/v1/units/${u1.id}/warranty?category_id=${cat.id}`);
  assert(w2.years === ov.years && w2.months === 6 && w2.end === periodEnd('2025-08-31', ov.years, 6), `project 2 warranty ${short(w2)}, want ${ov.years} y 6 m → ${periodEnd('2025-08-31', ov.years, 6)}`);
  assert(w1.years === def.years && w1.months === def.months && w1.end === periodEnd('2025-08-31', def.years, def.months), `project 1 warranty ${short(w1)}`);
});

/*==== 7. Compensation =================================================================*/

/** Approve a request through its route, acting as whoever holds the pending task; returns the approvers' usernames in order. */
async function approveAll(client, approvalId) {
  const u = await users(client);
  const byId = new Map(Object.entries(u).map(([k, v]) => [v, k]));
  const who = [];
  for (let guard = 0; guard < 6; guard++) {
    const r = await getJson(client, 'admin', `/api/v1/approvals/${approvalId}`);
    if (r.status !== 'in_progress') return { who, request: r };
    const pend = r.tasks.filter((t) => t.status === 'pending' && t.round === r.round);
    const name = pend.map((t) => byId.get(t.approver_id)).find((x) => x && x !== 'admin');
    assert(name, `request ${approvalId}: no demo user among the pending approvers ${short(pend)}`);
    const res = await client.call('POST', `/api/v1/approvals/${approvalId}/actions`, { as: name, body: { action: 'approve', comment: '同意' } });
    expectStatus(res, 200, `approve request ${approvalId} as ${name}`);
    who.push(name);
  }
  fail(`request ${approvalId} did not finish after 6 approvals`);
}

test('tickets compensation: ≤ ¥5,000 one step (客服经理); above adds 财务审核; above ¥20,000 adds 分管领导; finance pays after approval only (409 before), not above the amount; all on /full', async ({ client }) => {
  const req = await allUser(client, 'comp');
  const cases = [
    [500000, ['manager']],
    [500001, ['manager', 'finance']],
    [2000000, ['manager', 'finance']],
    [2000001, ['manager', 'finance', 'director']],
  ];
  const problems = [];
  for (const [amount, chain] of cases) {
    const t = await newTicket(client, req.username, { type: 'complaint' });
    expectError(await client.call('POST', `/api/v1/tickets/${t.id}/compensations`, { as: req.username, body: { amount_fen: 0, reason: '漏水损坏家具', reason_category: '财产损失' } }), 422, 'invalid', 'amount_fen');
    expectError(await client.call('POST', `/api/v1/tickets/${t.id}/compensations`, { as: req.username, body: { amount_fen: amount, reason_category: '财产损失' } }), 422, 'invalid', 'reason');
    expectError(await client.call('POST', `/api/v1/tickets/${t.id}/compensations`, { as: req.username, body: { amount_fen: amount, reason: '漏水', reason_category: '心情不好' } }), 422, 'invalid', 'reason_category');
    const reply = await post(client, req.username, `/api/v1/tickets/${t.id}/compensations`, { amount_fen: amount, reason: '漏水损坏家具', reason_category: '财产损失' }, 201, 'request compensation');
    const c = (reply.compensations || []).find((x) => x.id === reply.compensation_id);
    assert(c && c.status === 'pending' && c.amount_fen === amount && Number.isInteger(c.approval_id), `compensation ${short(c)}`);
    // Payment before approval.
    expectError(await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'finance', body: { paid_on: today(), payment_ref: 'PAY-EARLY' } }), 409, 'conflict');
    const ap = await getJson(client, 'admin', `/api/v1/approvals/${c.approval_id}`);
    assert(ap.template_code === 'compensation', `approval template ${ap.template_code}`);
    const { who, request } = await approveAll(client, c.approval_id);
    if (!isDeepStrictEqual([...who].sort(), [...chain].sort())) problems.push(`¥${amount / 100}: approved by ${who.join(' → ')}, want ${chain.join(' → ')}`);
    assert(request.status === 'approved', `approval ${c.approval_id}: ${request.status}`);
    let j = await full(client, req.username, t.id);
    const cc = j.compensations.find((x) => x.id === c.id);
    assert(cc && cc.status === 'approved', `compensation after approval on /full: ${short(j.compensations)}`);
    // Payment: not by agents, not above the amount, then once.
    expectError(await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'agent', body: { paid_on: today(), payment_ref: 'PAY-X' } }), 403, 'forbidden');
    expectError(await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'finance', body: { paid_fen: amount + 1, paid_on: today(), payment_ref: 'PAY-X' } }), 422, 'invalid', 'paid_fen');
    const pay = await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'finance', body: { paid_on: today(), payment_ref: `PAY-${c.id}` } });
    assert(pay.status === 200 || pay.status === 201, `payment: ${pay.status} ${short(pay.text)}`);
    expectError(await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'finance', body: { paid_on: today(), payment_ref: `PAY-${c.id}-2` } }), 409, 'conflict');
    j = await full(client, req.username, t.id);
    const paid = j.compensations.find((x) => x.id === c.id);
    assert(paid.status === 'paid' && paid.paid_fen === amount && paid.paid_on === today() && paid.payment_ref === `PAY-${c.id}`, `paid compensation on /full ${short(paid)}`);
    const acts = events(j).map((e) => e.action);
    for (const a of ['compensation', 'compensation_decided', 'compensation_paid']) assert(acts.includes(a), `ticket events lack ${a}: ${short(acts)}`);
  }
  if (problems.length) fail(problems.join('\n'));
});

test('tickets compensation: a rejected request cannot be paid (409); compensation.write needed to ask (403)', async ({ client }) => {
  const req = await allUser(client, 'comp');
  const t = await newTicket(client, req.username, { type: 'complaint' });
  const reply = await post(client, req.username, `/api/v1/tickets/${t.id}/compensations`, { amount_fen: 120000, reason: '维修延误', reason_category: '维修延误' }, 201, 'request');
  const c = reply.compensations.find((x) => x.id === reply.compensation_id);
  assert(c && c.status === 'pending', `compensation ${short(reply.compensations)}`);
  // One pending compensation per ticket.
  expectError(await client.call('POST', `/api/v1/tickets/${t.id}/compensations`, { as: req.username, body: { amount_fen: 100, reason: '再来一次', reason_category: '其他' } }), 409, 'conflict');
  const res = await client.call('POST', `/api/v1/approvals/${c.approval_id}/actions`, { as: 'manager', body: { action: 'reject', comment: '证据不足' } });
  expectStatus(res, 200, 'reject');
  const j = await full(client, req.username, t.id);
  assert(j.compensations.find((x) => x.id === c.id).status === 'rejected', `rejected compensation ${short(j.compensations)}`);
  expectError(await client.call('POST', `/api/v1/compensations/${c.id}/payment`, { as: 'finance', body: { paid_on: today(), payment_ref: 'PAY-R' } }), 409, 'conflict');
  const lacker = await roleWithout(client, ['compensation.write']);
  if (!client.passwords.has('tkc_nowrite')) await createUser(client, 'tkc_nowrite', lacker);
  expectError(await client.call('POST', `/api/v1/tickets/${t.id}/compensations`, { as: 'tkc_nowrite', body: { amount_fen: 100, reason: 'x', reason_category: '维修延误' } }), 403, 'forbidden');
  expectError(await client.call('POST', `/api/v1/compensations/999999/payment`, { as: 'finance', body: { paid_on: today(), payment_ref: 'PAY-N' } }), 404, 'not_found');
});

/*==== 8. Defect cases and clusters ============================================================*/

async function contractor(client) {
  if (fx.contractor) return fx.contractor;
  fx.contractor = await post(client, 'admin', '/api/v1/contractors', { name: '工单测试防水工程有限公司' }, 201, 'create contractor');
  return fx.contractor;
}

/** The report row of a group (rows carry the group's id as `key`). */
function reportRow(rep, value) {
  const rows = Array.isArray(rep) ? rep : rep.rows || rep.items;
  assert(Array.isArray(rows), `report ${short(rep)}`);
  return rows.find((r) => r.key === value) || { cases: 0, tickets: 0, cost_fen: 0 };
}

test('tickets defect cases: flagged repair tickets roll up with root cause, contractor, fix and cost; the report by project and contractor adds up; unflagged or foreign tickets → 422', async ({ client }) => {
  const h = await allUser(client, 'handler');
  const cats = await categories(client);
  const k = await contractor(client);
  const t1 = await newTicket(client, h.username, { category_id: cats.repair.id });
  const t2 = await newTicket(client, h.username, { category_id: cats.repair.id });
  const t3 = await newTicket(client, h.username, { category_id: cats.repair.id });
  const foreign = await newTicket(client, h.username, { unit_id: (await newUnit(client, 2)).id });
  for (const t of [t1, t2, foreign]) await actOk(client, h.username, t.id, 'mark_defect', { is_defect: true });
  const byProject0 = reportRow(await getJson(client, 'admin', '/api/v1/defect-cases/report?by=project'), 1);
  const byContractor0 = reportRow(await getJson(client, 'admin', '/api/v1/defect-cases/report?by=contractor'), k.id);
  const body = { title: `${MARK}卫生间防水缺陷`, project_id: 1, category_id: cats.repair.id, building_id: fx.buildings.get(1), contractor_id: k.id, root_cause: '防水层施工不到位', fix: '重做防水', cost_fen: 350000, ticket_ids: [t1.id, t2.id] };
  const n0 = await total(client, 'admin', '/api/v1/defect-cases?limit=1');
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, ticket_ids: [t1.id, t3.id] } }), 422, 'invalid', 'ticket_ids');
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, ticket_ids: [t1.id, foreign.id] } }), 422, 'invalid', 'ticket_ids');
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, ticket_ids: [] } }), 422, 'invalid', 'ticket_ids');
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, cost_fen: -1 } }), 422, 'invalid', 'cost_fen');
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, contractor_id: 999999 } }), 422, 'invalid', 'contractor_id');
  assert((await total(client, 'admin', '/api/v1/defect-cases?limit=1')) === n0, 'a refused defect case was stored');
  const dc = await post(client, 'admin', '/api/v1/defect-cases', body, 201, 'create defect case');
  assert(Number.isInteger(dc.id) && dc.cost_fen === 350000 && dc.contractor_id === k.id, `defect case ${short(dc)}`);
  const byProject1 = reportRow(await getJson(client, 'admin', '/api/v1/defect-cases/report?by=project'), 1);
  const byContractor1 = reportRow(await getJson(client, 'admin', '/api/v1/defect-cases/report?by=contractor'), k.id);
  for (const [label, a, b] of [
    ['project 1', byProject0, byProject1],
    ['contractor', byContractor0, byContractor1],
  ]) {
    assert(b.cases === a.cases + 1 && b.tickets === a.tickets + 2 && b.cost_fen === a.cost_fen + 350000, `report ${label}: before ${short(a)}, after ${short(b)}; want +1 case, +2 tickets, +350000`);
  }
  const t1f = await full(client, h.username, t1.id);
  assert(t1f.defect_case_id === dc.id, `ticket ${t1.id} defect_case_id ${t1f.defect_case_id}, want ${dc.id}`);
  expectError(await act(client, h.username, t1.id, 'mark_defect', { is_defect: false }), 409, 'conflict', 'is_defect');
  // A ticket already in a case cannot join another.
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'admin', body: { ...body, ticket_ids: [t1.id] } }), 422, 'invalid', 'ticket_ids');
  const rep = await getJson(client, 'admin', '/api/v1/defect-cases/report?by=project');
  const sum = (k) => rep.rows.reduce((a, r) => a + r[k], 0);
  assert(rep.totals.cases === sum('cases') && rep.totals.tickets === sum('tickets') && rep.totals.cost_fen === sum('cost_fen'), `report totals ${short(rep.totals)} ≠ the sum of its rows`);
  expectError(await client.call('GET', '/api/v1/defect-cases/report?by=weather', { as: 'admin' }), 422, 'invalid', 'by');
  // The engineering department writes cases; the agent does not.
  expectError(await client.call('POST', '/api/v1/defect-cases', { as: 'agent', body }), 403, 'forbidden');
});

test('tickets clusters: three repair tickets of one building and category within 3 days → a cluster (群诉); the third ticket\'s reply says so; supervisors told once per cluster and day', async ({ client }) => {
  const cats = await categories(client);
  const cat = cats.other;
  const h = await allUser(client, 'handler');
  // A building of its own, so no other ticket joins.
  const b = await post(client, 'manager', '/api/v1/buildings', { project_id: 1, code: 'TKC1', name: '群诉测试楼', floors: 20 }, 201, 'cluster building');
  const unit = async (room) => post(client, 'manager', '/api/v1/units', { building_id: b.id, unit_no: '1', floor: Number(room.slice(0, -2)), room, usage: 'residential' }, 201, 'unit');
  const clusterNotes = async () => (await getJson(client, 'supervisor', '/api/v1/notifications')).items.filter((n) => !n.read_at && (/cluster/.test(n.kind) || /群诉/.test(n.title)));
  await readAll(client, 'supervisor');
  const a = await newTicket(client, h.username, { unit_id: (await unit('301')).id, category_id: cat.id });
  const c2 = await newTicket(client, h.username, { unit_id: (await unit('502')).id, category_id: cat.id, type: 'complaint' });
  assert(!a.cluster && !c2.cluster, `cluster before three tickets: ${short(a.cluster)} ${short(c2.cluster)}`);
  // A consult of the same building does not count.
  const cons = await newTicket(client, h.username, { unit_id: (await unit('601')).id, category_id: cat.id, type: 'consult' });
  assert(!cons.cluster, `a consult made a cluster: ${short(cons.cluster)}`);
  const third = await newTicket(client, h.username, { unit_id: (await unit('702')).id, category_id: cat.id });
  assert(third.cluster && typeof third.cluster === 'object', `the third repair ticket's reply has no cluster: ${short(third)}`);
  assert(third.cluster.building_id === b.id && third.cluster.category_id === cat.id && third.cluster.count === 3, `cluster in the reply ${short(third.cluster)}`);
  const list = await getJson(client, 'agent', '/api/v1/tickets/clusters?days=3&min=3');
  const rows = Array.isArray(list) ? list : list.items;
  const mine = rows.filter((r) => r.building_id === b.id && r.category_id === cat.id);
  assert(mine.length === 1 && mine[0].count === 3, `clusters of building ${b.id}: ${short(mine)} (all: ${short(rows)})`);
  assert(isDeepStrictEqual([...mine[0].ticket_ids].sort((x, y) => x - y), [a.id, c2.id, third.id].sort((x, y) => x - y)), `cluster tickets ${short(mine[0].ticket_ids)}`);
  const few = await getJson(client, 'agent', '/api/v1/tickets/clusters?days=3&min=4');
  assert(!(Array.isArray(few) ? few : few.items).some((r) => r.building_id === b.id), 'min=4 still lists the 3-ticket cluster');
  assert((await clusterNotes()).length === 1, `supervisor cluster notifications after the third ticket: ${short(await clusterNotes())}`);
  const fourth = await newTicket(client, h.username, { unit_id: (await unit('803')).id, category_id: cat.id });
  assert(fourth.cluster, 'the fourth ticket is not in the cluster');
  assert((await clusterNotes()).length === 1, `supervisors told twice on the same day: ${short(await clusterNotes())}`);
  for (const q of ['days=0', 'days=31', 'min=1']) expectError(await client.call('GET', `/api/v1/tickets/clusters?${q}`, { as: 'agent' }), 422, 'invalid', q.split('=')[0]);
  // Engineering sees only project 1; a project-2 cluster stays hidden from it.
  expectError(await client.call('GET', '/api/v1/tickets/clusters?project_id=2', { as: 'engineer' }), 403, 'forbidden');
});

/*==== 9. Dashboard, queues, export ============================================================*/

/** A count from a dashboard breakdown: an array of {<key>: value, count} or an object {value: count}. */
function countOf(breakdown, key, value) {
  if (Array.isArray(breakdown)) {
    const row = breakdown.find((r) => r[key] === value);
    return row ? row.count : 0;
  }
  if (breakdown && typeof breakdown === 'object') return breakdown[value] || 0;
  fail(`dashboard breakdown ${short(breakdown)}`);
}
const sumCounts = (breakdown) => (Array.isArray(breakdown) ? breakdown.reduce((s, r) => s + r.count, 0) : Object.values(breakdown).reduce((s, v) => s + v, 0));

test('tickets dashboard: counts by type, status and category move with the tickets created; breakdowns add up to the list total', async ({ client }) => {
  const from = '2020-01-01';
  const to = addDays(today(), 1);
  const q = `/api/v1/tickets/dashboard?project_id=2&from=${from}&to=${to}`;
  const d0 = await getJson(client, 'manager', q);
  const cats = await categories(client);
  const made = [];
  for (const type of ['repair', 'repair', 'complaint']) made.push(await newTicket(client, 'manager', { type, unit_id: (await newUnit(client, 2)).id, category_id: cats.repair.id }));
  await actOk(client, 'manager', made[2].id, 'accept', params('accept'));
  const d1 = await getJson(client, 'manager', q);
  const diff = (k, key, v) => countOf(d1[k], key, v) - countOf(d0[k], key, v);
  assert(diff('by_type', 'type', 'repair') === 2 && diff('by_type', 'type', 'complaint') === 1, `by_type before ${short(d0.by_type)} after ${short(d1.by_type)}`);
  assert(diff('by_status', 'status', 'new') === 2 && diff('by_status', 'status', 'accepted') === 1, `by_status before ${short(d0.by_status)} after ${short(d1.by_status)}`);
  assert(diff('by_category', 'category_id', cats.repair.id) === 3, `by_category before ${short(d0.by_category)} after ${short(d1.by_category)}`);
  const listed = await total(client, 'manager', `/api/v1/tickets?project_id=2&limit=1`);
  for (const k of ['by_type', 'by_status', 'by_category']) assert(sumCounts(d1[k]) === listed, `dashboard ${k} sums to ${sumCounts(d1[k])}, the list has ${listed}`);
  assert(d1.totals.opened === listed, `dashboard totals.opened ${d1.totals.opened}, list ${listed}`);
  const openListed = (await Promise.all(['new', 'accepted', 'processing', 'callback'].map((st) => total(client, 'manager', `/api/v1/tickets?project_id=2&status=${st}&limit=1`)))).reduce((a, b) => a + b, 0);
  assert(d1.totals.open === openListed, `dashboard totals.open ${d1.totals.open}, the list has ${openListed} open`);
  assert(Array.isArray(d1.monthly), `monthly ${short(d1.monthly)}`);
  const month = today().slice(0, 7);
  const m0 = (d0.monthly.find((r) => r.month === month) || { opened: 0 }).opened;
  const m1 = d1.monthly.find((r) => r.month === month);
  assert(m1 && m1.opened === m0 + 3, `monthly ${month}: opened ${m1 && m1.opened}, want ${m0 + 3}`);
  assert(d1.monthly.reduce((a, r) => a + r.opened, 0) === listed, 'monthly opened does not add up to the list');
  // SLA compliance and satisfaction: resolve one in time and score it 4.
  const rater = await allUser(client, 'rater');
  await actOk(client, 'manager', made[2].id, 'resolve', params('resolve'));
  await actOk(client, rater.username, made[2].id, 'callback', { outcome: 'reached', score: 4, comment: '满意' });
  const d2 = await getJson(client, 'manager', q);
  const m2 = d2.monthly.find((r) => r.month === month);
  assert(m2.resolved === m1.resolved + 1 && m2.resolved_in_time === m1.resolved_in_time + 1 && m2.scored === m1.scored + 1 && m2.score_sum === m1.score_sum + 4, `monthly after one resolution in time with a 4: before ${short(m1)}, after ${short(m2)}`);
  assert(m2.compliance_pct100 === Math.floor((m2.resolved_in_time * 10000) / m2.resolved) && m2.satisfaction_avg100 === Math.floor((m2.score_sum * 100) / m2.scored), `monthly percentages ${short(m2)}`);
  // Another project's tickets do not count; a project outside the scope → 403.
  expectError(await client.call('GET', '/api/v1/tickets/dashboard?project_id=3', { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/tickets/dashboard?from=2026-02-30', { as: 'manager' }), 422, 'invalid', 'from');
  expectError(await client.call('GET', '/api/v1/tickets/dashboard?from=2026-03-01&to=2026-02-01', { as: 'manager' }), 422, 'invalid', 'from');
});

test('tickets queue: mine follows the assignee; overdue lists tickets past resolve_due_at; age 0-1 holds new tickets, 7- does not', async ({ client }) => {
  const other = await allUser(client, 'queue');
  const a = await newTicket(client, 'agent', { title: nextTitle('队列') });
  const queue = async (as, qs) => (await getJson(client, as, `/api/v1/tickets/queue?${qs}&limit=200`)).items.map((x) => x.id);
  assert((await queue('agent', 'view=mine')).includes(a.id), 'agent\'s mine queue lacks the ticket assigned to agent');
  assert(!(await queue(other.username, 'view=mine')).includes(a.id), `${other.username}'s mine queue shows agent's ticket`);
  await actOk(client, 'agent', a.id, 'assign', { assignee_id: other.id });
  assert(!(await queue('agent', 'view=mine')).includes(a.id), 'agent\'s mine queue still shows the reassigned ticket');
  assert((await queue(other.username, 'view=mine')).includes(a.id), `${other.username}'s mine queue lacks the ticket assigned to them`);
  const mine = await getJson(client, other.username, '/api/v1/tickets/queue?view=mine&limit=200');
  assert(mine.items.every((x) => x.assignee_id === other.id), `mine queue holds others' tickets: ${short(mine.items)}`);
  assert((await queue('agent', 'view=team')).includes(a.id), 'agent\'s team queue lacks a colleague\'s ticket');
  assert((await queue('agent', 'view=open')).includes(a.id), 'open queue lacks a new ticket');
  assert((await queue('agent', 'view=open&age=0-1')).includes(a.id), 'age=0-1 lacks a ticket created just now');
  assert(!(await queue('agent', 'view=open&age=7-')).includes(a.id), 'age=7- shows a ticket created just now');
  // Overdue: a 12345 ticket whose deadline passes in two seconds.
  const o = await newTicket(client, 'agent', { type: 'consult', channel: 'hotline', hotline_no: 'GD20261128009', hotline_deadline: iso(Math.ceil((Date.now() + 2000) / 1000) * 1000) });
  assert(!(await queue('agent', 'view=overdue')).includes(o.id), 'overdue before the deadline');
  await sleep(Math.max(0, ms(o.resolve_due_at) - Date.now() + 1200));
  const overdue = await getJson(client, 'agent', '/api/v1/tickets/queue?view=overdue&limit=200');
  assert(overdue.items.some((x) => x.id === o.id), 'overdue queue lacks a ticket past its deadline');
  assert(!overdue.items.some((x) => x.id === a.id), 'overdue queue shows a ticket not yet due');
  const now = Date.now();
  for (const x of overdue.items) assert(ms(x.resolve_due_at) < now && !['closed', 'merged', 'callback'].includes(x.status) && x.overdue === true, `overdue row ${short(x)}`);
  // Resolving takes it out.
  await actOk(client, 'agent', o.id, 'accept', params('accept'));
  await actOk(client, 'agent', o.id, 'resolve', params('resolve'));
  assert(!(await queue('agent', 'view=overdue')).includes(o.id), 'a resolved ticket is still overdue');
  expectError(await client.call('GET', '/api/v1/tickets/queue?view=everything', { as: 'agent' }), 422, 'invalid', 'view');
  expectError(await client.call('GET', '/api/v1/tickets/queue?view=open&age=2-5', { as: 'agent' }), 422, 'invalid', 'age');
  expectError(await client.call('GET', '/api/v1/tickets/queue?view=open&project_id=3', { as: 'agent' }), 403, 'forbidden');
});

test('tickets export: GET /tickets/export.xlsx is an xlsx with a header and one row per matching ticket; 403 without ticket.export', async ({ client }) => {
  const marker = `${MARK}导出${Date.now() % 100000}`;
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await newTicket(client, 'manager', { title: `${marker}-${i}` }));
  const res = await client.call('GET', `/api/v1/tickets/export.xlsx?q=${encodeURIComponent(marker)}`, { as: 'manager' });
  expectStatus(res, 200, 'tickets export');
  assert(/spreadsheetml/.test(String(res.headers['content-type'])), `content-type ${res.headers['content-type']}`);
  assert(/attachment/.test(String(res.headers['content-disposition'])), `content-disposition ${res.headers['content-disposition']}`);
  assert(res.buf.subarray(0, 2).toString() === 'PK', 'export is not a ZIP');
  const x = readXlsx(res.buf);
  assert(x.rows === 4, `export has ${x.rows} rows, want 3 + header`);
  for (const t of made) assert(x.strings.includes(t.title) && (!t.no || x.strings.includes(t.no)), `export lacks ${t.title} / ${t.no}`);
  // "Every field": each field of the tickets entity has its column.
  const meta = await getJson(client, 'manager', '/api/v1/meta/entities/tickets');
  const missing = meta.fields.filter((f) => !x.strings.includes(f.label)).map((f) => `${f.name} (${f.label})`);
  assert(missing.length === 0, `export lacks the columns ${missing.join(', ')}`);
  const lacker = await roleWithout(client, ['ticket.export']);
  if (!client.passwords.has('tkx_noexport')) await createUser(client, 'tkx_noexport', lacker);
  expectError(await client.call('GET', `/api/v1/tickets/export.xlsx?q=${encodeURIComponent(marker)}`, { as: 'tkx_noexport' }), 403, 'forbidden');
  // Scope: an agent's export of everything never carries a project-3 ticket.
  const t3 = await newTicket(client, 'manager', { title: `${marker}-p3`, unit_id: (await newUnit(client, 3)).id });
  const ax = await client.call('GET', `/api/v1/tickets/export.xlsx?q=${encodeURIComponent(marker)}`, { as: 'agent' });
  if (ax.status === 200) assert(!readXlsx(ax.buf).strings.includes(t3.title), 'the agent\'s export carries a project-3 ticket');
});

/*==== 10. The SLA sweep (last: it fires every open ticket due by the times it runs at) ==========*/

function remind(bin, env, db, at) {
  const r = runBinClean(bin, ['remind', '--db', db, '--now', iso(at)], env);
  assert(r.status === 0, `anjia remind --now ${iso(at)} exited ${r.status}: ${r.stderr}`);
  return r;
}

test('tickets SLA sweep: anjia remind --now fires the warning (assignee), escalation 1 (supervisor) and 2 (manager), each once even when run twice; paused tickets are skipped', async ({ bin, env, db, client }) => {
  const sup = (await client.session('supervisor')).user;
  assert(sup.role.code === 'supervisor' && (sup.all_projects || sup.projects.some((p) => p.id === 1)), `demo user supervisor: role ${short(sup.role)}, projects ${short(sup.projects)}`);
  const t = await wallTicket(client, 'agent', 1, { title: nextTitle('超时升级') });
  await actOk(client, 'agent', t.id, 'accept', params('accept'));
  const p = await wallTicket(client, 'agent', 1, { title: nextTitle('暂停不升级') });
  await actOk(client, 'agent', p.id, 'accept', params('accept'));
  await actOk(client, 'agent', p.id, 'pause', { note: '等待业主' });
  const n = await wallTicket(client, 'agent', 1, { title: nextTitle('未受理') });
  let j = await full(client, 'agent', t.id);
  const warn = ms(j.warn_at);
  const due = ms(j.resolve_due_at);
  const e2 = ms(j.escalate2_at);
  const count = async (who, x) => (await notesFor(client, who, x)).length;
  for (const who of ['agent', 'supervisor', 'manager']) await readAll(client, who);
  const ev0 = events(j).length;

  // Before the warning: nothing.
  remind(bin, env, db, warn - 60000);
  assert((await count('agent', t)) === 0, 'warned before warn_at');
  // At warn_at: the assignee, once. (The unaccepted ticket n is past its response time, 1 h: level 1.)
  remind(bin, env, db, warn + 1000);
  remind(bin, env, db, warn + 2000);
  assert((await count('agent', t)) === 1, `assignee's warnings for ${t.no}: ${await count('agent', t)}, want 1`);
  assert((await count('supervisor', t)) === 0 && (await count('manager', t)) === 0, 'escalated at the warning');
  j = await full(client, 'agent', t.id);
  assert(typeof j.warned_at === 'string' && !j.escalated1_at, `after the warning: warned_at ${j.warned_at}, escalated1_at ${j.escalated1_at}`);
  assert(events(j).length === ev0 + 1, `events after the warning: ${events(j).length - ev0} new`);
  assert((await count('supervisor', n)) === 1, `supervisor not told of ${n.no}, still new past its response time`);
  // Past resolve_due_at: the supervisors, once.
  remind(bin, env, db, due + 1000);
  remind(bin, env, db, due + 2000);
  assert((await count('supervisor', t)) === 1, `supervisor's escalations for ${t.no}: ${await count('supervisor', t)}, want 1`);
  assert((await count('agent', t)) === 1, 'a second warning');
  assert((await count('manager', t)) === 0, 'level 2 before escalate2_at');
  j = await full(client, 'agent', t.id);
  assert(typeof j.escalated1_at === 'string' && !j.escalated2_at, `after level 1: ${j.escalated1_at}, ${j.escalated2_at}`);
  // Past escalate2_at: the managers, once.
  remind(bin, env, db, e2 + 1000);
  remind(bin, env, db, e2 + 2000);
  assert((await count('manager', t)) === 1, `manager's escalations for ${t.no}: ${await count('manager', t)}, want 1`);
  assert((await count('supervisor', t)) === 1 && (await count('agent', t)) === 1, 'level 2 repeated the earlier firings');
  j = await full(client, 'agent', t.id);
  assert(typeof j.escalated2_at === 'string', `escalated2_at ${j.escalated2_at}`);
  assert(events(j).length === ev0 + 3, `events after three firings: ${events(j).length - ev0} new, want 3`);
  // The paused ticket: nothing.
  for (const who of ['agent', 'supervisor', 'manager']) assert((await count(who, p)) === 0, `${who} was told about the paused ticket ${p.no}`);
  const pj = await full(client, 'agent', p.id);
  assert(!pj.warned_at && !pj.escalated1_at && !pj.escalated2_at, `paused ticket fired: ${short(pj)}`);
  // Audit rows of the firings.
  const audit = await getJson(client, 'admin', `/api/v1/audit?entity=tickets&entity_id=${t.id}&limit=200`);
  assert(audit.total >= ev0 + 3, `audit rows of ${t.no}: ${audit.total}`);
});
