// cases.mjs - loads and runs the data-driven cases in tests/api/cases/.
// Format: see README.md.

import fs from 'node:fs';
import path from 'node:path';
import { Failure, errorShapeProblem, fail, getPath, match, short, substitute } from './lib.mjs';

const STEP_KEYS = new Set(['as', 'method', 'path', 'body', 'raw', 'headers', 'expect', 'save', 'note']);
const EXPECT_KEYS = new Set(['status', 'json', 'headers']);

/** [{file, name, steps, as}] in file-name order. */
export function loadCases(dir) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d+-.*\.json$/.test(f))
    .sort();
  return files.map((f) => {
    const full = path.join(dir, f);
    let c;
    try {
      c = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (e) {
      return { file: f, name: f, error: `cannot parse ${f}: ${e.message}` };
    }
    const problems = [];
    if (typeof c.name !== 'string') problems.push('"name" missing');
    if (!Array.isArray(c.steps) || c.steps.length === 0) problems.push('"steps" missing or empty');
    (c.steps || []).forEach((s, i) => {
      for (const k of Object.keys(s)) if (!STEP_KEYS.has(k)) problems.push(`step ${i + 1}: unknown key "${k}"`);
      for (const k of Object.keys(s.expect || {})) if (!EXPECT_KEYS.has(k)) problems.push(`step ${i + 1}: unknown expect key "${k}"`);
      if (typeof s.path !== 'string') problems.push(`step ${i + 1}: "path" missing`);
      if (!s.expect || typeof s.expect.status !== 'number') problems.push(`step ${i + 1}: "expect.status" missing`);
      if (s.body !== undefined && s.raw !== undefined) problems.push(`step ${i + 1}: both "body" and "raw"`);
    });
    return {
      file: f,
      name: `${f.replace(/\.json$/, '')}: ${c.name || '?'}`,
      as: c.as,
      steps: c.steps || [],
      error: problems.length ? `${f}: ${problems.join('; ')}` : undefined,
    };
  });
}

/** Run one case; throws Failure naming the step on the first mismatch. */
export async function runCase(client, c) {
  if (c.error) fail(c.error);
  const vars = {};
  for (let i = 0; i < c.steps.length; i++) {
    const s = c.steps[i];
    const method = s.method || 'GET';
    let label = `step ${i + 1} (${method} ${s.path})`;
    try {
      const as = s.as !== undefined ? s.as : c.as;
      const p = substitute(s.path, vars);
      label = `step ${i + 1} (${method} ${p}${as ? ` as ${as}` : ''})`;
      const opts = { as: as || undefined, headers: substitute(s.headers || {}, vars) };
      if (s.body !== undefined) opts.body = substitute(s.body, vars);
      if (s.raw !== undefined) opts.raw = substitute(s.raw, vars);
      const res = await client.call(method, p, opts);
      const exp = s.expect;
      if (res.status !== exp.status) fail(`status ${res.status}, want ${exp.status}; body ${short(res.text)}`);
      if (res.status >= 400) {
        const prob = errorShapeProblem(res);
        if (prob) fail(prob);
      }
      if (exp.json !== undefined) {
        if (res.json === undefined) fail(`body is not JSON: ${short(res.text)}`);
        const m = match(substitute(exp.json, vars), res.json);
        if (m) fail(`${m}\n    body: ${short(res.text, 600)}`);
      }
      if (exp.headers !== undefined) {
        const lower = {};
        for (const [k, v] of Object.entries(res.headers)) lower[k.toLowerCase()] = Array.isArray(v) ? v.join('\n') : v;
        const want = {};
        for (const [k, v] of Object.entries(exp.headers)) want[k.toLowerCase()] = v;
        const m = match(substitute(want, vars), lower, 'headers');
        if (m) fail(m);
      }
      for (const [name, where] of Object.entries(s.save || {})) {
        const v = getPath(res.json, where);
        if (v === undefined) fail(`save ${name}: nothing at "${where}" in ${short(res.text)}`);
        vars[name] = v;
      }
    } catch (e) {
      if (e instanceof Failure) throw new Failure(`${label}${s.note ? ` [${s.note}]` : ''}: ${e.message}`);
      throw e;
    }
  }
}
