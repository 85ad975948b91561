// Formatting and parsing of the API's value types. Money (fen) and areas (dm²)
// are integers: everything here is string / BigInt math, never floats.

const CN_OFFSET_MS = 8 * 3600 * 1000; // Asia/Shanghai, no DST since 1991

function toBigInt(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return null;
    return BigInt(v);
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return null;
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Integer with 2 implied decimals → "1,234.56" (sign kept separately). */
function fixed2(v) {
  const b = toBigInt(v);
  if (b === null) return null;
  const neg = b < 0n;
  const abs = neg ? -b : b;
  const whole = abs / 100n;
  const frac = abs % 100n;
  return { neg, text: `${groupThousands(whole.toString())}.${frac.toString().padStart(2, '0')}` };
}

/** fen (integer) → "¥1,234,567.89"; negative → "-¥12.00". */
export function money(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const f = fixed2(fen);
  if (!f) return String(fen);
  return `${f.neg ? '-' : ''}¥${f.text}`;
}

/** dm² (integer) → "89.37 m²". */
export function area(dm2) {
  if (dm2 === null || dm2 === undefined || dm2 === '') return '';
  const f = fixed2(dm2);
  if (!f) return String(dm2);
  return `${f.neg ? '-' : ''}${f.text} m²`;
}

/**
 * "1,234.5" / "¥1234.56" / "-3" → BigInt of hundredths, or null when invalid.
 * Used for money (yuan → fen) and area (m² → dm²).
 */
export function parseHundredths(str) {
  if (str === null || str === undefined) return null;
  let s = String(str).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '').replace(/m²$|㎡$/i, '');
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1); }
  if (s.startsWith('¥') || s.startsWith('￥')) s = s.slice(1);
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0') || '0');
  return neg ? -v : v;
}

/** Inverse of parseHundredths for putting a value into an input: 123456 → "1234.56". */
export function hundredthsToInput(v) {
  const b = toBigInt(v);
  if (b === null) return v === null || v === undefined ? '' : String(v);
  const neg = b < 0n;
  const abs = neg ? -b : b;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${abs / 100n}.${frac}`;
}

/** BigInt → JSON-safe number (throws past 2^53, which no real amount reaches). */
export function bigToNumber(b) {
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('value too large');
  }
  return Number(b);
}

function pad(n, w = 2) {
  return String(n).padStart(w, '0');
}

/** Date parts of an instant as seen in Asia/Shanghai. */
function shanghaiParts(ms) {
  const d = new Date(ms + CN_OFFSET_MS);
  return {
    y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(),
    h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(),
  };
}

function parseInstant(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000; // ms or unix seconds
  const s = String(v).trim();
  // "2026-03-05 06:30:00" without zone: the API speaks UTC.
  const norm = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? `${s.replace(' ', 'T')}Z` : s;
  const ms = Date.parse(norm);
  return Number.isNaN(ms) ? null : ms;
}

/** UTC ISO instant → "2026-03-05 14:30" in Asia/Shanghai. */
export function datetime(v) {
  const ms = parseInstant(v);
  if (ms === null) return v === null || v === undefined ? '' : String(v);
  const p = shanghaiParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`;
}

/** "YYYY-MM-DD" stays as is; an instant becomes its Shanghai date. */
export function date(v) {
  if (v === null || v === undefined || v === '') return '';
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const ms = parseInstant(s);
  if (ms === null) return s;
  const p = shanghaiParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/** UTC instant → value for <input type="datetime-local"> in Shanghai time. */
export function datetimeToInput(v) {
  const ms = parseInstant(v);
  if (ms === null) return '';
  const p = shanghaiParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}`;
}

/** "2026-03-05T14:30" (Shanghai) → "2026-03-05T06:30:00Z". */
export function inputToDatetime(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(s || '').trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) - CN_OFFSET_MS;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Shanghai civil date "2026-03-05" → UTC instant of its start (or end). */
export function dayBoundToUtc(day, end = false) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day || ''));
  if (!m) return null;
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3]) - CN_OFFSET_MS;
  if (end) ms += 24 * 3600 * 1000 - 1000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isValidDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ''));
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() + 1 === +m[2] && d.getUTCDate() === +m[3];
}

/** Integer with thousands separators, exact for big values. */
export function integer(v) {
  const b = toBigInt(v);
  if (b === null) return v === null || v === undefined ? '' : String(v);
  const neg = b < 0n;
  return `${neg ? '-' : ''}${groupThousands((neg ? -b : b).toString())}`;
}

// ---- dates as Shanghai civil days ------------------------------------------

/** Today's date in Asia/Shanghai, "2026-03-05". */
export function today() {
  const p = shanghaiParts(Date.now());
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/** "2026-03-05" + n days → "2026-03-08" (null when the date is invalid). */
export function addDays(day, n) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day || ''));
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The Monday of the (Monday-based) week of a date. */
export function mondayOf(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day || ''));
  if (!m) return null;
  const dow = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

// ---- rates and shares -------------------------------------------------------

const CN_DIGITS = '零一二三四五六七八九';

/** 0–99 as Chinese numerals: 2 → 二, 10 → 十, 15 → 十五, 30 → 三十. */
function cnInt(n) {
  if (n < 10) return CN_DIGITS[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : CN_DIGITS[tens]}十${ones ? CN_DIGITS[ones] : ''}`;
}

/**
 * A daily rate per 10,000 as contracts write it: "2" → "万分之二",
 * "0.5" → "万分之零点五", "2.5" → "万分之二点五". English: "2‱ a day".
 */
export function perTenThousand(rate, lang = 'zh') {
  if (rate === null || rate === undefined || rate === '') return '';
  const s = String(rate).trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (lang === 'en') return m ? `${s}‱` : s;
  if (!m || Number(m[1]) > 99) return `万分之${s}`;
  let out = cnInt(Number(m[1]));
  const frac = (m[2] || '').replace(/0+$/, '');
  if (frac) out += `点${[...frac].map((c) => CN_DIGITS[Number(c)]).join('')}`;
  return `万分之${out}`;
}

/** An annual rate in percent as text ("3.1") → "3.10%" (two decimals at least). */
export function percentText(rate) {
  if (rate === null || rate === undefined || rate === '') return '';
  const s = String(rate).trim();
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return `${s}%`;
  const frac = (m[2] || '').replace(/0+$/, '');
  return `${m[1]}.${frac.padEnd(2, '0')}%`;
}

/** Basis points → "82.93%" (exact, two decimals). */
export function bpPercent(bp) {
  if (bp === null || bp === undefined || bp === '') return '';
  const n = Number(bp);
  if (!Number.isInteger(n)) return String(bp);
  const neg = n < 0;
  const a = Math.abs(n);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}%`;
}

/** "50" / "33.33" / "50%" (percent, ≤ 2 decimals) → basis points, or null. */
export function parsePercentBp(s) {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?%?$/.exec(String(s ?? '').trim());
  if (!m) return null;
  const v = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0') || 0);
  return v > 10000 ? null : v;
}

/**
 * Yuan as typed → fen (Number), or null: "1,234.56", "¥100", and with
 * `wan` also "100万" / "100.5万" (a loan's usual way of saying it).
 */
export function parseYuan(str, { wan = false } = {}) {
  let s = String(str ?? '').trim().replace(/[,，\s]/g, '');
  let mult = 1n;
  if (wan && /万(元)?$/.test(s)) {
    s = s.replace(/万(元)?$/, '');
    mult = 10000n;
    const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(s);
    if (!m) return null;
    const frac = (m[2] || '').padEnd(6, '0');
    // 万 × 100 fen = 1,000,000 fen per unit; six decimals of 万 are whole fen.
    const fen = BigInt(m[1]) * 1000000n + BigInt(frac);
    return fen > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(fen);
  }
  s = s.replace(/元$/, '');
  const b = parseHundredths(s);
  if (b === null || b < 0n) return null;
  const v = b * mult;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}
