#!/usr/bin/env node
// run.mjs - black-box API test runner for anjia.
//
//   node tests/api/run.mjs            (from the repository root)
//
// Environment: ANJIA_BIN (default build/asan/anjia), API_TEST_FILTER (only
// tests whose name contains it; the harness checks still run),
// API_TEST_KEEP=1 (keep the temp dir). See tests/api/README.md.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadCases, runCase } from './cases.mjs';
import { ADMIN_PASSWORD, Client, DEMO_PASSWORD, Failure, SANITIZER_RE, liveServers, runBinClean, startServer } from './lib.mjs';
import { approvalTests } from './approvals.mjs';
import { masterdataTests } from './masterdata.mjs';
import { mortgageTests } from './mortgage.mjs';
import { scriptedTests } from './scripted.mjs';
import { ticketTests } from './tickets.mjs';
import { handoverTests } from './handover.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TEST_TIMEOUT_MS = 30000;

const results = { passed: 0, failed: 0 };

function report(name, err, note) {
  if (err) {
    results.failed++;
    const msg = err instanceof Failure ? err.message : err && err.stack ? err.stack : String(err);
    console.log(`not ok - ${name}: ${msg.replace(/\n/g, '\n    ')}`);
  } else {
    results.passed++;
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  }
}

async function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** The environment for every anjia command: ours, no stray ANJIA_* settings. */
function makeEnv(tmp) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ANJIA_')) env[k] = v;
  env.ANJIA_ADMIN_PASSWORD = ADMIN_PASSWORD;
  env.ANJIA_DEMO_PASSWORD = DEMO_PASSWORD;
  env.ANJIA_KEY_FILE = path.join(tmp, 't.key');
  // Sanitizer reports go to stderr, where the runner looks for them.
  if (!env.ASAN_OPTIONS) env.ASAN_OPTIONS = 'detect_leaks=1:abort_on_error=0';
  if (!env.UBSAN_OPTIONS) env.UBSAN_OPTIONS = 'print_stacktrace=1';
  // The font libraries' process-long caches (tests/lsan.supp).
  if (!env.LSAN_OPTIONS) env.LSAN_OPTIONS = `suppressions=${path.resolve(HERE, '../lsan.supp')}:print_suppressions=0`;
  return env;
}

async function main() {
  const started = Date.now();
  const bin = path.resolve(process.env.ANJIA_BIN || 'build/asan/anjia');
  const filter = process.env.API_TEST_FILTER || '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anjia-api-'));
  const env = makeEnv(tmp);
  let server = null;
  const killServer = () => {
    for (const s of liveServers) if (s.alive()) s.proc.kill('SIGKILL');
  };
  process.on('exit', killServer);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      killServer();
      process.exit(130);
    });
  }

  console.log(`# anjia API tests: ${bin}`);
  console.log(`# temp dir ${tmp}`);
  try {
    if (!fs.existsSync(bin)) throw new Error(`${bin} does not exist (build it: make build/asan/anjia)`);
    // ANJIA_TEST_PG=1: the same suite on a PostgreSQL cluster of its own.
    let db = path.join(tmp, 't.db');
    if (process.env.ANJIA_TEST_PG) {
      const port = 20000 + Math.floor(Math.random() * 20000);
      // Its own directory: the postgres user must reach it (tmp is 0700).
      const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anjia-pg-'));
      fs.chmodSync(pgDir, 0o755);
      const script = path.resolve(HERE, '../../scripts/pg-test-cluster.sh');
      const out = spawnSync(script, ['start', path.join(pgDir, 'c'), String(port)], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`PostgreSQL cluster: ${out.stderr} ${out.stdout}`);
      db = out.stdout.trim();
      process.on('exit', () => { spawnSync(script, ['stop', path.join(pgDir, 'c')]); fs.rmSync(pgDir, { recursive: true, force: true }); });
      console.log(`# PostgreSQL ${db}`);
    }
    let r = runBinClean(bin, ['init', '--db', db], env);
    if (r.status !== 0) throw new Error(`init exited ${r.status}: ${r.stderr}`);
    r = runBinClean(bin, ['demo', '--db', db], env);
    if (r.status !== 0) throw new Error(`demo exited ${r.status}: ${r.stderr}`);

    server = await startServer(bin, env, db, path.join(tmp, 'access.log'));
    console.log(`# server ${server.base} (pid ${server.proc.pid})`);
    const client = new Client(server.base);
    const ctx = { bin, env, tmp, db, keyFile: env.ANJIA_KEY_FILE, server, client };

    for (const c of loadCases(path.join(HERE, 'cases'))) {
      if (filter && !c.name.includes(filter)) continue;
      let err = null;
      try {
        if (!server.alive()) throw new Failure(`server is not running (exit ${server.exitCode ?? server.exitSignal})`);
        await withTimeout(runCase(client, c), TEST_TIMEOUT_MS, c.name);
      } catch (e) {
        err = e;
      }
      report(c.name, err);
    }

    // The master-data tests, then the approval and contract tests, the
    // mortgage tests and the ticket tests, run after the other scripted
    // tests, before the one that stops the server (and the access-log test
    // after it).
    const stopAt = scriptedTests.findIndex((t) => t.stopsServer);
    if (stopAt < 0) throw new Error('scripted.mjs has no test marked stopsServer');
    const tests = [...scriptedTests.slice(0, stopAt), ...masterdataTests, ...approvalTests, ...mortgageTests, ...ticketTests, ...handoverTests, ...scriptedTests.slice(stopAt)];
    for (const t of tests) {
      if (filter && !t.name.includes(filter) && !t.always) continue;
      let err = null;
      let note;
      try {
        if (!server.alive() && !t.afterStop) throw new Failure(`server is not running (exit ${server.exitCode ?? server.exitSignal})`);
        note = await withTimeout(t.fn(ctx), t.timeoutMs || TEST_TIMEOUT_MS, t.name);
      } catch (e) {
        err = e;
      }
      report(t.name, err, note);
    }
  } catch (e) {
    report('harness', e);
  } finally {
    if (server) {
      // The graceful-stop test normally ends the server; if it did not run
      // or failed, stop it here (SIGTERM, then SIGKILL).
      await server.stop();
      // Give the stderr pipe a moment to drain after exit.
      await new Promise((res) => setTimeout(res, 50));
      fs.writeFileSync(path.join(tmp, 'server.stderr'), server.stderr);
      const m = server.stderr.match(SANITIZER_RE);
      if (m) {
        const at = Math.max(0, server.stderr.indexOf(m[0]) - 200);
        report('server stderr has no sanitizer reports', new Failure(`found "${m[0]}":\n${server.stderr.slice(at, at + 3000)}`));
      } else {
        report('server stderr has no sanitizer reports');
      }
    }
    const failed = results.failed > 0;
    if (failed || process.env.API_TEST_KEEP) console.log(`# kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${results.passed} passed, ${results.failed} failed`);
    process.exit(failed ? 1 : 0);
  }
}

main().catch((e) => {
  console.log(`not ok - harness: ${e && e.stack ? e.stack : e}`);
  console.log(`${results.passed} passed, ${results.failed + 1} failed`);
  process.exit(1);
});
