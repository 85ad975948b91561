// fetch wrapper for /api/v1: JSON in and out, the session cookie, the CSRF
// header on unsafe methods, and one error shape (ApiError) for everything.
import { t } from './i18n.js';

const BASE = '/api/v1';
let csrfToken = null;
let unauthenticatedHandler = null;

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

/** Called (once per failing request) when the API answers 401. */
export function onUnauthenticated(fn) {
  unauthenticatedHandler = fn;
}

function buildUrl(path, query) {
  let url = path.startsWith('/') ? path : `${BASE}/${path}`;
  if (query) {
    const qs = new URLSearchParams();
    const entries = query instanceof URLSearchParams ? query.entries() : Object.entries(query);
    for (const [k, v] of entries) {
      if (v === undefined || v === null || v === '') continue;
      qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

async function errorFrom(res) {
  let body = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  const e = body && body.error;
  if (e && typeof e === 'object') {
    return new ApiError(res.status, e.code || 'error', e.message || t('err.server', { status: res.status }),
      e.field || null);
  }
  const code = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' }[res.status] || 'error';
  const msg = res.status === 403 ? t('err.forbidden')
    : res.status === 404 ? t('err.not_found') : t('err.server', { status: res.status });
  return new ApiError(res.status, code, msg, null);
}

/**
 * request('GET', 'users', {query: {limit: 40}})
 * request('POST', '/api/v1/login', {body: {...}, skipAuthRedirect: true})
 */
export async function request(method, path, opts = {}) {
  const { query, body, bytes, signal, skipAuthRedirect = false, raw = false } = opts;
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  if (unsafe && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let payload;
  if (bytes !== undefined) {
    // A file as it is (imports): no JSON, no re-encoding.
    headers['Content-Type'] = 'application/octet-stream';
    payload = bytes;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(buildUrl(path, query), {
      method, headers, body: payload, signal, credentials: 'same-origin', cache: 'no-store',
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', t('err.network'));
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !skipAuthRedirect && unauthenticatedHandler) unauthenticatedHandler(err);
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'bad_reply', t('err.server', { status: res.status }));
  }
}

export const get = (path, query, opts = {}) => request('GET', path, { ...opts, query });
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => request('PATCH', path, { ...opts, body });
/** POST a file's bytes (Blob / ArrayBuffer) as application/octet-stream. */
export const upload = (path, query, bytes, opts = {}) => request('POST', path, { ...opts, query, bytes });

function filenameFrom(disposition, fallback) {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')); } catch { /* fall through */ }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/**
 * GET a file (e.g. export.xlsx) and hand it to the browser as a download.
 * The name comes from Content-Disposition, else fallbackName; forceName wins
 * over both (attachments keep the name they were uploaded with).
 */
export async function download(path, query, fallbackName, { forceName } = {}) {
  const res = await request('GET', path, { query, raw: true });
  const blob = await res.blob();
  const name = forceName || filenameFrom(res.headers.get('Content-Disposition'), fallbackName);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, size: blob.size, type: res.headers.get('Content-Type') || blob.type };
}

export { buildUrl };
