// scripted.mjs - the API tests that data files cannot express. Each test is
// {name, fn(ctx)}; fn throws Failure on a mismatch and may return a short
// note printed after "ok - name". They run in this order, after the cases;
// the graceful stop is last but one (the access log is read after it).
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  DEMO_USERS,
  Client,
  dbCopy,
  dbSql,
  assert,
  countRequest,
  errorShapeProblem,
  expectError,
  expectStatus,
  fail,
  runBin,
  SANITIZER_RE,
  runBinClean,
  short,
  startServer,
  stats,
} from './lib.mjs';
import { readXlsx } from './xlsx.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A fresh (uncached) login; returns the raw response. */
function login(client, username, password) {
  return client.call('POST', '/api/v1/login', { body: { username, password } });
}

/** Create a user through the admin API; registers its password. */
async function createUser(client, username, roleCode, extra = {}) {
  const roles = await client.call('GET', `/api/v1/roles?code=${roleCode}`, { as: 'admin' });
  expectStatus(roles, 200, `GET roles?code=${roleCode}`);
  const role = roles.json.items.find((r) => r.code === roleCode);
  assert(role, `no role with code ${roleCode}`);
  const password = `${username}-Pass-1`;
  const res = await client.call('POST', '/api/v1/users', {
    as: 'admin',
    body: { username, display_name: `测试${username}`, role_id: role.id, password, ...extra },
  });
  expectStatus(res, 201, `create user ${username}`);
  client.addUser(username, password);
  return { id: res.json.id, password, user: res.json };
}

async function total(client, as, pathWithQuery) {
  const res = await client.call('GET', pathWithQuery, { as });
  expectStatus(res, 200, `GET ${pathWithQuery} as ${as}`);
  assert(Number.isInteger(res.json.total), `GET ${pathWithQuery}: total is ${short(res.json.total)}`);
  return res.json.total;
}

/** Every item of a project-scoped list, paging with `next`. */
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
    if (cursor === null) return { items, total: res.json.total };
  }
  fail(`${entityPath}: more than 100 pages`);
}

function setCookies(res) {
  return [].concat(res.headers['set-cookie'] || []);
}

/*---- Tests ----------------------------------------------------------------*/

export const scriptedTests = [];
const test = (name, fn, opts = {}) => scriptedTests.push({ name, fn, ...opts });

test('login: token, csrf, user and a HttpOnly SameSite=Strict cookie', async ({ client }) => {
  const res = await login(client, 'admin', ADMIN_PASSWORD);
  expectStatus(res, 200, 'login admin');
  const j = res.json;
  assert(typeof j.token === 'string' && j.token.length >= 20, `token ${short(j.token)}`);
  assert(typeof j.csrf === 'string' && j.csrf.length >= 20, `csrf ${short(j.csrf)}`);
  assert(j.csrf !== j.token, 'csrf equals the token');
  assert(j.user && j.user.username === 'admin', `user ${short(j.user)}`);
  assert(j.user.role && j.user.role.code === 'admin', `user.role ${short(j.user.role)}`);
  assert(Array.isArray(j.user.permissions), 'user.permissions is not an array');
  assert(!('password_hash' in j.user) && !('password' in j.user), 'user carries a password');
  const cookie = setCookies(res).find((c) => c.startsWith('anjia_session='));
  assert(cookie, `no anjia_session cookie; Set-Cookie: ${short(setCookies(res))}`);
  assert(cookie.startsWith(`anjia_session=${j.token};`), `cookie value is not the token: ${cookie}`);
  assert(/;\s*HttpOnly(;|$)/i.test(cookie), `cookie lacks HttpOnly: ${cookie}`);
  assert(/;\s*SameSite=Strict(;|$)/i.test(cookie), `cookie lacks SameSite=Strict: ${cookie}`);
  assert(/;\s*Path=\/(;|$)/i.test(cookie), `cookie lacks Path=/: ${cookie}`);

  // GET /me with the cookie alone.
  const me = await client.call('GET', '/api/v1/me', { cookie: `anjia_session=${j.token}` });
  expectStatus(me, 200, 'GET /me with cookie');
  assert(me.json.user && me.json.user.username === 'admin', `/me user ${short(me.json)}`);
  assert(me.json.csrf === j.csrf, `/me csrf ${short(me.json.csrf)} differs from the login csrf`);
  // and with the bearer token
  const me2 = await client.call('GET', '/api/v1/me', { token: j.token });
  expectStatus(me2, 200, 'GET /me with bearer');
});

test('login: wrong password and unknown user are 401 with the same message and timing', async ({ client }) => {
  // Three of each; an unknown user costs a password hash too, so the
  // timing does not tell which user names exist (medians within 3x).
  const wrongs = [];
  const unknowns = [];
  for (let i = 0; i < 3; i++) {
    wrongs.push(await login(client, 'finance', 'not-the-password'));
    unknowns.push(await login(client, `nosuchuser${i}`, 'not-the-password'));
  }
  for (const r of [...wrongs, ...unknowns]) expectError(r, 401, 'unauthenticated');
  const median = (rs) => rs.map((r) => r.ms).sort((a, b) => a - b)[1];
  const mw = median(wrongs);
  const mu = median(unknowns);
  assert(mu > mw / 3 && mu < mw * 3, `login takes ${mw.toFixed(0)} ms for a wrong password but ${mu.toFixed(0)} ms for an unknown user`);
  const wrong = wrongs[0];
  const unknown = unknowns[0];
  assert(
    wrong.json.error.message === unknown.json.error.message && wrong.json.error.field === unknown.json.error.field,
    `wrong password says ${short(wrong.json.error)}, unknown user says ${short(unknown.json.error)}`,
  );
  assert(setCookies(wrong).every((c) => !/anjia_session=[^;]+/.test(c)), 'a failed login set a session cookie');
  // Reset finance's failure count with a good login (it also proves the account still works).
  expectStatus(await login(client, 'finance', DEMO_PASSWORD), 200, 'login finance');
  const empty = await login(client, '', '');
  expectError(empty, 422, 'invalid');
});

test('login rush: more logins at once than the server has database connections all answer (none waits on a connection it holds itself)', async ({ bin, env, db, tmp }) => {
  const pool = 3;
  const s = await startServer(bin, env, db, path.join(tmp, 'access-rush.log'), ['--pool-size', String(pool)]);
  try {
    const c = new Client(s.base);
    const names = ['agent', 'contract', 'mortgage', 'manager', 'engineer', 'finance', 'property', 'director', 'supervisor'];
    const rush = await Promise.all(
      [...names, ...names].map((username) => c.call('POST', '/api/v1/login', { body: { username, password: DEMO_PASSWORD }, timeoutMs: 25000 })),
    );
    // Past the two concurrent password hashes a login may be told to try
    // again (429 busy); every one answers, and most get in.
    for (const r of rush) if (r.status !== 200) expectError(r, 429, 'busy');
    const ok = rush.filter((r) => r.status === 200).length;
    assert(ok >= names.length, `only ${ok} of ${rush.length} logins succeeded`);
    expectStatus(await c.call('GET', '/api/v1/me', { token: rush.find((r) => r.status === 200).json.token }), 200, 'a session from the rush');
    return `${ok} of ${rush.length} in with ${pool} connections`;
  } finally {
    await s.stop();
  }
}, { timeoutMs: 60000 });

test('meta/enums: every option list for any logged-in user, the same as in the entities\' metadata; 401 without a session', async ({ client }) => {
  const res = await client.call('GET', '/api/v1/meta/enums', { as: 'property' });
  expectStatus(res, 200, 'meta/enums as property');
  const all = res.json;
  // property may not read contracts or loans, yet their states have labels.
  for (const key of ['units.status', 'contracts.status', 'loans.stage', 'tickets.status', 'receivables.kind']) {
    assert(all[key] && Array.isArray(all[key].options) && all[key].options.length > 0, `meta/enums lacks ${key}`);
  }
  assert(all['units.status'].options.some((o) => o.value === 'unsold' && o.label === '未售' && o.label_en === 'Unsold'), `units.status ${short(all['units.status'])}`);
  for (const entity of ['units', 'contracts', 'tickets']) {
    const meta = await client.call('GET', `/api/v1/meta/entities/${entity}`, { as: 'admin' });
    expectStatus(meta, 200, `meta of ${entity}`);
    for (const f of meta.json.fields.filter((x) => Array.isArray(x.options))) {
      assert(isDeepStrictEqual(all[`${entity}.${f.name}`]?.options, f.options), `${entity}.${f.name}: enums ${short(all[`${entity}.${f.name}`])} differ from the metadata ${short(f.options)}`);
    }
  }
  expectError(await client.call('GET', '/api/v1/meta/enums'), 401, 'unauthenticated');
});

test('auth: protected routes answer 401 without or with a bad token', async ({ client }) => {
  expectError(await client.call('GET', '/api/v1/users'), 401, 'unauthenticated');
  expectError(await client.call('GET', '/api/v1/me'), 401, 'unauthenticated');
  expectError(await client.call('GET', '/api/v1/me', { token: 'not-a-token' }), 401, 'unauthenticated');
  expectError(await client.call('GET', '/api/v1/me', { cookie: 'anjia_session=not-a-token' }), 401, 'unauthenticated');
  expectError(await client.call('GET', '/api/v1/me', { headers: { Authorization: 'Basic YWRtaW46eA==' } }), 401, 'unauthenticated');
});

test('logout ends the session (204) and clears the cookie', async ({ client }) => {
  const res = await login(client, 'property', DEMO_PASSWORD);
  expectStatus(res, 200, 'login');
  const token = res.json.token;
  expectStatus(await client.call('GET', '/api/v1/me', { token }), 200, 'GET /me before logout');
  const out = await client.call('POST', '/api/v1/logout', { token });
  expectStatus(out, 204, 'logout');
  const cleared = setCookies(out).find((c) => c.startsWith('anjia_session='));
  assert(cleared && /^anjia_session=;/.test(cleared) && /Max-Age=0|Expires=/i.test(cleared), `logout cookie: ${short(setCookies(out))}`);
  expectError(await client.call('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
  expectError(await client.call('POST', '/api/v1/logout', { token }), 401, 'unauthenticated');
  const me = res.json.user;
  const trail = await client.call('GET', `/api/v1/audit?entity=users&entity_id=${me.id}&action=logout`, { as: 'admin' });
  expectStatus(trail, 200, 'audit');
  assert(trail.json.items.length >= 1 && trail.json.items[0].username === 'property', `no logout record: ${short(trail.json)}`);
});

test('CSRF: cookie-authenticated writes need X-CSRF-Token; bearer writes do not', async ({ client }) => {
  const res = await login(client, 'admin', ADMIN_PASSWORD);
  expectStatus(res, 200, 'login');
  const cookie = `anjia_session=${res.json.token}`;
  const csrf = res.json.csrf;
  const before = await total(client, 'admin', '/api/v1/projects');

  const body = { code: 'CSRF1', name: 'CSRF 测试项目' };
  expectError(await client.call('POST', '/api/v1/projects', { cookie, body }), 403, 'csrf');
  expectError(await client.call('POST', '/api/v1/projects', { cookie, body, csrf: 'wrong-token' }), 403, 'csrf');
  expectError(await client.call('POST', '/api/v1/projects', { cookie, body, csrf: '' }), 403, 'csrf');
  expectError(await client.call('PATCH', '/api/v1/projects/1', { cookie, body: { city: '杭州' } }), 403, 'csrf');
  expectError(await client.call('POST', '/api/v1/logout', { cookie }), 403, 'csrf');
  // another session's csrf does not fit this session
  const other = await client.session('admin');
  if (other.csrf !== csrf)
    expectError(await client.call('POST', '/api/v1/projects', { cookie, body, csrf: other.csrf }), 403, 'csrf');
  assert((await total(client, 'admin', '/api/v1/projects')) === before, 'a request refused for CSRF created a project');

  // Safe methods need no token.
  expectStatus(await client.call('GET', '/api/v1/projects', { cookie }), 200, 'cookie GET');
  // With the right header it works.
  const ok = await client.call('POST', '/api/v1/projects', { cookie, body, csrf });
  expectStatus(ok, 201, 'cookie POST with X-CSRF-Token');
  const patched = await client.call('PATCH', `/api/v1/projects/${ok.json.id}`, { cookie, csrf, body: { city: '苏州' } });
  expectStatus(patched, 200, 'cookie PATCH with X-CSRF-Token');
  assert(patched.json.city === '苏州', `PATCH result ${short(patched.json)}`);
  // Bearer requests need no CSRF header.
  const bearer = await client.call('PATCH', `/api/v1/projects/${ok.json.id}`, { token: res.json.token, body: { city: '南京' } });
  expectStatus(bearer, 200, 'bearer PATCH without X-CSRF-Token');
  // Cookie logout with the header works.
  expectStatus(await client.call('POST', '/api/v1/logout', { cookie, csrf }), 204, 'cookie logout with X-CSRF-Token');
  expectError(await client.call('GET', '/api/v1/me', { cookie }), 401, 'unauthenticated');
});

test('lockout: 5 failed logins lock the account (423) until an admin unlocks it', async ({ client }) => {
  const u = await createUser(client, 'lock_user', 'agent');
  const statuses = [];
  for (let i = 1; i <= 6; i++) {
    const r = await login(client, 'lock_user', 'wrong-password');
    statuses.push(r.status);
    const p = errorShapeProblem(r);
    if (p) fail(`attempt ${i}: ${p}`);
    if (i <= 4) expectError(r, 401, 'unauthenticated');
  }
  assert(statuses[5] === 423 && (statuses[4] === 423 || statuses[4] === 401), `statuses of attempts 1-6: ${statuses.join(', ')}; want 401 ×4, then 423 by the 6th`);
  const locked = await login(client, 'lock_user', u.password);
  expectError(locked, 423, 'locked');
  // unlocking needs user.write
  expectError(await client.call('POST', `/api/v1/users/${u.id}/unlock`, { as: 'manager' }), 403, 'forbidden');
  const un = await client.call('POST', `/api/v1/users/${u.id}/unlock`, { as: 'admin' });
  expectStatus(un, 204, 'unlock');
  const again = await login(client, 'lock_user', u.password);
  expectStatus(again, 200, 'login after unlock');
  expectError(await client.call('POST', '/api/v1/users/999999/unlock', { as: 'admin' }), 404, 'not_found');
  // The trail shows it.
  const trail = await client.call('GET', `/api/v1/audit?entity=users&entity_id=${u.id}&limit=50`, { as: 'admin' });
  expectStatus(trail, 200, 'audit');
  const actions = new Set(trail.json.items.map((i) => i.action));
  for (const a of ['login_failed', 'login_locked', 'unlock', 'login'])
    assert(actions.has(a), `audit for user ${u.id} lacks "${a}": ${[...actions].join(', ')}`);
  return `statuses ${statuses.join(',')}`;
});

test('passwords: own change, admin reset and disabling end sessions', async ({ client }) => {
  const u = await createUser(client, 'pw_user', 'agent', { project_ids: [1] });
  const s1 = await login(client, 'pw_user', u.password);
  expectStatus(s1, 200, 'login');
  const t1 = s1.json.token;
  const p2 = 'second-Pass-2';
  expectError(await client.call('POST', '/api/v1/me/password', { token: t1, body: { old_password: 'wrong-old-1', new_password: p2 } }), 422, 'invalid', 'old_password');
  expectError(await client.call('POST', '/api/v1/me/password', { token: t1, body: { old_password: u.password, new_password: 'short' } }), 422, 'invalid', 'new_password');
  expectStatus(await client.call('POST', '/api/v1/me/password', { token: t1, body: { old_password: u.password, new_password: p2 } }), 204, 'change own password');
  expectError(await login(client, 'pw_user', u.password), 401, 'unauthenticated');
  const s2 = await login(client, 'pw_user', p2);
  expectStatus(s2, 200, 'login with the new password');

  // Admin reset: 422 on a short password, then 204 and the user's sessions end.
  expectError(await client.call('POST', `/api/v1/users/${u.id}/password`, { as: 'admin', body: { password: 'short' } }), 422, 'invalid', 'password');
  const p3 = 'third-Pass-3';
  expectStatus(await client.call('POST', `/api/v1/users/${u.id}/password`, { as: 'admin', body: { password: p3 } }), 204, 'admin reset');
  expectError(await client.call('GET', '/api/v1/me', { token: s2.json.token }), 401, 'unauthenticated');
  const s3 = await login(client, 'pw_user', p3);
  expectStatus(s3, 200, 'login after reset');

  // Disabling ends the sessions and refuses logins.
  const dis = await client.call('PATCH', `/api/v1/users/${u.id}`, { as: 'admin', body: { status: 'disabled' } });
  expectStatus(dis, 200, 'disable');
  expectError(await client.call('GET', '/api/v1/me', { token: s3.json.token }), 401, 'unauthenticated');
  const refused = await login(client, 'pw_user', p3);
  assert(refused.status === 401 || refused.status === 403, `login of a disabled user: ${refused.status} ${short(refused.text)}`);
  const prob = errorShapeProblem(refused);
  if (prob) fail(prob);
  // Every step is in the audit trail.
  const trail = await client.call('GET', `/api/v1/audit?entity=users&entity_id=${u.id}&limit=100`, { as: 'admin' });
  expectStatus(trail, 200, 'audit');
  const actions = new Set(trail.json.items.map((i) => i.action));
  for (const a of ['create', 'login', 'password_change', 'password_reset', 'update'])
    assert(actions.has(a), `audit for user ${u.id} lacks "${a}": ${[...actions].join(', ')}`);
  const text = JSON.stringify(trail.json);
  for (const secret of [u.password, p2, p3]) assert(!text.includes(secret), 'the audit trail contains a password');
  assert(!text.includes('$argon2'), 'the audit trail contains a password hash');
});

test('login: a disabled account with a wrong password answers like an unknown user', async ({ client }) => {
  // docs/decisions.md: response time and message do not reveal which user
  // names exist; both answer 用户名或密码错误.
  const u = await createUser(client, 'gone_user', 'agent');
  expectStatus(await client.call('PATCH', `/api/v1/users/${u.id}`, { as: 'admin', body: { status: 'disabled' } }), 200, 'disable');
  const unknown = await login(client, 'never_existed', 'wrong-password-1');
  expectError(unknown, 401, 'unauthenticated');
  const disabled = await login(client, 'gone_user', 'wrong-password-1');
  assert(
    disabled.status === unknown.status && disabled.json && disabled.json.error && disabled.json.error.message === unknown.json.error.message,
    `disabled user, wrong password: ${disabled.status} ${short(disabled.text)}; unknown user: ${unknown.status} ${short(unknown.text)}`,
  );
});

test('bad bodies: bad JSON, duplicate keys, trailing garbage, bad UTF-8 → 400 bad_json', async ({ client }) => {
  const bodies = [
    ['truncated', '{"code":'],
    ['not JSON', 'hello'],
    ['duplicate keys', '{"code":"DUP1","code":"DUP2","name":"重复"}'],
    ['trailing garbage', '{"code":"TRL1","name":"尾巴"} x'],
    ['two objects', '{"code":"TRL2","name":"a"}{"code":"TRL3","name":"b"}'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"code":"UTF1","name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')])],
    ['overlong UTF-8', Buffer.concat([Buffer.from('{"code":"UTF2","name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['UTF-16 surrogate', Buffer.concat([Buffer.from('{"code":"UTF3","name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ];
  const before = await total(client, 'admin', '/api/v1/projects');
  const problems = [];
  for (const [what, raw] of bodies) {
    for (const [method, p, as] of [
      ['POST', '/api/v1/projects', 'admin'],
      ['POST', '/api/v1/login', undefined],
    ]) {
      const res = await client.call(method, p, { as, raw });
      try {
        expectError(res, 400, 'bad_json');
      } catch (e) {
        problems.push(`${what} → ${method} ${p}: ${e.message}`);
      }
    }
  }
  assert((await total(client, 'admin', '/api/v1/projects')) === before, 'a refused body created a project');
  if (problems.length) fail(problems.join('\n'));
});

test('bodies over 1 MiB → 413 too_large (with and without Content-Length)', async ({ client }) => {
  const big = Buffer.from(JSON.stringify({ username: 'x', password: 'y', pad: 'a'.repeat(1024 * 1024 + 10) }));
  const r1 = await client.call('POST', '/api/v1/login', { raw: big });
  expectError(r1, 413, 'too_large');
  const r2 = await client.call('POST', '/api/v1/login', { raw: big, chunked: true });
  expectError(r2, 413, 'too_large');
  const r3 = await client.call('POST', '/api/v1/projects', { as: 'admin', raw: big, chunked: true });
  expectError(r3, 413, 'too_large');
  // Just under the limit is parsed (and then judged on its content).
  const fits = Buffer.from(JSON.stringify({ username: 'x', password: 'y', pad: 'a'.repeat(1024 * 1024 - 100) }));
  const r4 = await client.call('POST', '/api/v1/login', { raw: fits });
  assert(r4.status !== 413, `a body of ${fits.length} bytes (under 1 MiB) got 413`);
  // The server still answers afterwards.
  expectStatus(await client.call('GET', '/api/v1/health'), 200, 'health after 413');
});

test('routing: unknown route 404 not_found, wrong method 405 method_not_allowed', async ({ bin, env, client }) => {
  const cases = [
    ['GET', '/api/v1/nope', 404, 'not_found', undefined],
    ['GET', '/api/v1/nope', 404, 'not_found', 'admin'],
    ['GET', '/api/v1/widgets', 404, 'not_found', 'admin'],
    ['GET', '/api/v1/widgets/1', 404, 'not_found', 'admin'],
    ['GET', '/api/v1/widgets/export.xlsx', 404, 'not_found', 'admin'],
    ['GET', '/api/v1/users/1/nope', 404, 'not_found', 'admin'],
    ['GET', '/api/v2/health', 404, 'not_found', undefined],
    ['GET', '/api/v1/health/', 404, 'not_found', undefined],
    ['GET', '/api/v1/meta/entities/widgets', 404, 'not_found', 'admin'],
    ['POST', '/api/v1/health', 405, 'method_not_allowed', undefined],
    ['GET', '/api/v1/login', 405, 'method_not_allowed', undefined],
    ['GET', '/api/v1/logout', 405, 'method_not_allowed', 'admin'],
    ['DELETE', '/api/v1/me', 405, 'method_not_allowed', 'admin'],
  ];
  // From the route table: every entity path answers 405 to the methods it
  // does not declare (nothing is deleted; no PUT; read-only entities take
  // no POST or PATCH).
  const routes = runBinClean(bin, ['routes'], env)
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const declared = new Map();
  for (const r of routes) {
    const p = r.path.replace('{id}', '1');
    if (!declared.has(p)) declared.set(p, new Set());
    declared.get(p).add(r.method);
  }
  for (const [p, methods] of declared) {
    if (!/^\/api\/v1\/[a-z_]+(\/1)?$/.test(p) || p === '/api/v1/me' || p === '/api/v1/health' || p === '/api/v1/login' || p === '/api/v1/logout' || p === '/api/v1/permissions') continue;
    for (const m of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) if (!methods.has(m)) cases.push([m, p, 405, 'method_not_allowed', 'admin']);
  }
  const problems = [];
  for (const [method, p, status, code, as] of cases) {
    const res = await client.call(method, p, { as, body: UNSAFE.has(method) ? {} : undefined });
    try {
      expectError(res, status, code);
    } catch (e) {
      problems.push(`${method} ${p}${as ? ` as ${as}` : ''}: ${e.message}`);
    }
  }
  if (problems.length) fail(problems.join('\n'));
  return `${cases.length} requests`;
});

test('validation writes nothing: a refused user create or update leaves no trace', async ({ client }) => {
  const users0 = await total(client, 'admin', '/api/v1/users');
  const audit0 = await total(client, 'admin', '/api/v1/audit');
  const roles = await client.call('GET', '/api/v1/roles?code=agent', { as: 'admin' });
  const agentRole = roles.json.items.find((r) => r.code === 'agent');
  const good = { username: 'val_user', display_name: '校验', role_id: agentRole.id, password: 'valid-Pass-1' };
  const bad = [
    [{ ...good, username: 'Bad User' }, 'username'],
    [{ ...good, username: '' }, 'username'],
    [{ ...good, username: 'u'.repeat(33) }, 'username'],
    [{ ...good, display_name: '   ' }, 'display_name'],
    [{ ...good, role_id: 999999 }, 'role_id'],
    [{ ...good, role_id: '2' }, 'role_id'],
    [{ ...good, password: 'short' }, 'password'],
    [{ ...good, project_ids: [999999] }, 'project_ids'],
    [{ ...good, project_ids: 'all' }, 'project_ids'],
    [{ ...good, all_projects: 'yes' }, 'all_projects'],
    [{ ...good, nickname: 'x' }, 'nickname'],
    [{ ...good, failed_logins: 3 }, 'failed_logins'],
    [{ ...good, display_name: 'a\u0001b' }, 'display_name'],
  ];
  const problems = [];
  for (const [body, field] of bad) {
    const res = await client.call('POST', '/api/v1/users', { as: 'admin', body });
    try {
      expectError(res, 422, 'invalid', field);
    } catch (e) {
      problems.push(`POST /users with bad ${field} (${short(body[field], 40)}): ${e.message}`);
    }
  }
  // An update whose check fails after the row was written (disabling
  // oneself) must roll back the whole request.
  const me = (await client.session('admin')).user;
  const before = await client.call('GET', `/api/v1/users/${me.id}`, { as: 'admin' });
  const res = await client.call('PATCH', `/api/v1/users/${me.id}`, { as: 'admin', body: { display_name: '被改掉的名字', status: 'disabled', project_ids: [1] } });
  try {
    expectError(res, 422, 'invalid', 'status');
  } catch (e) {
    problems.push(`PATCH own user to disabled: ${e.message}`);
  }
  const after = await client.call('GET', `/api/v1/users/${me.id}`, { as: 'admin' });
  if (after.json.display_name !== before.json.display_name || after.json.status !== before.json.status || JSON.stringify(after.json.project_ids) !== JSON.stringify(before.json.project_ids))
    problems.push(`refused PATCH changed the user: before ${short(before.json)}, after ${short(after.json)}`);
  const users1 = await total(client, 'admin', '/api/v1/users');
  const audit1 = await total(client, 'admin', '/api/v1/audit');
  if (users1 !== users0) problems.push(`user count ${users0} → ${users1}`);
  if (audit1 !== audit0) problems.push(`audit row count ${audit0} → ${audit1}`);
  if (problems.length) fail(problems.join('\n'));
  return `${bad.length + 1} refused writes`;
});

test('authorization walk: every route of `anjia routes` checked for 401 and 403', async ({ bin, env, client }) => {
  const r = runBinClean(bin, ['routes'], env);
  assert(r.status === 0, `anjia routes exited ${r.status}: ${r.stderr}`);
  const routes = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert(routes.length > 10, `only ${routes.length} routes`);
  for (const rt of routes) assert(typeof rt.method === 'string' && typeof rt.path === 'string' && (rt.perm === null || typeof rt.perm === 'string'), `bad route line ${short(rt)}`);

  // A user whose role has no permission at all, for the permissions that
  // every demo role holds (project.read, building.read, unit.read).
  const role = await client.call('POST', '/api/v1/roles', { as: 'admin', body: { code: 'walk_none', name: '无权限', permissions: [] } });
  expectStatus(role, 201, 'create role walk_none');
  await createUser(client, 'walk_none', 'walk_none');

  const perms = new Map();
  for (const u of [...DEMO_USERS, 'walk_none', 'admin']) {
    await client.session(u);
    const me = await client.call('GET', '/api/v1/me', { as: u });
    expectStatus(me, 200, `GET /me as ${u}`);
    perms.set(u, new Set(me.json.user.permissions));
  }
  assert(perms.get('walk_none').size === 0, `walk_none has permissions ${[...perms.get('walk_none')]}`);
  const catalogue = await client.call('GET', '/api/v1/permissions', { as: 'admin' });
  expectStatus(catalogue, 200, 'GET /permissions');
  const codes = new Set(catalogue.json.items.map((i) => i.code));
  for (const rt of routes) {
    if (rt.perm && !codes.has(rt.perm)) fail(`${rt.method} ${rt.path} needs "${rt.perm}", which /permissions does not list`);
  }

  const problems = [];
  const counts = { routes: routes.length, public: 0, unauth: 0, forbidden: 0, allowed: 0, viaNoPermUser: 0 };
  const seen = new Map();
  const duplicates = [];
  for (const rt of routes) {
    const key = `${rt.method} ${rt.path}`;
    if (seen.has(key)) {
      // Shadowed by an earlier route of the table; harmless only if both
      // want the same permission.
      if (seen.get(key) !== rt.perm) problems.push(`${key} listed twice with different permissions: ${seen.get(key)} and ${rt.perm}`);
      duplicates.push(key);
      continue;
    }
    seen.set(key, rt.perm);
    // Every path parameter ({id}, {doc}, …) becomes 1.
    const p = rt.path.replace(/\{[a-z_]+\}/g, '1');
    assert(!/[{}]/.test(p), `unexpanded placeholder in ${rt.path}`);
    const body = UNSAFE.has(rt.method) ? {} : undefined;
    const check = async (label, opts, fn) => {
      const res = await client.call(rt.method, p, { ...opts, body });
      try {
        fn(res);
      } catch (e) {
        problems.push(`${key} ${label}: ${e.message}`);
      }
    };
    if (rt.perm === null) {
      counts.public++;
      await check('without a token', {}, (res) => {
        assert(res.status !== 401 && res.status !== 403 && res.status < 500, `public route answered ${res.status} ${short(res.text)}`);
      });
      continue;
    }
    counts.unauth++;
    await check('without a token', {}, (res) => expectError(res, 401, 'unauthenticated'));
    await check('with a bogus token', { token: 'bogus-token-value' }, (res) => expectError(res, 401, 'unauthenticated'));
    if (rt.perm !== '') {
      const lacking = [...DEMO_USERS, 'walk_none'].find((u) => !perms.get(u).has(rt.perm));
      if (!lacking) {
        problems.push(`${key}: no user lacks ${rt.perm}`);
      } else {
        counts.forbidden++;
        if (lacking === 'walk_none') counts.viaNoPermUser++;
        await check(`as ${lacking} (lacks ${rt.perm})`, { as: lacking }, (res) => expectError(res, 403, 'forbidden'));
      }
    }
    // Someone allowed (admin where admin holds it; personal-data routes are
    // the manager's) gets through authorization (writes get an empty body:
    // 422 or a no-op; logout uses a throwaway session).
    const holder = rt.perm ? ['admin', ...DEMO_USERS].find((u) => perms.get(u).has(rt.perm)) : 'admin';
    if (!holder) {
      problems.push(`${key}: no user holds ${rt.perm}`);
      continue;
    }
    counts.allowed++;
    let opts = { as: holder };
    if (rt.path === '/api/v1/logout') opts = { token: (await login(client, 'admin', ADMIN_PASSWORD)).json.token };
    // A record route may answer 404 when record 1 does not exist; a
    // collection route may not.
    const refused = rt.path.includes('{id}') ? [401, 403, 405] : [401, 403, 404, 405];
    await check(`as ${holder}`, opts, (res) => {
      assert(!refused.includes(res.status) && res.status < 500, `allowed caller got ${res.status} ${short(res.text)}`);
    });
  }
  if (problems.length) fail(`${problems.length} problems:\n${problems.join('\n')}`);
  return `${counts.routes} routes${duplicates.length ? ` (listed twice: ${duplicates.join(', ')})` : ''}: ${counts.public} public, ${counts.unauth} checked for 401, ${counts.forbidden} for 403 (${counts.viaNoPermUser} via a no-permission user), ${counts.allowed} allowed`;
});

test('project scope: lists, filters and records stay within the caller\'s projects', async ({ client }) => {
  const me = await client.call('GET', '/api/v1/me', { as: 'agent' });
  expectStatus(me, 200, '/me');
  const mine = new Set(me.json.user.projects.map((p) => p.id));
  assert(mine.size === 2 && me.json.user.all_projects === false, `agent projects ${short(me.json.user.projects)}`);
  const all = await listAll(client, 'admin', '/api/v1/projects');
  const outside = all.items.filter((p) => !mine.has(p.id) && p.unit_count > 0);
  assert(outside.length > 0, 'no project with units outside the agent\'s scope; cannot test');
  const other = outside[0].id;

  // Units: every row of the agent's list is in scope, and the count adds up.
  const units = await listAll(client, 'agent', '/api/v1/units');
  const bad = units.items.filter((u) => !mine.has(u.project_id));
  assert(bad.length === 0, `agent sees ${bad.length} units of other projects, e.g. ${short(bad[0])}`);
  let expected = 0;
  for (const pid of mine) expected += await total(client, 'admin', `/api/v1/units?project_id=${pid}`);
  assert(units.items.length === expected && units.total === expected, `agent lists ${units.items.length} units (total ${units.total}); admin counts ${expected} in its projects`);
  // newest first as well (the out-of-scope rows have the highest ids)
  const desc = await client.call('GET', '/api/v1/units?sort=-id&limit=50', { as: 'agent' });
  expectStatus(desc, 200, 'units sort=-id');
  assert(desc.json.items.every((u) => mine.has(u.project_id)), 'sort=-id shows out-of-scope units');

  const buildings = await listAll(client, 'agent', '/api/v1/buildings');
  assert(buildings.items.length > 0 && buildings.items.every((b) => mine.has(b.project_id)), `agent buildings: ${short(buildings.items.map((b) => b.project_id))}`);
  const projects = await listAll(client, 'agent', '/api/v1/projects');
  assert(projects.items.length === mine.size && projects.items.every((p) => mine.has(p.id)), `agent projects list: ${short(projects.items.map((p) => p.id))}`);
  const agentCustomers = await total(client, 'agent', '/api/v1/customers');
  const allCustomers = await total(client, 'admin', '/api/v1/customers');
  assert(agentCustomers > 0 && agentCustomers < allCustomers, `agent sees ${agentCustomers} of ${allCustomers} customers`);

  // A filter outside the scope is 403, inside fine.
  expectError(await client.call('GET', `/api/v1/units?project_id=${other}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/buildings?project_id=${other}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/customers?project_id=${other}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/projects?project_id=${other}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/units/export.xlsx?project_id=${other}`, { as: 'agent' }), 403, 'forbidden');
  expectStatus(await client.call('GET', `/api/v1/units?project_id=${[...mine][0]}`, { as: 'agent' }), 200, 'in-scope filter');

  // Records of another project are 403.
  const ou = await client.call('GET', `/api/v1/units?project_id=${other}&limit=1`, { as: 'admin' });
  expectStatus(ou, 200, 'admin units of other project');
  const foreignUnit = ou.json.items[0];
  assert(foreignUnit, `project ${other} has no units`);
  expectError(await client.call('GET', `/api/v1/units/${foreignUnit.id}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/buildings/${foreignUnit.building_id}`, { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/projects/${other}`, { as: 'agent' }), 403, 'forbidden');
  expectStatus(await client.call('GET', `/api/v1/units/${units.items[0].id}`, { as: 'agent' }), 200, 'in-scope unit');
  // A customer who owns only units outside the scope.
  const ownerName = foreignUnit.owner_name;
  const cust = await listAll(client, 'admin', '/api/v1/customers');
  const agentCust = new Set((await listAll(client, 'agent', '/api/v1/customers')).items.map((c) => c.id));
  const foreignCustomer = cust.items.find((c) => !agentCust.has(c.id));
  assert(foreignCustomer, `no customer outside the agent's scope (owner ${ownerName})`);
  expectError(await client.call('GET', `/api/v1/customers/${foreignCustomer.id}`, { as: 'agent' }), 403, 'forbidden');

  // Engineer: one project. Manager: all.
  const eng = await client.call('GET', '/api/v1/me', { as: 'engineer' });
  const engProjects = new Set(eng.json.user.projects.map((p) => p.id));
  assert(engProjects.size === 1, `engineer projects ${short(eng.json.user.projects)}`);
  const engUnits = await listAll(client, 'engineer', '/api/v1/units');
  assert(engUnits.items.every((u) => engProjects.has(u.project_id)), 'engineer sees units of other projects');
  const allUnits = await total(client, 'admin', '/api/v1/units');
  assert((await total(client, 'manager', '/api/v1/units')) === allUnits, 'manager (all projects) does not see every unit');
  expectStatus(await client.call('GET', `/api/v1/units/${foreignUnit.id}`, { as: 'manager' }), 200, 'manager reads any unit');
  return `agent ${units.items.length}/${allUnits} units`;
});

test('export: xlsx with Chinese headers, scoped rows, export permission', async ({ client }) => {
  const res = await client.call('GET', '/api/v1/units/export.xlsx', { as: 'admin', timeoutMs: 30000 });
  expectStatus(res, 200, 'admin units export');
  assert(/spreadsheetml/.test(res.headers['content-type'] || ''), `content-type ${res.headers['content-type']}`);
  assert(res.buf.subarray(0, 2).toString('latin1') === 'PK', `body starts with ${short(res.buf.subarray(0, 8).toString('latin1'))}`);
  assert(/attachment/.test(res.headers['content-disposition'] || ''), `content-disposition ${res.headers['content-disposition']}`);
  const x = readXlsx(res.buf);
  const allUnits = await total(client, 'admin', '/api/v1/units');
  assert(x.rows === allUnits + 1, `admin export has ${x.rows} rows, want ${allUnits} + header`);
  for (const h of ['房号', '楼层', '状态']) assert(x.strings.includes(h), `no header "${h}" in the export; strings ${short(x.strings.slice(0, 20))}`);
  assert(!x.strings.includes('room_code'), 'export carries English field names');

  // The agent's export has only its rows; filters apply.
  const agentTotal = await total(client, 'agent', '/api/v1/units');
  const ax = await client.call('GET', '/api/v1/units/export.xlsx', { as: 'agent' });
  expectStatus(ax, 200, 'agent units export');
  const arows = readXlsx(ax.buf).rows;
  assert(arows === agentTotal + 1, `agent export has ${arows} rows, want ${agentTotal} + header`);
  const unsold = await total(client, 'agent', '/api/v1/units?status=unsold');
  const fx = await client.call('GET', '/api/v1/units/export.xlsx?status=unsold', { as: 'agent' });
  expectStatus(fx, 200, 'filtered export');
  assert(readXlsx(fx.buf).rows === unsold + 1, `filtered export rows ${readXlsx(fx.buf).rows}, want ${unsold} + header`);
  expectError(await client.call('GET', '/api/v1/units/export.xlsx?bogus=1', { as: 'agent' }), 400, 'bad_request');

  // Users export: password hashes never leave.
  const ux = await client.call('GET', '/api/v1/users/export.xlsx', { as: 'admin' });
  expectStatus(ux, 200, 'users export');
  const uxml = [...readXlsx(ux.buf).files.values()].map((b) => b.toString('utf8')).join('\n');
  assert(!uxml.includes('$argon2'), 'users export contains password hashes');
  expectError(await client.call('GET', '/api/v1/users/export.xlsx', { as: 'agent' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/users/export.xlsx', { as: 'manager' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/units/export.xlsx', { as: 'engineer' }), 403, 'forbidden');
  expectError(await client.call('GET', '/api/v1/units/export.xlsx'), 401, 'unauthenticated');
  return `${allUnits} units`;
});

test('audit trail: verify passes; an altered, deleted or truncated row is caught', async ({ bin, env, tmp, db, keyFile, client }) => {
  // A change through the API first.
  const res = await client.call('POST', '/api/v1/projects', { as: 'admin', body: { code: 'AUD1', name: '审计测试项目' } });
  expectStatus(res, 201, 'create project');
  const trail = await client.call('GET', `/api/v1/audit?entity=projects&entity_id=${res.json.id}`, { as: 'admin' });
  expectStatus(trail, 200, 'audit list');
  assert(trail.json.items.some((i) => i.action === 'create' && i.username === 'admin'), `no create record: ${short(trail.json)}`);

  const ok = runBinClean(bin, ['audit', 'verify', '--db', db], env);
  assert(ok.status === 0, `verify of the live database exited ${ok.status}: ${ok.stdout}${ok.stderr}`);

  // Tamper with copies only: the running server keeps its database.
  const copy = (name, sql) => {
    const target = dbCopy(db, name, tmp);
    if (sql) dbSql(target, sql);
    return target;
  };
  const verify = (file) => {
    const r = runBin(bin, ['audit', 'verify', '--db', file, '--key-file', keyFile], env);
    if (/AddressSanitizer|runtime error/.test(r.stderr)) fail(`audit verify: sanitizer report:\n${r.stderr}`);
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const rows = Number(dbSql(db, 'SELECT COUNT(*) FROM audit_log'));
  assert(rows >= 8, `only ${rows} audit rows`);

  const intact = verify(copy('copy-intact.db'));
  assert(intact.status === 0, `verify of an untouched copy exited ${intact.status}: ${intact.out}`);
  const altered = verify(copy('copy-altered.db', "UPDATE audit_log SET username='x' WHERE id=3"));
  assert(altered.status !== 0, `altered row 3: verify exited 0: ${altered.out}`);
  assert(/\brow 3\b/.test(altered.out), `altered row 3: output does not name row 3: ${altered.out}`);
  const alteredJson = verify(copy('copy-altered2.db', `UPDATE audit_log SET after_json='{"x":1}' WHERE id=${rows - 1}`));
  assert(alteredJson.status !== 0 && new RegExp(`\\brow ${rows - 1}\\b`).test(alteredJson.out), `altered after_json of row ${rows - 1}: ${alteredJson.status} ${alteredJson.out}`);
  const deleted = verify(copy('copy-deleted.db', 'DELETE FROM audit_log WHERE id=5'));
  assert(deleted.status !== 0, `deleted row 5: verify exited 0: ${deleted.out}`);
  assert(/\brow [56]\b/.test(deleted.out), `deleted row 5: output names neither row 5 nor row 6: ${deleted.out}`);
  const truncated = verify(copy('copy-truncated.db', `DELETE FROM audit_log WHERE id=(SELECT MAX(id) FROM audit_log)`));
  assert(truncated.status !== 0, `deleted the last row: verify exited 0: ${truncated.out}`);
  // The live database is still fine and still served.
  assert(runBinClean(bin, ['audit', 'verify', '--db', db], env).status === 0, 'live database no longer verifies');
  expectStatus(await client.call('GET', '/api/v1/audit?limit=1', { as: 'admin' }), 200, 'audit list after tampering with copies');
  return `${rows} rows`;
});

test('lockout counts failures in a row: a good login resets the count', async ({ client }) => {
  const u = await createUser(client, 'lock_user2', 'agent');
  const statuses = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++) statuses.push((await login(client, 'lock_user2', 'wrong-password')).status);
    const good = await login(client, 'lock_user2', u.password);
    statuses.push(good.status);
  }
  assert(statuses.join(',') === '401,401,401,401,200,401,401,401,401,200', `statuses ${statuses.join(',')}; want 4×401 then 200, twice`);
});

test('filters: date and number ranges are inclusive', async ({ client }) => {
  const last = await client.call('GET', '/api/v1/audit?limit=1', { as: 'admin' });
  expectStatus(last, 200, 'audit newest');
  const { id, at } = last.json.items[0];
  assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(at), `audit at ${short(at)}`);
  const day = at.slice(0, 10);
  for (const q of [`at_from=${at}&at_to=${at}`, `at_to=${day}`, `at_from=${day}`, `at_from=${day}&at_to=${day}`]) {
    const r = await client.call('GET', `/api/v1/audit?${q}&limit=200&sort=-id`, { as: 'admin' });
    expectStatus(r, 200, `audit?${q}`);
    assert(r.json.items.some((i) => i.id === id), `audit?${q} does not include row ${id} (at ${at})`);
  }
  const eq = await total(client, 'admin', '/api/v1/units?floor=3');
  const rng = await client.call('GET', '/api/v1/units?floor_from=3&floor_to=3&limit=200', { as: 'admin' });
  expectStatus(rng, 200, 'floor_from=3&floor_to=3');
  assert(eq > 0 && rng.json.total === eq && rng.json.items.every((u) => u.floor === 3), `floor 3..3 gives ${rng.json.total}, floor=3 gives ${eq}`);
});

test('sessions: shared by servers on one database, end after 480 idle minutes, Secure cookie option', async ({ bin, env, db, tmp, client, server }) => {
  const u = await createUser(client, 'idle_user', 'agent');
  const b = await startServer(bin, env, db, path.join(tmp, 'access-b.log'), ['--cookie-secure', 'true']);
  try {
    const other = new Client(b.base);
    const s1 = await login(client, 'idle_user', u.password); // on server A
    expectStatus(s1, 200, 'login on A');
    const s2 = await login(other, 'idle_user', u.password); // on server B
    expectStatus(s2, 200, 'login on B');
    const cookie = setCookies(s2).find((c) => c.startsWith('anjia_session='));
    assert(cookie && /;\s*Secure(;|$)/i.test(cookie), `--cookie-secure true: cookie ${short(cookie)}`);
    assert(!/;\s*Secure(;|$)/i.test(setCookies(s1).join('\n')), `default server marks the cookie Secure: ${short(setCookies(s1))}`);
    expectStatus(await other.call('GET', '/api/v1/me', { token: s1.json.token }), 200, 'A\'s session on B');
    expectStatus(await client.call('GET', '/api/v1/me', { token: s2.json.token }), 200, 'B\'s session on A');
    // Age the sessions in the database: s1 481 idle minutes, s2 479.
    const sql = (q) => dbSql(db, q);
    const ids = sql(`SELECT id FROM sessions WHERE user_id = ${u.id} ORDER BY id`).split('\n').map(Number);
    assert(ids.length === 2, `sessions of idle_user: ${ids.join(',')}`);
    sql(`UPDATE sessions SET last_seen = last_seen - ${481 * 60} WHERE id = ${ids[0]}`);
    sql(`UPDATE sessions SET last_seen = last_seen - ${479 * 60} WHERE id = ${ids[1]}`);
    expectError(await client.call('GET', '/api/v1/me', { token: s1.json.token }), 401, 'unauthenticated');
    expectError(await other.call('GET', '/api/v1/me', { token: s1.json.token }), 401, 'unauthenticated');
    expectStatus(await client.call('GET', '/api/v1/me', { token: s2.json.token }), 200, 'session idle 479 minutes');
  } finally {
    const exit = await b.stop();
    if (SANITIZER_RE.test(b.stderr)) fail(`second server: sanitizer report:\n${b.stderr.slice(0, 3000)}`);
    assert(exit.code === 0, `second server exit ${exit.code ?? exit.signal}`);
  }
  assert(server.alive(), 'main server died');
});

test('concurrency: parallel logins, reads and writes all succeed', async ({ client }) => {
  const logins = await Promise.all(
    ['admin', 'admin', 'agent', 'manager', 'contract', 'finance'].map((u) => login(client, u, u === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD)),
  );
  const badLogin = logins.filter((r) => r.status !== 200);
  assert(badLogin.length === 0, `parallel logins: ${logins.map((r) => r.status).join(',')}; ${short(badLogin[0] && badLogin[0].text)}`);
  const paths = ['/api/v1/units?limit=50', '/api/v1/customers', '/api/v1/projects', '/api/v1/buildings', '/api/v1/me', '/api/v1/meta/nav', '/api/v1/units?q=1-1', '/api/v1/customers?sort=name'];
  const reads = await Promise.all(Array.from({ length: 40 }, (_, i) => client.call('GET', paths[i % paths.length], { token: logins[i % logins.length].json.token })));
  const badRead = reads.find((r) => r.status !== 200);
  assert(!badRead, `parallel reads: ${reads.map((r) => r.status).join(',')}; ${short(badRead && badRead.text)}`);
  const before = await total(client, 'admin', '/api/v1/projects');
  const writes = await Promise.all(
    Array.from({ length: 12 }, (_, i) => client.call('POST', '/api/v1/projects', { as: 'admin', body: { code: `PAR${String(i).padStart(2, '0')}`, name: `并发项目${i}` } })),
  );
  const badWrite = writes.find((r) => r.status !== 201);
  assert(!badWrite, `parallel creates: ${writes.map((r) => r.status).join(',')}; ${short(badWrite && badWrite.text)}`);
  assert(new Set(writes.map((r) => r.json.id)).size === 12, 'parallel creates returned duplicate ids');
  assert((await total(client, 'admin', '/api/v1/projects')) === before + 12, 'project count did not grow by 12');
  const pid = writes[0].json.id;
  const patches = await Promise.all(Array.from({ length: 10 }, (_, i) => client.call('PATCH', `/api/v1/projects/${pid}`, { as: 'admin', body: { city: `城市${i}` } })));
  const badPatch = patches.find((r) => r.status !== 200);
  assert(!badPatch, `parallel patches: ${patches.map((r) => r.status).join(',')}; ${short(badPatch && badPatch.text)}`);
  // Same unique key at once: exactly one wins, the others are 409.
  const dup = await Promise.all(Array.from({ length: 6 }, () => client.call('POST', '/api/v1/projects', { as: 'admin', body: { code: 'SAME1', name: '同时创建' } })));
  const st = dup.map((r) => r.status).sort();
  assert(st.filter((s) => s === 201).length === 1 && st.filter((s) => s === 409).length === 5, `6 parallel creates of one code: ${st.join(',')}`);
  for (const r of dup) if (r.status === 409) expectError(r, 409, 'conflict');
  return '6 logins, 40 reads, 28 writes';
});

test('graceful stop: SIGTERM lets the request in flight finish, then exit 0', async ({ server }) => {
  const port = Number(new URL(server.base).port);
  const body = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
  const half = Math.floor(body.length / 2);
  const sock = net.connect(port, '127.0.0.1');
  const chunks = [];
  const closed = new Promise((resolve) => {
    sock.on('data', (d) => chunks.push(d));
    sock.on('close', resolve);
    sock.on('error', resolve);
  });
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  // Headers and half the body: the request is in flight.
  sock.write(`POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`);
  await sleep(300);
  countRequest(new URL(server.base).origin); // for the access-log test
  server.proc.kill('SIGTERM');
  await sleep(300);
  assert(server.alive(), `server exited (${server.exitCode ?? server.exitSignal}) with a request in flight`);
  sock.end(body.slice(half));
  const t0 = Date.now();
  await Promise.race([closed, sleep(10000)]);
  const raw = Buffer.concat(chunks).toString('utf8');
  const m = raw.match(/^HTTP\/1\.[01] (\d{3})/);
  assert(m, `no HTTP response to the in-flight request: ${short(raw)}`);
  assert(m[1] === '200', `in-flight request answered ${m[1]}: ${short(raw)}`);
  const sep = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, sep);
  const payload = raw.slice(sep + 4);
  const cl = head.match(/content-length:\s*(\d+)/i);
  assert(cl && Number(cl[1]) === Buffer.byteLength(payload), `incomplete body: content-length ${cl && cl[1]}, got ${Buffer.byteLength(payload)} bytes`);
  let j;
  try {
    j = JSON.parse(payload);
  } catch {
    fail(`in-flight response is not JSON: ${short(payload)}`);
  }
  assert(typeof j.token === 'string', `in-flight login reply ${short(j)}`);
  const exit = await Promise.race([server.exited, sleep(10000).then(() => null)]);
  assert(exit, `server still running 10 s after the last request (sent SIGTERM ${Date.now() - t0 + 600} ms ago)`);
  assert(exit.code === 0, `server exit: code ${exit.code}, signal ${exit.signal}`);
  return `exited 0 ${Date.now() - t0} ms after the reply`;
}, { stopsServer: true });

test(
  'access log: one JSON line per request with method, path, status, ms',
  async ({ server, client }) => {
    const text = fs.readFileSync(server.accessLog, 'utf8');
    const lines = text.split('\n').filter((l) => l.length);
    const problems = [];
    const entries = [];
    lines.forEach((l, i) => {
      let o;
      try {
        o = JSON.parse(l);
      } catch {
        problems.push(`line ${i + 1} is not JSON: ${short(l)}`);
        return;
      }
      entries.push(o);
      if (typeof o.method !== 'string' || !o.method) problems.push(`line ${i + 1}: method ${short(o.method)}`);
      if (typeof o.path !== 'string' || !o.path.startsWith('/')) problems.push(`line ${i + 1}: path ${short(o.path)}`);
      if (!Number.isInteger(o.status) || o.status < 100 || o.status > 599) problems.push(`line ${i + 1}: status ${short(o.status)}`);
      if (typeof o.ms !== 'number' || !(o.ms >= 0)) problems.push(`line ${i + 1}: ms ${short(o.ms)}`);
    });
    const sent = stats.requests.get(new URL(server.base).origin) || 0;
    if (lines.length !== sent) problems.push(`${lines.length} lines for ${sent} requests`);
    const has = (want) => entries.some((e) => Object.entries(want).every(([k, v]) => e[k] === v));
    for (const want of [
      { method: 'POST', path: '/api/v1/login', status: 200 },
      { method: 'GET', path: '/api/v1/health', status: 200 },
      { method: 'POST', path: '/api/v1/login', status: 423 },
      { method: 'POST', path: '/api/v1/login', status: 413 },
      { method: 'GET', path: '/api/v1/nope', status: 404 },
      { method: 'GET', path: '/api/v1/units/export.xlsx', status: 200 },
    ])
      if (!has(want)) problems.push(`no line like ${short(want)}`);
    const secrets = [ADMIN_PASSWORD, DEMO_PASSWORD, ...[...client.sessions.values()].map((x) => x.token)];
    if (secrets.some((sec) => text.includes(sec))) problems.push('the access log contains a password or a session token');
    if (problems.length) fail(problems.slice(0, 20).join('\n'));
    return `${lines.length} lines`;
  },
  { afterStop: true },
);
