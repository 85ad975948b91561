// Browser test of the anjia web UI: starts its own server on a temporary
// database, drives Debian's Chromium with playwright-core, and ends with
// "N passed, N failed" (non-zero exit when anything failed).
//
//   ANJIA_BIN=build/asan/anjia node tests/browser/run.mjs
//
// Screenshots of the main screens go to build/screenshots/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const BIN = path.resolve(repo, process.env.ANJIA_BIN || 'build/asan/anjia');
const WEB_DIR = path.join(repo, 'web');
const SHOTS = path.resolve(repo, process.env.ANJIA_SCREENSHOTS || 'build/screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ADMIN_PW = 'admin-pass-1';
const DEMO_PW = 'demo-pass-1';
const STEP_TIMEOUT = Number(process.env.ANJIA_STEP_TIMEOUT || 15000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anjia-browser-'));
const env = {
  ...process.env,
  ANJIA_ADMIN_PASSWORD: ADMIN_PW,
  ANJIA_DEMO_PASSWORD: DEMO_PW,
  ANJIA_KEY_FILE: path.join(tmp, 't.key'),
};
const log = (...a) => console.log(...a);

// ---- server -----------------------------------------------------------------
let server = null;
let serverLog = null;

function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    try { server.kill('SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killServer();
    process.exit(130);
  });
}

function runStep(args) {
  const r = spawnSync(BIN, args, { env, cwd: repo, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) {
    throw new Error(`${path.relative(repo, BIN)} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${(r.stderr || '').slice(-3000)}${(r.stdout || '').slice(-1000)}`);
  }
}

async function startServer() {
  if (!fs.existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (build it, or set ANJIA_BIN)`);
  const db = path.join(tmp, 't.db');
  runStep(['init', '--db', db]);
  runStep(['demo', '--db', db, '--scale', '1']);
  // The UI compiled into the binary is what users get: test that copy.
  const cmd = BIN;
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0'];
  serverLog = fs.createWriteStream(path.join(tmp, 'server.log'));
  server = spawn(cmd, args, { env, cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => serverLog.write(d));
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`server did not print its address within 30 s; log: ${path.join(tmp, 'server.log')}`)), 30_000);
    const onData = (d) => {
      serverLog.write(d);
      buf += d.toString();
      const m = /anjia listening on (http:\/\/[^\s]+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    server.stdout.on('data', onData);
    server.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${sig}); log: ${path.join(tmp, 'server.log')}`));
    });
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return null;
  const done = new Promise((r) => server.once('exit', (code, sig) => r({ code, sig })));
  server.kill('SIGTERM');
  const t = setTimeout(() => killServer(), 10_000);
  const r = await done;
  clearTimeout(t);
  return r;
}

// ---- tiny test harness ------------------------------------------------------
const results = [];
let page = null;
let shotNo = 0;

async function shot(name) {
  if (!page) return;
  shotNo += 1;
  const file = path.join(SHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  // Toasts of earlier steps would cover the page in the picture.
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((x) => x.remove())).catch(() => {});
  await page.screenshot({ path: file, fullPage: false }).catch(() => {});
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   - ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    results.push({ name, ok: false, err });
    log(`FAIL - ${name}\n       ${String(err && err.stack ? err.stack : err).split('\n').slice(0, 6).join('\n       ')}`);
    await shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

const HAN = /[\u4e00-\u9fff]/;

// ---- helpers ----------------------------------------------------------------
async function gotoHash(base, hash) {
  await page.goto(`${base}/${hash}`);
}

async function login(username, password) {
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('.login-card button[type=submit]').click();
}

async function waitRows() {
  await page.locator('.page-list[aria-busy]').waitFor({ state: 'detached' }).catch(() => {});
  await page.locator('.page-list:not([aria-busy]) .data-table').waitFor();
}

async function pagerTotal() {
  const text = await page.locator('.pager-total').innerText();
  const m = /([\d,]+)/.exec(text);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}

async function columnTexts(index) {
  return page.locator(`.data-table tbody tr td:nth-child(${index + 1})`).allInnerTexts();
}

async function headerIndex(label) {
  const heads = await page.locator('.data-table thead th').allInnerTexts();
  return heads.findIndex((h) => h.trim() === label);
}

async function navHas(groupLabel, itemLabel) {
  const group = page.locator('.nav-group', { has: page.locator('.nav-group-title', { hasText: groupLabel }) });
  if (!(await group.count())) return false;
  if (!itemLabel) return true;
  return (await group.locator('.nav-item', { hasText: itemLabel }).count()) > 0;
}

async function logout() {
  await page.locator('#user-menu').click();
  await page.locator('[data-action=logout]').click();
  await page.locator('#login-username').waitFor();
}

// ---- the tests ---------------------------------------------------------------
async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(SHOTS, f));
  log(`# anjia browser test (${path.relative(repo, BIN)}), tmp ${tmp}`);
  const base = await startServer();
  log(`# server at ${base}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    // UTC on purpose: times must still show in Asia/Shanghai.
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'UTC', acceptDownloads: true,
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    page = await context.newPage();
    const jsErrors = [];
    page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      // The browser logs every 4xx reply; expected ones (wrong password, 403) are not bugs.
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
      jsErrors.push(`console: ${text}`);
    });
    const newUser = `e2e${Date.now().toString(36).slice(-5)}`;

    await test('wrong password shows the Chinese error', async () => {
      await page.goto(`${base}/`);
      await page.locator('#login-username').waitFor();
      await login('admin', 'wrong-password');
      const err = page.locator('#login-error');
      await err.waitFor({ state: 'visible' });
      const text = (await err.innerText()).trim();
      assert(HAN.test(text), `error is Chinese: "${text}"`);
      assert(!/unauthenticated|invalid/.test(text), `error is not a raw code: "${text}"`);
      assert(await page.locator('#login-username').inputValue() === 'admin', 'username kept after the error');
      await shot('login-error');
    });

    await test('admin logs in and sees the navigation groups', async () => {
      await login('admin', ADMIN_PW);
      await page.locator('.shell .nav').waitFor();
      assert(await navHas('系统设置', '用户'), 'group 系统设置 has 用户');
      assert(await navHas('系统设置', '角色'), 'group 系统设置 has 角色');
      const groups = await page.locator('.nav-group-title').allInnerTexts();
      assert(groups.length >= 1, `nav groups: ${groups.join(', ')}`);
      assert(await page.locator('.topbar input[type=search], .topbar [data-search]').count() === 0, 'no search box in the top bar');
      assert(await page.locator('#project-switch option', { hasText: '全部项目' }).count() === 1, 'project switcher offers 全部项目');
      await shot('home-admin');
      // Groups fold and unfold; the whole menu collapses.
      const sys = page.locator('.nav-group-title', { hasText: '系统设置' });
      await sys.click();
      assert(!(await page.locator('.nav-item', { hasText: '角色' }).isVisible()), 'group folds');
      await sys.click();
      assert(await page.locator('.nav-item', { hasText: '角色' }).isVisible(), 'group unfolds');
      await page.locator('.sider-toggle').click();
      await page.waitForFunction(() => document.querySelector('.sider').getBoundingClientRect().right <= 1);
      await page.locator('.sider-toggle').click();
      await page.waitForFunction(() => document.querySelector('.sider').getBoundingClientRect().left >= 0);
    });

    await test('users list: table, total, paging bar, "/" focuses the filter box', async () => {
      await page.locator('.nav-item', { hasText: '用户' }).first().click();
      await waitRows();
      const total = await pagerTotal();
      const rows = await page.locator('.data-table tbody tr').count();
      assert(total >= 2, `total users ${total}`);
      assert(rows === Math.min(40, total), `rows ${rows} for total ${total}`);
      assert(await page.locator('.data-table thead th').first().evaluate((el) => getComputedStyle(el).position) === 'sticky', 'sticky header');
      assert(await page.locator('[data-action=new]').count() === 1, '新建 shown');
      assert(await page.locator('[data-action=export]').count() === 1, '导出Excel shown');
      await page.locator('.page-title').click();
      await page.keyboard.press('/');
      assert(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'flt-q', '"/" focuses the search box');
      await shot('users-list');
    });

    await test('users list: filter by keyword and by status', async () => {
      const before = await pagerTotal();
      await page.locator('#flt-q').fill('admin');
      await page.locator('#flt-q').press('Enter');
      await page.waitForFunction(() => /q=admin/.test(location.hash));
      await waitRows();
      const idx = await headerIndex('用户名');
      assert(idx >= 0, 'username column');
      const names = await columnTexts(idx);
      assert(names.length >= 1 && names.some((n) => n.trim() === 'admin'), `admin found: ${names.join(',')}`);
      assert(await pagerTotal() < before || before === 1, 'filtered total is smaller');
      await page.locator('.filter-buttons button', { hasText: '重置' }).click();
      await page.waitForFunction(() => !/q=admin/.test(location.hash));
      await waitRows();
      assert(await pagerTotal() === before, 'reset brings back all rows');
      const status = page.locator('#flt-status');
      if (await status.count()) {
        if (!(await status.isVisible())) await page.locator('.filter-buttons button', { hasText: '更多筛选' }).click();
        await status.selectOption({ label: '启用' });
        await page.waitForFunction(() => /status=/.test(location.hash));
        await waitRows();
        const sIdx = await headerIndex('状态');
        if (sIdx >= 0) {
          const st = await columnTexts(sIdx);
          assert(st.length && st.every((s) => s.trim() === '启用'), `all rows 启用: ${[...new Set(st)].join(',')}`);
        }
        await page.locator('.filter-buttons button', { hasText: '重置' }).click();
        await waitRows();
      }
    });

    await test('users list: sort by clicking the column header', async () => {
      const idx = await headerIndex('用户名');
      const btn = page.locator('.data-table thead th').nth(idx).locator('button');
      const before = await columnTexts(idx);
      await btn.click();
      await page.waitForFunction(() => /sort=/.test(location.hash));
      await waitRows();
      const hash1 = await page.evaluate(() => location.hash);
      const after1 = await columnTexts(idx);
      const dir1 = /sort=-username/.test(hash1) ? 'desc' : 'asc';
      const sorted = after1.slice().sort();
      if (dir1 === 'desc') sorted.reverse();
      assert(JSON.stringify(after1) === JSON.stringify(sorted), `rows sorted ${dir1}: ${after1.slice(0, 5).join(',')}`);
      await btn.click();
      await page.waitForFunction((h) => location.hash !== h, hash1);
      await waitRows();
      const after2 = await columnTexts(idx);
      assert(JSON.stringify(after2) !== JSON.stringify(after1) || after1.length < 2, 'second click changes the order');
      assert(before.length === after1.length, 'same number of rows');
      const aria = await page.locator('.data-table thead th').nth(idx).getAttribute('aria-sort');
      assert(aria === 'ascending' || aria === 'descending', `aria-sort ${aria}`);
    });

    await test('column chooser hides a column and remembers it', async () => {
      assert(await headerIndex('部门') >= 0, 'department column shown');
      await page.locator('.page-actions button', { hasText: '列设置' }).click();
      await page.locator('.col-chooser label', { hasText: '部门' }).locator('input').uncheck();
      assert(await headerIndex('部门') < 0, 'department column hidden');
      await page.keyboard.press('Escape');
      await page.reload();
      await waitRows();
      assert(await headerIndex('部门') < 0, 'still hidden after reload');
      await page.locator('.page-actions button', { hasText: '列设置' }).click();
      await page.locator('.col-chooser button', { hasText: '恢复默认' }).click();
      await page.keyboard.press('Escape');
      assert(await headerIndex('部门') >= 0, 'default columns back');
    });

    await test('paging: page 2 of a long list', async () => {
      let found = null;
      const items = await page.locator('.nav-item[data-entity]').evaluateAll((as) => as.map((a) => a.dataset.entity).filter(Boolean));
      const order = ['units', 'customers', 'users', ...items];
      for (const e of [...new Set(order)].filter((x) => items.includes(x))) {
        await gotoHash(base, `#/list/${e}`);
        await waitRows();
        if (await pagerTotal() > 40) { found = e; break; }
      }
      assert(found, 'some list has more than 40 rows');
      const total = await pagerTotal();
      const first = await page.locator('.data-table tbody tr').first().getAttribute('data-id');
      await page.locator('.pager .page-btn[data-page="2"]').first().click();
      await page.waitForFunction(() => /page=2/.test(location.hash));
      await waitRows();
      const rows = await page.locator('.data-table tbody tr').count();
      assert(rows === Math.min(40, total - 40), `page 2 has ${rows} rows of ${total}`);
      const first2 = await page.locator('.data-table tbody tr').first().getAttribute('data-id');
      assert(first2 !== first, 'page 2 shows other rows');
      assert(await page.locator('.page-btn.current').innerText() === '2', 'page 2 is current');
      await shot(`list-${found}-page2`);
    });

    await test('money range filter sends exact fen and shows ¥ amounts', async () => {
      await gotoHash(base, '#/list/units');
      await waitRows();
      const from = page.locator('.filter-item[data-field=list_price_fen] input').first();
      if (!(await from.isVisible())) await page.locator('.filter-buttons button', { hasText: '更多筛选' }).click();
      await from.fill('2,000,000.01');
      const [req] = await Promise.all([
        page.waitForRequest((r) => r.url().includes('/api/v1/units?') && r.url().includes('list_price_fen_from=')),
        from.press('Enter'),
      ]);
      assert(new URL(req.url()).searchParams.get('list_price_fen_from') === '200000001', `fen: ${req.url()}`);
      await waitRows();
      const idx = await headerIndex('标价');
      const prices = await columnTexts(idx);
      assert(prices.length > 0, 'some units cost more');
      for (const p of prices) {
        assert(/^¥\d{1,3}(,\d{3})*\.\d{2}$/.test(p.trim()), `money format: ${p}`);
        assert(Number(p.replace(/[¥,]/g, '')) >= 2000000.01, `price ${p} >= ¥2,000,000.01`);
      }
      const areaIdx = await headerIndex('预测面积');
      if (areaIdx >= 0) {
        const areas = (await columnTexts(areaIdx)).filter((a) => a.trim() !== '—');
        assert(areas.every((a) => /^\d+\.\d{2} m²$/.test(a.trim())), `area format: ${areas[0]}`);
      }
      await shot('units-price-filter');
    });

    await test('create a user: API field error under the field, input kept, then saved', async () => {
      await gotoHash(base, '#/list/users');
      await waitRows();
      await page.locator('[data-action=new]').click();
      await page.locator('form.entity-form').waitFor();
      await page.locator('.form-item[data-field=username] input').fill(newUser);
      if (await page.locator('.form-item[data-field=display_name] input').count()) {
        await page.locator('.form-item[data-field=display_name] input').fill('测试用户');
      }
      const role = page.locator('.form-item[data-field=role_id] select');
      if (await role.count()) {
        await page.waitForFunction(() => {
          const s = document.querySelector('.form-item[data-field=role_id] select');
          return s && !s.disabled && s.options.length > 1;
        });
        await role.selectOption({ label: '客服专员' }).catch(async () => role.selectOption({ index: 1 }));
      }
      await page.locator('.form-item[data-field=password] input').fill('short');
      await page.keyboard.press('Control+Enter');
      const err = page.locator('.form-item[data-field=password] .field-error');
      await page.waitForFunction(() => {
        const e = document.querySelector('.form-item[data-field=password] .field-error');
        return e && e.textContent.trim().length > 0;
      });
      const msg = (await err.innerText()).trim();
      assert(HAN.test(msg), `password error is Chinese: "${msg}"`);
      assert(await page.locator('.form-item[data-field=username] input').inputValue() === newUser, 'typed username kept');
      assert(await page.locator('.form-item[data-field=password] input').inputValue() === 'short', 'typed password kept');
      await shot('user-form-error');
      await page.locator('.form-item[data-field=password] input').fill('e2e-pass-1234');
      await page.locator('[data-action=save]').click();
      await page.locator('.page-detail').waitFor();
      const title = (await page.locator('.record-title').innerText()).trim();
      assert(title === '测试用户' || title === newUser, `detail of the new user: ${title}`);
    });

    await test('user detail shows the history and the admin actions', async () => {
      const timeline = page.locator('.timeline .timeline-item');
      await timeline.first().waitFor();
      const first = await timeline.first().innerText();
      assert(/新建|创建|create/i.test(first), `history shows the creation: ${first}`);
      assert(/admin|管理员/.test(first), `history shows who: ${first}`);
      assert(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(first), `history shows when: ${first}`);
      assert(await page.locator('[data-action=edit]').count() === 1, '编辑 shown');
      assert(await page.locator('[data-action=reset-password]').count() === 1, '重置密码 shown');
      assert(await page.locator('[data-action=unlock]').count() === 1, '解锁 shown');
      await shot('user-detail');
    });

    await test('edit the user; the change appears in the history', async () => {
      await page.locator('[data-action=edit]').click();
      const input = page.locator('.form-item[data-field=display_name] input');
      await input.waitFor();
      await input.fill('测试用户二');
      await page.locator('[data-action=save]').click();
      await page.locator('.page-detail').waitFor();
      await page.locator('.timeline .timeline-item').first().waitFor();
      const items = await page.locator('.timeline .timeline-item').allInnerTexts();
      assert(items.length >= 2, `two history entries: ${items.length}`);
      assert(items.some((x) => x.includes('测试用户二')), `the new name is in the history: ${items[0]}`);
      const dd = await page.locator('.desc-item[data-field=display_name] dd').innerText();
      assert(dd.trim() === '测试用户二', `detail shows the new name: ${dd}`);
    });

    await test('export downloads an .xlsx file', async () => {
      await gotoHash(base, '#/list/users');
      await waitRows();
      const [resp, download] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/export.xlsx')),
        page.waitForEvent('download'),
        page.locator('[data-action=export]').click(),
      ]);
      assert(resp.status() === 200, `status ${resp.status()}`);
      const ct = resp.headers()['content-type'] || '';
      assert(/spreadsheetml|application\/vnd|octet-stream/.test(ct), `content-type ${ct}`);
      const file = path.join(tmp, 'export.xlsx');
      await download.saveAs(file);
      const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
      assert(head === 'PK', `file starts with PK, got ${JSON.stringify(head)}`);
      assert(download.suggestedFilename().endsWith('.xlsx'), `file name ${download.suggestedFilename()}`);
    });

    await test('switch to English and back to Chinese', async () => {
      await page.locator('.lang-seg [data-lang=en]').click();
      await page.locator('.nav-group-title', { hasText: 'System' }).waitFor();
      assert(await navHas('System', 'Users'), 'English nav: System / Users');
      assert(await page.locator('[data-action=export]', { hasText: 'Export' }).count() === 1, 'English buttons');
      assert(await page.evaluate(() => localStorage.getItem('anjia.lang')) === 'en', 'stored in localStorage');
      await shot('users-list-english');
      await page.reload();
      await page.locator('.nav-group-title', { hasText: 'System' }).waitFor();
      await page.locator('.lang-seg [data-lang=zh]').click();
      await page.locator('.nav-group-title', { hasText: '系统设置' }).waitFor();
      assert(await page.evaluate(() => document.documentElement.lang) === 'zh-CN', 'html lang zh-CN');
    });

    await test('project switcher filters project-scoped lists', async () => {
      const opts = await page.locator('#project-switch option').evaluateAll((os) => os.map((o) => ({ v: o.value, t: o.textContent })));
      const proj = opts.find((o) => o.v);
      assert(proj, `a project to choose: ${JSON.stringify(opts)}`);
      const scoped = (await page.locator('.nav-item[data-entity]').evaluateAll((as) => as.map((a) => a.dataset.entity)))
        .find((e) => ['units', 'buildings', 'customers'].includes(e));
      assert(scoped, 'a project-scoped list in the nav');
      await gotoHash(base, `#/list/${scoped}`);
      await waitRows();
      const [req] = await Promise.all([
        page.waitForRequest((r) => r.url().includes(`/api/v1/${scoped}?`) && r.url().includes(`project_id=${proj.v}`)),
        page.locator('#project-switch').selectOption(proj.v),
      ]);
      assert(req, 'list reloaded with project_id');
      await waitRows();
      assert(await page.locator('.filter-hint .chip').count() === 1, 'the list says it is filtered by project');
      await shot(`list-${scoped}-project`);
      await page.locator('#project-switch').selectOption('');
      await waitRows();
    });

    await test('log out', async () => {
      await logout();
      await gotoHash(base, '#/list/users');
      await page.locator('#login-username').waitFor();
      assert(await page.locator('.shell').count() === 0, 'no app frame after logout');
      const r = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
      assert(r === 401, `GET /me after logout: ${r}`);
    });

    await test('agent does not see 系统设置 / 用户', async () => {
      await login('agent', DEMO_PW);
      await page.locator('.shell .nav').waitFor();
      // After login the app returns to #/list/users, which the agent may not read.
      await page.locator('.state-box, .page-list').first().waitFor();
      assert(!(await navHas('系统设置')), 'no 系统设置 group');
      assert(await page.locator('.nav-item', { hasText: /^用户$/ }).count() === 0, 'no 用户 entry');
      assert(await page.locator('.nav-item[data-entity]').count() >= 1, 'agent has some modules');
      assert(await page.locator('.state-box').count() === 1, 'users page refused');
      await gotoHash(base, '#/');
      await page.locator('.page-home').waitFor();
      await shot('home-agent');
      await logout();
    });

    await test('five wrong passwords lock the account; admin unlocks it', async () => {
      let text = '';
      for (let i = 0; i < 6; i++) {
        await login(newUser, `wrong-${i}`);
        // The page hides the old error and disables the button while it waits.
        await page.waitForFunction(() => {
          const e = document.getElementById('login-error');
          const b = document.querySelector('.login-card button[type=submit]');
          return e && !e.hidden && b && !b.disabled;
        });
        text = (await page.locator('#login-error').innerText()).trim();
      }
      assert(HAN.test(text) && /锁/.test(text), `locked message: "${text}"`);
      await shot('login-locked');
      await login('admin', ADMIN_PW);
      await page.locator('.shell .nav').waitFor();
      await gotoHash(base, `#/list/users?q=${newUser}`);
      await waitRows();
      await page.locator('.data-table tbody tr').first().click();
      await page.locator('[data-action=unlock]').click();
      await page.locator('.modal button[type=submit]').click();
      await page.locator('.toast', { hasText: '已解锁' }).waitFor();
      // Reset the password: a too-short one is refused inside the dialog.
      await page.locator('[data-action=reset-password]').click();
      await page.locator('#reset-pw').fill('short');
      await page.locator('.modal button[type=submit]').click();
      await page.waitForFunction(() => (document.getElementById('reset-pw-err') || {}).textContent);
      assert(HAN.test(await page.locator('#reset-pw-err').innerText()), 'reset error shown in Chinese');
      await page.locator('#reset-pw').fill('e2e-pass-5678');
      await page.locator('.modal button[type=submit]').click();
      await page.locator('.toast', { hasText: '密码已重置' }).waitFor();
      await logout();
      await login(newUser, 'e2e-pass-5678');
      await page.locator('.shell').waitFor();
      assert((await page.locator('.user-name').innerText()).includes('测试用户二'), 'unlocked user logs in with the new password');
    });

    await test('change own password from the user menu', async () => {
      await page.locator('#user-menu').click();
      await page.locator('[data-action=change-password]').click();
      await page.locator('#pw-old').fill('not-my-password');
      await page.locator('#pw-new').fill('e2e-pass-9999');
      await page.locator('#pw-confirm').fill('e2e-pass-9999');
      await page.locator('.modal button[type=submit]').click();
      const oldErr = page.locator('.modal .form-item[data-field=old_password] .field-error');
      await page.waitForFunction(() => {
        const e = document.querySelector('.modal .form-item[data-field=old_password] .field-error');
        return e && e.textContent.trim();
      });
      assert(HAN.test(await oldErr.innerText()), 'wrong old password shown under 原密码');
      assert(await page.locator('#pw-new').inputValue() === 'e2e-pass-9999', 'typed new password kept');
      await shot('change-password-error');
      await page.locator('#pw-old').fill('e2e-pass-5678');
      await page.locator('.modal button[type=submit]').click();
      await page.locator('.toast', { hasText: '密码已修改' }).waitFor();
      await logout();
      await login(newUser, 'e2e-pass-9999');
      await page.locator('.shell').waitFor();
      await logout();
    });

    await test('no JavaScript errors on any page', async () => {
      assert(jsErrors.length === 0, jsErrors.join('\n'));
    });
  } finally {
    await browser.close().catch(() => {});
  }
}

let fatal = null;
try {
  await main();
} catch (err) {
  fatal = err;
  log(`FAIL - setup: ${err && err.stack ? err.stack : err}`);
}
const stopped = await stopServer().catch(() => null);
if (stopped) log(`# server stopped (code ${stopped.code}, signal ${stopped.sig}); log ${path.join(tmp, 'server.log')}`);
if (!fatal) {
  // Everything the pages did ran through the server: under ASan/UBSan a
  // sanitizer report or a non-zero exit is a failure of this run too.
  await test('server stops cleanly, no sanitizer report', async () => {
    await new Promise((r) => serverLog.end(r));
    const text = fs.readFileSync(path.join(tmp, 'server.log'), 'utf8');
    const m = /ERROR: (Address|Leak|Undefined)Sanitizer.*|runtime error:.*/.exec(text);
    assert(!m, `sanitizer: ${m && m[0]}`);
    assert(stopped && stopped.code === 0, `server exit: ${JSON.stringify(stopped)}`);
  });
}
if (fs.existsSync(SHOTS)) log(`# screenshots in ${path.relative(repo, SHOTS)}/: ${fs.readdirSync(SHOTS).filter((f) => f.endsWith('.png')).join(' ')}`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed + (fatal ? 1 : 0);
if (!failed && !process.env.ANJIA_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
else log(`# kept ${tmp} (database, key, server.log)`);
log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
