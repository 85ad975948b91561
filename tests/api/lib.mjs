// lib.mjs - the pieces shared by the data-driven cases and the scripted
// tests: an HTTP client on node:http (full control over bodies, headers and
// broken connections), a login cache, the subset matcher, ${var}
// substitution and the error-body shape check. Standard library only.

import http from 'node:http';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export const ADMIN_PASSWORD = 'admin-pass-1';
export const DEMO_PASSWORD = 'demo-pass-1';
export const DEMO_USERS = ['agent', 'contract', 'mortgage', 'manager', 'engineer', 'finance', 'property', 'director', 'supervisor'];

/** A failed expectation. The runner prints its message after "not ok - name: ". */
export class Failure extends Error {}

export function fail(msg) {
  throw new Failure(msg);
}

export function assert(cond, msg) {
  if (!cond) fail(msg);
}

export function short(v, max = 300) {
  let s;
  try {
    s = typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = String(v);
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/*---- HTTP ---------------------------------------------------------------*/

/**
 * One HTTP request. opts: method, path, headers, body (Buffer|string|
 * undefined), chunked (send without Content-Length), timeoutMs.
 * Resolves {status, headers, buf, text, json, ms}; json is undefined when the
 * body is not JSON. A response that arrives before the request body was fully
 * written still counts (the server may answer 413 and close early).
 */
/** Requests sent, per server origin ("http://127.0.0.1:PORT"). */
export const stats = { requests: new Map() };
export function countRequest(origin) {
  stats.requests.set(origin, (stats.requests.get(origin) || 0) + 1);
}

export function rawRequest(base, opts) {
  const url = new URL(opts.path, base);
  countRequest(url.origin);
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (typeof body === 'string') body = Buffer.from(body, 'utf8');
  if (body && !opts.chunked && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new Failure(`${opts.method} ${opts.path}: no response within ${opts.timeoutMs || 15000} ms`));
    }, opts.timeoutMs || 15000);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method || 'GET',
        path: url.pathname + url.search,
        headers,
        agent: false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          let json;
          const ct = String(res.headers['content-type'] || '');
          if (ct.includes('json') && text.length) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode, headers: res.headers, buf, text, json, ms: performance.now() - started });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('error', (e) => {
      // EPIPE / ECONNRESET after the server already answered are expected
      // (413 closes the connection); before any answer they are failures.
      setTimeout(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Failure(`${opts.method} ${opts.path}: ${e.code || e.message}`));
      }, 200);
    });
    if (body) {
      if (opts.chunked) {
        // Several writes so the server sees a stream, not one buffer.
        const step = 256 * 1024;
        for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      } else {
        req.write(body);
      }
    }
    req.end();
  });
}

/*---- The client: logins cached per user ---------------------------------*/

export class Client {
  constructor(base) {
    this.base = base;
    this.sessions = new Map(); // username -> {token, csrf, user, cookie}
    this.passwords = new Map([['admin', ADMIN_PASSWORD]]);
    for (const u of DEMO_USERS) this.passwords.set(u, DEMO_PASSWORD);
    this.loginCount = 0;
  }

  /** Register credentials of a user created during the run. */
  addUser(username, password) {
    this.passwords.set(username, password);
    this.sessions.delete(username);
  }

  /** Log in once per user; returns {token, csrf, user, cookie}. */
  async session(username) {
    if (this.sessions.has(username)) return this.sessions.get(username);
    const password = this.passwords.get(username);
    if (password === undefined) fail(`no password known for user "${username}"`);
    let res;
    for (let attempt = 0; attempt < 5; attempt++) {
      res = await this.call('POST', '/api/v1/login', { body: { username, password } });
      if (res.status !== 429) break; // busy: too many concurrent hashes
      await new Promise((r) => setTimeout(r, 100));
    }
    this.loginCount++;
    if (res.status !== 200 || !res.json || typeof res.json.token !== 'string')
      fail(`login as ${username}: ${res.status} ${short(res.text)}`);
    const setCookie = [].concat(res.headers['set-cookie'] || []);
    const m = setCookie.join('\n').match(/anjia_session=([^;]*)/);
    const s = { token: res.json.token, csrf: res.json.csrf, user: res.json.user, cookie: m ? `anjia_session=${m[1]}` : null };
    this.sessions.set(username, s);
    return s;
  }

  /**
   * A JSON API call. opts: as (username: bearer auth), token, cookie,
   * csrf, headers, body (JSON-encoded unless Buffer/string with raw: true),
   * raw (string or Buffer sent as is), chunked, timeoutMs.
   */
  async call(method, path, opts = {}) {
    const headers = { Accept: 'application/json', ...(opts.headers || {}) };
    if (opts.as) {
      const s = await this.session(opts.as);
      headers.Authorization = `Bearer ${s.token}`;
    }
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.Cookie = opts.cookie;
    if (opts.csrf) headers['X-CSRF-Token'] = opts.csrf;
    let body;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
    return rawRequest(this.base, { method, path, headers, body, chunked: opts.chunked, timeoutMs: opts.timeoutMs });
  }
}

/*---- Expectations --------------------------------------------------------*/

/**
 * Every error body is exactly {"error":{"code","message","field"}}: code a
 * non-empty string, message a non-empty string, field a string or null.
 * Returns null when fine, else a description.
 */
export function errorShapeProblem(res) {
  const j = res.json;
  if (j === undefined) return `error body is not JSON (content-type ${res.headers['content-type']}): ${short(res.text)}`;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return `error body is not an object: ${short(j)}`;
  const top = Object.keys(j);
  if (top.length !== 1 || top[0] !== 'error') return `error body has keys ${short(top)}, want exactly ["error"]`;
  const e = j.error;
  if (!e || typeof e !== 'object' || Array.isArray(e)) return `"error" is not an object: ${short(e)}`;
  const keys = Object.keys(e).sort();
  if (!isDeepStrictEqual(keys, ['code', 'field', 'message'])) return `error object has keys ${short(keys)}, want code, message, field`;
  if (typeof e.code !== 'string' || !e.code) return `error.code is not a non-empty string: ${short(e.code)}`;
  if (typeof e.message !== 'string' || !e.message) return `error.message is not a non-empty string: ${short(e.message)}`;
  if (!/[\u4e00-\u9fff]/.test(e.message)) return `error.message is not Chinese: ${short(e.message)}`;
  if (!(e.field === null || typeof e.field === 'string')) return `error.field is neither string nor null: ${short(e.field)}`;
  return null;
}

/** Assert status and, for errors, the documented shape, code and field. */
export function expectError(res, status, code, field) {
  const what = `${res.status} ${short(res.text)}`;
  assert(res.status === status, `status ${res.status}, want ${status}; body ${short(res.text)}`);
  const p = errorShapeProblem(res);
  if (p) fail(p);
  if (code !== undefined) assert(res.json.error.code === code, `error.code "${res.json.error.code}", want "${code}" (${what})`);
  if (field !== undefined) assert(res.json.error.field === field, `error.field ${short(res.json.error.field)}, want ${short(field)} (${what})`);
}

export function expectStatus(res, status, label = '') {
  assert(res.status === status, `${label}${label ? ': ' : ''}status ${res.status}, want ${status}; body ${short(res.text)}`);
}

const TYPES = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
};

function isOperatorObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0 && Object.keys(x).every((k) => k.startsWith('$'));
}

/**
 * Recursive subset match; returns null or the first mismatch as
 * "path: description". Rules (see README.md):
 *  - scalars: strict equality;
 *  - objects: every listed key must match; other keys are ignored;
 *    {"$absent": true} as a value means the key must not be present;
 *  - arrays: exact length, element by element;
 *  - operator objects (all keys start with $), combinable:
 *    $type, $contains (array has, for each listed pattern, a matching element),
 *    $none (no element matches the pattern), $every (all elements match),
 *    $length, $minLength, $regex, $in (value equals one of the list),
 *    $gte / $lte (numbers or strings), $ne (not deep-equal), $exact (deep-equal,
 *    no extra keys), $sorted ("field" / "-field": array of objects ordered).
 */
export function match(expected, actual, path = '$') {
  if (isOperatorObject(expected)) {
    for (const [op, arg] of Object.entries(expected)) {
      let p = null;
      switch (op) {
        case '$absent':
          p = `$absent only works as an object member value`;
          if (arg === true && actual === undefined) p = null;
          break;
        case '$type': {
          const types = [].concat(arg);
          if (!types.some((t) => TYPES[t] && TYPES[t](actual))) p = `want type ${types.join('|')}, got ${short(actual)}`;
          break;
        }
        case '$contains':
          if (!Array.isArray(actual)) p = `want an array, got ${short(actual)}`;
          else
            for (const want of [].concat(arg)) {
              if (!actual.some((a) => match(want, a) === null)) {
                p = `no element matches ${short(want)}; array: ${short(actual)}`;
                break;
              }
            }
          break;
        case '$none':
          if (!Array.isArray(actual)) p = `want an array, got ${short(actual)}`;
          else {
            const bad = actual.find((a) => match(arg, a) === null);
            if (bad !== undefined) p = `element ${short(bad)} matches ${short(arg)}, want none`;
          }
          break;
        case '$every':
          if (!Array.isArray(actual)) p = `want an array, got ${short(actual)}`;
          else
            for (let i = 0; i < actual.length && !p; i++) {
              const m = match(arg, actual[i], `${path}[${i}]`);
              if (m) return m;
            }
          break;
        case '$length':
          if (!Array.isArray(actual) && typeof actual !== 'string') p = `want an array or string, got ${short(actual)}`;
          else if (actual.length !== arg) p = `length ${actual.length}, want ${arg}`;
          break;
        case '$minLength':
          if (!Array.isArray(actual) && typeof actual !== 'string') p = `want an array or string, got ${short(actual)}`;
          else if (actual.length < arg) p = `length ${actual.length}, want at least ${arg}`;
          break;
        case '$regex':
          if (typeof actual !== 'string' || !new RegExp(arg).test(actual)) p = `${short(actual)} does not match /${arg}/`;
          break;
        case '$in':
          if (!arg.some((x) => isDeepStrictEqual(x, actual))) p = `${short(actual)} is not one of ${short(arg)}`;
          break;
        case '$gte':
          if (!(typeof actual === typeof arg && actual >= arg)) p = `${short(actual)} is not >= ${short(arg)}`;
          break;
        case '$lte':
          if (!(typeof actual === typeof arg && actual <= arg)) p = `${short(actual)} is not <= ${short(arg)}`;
          break;
        case '$sorted': {
          // "field" ascending, "-field" descending; null sorts first (SQLite).
          const desc = arg.startsWith('-');
          const key = desc ? arg.slice(1) : arg;
          if (!Array.isArray(actual)) p = `want an array, got ${short(actual)}`;
          else
            for (let i = 1; i < actual.length && !p; i++) {
              const a = actual[i - 1]?.[key];
              const b = actual[i]?.[key];
              const cmp = a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
              if (desc ? cmp < 0 : cmp > 0)
                p = `not sorted by ${arg}: [${i - 1}].${key}=${short(a)} then [${i}].${key}=${short(b)}`;
            }
          break;
        }
        case '$ne':
          if (isDeepStrictEqual(arg, actual)) p = `value is ${short(actual)}, want anything else`;
          break;
        case '$exact':
          if (!isDeepStrictEqual(arg, actual)) p = `want exactly ${short(arg)}, got ${short(actual)}`;
          break;
        default:
          p = `unknown operator ${op}`;
      }
      if (p) return `${path}: ${p}`;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: want an array, got ${short(actual)}`;
    if (expected.length !== actual.length) return `${path}: array length ${actual.length}, want ${expected.length}: ${short(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = match(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: want an object, got ${short(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const sub = `${path}.${k}`;
      if (isOperatorObject(v) && v.$absent === true) {
        if (Object.prototype.hasOwnProperty.call(actual, k)) return `${sub}: must be absent, is ${short(actual[k])}`;
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(actual, k)) return `${sub}: missing`;
      const m = match(v, actual[k], sub);
      if (m) return m;
    }
    return null;
  }
  if (expected !== actual) return `${path}: ${short(actual)}, want ${short(expected)}`;
  return null;
}

/** Value at a dotted path ("items.0.id", "user.role.code"). */
export function getPath(obj, path) {
  let cur = obj;
  for (const part of String(path).split('.')) {
    if (part === '' || part === '$') continue;
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Replace ${name} in strings, recursively. A string that is exactly
 * "${name}" becomes the saved value itself (so numbers stay numbers).
 */
export function substitute(x, vars) {
  if (typeof x === 'string') {
    const whole = x.match(/^\$\{([A-Za-z0-9_.]+)\}$/);
    if (whole) {
      if (!(whole[1] in vars)) fail(`unknown variable \${${whole[1]}}`);
      return vars[whole[1]];
    }
    return x.replace(/\$\{([A-Za-z0-9_.]+)\}/g, (_, name) => {
      if (!(name in vars)) fail(`unknown variable \${${name}}`);
      const v = vars[name];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(x)) return x.map((e) => substitute(e, vars));
  if (x !== null && typeof x === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(x)) o[k] = substitute(v, vars);
    return o;
  }
  return x;
}

/*---- Running the binary ----------------------------------------------------*/

export const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|runtime error/;

/** Run the anjia binary synchronously; returns {status, stdout, stderr}. */
export function runBin(bin, args, env, timeoutMs = 30000) {
  const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: timeoutMs });
  if (r.error) fail(`${bin} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Like runBin, but a sanitizer report on stderr is a failure. */
export function runBinClean(bin, args, env, timeoutMs) {
  const r = runBin(bin, args, env, timeoutMs);
  if (SANITIZER_RE.test(r.stderr)) fail(`${args.join(' ')}: sanitizer report:\n${r.stderr.slice(0, 2000)}`);
  return r;
}

/**
 * Spawn `anjia serve` on db; resolves once it printed its address to
 * {proc, base, stdout, stderr, exited, alive(), stop()}.
 */
export const liveServers = new Set();

export function startServer(bin, env, db, accessLog, extraArgs = []) {
  const proc = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--access-log', accessLog, ...extraArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    proc,
    stdout: '',
    stderr: '',
    base: null,
    exitCode: undefined,
    exitSignal: undefined,
    db,
    accessLog,
  };
  liveServers.add(server);
  server.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      liveServers.delete(server);
      server.exitCode = code;
      server.exitSignal = signal;
      resolve({ code, signal });
    });
  });
  server.alive = () => server.exitCode === undefined && server.exitSignal === undefined;
  /** SIGTERM, SIGKILL after graceMs; resolves to {code, signal}. */
  server.stop = async (graceMs = 5000) => {
    if (server.alive()) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => server.alive() && proc.kill('SIGKILL'), graceMs);
      await server.exited;
      clearTimeout(t);
    }
    return server.exited;
  };
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => (server.stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its address within 15 s; stderr:\n${server.stderr}`)), 15000);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      server.stdout += d;
      const m = server.stdout.match(/anjia listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m && !server.base) {
        server.base = m[1];
        clearTimeout(timer);
        resolve(server);
      }
    });
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    server.exited.then(({ code, signal }) => {
      if (!server.base) {
        clearTimeout(timer);
        reject(new Error(`server exited (${code ?? signal}) before listening; stderr:\n${server.stderr}`));
      }
    });
  });
}

/*---- The database behind the server, SQLite file or PostgreSQL URL ---------*/

const PG_BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const isPg = (db) => /^postgres(ql)?:\/\//.test(db);

/** Run one SQL statement on the test database; its output rows as text. */
export function dbSql(db, sql) {
  const out = isPg(db)
    ? execFileSync(`${PG_BIN}/psql`, ['-qAt', '-d', db, '-c', sql])
    : execFileSync('sqlite3', [db, '.timeout 5000', sql]);
  return out.toString().trim();
}

/** A copy of the test database (a file, or a new PostgreSQL database);
 * returns what `--db` takes. */
export function dbCopy(db, name, tmp) {
  if (!isPg(db)) {
    const file = path.join(tmp, name);
    execFileSync('sqlite3', [db, '.timeout 5000', `.backup '${file}'`]);
    return file;
  }
  const u = new URL(db);
  const copy = name.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const admin = `${u.protocol}//${u.username}@${u.host}/postgres`;
  execFileSync(`${PG_BIN}/psql`, ['-qAt', '-d', admin, '-c', `DROP DATABASE IF EXISTS ${copy}`, '-c', `CREATE DATABASE ${copy}`]);
  u.pathname = `/${copy}`;
  const dump = execFileSync(`${PG_BIN}/pg_dump`, ['--no-owner', '-d', db], { maxBuffer: 1 << 30 });
  execFileSync(`${PG_BIN}/psql`, ['-qAt', '-d', u.toString()], { input: dump, maxBuffer: 1 << 30 });
  return u.toString();
}
