// approvals.mjs - scripted tests of the approval engine (docs/api.md,
// "Approvals") and of the sales contracts built on it: submitting, routing
// by amount, the inboxes and counts, who may act (403 / 409 / 422),
// reject / withdraw / return / resubmit / transfer / delegation, the
// handlers and their registers, templates as JSON, attachments,
// notifications; contracts from subscription to pre-registration, the
// one-live-contract rule under concurrency, amendments through approvals,
// deadlines and the weekly ledger.
//
// run.mjs runs these after the master-data tests and before the graceful
// stop. Every test makes the records it works on: expense claims and loans
// of its own, an office-supply item, a building per project (code AQ<n>)
// whose units no demo contract uses, buyers with ID numbers born in 2012
// (area 330106) and phones 1670000xxxx, which neither the demo data nor the
// other tests use. Nothing relies on ids or on what earlier tests did.
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { Client, DEMO_PASSWORD, SANITIZER_RE, assert, countRequest, dbCopy, dbSql, errorShapeProblem, runBinClean, expectError, expectStatus, fail, short, startServer } from './lib.mjs';
import { residentId } from './masterdata.mjs';
import { readXlsx } from './xlsx.mjs';

export const approvalTests = [];
/** Every test may act as director (分管领导), whom lib's DEMO_USERS lacks. */
const test = (name, fn, opts = {}) =>
  approvalTests.push({
    name,
    fn: (ctx) => {
      if (!ctx.client.passwords.has('director')) ctx.client.addUser('director', DEMO_PASSWORD);
      return fn(ctx);
    },
    ...opts,
  });

/*---- Fixtures ---------------------------------------------------------------*/

const pad2 = (n) => String(n).padStart(2, '0');
/** Today in Shanghai (the server's civil date for delegations and contracts). */
const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

let serial = 0;
/** A fresh resident ID number (born 2012 in 330106: unused elsewhere). */
function nextId() {
  const n = serial++;
  return residentId('330106', `2012${pad2(1 + (n % 12))}${pad2(1 + (Math.floor(n / 12) % 28))}`, 600 + Math.floor(n / 336));
}
function nextPhone() {
  const n = serial++;
  return `1670000${String(1000 + n).padStart(4, '0')}`;
}

/** A unified social credit code with its GB 32100 check character. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function usccWithCheck(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_W[i];
  return first17 + USCC_CHARS[(31 - (sum % 31)) % 31];
}

/** Per-run state: user ids, our buildings, the next room per building. */
const fx = { users: null, buildings: new Map(), rooms: new Map() };

/** The demo users' ids. */
async function users(client) {
  if (fx.users) return fx.users;
  const byName = {};
  for (const u of ['admin', 'agent', 'contract', 'mortgage', 'manager', 'engineer', 'finance', 'property', 'director']) {
    const s = await client.session(u);
    byName[u] = s.user.id;
  }
  fx.users = byName;
  return byName;
}

/** A new unsold unit of project pid, in a building of our own. */
async function newUnit(client, pid) {
  if (!fx.buildings.has(pid)) {
    const b = await client.call('POST', '/api/v1/buildings', { as: 'manager', body: { project_id: pid, code: `AQ${pid}`, name: `审批测试${pid}号楼`, floors: 30 } });
    expectStatus(b, 201, `create building AQ${pid}`);
    fx.buildings.set(pid, b.json.id);
    fx.rooms.set(pid, 0);
  }
  const n = fx.rooms.get(pid);
  fx.rooms.set(pid, n + 1);
  const floor = 1 + Math.floor(n / 8);
  const room = `${floor}${pad2(1 + (n % 8))}`;
  const u = await client.call('POST', '/api/v1/units', { as: 'manager', body: { building_id: fx.buildings.get(pid), unit_no: '1', floor, room, usage: 'residential' } });
  expectStatus(u, 201, `create unit ${room} in project ${pid}`);
  assert(u.json.status === 'unsold' && u.json.project_id === pid, `new unit ${short(u.json)}`);
  return u.json;
}

/** A new customer (as manager): a person with a resident ID, or a company. */
async function newCustomer(client, { pid = 1, hukou = 'local', kind = 'person', name } = {}) {
  const body =
    kind === 'company'
      ? { kind, name: name || `审批测试公司${serial}`, uscc: usccWithCheck(`91330106MA${String(100000 + serial++).padStart(6, '0')}X`), project_id: pid }
      : { name: name || `测试买受人${serial}`, id_number: nextId(), phone: nextPhone(), hukou, project_id: pid };
  const res = await client.call('POST', '/api/v1/customers', { as: 'manager', body });
  expectStatus(res, 201, `create customer ${short(body, 200)}`);
  return res.json;
}

async function getJson(client, as, p, label = '') {
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `${label || 'GET'} ${p} as ${as}`);
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
    if (cursor === null) return items;
  }
  fail(`${entityPath}: more than 100 pages`);
}

/*---- Approval helpers ---------------------------------------------------------*/

const requestCount = (client) => total(client, 'admin', '/api/v1/approval-requests?limit=1');

const line = (amount, description = '办公耗材') => ({ date: today(), category: '办公费', description, amount });

async function submit(client, as, template, data, extra = {}) {
  const res = await client.call('POST', '/api/v1/approvals', { as, body: { template, data, ...extra } });
  expectStatus(res, 201, `submit ${template} as ${as}`);
  assert(Number.isInteger(res.json.id) && res.json.template_code === template, `submit ${template}: ${short(res.json)}`);
  return res.json;
}

const act = (client, as, id, action, extra = {}) => client.call('POST', `/api/v1/approvals/${id}/actions`, { as, body: { action, ...extra } });

/** An action that must succeed; returns the request as the actor sees it. */
async function decide(client, as, id, action = 'approve', extra = {}) {
  if ((action === 'reject' || action === 'return') && extra.comment === undefined) extra = { ...extra, comment: '测试意见' };
  const res = await act(client, as, id, action, extra);
  expectStatus(res, 200, `${action} request ${id} as ${as}`);
  return res.json;
}

const getReq = (client, as, id) => getJson(client, as, `/api/v1/approvals/${id}`);

/** The pending tasks of the request's current round: [{approver_id, step_index, delegated_from}]. */
function pending(req) {
  return req.tasks.filter((t) => t.status === 'pending' && t.round === req.round);
}

async function counts(client, as) {
  const j = await getJson(client, as, '/api/v1/approvals/counts');
  for (const k of ['todo', 'overdue', 'returned', 'unread']) assert(Number.isInteger(j[k]), `counts.${k} of ${as}: ${short(j)}`);
  return j;
}

async function box(client, as, which, status) {
  const j = await getJson(client, as, `/api/v1/approvals?box=${which}&limit=200${status ? `&status=${status}` : ''}`);
  assert(Array.isArray(j.items) && Number.isInteger(j.total), `box ${which} of ${as}: ${short(j)}`);
  return j.items;
}
const ids = (items) => new Set(items.map((i) => i.id));

/** An expense claim of `as` over the given line amounts (fen). */
const expense = (client, as, amounts, extra = {}) => submit(client, as, 'expense', { lines: amounts.map((a) => line(a)), ...extra });

/** Loans of employee-loans made by request id (details carry request_id). */
async function loansOf(client, requestId) {
  const all = await listAll(client, 'finance', '/api/v1/employee-loans');
  const out = [];
  for (const l of all) {
    const d = await getJson(client, 'finance', `/api/v1/employee-loans/${l.id}`);
    if (d.request_id === requestId) out.push(d);
  }
  return out;
}

/** A loan of `as`, approved by manager and finance; returns the loan row. */
async function approvedLoan(client, as, amount) {
  const r = await submit(client, as, 'loan', { amount, purpose: '出差备用金', repay_date: addDays(today(), 30) });
  await decide(client, 'manager', r.id);
  const done = await decide(client, 'finance', r.id);
  assert(done.status === 'approved', `loan ${r.id} after two approvals: ${done.status}`);
  const loans = await loansOf(client, r.id);
  assert(loans.length === 1, `approved loan ${r.id} made ${loans.length} employee-loans rows`);
  return loans[0];
}

/** The notifications of `as`, newest first. */
const notes = async (client, as) => (await getJson(client, as, '/api/v1/notifications')).items;

/*---- 1. Submitting ------------------------------------------------------------------*/

test('approvals: an expense claim is submitted with the total computed; refused submits store nothing', async ({ client }) => {
  const u = await users(client);
  const c0 = await requestCount(client);
  const m0 = (await counts(client, 'manager')).todo;
  // The client's own "total" is ignored: the server sums the lines.
  const r = await submit(client, 'agent', 'expense', { lines: [line(12000, '打车'), line(3050, '工作餐')], total: 1 });
  assert(r.status === 'in_progress' && r.step_index === 0 && r.step_name === '部门负责人审批', `status ${r.status} at step ${r.step_index} ${r.step_name}`);
  assert(r.data.total === 15050 && r.amount_fen === 15050, `total ${short(r.data.total)}, amount_fen ${short(r.amount_fen)}; want 15050`);
  assert(r.applicant_id === u.agent && r.round === 1 && r.department === '客服部', `applicant ${short({ a: r.applicant_id, round: r.round, d: r.department })}`);
  const p = pending(r);
  assert(p.length === 1 && p[0].approver_id === u.manager && p[0].step_index === 0, `pending tasks ${short(p)}; want one for the manager (dept head)`);
  assert(r.actions.includes('withdraw') && !r.actions.includes('approve'), `applicant's actions ${short(r.actions)}`);
  assert(Array.isArray(r.history) && r.history.length === 1 && r.history[0].action === 'submit', `history ${short(r.history)}`);
  assert((await counts(client, 'manager')).todo === m0 + 1, 'the manager\'s todo count did not grow by one');

  const refused = [
    ['a line without amount', { template: 'expense', data: { lines: [{ date: today(), category: '办公费', description: '无金额' }] } }, 'lines[0].amount'],
    ['the second line without amount', { template: 'expense', data: { lines: [line(100), { date: today(), category: '办公费', description: '无金额' }] } }, 'lines[1].amount'],
    ['a negative amount', { template: 'expense', data: { lines: [line(-5)] } }, 'lines[0].amount'],
    ['an amount in yuan with decimals', { template: 'expense', data: { lines: [line(12.5)] } }, 'lines[0].amount'],
    ['no lines', { template: 'expense', data: { lines: [] } }, 'lines'],
    ['an unknown form field', { template: 'expense', data: { lines: [line(100)], bribe: 1 } }, 'bribe'],
    ['an unknown template', { template: 'no_such_template', data: { lines: [line(100)] } }, 'template'],
    ['no template', { data: { lines: [line(100)] } }, 'template'],
  ];
  for (const [label, body, field] of refused) {
    const res = await client.call('POST', '/api/v1/approvals', { as: 'agent', body });
    try {
      expectError(res, 422, 'invalid', field);
    } catch (e) {
      fail(`${label}: ${e.message}`);
    }
  }
  assert((await requestCount(client)) === c0 + 1, `approval_requests went from ${c0} to ${await requestCount(client)}; want ${c0 + 1} (refused submits stored rows)`);
  assert((await counts(client, 'manager')).todo === m0 + 1, 'a refused submit gave the manager a task');
  return `request ${r.no}, ${refused.length} refusals`;
});

/*---- 2. Routing, inboxes, counts -------------------------------------------------------*/

test('approvals: ≤ ¥5,000 goes manager → finance; more adds the director; counts and boxes follow', async ({ client }) => {
  const u = await users(client);
  const before = { manager: (await counts(client, 'manager')).todo, finance: (await counts(client, 'finance')).todo, director: (await counts(client, 'director')).todo };
  const todo = async (as) => (await counts(client, as)).todo;

  // Exactly ¥5,000: no director.
  const small = await expense(client, 'agent', [300000, 200000]);
  assert(small.data.total === 500000, `total ${small.data.total}`);
  assert((await todo('manager')) === before.manager + 1 && (await todo('finance')) === before.finance, 'after submit: todo counts');
  assert(ids(await box(client, 'manager', 'todo')).has(small.id), 'manager\'s todo box lacks the request');
  assert(!ids(await box(client, 'finance', 'todo')).has(small.id), 'finance\'s todo box has the request before the manager approved');
  const mine = (await box(client, 'agent', 'mine')).find((i) => i.id === small.id);
  assert(mine && mine.status === 'in_progress' && mine.amount_fen === 500000, `agent's mine box: ${short(mine)}`);
  let r = await decide(client, 'manager', small.id);
  assert(r.status === 'in_progress' && r.step_name === '财务审核', `after the manager: ${r.status} at ${r.step_name}`);
  assert(pending(r).length === 1 && pending(r)[0].approver_id === u.finance, `pending after the manager: ${short(pending(r))}`);
  assert((await todo('manager')) === before.manager && (await todo('finance')) === before.finance + 1, 'after the manager: todo counts');
  assert(ids(await box(client, 'manager', 'done')).has(small.id), 'manager\'s done box lacks the request');
  assert(!ids(await box(client, 'manager', 'todo')).has(small.id), 'manager\'s todo box still has the request');
  r = await decide(client, 'finance', small.id);
  assert(r.status === 'approved' && typeof r.decided_at === 'string', `¥5,000 after finance: ${r.status}; want approved without the director`);
  assert(!r.tasks.some((t) => t.approver_id === u.director), `the director got a task for ¥5,000: ${short(r.tasks)}`);
  assert(
    JSON.stringify(r.history.map((h) => h.action)) === JSON.stringify(['submit', 'approve', 'approve', 'approved']),
    `history ${short(r.history.map((h) => h.action))}`,
  );
  assert((await todo('finance')) === before.finance, 'finance still has a task');

  // ¥5,000.01: the director signs off too.
  const big = await expense(client, 'agent', [500001]);
  await decide(client, 'manager', big.id);
  r = await decide(client, 'finance', big.id);
  assert(r.status === 'in_progress' && r.step_name === '分管领导审批', `¥5,000.01 after finance: ${r.status} at ${r.step_name}`);
  assert(pending(r).length === 1 && pending(r)[0].approver_id === u.director, `pending: ${short(pending(r))}`);
  assert((await todo('director')) === before.director + 1, 'the director\'s todo count did not grow');
  assert(ids(await box(client, 'director', 'todo')).has(big.id), 'director\'s todo box lacks the request');
  r = await decide(client, 'director', big.id);
  assert(r.status === 'approved', `after the director: ${r.status}`);
  assert((await todo('director')) === before.director, 'the director still has a task');

  // Boxes: mine with a status filter, all for overseers only.
  const approvedMine = ids(await box(client, 'agent', 'mine', 'approved'));
  assert(approvedMine.has(small.id) && approvedMine.has(big.id), 'box=mine&status=approved lacks the approved requests');
  assert(!ids(await box(client, 'agent', 'mine', 'in_progress')).has(big.id), 'box=mine&status=in_progress has an approved request');
  expectError(await client.call('GET', '/api/v1/approvals?box=all', { as: 'agent' }), 403, 'forbidden');
  const all = ids(await box(client, 'admin', 'all'));
  assert(all.has(small.id) && all.has(big.id), 'box=all as admin lacks the requests');
  expectError(await client.call('GET', '/api/v1/approvals?box=everything', { as: 'agent' }), 400, 'bad_request');
  // Nobody sees another's requests in their own boxes.
  assert(!ids(await box(client, 'property', 'mine')).has(small.id) && !ids(await box(client, 'property', 'done')).has(small.id), 'property sees the agent\'s request');
});

/*---- 3. Who may act ---------------------------------------------------------------------*/

test('approvals: outsiders get 403, a second decision 409, a finished request 409, reject/return need a comment', async ({ client }) => {
  const r = await expense(client, 'agent', [8800]);
  for (const who of ['property', 'mortgage', 'engineer']) {
    const res = await act(client, who, r.id, 'approve');
    try {
      expectError(res, 403, 'forbidden');
    } catch (e) {
      fail(`${who} approving: ${e.message}`);
    }
  }
  expectError(await client.call('GET', `/api/v1/approvals/${r.id}`, { as: 'property' }), 403, 'forbidden');
  // The applicant is not on the route either.
  expectError(await act(client, 'agent', r.id, 'approve'), 403, 'forbidden');
  // Finance is on the route, but its step has not come.
  const early = await act(client, 'finance', r.id, 'approve');
  assert(early.status === 403 || early.status === 409, `finance approving before its step: ${early.status} ${short(early.text)}`);

  expectError(await act(client, 'manager', r.id, 'reject'), 422, 'invalid', 'comment');
  expectError(await act(client, 'manager', r.id, 'reject', { comment: '' }), 422, 'invalid', 'comment');
  expectError(await act(client, 'manager', r.id, 'return'), 422, 'invalid', 'comment');
  expectError(await act(client, 'manager', r.id, 'frobnicate'), 422, 'invalid', 'action');
  let cur = await getReq(client, 'agent', r.id);
  assert(cur.status === 'in_progress' && cur.step_index === 0, `refused actions changed the request: ${cur.status} step ${cur.step_index}`);

  await decide(client, 'manager', r.id);
  expectError(await act(client, 'manager', r.id, 'approve'), 409, 'conflict');
  expectError(await act(client, 'manager', r.id, 'reject', { comment: '改主意了' }), 409, 'conflict');
  const done = await decide(client, 'finance', r.id, 'reject', { comment: '发票抬头错误' });
  assert(done.status === 'rejected', `after finance rejects: ${done.status}`);
  // Finished: every decision is 409, for everyone on the route.
  for (const [who, action, extra] of [
    ['finance', 'approve', {}],
    ['finance', 'reject', { comment: '再驳回' }],
    ['manager', 'approve', {}],
    ['manager', 'return', { comment: '退回' }],
    ['agent', 'withdraw', {}],
  ]) {
    const res = await act(client, who, r.id, action, extra);
    try {
      expectError(res, 409, 'conflict');
    } catch (e) {
      fail(`${action} by ${who} on a rejected request: ${e.message}`);
    }
  }
  cur = await getReq(client, 'agent', r.id);
  assert(cur.status === 'rejected' && cur.actions.every((a) => a === 'comment'), `rejected request: ${cur.status}, actions ${short(cur.actions)}`);
});

/*---- 4. Reject / approve: the handler runs exactly once ---------------------------------------*/

test('approvals: a rejected loan makes no loan row, an approved one exactly one, and later actions change nothing', async ({ client }) => {
  const u = await users(client);
  const loansOfAgent = async () => total(client, 'finance', `/api/v1/employee-loans?user_id=${u.agent}&limit=1`);
  const l0 = await loansOfAgent();

  const rej = await submit(client, 'agent', 'loan', { amount: 300000, purpose: '差旅借款', repay_date: addDays(today(), 20) });
  assert(rej.amount_fen === 300000, `loan amount_fen ${rej.amount_fen}`);
  const r = await decide(client, 'manager', rej.id, 'reject', { comment: '借款事由不充分' });
  assert(r.status === 'rejected', `after reject: ${r.status}`);
  const task = r.tasks.find((t) => t.approver_id === u.manager);
  assert(task && task.status === 'rejected' && task.comment === '借款事由不充分', `manager's task ${short(task)}`);
  assert((await loansOf(client, rej.id)).length === 0, 'a rejected loan created an employee-loans row');
  assert((await loansOfAgent()) === l0, 'the agent\'s loan count changed after a rejection');
  const ns = await notes(client, 'agent');
  const note = ns.find((n) => n.kind === 'approval_result' && n.link === `#/approval/${rej.id}`);
  assert(note && note.read_at === null && /驳回/.test(note.title), `no unread 已驳回 notification for the applicant: ${short(ns.slice(0, 5))}`);
  assert(ns.filter((n) => n.link === `#/approval/${rej.id}` && n.kind === 'approval_result').length === 1, 'the applicant got more than one result notification');
  expectError(await act(client, 'manager', rej.id, 'approve'), 409, 'conflict');
  expectError(await act(client, 'finance', rej.id, 'approve'), 409, 'conflict');
  assert((await loansOf(client, rej.id)).length === 0, 'approving a rejected loan created a row');

  const ok = await submit(client, 'agent', 'loan', { amount: 450000, purpose: '项目活动备用金', repay_date: addDays(today(), 45) });
  await decide(client, 'manager', ok.id);
  const fin = await decide(client, 'finance', ok.id);
  assert(fin.status === 'approved', `approved loan: ${fin.status}`);
  const okNote = (await notes(client, 'agent')).filter((n) => n.kind === 'approval_result' && n.link === `#/approval/${ok.id}`);
  assert(okNote.length === 1 && /通过/.test(okNote[0].title), `the applicant's result notification for the approved loan: ${short(okNote)}`);
  let rows = await loansOf(client, ok.id);
  assert(rows.length === 1, `an approved loan made ${rows.length} rows; want 1`);
  const loan = rows[0];
  assert(
    loan.user_id === u.agent && loan.amount_fen === 450000 && loan.repaid_fen === 0 && loan.status === 'outstanding' && loan.due_date === addDays(today(), 45),
    `loan row ${short(loan)}`,
  );
  for (const [who, action, extra] of [
    ['finance', 'approve', {}],
    ['manager', 'approve', {}],
    ['finance', 'reject', { comment: '撤销' }],
    ['agent', 'withdraw', {}],
  ]) {
    const res = await act(client, who, ok.id, action, extra);
    try {
      expectError(res, 409, 'conflict');
    } catch (e) {
      fail(`${action} by ${who} on an approved loan: ${e.message}`);
    }
  }
  rows = await loansOf(client, ok.id);
  assert(rows.length === 1 && rows[0].status === 'outstanding', `after the refused actions: ${rows.length} rows ${short(rows)}`);
  assert((await loansOfAgent()) === l0 + 1, 'the agent\'s loans did not grow by exactly one');
});

/*---- 5. Withdraw ------------------------------------------------------------------------------*/

test('approvals: the applicant withdraws before any decision; not after one (409), nobody else (403)', async ({ client }) => {
  const m0 = (await counts(client, 'manager')).todo;
  const a = await expense(client, 'agent', [2000]);
  expectError(await act(client, 'manager', a.id, 'withdraw'), 403, 'forbidden');
  expectError(await act(client, 'contract', a.id, 'withdraw'), 403, 'forbidden');
  const w = await decide(client, 'agent', a.id, 'withdraw');
  assert(w.status === 'withdrawn', `after withdraw: ${w.status}`);
  assert(pending(w).length === 0, `pending tasks after withdrawal ${short(pending(w))}`);
  assert((await counts(client, 'manager')).todo === m0, 'the manager keeps a task of a withdrawn request');
  expectError(await act(client, 'manager', a.id, 'approve'), 409, 'conflict');
  expectError(await act(client, 'agent', a.id, 'withdraw'), 409, 'conflict');
  const res = (await notes(client, 'agent')).filter((n) => n.link === `#/approval/${a.id}` && n.kind === 'approval_result');
  assert(res.length === 0, `a withdrawal notified the applicant of a result: ${short(res)}`);

  const b = await expense(client, 'agent', [3000]);
  await decide(client, 'manager', b.id);
  expectError(await act(client, 'agent', b.id, 'withdraw'), 409, 'conflict');
  const cur = await getReq(client, 'agent', b.id);
  assert(cur.status === 'in_progress' && !cur.actions.includes('withdraw'), `after the refused withdrawal: ${cur.status}, actions ${short(cur.actions)}`);
  await decide(client, 'finance', b.id, 'reject', { comment: '清理测试数据' });
});

/*---- 6. Return and resubmit --------------------------------------------------------------------*/

test('approvals: a returned request is resubmitted with new values and starts again at step 1', async ({ client }) => {
  const u = await users(client);
  const ret0 = (await counts(client, 'agent')).returned;
  const r = await expense(client, 'agent', [1000]);
  await decide(client, 'manager', r.id);
  const back = await decide(client, 'finance', r.id, 'return', { comment: '请补充发票' });
  assert(back.status === 'returned', `after return: ${back.status}`);
  assert((await counts(client, 'agent')).returned === ret0 + 1, 'counts.returned did not grow');
  const n = (await notes(client, 'agent')).find((x) => x.kind === 'approval_returned' && x.link === `#/approval/${r.id}`);
  assert(n, 'no approval_returned notification for the applicant');
  const seen = await getReq(client, 'agent', r.id);
  assert(seen.actions.includes('resubmit') && !seen.actions.includes('withdraw'), `returned request's actions ${short(seen.actions)}`);
  expectError(await act(client, 'finance', r.id, 'approve'), 409, 'conflict');
  expectError(await act(client, 'manager', r.id, 'approve'), 409, 'conflict');

  const newData = { lines: [line(2000, '快递费'), line(500, '打印')] };
  expectError(await client.call('POST', `/api/v1/approvals/${r.id}/resubmit`, { as: 'manager', body: { data: newData } }), 403, 'forbidden');
  expectError(
    await client.call('POST', `/api/v1/approvals/${r.id}/resubmit`, { as: 'agent', body: { data: { lines: [{ date: today(), category: '办公费', description: 'x' }] } } }),
    422,
    'invalid',
    'lines[0].amount',
  );
  const res = await client.call('POST', `/api/v1/approvals/${r.id}/resubmit`, { as: 'agent', body: { data: newData } });
  expectStatus(res, 200, 'resubmit');
  const again = res.json;
  assert(again.status === 'in_progress' && again.round === 2 && again.step_index === 0 && again.step_name === '部门负责人审批', `after resubmit: ${short({ s: again.status, round: again.round, step: again.step_index })}`);
  assert(again.data.total === 2500 && again.amount_fen === 2500 && again.data.lines.length === 2, `resubmitted data ${short(again.data)}; amount_fen ${again.amount_fen}`);
  const p = pending(again);
  assert(p.length === 1 && p[0].approver_id === u.manager && p[0].step_index === 0, `pending after resubmit ${short(p)}; want the manager at step 1 again`);
  assert((await counts(client, 'agent')).returned === ret0, 'counts.returned still counts the resubmitted request');
  assert(!ids(await box(client, 'finance', 'todo')).has(r.id), 'finance has the resubmitted request before the manager');
  expectError(await client.call('POST', `/api/v1/approvals/${r.id}/resubmit`, { as: 'agent', body: { data: newData } }), 409, 'conflict');
  // Round 2 runs the whole route again; the manager's round-1 approval does not count.
  await decide(client, 'manager', r.id);
  const fin = await decide(client, 'finance', r.id);
  assert(fin.status === 'approved', `round 2: ${fin.status}`);
});

/*---- 7. Transfer ------------------------------------------------------------------------------------*/

test('approvals: the manager transfers to the director, who approves; the manager no longer can', async ({ client }) => {
  const u = await users(client);
  const r = await expense(client, 'agent', [4200]);
  expectError(await act(client, 'manager', r.id, 'transfer', { to_user: u.agent }), 422, 'invalid', 'to_user');
  expectError(await act(client, 'manager', r.id, 'transfer', { to_user: u.manager }), 422, 'invalid', 'to_user');
  expectError(await act(client, 'manager', r.id, 'transfer', { to_user: 999999 }), 422, 'invalid', 'to_user');
  expectError(await act(client, 'director', r.id, 'approve'), 403, 'forbidden');
  const t = await decide(client, 'manager', r.id, 'transfer', { to_user: u.director, comment: '出差中，请周总代批' });
  assert(t.status === 'in_progress' && t.step_index === 0, `after transfer: ${t.status} step ${t.step_index}`);
  const p = pending(t);
  assert(p.length === 1 && p[0].approver_id === u.director, `pending after transfer ${short(p)}`);
  assert(t.tasks.some((x) => x.approver_id === u.manager && x.status === 'transferred'), `manager's task ${short(t.tasks)}`);
  assert(t.history.some((h) => h.action === 'transfer' && h.comment === '出差中，请周总代批'), 'no transfer in the history');
  assert(ids(await box(client, 'director', 'todo')).has(r.id), 'the director\'s todo box lacks the transferred request');
  assert((await notes(client, 'director')).some((n) => n.kind === 'approval_todo' && n.link === `#/approval/${r.id}`), 'the director got no todo notification');
  expectError(await act(client, 'manager', r.id, 'approve'), 409, 'conflict');
  const d = await decide(client, 'director', r.id);
  assert(d.step_name === '财务审核' && pending(d)[0].approver_id === u.finance, `after the director: ${d.step_name}, ${short(pending(d))}`);
  expectError(await act(client, 'manager', r.id, 'approve'), 409, 'conflict');
  assert((await decide(client, 'finance', r.id)).status === 'approved', 'not approved after finance');
});

test('approvals: a transfer to someone already approving the step is 409, and the server survives it', async ({ client, bin, env, tmp, db, server }) => {
  // Two users of one role share a step (one of them approves). The refusal
  // names the user; it runs on a second server over a copy of the database,
  // so that a crash here cannot take the main server down.
  const role = await client.call('POST', '/api/v1/roles', { as: 'admin', body: { code: 'ap_pair', name: '双人审批岗', permissions: ['approval.use'] } });
  expectStatus(role, 201, 'create role ap_pair');
  const pair = [];
  for (const name of ['ap_pair1', 'ap_pair2']) {
    const password = `${name}-Pass-1`;
    const res = await client.call('POST', '/api/v1/users', { as: 'admin', body: { username: name, display_name: `双人${name.slice(-1)}`, role_id: role.json.id, password } });
    expectStatus(res, 201, `create user ${name}`);
    client.addUser(name, password);
    pair.push({ id: res.json.id, name, password });
  }
  const tpl = {
    code: 'ap_pair_flow', name: '双人审批测试', category: '行政',
    form: { fields: [{ name: 'note', label: '说明', type: 'text', required: true }] },
    steps: [{ name: '双人审批', approver: { type: 'role', role: 'ap_pair' } }],
  };
  expectStatus(await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: tpl }), 200, 'import ap_pair_flow');
  const r = await submit(client, 'agent', 'ap_pair_flow', { note: '转交测试' });
  assert(pending(r).length === 2, `two approvers expected: ${short(pending(r))}`);

  const copy = dbCopy(db, 'transfer-copy.db', tmp);
  const b = await startServer(bin, env, copy, path.join(tmp, 'access-transfer.log'));
  let res;
  try {
    const other = new Client(b.base);
    other.addUser('ap_pair1', pair[0].password);
    res = await other.call('POST', `/api/v1/approvals/${r.id}/actions`, { as: 'ap_pair1', body: { action: 'transfer', to_user: pair[1].id } }).catch((e) => ({ status: 0, text: String(e.message), headers: {} }));
    await new Promise((ok) => setTimeout(ok, 100));
    assert(b.alive(), `the server died on the transfer (exit ${b.exitCode ?? b.exitSignal}); stderr:\n${b.stderr.slice(0, 1500)}`);
    expectError(res, 409, 'conflict', 'to_user');
    assert(res.json.error.message.includes('双人2'), `the refusal does not name the user: ${short(res.json.error.message)}`);
  } finally {
    await b.stop();
    fs.rmSync(copy, { force: true });
  }
  if (SANITIZER_RE.test(b.stderr)) {
    const m = b.stderr.match(SANITIZER_RE);
    const at = Math.max(0, b.stderr.indexOf(m[0]) - 100);
    fail(`second server: sanitizer report after the transfer:\n${b.stderr.slice(at, at + 1500)}`);
  }
  assert(server.alive(), 'main server died');
  // On the main server, one of the pair simply approves.
  assert((await decide(client, 'ap_pair1', r.id)).status === 'approved', 'ap_pair1 could not approve');
});

/*---- 8. Delegation ------------------------------------------------------------------------------*/

test('approvals: finance delegates to mortgage for today; the finance step goes to mortgage; revoking ends it', async ({ client }) => {
  const u = await users(client);
  const day = today();
  expectError(await client.call('POST', '/api/v1/me/delegations', { as: 'finance', body: { delegate_id: u.finance, start_date: day, end_date: day } }), 422, 'invalid', 'delegate_id');
  expectError(await client.call('POST', '/api/v1/me/delegations', { as: 'finance', body: { delegate_id: u.mortgage, start_date: day, end_date: addDays(day, -1) } }), 422, 'invalid', 'end_date');
  expectError(await client.call('POST', '/api/v1/me/delegations', { as: 'finance', body: { delegate_id: u.mortgage, start_date: '2026-13-01', end_date: day } }), 422, 'invalid', 'start_date');
  const created = await client.call('POST', '/api/v1/me/delegations', { as: 'finance', body: { delegate_id: u.mortgage, start_date: day, end_date: day, note: '年假' } });
  expectStatus(created, 201, 'create delegation');
  const did = created.json.id;
  let revoked = false;
  try {
    const listed = (await getJson(client, 'finance', '/api/v1/me/delegations')).items.find((d) => d.id === did);
    assert(listed && listed.status === 'active' && listed.delegate_id === u.mortgage && listed.start_date === day, `finance's delegations: ${short(listed)}`);
    assert((await getJson(client, 'mortgage', '/api/v1/me/delegations')).items.some((d) => d.id === did), 'the delegate does not see the delegation');

    const r = await expense(client, 'agent', [6600]);
    const m = await decide(client, 'manager', r.id);
    const p = pending(m);
    assert(p.length === 1 && p[0].approver_id === u.mortgage && p[0].delegated_from === u.finance, `finance step tasks ${short(p)}; want mortgage, delegated_from finance`);
    assert(ids(await box(client, 'mortgage', 'todo')).has(r.id), 'mortgage\'s todo box lacks the delegated request');
    assert(!ids(await box(client, 'finance', 'todo')).has(r.id), 'finance\'s todo box has a delegated request');
    assert((await notes(client, 'mortgage')).some((n) => n.kind === 'approval_todo' && n.link === `#/approval/${r.id}`), 'mortgage got no todo notification');
    const fin = await act(client, 'finance', r.id, 'approve');
    assert(fin.status === 403 || fin.status === 409, `finance approving a delegated task: ${fin.status} ${short(fin.text)}`);
    const done = await decide(client, 'mortgage', r.id);
    assert(done.status === 'approved', `after mortgage: ${done.status}`);
    // Finance still sees what was decided in its name.
    expectStatus(await client.call('GET', `/api/v1/approvals/${r.id}`, { as: 'finance' }), 200, 'finance reads the delegated request');

    expectError(await client.call('POST', `/api/v1/me/delegations/${did}/revoke`, { as: 'mortgage' }), 404, 'not_found');
    expectStatus(await client.call('POST', `/api/v1/me/delegations/${did}/revoke`, { as: 'finance' }), 204, 'revoke');
    revoked = true;
    expectError(await client.call('POST', `/api/v1/me/delegations/${did}/revoke`, { as: 'finance' }), 404, 'not_found');
    const after = (await getJson(client, 'finance', '/api/v1/me/delegations')).items.find((d) => d.id === did);
    assert(after && after.status === 'revoked', `after revoke: ${short(after)}`);
    const r2 = await expense(client, 'agent', [6700]);
    const m2 = await decide(client, 'manager', r2.id);
    assert(pending(m2).length === 1 && pending(m2)[0].approver_id === u.finance && !pending(m2)[0].delegated_from, `after revoking: ${short(pending(m2))}`);
    await decide(client, 'finance', r2.id);
  } finally {
    if (!revoked) await client.call('POST', `/api/v1/me/delegations/${did}/revoke`, { as: 'finance' });
  }
  // A delegate never approves their own request: finance keeps that task.
  const toApplicant = await client.call('POST', '/api/v1/me/delegations', { as: 'finance', body: { delegate_id: u.agent, start_date: day, end_date: day } });
  expectStatus(toApplicant, 201, 'delegation to the agent');
  try {
    const r3 = await expense(client, 'agent', [6800]);
    const m3 = await decide(client, 'manager', r3.id);
    assert(pending(m3).length === 1 && pending(m3)[0].approver_id === u.finance, `the applicant's own request delegated to them: ${short(pending(m3))}`);
    expectError(await act(client, 'agent', r3.id, 'approve'), 403, 'forbidden');
    await decide(client, 'finance', r3.id);
  } finally {
    expectStatus(await client.call('POST', `/api/v1/me/delegations/${toApplicant.json.id}/revoke`, { as: 'finance' }), 204, 'revoke the delegation to the agent');
  }
});

/*---- 9. Handlers ---------------------------------------------------------------------------------*/

test('handlers: supplies 领用 beyond stock is refused at submit; an approved 领用 lowers stock with one move', async ({ client }) => {
  const name = `审批测试用品${Date.now() % 100000}`;
  const s = await client.call('POST', '/api/v1/office-supplies', { as: 'finance', body: { name, unit: '盒', min_stock: 2 } });
  expectStatus(s, 201, 'create office supply');
  const sid = s.json.id;
  const adj = await client.call('POST', `/api/v1/office-supplies/${sid}/adjust`, { as: 'finance', body: { qty: 10, note: '期初入库' } });
  expectStatus(adj, 200, 'stock in 10');
  assert(adj.json.stock === 10, `supply after stocking ${short(adj.json)}`);
  const c0 = await requestCount(client);
  const short1 = await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'office_supplies', data: { kind: '领用', lines: [{ supply_id: sid, qty: 11 }], purpose: '前台使用' } } });
  expectError(short1, 422, 'invalid', 'lines');
  assert((await requestCount(client)) === c0, 'a refused 领用 stored a request');
  expectError(
    await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'office_supplies', data: { kind: '领用', lines: [{ supply_id: 99999999, qty: 1 }], purpose: '前台使用' } } }),
    422,
    'invalid',
    'lines',
  );

  const r = await submit(client, 'agent', 'office_supplies', { kind: '领用', lines: [{ supply_id: sid, qty: 3 }], purpose: '前台使用' });
  assert((await getJson(client, 'finance', `/api/v1/office-supplies/${sid}`)).stock === 10, 'stock changed before approval');
  const d = await decide(client, 'manager', r.id);
  assert(d.status === 'approved', `领用 after the dept head: ${d.status}`);
  assert((await getJson(client, 'finance', `/api/v1/office-supplies/${sid}`)).stock === 7, 'stock is not 10 - 3');
  const moves = (await getJson(client, 'finance', `/api/v1/supply-moves?supply_id=${sid}&limit=50`)).items;
  const byReq = moves.filter((m) => m.request_id === r.id);
  assert(moves.length === 2 && byReq.length === 1 && byReq[0].qty === -3, `supply moves ${short(moves)}; want the stock-in and one -3 of request ${r.id}`);
  // 申购 adds stock.
  const buy = await submit(client, 'agent', 'office_supplies', { kind: '申购', lines: [{ supply_id: sid, qty: 5 }], purpose: '补货' });
  await decide(client, 'manager', buy.id);
  assert((await getJson(client, 'finance', `/api/v1/office-supplies/${sid}`)).stock === 12, 'stock after 申购 is not 7 + 5');
  assert((await total(client, 'finance', `/api/v1/supply-moves?supply_id=${sid}&request_id=${buy.id}&limit=1`)) === 1, 'no supply move of the 申购');
  assert((await total(client, 'finance', `/api/v1/supply-moves?supply_id=${sid}&limit=1`)) === 3, 'supply moves after 申购');

  // Two 领用 of 8 pass the check at submit (12 in stock); once the first is
  // approved, approving the second is refused and changes nothing.
  const x = await submit(client, 'agent', 'office_supplies', { kind: '领用', lines: [{ supply_id: sid, qty: 8 }], purpose: '活动' });
  const y = await submit(client, 'agent', 'office_supplies', { kind: '领用', lines: [{ supply_id: sid, qty: 8 }], purpose: '活动' });
  await decide(client, 'manager', x.id);
  const refusedY = await act(client, 'manager', y.id, 'approve');
  assert(refusedY.status === 409 || refusedY.status === 422, `approving a 领用 beyond the stock left: ${refusedY.status} ${short(refusedY.text)}`);
  expectError(refusedY, refusedY.status);
  assert((await getJson(client, 'finance', `/api/v1/office-supplies/${sid}`)).stock === 4, 'stock after the refused 领用 is not 12 - 8');
  assert((await total(client, 'finance', `/api/v1/supply-moves?supply_id=${sid}&request_id=${y.id}&limit=1`)) === 0, 'the refused 领用 wrote a move');
  const stillY = await getReq(client, 'manager', y.id);
  assert(stillY.status === 'in_progress' && pending(stillY).length === 1 && stillY.actions.includes('reject'), `after the refused approval: ${stillY.status}, ${short(pending(stillY))}`);
  assert((await decide(client, 'manager', y.id, 'reject', { comment: '库存不足' })).status === 'rejected', 'could not reject the short 领用');
});

test('handlers: an approved purchase creates one asset per unit bought; an approved scrap marks the asset', async ({ client }) => {
  const items = [
    { name: '测试笔记本电脑', category: '电子设备', spec: 'T14', quantity: 3, unit_price: 100000, amount: 300000 },
    { name: '测试文件柜', category: '办公家具', quantity: 1, unit_price: 80000, amount: 80000 },
  ];
  const r = await submit(client, 'agent', 'asset_purchase', { items, location: '售楼处二楼', reason: '新员工入职' });
  assert(r.data.total === 380000, `purchase total ${r.data.total}`);
  const assetsOf = async (rid, no) => {
    const all = await listAll(client, 'finance', '/api/v1/fixed-assets');
    const mine = all.filter((a) => a.code.startsWith(`ZC-${no}-`));
    const details = [];
    for (const a of mine) details.push(await getJson(client, 'finance', `/api/v1/fixed-assets/${a.id}`));
    return details.filter((a) => a.purchase_request_id === rid);
  };
  await decide(client, 'manager', r.id);
  assert((await assetsOf(r.id, r.no)).length === 0, 'assets exist before the final approval');
  assert((await decide(client, 'finance', r.id)).status === 'approved', 'purchase not approved');
  const assets = await assetsOf(r.id, r.no);
  const laptops = assets.filter((a) => a.name === '测试笔记本电脑');
  assert(assets.length === 4 && laptops.length === 3, `assets made: ${assets.length} (${laptops.length} laptops); want 4 (3 laptops)`);
  assert(assets.every((a) => a.status === 'in_use' && a.location === '售楼处二楼'), `asset rows ${short(assets)}`);
  assert(laptops.every((a) => a.unit_price_fen === 100000 && a.category === '电子设备'), `laptop rows ${short(laptops)}`);
  assert(new Set(assets.map((a) => a.code)).size === 4, 'asset codes are not unique');

  const target = laptops[0];
  const s = await submit(client, 'agent', 'asset_scrap', { asset: target.id, reason: '屏幕损坏', residual: 5000 });
  await decide(client, 'manager', s.id);
  assert((await getJson(client, 'finance', `/api/v1/fixed-assets/${target.id}`)).status === 'in_use', 'scrapped before the final approval');
  assert((await decide(client, 'finance', s.id)).status === 'approved', 'scrap not approved');
  const after = await getJson(client, 'finance', `/api/v1/fixed-assets/${target.id}`);
  assert(after.status === 'scrapped' && after.scrap_request_id === s.id && typeof after.scrapped_at === 'string', `scrapped asset ${short(after)}`);
  assert((await getJson(client, 'finance', `/api/v1/fixed-assets/${laptops[1].id}`)).status === 'in_use', 'another asset was scrapped too');
  // Scrapping it again is refused at submit.
  const again = await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'asset_scrap', data: { asset: target.id, reason: '再次报废' } } });
  assert(again.status === 409 || again.status === 422, `scrapping a scrapped asset: ${again.status} ${short(again.text)}`);
  expectError(again, again.status, undefined, 'asset');
  expectError(await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'asset_scrap', data: { asset: 99999999, reason: '不存在' } } }), 422, 'invalid', 'asset');
});

test('handlers: an expense offsets the applicant\'s own loan, reducing what is owed and settling it', async ({ client }) => {
  const loan = await approvedLoan(client, 'agent', 300000);
  // Someone else's loan, more than owed, and no loan at all are refused.
  expectError(await client.call('POST', '/api/v1/approvals', { as: 'contract', body: { template: 'expense', data: { lines: [line(50000)], offset_loan: loan.id, offset_amount: 10000 } } }), 422, 'invalid', 'offset_loan');
  expectError(await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'expense', data: { lines: [line(500000)], offset_loan: loan.id, offset_amount: 300001 } } }), 422, 'invalid', 'offset_amount');
  expectError(await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'expense', data: { lines: [line(50000)], offset_loan: loan.id, offset_amount: 60000 } } }), 422, 'invalid', 'offset_amount');
  expectError(await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'expense', data: { lines: [line(50000)], offset_amount: 1000 } } }), 422, 'invalid', 'offset_loan');

  const first = await expense(client, 'agent', [120000], { offset_loan: loan.id, offset_amount: 100000 });
  await decide(client, 'manager', first.id);
  let l = await getJson(client, 'finance', `/api/v1/employee-loans/${loan.id}`);
  assert(l.repaid_fen === 0, 'the loan was offset before the final approval');
  assert((await decide(client, 'finance', first.id)).status === 'approved', 'first offset claim not approved');
  l = await getJson(client, 'finance', `/api/v1/employee-loans/${loan.id}`);
  assert(l.repaid_fen === 100000 && l.owed_fen === 200000 && l.status === 'outstanding', `after offsetting 1,000 of 3,000: ${short(l)}`);
  const reps = (await getJson(client, 'finance', `/api/v1/loan-repayments?loan_id=${loan.id}&limit=50`)).items;
  assert(reps.length === 1 && reps[0].amount_fen === 100000 && reps[0].kind === 'offset', `repayments ${short(reps)}`);

  const second = await expense(client, 'agent', [250000], { offset_loan: loan.id, offset_amount: 200000 });
  await decide(client, 'manager', second.id);
  assert((await decide(client, 'finance', second.id)).status === 'approved', 'second offset claim not approved');
  l = await getJson(client, 'finance', `/api/v1/employee-loans/${loan.id}`);
  assert(l.repaid_fen === 300000 && l.owed_fen === 0 && l.status === 'settled' && typeof l.settled_at === 'string', `after offsetting the rest: ${short(l)}`);
  // A settled loan cannot be offset again.
  const third = await client.call('POST', '/api/v1/approvals', { as: 'agent', body: { template: 'expense', data: { lines: [line(10000)], offset_loan: loan.id, offset_amount: 100 } } });
  assert(third.status === 409 || third.status === 422, `offsetting a settled loan: ${third.status} ${short(third.text)}`);
  expectError(third, third.status, undefined, 'offset_loan');
});

test('handlers: an approved seal request waits in the seal log until finance stamps it, once', async ({ client }) => {
  const doc = `审批测试用印文件${Date.now() % 100000}`;
  const r = await submit(client, 'agent', 'seal', { seal: '合同专用章', document: doc, copies: 2, purpose: '业主补充协议' });
  const findUse = async () => (await getJson(client, 'finance', `/api/v1/seal-uses?q=${encodeURIComponent(doc)}&limit=50`)).items;
  await decide(client, 'manager', r.id); // 部门负责人
  assert((await findUse()).length === 0, 'a seal use was logged before the approval finished');
  const d = await decide(client, 'manager', r.id); // 印章管理员 (the manager's role)
  assert(d.status === 'approved', `seal request after two steps: ${d.status} at ${d.step_name}`);
  const uses = await findUse();
  assert(uses.length === 1 && uses[0].copies === 2 && uses[0].seal === '合同专用章' && uses[0].stamped_at === null, `seal uses ${short(uses)}`);
  const use = await getJson(client, 'finance', `/api/v1/seal-uses/${uses[0].id}`);
  assert(use.request_id === r.id, `seal use request_id ${use.request_id}, want ${r.id}`);
  expectError(await client.call('POST', `/api/v1/seal-uses/${use.id}/stamp`, { as: 'agent', body: {} }), 403, 'forbidden');
  const st = await client.call('POST', `/api/v1/seal-uses/${use.id}/stamp`, { as: 'finance', body: { note: '已盖章两份' } });
  expectStatus(st, 200, 'stamp');
  assert(st.json.stamped_by === '赵敏' && typeof st.json.stamped_at === 'string', `stamped ${short(st.json)}`);
  expectError(await client.call('POST', `/api/v1/seal-uses/${use.id}/stamp`, { as: 'finance', body: {} }), 409, 'conflict');
  const again = await getJson(client, 'finance', `/api/v1/seal-uses/${use.id}`);
  assert(again.stamped_at === st.json.stamped_at, 'a refused second stamp changed the record');
  expectError(await client.call('POST', '/api/v1/seal-uses/99999999/stamp', { as: 'finance', body: {} }), 404, 'not_found');
});

test('handlers: the final approval of a resignation needs every handover item ticked', async ({ client }) => {
  const u = await users(client);
  const r = await submit(client, 'agent', 'resignation', { employee: u.agent, last_day: addDays(today(), 30), successor: u.contract, reason: '个人发展' });
  const def = r.form.fields.find((f) => f.type === 'checklist');
  assert(def && r.data[def.name].length === def.items.length && r.data[def.name].every((i) => i.done === false), `checklist ${short(r.data[def?.name])}`);
  await decide(client, 'manager', r.id);
  await decide(client, 'finance', r.id);
  assert(pending(await getReq(client, 'admin', r.id))[0]?.step_name === '行政人事备案', 'the last step is not 行政人事备案');
  expectError(await act(client, 'admin', r.id, 'approve'), 422, 'invalid', def.name);
  const half = def.items.map((item, i) => ({ item, done: i % 2 === 0 }));
  expectError(await act(client, 'admin', r.id, 'approve', { updates: { [def.name]: half } }), 422, 'invalid', def.name);
  expectError(await act(client, 'admin', r.id, 'approve', { updates: { reason: '改原因' } }), 422, 'invalid', 'reason');
  let cur = await getReq(client, 'admin', r.id);
  assert(cur.status === 'in_progress' && cur.data[def.name].every((i) => i.done === false), `refused approvals changed the request: ${cur.status} ${short(cur.data[def.name])}`);
  const all = def.items.map((item) => ({ item, done: true }));
  cur = await decide(client, 'admin', r.id, 'approve', { updates: { [def.name]: all } });
  assert(cur.status === 'approved' && cur.data[def.name].every((i) => i.done === true), `with every item ticked: ${cur.status}`);
});

/*---- 10. Templates ------------------------------------------------------------------------------------*/

test('templates: export and re-import raises the version; invalid imports and PATCHes change nothing; admin only', async ({ client }) => {
  const list = await getJson(client, 'admin', '/api/v1/approval-templates?code=vehicle');
  const row = list.items.find((t) => t.code === 'vehicle');
  assert(row, `no vehicle template: ${short(list)}`);
  const exp = await client.call('GET', `/api/v1/approval-templates/${row.id}/export`, { as: 'admin' });
  expectStatus(exp, 200, 'export one template');
  const t = exp.json;
  assert(t.code === 'vehicle' && Array.isArray(t.form.fields) && Array.isArray(t.steps) && t.steps.length === 2, `exported ${short(t)}`);
  const v0 = (await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}`)).version;

  const imp = await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: t });
  expectStatus(imp, 200, 'import it back');
  assert(imp.json.created === 0 && imp.json.updated === 1, `import reply ${short(imp.json)}`);
  const after = await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}`);
  assert(after.version === v0 + 1, `version ${after.version}, want ${v0 + 1}`);
  const exp2 = await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}/export`);
  assert(JSON.stringify(exp2) === JSON.stringify(t), `the re-imported template differs:\n${short(exp2, 500)}\nvs\n${short(t, 500)}`);
  // The export of all templates holds it too.
  const allExp = await getJson(client, 'admin', '/api/v1/approval-templates/export');
  assert(Array.isArray(allExp.templates) && allExp.templates.some((x) => x.code === 'vehicle' && x.name === t.name), 'full export lacks the template');

  // Invalid: a bad approver type; in a list, the valid first template is not applied either.
  const bad = { ...t, name: '用车审批（坏）', steps: [{ name: '谁来批', approver: { type: 'nobody' } }] };
  expectError(await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: bad }), 422, 'invalid', 'steps');
  const renamed = { ...t, name: '用车审批（改名）' };
  expectError(await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: { templates: [renamed, bad] } }), 422, 'invalid');
  expectError(await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: { ...t, handler: 'no_such_handler' } }), 422, 'invalid', 'handler');
  let now = await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}`);
  assert(now.version === v0 + 1 && now.name === t.name, `refused imports changed the template: version ${now.version}, name ${now.name}`);
  assert(JSON.stringify(await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}/export`)) === JSON.stringify(t), 'refused imports changed the template');

  // PATCH: a bad step is 422 naming steps_json; non-admins get 403.
  const badSteps = [{ name: '无角色', approver: { type: 'role' } }];
  const p = await client.call('PATCH', `/api/v1/approval-templates/${row.id}`, { as: 'admin', body: { steps_json: badSteps } });
  expectError(p, 422, 'invalid');
  const p2 = await client.call('PATCH', `/api/v1/approval-templates/${row.id}`, { as: 'admin', body: { steps_json: [{ name: 'x', approver: { type: 'role', role: 'finance' }, when: { field: 'no_such_field', op: '>', value: 1 } }] } });
  expectError(p2, 422, 'invalid');
  for (const who of ['manager', 'agent', 'finance']) {
    const res = await client.call('PATCH', `/api/v1/approval-templates/${row.id}`, { as: who, body: { name: '越权修改' } });
    try {
      expectError(res, 403, 'forbidden');
    } catch (e) {
      fail(`PATCH as ${who}: ${e.message}`);
    }
  }
  expectError(await client.call('POST', '/api/v1/approval-templates/import', { as: 'manager', body: t }), 403, 'forbidden');
  now = await getJson(client, 'admin', `/api/v1/approval-templates/${row.id}`);
  assert(now.version === v0 + 1 && now.name === t.name, `refused PATCHes changed the template: version ${now.version}, name ${now.name}`);
  assert(JSON.stringify(now.steps_json) === JSON.stringify(t.steps), 'refused PATCHes changed the steps');
  // The field at fault is the request's field (docs: "field is the request field at fault").
  expectError(p, 422, 'invalid', 'steps_json');
});

test('templates: a request keeps the route it was submitted under when the template changes', async ({ client }) => {
  const u = await users(client);
  const tpl = {
    code: 'ap_versioned', name: '版本测试', category: '行政',
    form: { fields: [{ name: 'note', label: '说明', type: 'text', required: true }] },
    steps: [{ name: '经理审批', approver: { type: 'user', username: 'manager' } }],
  };
  const imp = await client.call('POST', '/api/v1/approval-templates/import', { as: 'admin', body: tpl });
  expectStatus(imp, 200, 'import ap_versioned');
  assert(imp.json.created === 1, `created ${short(imp.json)}`);
  const r = await submit(client, 'agent', 'ap_versioned', { note: '旧版本' });
  assert(r.template_version === 1 && pending(r)[0].approver_id === u.manager, `request ${short({ v: r.template_version, p: pending(r) })}`);
  const row = (await getJson(client, 'admin', '/api/v1/approval-templates?code=ap_versioned')).items[0];
  const patched = await client.call('PATCH', `/api/v1/approval-templates/${row.id}`, { as: 'admin', body: { steps_json: [{ name: '财务审批', approver: { type: 'user', username: 'finance' } }] } });
  expectStatus(patched, 200, 'PATCH steps_json');
  assert(patched.json.version === 2, `version after PATCH ${patched.json.version}`);
  const old = await decide(client, 'manager', r.id);
  assert(old.status === 'approved' && old.steps[0].name === '经理审批', `the old request followed the new route: ${old.status} ${short(old.steps)}`);
  const r2 = await submit(client, 'agent', 'ap_versioned', { note: '新版本' });
  assert(r2.template_version === 2 && pending(r2)[0].approver_id === u.finance, `new request ${short({ v: r2.template_version, p: pending(r2) })}`);
  await decide(client, 'finance', r2.id);
});

/*---- 11. Attachments -------------------------------------------------------------------------------------*/

/**
 * POST a body of `size` bytes on a raw socket: the head first, the body only
 * if no answer came within a second (a refusal on the Content-Length closes
 * the connection; a client still writing could lose the answer to a reset).
 */
function bigUpload(base, p, token, size, timeoutMs = 30000) {
  const url = new URL(base);
  countRequest(url.origin);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    let settled = false;
    const parse = () => {
      const raw = Buffer.concat(chunks);
      const sep = raw.indexOf('\r\n\r\n');
      if (sep < 0) return null;
      const head = raw.subarray(0, sep).toString('latin1').split('\r\n');
      const m = head[0].match(/^HTTP\/1\.[01] (\d{3})/);
      if (!m) return null;
      const headers = {};
      for (const l of head.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = raw.subarray(sep + 4);
      const len = Number(headers['content-length']);
      if (Number.isFinite(len) && body.length < len) return null;
      let json;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
      return { status: Number(m[1]), headers, text: body.toString('utf8'), json };
    };
    const finish = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const res = parse();
      if (res) resolve(res);
      else reject(new Error(`POST ${p} (${size} bytes): no complete answer (${why})`));
    };
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs} ms`), timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      if (parse()) finish('answered');
    });
    sock.on('error', () => {});
    sock.on('close', () => finish('connection closed'));
    sock.on('connect', async () => {
      sock.write(`POST ${p} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: image/png\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
      await new Promise((r) => {
        const t = setTimeout(r, 1000);
        sock.once('data', () => (clearTimeout(t), r()));
        sock.once('close', () => (clearTimeout(t), r()));
      });
      const block = Buffer.alloc(1 << 20, 0x61);
      for (let sent = 0; sent < size && !settled && chunks.length === 0; sent += block.length) {
        const part = sent + block.length <= size ? block : block.subarray(0, size - sent);
        if (!sock.write(part))
          await new Promise((r) => {
            sock.once('drain', r);
            sock.once('close', r);
          });
      }
    });
  });
}

test('attachments: a PNG is stored and read back byte for byte; other content, strangers and 10 MiB+ are refused', async ({ client }) => {
  const r = await expense(client, 'agent', [1500]);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\x00\x00\x00\x0dIHDR测试附件', 'utf8'), Buffer.from([0, 1, 2, 255])]);
  const up = (as, name, body, id = r.id) =>
    client.call('POST', `/api/v1/attachments?entity=approval_requests&id=${id}&file_name=${encodeURIComponent(name)}`, { as, raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
  const res = await up('agent', '发票.png', png);
  expectStatus(res, 201, 'upload PNG');
  assert(res.json.content_type === 'image/png' && res.json.size === png.length && res.json.file_name === '发票.png', `upload reply ${short(res.json)}`);
  const aid = res.json.id;
  for (const who of ['agent', 'manager']) {
    const dl = await client.call('GET', `/api/v1/attachments/${aid}`, { as: who });
    expectStatus(dl, 200, `download as ${who}`);
    assert(String(dl.headers['content-type']).startsWith('image/png'), `content-type ${dl.headers['content-type']}`);
    assert(Buffer.compare(dl.buf, png) === 0, `downloaded ${dl.buf.length} bytes differ from the ${png.length} uploaded`);
  }
  const req = await getReq(client, 'agent', r.id);
  assert(req.attachments.length === 1 && req.attachments[0].id === aid && req.attachments[0].size === png.length, `request attachments ${short(req.attachments)}`);

  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(56), Buffer.from('This program cannot be run in DOS mode.')]);
  expectError(await up('agent', 'setup.exe', exe), 422, 'invalid', 'file');
  expectError(await up('agent', 'photo.png', exe), 422, 'invalid', 'file');
  expectError(await up('agent', 'empty.png', Buffer.alloc(0)), 422, 'invalid');
  expectError(await up('property', 'x.png', png), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/attachments/${aid}`, { as: 'property' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/attachments/99999999', { as: 'agent' }), 404, 'not_found');
  expectError(await up('agent', 'x.png', png, 99999999), 404, 'not_found');
  const after = await getReq(client, 'agent', r.id);
  assert(after.attachments.length === 1, `refused uploads were stored: ${short(after.attachments)}`);

  const token = (await client.session('agent')).token;
  const big = await bigUpload(client.base, `/api/v1/attachments?entity=approval_requests&id=${r.id}&file_name=big.png`, token, 10 * 1024 * 1024 + 1);
  expectError(big, 413, 'too_large');
  assert((await getReq(client, 'agent', r.id)).attachments.length === 1, 'the oversized upload was stored');
  await decide(client, 'agent', r.id, 'withdraw');
});

/*---- 12. Notifications ------------------------------------------------------------------------------------*/

test('notifications: the approver has an unread approval_todo; read marks one, read-all the rest', async ({ client }) => {
  const r = await expense(client, 'agent', [990]);
  const u0 = (await counts(client, 'manager')).unread;
  const list = await notes(client, 'manager');
  const n = list.find((x) => x.kind === 'approval_todo' && x.link === `#/approval/${r.id}`);
  assert(n && n.read_at === null && n.title.includes(r.title), `manager's notification for ${r.id}: ${short(n)}`);
  const unreadListed = list.filter((x) => x.read_at === null).length;
  // The list holds the newest 50, unread first.
  assert(u0 >= 1 && (list.length < 50 ? u0 === unreadListed : u0 >= unreadListed), `counts.unread ${u0} vs ${unreadListed} unread listed`);
  // Someone else cannot mark it read.
  const foreign = await client.call('POST', `/api/v1/notifications/${n.id}/read`, { as: 'agent' });
  assert([204, 403, 404].includes(foreign.status), `agent reading the manager's notification: ${foreign.status}`);
  assert((await notes(client, 'manager')).find((x) => x.id === n.id).read_at === null, 'another user marked the manager\'s notification read');
  expectStatus(await client.call('POST', `/api/v1/notifications/${n.id}/read`, { as: 'manager' }), 204, 'read one');
  // Unread come first in the newest 50: a read one may drop out of the page.
  const read = (await notes(client, 'manager')).find((x) => x.id === n.id);
  assert(!read || typeof read.read_at === 'string', `after read: ${short(read)}`);
  assert((await counts(client, 'manager')).unread === u0 - 1, 'counts.unread did not drop by one');
  // Make sure there is another unread one, then read them all.
  const r2 = await expense(client, 'agent', [991]);
  assert((await counts(client, 'manager')).unread === u0, 'a new todo did not add an unread notification');
  expectStatus(await client.call('POST', '/api/v1/notifications/read-all', { as: 'manager' }), 204, 'read-all');
  assert((await counts(client, 'manager')).unread === 0, 'unread after read-all is not 0');
  assert((await notes(client, 'manager')).every((x) => typeof x.read_at === 'string'), 'read-all left unread notifications');
  for (const id of [r.id, r2.id]) await decide(client, 'agent', id, 'withdraw');
});

/*---- Contract helpers ------------------------------------------------------------------------------------*/

const contractBody = (unitId, buyers, extra = {}) => ({ unit_id: unitId, buyers, total_price_fen: 150000000, deposit_fen: 5000000, payment_method: 'commercial_loan', ...extra });

async function subscribe(client, unitId, buyers, extra = {}) {
  const res = await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(unitId, buyers, extra) });
  expectStatus(res, 201, `subscribe unit ${unitId}`);
  return res.json;
}

const full = (client, id, as = 'contract') => getJson(client, as, `/api/v1/contracts/${id}/full`);
const unitStatus = async (client, id) => (await getJson(client, 'manager', `/api/v1/units/${id}`)).status;
const transition = (client, as, id, action, params = {}) => client.call('POST', `/api/v1/contracts/${id}/transitions`, { as, body: { action, ...params } });

async function receiveAll(client, c) {
  let cur = c;
  for (const d of c.documents) {
    const res = await client.call('POST', `/api/v1/contracts/${c.id}/documents/${d.id}`, { as: 'contract', body: { status: 'received' } });
    expectStatus(res, 200, `document ${d.doc_code} received`);
    cur = res.json;
  }
  return cur;
}

/** A signed contract (local buyer) on a new unit of project pid. */
async function signedContract(client, pid = 1) {
  const unit = await newUnit(client, pid);
  const buyer = await newCustomer(client, { pid });
  const c = await subscribe(client, unit.id, [{ customer_id: buyer.id }]);
  await receiveAll(client, c);
  const s = await transition(client, 'contract', c.id, 'sign');
  expectStatus(s, 200, 'sign');
  assert(s.json.status === 'signed', `signed contract ${short(s.json)}`);
  return { contract: s.json, unit, buyer };
}

// The units a customer's 360 page lists as theirs (unit ownership), as [unit id, share_bp].
const ownedUnits = async (client, customerId) => (await getJson(client, 'manager', `/api/v1/customers/${customerId}/360`)).units.map((u) => [u.id, u.share_bp]);

const amend = (client, id, body, as = 'contract') => client.call('POST', `/api/v1/contracts/${id}/amendments`, { as, body });

/*---- 13. Subscription ------------------------------------------------------------------------------------*/

test('contracts: subscription checks the unit, the deposit and the clerk; the checklist follows the buyer type', async ({ client }) => {
  const [u1, u2, u3, u4] = [await newUnit(client, 1), await newUnit(client, 1), await newUnit(client, 1), await newUnit(client, 2)];
  const outside = await newUnit(client, 3);
  const nonlocal = await newCustomer(client, { hukou: 'nonlocal' });
  const local = await newCustomer(client, { hukou: 'local' });
  const company = await newCustomer(client, { kind: 'company' });
  const c0 = await total(client, 'manager', '/api/v1/contracts?limit=1');

  const c = await subscribe(client, u1.id, [{ customer_id: nonlocal.id }], { deposit_fen: 30000000 });
  assert(c.status === 'subscribed' && c.unit_id === u1.id && c.buyer_names === nonlocal.name && c.project_id === 1, `contract ${short(c)}`);
  assert(c.documents.length === 5 && c.documents.every((d) => d.status === 'missing' && d.customer_id === nonlocal.id), `non-local documents ${short(c.documents)}`);
  assert(['social_security', 'tax_proof'].every((k) => c.documents.some((d) => d.doc_code === k)), 'non-local checklist lacks 社保 / 纳税 proofs');
  assert((await unitStatus(client, u1.id)) === 'reserved', 'the unit is not reserved after subscription');
  const cl = await subscribe(client, u2.id, [{ customer_id: local.id }]);
  assert(cl.documents.length === 3, `local buyer: ${cl.documents.length} documents, want 3`);
  const cc = await subscribe(client, u3.id, [{ customer_id: company.id }]);
  assert(cc.documents.length === 3 && cc.documents.some((d) => d.doc_code === 'business_license'), `company buyer documents ${short(cc.documents)}`);

  // Deposit: 20% exactly is fine, more is refused (民法典 第586条).
  const over = await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(u4.id, [{ customer_id: local.id }], { total_price_fen: 100000000, deposit_fen: 20000001 }) });
  expectError(over, 422, 'invalid', 'deposit_fen');
  // Same unit again, a clerk without contract.write, a unit outside the clerk's projects.
  expectError(await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(u1.id, [{ customer_id: local.id }]) }), 409, 'conflict', 'unit_id');
  expectError(await client.call('POST', '/api/v1/contracts', { as: 'agent', body: contractBody(u4.id, [{ customer_id: local.id }]) }), 403, 'forbidden');
  expectError(await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(outside.id, [{ customer_id: local.id }]) }), 403, 'forbidden');
  // Shares must add up to 100%.
  expectError(
    await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(u4.id, [{ customer_id: local.id, share_bp: 5000 }, { customer_id: nonlocal.id, share_bp: 4000 }]) }),
    422,
    'invalid',
    'buyers',
  );
  expectError(await client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(u4.id, [{ customer_id: local.id }], { payment_method: 'bitcoin' }) }), 422, 'invalid', 'payment_method');
  assert((await total(client, 'manager', '/api/v1/contracts?limit=1')) === c0 + 3, 'refused subscriptions stored contracts');
  assert((await unitStatus(client, u4.id)) === 'unsold' && (await unitStatus(client, outside.id)) === 'unsold', 'a refused subscription changed a unit');
  const ok20 = await subscribe(client, u4.id, [{ customer_id: local.id, share_bp: 5000 }, { customer_id: nonlocal.id, share_bp: 5000 }], { total_price_fen: 100000000, deposit_fen: 20000000 });
  assert(ok20.documents.length === 8 && ok20.project_id === 2, `two buyers (local + non-local): ${ok20.documents.length} documents, want 3 + 5`);
});

/*---- 14. One live contract per unit, under concurrency ------------------------------------------------------------*/

test('contracts: 8 simultaneous subscriptions of one free unit: exactly one 201, seven 409', async ({ client }) => {
  const unit = await newUnit(client, 1);
  const buyers = [];
  for (let i = 0; i < 8; i++) buyers.push(await newCustomer(client));
  await client.session('contract');
  const res = await Promise.all(buyers.map((b) => client.call('POST', '/api/v1/contracts', { as: 'contract', body: contractBody(unit.id, [{ customer_id: b.id }]) })));
  const st = res.map((r) => r.status);
  const won = res.filter((r) => r.status === 201);
  assert(won.length === 1 && res.filter((r) => r.status === 409).length === 7, `statuses ${st.join(',')}; ${short(res.find((r) => r.status !== 201 && r.status !== 409)?.text)}`);
  for (const r of res) if (r.status === 409) expectError(r, 409, 'conflict', 'unit_id');
  const live = (await getJson(client, 'manager', `/api/v1/contracts?unit_id=${unit.id}&limit=50`)).items;
  assert(live.length === 1 && live[0].id === won[0].json.id, `contracts on the unit ${short(live)}`);
  assert((await unitStatus(client, unit.id)) === 'reserved', 'unit status');
  return `statuses ${st.join(',')}`;
});

test('two servers on one database: a login on one works on the other; subscriptions of one unit split across both give one 201; every scheduled job runs once', async ({ bin, env, db, tmp, client }) => {
  const [b, c] = await Promise.all([
    startServer(bin, env, db, path.join(tmp, 'access-b.log')),
    startServer(bin, env, db, path.join(tmp, 'access-c.log')),
  ]);
  try {
    // A session made on the suite's server works on the others.
    const token = (await client.session('contract')).token;
    expectStatus(await new Client(b.base).call('GET', '/api/v1/me', { token }), 200, 'session on B');
    expectStatus(await new Client(c.base).call('GET', '/api/v1/me', { token }), 200, 'session on C');
    // One free unit, six buyers, the requests spread over three servers.
    const unit = await newUnit(client, 1);
    const buyers = [];
    for (let i = 0; i < 6; i++) buyers.push(await newCustomer(client));
    const bases = [client, new Client(b.base), new Client(c.base)];
    const res = await Promise.all(buyers.map((x, i) => bases[i % 3].call('POST', '/api/v1/contracts', { token, csrf: undefined, body: contractBody(unit.id, [{ customer_id: x.id }]) })));
    const st = res.map((r) => r.status);
    assert(st.filter((x) => x === 201).length === 1 && st.filter((x) => x === 409).length === 5, `statuses ${st.join(',')}`);
    const live = (await getJson(client, 'manager', `/api/v1/contracts?unit_id=${unit.id}&limit=50`)).items;
    assert(live.length === 1, `live contracts on the unit: ${live.length}`);
    // Six different units at once over three servers: six contracts, six numbers.
    const units = [];
    for (let i = 0; i < 6; i++) units.push(await newUnit(client, 1));
    const many = await Promise.all(units.map((x, i) => bases[i % 3].call('POST', '/api/v1/contracts', { token, body: contractBody(x.id, [{ customer_id: buyers[i].id }]) })));
    assert(many.every((r) => r.status === 201), `statuses ${many.map((r) => r.status).join(',')}: ${short(many.find((r) => r.status !== 201)?.text)}`);
    assert(new Set(many.map((r) => r.json.no)).size === 6, `contract numbers ${many.map((r) => r.json.no).join(',')}`);
    // Every job due at once; three servers' tickers race for them.
    // Wait for B's and C's own first passes, then make every job due again.
    await new Promise((ok) => setTimeout(ok, 1500));
    const since = Number(dbSql(db, 'SELECT COALESCE(MAX(id), 0) FROM job_runs'));
    dbSql(db, 'UPDATE scheduled_jobs SET next_run_at = 0, lease_until = 0, lease_holder = NULL');
    const [b2, c2] = await Promise.all([
      startServer(bin, env, db, path.join(tmp, 'access-b2.log')),
      startServer(bin, env, db, path.join(tmp, 'access-c2.log')),
    ]);
    try {
      const jobs = Number(dbSql(db, 'SELECT COUNT(*) FROM scheduled_jobs WHERE enabled = 1'));
      for (let i = 0; i < 80; i++) {
        if (Number(dbSql(db, `SELECT COUNT(DISTINCT job) FROM job_runs WHERE id > ${since}`)) >= jobs) break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      await new Promise((ok) => setTimeout(ok, 1500));
      const runs = dbSql(db, `SELECT job || ' ' || COUNT(*) FROM job_runs WHERE id > ${since} GROUP BY job ORDER BY job`).split('\n').filter(Boolean);
      assert(runs.length === jobs && runs.every((r) => / 1$/.test(r)), `runs per job: ${runs.join('; ')}`);
      const holders = Number(dbSql(db, `SELECT COUNT(DISTINCT holder) FROM job_runs WHERE id > ${since}`));
      return `statuses ${st.join(',')}; ${jobs} jobs once each, on ${holders} server(s)`;
    } finally {
      b2.stop();
      c2.stop();
    }
  } finally {
    b.stop();
    c.stop();
  }
});

test('migrate-data: a SQLite installation copied into PostgreSQL — row counts equal, the audit chain verifies, the copy serves and goes on numbering (PostgreSQL runs only)', async ({ bin, env, db, tmp }) => {
  if (!/^postgres/.test(db)) return 'SQLite run: nothing to copy into';
  const src = path.join(tmp, 'source.db');
  for (const args of [['init', '--db', src], ['demo', '--db', src]]) {
    const r = runBinClean(bin, args, { ...env, ANJIA_KEY_FILE: `${src}.key` });
    assert(r.status === 0, `${args[0]}: ${r.stderr}`);
  }
  const u = new URL(db);
  u.pathname = '/postgres';
  dbSql(u.toString(), 'CREATE DATABASE migrated');
  u.pathname = '/migrated';
  const target = u.toString();
  const m = runBinClean(bin, ['migrate-data', '--from', `sqlite:${src}`, '--to', target], { ...env, ANJIA_KEY_FILE: `${src}.key` });
  assert(m.status === 0 && /row counts equal; audit trail intact/.test(m.stdout), `migrate-data exited ${m.status}: ${m.stdout}${m.stderr.slice(-1500)}`);
  for (const t of ['customers', 'units', 'contracts', 'tickets', 'audit_log', 'role_permissions', 'calendar_days']) {
    assert(dbSql(src, `SELECT COUNT(*) FROM ${t}`) === dbSql(target, `SELECT COUNT(*) FROM ${t}`), `${t}: counts differ`);
  }
  const v = runBinClean(bin, ['audit', 'verify', '--db', target], { ...env, ANJIA_KEY_FILE: `${src}.key` });
  assert(v.status === 0, `audit verify of the copy: ${v.stdout}${v.stderr}`);
  const s = await startServer(bin, { ...env, ANJIA_KEY_FILE: `${src}.key` }, target, path.join(tmp, 'access-migrated.log'));
  try {
    const c = new Client(s.base);
    const cust = await c.call('GET', '/api/v1/customers?limit=1', { as: 'admin' });
    expectStatus(cust, 200, 'customers on the copy');
    assert(String(cust.json.total) === dbSql(src, 'SELECT COUNT(*) FROM customers') && /\*{4}/.test(cust.json.items[0].phone || '****'), 'customers readable, phones masked (sealed data decrypts with the same key)');
    const before = Number(dbSql(src, 'SELECT MAX(id) FROM projects'));
    const p = await c.call('POST', '/api/v1/projects', { as: 'admin', body: { code: 'MIG1', name: '迁移后新建项目' } });
    expectStatus(p, 201, 'a new project on the copy');
    assert(p.json.id === before + 1, `ids go on after the copied ones: ${p.json.id} after ${before}`);
  } finally {
    s.stop();
  }
});

test('command line on this backend: user add, list, passwd and disable take effect on a running server; rekey re-seals personal data, search indexes and the audit chain', async ({ bin, env, db, tmp, keyFile }) => {
  const copy = dbCopy(db, 'cli_copy.db', tmp);
  const key = path.join(tmp, 'cli_copy.key');
  fs.copyFileSync(keyFile, key);
  const e = { ...env, ANJIA_KEY_FILE: key };
  const cli = (args, extra = {}) => runBinClean(bin, [...args, '--db', copy], { ...e, ...extra });
  const ok = (args, extra) => {
    const r = cli(args, extra);
    assert(r.status === 0, `anjia ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr.slice(-800)}`);
    return r;
  };
  const users = () => Number(dbSql(copy, 'SELECT COUNT(*) FROM users'));
  const before = users();

  // Refusals change nothing and say why.
  let r = cli(['user', 'add', 'cliclerk']);
  assert(r.status !== 0 && /--role/.test(r.stderr) && users() === before, `add without --role: ${r.status} ${r.stderr}`);
  r = cli(['user', 'passwd', 'nosuchuser'], { ANJIA_USER_PASSWORD: 'cli-pass-2' });
  assert(r.status !== 0 && /no user nosuchuser/.test(r.stderr), `passwd of an unknown user: ${r.status} ${r.stderr}`);

  ok(['user', 'add', 'cliclerk', '--role', 'agent', '--name', '命令行专员'], { ANJIA_USER_PASSWORD: 'cli-pass-1' });
  const list = ok(['user', 'list']).stdout.split('\n');
  assert(list.some((l) => /^cliclerk\s+agent\s+active\b.*命令行专员/.test(l)) && list.some((l) => /^admin\s+admin\b/.test(l)), `user list:\n${list.join('\n')}`);
  r = cli(['user', 'add', 'cliclerk', '--role', 'agent'], { ANJIA_USER_PASSWORD: 'cli-pass-1' });
  assert(r.status !== 0 && users() === before + 1, `adding cliclerk twice: ${r.status} ${r.stderr}`);

  const login = (c, password) => c.call('POST', '/api/v1/login', { body: { username: 'cliclerk', password } });
  let s = await startServer(bin, e, copy, path.join(tmp, 'access-cli.log'));
  let idNumber, phone, custId;
  try {
    const c = new Client(s.base);
    expectStatus(await login(c, 'cli-pass-1'), 200, 'login with the password set by user add');
    ok(['user', 'passwd', 'cliclerk'], { ANJIA_USER_PASSWORD: 'cli-pass-2' });
    expectError(await login(c, 'cli-pass-1'), 401, 'unauthenticated', 'password');
    const fresh = await login(c, 'cli-pass-2');
    expectStatus(fresh, 200, 'login with the new password');
    expectStatus(await c.call('GET', '/api/v1/me', { token: fresh.json.token }), 200, 'session before disable');
    ok(['user', 'disable', 'cliclerk']);
    const gone = await c.call('GET', '/api/v1/me', { token: fresh.json.token });
    assert(gone.status === 401, `a disabled user's session still answers ${gone.status}`);
    const refused = await login(c, 'cli-pass-2');
    assert(refused.status === 401 || refused.status === 403, `a disabled user logs in: ${refused.status}`);

    // Personal data as the manager sees it, before the key changes.
    custId = Number(dbSql(copy, "SELECT MIN(id) FROM customers WHERE kind = 'person' AND status = 'active' AND id_number_enc IS NOT NULL AND phone_enc IS NOT NULL"));
    const rev = async (field) => {
      const v = await c.call('GET', `/api/v1/customers/${custId}/reveal?field=${field}`, { as: 'manager' });
      expectStatus(v, 200, `reveal ${field}`);
      return v.json.value;
    };
    idNumber = await rev('id_number');
    phone = await rev('phone');
    assert(idNumber && phone, `customer ${custId} has no id number or phone to check`);
  } finally {
    await s.stop();
  }

  const sealedBefore = dbSql(copy, `SELECT id_number_enc FROM customers WHERE id = ${custId}`);
  const keyBefore = fs.readFileSync(key);
  const rk = ok(['rekey']);
  assert(/key rotated/.test(rk.stdout + rk.stderr), `rekey said: ${rk.stdout}${rk.stderr}`);
  assert(!fs.readFileSync(key).equals(keyBefore), 'the key file did not change');
  assert(fs.readdirSync(tmp).some((f) => f.startsWith('cli_copy.key.retired-')), `no retired key kept: ${fs.readdirSync(tmp).join(' ')}`);
  assert(dbSql(copy, `SELECT id_number_enc FROM customers WHERE id = ${custId}`) !== sealedBefore, 'the sealed id number is unchanged');
  ok(['audit', 'verify']);
  const old = runBinClean(bin, ['audit', 'verify', '--db', copy], { ...env, ANJIA_KEY_FILE: fs.readdirSync(tmp).filter((f) => f.startsWith('cli_copy.key.retired-')).map((f) => path.join(tmp, f))[0] });
  assert(old.status !== 0, 'the audit chain still verifies under the retired key');

  s = await startServer(bin, e, copy, path.join(tmp, 'access-cli2.log'));
  try {
    const c = new Client(s.base);
    const v = await c.call('GET', `/api/v1/customers/${custId}/reveal?field=id_number`, { as: 'manager' });
    expectStatus(v, 200, 'reveal after rekey');
    assert(v.json.value === idNumber, `id number after rekey ${v.json.value}, before ${idNumber}`);
    const found = await c.call('GET', `/api/v1/search?q=${phone}`, { as: 'manager' });
    expectStatus(found, 200, 'search by phone after rekey');
    assert(found.json.customers.some((x) => x.id === custId), `search by the full phone no longer finds customer ${custId}`);
    const byId = await c.call('GET', `/api/v1/search?q=${idNumber}`, { as: 'manager' });
    assert(byId.status === 200 && byId.json.customers.some((x) => x.id === custId), `search by the id number no longer finds customer ${custId}`);
  } finally {
    await s.stop();
  }
  return `${/^postgres/.test(db) ? 'PostgreSQL' : 'SQLite'}: user add/list/passwd/disable, rekey, audit verify`;
});

test('a column added while a server runs (another server migrating first): its kept statements are prepared again; at most one "busy, try again" per connection, never a 500', async ({ bin, env, db, tmp }) => {
  const copy = dbCopy(db, 'schema_change.db', tmp);
  const id = Number(dbSql(copy, 'SELECT MIN(id) FROM tickets'));
  const pool = 4;
  const s = await startServer(bin, env, copy, path.join(tmp, 'access-schema.log'), ['--pool-size', String(pool)]);
  try {
    const c = new Client(s.base);
    // Every connection of the pool runs the ticket view (SELECT t.* …) and keeps it.
    const all = () => Promise.all(Array.from({ length: pool * 2 }, () => c.call('GET', `/api/v1/tickets/${id}/full`, { as: 'manager' })));
    for (const r of await all()) expectStatus(r, 200, 'ticket before the change');
    dbSql(copy, 'ALTER TABLE tickets ADD COLUMN extra_note TEXT');
    let busy = 0;
    for (let i = 0; i < 3; i++) {
      for (const r of await all()) {
        if (r.status === 429) {
          expectError(r, 429, 'busy');
          busy++;
        } else {
          expectStatus(r, 200, 'ticket after the change');
          assert(r.json.id === id && 'extra_note' in r.json, `ticket ${id} answered without the new column: ${short(r.json)}`);
        }
      }
    }
    assert(busy <= pool, `${busy} requests answered busy with ${pool} connections`);
    // SQLite prepares again by itself; PostgreSQL refuses the kept statement once.
    assert(/^postgres/.test(db) ? busy >= 1 : busy === 0, `${busy} busy answers`);
    const last = await all();
    assert(last.every((r) => r.status === 200), `still failing: ${last.map((r) => r.status)}`);
    return `${busy} busy answer(s) over ${pool} connections`;
  } finally {
    await s.stop();
  }
});

/*---- 15. Transitions ---------------------------------------------------------------------------------------------------*/

test('contracts: sign needs the documents (waived only by a manager with a reason); sign → file → preregister', async ({ client }) => {
  const unit = await newUnit(client, 1);
  const a = await newCustomer(client, { hukou: 'nonlocal' });
  const b = await newCustomer(client, { hukou: 'local' });
  const c = await subscribe(client, unit.id, [{ customer_id: a.id, share_bp: 6000 }, { customer_id: b.id, share_bp: 4000 }]);
  assert(c.documents.length === 8, `documents ${c.documents.length}`);
  assert(c.transitions.some((t) => t.action === 'sign'), `transitions ${short(c.transitions)}`);

  // Problems with the wording are collected; the rest of the flow still runs.
  const problems = [];
  const named = (d) => `${d.customer_id === a.id ? a.name : b.name} ${d.doc_name}`;
  let res = await transition(client, 'contract', c.id, 'sign');
  assert(res.status === 422 && res.json?.error?.code === 'invalid' && res.json.error.field === 'documents', `sign with 8 documents missing: ${res.status} ${short(res.text)}`);
  const shape = errorShapeProblem(res);
  if (shape) problems.push(`sign with 8 documents missing: ${shape} (body ${short(res.text)})`);
  else {
    const unnamed = c.documents.filter((d) => !res.json.error.message.includes(named(d)));
    if (unnamed.length) problems.push(`sign with 8 documents missing: the refusal does not name ${unnamed.map(named).join('、')}: ${res.json.error.message}`);
  }
  // Receive all but two; waive one of those.
  const [keep, waive, ...rest] = c.documents;
  for (const d of rest) expectStatus(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${d.id}`, { as: 'contract', body: { status: 'received' } }), 200, `receive ${d.doc_code}`);
  res = await transition(client, 'contract', c.id, 'sign');
  expectError(res, 422, 'invalid', 'documents');
  assert(res.json.error.message.includes(named(keep)) && res.json.error.message.includes(named(waive)), `missing named: ${res.json.error.message}`);
  assert(!rest.some((d) => res.json.error.message.includes(named(d))), `received documents named as missing: ${res.json.error.message}`);
  expectError(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${waive.id}`, { as: 'contract', body: { status: 'waived', reason: '客户已提供复印件' } }), 403, 'forbidden');
  expectError(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${waive.id}`, { as: 'manager', body: { status: 'waived' } }), 422, 'invalid', 'reason');
  expectError(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${waive.id}`, { as: 'manager', body: { status: 'lost' } }), 422, 'invalid', 'status');
  expectError(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${waive.id}`, { as: 'mortgage', body: { status: 'received' } }), 403, 'forbidden');
  res = await client.call('POST', `/api/v1/contracts/${c.id}/documents/${waive.id}`, { as: 'manager', body: { status: 'waived', reason: '客户已提供复印件' } });
  expectStatus(res, 200, 'waive by the manager');
  const w = res.json.documents.find((d) => d.id === waive.id);
  assert(w.status === 'waived' && w.waived_by === '刘洋' && w.waive_reason === '客户已提供复印件', `waived document ${short(w)}`);
  res = await transition(client, 'contract', c.id, 'sign');
  expectError(res, 422, 'invalid', 'documents');
  assert(res.json.error.message.includes(named(keep)) && !res.json.error.message.includes(named(waive)), `after the waiver: ${res.json.error.message}`);
  expectStatus(await client.call('POST', `/api/v1/contracts/${c.id}/documents/${keep.id}`, { as: 'contract', body: { status: 'received' } }), 200, 'receive the last one');

  // Roles: mortgage reads contracts but may not sign; wrong-state moves name the state.
  expectError(await transition(client, 'mortgage', c.id, 'sign'), 403, 'forbidden');
  res = await transition(client, 'contract', c.id, 'file', { filing_no: 'BA-1', filed_on: today() });
  expectError(res, 409, 'conflict');
  assert(res.json.error.message.includes('认购'), `wrong-state refusal does not name 认购: ${res.json.error.message}`);
  expectError(await transition(client, 'contract', c.id, 'sign', { signed_on: '2026-02-30' }), 422, 'invalid', 'signed_on');
  expectError(await transition(client, 'contract', c.id, 'teleport'), 422, 'invalid', 'action');
  res = await transition(client, 'contract', c.id, 'sign');
  expectStatus(res, 200, 'sign');
  assert(res.json.status === 'signed' && res.json.signed_on === today(), `signed ${short({ s: res.json.status, on: res.json.signed_on })}`);
  assert((await unitStatus(client, unit.id)) === 'signed', 'unit status after signing');
  expectError(await transition(client, 'contract', c.id, 'sign'), 409, 'conflict');

  expectError(await transition(client, 'contract', c.id, 'file', { filed_on: today() }), 422, 'invalid', 'filing_no');
  expectError(await transition(client, 'contract', c.id, 'file', { filing_no: 'BA-2026-0001' }), 422, 'invalid', 'filed_on');
  res = await transition(client, 'contract', c.id, 'preregister', { prereg_no: 'YG-1', preregistered_on: today() });
  expectError(res, 409, 'conflict');
  assert(res.json.error.message.includes('已签约'), `preregister from signed: the refusal does not name 已签约: ${res.json.error.message}`);
  expectError(await transition(client, 'mortgage', c.id, 'file', { filing_no: 'BA-2026-0001', filed_on: today() }), 403, 'forbidden');
  res = await transition(client, 'contract', c.id, 'file', { filing_no: 'BA-2026-0001', filed_on: today() });
  expectStatus(res, 200, 'file');
  assert(res.json.status === 'filed' && res.json.filing_no === 'BA-2026-0001', `filed ${short(res.json.status)}`);
  res = await transition(client, 'contract', c.id, 'preregister', { prereg_no: 'YG-2026-0001', preregistered_on: today() });
  expectStatus(res, 200, 'preregister');
  assert(res.json.status === 'preregistered' && res.json.prereg_no === 'YG-2026-0001' && res.json.transitions.length === 0, `preregistered ${short({ s: res.json.status, t: res.json.transitions })}`);
  assert((await unitStatus(client, unit.id)) === 'signed', 'unit status after pre-registration');

  // Every buyer's timeline tells the story.
  for (const buyer of [a, b]) {
    const v = await getJson(client, 'manager', `/api/v1/customers/${buyer.id}/360`);
    const ev = v.timeline.filter((e) => e.entity === 'contracts' && e.entity_id === c.id);
    const titles = ev.map((e) => e.title).join(' | ');
    assert(ev.length >= 4 && ['认购', '签约', '备案', '预告登记'].every((w) => titles.includes(w)), `${buyer.name}'s timeline: ${titles}`);
  }
  if (problems.length) fail(problems.join('\n'));
});

/*---- 16. Amendments ---------------------------------------------------------------------------------------------------*/

test('contracts: a cancellation takes effect only after manager, finance and director approve', async ({ client }) => {
  const u = await users(client);
  const { contract: c, unit, buyer } = await signedContract(client);
  // The buyer owns the unit from the subscription on.
  assert(JSON.stringify(await ownedUnits(client, buyer.id)) === JSON.stringify([[unit.id, 10000]]), `buyer's units before the cancellation ${short(await ownedUnits(client, buyer.id))}`);
  expectError(await amend(client, c.id, { kind: 'cancel', reason_category: '客户原因退房' }), 422, 'invalid', 'comment');
  expectError(await amend(client, c.id, { kind: 'cancel', comment: '退房' }), 422, 'invalid', 'reason_category');
  expectError(await amend(client, c.id, { kind: 'divorce', reason_category: '其他', comment: '?' }), 422, 'invalid', 'kind');
  expectError(await amend(client, c.id, { kind: 'cancel', reason_category: '客户原因退房', comment: '退房' }, 'mortgage'), 403, 'forbidden');
  const res = await amend(client, c.id, { kind: 'cancel', reason_category: '客户原因退房', comment: '客户资金困难，申请退房', refund_fen: 5000000 });
  expectStatus(res, 201, 'cancel request');
  const a = res.json.amendments[0];
  assert(res.json.status === 'signed' && a && a.kind === 'cancel' && a.status === 'pending' && Number.isInteger(a.approval_id), `after the request: ${short({ s: res.json.status, a })}`);
  const ap = await getReq(client, 'manager', a.approval_id);
  assert(ap.template_code === 'contract_cancel' && ap.origin_entity === 'contracts' && ap.origin_id === c.id && ap.project_id === c.project_id, `approval ${short({ t: ap.template_code, o: ap.origin_entity, id: ap.origin_id })}`);
  assert(ap.data.contract_no === c.no && ap.data.refund === 5000000 && ap.amount_fen === 5000000, `approval data ${short(ap.data)}`);
  assert(pending(ap).length === 1 && pending(ap)[0].approver_id === u.manager, `first step ${short(pending(ap))}`);

  // While it waits: no second amendment, no transition.
  const waiting = await full(client, c.id);
  assert(waiting.amendment_pending === true && waiting.transitions.length === 0 && waiting.can_amend === false, `a waiting contract offers ${short({ p: waiting.amendment_pending, t: waiting.transitions, a: waiting.can_amend })}`);
  expectError(await amend(client, c.id, { kind: 'rename', reason_category: '其他', comment: '更名', buyers: [{ customer_id: (await newCustomer(client)).id }] }), 409, 'conflict');
  expectError(await amend(client, c.id, { kind: 'cancel', reason_category: '其他', comment: '再来一次' }), 409, 'conflict');
  expectError(await transition(client, 'contract', c.id, 'file', { filing_no: 'BA-X', filed_on: today() }), 409, 'conflict');

  for (const [who, step] of [['manager', '财务审核'], ['finance', '分管领导审批']]) {
    const r = await decide(client, who, a.approval_id);
    assert(r.status === 'in_progress' && r.step_name === step, `after ${who}: ${r.status} at ${r.step_name}`);
    const cur = await full(client, c.id);
    assert(cur.status === 'signed' && cur.amendments[0].status === 'pending', `contract after ${who} approved: ${cur.status}, amendment ${cur.amendments[0].status}`);
    assert((await unitStatus(client, unit.id)) === 'signed', `unit after ${who} approved`);
  }
  const fin = await decide(client, 'director', a.approval_id);
  assert(fin.status === 'approved', `approval after the director: ${fin.status}`);
  const done = await full(client, c.id);
  assert(done.status === 'cancelled' && done.cancelled_on === today() && done.cancel_reason === '客户原因退房', `contract ${short({ s: done.status, on: done.cancelled_on, r: done.cancel_reason })}`);
  assert(done.amendments[0].status === 'approved' && typeof done.amendments[0].decided_at === 'string', `amendment ${short(done.amendments[0])}`);
  assert((await unitStatus(client, unit.id)) === 'unsold', 'unit after cancellation');
  assert((await ownedUnits(client, buyer.id)).length === 0, `the cancelled buyer still owns ${short(await ownedUnits(client, buyer.id))}`);
  assert(done.transitions.length === 0 && done.can_amend === false, `cancelled contract offers ${short({ t: done.transitions, a: done.can_amend })}`);
  expectError(await amend(client, c.id, { kind: 'cancel', reason_category: '其他', comment: '又一次' }), 409, 'conflict');
  // The unit is free again.
  const again = await subscribe(client, unit.id, [{ customer_id: (await newCustomer(client)).id }]);
  assert(again.status === 'subscribed', 'the freed unit could not be subscribed');
});

test('contracts: a rejected cancellation leaves the contract as it was', async ({ client }) => {
  const { contract: c, unit } = await signedContract(client);
  const res = await amend(client, c.id, { kind: 'cancel', reason_category: '按揭未获批', comment: '按揭被拒' });
  expectStatus(res, 201, 'cancel request');
  const aid = res.json.amendments[0].approval_id;
  await decide(client, 'manager', aid);
  const r = await decide(client, 'finance', aid, 'reject', { comment: '按揭可改公积金，不予退房' });
  assert(r.status === 'rejected', `approval ${r.status}`);
  const cur = await full(client, c.id);
  assert(cur.status === 'signed' && cur.cancelled_on === null && cur.unit_id === unit.id && cur.buyer_names === c.buyer_names, `contract after the rejection ${short(cur)}`);
  assert(cur.amendments[0].status === 'rejected', `amendment ${short(cur.amendments[0])}`);
  assert(cur.amendment_pending === false && cur.can_amend === true && cur.transitions.some((t) => t.action === 'file'), `after the rejection the contract offers ${short({ t: cur.transitions, a: cur.can_amend })}`);
  assert((await unitStatus(client, unit.id)) === 'signed', 'unit after the rejection');
  expectError(await act(client, 'director', aid, 'approve'), 409, 'conflict');
  assert((await full(client, c.id)).status === 'signed', 'a late approval changed the contract');
  // A withdrawn request frees the contract for a new amendment too.
  const w = await amend(client, c.id, { kind: 'cancel', reason_category: '其他', comment: '先撤回' });
  expectStatus(w, 201, 'second cancel request after the rejection');
  await decide(client, 'contract', w.json.amendments[0].approval_id, 'withdraw');
  const after = await full(client, c.id);
  assert(after.status === 'signed' && after.amendments[0].status === 'withdrawn', `after withdrawing: ${after.status}, ${after.amendments[0].status}`);
});

test('contracts: a unit change moves the contract to a free unit after approval; an occupied unit is 409', async ({ client }) => {
  const { contract: c, unit: oldUnit, buyer } = await signedContract(client);
  const { unit: taken } = await signedContract(client);
  const fresh = await newUnit(client, 1);
  expectError(await amend(client, c.id, { kind: 'unit_change', reason_category: '客户要求换房', comment: '换到更高楼层', new_unit_id: taken.id }), 409, 'conflict', 'new_unit_id');
  expectError(await amend(client, c.id, { kind: 'unit_change', reason_category: '客户要求换房', comment: '同一套', new_unit_id: oldUnit.id }), 422, 'invalid', 'new_unit_id');
  const res = await amend(client, c.id, { kind: 'unit_change', reason_category: '客户要求换房', comment: '换到更高楼层', new_unit_id: fresh.id });
  expectStatus(res, 201, 'unit change request');
  const aid = res.json.amendments[0].approval_id;
  const ap = await getReq(client, 'manager', aid);
  assert(ap.template_code === 'contract_unit_change' && ap.data.new_unit === fresh.room_code, `approval ${short({ t: ap.template_code, d: ap.data })}`);
  await decide(client, 'manager', aid);
  await decide(client, 'finance', aid);
  assert((await full(client, c.id)).unit_id === oldUnit.id, 'the unit changed before the final approval');
  assert((await decide(client, 'director', aid)).status === 'approved', 'unit change not approved');
  const cur = await full(client, c.id);
  assert(cur.unit_id === fresh.id && cur.status === 'signed' && cur.amendments[0].status === 'approved', `contract ${short({ unit: cur.unit_id, s: cur.status, a: cur.amendments[0].status })}`);
  assert((await unitStatus(client, oldUnit.id)) === 'unsold', 'the old unit is not unsold');
  assert((await unitStatus(client, fresh.id)) === 'signed', 'the new unit is not signed');
  assert(JSON.stringify(await ownedUnits(client, buyer.id)) === JSON.stringify([[fresh.id, 10000]]), `buyer's units after the unit change ${short(await ownedUnits(client, buyer.id))}`);
  assert((await getJson(client, 'manager', `/api/v1/contracts?unit_id=${oldUnit.id}&limit=10`)).items.every((x) => x.status === 'cancelled'), 'a live contract still points at the old unit');
});

test('contracts: a unit change to another project\'s unit keeps the contract in the unit\'s project', async ({ client }) => {
  const { contract: c, unit: oldUnit } = await signedContract(client, 1);
  const other = await newUnit(client, 2);
  const res = await amend(client, c.id, { kind: 'unit_change', reason_category: '客户要求换房', comment: '换到锦绣华庭', new_unit_id: other.id });
  if (res.status === 409 || res.status === 422) return `refused with ${res.status} (${res.json?.error?.message})`;
  expectStatus(res, 201, 'unit change request');
  const aid = res.json.amendments[0].approval_id;
  for (const who of ['manager', 'finance', 'director']) await decide(client, who, aid);
  const cur = await full(client, c.id, 'manager');
  assert(cur.unit_id === other.id, `the contract did not move: ${cur.unit_id}`);
  assert((await unitStatus(client, oldUnit.id)) === 'unsold', 'old unit');
  assert(cur.project_id === other.project_id, `contract ${cur.no} now on unit ${other.room_code} of project ${other.project_id} but keeps project_id ${cur.project_id}`);
});

test('contracts: a rename replaces the buyers after manager and director approve', async ({ client }) => {
  const { contract: c, unit, buyer } = await signedContract(client);
  const y = await newCustomer(client, { hukou: 'nonlocal' });
  const z = await newCustomer(client);
  expectError(await amend(client, c.id, { kind: 'rename', reason_category: '增加共有人', comment: '份额不对', buyers: [{ customer_id: y.id, share_bp: 5000 }, { customer_id: z.id, share_bp: 4000 }] }), 422, 'invalid', 'buyers');
  const res = await amend(client, c.id, { kind: 'rename', reason_category: '增加共有人', comment: '增加配偶为共有人', buyers: [{ customer_id: y.id, share_bp: 6000 }, { customer_id: z.id, share_bp: 4000 }] });
  expectStatus(res, 201, 'rename request');
  const aid = res.json.amendments[0].approval_id;
  const ap = await getReq(client, 'manager', aid);
  assert(ap.template_code === 'contract_rename' && ap.data.new_buyers === `${y.name}、${z.name}`, `approval ${short({ t: ap.template_code, d: ap.data })}`);
  await decide(client, 'manager', aid);
  assert((await full(client, c.id)).buyer_names === c.buyer_names, 'buyers changed before the final approval');
  assert((await decide(client, 'director', aid)).status === 'approved', 'rename not approved');
  const cur = await full(client, c.id);
  assert(cur.buyer_names === `${y.name}、${z.name}` && cur.status === 'signed', `buyer_names ${cur.buyer_names}`);
  assert(
    JSON.stringify(cur.buyers.map((b) => [b.customer_id, b.share_bp]).sort()) === JSON.stringify([[y.id, 6000], [z.id, 4000]].sort()),
    `buyers ${short(cur.buyers)}`,
  );
  assert(cur.documents.length === 8 && cur.documents.every((d) => d.customer_id === y.id || d.customer_id === z.id), `documents ${short(cur.documents.map((d) => d.customer_id))}`);
  const v = await getJson(client, 'manager', `/api/v1/customers/${y.id}/360`);
  assert(v.timeline.some((e) => e.entity === 'contracts' && e.entity_id === c.id), 'the new buyer\'s timeline lacks the contract');
  // The unit's owners follow: the new buyers with their shares, not the old one.
  assert(JSON.stringify(v.units.map((x) => [x.id, x.share_bp])) === JSON.stringify([[unit.id, 6000]]), `new buyer's units ${short(v.units)}`);
  assert(JSON.stringify(await ownedUnits(client, z.id)) === JSON.stringify([[unit.id, 4000]]), `co-buyer's units ${short(await ownedUnits(client, z.id))}`);
  assert((await ownedUnits(client, buyer.id)).length === 0, `the renamed-away buyer still owns ${short(await ownedUnits(client, buyer.id))}`);
});

/*---- 17. Deadlines and ledgers ---------------------------------------------------------------------------------------------*/

test('contracts: filing deadlines within 30 days, most urgent first, include every signed contract due', async ({ client }) => {
  const { contract: mine } = await signedContract(client);
  const j = await getJson(client, 'manager', '/api/v1/contracts/deadlines?within=30');
  assert(Array.isArray(j.items) && j.within === 30, `reply ${short(j)}`);
  const items = j.items;
  assert(items.every((i) => i.deadline && Number.isInteger(i.deadline.days_left) && i.deadline.days_left <= 30), `an item beyond 30 days: ${short(items.find((i) => !(i.deadline?.days_left <= 30)))}`);
  for (let k = 1; k < items.length; k++)
    assert(items[k - 1].deadline.days_left <= items[k].deadline.days_left, `not sorted: [${k - 1}] ${items[k - 1].deadline.days_left} then [${k}] ${items[k].deadline.days_left}`);
  assert(items.every((i) => (i.status === 'signed' && i.deadline.kind === 'filing') || (i.status === 'filed' && i.deadline.kind === 'prereg')), 'an item of the wrong state or kind');
  const m = items.find((i) => i.id === mine.id);
  assert(m, 'the contract signed today is not listed');
  const filingDays = daysBetween(today(), m.deadline.due);
  assert(m.deadline.kind === 'filing' && m.deadline.days_left === filingDays && filingDays > 0 && filingDays <= 30, `today's contract deadline ${short(m.deadline)}`);
  // Every signed contract whose filing falls due within 30 days is there
  // (each project's filing period read off its listed deadlines).
  const period = new Map();
  for (const i of items.filter((x) => x.status === 'signed')) period.set(i.project_id, daysBetween(i.signed_on, i.deadline.due));
  const signed = await listAll(client, 'manager', '/api/v1/contracts?status=signed');
  const due = signed.filter((x) => x.signed_on && daysBetween(today(), addDays(x.signed_on, period.get(x.project_id) ?? filingDays)) <= 30);
  const listed = new Set(items.filter((i) => i.status === 'signed').map((i) => i.id));
  const lacking = due.filter((x) => !listed.has(x.id));
  assert(lacking.length === 0, `${lacking.length} signed contracts due within 30 days are missing, e.g. ${short(lacking[0])}`);
  // within=0 keeps only what is due today or overdue; scope applies.
  const overdue = (await getJson(client, 'manager', '/api/v1/contracts/deadlines?within=0')).items;
  assert(overdue.every((i) => i.deadline.days_left <= 0) && !overdue.some((i) => i.id === mine.id), 'within=0 lists a contract not yet due');
  const scoped = (await getJson(client, 'agent', '/api/v1/contracts/deadlines?within=30')).items;
  assert(scoped.every((i) => i.project_id === 1 || i.project_id === 2), 'the agent sees deadlines of project 3');
  expectError(await client.call('GET', '/api/v1/contracts/deadlines?within=abc', { as: 'manager' }), 400, 'bad_request');
  return `${items.length} deadlines`;
});

test('contracts: weekly counts add up to the contracts signed in the range; weekly.xlsx and export.xlsx', async ({ client }) => {
  await signedContract(client, 2);
  const to = today();
  const from = addDays(to, -7 * 12 + 1);
  const w = await getJson(client, 'manager', `/api/v1/contracts/weekly?from=${from}&to=${to}`);
  assert(Array.isArray(w.items) && w.items.length > 0, `weekly ${short(w)}`);
  for (const it of w.items) {
    const d = new Date(`${it.week_start}T00:00:00Z`);
    assert(d.getUTCDay() === 1, `week_start ${it.week_start} is not a Monday`);
    assert(it.week_start <= to && addDays(it.week_start, 6) >= from, `week ${it.week_start} outside ${from}..${to}`);
  }
  const sum = (items, pred = () => true) => items.filter(pred).reduce((s, i) => s + i.signed, 0);
  const listed = await total(client, 'manager', `/api/v1/contracts?signed_on_from=${from}&signed_on_to=${to}&limit=1`);
  assert(sum(w.items) === listed, `weekly signed counts add up to ${sum(w.items)}, the contract list has ${listed} signed ${from}..${to}`);
  for (const pid of [1, 2, 3]) {
    const n = await total(client, 'manager', `/api/v1/contracts?signed_on_from=${from}&signed_on_to=${to}&project_id=${pid}&limit=1`);
    assert(sum(w.items, (i) => i.project_id === pid) === n, `project ${pid}: weekly ${sum(w.items, (i) => i.project_id === pid)}, list ${n}`);
  }
  const filed = await total(client, 'manager', `/api/v1/contracts?filed_on_from=${from}&filed_on_to=${to}&limit=1`);
  assert(w.items.reduce((s, i) => s + i.filed, 0) === filed, `weekly filed ${w.items.reduce((s, i) => s + i.filed, 0)}, list ${filed}`);
  const keys = w.items.map((i) => `${i.project_id}|${i.week_start}`);
  assert(new Set(keys).size === keys.length, 'a project-week appears twice');
  // The agent sees projects 1 and 2 only.
  const wa = await getJson(client, 'agent', `/api/v1/contracts/weekly?from=${from}&to=${to}`);
  assert(wa.items.every((i) => i.project_id !== 3), 'the agent\'s weekly counts include project 3');
  expectError(await client.call('GET', `/api/v1/contracts/weekly?from=${to}&to=${from}`, { as: 'manager' }), 400, 'bad_request');
  expectError(await client.call('GET', '/api/v1/contracts/weekly?from=2026-99-01', { as: 'manager' }), 400, 'bad_request');

  const x = await client.call('GET', `/api/v1/contracts/weekly.xlsx?from=${from}&to=${to}`, { as: 'manager', headers: { Accept: '*/*' } });
  expectStatus(x, 200, 'weekly.xlsx');
  assert(x.buf.subarray(0, 2).toString('latin1') === 'PK', 'weekly.xlsx is not a ZIP');
  assert(String(x.headers['content-type']).includes('spreadsheetml'), `weekly.xlsx content-type ${x.headers['content-type']}`);
  const book = readXlsx(x.buf);
  assert(book.rows === w.items.length + 1, `weekly.xlsx has ${book.rows} rows, want ${w.items.length} + header`);
  assert(['周（起始日）', '项目', '签约'].every((h) => book.strings.includes(h)), `weekly.xlsx headers ${short(book.strings.slice(0, 8))}`);
  expectError(await client.call('GET', '/api/v1/contracts/weekly.xlsx', { as: 'engineer' }), 403, 'forbidden');

  const visible = await total(client, 'agent', '/api/v1/contracts?limit=1');
  const e = await client.call('GET', '/api/v1/contracts/export.xlsx', { as: 'agent', headers: { Accept: '*/*' } });
  expectStatus(e, 200, 'export.xlsx as agent');
  assert(e.buf.subarray(0, 2).toString('latin1') === 'PK', 'export.xlsx is not a ZIP');
  const ex = readXlsx(e.buf);
  assert(ex.rows === visible + 1, `export.xlsx has ${ex.rows} rows, the agent sees ${visible} contracts`);
  assert(ex.strings.includes('合同编号'), 'export.xlsx lacks the 合同编号 header');
  expectError(await client.call('GET', '/api/v1/contracts/export.xlsx', { as: 'engineer' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/contracts', { as: 'engineer' }), 403, 'forbidden');
  return `${w.items.length} project-weeks, ${listed} signed`;
});

test('contracts: ?project_id= narrows the deadline list and the weekly counts to one project; a bad id → 400', async ({ client }) => {
  await signedContract(client, 2);
  const all = (await getJson(client, 'manager', '/api/v1/contracts/deadlines?within=30')).items;
  const two = (await getJson(client, 'manager', '/api/v1/contracts/deadlines?within=30&project_id=2')).items;
  assert(two.length > 0 && two.every((x) => x.project_id === 2) && isDeepStrictEqual(two.map((x) => x.id), all.filter((x) => x.project_id === 2).map((x) => x.id)), `deadlines of project 2 ${short(two.map((x) => [x.id, x.project_id]))}`);
  const to = today();
  const from = addDays(to, -7 * 12 + 1);
  const w = (await getJson(client, 'manager', `/api/v1/contracts/weekly?from=${from}&to=${to}`)).items;
  const w2 = (await getJson(client, 'manager', `/api/v1/contracts/weekly?from=${from}&to=${to}&project_id=2`)).items;
  assert(w2.length > 0 && isDeepStrictEqual(w2, w.filter((x) => x.project_id === 2)), `weekly of project 2 ${short(w2)}`);
  for (const path of ['/api/v1/contracts/deadlines', '/api/v1/contracts/weekly', '/api/v1/contracts/weekly.xlsx']) {
    for (const bad of ['0', 'x']) expectError(await client.call('GET', `${path}?project_id=${bad}`, { as: 'manager' }), 400, 'bad_request', 'project_id');
  }
});
