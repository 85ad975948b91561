// masterdata.mjs - scripted tests of the master-data API (docs/api.md,
// "Master data"): identifier validation (DOMAIN.md §6), masking and reveal
// per role, exact filters, the search box, the customer 360 view,
// duplicates / merge / undo, personal-data requests, imports, the building
// grid and scoped writes of buildings and units.
//
// run.mjs runs these after the tests of scripted.mjs and before the
// graceful stop. Every test makes the records it changes: ID numbers born in
// 2010 (or 1970 with a sequence number >= 500) and phones 1660000xxxx never
// occur in the demo data, so lookups are unambiguous.
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import net from 'node:net';

import { Failure, assert, countRequest, expectError, expectStatus, fail, short } from './lib.mjs';
import { readXlsx } from './xlsx.mjs';

export const masterdataTests = [];
const test = (name, fn, opts = {}) => masterdataTests.push({ name, fn, ...opts });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/*---- Identifiers ------------------------------------------------------------*/

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643 check character of the first 17 digits. */
export function idCheckDigit(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11];
}

/** An 18-character ID number: 6-digit area, YYYYMMDD, sequence, computed check. */
export function residentId(area, yyyymmdd, seq) {
  const first17 = `${area}${yyyymmdd}${String(seq).padStart(3, '0')}`;
  assert(first17.length === 17, `bad ID parts ${first17}`);
  return first17 + idCheckDigit(first17);
}

let serial = 0;
const pad2 = (n) => String(n).padStart(2, '0');

/** A fresh valid ID number (born 2010; the demo's buyers are born 1955-2002). */
function nextId(area = '110105') {
  const n = serial++;
  return residentId(area, `2010${pad2(1 + (n % 12))}${pad2(1 + (Math.floor(n / 12) % 28))}`, 500 + Math.floor(n / 336));
}

/** A fresh valid ID number whose check character is X. */
function nextIdEndingX() {
  for (let i = 0; i < 200; i++) {
    const id = nextId();
    if (id.endsWith('X')) return id;
  }
  fail('no ID number with check character X in 200 tries');
}

/** A fresh mobile number; the prefix 166 is not used by the demo data. */
function nextPhone() {
  const n = serial++;
  assert(n < 7000, 'ran out of test phone numbers');
  return `1660000${String(3000 + n).padStart(4, '0')}`;
}

const maskId = (id) => `${id.slice(0, 6)}********${id.slice(-4)}`;
const maskPhone = (p) => `${p.slice(0, 3)}****${p.slice(-4)}`;
const ID_MASK_RE = /^\d{6}\*{8}[\dX]{4}$/;
const DOC_MASK_RE = /^\*{4}[0-9A-Z]{4}$/; // passports and other short numbers
const PHONE_MASK_RE = /^1\d{2}\*{4}\d{4}$/;
// Plaintext in a response or file: an 18-character ID number, a mobile.
const FULL_ID_RE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;
const FULL_PHONE_RE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

function plaintextIn(text) {
  const m = text.match(FULL_ID_RE) || text.match(FULL_PHONE_RE);
  return m ? m[0] : null;
}

/*---- Helpers ------------------------------------------------------------------*/

/** Log these users in now: a first login writes an audit row of its own. */
async function warm(client, users) {
  for (const u of users) await client.session(u);
}

async function total(client, as, p) {
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `GET ${p} as ${as}`);
  assert(Number.isInteger(res.json.total), `GET ${p}: total is ${short(res.json.total)}`);
  return res.json.total;
}

const customerCount = (client) => total(client, 'manager', '/api/v1/customers?limit=1');
const auditCount = (client) => total(client, 'admin', '/api/v1/audit?limit=1');

/** Audit rows (newest first) matching the query, e.g. {entity, entity_id, action}. */
async function auditRows(client, query) {
  const qs = new URLSearchParams({ limit: '200', ...query }).toString();
  const res = await client.call('GET', `/api/v1/audit?${qs}`, { as: 'admin' });
  expectStatus(res, 200, `GET /audit?${qs}`);
  return res.json.items;
}

/** Every item of a list, paging with `next`. */
async function listAll(client, as, entityPath) {
  const items = [];
  let cursor = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = entityPath.includes('?') ? '&' : '?';
    const p = `${entityPath}${sep}limit=200${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await client.call('GET', p, { as });
    expectStatus(res, 200, `GET ${p} as ${as}`);
    items.push(...res.json.items);
    cursor = res.json.next;
    if (cursor === null) return items;
  }
  fail(`${entityPath}: more than 100 pages`);
}

async function createCustomer(client, body, as = 'manager') {
  const res = await client.call('POST', '/api/v1/customers', { as, body });
  expectStatus(res, 201, `POST /customers ${short(body, 200)} as ${as}`);
  assert(Number.isInteger(res.json.id), `created customer without id: ${short(res.json)}`);
  return res.json;
}

async function getJson(client, as, p, label = '') {
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `${label || 'GET'} ${p} as ${as}`);
  return res.json;
}

async function reveal(client, as, id, field) {
  const res = await client.call('GET', `/api/v1/customers/${id}/reveal?field=${field}`, { as });
  expectStatus(res, 200, `reveal ${field} of customer ${id} as ${as}`);
  assert(res.json.field === field, `reveal answered field ${short(res.json.field)}, want ${field}`);
  return res.json.value;
}

async function search(client, as, q, limit = 50) {
  const p = `/api/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`;
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `search ${short(q)} as ${as}`);
  const j = res.json;
  assert(typeof j.kind === 'string' && Array.isArray(j.customers) && Array.isArray(j.units), `search ${q}: reply ${short(j)}`);
  const leak = plaintextIn(res.text);
  assert(!leak, `search ${q} as ${as} carries the plaintext ${leak}`);
  return j;
}

/** A UTF-8 CSV with a BOM and CRLF line ends, as Excel writes it. */
function csv(rows) {
  const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return Buffer.from('\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n', 'utf8');
}

async function waitImport(client, as, id, timeoutMs = 30000) {
  const t0 = Date.now();
  for (;;) {
    const r = await client.call('GET', `/api/v1/imports/${id}`, { as });
    expectStatus(r, 200, `GET /imports/${id}`);
    if (r.json.status !== 'running') return r.json;
    if (Date.now() - t0 > timeoutMs) fail(`import ${id} still running after ${timeoutMs} ms: ${short(r.json)}`);
    await sleep(40);
  }
}

/** Upload a file, wait for the job; returns the final job object. */
async function runImport(client, kind, body, { as = 'manager', dryRun = true, fileName = 'test.csv', type = 'text/csv' } = {}) {
  const p = `/api/v1/imports?kind=${kind}&dry_run=${dryRun}&file_name=${encodeURIComponent(fileName)}`;
  const res = await client.call('POST', p, { as, raw: body, headers: { 'Content-Type': type } });
  expectStatus(res, 202, `POST ${p}`);
  assert(Number.isInteger(res.json.id) && res.json.status === 'running', `POST ${p}: ${short(res.json)}`);
  const job = await waitImport(client, as, res.json.id);
  assert(job.id === res.json.id && job.kind === kind && job.dry_run === dryRun, `job ${res.json.id}: ${short(job)}`);
  return job;
}

/**
 * POST a body of `size` bytes on a raw socket. The head goes first; the body
 * follows only if no answer came within a second, and stops as soon as one
 * arrives. A server that refuses on the Content-Length alone closes the
 * connection with the body unread; a client still sending then gets a reset
 * that can discard the answer (node:http reports EPIPE).
 * Resolves {status, headers, text, json} like Client.call.
 */
function bigUpload(base, path, token, size, timeoutMs = 30000) {
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
      const text = body.toString('utf8');
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: Number(m[1]), headers, text, json };
    };
    const finish = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const res = parse();
      if (res) resolve(res);
      else reject(new Failure(`POST ${path} (${size} bytes): no complete answer (${why}): ${short(Buffer.concat(chunks).toString('utf8'))}`));
    };
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs} ms`), timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      if (parse()) finish('answered');
    });
    sock.on('error', () => {}); // EPIPE / ECONNRESET once the server has answered and closed
    sock.on('close', () => finish('connection closed'));
    sock.on('connect', async () => {
      sock.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/csv\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
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

/** The customers whose phone (full number) matches, as manager. */
async function byPhone(client, phone, as = 'manager') {
  const res = await client.call('GET', `/api/v1/customers?phone=${phone}&limit=200`, { as });
  expectStatus(res, 200, `customers?phone=${phone}`);
  return res.json.items;
}

function owner360(units) {
  return units
    .map((u) => ({ id: u.id, share_bp: u.share_bp, is_primary: u.is_primary, owners: u.owners.map((o) => `${o.id}:${o.share_bp}:${o.is_primary}`).sort() }))
    .sort((a, b) => a.id - b.id);
}

/** A demo customer of project 1 who owns at least one unit. */
async function demoOwner(client, from, pred = () => true) {
  for (let id = from; id < from + 60; id++) {
    const v = await client.call('GET', `/api/v1/customers/${id}/360`, { as: 'manager' });
    if (v.status !== 200) continue;
    const c = v.json.customer;
    if (c.status === 'active' && c.project_id === 1 && v.json.units.length > 0 && pred(v.json)) return v.json;
  }
  fail(`no demo owner of project 1 among customers ${from}..${from + 59}`);
}

/*---- 1. Validation ---------------------------------------------------------------*/

test('customers: ID numbers, permits, passports, mobiles and USCC are validated; refusals write nothing', async ({ client }) => {
  assert(idCheckDigit('11010519491231002') === 'X', 'the test\'s own check-digit helper is wrong');
  await warm(client, ['manager', 'admin', 'agent', 'engineer']);
  const problems = [];
  let refusals = 0;
  const refused = async (label, body, status, code, field, { as = 'manager', method = 'POST', path = '/api/v1/customers' } = {}) => {
    refusals++;
    const c0 = await customerCount(client);
    const a0 = await auditCount(client);
    const res = await client.call(method, path, { as, body });
    try {
      expectError(res, status, code, field);
    } catch (e) {
      problems.push(`${label}: ${e.message}`);
    }
    const c1 = await customerCount(client);
    const a1 = await auditCount(client);
    if (c1 !== c0) problems.push(`${label}: customer count ${c0} → ${c1}`);
    if (a1 !== a0) problems.push(`${label}: audit row count ${a0} → ${a1}`);
  };
  const person = (over) => ({ name: '校验客户', id_type: 'id_card', id_number: nextId(), phone: nextPhone(), project_id: 1, ...over });

  // The example of DOMAIN.md §6, with a lower-case x and a formatted phone.
  const a0 = await auditCount(client);
  const ex = await createCustomer(client, { name: '校验甲', id_type: 'id_card', id_number: '11010519491231002x', phone: '+86 138-0013-8000', project_id: 1 });
  assert((await auditCount(client)) === a0 + 1, 'a created customer did not add exactly one audit row');
  assert(ex.id_number === '110105********002X', `id_number in the reply ${short(ex.id_number)}, want 110105********002X`);
  assert(ex.phone === '138****8000', `phone in the reply ${short(ex.phone)}, want 138****8000`);
  assert(ex.gender === 'female', `gender ${short(ex.gender)}: the 17th digit 2 means female`);
  assert((await reveal(client, 'manager', ex.id, 'id_number')) === '11010519491231002X', 'lower-case x not stored as X');
  assert((await reveal(client, 'manager', ex.id, 'phone')) === '13800138000', '+86 138-0013-8000 not stored as 13800138000');

  // Resident ID numbers.
  await refused('wrong check digit', person({ id_number: '110105194912310021' }), 422, 'invalid', 'id_number');
  await refused('17 digits', person({ id_number: '11010519491231002' }), 422, 'invalid', 'id_number');
  await refused('letter inside', person({ id_number: '1101051949123A002X' }), 422, 'invalid', 'id_number');
  await refused('born 1949-02-30 (valid check digit)', person({ id_number: residentId('110105', '19490230', 501) }), 422, 'invalid', 'id_number');
  await refused('born in month 13 (valid check digit)', person({ id_number: residentId('110105', '19491301', 501) }), 422, 'invalid', 'id_number');
  await refused('born 2099-01-01 (valid check digit)', person({ id_number: residentId('110105', '20990101', 501) }), 422, 'invalid', 'id_number');
  await refused('no ID number', person({ id_number: undefined }), 422, 'invalid', 'id_number');
  await refused('no phone', person({ phone: undefined }), 422, 'invalid', 'phone');
  // 15-digit legacy numbers are converted: this one is the example again.
  await refused('15-digit form of an existing number', person({ id_number: '110105491231002' }), 409, 'conflict', 'id_number');
  await refused('duplicate ID number', person({ id_number: '11010519491231002X' }), 409, 'conflict', 'id_number');
  const legacy = await createCustomer(client, person({ id_number: '110105700101511' }));
  const legacyFull = await reveal(client, 'manager', legacy.id, 'id_number');
  assert(legacyFull === residentId('110105', '19700101', 511), `15-digit 110105700101511 stored as ${short(legacyFull)}, want ${residentId('110105', '19700101', 511)}`);

  // HK/Macau/Taiwan residence permits.
  for (const area of ['810000', '830000']) {
    const hmt = residentId(area, '19800101', 501);
    const c = await createCustomer(client, person({ id_type: 'hmt_permit', id_number: hmt }));
    assert(c.id_type === 'hmt_permit' && c.id_number === maskId(hmt), `permit ${hmt}: ${short(c)}`);
    assert((await reveal(client, 'manager', c.id, 'id_number')) === hmt, `permit ${hmt} not stored as given`);
  }
  await refused('a mainland number as hmt_permit', person({ id_type: 'hmt_permit' }), 422, 'invalid', 'id_number');
  const hmt2 = residentId('810000', '19800102', 501);
  await refused('hmt_permit with a wrong check digit', person({ id_type: 'hmt_permit', id_number: hmt2.slice(0, 17) + (hmt2[17] === '0' ? '1' : '0') }), 422, 'invalid', 'id_number');
  await refused('duplicate permit', person({ id_type: 'hmt_permit', id_number: residentId('810000', '19800101', 501) }), 409, 'conflict', 'id_number');

  // Passports: 5-20 letters and digits.
  const pass = await createCustomer(client, person({ id_type: 'passport', id_number: 'E12345678' }));
  assert(pass.id_type === 'passport' && !JSON.stringify(pass).includes('E12345678'), `passport reply shows the number: ${short(pass)}`);
  assert((await reveal(client, 'manager', pass.id, 'id_number')) === 'E12345678', 'passport not stored as E12345678');
  await refused('passport too short', person({ id_type: 'passport', id_number: 'E123' }), 422, 'invalid', 'id_number');
  await refused('passport with a symbol', person({ id_type: 'passport', id_number: 'E1234#5678' }), 422, 'invalid', 'id_number');

  // Mobiles.
  const p = nextPhone();
  const c0086 = await createCustomer(client, person({ phone: `0086 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}` }));
  assert(c0086.phone === maskPhone(p), `0086 phone reply ${short(c0086.phone)}`);
  assert((await reveal(client, 'manager', c0086.id, 'phone')) === p, `0086 ${p} not stored as ${p}`);
  await refused('10-digit phone', person({ phone: '1380013800' }), 422, 'invalid', 'phone');
  await refused('12-digit phone', person({ phone: '138001380001' }), 422, 'invalid', 'phone');
  await refused('phone starting 12', person({ phone: '12800138000' }), 422, 'invalid', 'phone');
  await refused('landline', person({ phone: '0571-88888888' }), 422, 'invalid', 'phone');
  await refused('bad second phone', person({ phone2: '12345' }), 422, 'invalid', 'phone2');
  await refused('bank account of 5 digits', person({ bank_account: '12345' }), 422, 'invalid', 'bank_account');

  // Companies: USCC with the GB 32100 check character.
  const co = await createCustomer(client, { kind: 'company', name: '福州测试科技有限公司', uscc: '91350100M000100Y43', project_id: 1 });
  assert(co.kind === 'company' && co.uscc === '91350100M000100Y43', `company reply ${short(co)}`);
  await refused('USCC with a wrong check character', { kind: 'company', name: '错误校验公司', uscc: '91350100M000100Y44', project_id: 1 }, 422, 'invalid', 'uscc');
  await refused('USCC with I', { kind: 'company', name: '错误字符公司', uscc: '91350100M000100YI3', project_id: 1 }, 422, 'invalid', 'uscc');
  await refused('USCC of 17 characters', { kind: 'company', name: '位数不足公司', uscc: '91350100M000100Y4', project_id: 1 }, 422, 'invalid', 'uscc');
  await refused('company without USCC', { kind: 'company', name: '无代码公司', project_id: 1 }, 422, 'invalid', 'uscc');

  // Staff limited to projects must name one of theirs.
  await refused('agent without project_id', person({ project_id: undefined }), 422, 'invalid', 'project_id', { as: 'agent' });
  await refused('agent in project 3', person({ project_id: 3 }), 403, 'forbidden', undefined, { as: 'agent' });
  await refused('engineer', person(), 403, 'forbidden', undefined, { as: 'engineer' });

  // Updates are validated the same way and change nothing when refused.
  await refused('PATCH a wrong check digit', { id_number: '110105194912310021' }, 422, 'invalid', 'id_number', { method: 'PATCH', path: `/api/v1/customers/${ex.id}` });
  await refused('PATCH a 10-digit phone', { phone: '1380013800', name: '改了名字' }, 422, 'invalid', 'phone', { method: 'PATCH', path: `/api/v1/customers/${ex.id}` });
  await refused('PATCH to a taken ID number', { id_number: legacyFull }, 409, 'conflict', 'id_number', { method: 'PATCH', path: `/api/v1/customers/${ex.id}` });
  const after = await getJson(client, 'manager', `/api/v1/customers/${ex.id}`);
  if (after.name !== '校验甲' || after.id_number !== '110105********002X' || after.phone !== '138****8000')
    problems.push(`refused PATCHes changed the record: ${short(after)}`);
  if ((await reveal(client, 'manager', ex.id, 'id_number')) !== '11010519491231002X') problems.push('refused PATCH changed the ID number');
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
  return `${refusals} refusals`;
});

/*---- 2. Masking and reveal ------------------------------------------------------*/

const READERS = ['admin', 'agent', 'contract', 'mortgage', 'manager', 'finance', 'property'];
const REVEAL = {
  id_number: new Set(['contract', 'mortgage', 'manager']),
  phone: new Set(['agent', 'contract', 'mortgage', 'manager']),
  phone2: new Set(['agent', 'contract', 'mortgage', 'manager']),
  bank_account: new Set(['mortgage', 'finance', 'manager']),
};

async function fullCustomer(client, name) {
  const v = { id_number: nextId(), phone: nextPhone(), phone2: nextPhone(), bank_account: '6222021234567890123' };
  const c = await createCustomer(client, {
    name,
    id_number: v.id_number,
    phone: v.phone,
    phone2: `${v.phone2.slice(0, 3)}-${v.phone2.slice(3, 7)}-${v.phone2.slice(7)}`,
    bank_account: '6222 0212 3456 7890 123',
    address: '杭州市余杭区良渚街道88号',
    note: '测试用',
    project_id: 1,
  });
  return { c, v };
}

test('masking: lists, records and metadata mask ID numbers and phones for every role', async ({ client }) => {
  const { c, v } = await fullCustomer(client, '掩码客户');
  const problems = [];
  for (const role of READERS) {
    const list = await client.call('GET', '/api/v1/customers?limit=200', { as: role });
    expectStatus(list, 200, `customers as ${role}`);
    const leak = plaintextIn(list.text);
    if (leak) problems.push(`${role}: the list carries ${leak}`);
    for (const it of list.json.items) {
      if (!(it.id_number === null || ID_MASK_RE.test(it.id_number) || DOC_MASK_RE.test(it.id_number)))
        problems.push(`${role}: customer ${it.id} id_number ${short(it.id_number)} is not masked`);
      if (!(it.phone === null || PHONE_MASK_RE.test(it.phone))) problems.push(`${role}: customer ${it.id} phone ${short(it.phone)} is not masked`);
    }
    const mine = list.json.items.find((i) => i.id === c.id);
    if (!mine) problems.push(`${role}: the new customer ${c.id} (project 1) is not among the newest 200`);
    else if (mine.id_number !== maskId(v.id_number) || mine.phone !== maskPhone(v.phone))
      problems.push(`${role}: list shows ${mine.id_number} / ${mine.phone}, want ${maskId(v.id_number)} / ${maskPhone(v.phone)}`);

    const rec = await client.call('GET', `/api/v1/customers/${c.id}`, { as: role });
    expectStatus(rec, 200, `customer ${c.id} as ${role}`);
    const r = rec.json;
    const want = { id_number: maskId(v.id_number), phone: maskPhone(v.phone), phone2: maskPhone(v.phone2), bank_account: '****0123' };
    for (const [f, m] of Object.entries(want)) if (r[f] !== m) problems.push(`${role}: record ${f} ${short(r[f])}, want ${m}`);
    for (const secret of Object.values(v)) if (rec.text.includes(secret)) problems.push(`${role}: the record carries ${secret}`);

    const meta = await client.call('GET', '/api/v1/meta/entities/customers', { as: role });
    expectStatus(meta, 200, `meta customers as ${role}`);
    const fields = new Map(meta.json.fields.map((f) => [f.name, f]));
    for (const [f, who] of Object.entries(REVEAL)) {
      const m = fields.get(f);
      if (!m) problems.push(`${role}: metadata lacks field ${f}`);
      else if (m.masked !== true || m.reveal !== who.has(role))
        problems.push(`${role}: metadata ${f} masked ${short(m.masked)} reveal ${short(m.reveal)}, want true / ${who.has(role)}`);
    }
    const name = fields.get('name');
    if (!name || name.masked !== false || 'reveal' in name) problems.push(`${role}: metadata name ${short(name)}`);
  }
  expectError(await client.call('GET', '/api/v1/customers', { as: 'engineer' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/customers/${c.id}`, { as: 'engineer' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/meta/entities/customers', { as: 'engineer' }), 403, 'forbidden');
  if (problems.length) fail(`${problems.length} problems:\n${problems.slice(0, 30).join('\n')}`);
  return `${READERS.length} roles`;
});

test('reveal: per-role permissions; each reveal writes one audit row without the value; refusals write none', async ({ client }) => {
  const { c, v } = await fullCustomer(client, '查看客户');
  await warm(client, [...READERS, 'engineer']);
  const problems = [];
  const expected = new Map(); // role -> fields revealed
  for (const role of [...READERS, 'engineer']) {
    for (const field of Object.keys(REVEAL)) {
      const a0 = await auditCount(client);
      const res = await client.call('GET', `/api/v1/customers/${c.id}/reveal?field=${field}`, { as: role });
      const a1 = await auditCount(client);
      const allowed = REVEAL[field].has(role);
      try {
        if (allowed) {
          expectStatus(res, 200, `reveal ${field} as ${role}`);
          assert(res.json.field === field && res.json.value === v[field], `reveal ${field} as ${role}: ${short(res.json)}, want value ${v[field]}`);
          assert(a1 === a0 + 1, `reveal ${field} as ${role}: audit rows ${a0} → ${a1}, want one more`);
          if (!expected.has(role)) expected.set(role, []);
          expected.get(role).push(field);
        } else {
          expectError(res, 403, 'forbidden');
          assert(a1 === a0, `refused reveal ${field} as ${role}: audit rows ${a0} → ${a1}`);
        }
      } catch (e) {
        problems.push(e.message);
      }
    }
  }
  // Admin: least privilege, spelled out.
  for (const f of ['id_number', 'phone']) expectError(await client.call('GET', `/api/v1/customers/${c.id}/reveal?field=${f}`, { as: 'admin' }), 403, 'forbidden');
  // Out of scope, or no such record: refused, and nothing audited.
  const foreign = (await getJson(client, 'manager', '/api/v1/customers?project_id=3&limit=1')).items[0];
  assert(foreign, 'no customer in project 3');
  const a0 = await auditCount(client);
  expectError(await client.call('GET', `/api/v1/customers/${foreign.id}/reveal?field=phone`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/customers/999999/reveal?field=phone', { as: 'manager' }), 404, 'not_found');
  assert((await auditCount(client)) === a0, 'a refused reveal wrote an audit row');

  // The trail: one reveal row per success, naming the field, never the value.
  const rows = await auditRows(client, { entity: 'customers', entity_id: String(c.id), action: 'reveal' });
  const got = rows.map((r) => `${r.username}:${r.after_json && r.after_json.field}`).sort();
  const want = [...expected].flatMap(([role, fs]) => fs.map((f) => `${role}:${f}`)).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`reveal rows ${short(got, 600)}, want ${short(want, 600)}`);
  for (const r of rows) {
    if (r.entity !== 'customers' || r.entity_id !== c.id || r.action !== 'reveal') problems.push(`reveal row ${short(r)}`);
    if (JSON.stringify(r.after_json) !== JSON.stringify({ field: r.after_json && r.after_json.field })) problems.push(`reveal row after_json ${short(r.after_json)}, want exactly {"field":…}`);
  }
  const trail = JSON.stringify(await auditRows(client, { entity: 'customers', entity_id: String(c.id) }));
  for (const secret of Object.values(v)) if (trail.includes(secret)) problems.push(`the audit trail of customer ${c.id} contains ${secret}`);
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
  return `${want.length} reveals allowed`;
});

test('customers export: the xlsx holds masked values only', async ({ client }) => {
  const { c, v } = await fullCustomer(client, '导出客户');
  for (const role of ['manager', 'agent']) {
    const res = await client.call('GET', '/api/v1/customers/export.xlsx', { as: role, timeoutMs: 30000 });
    expectStatus(res, 200, `customers export as ${role}`);
    assert(res.buf.subarray(0, 2).toString('latin1') === 'PK', `export as ${role} is not a ZIP`);
    const x = readXlsx(res.buf);
    const n = await total(client, role, '/api/v1/customers?limit=1');
    assert(x.rows === n + 1, `export as ${role} has ${x.rows} rows, want ${n} + header`);
    for (const h of ['证件号码', '手机']) assert(x.strings.includes(h), `export as ${role} lacks the header ${h}`);
    const all = [...x.files.values()].map((b) => b.toString('utf8')).join('\n');
    const leak = plaintextIn(all);
    assert(!leak, `export as ${role} contains the full number ${leak}`);
    for (const secret of Object.values(v)) assert(!all.includes(secret), `export as ${role} contains ${secret}`);
    assert(all.includes(maskId(v.id_number)) && all.includes(maskPhone(v.phone)), `export as ${role} lacks the masked values of customer ${c.id}`);
  }
  expectError(await client.call('GET', '/api/v1/customers/export.xlsx', { as: 'property' }), 403, 'forbidden');
});

/*---- 3. Exact filters -------------------------------------------------------------*/

test('customers: exact filters ?phone= (full, last four) and ?id_number=', async ({ client }) => {
  const idn = nextIdEndingX();
  const phone = nextPhone();
  const c = await createCustomer(client, { name: '筛选客户', id_number: idn, phone, project_id: 1 });
  // A demo customer too, values learnt by revealing as manager.
  const demo = (await getJson(client, 'manager', '/api/v1/customers?project_id=1&sort=id&limit=1')).items[0];
  const demoPhone = await reveal(client, 'manager', demo.id, 'phone');
  const demoId = await reveal(client, 'manager', demo.id, 'id_number');
  const problems = [];
  const check = async (query, id, { exact = false, as = 'manager' } = {}) => {
    const res = await client.call('GET', `/api/v1/customers?${query}&limit=200`, { as });
    if (res.status !== 200) return problems.push(`?${query}: ${res.status} ${short(res.text)}`);
    const ids = res.json.items.map((i) => i.id);
    if (!ids.includes(id)) problems.push(`?${query} as ${as} does not find customer ${id}: ${short(ids)}`);
    if (exact && ids.length !== 1) problems.push(`?${query} finds ${ids.length} customers, want only ${id}`);
    return res.json.items;
  };
  for (const [cid, p, i] of [
    [c.id, phone, idn],
    [demo.id, demoPhone, demoId],
  ]) {
    const full = await check(`phone=${p}`, cid);
    if (full && full.some((x) => x.phone !== maskPhone(p))) problems.push(`?phone=${p} finds other phones: ${short(full.map((x) => x.phone))}`);
    const tail = await check(`phone=${p.slice(-4)}`, cid);
    if (tail && tail.some((x) => !x.phone.endsWith(p.slice(-4)))) problems.push(`?phone=${p.slice(-4)} finds ${short(tail.map((x) => x.phone))}`);
    await check(`id_number=${i}`, cid, { exact: true });
    await check(`phone=${p}`, cid, { as: 'agent' });
  }
  await check(`phone=${encodeURIComponent(`+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`)}`, c.id, { exact: true });
  await check(`id_number=${idn.toLowerCase()}`, c.id, { exact: true });
  await check(`phone=${phone}&id_number=${idn}`, c.id, { exact: true });
  // Exact, not substring: a prefix of the number finds nothing.
  const pre = await client.call('GET', `/api/v1/customers?id_number=${idn.slice(0, 17)}`, { as: 'manager' });
  if (!(pre.status === 400 || (pre.status === 200 && pre.json.total === 0))) problems.push(`?id_number=<17 digits>: ${pre.status} ${short(pre.text)}`);
  const other = await client.call('GET', `/api/v1/customers?phone=${phone}&id_number=${demoId}`, { as: 'manager' });
  if (other.status !== 200 || other.json.total !== 0) problems.push(`phone of one and ID of another: ${other.status} ${short(other.text)}`);
  // A customer of project 3 stays hidden from the agent even by exact phone.
  const foreign = (await getJson(client, 'manager', '/api/v1/customers?project_id=3&limit=1')).items[0];
  const fPhone = await reveal(client, 'manager', foreign.id, 'phone');
  const hidden = await client.call('GET', `/api/v1/customers?phone=${fPhone}`, { as: 'agent' });
  if (hidden.status !== 200 || hidden.json.items.some((x) => x.id === foreign.id)) problems.push(`agent ?phone= of a project-3 customer: ${hidden.status} ${short(hidden.text)}`);
  expectError(await client.call('GET', '/api/v1/customers?phone=abc', { as: 'manager' }), 400, 'bad_request', 'phone');
  expectError(await client.call('GET', '/api/v1/customers?phone_from=13800000000', { as: 'manager' }), 400, 'bad_request');
  if (problems.length) fail(problems.join('\n'));
});

/*---- 4. Search ---------------------------------------------------------------------*/

test('search: initials, name prefix, phone, last four, ID number and room prefix; scoped; empty q is 400', async ({ client }) => {
  const s = { id_number: nextIdEndingX(), phone: nextPhone() };
  const S = await createCustomer(client, { name: '钱塘潮', ...s, project_id: 1 }); // qtc
  const t = { id_number: nextId(), phone: nextPhone() };
  const T = await createCustomer(client, { name: '钱塘湾', ...t, project_id: 3 }); // qtw, out of the agent's scope
  const problems = [];
  const expect = async (as, q, kind, { has = [], lacks = [] } = {}) => {
    let r;
    try {
      r = await search(client, as, q);
    } catch (e) {
      return problems.push(e.message);
    }
    if (r.kind !== kind) problems.push(`search ${q} as ${as}: kind ${r.kind}, want ${kind}`);
    const ids = r.customers.map((x) => x.id);
    for (const id of has) if (!ids.includes(id)) problems.push(`search ${q} as ${as} (${r.kind}) does not find customer ${id}: ${short(r.customers.map((x) => `${x.id} ${x.name}`))}`);
    for (const id of lacks) if (ids.includes(id)) problems.push(`search ${q} as ${as} finds customer ${id}, which it must not`);
    for (const x of r.customers) {
      if (!(x.phone === null || PHONE_MASK_RE.test(x.phone)) || !(x.id_number === null || ID_MASK_RE.test(x.id_number) || DOC_MASK_RE.test(x.id_number)))
        problems.push(`search ${q}: customer ${x.id} not masked: ${x.phone} ${x.id_number}`);
      if (x.status !== 'active') problems.push(`search ${q}: customer ${x.id} has status ${x.status}`);
    }
    return r;
  };
  await expect('manager', 'qtc', 'initials', { has: [S.id], lacks: [T.id] });
  await expect('manager', 'QTC', 'initials', { has: [S.id] });
  await expect('manager', 'qt', 'initials', { has: [S.id, T.id] });
  await expect('agent', 'qt', 'initials', { has: [S.id], lacks: [T.id] });
  await expect('manager', '钱塘', 'name', { has: [S.id, T.id] });
  await expect('manager', '钱塘潮', 'name', { has: [S.id], lacks: [T.id] });
  await expect('agent', '钱塘', 'name', { has: [S.id], lacks: [T.id] });
  await expect('manager', s.phone.slice(-4), 'phone_tail', { has: [S.id] });
  await expect('agent', s.phone.slice(-4), 'phone_tail', { has: [S.id] });
  await expect('manager', s.phone, 'phone', { has: [S.id] });
  await expect('manager', `${s.phone.slice(0, 3)} ${s.phone.slice(3, 7)} ${s.phone.slice(7)}`, 'phone', { has: [S.id] });
  await expect('manager', `+86${s.phone}`, 'phone', { has: [S.id] });
  const byId = await expect('manager', s.id_number, 'id_number', { has: [S.id] });
  if (byId && byId.customers.length !== 1) problems.push(`search by ID number finds ${byId.customers.length} customers`);
  await expect('manager', s.id_number.toLowerCase(), 'id_number', { has: [S.id] });
  await expect('agent', s.id_number, 'id_number', { has: [S.id] });
  // T (project 3) is found by the manager, never by the agent.
  await expect('manager', t.phone, 'phone', { has: [T.id] });
  await expect('manager', t.id_number, 'id_number', { has: [T.id] });
  await expect('agent', t.phone, 'phone', { lacks: [T.id] });
  await expect('agent', t.phone.slice(-4), 'phone_tail', { lacks: [T.id] });
  await expect('agent', t.id_number, 'id_number', { lacks: [T.id] });
  await expect('agent', 'qtw', 'initials', { lacks: [T.id] });
  await expect('agent', '钱塘湾', 'name', { lacks: [T.id] });
  // Every customer the agent finds is one the agent may open.
  const agentIds = new Set((await listAll(client, 'agent', '/api/v1/customers')).map((x) => x.id));
  for (const q of ['王', '李', 'z', 'w']) {
    const r = await search(client, 'agent', q);
    const out = r.customers.filter((x) => !agentIds.has(x.id));
    if (r.customers.length === 0) problems.push(`agent search ${q} finds nobody; cannot check the scope`);
    if (out.length) problems.push(`agent search ${q} returns customers outside the agent's projects: ${short(out.map((x) => x.id))}`);
  }
  // Engineering reads units, not customers.
  const eng = await search(client, 'engineer', '钱塘');
  if (eng.customers.length !== 0) problems.push(`engineer (no customer.read) finds customers: ${short(eng.customers)}`);

  // Room codes: a prefix finds 1-1-1001, 1-1-1002 …, per caller's projects.
  const rooms = {};
  for (const as of ['admin', 'agent', 'engineer']) {
    const r = await search(client, as, '1-1-10');
    rooms[as] = r;
    if (r.kind !== 'room') problems.push(`search 1-1-10 as ${as}: kind ${r.kind}`);
    if (r.customers.length) problems.push(`search 1-1-10 as ${as} returns customers`);
    const bad = r.units.filter((u) => !u.room_code.startsWith('1-1-10'));
    if (bad.length) problems.push(`search 1-1-10 as ${as}: ${short(bad.map((u) => u.room_code))}`);
    if (!r.units.some((u) => u.room_code === '1-1-1001' && u.project_id === 1)) problems.push(`search 1-1-10 as ${as} lacks 1-1-1001 of project 1: ${short(r.units.map((u) => `${u.project_id}:${u.room_code}`))}`);
  }
  const pids = (as) => new Set(rooms[as].units.map((u) => u.project_id));
  if (!pids('admin').has(3)) problems.push(`admin's room search shows no project-3 unit: ${short([...pids('admin')])}`);
  if ([...pids('agent')].some((p) => p !== 1 && p !== 2)) problems.push(`agent's room search shows projects ${short([...pids('agent')])}`);
  if ([...pids('engineer')].some((p) => p !== 1)) problems.push(`engineer's room search shows projects ${short([...pids('engineer')])}`);
  const unit = rooms.admin.units.find((u) => u.room_code === '1-1-1001' && u.project_id === 1);
  if (unit && !(typeof unit.project_name === 'string' && typeof unit.building_name === 'string')) problems.push(`room result ${short(unit)}`);

  for (const q of ['', '%20%20', null]) {
    const p = q === null ? '/api/v1/search' : `/api/v1/search?q=${q}`;
    const res = await client.call('GET', p, { as: 'manager' });
    try {
      expectError(res, 400, 'bad_request');
    } catch (e) {
      problems.push(`${p}: ${e.message}`);
    }
  }
  expectError(await client.call('GET', '/api/v1/search?q=qtc&limit=0', { as: 'manager' }), 400, 'bad_request');
  expectError(await client.call('GET', '/api/v1/search?q=qtc'), 401, 'unauthenticated');
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
});

test('search: pinyin initials cover the whole name (梓, 怡 and other GB2312 level-2 characters)', async ({ client }) => {
  // docs/api.md: latin letters → pinyin initials prefix (zs finds 张三).
  // Demo names such as 陶梓涵, 王欣怡, 李诗琪 use characters outside GB2312
  // level 1.
  const problems = [];
  for (const [name, initials] of [
    ['邵梓萱', 'szx'],
    ['龚欣怡', 'gxy'],
    ['温诗琪', 'wsq'],
  ]) {
    const c = await createCustomer(client, { name, id_number: nextId(), phone: nextPhone(), project_id: 1 });
    const r = await search(client, 'manager', initials);
    if (r.kind !== 'initials' || !r.customers.some((x) => x.id === c.id))
      problems.push(`search ${initials} (${r.kind}) does not find ${name} (#${c.id}): ${short(r.customers.map((x) => x.name))}`);
  }
  if (problems.length) fail(problems.join('\n'));
});

test('search: a passport number finds its customer', async ({ client }) => {
  // docs/api.md: "an ID number → ID". Passport numbers are what
  // foreign and HK/Macau buyers give on the phone.
  const pass = `E${String(70000000 + serial++)}`;
  const c = await createCustomer(client, { name: '护照客户', id_type: 'passport', id_number: pass, phone: nextPhone(), project_id: 1 });
  const byFilter = await client.call('GET', `/api/v1/customers?id_number=${pass}`, { as: 'manager' });
  expectStatus(byFilter, 200, 'filter');
  assert(byFilter.json.items.length === 1 && byFilter.json.items[0].id === c.id, `?id_number=${pass}: ${short(byFilter.json)}`);
  const r = await search(client, 'manager', pass);
  assert(r.kind === 'id_number' && r.customers.some((x) => x.id === c.id), `search ${pass}: kind ${r.kind}, customers ${short(r.customers)}; want kind id_number and customer ${c.id}`);
});

/*---- 5. 360 --------------------------------------------------------------------------*/

test('customer 360: masked customer, units with co-owners, timeline of create/update/reveal; scoped', async ({ client }) => {
  const v = { id_number: nextId(), phone: nextPhone() };
  const c = await createCustomer(client, { name: '全景客户', ...v, project_id: 1 });
  const newPhone = nextPhone();
  const patched = await client.call('PATCH', `/api/v1/customers/${c.id}`, { as: 'manager', body: { address: '杭州市西湖区文三路1号', phone: newPhone } });
  expectStatus(patched, 200, 'PATCH');
  assert(patched.json.phone === maskPhone(newPhone), `PATCH reply phone ${short(patched.json.phone)}`);
  const upd = await auditRows(client, { entity: 'customers', entity_id: String(c.id), action: 'update' });
  assert(upd.length === 1 && upd[0].before_json.phone === maskPhone(v.phone) && upd[0].after_json.phone === maskPhone(newPhone), `update audit row ${short(upd)}`);
  assert(!JSON.stringify(upd).includes(newPhone) && !JSON.stringify(upd).includes(v.phone), 'the update audit row holds a full phone');
  v.phone = newPhone;
  await reveal(client, 'contract', c.id, 'id_number');
  const res = await client.call('GET', `/api/v1/customers/${c.id}/360`, { as: 'manager' });
  expectStatus(res, 200, '360');
  const j = res.json;
  assert(j.customer && j.customer.id === c.id && j.customer.name === '全景客户' && j.customer.address === '杭州市西湖区文三路1号', `360 customer ${short(j.customer)}`);
  assert(j.customer.id_number === maskId(v.id_number) && j.customer.phone === maskPhone(v.phone), `360 customer not masked: ${short(j.customer)}`);
  assert(!res.text.includes(v.id_number) && !res.text.includes(v.phone), '360 carries a full value');
  assert(Array.isArray(j.units) && j.units.length === 0, `360 units of a customer without property: ${short(j.units)}`);
  assert(Array.isArray(j.timeline), `timeline ${short(j.timeline)}`);
  const kinds = j.timeline.map((e) => e.kind);
  for (const k of ['create', 'update', 'reveal']) assert(kinds.includes(k), `timeline lacks ${k}: ${short(j.timeline)}`);
  for (const e of j.timeline) {
    assert(typeof e.at === 'string' && /^\d{4}-\d\d-\d\dT/.test(e.at) && typeof e.title === 'string' && /[\u4e00-\u9fff]/.test(e.title) && typeof e.username === 'string', `timeline entry ${short(e)}`);
  }
  const rv = j.timeline.find((e) => e.kind === 'reveal');
  assert(rv.username === 'contract', `reveal event by ${rv.username}, want contract`);
  for (let i = 1; i < j.timeline.length; i++) assert(j.timeline[i - 1].at >= j.timeline[i].at, `timeline not newest first: ${short(j.timeline.map((e) => e.at))}`);

  // A demo buyer with a co-owner: the unit lists both owners, shares add up.
  const v360 = await demoOwner(client, 1, (x) => x.units.some((u) => u.owners.length === 2));
  const u = v360.units.find((x) => x.owners.length === 2);
  assert(u.owners.some((o) => o.id === v360.customer.id), `unit ${u.id} owners ${short(u.owners)} lack the customer`);
  assert(u.owners.reduce((s, o) => s + o.share_bp, 0) === 10000, `shares of unit ${u.id}: ${short(u.owners)}`);
  assert(u.owners.every((o) => PHONE_MASK_RE.test(o.phone) && typeof o.name === 'string'), `owners ${short(u.owners)}`);
  assert(typeof u.room_code === 'string' && u.project_id === 1 && typeof u.project_name === 'string', `unit ${short(u)}`);
  const co = u.owners.find((o) => o.id !== v360.customer.id);
  const other = await getJson(client, 'manager', `/api/v1/customers/${co.id}/360`);
  assert(other.units.some((x) => x.id === u.id), `the co-owner's 360 lacks unit ${u.id}`);

  // Scope: an agent cannot open a customer of project 3; engineering none at all.
  const foreign = (await getJson(client, 'manager', '/api/v1/customers?project_id=3&limit=1')).items[0];
  expectError(await client.call('GET', `/api/v1/customers/${foreign.id}/360`, { as: 'agent' }), 403, 'forbidden');
  expectStatus(await client.call('GET', `/api/v1/customers/${foreign.id}/360`, { as: 'manager' }), 200, 'manager 360 of project 3');
  expectStatus(await client.call('GET', `/api/v1/customers/${c.id}/360`, { as: 'agent' }), 200, 'agent 360 of project 1');
  expectError(await client.call('GET', `/api/v1/customers/${c.id}/360`, { as: 'engineer' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/customers/999999/360', { as: 'manager' }), 404, 'not_found');
});

/*---- 6. Duplicates, merge, undo ---------------------------------------------------*/

test('merge: duplicates found, units move to the kept record, undo restores exactly', async ({ client }) => {
  // The demo owner F is the record merged away, so its units move.
  const f360 = await demoOwner(client, 40);
  const F = f360.customer;
  const fPhone = await reveal(client, 'manager', F.id, 'phone');
  const K = await createCustomer(client, { name: F.name, id_number: nextId(), phone: fPhone, project_id: 1 });
  const before = owner360(f360.units);

  const dup = await getJson(client, 'manager', '/api/v1/customers/duplicates');
  assert(Array.isArray(dup.groups), `duplicates ${short(dup)}`);
  const group = dup.groups.find((g) => g.customers.some((x) => x.id === K.id));
  assert(group && group.reason === 'same_name_phone' && group.customers.some((x) => x.id === F.id), `no same_name_phone group with ${F.id} and ${K.id}: ${short(dup.groups, 800)}`);
  assert(group.customers.every((x) => PHONE_MASK_RE.test(x.phone)), `duplicate group not masked: ${short(group)}`);
  expectError(await client.call('GET', '/api/v1/customers/duplicates', { as: 'agent' }), 403, 'forbidden');

  const merge = (as, keep, body) => client.call('POST', `/api/v1/customers/${keep}/merge`, { as, body });
  await warm(client, ['agent', 'manager', 'admin']);
  const a0 = await auditCount(client);
  expectError(await merge('agent', K.id, { from_id: F.id }), 403, 'forbidden');
  expectError(await merge('manager', K.id, { from_id: K.id }), 422, 'invalid', 'from_id');
  expectError(await merge('manager', K.id, {}), 422, 'invalid', 'from_id');
  expectError(await merge('manager', K.id, { from_id: String(F.id) }), 422, 'invalid', 'from_id');
  expectError(await merge('manager', K.id, { from_id: 999999 }), 404, 'not_found');
  assert((await auditCount(client)) === a0, 'a refused merge wrote an audit row');
  assert((await getJson(client, 'manager', `/api/v1/customers/${F.id}`)).status === 'active', 'a refused merge changed the status');

  const m = await merge('manager', K.id, { from_id: F.id });
  expectStatus(m, 200, 'merge');
  assert(Number.isInteger(m.json.merge_id) && m.json.kept_id === K.id && m.json.merged_id === F.id, `merge reply ${short(m.json)}`);
  const fAfter = await getJson(client, 'manager', `/api/v1/customers/${F.id}`);
  assert(fAfter.status === 'merged' && fAfter.merged_into === K.id, `merged record: status ${fAfter.status}, merged_into ${fAfter.merged_into}; want merged / ${K.id}`);
  const k360 = await getJson(client, 'manager', `/api/v1/customers/${K.id}/360`);
  const moved = owner360(k360.units);
  const expectMoved = before.map((u) => ({ ...u, owners: u.owners.map((o) => o.replace(new RegExp(`^${F.id}:`), `${K.id}:`)).sort() }));
  assert(JSON.stringify(moved) === JSON.stringify(expectMoved), `units of the kept record ${short(moved, 600)}, want ${short(expectMoved, 600)}`);
  assert((await getJson(client, 'manager', `/api/v1/customers/${F.id}/360`)).units.length === 0, 'the merged record still owns units');
  for (const u of before.filter((x) => x.is_primary)) {
    const code = f360.units.find((x) => x.id === u.id).room_code;
    const hit = (await search(client, 'manager', code)).units.find((x) => x.id === u.id);
    assert(hit && hit.owner_id === K.id, `search ${code}: unit ${u.id} owner_id ${hit && hit.owner_id}, want ${K.id}`);
  }
  for (const id of [K.id, F.id]) {
    const rows = await auditRows(client, { entity: 'customers', entity_id: String(id), action: 'merge' });
    assert(rows.length === 1 && rows[0].username === 'manager', `merge audit rows of ${id}: ${short(rows)}`);
  }
  const dup2 = await getJson(client, 'manager', '/api/v1/customers/duplicates');
  assert(!dup2.groups.some((g) => g.customers.some((x) => x.id === F.id)), 'the merged record is still listed as a duplicate');
  const s = await search(client, 'manager', fPhone);
  assert(s.customers.some((x) => x.id === K.id) && !s.customers.some((x) => x.id === F.id), `search by phone after merge: ${short(s.customers)}`);

  expectError(await merge('manager', K.id, { from_id: F.id }), 409, 'conflict');
  expectError(await merge('manager', F.id, { from_id: K.id }), 409, 'conflict');
  expectError(await client.call('PATCH', `/api/v1/customers/${F.id}`, { as: 'manager', body: { note: '改合并后的记录' } }), 409, 'conflict');

  // Undo: admin only.
  const undo = (as, id) => client.call('POST', `/api/v1/customer-merges/${id}/undo`, { as });
  expectError(await undo('manager', m.json.merge_id), 403, 'forbidden');
  expectError(await undo('admin', 999999), 404, 'not_found');
  assert((await getJson(client, 'manager', `/api/v1/customers/${F.id}`)).status === 'merged', 'a refused undo changed the record');
  expectStatus(await undo('admin', m.json.merge_id), 204, 'undo');
  const fBack = await getJson(client, 'manager', `/api/v1/customers/${F.id}`);
  assert(fBack.status === 'active' && fBack.merged_into === null, `after undo: status ${fBack.status}, merged_into ${fBack.merged_into}`);
  const restored = owner360((await getJson(client, 'manager', `/api/v1/customers/${F.id}/360`)).units);
  assert(JSON.stringify(restored) === JSON.stringify(before), `units after undo ${short(restored, 600)}, want ${short(before, 600)}`);
  assert((await getJson(client, 'manager', `/api/v1/customers/${K.id}/360`)).units.length === 0, 'the kept record still owns the units after undo');
  for (const id of [K.id, F.id]) {
    const rows = await auditRows(client, { entity: 'customers', entity_id: String(id), action: 'merge_undo' });
    assert(rows.length === 1 && rows[0].username === 'admin', `merge_undo audit rows of ${id}: ${short(rows)}`);
  }
  expectError(await undo('admin', m.json.merge_id), 409, 'conflict');
  const dup3 = await getJson(client, 'manager', '/api/v1/customers/duplicates');
  assert(dup3.groups.some((g) => g.customers.some((x) => x.id === F.id) && g.customers.some((x) => x.id === K.id)), 'after undo the pair is no longer listed as duplicates');
  return `${before.length} unit(s) moved and back`;
});

test('merge: undoing a merge does not revive an anonymised record', async ({ client }) => {
  // docs/api.md: anonymisation is irreversible.
  const phone = nextPhone();
  const K = await createCustomer(client, { name: '合并匿名', id_number: nextId(), phone, project_id: 1 });
  const F = await createCustomer(client, { name: '合并匿名', id_number: nextId(), phone, project_id: 1 });
  const m = await client.call('POST', `/api/v1/customers/${K.id}/merge`, { as: 'manager', body: { from_id: F.id } });
  expectStatus(m, 200, 'merge');
  const an = await client.call('POST', `/api/v1/customers/${F.id}/anonymise`, { as: 'manager', body: { reason: '客户申请删除' } });
  if (an.status !== 200) {
    expectError(an, 409, 'conflict'); // refusing to anonymise a merged record is fine too
    return 'anonymising a merged record is refused';
  }
  const u = await client.call('POST', `/api/v1/customer-merges/${m.json.merge_id}/undo`, { as: 'admin' });
  assert(u.status === 204 || u.status === 409, `undo: ${u.status} ${short(u.text)}`);
  const rec = await getJson(client, 'manager', `/api/v1/customers/${F.id}`);
  assert(rec.status === 'anonymised', `after undo (${u.status}) the anonymised record has status ${rec.status}`);
  expectError(await client.call('PATCH', `/api/v1/customers/${F.id}`, { as: 'manager', body: { name: '复活' } }), 409, 'conflict');
});

/*---- 7. Personal-data requests -------------------------------------------------------*/

test('personal data: export unmasked and audited; anonymise needs a reason, is final and unsearchable', async ({ client }) => {
  const { c, v } = await fullCustomer(client, '隐私客户');
  await warm(client, ['agent', 'property', 'manager', 'admin']);
  expectError(await client.call('GET', `/api/v1/customers/${c.id}/personal-data`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/customers/${c.id}/personal-data`, { as: 'property' }), 403, 'forbidden');
  expectError(await client.call('POST', `/api/v1/customers/${c.id}/anonymise`, { as: 'agent', body: { reason: '越权' } }), 403, 'forbidden');

  const a0 = await auditCount(client);
  const pd = await client.call('GET', `/api/v1/customers/${c.id}/personal-data`, { as: 'manager' });
  expectStatus(pd, 200, 'personal-data');
  assert((await auditCount(client)) === a0 + 1, 'personal-data export did not add exactly one audit row');
  assert(/attachment/.test(pd.headers['content-disposition'] || ''), `content-disposition ${pd.headers['content-disposition']}`);
  const pc = pd.json.customer;
  assert(pc && pc.id === c.id && pc.name === '隐私客户', `personal-data customer ${short(pc)}`);
  for (const [f, val] of Object.entries(v)) assert(pc[f] === val, `personal-data ${f} ${short(pc[f])}, want ${val}`);
  assert(pc.address === '杭州市余杭区良渚街道88号', `personal-data address ${short(pc.address)}`);
  const ex = await auditRows(client, { entity: 'customers', entity_id: String(c.id), action: 'privacy_export' });
  assert(ex.length === 1 && ex[0].username === 'manager', `privacy_export rows ${short(ex)}`);

  // Anonymise: a reason is required; refusals change nothing.
  for (const body of [{}, { reason: '' }, { reason: null }]) {
    const a1 = await auditCount(client);
    expectError(await client.call('POST', `/api/v1/customers/${c.id}/anonymise`, { as: 'manager', body }), 422, 'invalid', 'reason');
    assert((await auditCount(client)) === a1, `anonymise ${short(body)} refused but audited`);
  }
  assert((await getJson(client, 'manager', `/api/v1/customers/${c.id}`)).name === '隐私客户', 'a refused anonymise changed the record');
  const reason = '客户申请删除个人信息（工单 PIPL-2026-001）';
  const an = await client.call('POST', `/api/v1/customers/${c.id}/anonymise`, { as: 'manager', body: { reason } });
  expectStatus(an, 200, 'anonymise');
  const r = an.json;
  assert(r.name === `已匿名化客户${c.id}` && r.status === 'anonymised', `anonymised record ${short(r)}`);
  for (const f of ['phone', 'id_number', 'phone2', 'bank_account', 'address', 'note']) assert(r[f] === null, `after anonymise ${f} is ${short(r[f])}`);
  const rows = await auditRows(client, { entity: 'customers', entity_id: String(c.id), action: 'anonymise' });
  assert(rows.length === 1 && rows[0].username === 'manager' && rows[0].after_json && rows[0].after_json.reason === reason, `anonymise audit rows ${short(rows)}`);
  const trail = JSON.stringify(await auditRows(client, { entity: 'customers', entity_id: String(c.id) }));
  for (const secret of Object.values(v)) assert(!trail.includes(secret), `the audit trail holds ${secret}`);

  expectError(await client.call('POST', `/api/v1/customers/${c.id}/anonymise`, { as: 'manager', body: { reason } }), 409, 'conflict');
  expectError(await client.call('PATCH', `/api/v1/customers/${c.id}`, { as: 'manager', body: { note: '又改' } }), 409, 'conflict');
  expectError(await client.call('PATCH', `/api/v1/customers/${c.id}`, { as: 'manager', body: { phone: v.phone } }), 409, 'conflict');
  // The old values find nothing any more.
  for (const q of [v.phone, v.phone.slice(-4), v.id_number, '隐私客户']) {
    const s = await search(client, 'manager', q);
    assert(!s.customers.some((x) => x.id === c.id), `search ${q} still finds the anonymised customer`);
  }
  for (const q of [`phone=${v.phone}`, `id_number=${v.id_number}`]) {
    const l = await getJson(client, 'manager', `/api/v1/customers?${q}`);
    assert(!l.items.some((x) => x.id === c.id), `?${q} still finds the anonymised customer`);
  }
  const pd2 = await getJson(client, 'manager', `/api/v1/customers/${c.id}/personal-data`);
  for (const f of Object.keys(v)) assert(pd2.customer[f] === null, `personal-data after anonymise: ${f} ${short(pd2.customer[f])}`);
  // Its ID number is free again.
  await createCustomer(client, { name: '隐私客户新档', id_number: v.id_number, phone: v.phone, project_id: 1 });
});

test('personal data: the administrator role cannot read full values through the export', async ({ client }) => {
  // docs/api.md: full ID numbers and phones are never seen by engineering,
  // the property company, "neither does the system administrator role
  // (least privilege)"; admin lacks every customer.pii_* permission.
  const { c, v } = await fullCustomer(client, '管理员导出');
  const res = await client.call('GET', `/api/v1/customers/${c.id}/personal-data`, { as: 'admin' });
  if (res.status === 403) return expectError(res, 403, 'forbidden');
  expectStatus(res, 200, 'personal-data as admin');
  const full = Object.entries(v).filter(([, val]) => res.text.includes(val)).map(([f]) => f);
  assert(full.length === 0, `admin (no customer.pii_id / pii_phone / pii_account) gets ${full.join(', ')} in full from GET /customers/${c.id}/personal-data`);
});

/*---- 8. Imports ---------------------------------------------------------------------*/

test('imports: templates, permissions, size limit, unknown kind', async ({ client }) => {
  const t = await client.call('GET', '/api/v1/imports/template?kind=customers&format=csv', { as: 'manager', headers: { Accept: '*/*' } });
  expectStatus(t, 200, 'csv template');
  assert(/^text\/csv/.test(t.headers['content-type'] || ''), `content-type ${t.headers['content-type']}`);
  assert(t.buf[0] === 0xef && t.buf[1] === 0xbb && t.buf[2] === 0xbf, `CSV template starts with ${t.buf.subarray(0, 3).toString('hex')}, want the UTF-8 BOM efbbbf`);
  const lines = t.buf.subarray(3).toString('utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  for (const h of ['姓名/名称*', '证件号码*', '手机*', '项目编码', '房号']) assert(header.includes(h), `CSV template header ${short(header)} lacks ${h}`);
  assert(lines[1] && lines[1].split(',').length === header.length, `CSV template example row ${short(lines[1])}`);
  assert(/attachment/.test(t.headers['content-disposition'] || ''), `content-disposition ${t.headers['content-disposition']}`);
  const tu = await client.call('GET', '/api/v1/imports/template?kind=units', { as: 'manager' });
  expectStatus(tu, 200, 'units template (csv by default)');
  for (const h of ['项目编码*', '楼栋编号*', '单元*', '楼层*', '室号*']) assert(tu.buf.toString('utf8').includes(h), `units template lacks ${h}`);
  const x = await client.call('GET', '/api/v1/imports/template?kind=customers&format=xlsx', { as: 'manager' });
  expectStatus(x, 200, 'xlsx template');
  assert(x.buf.subarray(0, 2).toString('latin1') === 'PK', `XLSX template starts with ${short(x.buf.subarray(0, 4).toString('hex'))}`);
  assert(/spreadsheetml/.test(x.headers['content-type'] || ''), `content-type ${x.headers['content-type']}`);
  const xs = readXlsx(x.buf);
  assert(xs.rows === 2 && xs.strings.includes('姓名/名称*') && xs.strings.includes('证件号码*'), `XLSX template: ${xs.rows} rows, strings ${short(xs.strings)}`);
  expectError(await client.call('GET', '/api/v1/imports/template?kind=widgets&format=csv', { as: 'manager' }), 422, 'invalid', 'kind');
  expectError(await client.call('GET', '/api/v1/imports/template?kind=customers&format=pdf', { as: 'manager' }), 422, 'invalid', 'format');

  const file = csv([['姓名', '证件号码', '手机'], ['越权导入', nextId(), nextPhone()]]);
  const j0 = await total(client, 'manager', '/api/v1/imports?limit=1');
  for (const as of ['agent', 'property', 'engineer']) {
    expectError(await client.call('POST', '/api/v1/imports?kind=customers', { as, raw: file, headers: { 'Content-Type': 'text/csv' } }), 403, 'forbidden');
    expectError(await client.call('GET', '/api/v1/imports/template?kind=customers', { as }), 403, 'forbidden');
  }
  expectError(await client.call('POST', '/api/v1/imports?kind=widgets', { as: 'manager', raw: file, headers: { 'Content-Type': 'text/csv' } }), 422, 'invalid', 'kind');
  expectError(await client.call('POST', '/api/v1/imports', { as: 'manager', raw: file, headers: { 'Content-Type': 'text/csv' } }), 422, 'invalid', 'kind');
  expectError(await client.call('POST', '/api/v1/imports?kind=customers&dry_run=maybe', { as: 'manager', raw: file, headers: { 'Content-Type': 'text/csv' } }), 400, 'bad_request', 'dry_run');
  expectError(await client.call('POST', '/api/v1/imports?kind=customers', { as: 'manager', raw: '', headers: { 'Content-Type': 'text/csv' } }), 422, 'invalid');
  const token = (await client.session('manager')).token;
  expectError(await bigUpload(client.base, '/api/v1/imports?kind=customers', token, 65 * 1024 * 1024), 413, 'too_large');
  assert((await total(client, 'manager', '/api/v1/imports?limit=1')) === j0, 'a refused upload created an import job');
  expectError(await client.call('GET', '/api/v1/imports/999999', { as: 'manager' }), 404, 'not_found');
  expectStatus(await client.call('GET', '/api/v1/health'), 200, 'health after 413');
});

test('imports: customers dry run reports the bad row, writes nothing; real run writes all rows or none', async ({ client }) => {
  const names = ['导入甲', '导入乙', '导入丙', '导入丁'];
  const rows = names.map((n) => [n, nextId(), nextPhone(), 'P001']);
  const header = ['姓名', '证件号码', '手机号', '项目编码'];
  const bad = rows.map((r) => [...r]);
  bad[2][1] = bad[2][1].slice(0, 17) + (bad[2][1][17] === '0' ? '1' : '0'); // wrong check digit, file row 4
  await warm(client, ['manager', 'admin']);
  const c0 = await customerCount(client);
  const a0 = await auditCount(client);

  const j1 = await runImport(client, 'customers', csv([header, ...bad]), { fileName: '客户-有误.csv' });
  assert(j1.status === 'failed' && j1.bad === 1 && j1.total === 4, `dry run with a bad row: ${short(j1)}`);
  assert(j1.errors.length === 1, `errors ${short(j1.errors)}`);
  const e = j1.errors[0];
  assert(e.row === 4 && e.column === '证件号码' && e.field === 'id_number' && /[\u4e00-\u9fff]/.test(e.message), `error ${short(e)}; want row 4 (header = row 1), column 证件号码, field id_number`);
  assert(typeof j1.message === 'string' && j1.message.length > 0, `message ${short(j1.message)}`);
  assert((await customerCount(client)) === c0, 'a dry run wrote customers');

  const j2 = await runImport(client, 'customers', csv([header, ...rows]), { fileName: '客户.csv' });
  assert(j2.status === 'done' && j2.bad === 0 && j2.total === 4 && j2.errors.length === 0 && j2.message, `clean dry run: ${short(j2)}`);
  assert((await customerCount(client)) === c0, 'a clean dry run wrote customers');
  assert((await auditCount(client)) === a0, 'dry runs wrote audit rows');
  for (const r of rows) assert((await byPhone(client, r[2])).length === 0, `dry run created ${r[0]}`);

  const j3 = await runImport(client, 'customers', csv([header, ...bad]), { dryRun: false, fileName: '客户-有误.csv' });
  assert(j3.status === 'failed' && j3.bad === 1 && j3.errors[0] && j3.errors[0].row === 4, `real run with a bad row: ${short(j3)}`);
  assert((await customerCount(client)) === c0, 'a real run with a bad row wrote customers');
  for (const r of rows) assert((await byPhone(client, r[2])).length === 0, `a failed real run created ${r[0]}`);

  const imports0 = (await auditRows(client, { action: 'import' })).length;
  const j4 = await runImport(client, 'customers', csv([header, ...rows]), { dryRun: false, fileName: '客户.csv' });
  assert(j4.status === 'done' && j4.total === 4 && j4.bad === 0 && j4.message, `real run: ${short(j4)}`);
  assert((await customerCount(client)) === c0 + 4, `customer count ${c0} → ${await customerCount(client)}, want +4`);
  for (const [name, idn, phone] of rows) {
    const s = await search(client, 'manager', phone);
    const hit = s.customers.find((x) => x.name === name);
    assert(hit && hit.id_number === maskId(idn), `search ${phone} does not find ${name}: ${short(s.customers)}`);
    const rec = await getJson(client, 'manager', `/api/v1/customers/${hit.id}`);
    assert(rec.project_id === 1, `${name}: project_id ${rec.project_id}, want 1 (项目编码 P001)`);
    assert((await reveal(client, 'manager', hit.id, 'id_number')) === idn, `${name}: ID number not stored as imported`);
    const byName = await search(client, 'manager', name);
    assert(byName.customers.some((x) => x.id === hit.id), `search ${name} does not find the imported record`);
  }
  const imports = await auditRows(client, { action: 'import' });
  assert(imports.length === imports0 + 1, `import audit rows ${imports0} → ${imports.length}, want one more`);
  const row = imports[0];
  assert(row.entity === 'customers' && row.username === 'manager' && row.after_json && row.after_json.rows === 4 && row.after_json.kind === 'customers', `import audit row ${short(row)}`);
  const listed = await getJson(client, 'manager', `/api/v1/imports/${j4.id}`);
  assert(listed.status === 'done' && listed.file_name === '客户.csv' && listed.username === 'manager', `GET /imports/${j4.id}: ${short(listed)}`);

  // The same file again: every row is now a duplicate ID number.
  const j5 = await runImport(client, 'customers', csv([header, ...rows]), { fileName: '客户.csv' });
  assert(j5.status === 'failed' && j5.bad === 4 && j5.errors.every((x) => x.field === 'id_number'), `re-import: ${short(j5)}`);
});

test('imports: a GBK-encoded CSV imports correctly', async ({ client }) => {
  const gbk = {
    王: [0xcd, 0xf5],
    丽: [0xc0, 0xf6],
    张: [0xd5, 0xc5],
    三: [0xc8, 0xfd],
    姓名: [0xd0, 0xd5, 0xc3, 0xfb],
    手机: [0xca, 0xd6, 0xbb, 0xfa],
    证件号码: [0xd6, 0xa4, 0xbc, 0xfe, 0xba, 0xc5, 0xc2, 0xeb],
  };
  const a = { id: nextId(), phone: nextPhone() };
  const b = { id: nextId(), phone: nextPhone() };
  const bytes = [
    ...gbk.姓名, 0x2c, ...gbk.证件号码, 0x2c, ...gbk.手机, 0x0d, 0x0a,
    ...gbk.王, ...gbk.丽, 0x2c, ...Buffer.from(`${a.id},${a.phone}\r\n`),
    ...gbk.张, ...gbk.三, 0x2c, ...Buffer.from(`${b.id},${b.phone}\r\n`),
  ];
  const file = Buffer.from(bytes);
  const dry = await runImport(client, 'customers', file, { fileName: 'gbk.csv' });
  assert(dry.status === 'done' && dry.total === 2, `GBK dry run: ${short(dry)}`);
  const real = await runImport(client, 'customers', file, { dryRun: false, fileName: 'gbk.csv' });
  assert(real.status === 'done' && real.total === 2, `GBK real run: ${short(real)}`);
  for (const [name, v] of [
    ['王丽', a],
    ['张三', b],
  ]) {
    const found = await byPhone(client, v.phone);
    assert(found.length === 1 && found[0].name === name, `GBK row ${name}: ${short(found)}`);
    assert((await reveal(client, 'manager', found[0].id, 'id_number')) === v.id, `GBK row ${name}: ID number`);
  }
});

test('imports: a repeated ID number within one file refuses the second row', async ({ client }) => {
  const idn = nextId();
  const header = ['姓名/名称*', '证件号码*', '手机*'];
  const file = csv([header, ['重复甲', idn, nextPhone()], ['其他乙', nextId(), nextPhone()], ['重复丙', idn.slice(0, 17) + idn[17].toLowerCase(), nextPhone()]]);
  const c0 = await customerCount(client);
  for (const dryRun of [true, false]) {
    const j = await runImport(client, 'customers', file, { dryRun, fileName: 'dup.csv' });
    assert(j.status === 'failed' && j.bad === 1 && j.total === 3, `dry_run=${dryRun}: ${short(j)}`);
    const e = j.errors[0];
    assert(e && e.row === 4 && e.field === 'id_number' && e.column === '证件号码*', `dry_run=${dryRun}: error ${short(e)}; want row 4, column 证件号码*, field id_number`);
  }
  assert((await customerCount(client)) === c0, 'a refused file wrote customers');
});

test('imports: customers linked to a unit by 项目编码 + 房号 + 产权份额', async ({ client }) => {
  const free = (await getJson(client, 'manager', '/api/v1/units?project_id=2&status=unsold&sort=-id&limit=1')).items[0];
  assert(free && free.owner_name === null, `no unsold unit without owner in project 2: ${short(free)}`);
  const h = ['姓名', '身份证号', '联系电话', '项目编码', '房号', '产权份额(%)'];
  const a = [ '份额甲', nextId(), nextPhone(), 'P002', free.room_code, '60' ];
  const b = [ '份额乙', nextId(), nextPhone(), 'P002', free.room_code, '40' ];
  const missing = ['无房客户', nextId(), nextPhone(), 'P002', '9-9-9999', '100'];
  const j0 = await runImport(client, 'customers', csv([h, a, b, missing]), { fileName: 'owners.csv' });
  assert(j0.status === 'failed' && j0.bad === 1 && j0.errors[0].row === 4 && j0.errors[0].field === 'room_code' && j0.errors[0].column === '房号', `a missing room code: ${short(j0)}`);
  const j = await runImport(client, 'customers', csv([h, a, b]), { dryRun: false, fileName: 'owners.csv' });
  assert(j.status === 'done' && j.total === 2, `import with owners: ${short(j)}`);
  const unit = await getJson(client, 'manager', `/api/v1/units/${free.id}`);
  assert(unit.owner_name === '份额甲', `unit ${free.room_code} owner_name ${unit.owner_name}, want 份额甲 (the first owner is primary)`);
  const ca = (await byPhone(client, a[2]))[0];
  const v = await getJson(client, 'manager', `/api/v1/customers/${ca.id}/360`);
  const u = v.units.find((x) => x.id === free.id);
  assert(u && u.share_bp === 6000 && u.is_primary === 1, `360 unit of 份额甲 ${short(u)}`);
  const owners = u.owners.map((o) => `${o.name}:${o.share_bp}:${o.is_primary}`).sort();
  assert(JSON.stringify(owners) === JSON.stringify(['份额乙:4000:0', '份额甲:6000:1']), `owners ${short(owners)}`);
});

test('imports: units create a missing building; dry runs create none', async ({ client }) => {
  const h = ['项目编码*', '楼栋编号*', '单元*', '楼层*', '室号*', '户型', '用途', '预测面积(m²)', '标价(元)', '状态'];
  const rows = [
    ['P001', 'T9', '1', '1', '101', '三室两厅一卫', '住宅', '105.68', '2,469,000.00', '未售'],
    ['P001', 'T9', '1', '2', '201', '三室两厅一卫', '住宅', '105.68', '2469000', '已认购'],
    ['P001', 'T9', '2', '3', '301', '四室两厅两卫', '商业', '142.85', '3100000.5', '未售'],
  ];
  const b0 = await total(client, 'manager', '/api/v1/buildings?limit=1');
  const u0 = await total(client, 'manager', '/api/v1/units?limit=1');
  const dry = await runImport(client, 'units', csv([h, ...rows]), { fileName: 'units.csv' });
  assert(dry.status === 'done' && dry.total === 3, `units dry run: ${short(dry)}`);
  assert((await total(client, 'manager', '/api/v1/buildings?limit=1')) === b0, 'a dry run created a building');
  assert((await total(client, 'manager', '/api/v1/units?limit=1')) === u0, 'a dry run created units');
  const badRows = [...rows, ['P001', 'T9', '1', '四', '401', '', '', '', '', '']];
  const bad = await runImport(client, 'units', csv([h, ...badRows]), { dryRun: false, fileName: 'units.csv' });
  assert(bad.status === 'failed' && bad.bad === 1 && bad.errors[0].row === 5 && bad.errors[0].field === 'floor' && bad.errors[0].column === '楼层*', `a bad floor: ${short(bad)}`);
  assert((await total(client, 'manager', '/api/v1/buildings?limit=1')) === b0, 'a failed real run created a building');
  const real = await runImport(client, 'units', csv([h, ...rows]), { dryRun: false, fileName: 'units.csv' });
  assert(real.status === 'done' && real.total === 3, `units real run: ${short(real)}`);
  assert((await total(client, 'manager', '/api/v1/buildings?limit=1')) === b0 + 1, 'the building T9 was not created (once)');
  const bs = (await getJson(client, 'manager', '/api/v1/buildings?project_id=1&limit=200')).items.filter((b) => b.code === 'T9');
  assert(bs.length === 1 && bs[0].unit_count === 3 && bs[0].floors >= 3, `building T9: ${short(bs)}`);
  const units = (await getJson(client, 'manager', `/api/v1/units?building_id=${bs[0].id}&sort=room_code`)).items;
  const got = units.map((u) => [u.room_code, u.floor, u.project_id, u.contract_area_dm2, u.list_price_fen, u.status, u.usage].join('|'));
  const want = ['T9-1-101|1|1|10568|246900000|unsold|residential', 'T9-1-201|2|1|10568|246900000|reserved|residential', 'T9-2-301|3|1|14285|310000050|unsold|commercial'];
  assert(JSON.stringify(got) === JSON.stringify(want), `imported units ${short(got, 600)}, want ${short(want, 600)}`);
});

test('imports: an XLSX file is read and its rows validated (template, then the same rows again)', async ({ client }) => {
  const t = await client.call('GET', '/api/v1/imports/template?kind=units&format=xlsx', { as: 'manager' });
  expectStatus(t, 200, 'units xlsx template');
  const example = readXlsx(t.buf);
  assert(example.rows === 2 && example.strings.includes('P001'), `template ${short(example.strings)}`);
  const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const dry = await runImport(client, 'units', t.buf, { fileName: 'template.xlsx', type: xlsxType });
  assert(dry.status === 'done' && dry.total === 1, `dry run of the XLSX template: ${short(dry)}`);
  const real = await runImport(client, 'units', t.buf, { dryRun: false, fileName: 'template.xlsx', type: xlsxType });
  assert(real.status === 'done' && real.total === 1, `real run of the XLSX template: ${short(real)}`);
  // The example row: P001, building 9, stairwell 1, floor 15, flat 1501, 123.45 m², 2469000.00, 未售.
  const u = (await getJson(client, 'manager', '/api/v1/units?project_id=1&room_code=9-1-1501')).items.find((x) => x.room_code === '9-1-1501');
  assert(u && u.floor === 15 && u.contract_area_dm2 === 12345 && u.list_price_fen === 246900000 && u.status === 'unsold', `unit from the XLSX template ${short(u)}`);
  const again = await runImport(client, 'units', t.buf, { fileName: 'template.xlsx', type: xlsxType });
  assert(again.status === 'failed' && again.bad === 1, `the same XLSX again: ${short(again)}`);
  const e = again.errors[0];
  assert(e.row === 2 && e.field === 'room' && /房号已存在/.test(e.message), `error ${short(e)}; want row 2, field room, 房号已存在`);
});

test('imports: our own units export re-imports (columns recognised, existing rooms refused)', async ({ client }) => {
  // docs/api.md: columns are matched by … the field's label (so our own
  // Excel exports re-import).
  const x = await client.call('GET', '/api/v1/units/export.xlsx?building_id=2', { as: 'manager' });
  expectStatus(x, 200, 'units export');
  const rows = readXlsx(x.buf).rows - 1;
  assert(rows > 0, 'empty export');
  const j = await runImport(client, 'units', x.buf, { fileName: 'units-export.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  assert(j.status === 'failed' && j.total === rows, `re-import of the units export: ${short(j)}; want every one of ${rows} rows read`);
  assert(j.bad === rows && j.errors.length > 0 && j.errors.every((e) => e.field === 'room' && /房号已存在/.test(e.message)), `re-import of the units export: bad ${j.bad} of ${rows}, message ${j.message}, errors ${short(j.errors)}; want every row refused with 房号已存在`);
});

/*---- 9. Building grid -----------------------------------------------------------------*/

test('building grid: floors × flats, top floor first, matching the unit list; scoped', async ({ client }) => {
  const g = await getJson(client, 'manager', '/api/v1/buildings/1/grid');
  assert(g.building && g.building.id === 1 && g.building.project_id === 1, `grid building ${short(g.building)}`);
  assert(Array.isArray(g.units) && g.units.length > 0, 'grid without units');
  for (let i = 1; i < g.units.length; i++) {
    const a = g.units[i - 1];
    const b = g.units[i];
    const ok = a.floor > b.floor || (a.floor === b.floor && (a.unit_no < b.unit_no || (a.unit_no === b.unit_no && a.room < b.room)));
    assert(ok, `grid order: ${a.room_code} (floor ${a.floor}) before ${b.room_code} (floor ${b.floor}); want floor descending, then unit, flat`);
  }
  const list = await listAll(client, 'manager', '/api/v1/units?building_id=1');
  assert(list.length === g.units.length && g.building.unit_count === g.units.length, `grid has ${g.units.length} units, the list ${list.length}, unit_count ${g.building.unit_count}`);
  const byId = new Map(list.map((u) => [u.id, u]));
  for (const u of g.units) {
    const l = byId.get(u.id);
    assert(l && l.room_code === u.room_code && l.floor === u.floor && l.status === u.status && l.owner_name === u.owner_name, `grid unit ${short(u)} differs from the list ${short(l)}`);
  }
  assert(g.units.some((u) => u.owner_name) && !plaintextIn(JSON.stringify(g)), 'grid owners');

  const p2 = (await getJson(client, 'manager', '/api/v1/buildings?project_id=2&limit=1')).items[0];
  const p3 = (await getJson(client, 'manager', '/api/v1/buildings?project_id=3&limit=1')).items[0];
  expectError(await client.call('GET', `/api/v1/buildings/${p2.id}/grid`, { as: 'engineer' }), 403, 'forbidden');
  expectStatus(await client.call('GET', '/api/v1/buildings/1/grid', { as: 'engineer' }), 200, 'engineer grid of project 1');
  expectStatus(await client.call('GET', `/api/v1/buildings/${p2.id}/grid`, { as: 'agent' }), 200, 'agent grid of project 2');
  expectError(await client.call('GET', `/api/v1/buildings/${p3.id}/grid`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/buildings/999999/grid', { as: 'manager' }), 404, 'not_found');
  expectError(await client.call('GET', '/api/v1/buildings/1/grid'), 401, 'unauthenticated');
});

/*---- 10. Writes of buildings and units by a project-scoped role ----------------------------*/

test('buildings and units: a project-scoped editor writes only in its projects', async ({ client }) => {
  const role = await client.call('POST', '/api/v1/roles', {
    as: 'admin',
    body: { code: 'md_editor', name: '楼盘资料员', permissions: ['project.read', 'building.read', 'building.write', 'unit.read', 'unit.write'] },
  });
  expectStatus(role, 201, 'create role');
  const password = 'md-editor-Pass-1';
  const user = await client.call('POST', '/api/v1/users', { as: 'admin', body: { username: 'md_editor', display_name: '资料员', role_id: role.json.id, password, project_ids: [1] } });
  expectStatus(user, 201, 'create user');
  client.addUser('md_editor', password);
  const as = 'md_editor';
  const p3b = (await getJson(client, 'manager', '/api/v1/buildings?project_id=3&limit=1')).items[0];
  const b0 = await total(client, 'manager', '/api/v1/buildings?limit=1');
  const u0 = await total(client, 'manager', '/api/v1/units?limit=1');
  expectError(await client.call('POST', '/api/v1/buildings', { as, body: { project_id: 3, code: 'X1', name: '越权楼', floors: 10 } }), 403, 'forbidden');
  expectError(await client.call('POST', '/api/v1/units', { as, body: { building_id: p3b.id, unit_no: '1', floor: 1, room: '199' } }), 403, 'forbidden');
  expectError(await client.call('PATCH', `/api/v1/buildings/${p3b.id}`, { as, body: { name: '改名' } }), 403, 'forbidden');
  assert((await total(client, 'manager', '/api/v1/buildings?limit=1')) === b0 && (await total(client, 'manager', '/api/v1/units?limit=1')) === u0, 'a refused write created a record');
  const b = await client.call('POST', '/api/v1/buildings', { as, body: { project_id: 1, code: 'E1', name: 'E1号楼', floors: 6 } });
  expectStatus(b, 201, 'building in project 1');
  const u = await client.call('POST', '/api/v1/units', { as, body: { building_id: b.json.id, unit_no: '1', floor: 6, room: '601' } });
  expectStatus(u, 201, 'unit in project 1');
  assert(u.json.room_code === 'E1-1-601' && u.json.project_id === 1, `unit ${short(u.json)}`);
  expectError(await client.call('POST', '/api/v1/buildings', { as, body: { project_id: 1, code: 'E1', name: '又一个', floors: 6 } }), 409, 'conflict', 'code');
  const grid = await getJson(client, as, `/api/v1/buildings/${b.json.id}/grid`);
  assert(grid.units.length === 1 && grid.units[0].room_code === 'E1-1-601', `grid of the new building ${short(grid)}`);
});
