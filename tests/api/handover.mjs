// handover.mjs - scripted tests of handover and property certificates
// (docs/handover.md): a delivery batch from creation to the keys, the
// move-in notices as PDF (text checked with pdftotext), mailing, slots,
// inspections and defects, delivery starting the warranty, the area
// true-up and its receivables, the late-delivery ledger, the daily summary,
// the property package, certificates, and who may do what.
//
// run.mjs runs these after the ticket tests, before the graceful stop. The
// tests use buildings of project 1 the other suites leave alone (each test
// takes its own building, found by its signed flats) and set measured
// areas through the units API.
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { assert, expectError, expectStatus, runBinClean } from './lib.mjs';
import { readXlsx } from './xlsx.mjs';

export const handoverTests = [];
const test = (name, fn, opts = {}) => handoverTests.push({ name, fn, ...opts });

const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const addDays = (s, n) => new Date(Date.parse(`${s}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

async function get(client, as, path) {
  const r = await client.call('GET', path, { as });
  expectStatus(r, 200, `GET ${path} as ${as}`);
  return r.json;
}

async function post(client, as, path, body, status = 200) {
  const r = await client.call('POST', path, { as, body });
  expectStatus(r, status, `POST ${path} as ${as}`);
  return r.json;
}

/** Buildings of a project with signed, undelivered flats, in id order. */
const buildingsCache = new Map();
async function freeBuildings(client, project) {
  if (buildingsCache.has(project)) return buildingsCache.get(project);
  const contracts = [];
  for (let offset = 0; ; offset += 200) {
    const r = await get(client, 'manager', `/api/v1/contracts?project_id=${project}&limit=200&offset=${offset}`);
    contracts.push(...r.items);
    if (!r.next) break;
  }
  const signed = new Set(contracts.filter((c) => ['signed', 'filed', 'preregistered'].includes(c.status)).map((c) => c.unit_id));
  const units = [];
  for (let offset = 0; ; offset += 200) {
    const r = await get(client, 'manager', `/api/v1/units?project_id=${project}&limit=200&offset=${offset}`);
    units.push(...r.items);
    if (!r.next) break;
  }
  const by = new Map();
  for (const u of units) {
    if (!signed.has(u.id) || u.status === 'delivered') continue;
    if (!by.has(u.building_id)) by.set(u.building_id, []);
    by.get(u.building_id).push(u);
  }
  const list = [...by.entries()].sort((a, b) => a[0] - b[0]).map(([id, us]) => ({ id, units: us }));
  buildingsCache.set(project, list);
  return list;
}

const taken = new Map();
/** A batch over a building of its own in project; returns it. The demo has
 * four buildings a project: the tests share them out (project 1: inspection
 * and certificates, the engineer's and the contract clerk's scope; 2: mail,
 * true-up, ledgers; 3: the rest). */
async function newBatch(client, project, extra = {}) {
  const bs = await freeBuildings(client, project);
  const n = taken.get(project) || 0;
  taken.set(project, n + 1);
  // The last buildings first: the browser suite starts from the first.
  const b = bs[bs.length - 1 - n];
  assert(b, `no free building left in project ${project}`);
  const batch = await post(client, 'manager', '/api/v1/delivery-batches', {
    project_id: project, name: `测试批次${b.id}`, building_ids: [b.id],
    planned_start: addDays(today(), -10), planned_end: addDays(today(), 20),
    documents_text: '身份证原件、购房合同原件', fees_text: '物业费（一年）、契税', ...extra,
  }, 201);
  return { batch, building: b };
}

test('handover batch: bad input is 422 naming the field and stores nothing; a batch takes every signed flat of its buildings once', async ({ client }) => {
  const before = (await get(client, 'manager', '/api/v1/delivery-batches?limit=1')).total;
  const bad = [
    [{ name: 'x', building_ids: [1], planned_start: '2026-12-01', planned_end: '2026-12-02' }, 'project_id'],
    [{ project_id: 1, building_ids: [1], planned_start: '2026-12-01', planned_end: '2026-12-02' }, 'name'],
    [{ project_id: 1, name: 'x', building_ids: [], planned_start: '2026-12-01', planned_end: '2026-12-02' }, 'building_ids'],
    [{ project_id: 1, name: 'x', building_ids: [1], planned_start: '2026-12-31', planned_end: '2026-12-02' }, 'planned_end'],
    [{ project_id: 1, name: 'x', building_ids: [1], planned_start: '2026-13-01', planned_end: '2026-12-02' }, 'planned_start'],
    [{ project_id: 1, name: 'x', building_ids: [1], planned_start: '2026-12-01', planned_end: '2026-12-02', colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of bad) expectError(await client.call('POST', '/api/v1/delivery-batches', { as: 'manager', body }), 422, 'invalid', field);
  assert((await get(client, 'manager', '/api/v1/delivery-batches?limit=1')).total === before, 'a refused batch was stored');
  const { batch, building } = await newBatch(client, 3);
  assert(batch.total === building.units.length, `batch holds ${batch.total} flats, the building has ${building.units.length} signed ones`);
  assert(batch.flats.every((f) => f.status === 'pending' && f.mail_status === 'none' && f.owner_name), 'new flats are pending with an owner');
  // The same building again: nothing left to deliver.
  expectError(await client.call('POST', '/api/v1/delivery-batches', {
    as: 'manager', body: { project_id: 3, name: 'again', building_ids: [building.id], planned_start: '2026-12-01', planned_end: '2026-12-02' },
  }), 422, 'invalid', 'building_ids');
});

test('handover slots: booking fills a slot to its capacity (409 beyond), a slot of another batch is 422, rebooking frees the place', async ({ client }) => {
  const { batch } = await newBatch(client, 3);
  const other = (await newBatch(client, 3)).batch;
  let b = await post(client, 'manager', `/api/v1/delivery-batches/${batch.id}/slots`, { day: addDays(today(), 3), from: '09:00', to: '10:00', capacity: 1 }, 201);
  expectError(await client.call('POST', `/api/v1/delivery-batches/${batch.id}/slots`, { as: 'manager', body: { day: addDays(today(), 3), from: '10:00', to: '09:00', capacity: 1 } }), 422, 'invalid', 'to');
  b = await post(client, 'manager', `/api/v1/delivery-batches/${batch.id}/slots`, { day: addDays(today(), 3), from: '10:00', to: '11:00', capacity: 5 }, 201);
  const [s1, s2] = b.slots;
  const o = await post(client, 'manager', `/api/v1/delivery-batches/${other.id}/slots`, { day: addDays(today(), 4), from: '09:00', to: '10:00', capacity: 5 }, 201);
  const [f1, f2] = batch.flats;
  assert((await post(client, 'manager', `/api/v1/handovers/${f1.id}/book`, { slot_id: s1.id })).status === 'booked', 'booked');
  expectError(await client.call('POST', `/api/v1/handovers/${f2.id}/book`, { as: 'manager', body: { slot_id: s1.id } }), 409, 'conflict', 'slot_id');
  expectError(await client.call('POST', `/api/v1/handovers/${f2.id}/book`, { as: 'manager', body: { slot_id: o.slots[0].id } }), 422, 'invalid', 'slot_id');
  await post(client, 'manager', `/api/v1/handovers/${f1.id}/book`, { slot_id: s2.id });
  await post(client, 'manager', `/api/v1/handovers/${f2.id}/book`, { slot_id: s1.id });
  const full = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/full`);
  assert(full.slots.find((s) => s.id === s1.id).booked === 1 && full.slots.find((s) => s.id === s2.id).booked === 1, `booked counts: ${JSON.stringify(full.slots)}`);
});

test('handover notices: one PDF page per owner with name, flat, slot, documents and fees (pdftotext); pending flats become notified', async ({ client, tmp }) => {
  const { batch } = await newBatch(client, 3);
  const b = await post(client, 'manager', `/api/v1/delivery-batches/${batch.id}/slots`, { day: addDays(today(), 5), from: '14:00', to: '16:00', capacity: 50 }, 201);
  await post(client, 'manager', `/api/v1/handovers/${batch.flats[0].id}/book`, { slot_id: b.slots[0].id });
  const r = await client.call('GET', `/api/v1/delivery-batches/${batch.id}/notices.pdf`, { as: 'manager' });
  expectStatus(r, 200, 'notices');
  assert(/application\/pdf/.test(r.headers['content-type']), `content-type ${r.headers['content-type']}`);
  assert(r.buf.subarray(0, 5).toString() === '%PDF-', 'not a PDF');
  const file = join(tmp, `notices-${batch.id}.pdf`);
  writeFileSync(file, r.buf);
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert(info.status === 0, `pdfinfo: ${info.stderr}`);
  const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)[1]);
  assert(pages === batch.total, `${pages} pages for ${batch.total} owners`);
  const txt = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert(txt.status === 0, `pdftotext: ${txt.stderr}`);
  const pagesText = txt.stdout.split('\f');
  const first = batch.flats[0];
  assert(pagesText[0].includes('入住通知书') && pagesText[0].includes(first.owner_name) && pagesText[0].includes(first.room_code), `page 1: ${pagesText[0].slice(0, 300)}`);
  assert(pagesText[0].includes(`${addDays(today(), 5)} 14:00–16:00`), 'page 1 has the booked slot');
  assert(pagesText[0].includes('身份证原件、购房合同原件') && pagesText[0].includes('物业费（一年）、契税'), 'documents and fees');
  for (const f of batch.flats) assert(txt.stdout.includes(f.room_code), `no notice for ${f.room_code}`);
  const after = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/full`);
  assert(after.flats.every((f) => f.status !== 'pending'), 'pending flats were not marked notified');
  assert(after.status === 'notifying', `batch status ${after.status}`);
});

test('handover mailing: sent needs a tracking number, delivered before sent is 409, returned and re-sent are tracked; the counts show who was reached', async ({ client }) => {
  const { batch } = await newBatch(client, 2);
  const [f1, f2] = batch.flats;
  expectError(await client.call('POST', `/api/v1/handovers/${f1.id}/mail`, { as: 'manager', body: { status: 'sent', on: today() } }), 422, 'invalid', 'tracking_no');
  expectError(await client.call('POST', `/api/v1/handovers/${f1.id}/mail`, { as: 'manager', body: { status: 'delivered', on: today() } }), 409, 'conflict', 'status');
  expectError(await client.call('POST', `/api/v1/handovers/${f1.id}/mail`, { as: 'manager', body: { status: 'sent', tracking_no: 'SF1', on: addDays(today(), 2) } }), 422, 'invalid', 'on');
  await post(client, 'manager', `/api/v1/handovers/${f1.id}/mail`, { status: 'sent', tracking_no: 'SF1001', on: today() });
  let h = await post(client, 'manager', `/api/v1/handovers/${f1.id}/mail`, { status: 'delivered', on: today() });
  assert(h.mail_status === 'delivered' && h.tracking_no === 'SF1001' && h.mailings.length === 2, `mailing: ${JSON.stringify(h.mailings)}`);
  await post(client, 'manager', `/api/v1/handovers/${f2.id}/mail`, { status: 'sent', tracking_no: 'SF2001', on: today() });
  await post(client, 'manager', `/api/v1/handovers/${f2.id}/mail`, { status: 'returned', on: today() });
  h = await post(client, 'manager', `/api/v1/handovers/${f2.id}/mail`, { status: 'resent', tracking_no: 'SF2002', on: today() });
  assert(h.mail_status === 'resent' && h.tracking_no === 'SF2002', 'resent with the new number');
  const full = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/full`);
  assert(full.mail_counts.delivered === 1 && full.mail_counts.resent === 1, `mail counts ${JSON.stringify(full.mail_counts)}`);
});

test('handover inspection and delivery: defects go to contractors and can become repair tickets; delivery needs both documents, sets the flat delivered and starts its warranty; a certificate record follows', async ({ client }) => {
  const { batch } = await newBatch(client, 1);
  const f = batch.flats[0];
  const contractor = (await get(client, 'manager', '/api/v1/contractors?limit=1')).items[0];
  const leak = (await get(client, 'manager', '/api/v1/ticket-categories?q=%E5%8D%AB%E7%94%9F%E9%97%B4%E6%B8%97%E6%BC%8F&limit=5')).items[0];
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/inspections`, { as: 'engineer', body: { kind: 'formal', on: today(), defects: [{ room: '主卫' }] } }), 422, 'invalid', 'defects[0].description');
  let h = await post(client, 'engineer', `/api/v1/handovers/${f.id}/inspections`, {
    kind: 'formal', on: today(), inspector: '陈刚',
    defects: [{ room: '主卫', part: '地面', category_id: leak.id, description: '闭水试验渗漏', severity: 'high', contractor_id: contractor.id, due_date: addDays(today(), 7) }],
  }, 201);
  assert(h.status === 'inspected' && h.defects.length === 1 && h.defects[0].contractor_name === contractor.name, `inspection: ${JSON.stringify(h.defects)}`);
  const d = h.defects[0];
  // A photo of the defect, in the shared attachment store.
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
  const up = await client.call('POST', `/api/v1/attachments?entity=inspection_defects&id=${d.id}&file_name=leak.png`, { as: 'engineer', raw: png, headers: { 'Content-Type': 'application/octet-stream' } });
  expectStatus(up, 201, 'defect photo');
  expectError(await client.call('POST', `/api/v1/attachments?entity=inspection_defects&id=${d.id}&file_name=leak.png`, { as: 'mortgage', raw: png, headers: { 'Content-Type': 'application/octet-stream' } }), 403, 'forbidden');
  h = await get(client, 'manager', `/api/v1/handovers/${f.id}/full`);
  assert(h.defects[0].photos === 1, `photos ${h.defects[0].photos}`);
  // The engineer may inspect, not hand over keys.
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/deliver`, { as: 'engineer', body: {} }), 403, 'forbidden');
  const t = await post(client, 'manager', `/api/v1/inspection-defects/${d.id}/ticket`, {}, 201);
  const ticket = await get(client, 'manager', `/api/v1/tickets/${t.ticket_id}/full`);
  assert(ticket.type === 'repair' && ticket.unit_id === f.unit_id && ticket.customer_id === f.customer_id, `ticket ${JSON.stringify(ticket).slice(0, 200)}`);
  expectError(await client.call('POST', `/api/v1/inspection-defects/${d.id}/ticket`, { as: 'manager' }), 409, 'conflict');
  expectError(await client.call('POST', `/api/v1/inspection-defects/${d.id}`, { as: 'engineer', body: { status: 'verified' } }), 409, 'conflict', 'status');
  await post(client, 'engineer', `/api/v1/inspection-defects/${d.id}`, { status: 'rectified' });
  await post(client, 'engineer', `/api/v1/inspection-defects/${d.id}`, { status: 'verified' });
  // Delivery.
  const body = { delivered_on: today(), keys: 3, water: '0001', electricity: '0002', gas: '0003', documents: ['quality_guarantee'], signed_by: f.owner_name };
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/deliver`, { as: 'manager', body }), 422, 'invalid', 'documents');
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/deliver`, { as: 'manager', body: { ...body, documents: ['quality_guarantee', 'manual'], keys: -1 } }), 422, 'invalid', 'keys');
  h = await post(client, 'manager', `/api/v1/handovers/${f.id}/deliver`, { ...body, documents: ['quality_guarantee', 'manual'] });
  assert(h.status === 'delivered' && h.delivered_on === today(), `delivered: ${h.status}`);
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/deliver`, { as: 'manager', body: { ...body, documents: ['quality_guarantee', 'manual'] } }), 409, 'conflict', 'status');
  const unit = await get(client, 'manager', `/api/v1/units/${f.unit_id}`);
  assert(unit.status === 'delivered' && unit.delivered_on === today(), `unit ${unit.status} ${unit.delivered_on}`);
  const w = await get(client, 'manager', `/api/v1/units/${f.unit_id}/warranty?category_id=${leak.id}`);
  assert(w.status === 'under_warranty' && w.delivered_on === today() && w.end === `${Number(today().slice(0, 4)) + 5}${today().slice(4)}`.replace(/-02-29$/, '-02-28'), `warranty ${JSON.stringify(w)}`);
  const surveys = await get(client, 'manager', `/api/v1/survey-responses?customer_id=${f.customer_id}&stage=handover&limit=5`);
  assert(surveys.total === 1 && surveys.items[0].status === 'invited', 'delivery raises the owner\'s handover survey');
  const certs = await get(client, 'manager', `/api/v1/certificates?contract_id=${f.contract_id}`);
  assert(certs.total === 1 && certs.items[0].status === 'collecting', `certificate ${JSON.stringify(certs.items)}`);
  const c360 = await get(client, 'manager', `/api/v1/customers/${f.customer_id}/360`);
  const titles = JSON.stringify(c360.timeline || c360.events || c360);
  assert(titles.includes('已交付') && titles.includes('正式验房'), 'the owner\'s timeline shows inspection and delivery');
  // Refusal of another flat.
  const g = batch.flats[1];
  expectError(await client.call('POST', `/api/v1/handovers/${g.id}/refuse`, { as: 'manager', body: {} }), 422, 'invalid', 'reason');
  assert((await post(client, 'manager', `/api/v1/handovers/${g.id}/refuse`, { reason: '墙面空鼓未整改' })).status === 'refused', 'refused');
  const daily = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/daily`);
  const day = daily.days.find((x) => x.day === today());
  assert(day && day.inspected === 1 && day.delivered === 1 && day.refused === 1, `daily ${JSON.stringify(daily.days)}`);
  const roll = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/defects?by=contractor`);
  assert(roll.rows.length === 1 && roll.rows[0].label === contractor.name && roll.rows[0].verified === 1, `roll-up ${JSON.stringify(roll.rows)}`);
});

test('handover true-up: statements at the contract price per m² by the 3% rule, receivables for what buyers owe, made once; equal to the calculator', async ({ client }) => {
  const { batch } = await newBatch(client, 2);
  const [a, b, c] = batch.flats;
  const unitOf = async (f) => get(client, 'manager', `/api/v1/units/${f.unit_id}`);
  const ua = await unitOf(a), ub = await unitOf(b), uc = await unitOf(c);
  // +2% (inside the band), +5% (beyond), −4% (beyond, refund).
  const set = async (u, pct) => {
    const m = Math.round(u.contract_area_dm2 * (100 + pct) / 100);
    expectStatus(await client.call('PATCH', `/api/v1/units/${u.id}`, { as: 'admin', body: { measured_area_dm2: m } }), 200, 'measured area');
    return m;
  };
  const ma = await set(ua, 2), mb = await set(ub, 5), mc = await set(uc, -4);
  const r = await post(client, 'manager', `/api/v1/delivery-batches/${batch.id}/true-up`, {});
  assert(r.made >= 3, `statements made: ${r.made}`);
  const again = await post(client, 'manager', `/api/v1/delivery-batches/${batch.id}/true-up`, {});
  assert(again.made === 0 && again.rows.length === r.rows.length, 'a second run made statements again');
  const contracts = await get(client, 'manager', `/api/v1/contracts?project_id=1&limit=200`);
  for (const [f, u, m] of [[a, ua, ma], [b, ub, mb], [c, uc, mc]]) {
    const s = r.rows.find((x) => x.handover_id === f.id);
    assert(s, `no statement for ${f.room_code}`);
    const k = contracts.items.find((x) => x.id === f.contract_id) || (await get(client, 'manager', `/api/v1/contracts/${f.contract_id}`));
    const price = Math.floor((k.total_price_fen * 100 * 2 + u.contract_area_dm2) / (2 * u.contract_area_dm2));
    assert(s.unit_price_fen === price, `${f.room_code}: price ${s.unit_price_fen}, want ${price}`);
    const calc = await post(client, 'manager', '/api/v1/calc/area-true-up', { contract_area_dm2: u.contract_area_dm2, measured_area_dm2: m, unit_price_fen: price });
    for (const key of ['ratio_bp', 'buyer_pays_fen', 'developer_absorbs_fen', 'refund_fen']) assert(s[key] === calc[key], `${f.room_code} ${key}: ${s[key]} vs calculator ${calc[key]}`);
    if (s.buyer_pays_fen > 0) {
      const rec = await get(client, 'manager', `/api/v1/receivables?contract_id=${f.contract_id}&kind=area_true_up`);
      assert(rec.items.some((x) => x.id === s.receivable_id && x.amount_fen === s.buyer_pays_fen), `receivable for ${f.room_code}`);
    } else {
      assert(s.receivable_id === null, 'no receivable without an amount owed');
    }
  }
  assert(r.rows.find((x) => x.handover_id === b.id).may_terminate === 1, '+5% may terminate');
  assert(r.rows.find((x) => x.handover_id === c.id).refund_fen > 0, '−4% refunds');
});

test('handover late-delivery ledger: each owner\'s days and penalty from their contract (calculator figures), as JSON and Excel; the property package as Excel', async ({ client }) => {
  const { batch } = await newBatch(client, 2);
  const f = batch.flats[0];
  // A deadline well past, so the flat is late.
  const deadline = addDays(today(), -120);
  expectStatus(await client.call('PATCH', `/api/v1/contracts/${f.contract_id}`, { as: 'manager', body: { delivery_deadline: deadline, late_delivery_grace_days: 90 } }), 200, 'deadline');
  await post(client, 'manager', `/api/v1/handovers/${f.id}/deliver`, { delivered_on: today(), keys: 2, water: '1', electricity: '2', documents: ['quality_guarantee', 'manual'], signed_by: f.owner_name });
  const led = await get(client, 'manager', `/api/v1/delivery-batches/${batch.id}/late-delivery`);
  const row = led.rows.find((x) => x.handover_id === f.id);
  const k = await get(client, 'manager', `/api/v1/contracts/${f.contract_id}`);
  const calc = await post(client, 'manager', '/api/v1/calc/late-delivery', { total_price_fen: k.total_price_fen, daily_rate_per_10000: k.late_delivery_rate, deadline, delivered: today(), grace_days: 90 });
  assert(row.days_late === 120 && calc.days_late === 120, `days ${row.days_late}`);
  assert(row.penalty_fen === calc.penalty_fen && row.may_terminate === true, `penalty ${row.penalty_fen} vs ${calc.penalty_fen}`);
  assert(led.total_penalty_fen >= row.penalty_fen, 'total');
  const x = await client.call('GET', `/api/v1/delivery-batches/${batch.id}/late-delivery.xlsx`, { as: 'finance' });
  expectStatus(x, 200, 'late-delivery.xlsx as finance');
  const sheet = readXlsx(x.buf);
  assert(sheet.rows === led.rows.length + 1, `xlsx rows ${sheet.rows}, want ${led.rows.length + 1}`);
  const p = await client.call('GET', `/api/v1/delivery-batches/${batch.id}/property-package.xlsx`, { as: 'property' });
  expectStatus(p, 200, 'package as property');
  assert(readXlsx(p.buf).rows === batch.total + 1, 'one row per flat');
  expectError(await client.call('GET', `/api/v1/delivery-batches/${batch.id}/property-package.xlsx`, { as: 'contract' }), 403, 'forbidden');
  expectError(await client.call('POST', `/api/v1/handovers/${f.id}/book`, { as: 'property', body: { slot_id: 1 } }), 403, 'forbidden');
});

test('certificates: collecting → submitted → issued (number required) → collected, in order only; deadlines from delivery + certificate_days', async ({ client }) => {
  const { batch } = await newBatch(client, 1);
  const f = batch.flats[0];
  await post(client, 'manager', `/api/v1/handovers/${f.id}/deliver`, { delivered_on: addDays(today(), -400), keys: 2, water: '1', electricity: '2', documents: ['quality_guarantee', 'manual'], signed_by: f.owner_name });
  const cert = (await get(client, 'contract', `/api/v1/certificates?contract_id=${f.contract_id}`)).items[0];
  expectError(await client.call('POST', `/api/v1/certificates`, { as: 'contract', body: { contract_id: f.contract_id } }), 409, 'conflict', 'contract_id');
  const dl = await get(client, 'contract', '/api/v1/certificates/deadlines?within=0');
  const mine = dl.items.find((x) => x.id === cert.id);
  assert(mine && mine.overdue === true && mine.due_on === addDays(addDays(today(), -400), 365), `deadline ${JSON.stringify(mine)}`);
  expectError(await client.call('POST', `/api/v1/certificates/${cert.id}/advance`, { as: 'contract', body: { to: 'issued', on: today(), number: 'X' } }), 409, 'conflict', 'status');
  await post(client, 'contract', `/api/v1/certificates/${cert.id}/advance`, { to: 'submitted', on: today() });
  expectError(await client.call('POST', `/api/v1/certificates/${cert.id}/advance`, { as: 'contract', body: { to: 'issued', on: today() } }), 422, 'invalid', 'number');
  let c = await post(client, 'contract', `/api/v1/certificates/${cert.id}/advance`, { to: 'issued', on: today(), number: '浙(2026)杭州市不动产权第0012345号' });
  assert(c.status === 'issued' && c.certificate_no.includes('0012345'), `issued ${JSON.stringify(c)}`);
  const sms = await get(client, 'admin', `/api/v1/outbox?source=certificate&limit=50`);
  assert(sms.items.some((x) => x.customer_id === f.customer_id && x.channel === 'sms' && x.subject === '不动产权证领取通知'), 'the owner is told to collect the certificate');
  c = await post(client, 'contract', `/api/v1/certificates/${cert.id}/advance`, { to: 'collected', on: today() });
  assert(c.status === 'collected' && c.collected_on === today(), 'collected');
  const after = await get(client, 'contract', '/api/v1/certificates/deadlines?within=0');
  assert(!after.items.some((x) => x.id === cert.id), 'a collected certificate still listed as due');
  expectError(await client.call('POST', `/api/v1/certificates/${cert.id}/advance`, { as: 'agent', body: { to: 'collected', on: today() } }), 409, 'conflict');
  expectError(await client.call('GET', '/api/v1/certificates/deadlines', { as: 'mortgage' }), 403, 'forbidden');
});

test('scheduler and warranty ledger: anjia remind runs every job once and logs it, a second run sends nothing again; admins see jobs and runs; flats whose warranty ends within N days are listed', async ({ bin, env, db, client }) => {
  // A flat of project 2 delivered 23 months ago: its two-year components end within 60 days.
  const unit = (await get(client, 'manager', '/api/v1/units?project_id=2&status=signed&limit=1')).items[0];
  const delivered = addDays(today(), -(365 * 2 - 30));
  expectStatus(await client.call('PATCH', `/api/v1/units/${unit.id}`, { as: 'admin', body: { delivered_on: delivered } }), 200, 'delivered_on');
  const list = await get(client, 'manager', '/api/v1/warranty/expiring?within=60&project_id=2');
  const mine = list.items.filter((x) => x.unit_id === unit.id);
  assert(mine.length >= 5 && mine.every((x) => x.delivered_on === delivered && x.end > today()), `ledger rows ${JSON.stringify(mine).slice(0, 300)}`);
  expectError(await client.call('GET', '/api/v1/warranty/expiring', { as: 'finance' }), 403, 'forbidden');
  const all = await get(client, 'manager', `/api/v1/units/${unit.id}/warranties`);
  assert(all.items.length === 10 && all.items.every((x) => x.delivered_on === delivered), `every component of the flat: ${all.items.length}`);
  const structure = all.items.find((x) => x.component === 'structure');
  assert(structure && structure.end === `${Number(delivered.slice(0, 4)) + 50}${delivered.slice(4)}`.replace(/-02-29$/, '-02-28'), `structure ends ${structure && structure.end}`);
  const runs0 = (await get(client, 'admin', '/api/v1/job-runs?job=warranty_expiry&limit=1')).total;
  let r = runBinClean(bin, ['remind', '--db', db], env);
  assert(r.status === 0, `remind: ${r.stderr}`);
  const owner = unit.owner_id;
  const c360 = JSON.stringify(await get(client, 'manager', `/api/v1/customers/${owner}/360`));
  const told = (c360.match(new RegExp(`保修期届满提醒：${unit.room_code}`, 'g')) || []).length;
  assert(told === mine.length, `owner told ${told} times for ${mine.length} components`);
  r = runBinClean(bin, ['remind', '--db', db], env);
  assert(r.status === 0 && /0 reminders fired|[0-9]+ reminders fired/.test(r.stdout), `second remind: ${r.stdout}`);
  const again = JSON.stringify(await get(client, 'manager', `/api/v1/customers/${owner}/360`));
  assert((again.match(new RegExp(`保修期届满提醒：${unit.room_code}`, 'g')) || []).length === told, 'a second run told the owner again');
  const runs = await get(client, 'admin', '/api/v1/job-runs?job=warranty_expiry&limit=5');
  assert(runs.total === runs0 + 2 && runs.items.every((x) => x.status === 'ok'), `runs ${JSON.stringify(runs.items)}`);
  const jobs = await get(client, 'admin', '/api/v1/scheduled-jobs?limit=20');
  assert(jobs.items.length === 8 && jobs.items.some((j) => j.code === 'warranty_expiry' && j.param === 60), 'jobs listed');
  expectError(await client.call('GET', '/api/v1/scheduled-jobs', { as: 'manager' }), 403, 'forbidden');
  const wj = jobs.items.find((j) => j.code === 'warranty_expiry');
  expectError(await client.call('PATCH', `/api/v1/scheduled-jobs/${wj.id}`, { as: 'admin', body: { every_seconds: 5 } }), 422, 'invalid', 'every_seconds');
  expectStatus(await client.call('PATCH', `/api/v1/scheduled-jobs/${wj.id}`, { as: 'admin', body: { param: 90 } }), 200, 'param');
});

/** anjia remind without blocking the event loop (the SMS gateway below
 * answers from this process). */
async function remindAsync(bin, args, env) {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const p = spawn(bin, ['remind', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (status) => {
      assert(!/AddressSanitizer|LeakSanitizer|runtime error/.test(stderr), `remind: sanitizer report:\n${stderr.slice(0, 2000)}`);
      resolve({ status, stdout, stderr });
    });
  });
}

test('outbox: warranty notices go out by SMS (local gateway) and email (loopback SMTP); a refused email is retried and sent once; nothing twice after a restart', async ({ bin, env, db, client, tmp }) => {
  const { spawn } = await import('node:child_process');
  const http = await import('node:http');
  const fs = await import('node:fs');
  // The SMS gateway: records every POST.
  const smsBodies = [];
  const gw = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => { smsBodies.push(JSON.parse(b)); res.writeHead(200); res.end('{"ok":true}'); });
  });
  await new Promise((r) => gw.listen(0, '127.0.0.1', r));
  // The SMTP server, refusing at first.
  const mailDir = join(tmp, 'mail');
  fs.mkdirSync(mailDir, { recursive: true });
  fs.writeFileSync(join(mailDir, 'refuse'), '');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const smtp = spawn('/usr/bin/python3', [new URL('./smtp_sink.py', import.meta.url).pathname, String(port), mailDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise((resolve, reject) => {
      smtp.stdout.on('data', (d) => { if (/ready/.test(String(d))) resolve(); });
      smtp.on('exit', (c) => reject(new Error(`smtp sink exited ${c}`)));
      setTimeout(() => reject(new Error('smtp sink did not start')), 10000);
    });
    const menv = { ...env, ANJIA_SMTP_URL: `smtp://127.0.0.1:${port}`, ANJIA_SMTP_TLS: 'off', ANJIA_SMTP_FROM: '安家客服 <kf@example.com>', ANJIA_SMS_URL: `http://127.0.0.1:${gw.address().port}/sms`, ANJIA_SMS_SIGNATURE: '【和悦府】' };
    // An owner with an email, a flat whose warranty runs out within 60 days.
    const unit = (await get(client, 'manager', '/api/v1/units?project_id=2&status=signed&limit=3')).items[2];
    const owner = unit.owner_id;
    expectStatus(await client.call('PATCH', `/api/v1/customers/${owner}`, { as: 'admin', body: { email: 'owner@example.com' } }), 200, 'email');
    expectStatus(await client.call('PATCH', `/api/v1/units/${unit.id}`, { as: 'admin', body: { delivered_on: addDays(today(), -(365 * 2 - 20)) } }), 200, 'delivered_on');
    let r = await remindAsync(bin, ['--db', db], menv);
    assert(r.status === 0, `remind: ${r.stderr}`);
    const sms = smsBodies.filter((b) => b.text.includes(unit.room_code));
    assert(sms.length >= 5 && sms.every((b) => /^1\d{10}$/.test(b.phone) && b.text.startsWith('【和悦府】保修期届满提醒')), `sms ${JSON.stringify(sms).slice(0, 300)}`);
    let out = await get(client, 'admin', `/api/v1/outbox?customer_id=${owner}&limit=100`);
    const emails = out.items.filter((x) => x.channel === 'email');
    const ownSms = out.items.filter((x) => x.channel === 'sms');
    assert(ownSms.length >= 5 && ownSms.every((x) => x.status === 'sent'), `the owner's SMS ${JSON.stringify(ownSms[0])}`);
    assert(emails.length === ownSms.length && emails.every((x) => x.status === 'pending' && x.attempts === 1 && /451/.test(x.last_error)), `emails after a refusal ${JSON.stringify(emails[0])}`);
    // The server accepts now; the retry is due after its backoff.
    fs.unlinkSync(join(mailDir, 'refuse'));
    r = await remindAsync(bin, ['--db', db, '--now', new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z')], menv);
    assert(r.status === 0, `remind: ${r.stderr}`);
    const files = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    assert(files.length === emails.length, `${files.length} emails delivered, want ${emails.length}`);
    const eml = fs.readFileSync(join(mailDir, files[0]), 'utf8');
    assert(/X-Rcpt: owner@example.com/.test(eml) && /Subject: =\?UTF-8\?B\?/.test(eml), 'an email to the owner with an encoded subject');
    const text = Buffer.from(eml.split(/\r?\n\r?\n/).slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8');
    assert(text.includes('保修期届满提醒') && text.includes(unit.room_code), `email body ${text.slice(0, 120)}`);
    out = await get(client, 'admin', `/api/v1/outbox?customer_id=${owner}&channel=email&limit=100`);
    assert(out.items.every((x) => x.status === 'sent' && x.attempts === 2), 'sent on the second attempt');
    // Again (a restart, another server): nothing new goes out.
    const smsBefore = smsBodies.length;
    r = await remindAsync(bin, ['--db', db, '--now', new Date(Date.now() + 7200e3).toISOString().replace(/\.\d+Z$/, 'Z')], menv);
    assert(r.status === 0 && smsBodies.length === smsBefore && fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).length === files.length, 'something went out twice');
    // Marketing without consent is skipped, with the reason.
    const logins = out.items.length;
    assert(logins > 0, 'the outbox lists the messages');
    expectError(await client.call('GET', '/api/v1/outbox', { as: 'agent' }), 403, 'forbidden');
    // A newsletter's photo goes along with its email.
    const nl = await post(client, 'manager', '/api/v1/newsletters', { project_id: 2, title: '园林施工进展', body: '中心花园已完成种植。', kind: 'service' }, 201);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    expectStatus(await client.call('POST', `/api/v1/attachments?entity=newsletters&id=${nl.id}&file_name=${encodeURIComponent('花园.png')}`, { as: 'manager', raw: png, headers: { 'Content-Type': 'application/octet-stream' } }), 201, 'photo');
    const listed = await get(client, 'manager', `/api/v1/attachments?entity=newsletters&id=${nl.id}`);
    assert(listed.items.length === 1 && listed.items[0].file_name === '花园.png' && listed.items[0].content_type === 'image/png', `attachments ${JSON.stringify(listed.items)}`);
    expectError(await client.call('GET', `/api/v1/attachments?entity=newsletters&id=${nl.id}`, { as: 'engineer' }), 403, 'forbidden');
    await post(client, 'manager', `/api/v1/newsletters/${nl.id}/send`, { channels: ['email'], building_ids: [unit.building_id] });
    const before = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).length;
    r = await remindAsync(bin, ['--db', db, '--now', new Date(Date.now() + 10800e3).toISOString().replace(/\.\d+Z$/, 'Z')], menv);
    assert(r.status === 0, `remind: ${r.stderr}`);
    const all = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort((x, y) => parseInt(x, 10) - parseInt(y, 10));
    assert(all.length === before + 1, `newsletter emails: ${all.length - before}`);
    const news = fs.readFileSync(join(mailDir, all[all.length - 1]), 'utf8');
    assert(/multipart\/mixed/.test(news) && /Content-Disposition: attachment; filename="=\?UTF-8\?B\?/.test(news) && news.includes(png.toString('base64').slice(0, 40)), 'the photo is attached');
  } finally {
    smtp.kill('SIGTERM');
    gw.close();
  }
});

test('newsletters: sent once to the owners of the buildings chosen, every recipient recorded and on their timeline; marketing only to owners who consented; letters print as one PDF', async ({ client, tmp }) => {
  const buildings = (await get(client, 'manager', '/api/v1/buildings?project_id=2&limit=10')).items;
  const b = buildings[0];
  const n = await post(client, 'manager', '/api/v1/newsletters', { project_id: 2, title: `工程进度 ${b.name}`, body: '外立面已完成，园林景观进入施工。', kind: 'service' }, 201);
  expectError(await client.call('POST', `/api/v1/newsletters/${n.id}/send`, { as: 'manager', body: { channels: [] } }), 422, 'invalid', 'channels');
  expectError(await client.call('POST', `/api/v1/newsletters/${n.id}/send`, { as: 'agent', body: { channels: ['sms'] } }), 403, 'forbidden');
  const sent = await post(client, 'manager', `/api/v1/newsletters/${n.id}/send`, { channels: ['sms', 'letter'], building_ids: [b.id] });
  assert(sent.status === 'sent' && sent.recipients > 0, `sent ${JSON.stringify(sent)}`);
  const rec = await get(client, 'manager', `/api/v1/newsletters/${n.id}/recipients`);
  assert(rec.items.length === sent.recipients && rec.items.every((x) => /letter/.test(x.channels)), 'recipients recorded');
  // The owners of that building, exactly.
  const units = [];
  for (let offset = 0; ; offset += 200) {
    const r = await get(client, 'manager', `/api/v1/units?building_id=${b.id}&limit=200&offset=${offset}`);
    units.push(...r.items);
    if (!r.next) break;
  }
  const owners = new Set(units.filter((u) => u.owner_id).map((u) => u.owner_id));
  // Every owner of the building is reached (letters need no phone); co-owners too.
  const got = new Set(rec.items.map((x) => x.customer_id));
  assert([...owners].every((o) => got.has(o)), 'an owner of the building was left out');
  const c360 = JSON.stringify(await get(client, 'manager', `/api/v1/customers/${rec.items[0].customer_id}/360`));
  assert(c360.includes(`客户通讯：工程进度 ${b.name}`), 'on the timeline');
  expectError(await client.call('POST', `/api/v1/newsletters/${n.id}/send`, { as: 'manager', body: { channels: ['sms'] } }), 409, 'conflict', 'status');
  expectError(await client.call('PATCH', `/api/v1/newsletters/${n.id}`, { as: 'manager', body: { title: 'x' } }), 409, 'conflict', 'status');
  // Marketing: only the owner who consented.
  const who = rec.items[0].customer_id;
  expectStatus(await client.call('PATCH', `/api/v1/customers/${who}`, { as: 'admin', body: { marketing_consent: true, email: 'yes@example.com' } }), 200, 'consent');
  const m = await post(client, 'manager', '/api/v1/newsletters', { project_id: 2, title: '业主答谢会', body: '诚邀参加。', kind: 'marketing' }, 201);
  const ms = await post(client, 'manager', `/api/v1/newsletters/${m.id}/send`, { channels: ['email'], building_ids: [b.id] });
  const mrec = await get(client, 'manager', `/api/v1/newsletters/${m.id}/recipients`);
  assert(ms.recipients === 1 && mrec.items[0].customer_id === who, `marketing recipients ${JSON.stringify(mrec.items)}`);
  // Letters: one page per owner with an address; those without are skipped.
  expectStatus(await client.call('PATCH', `/api/v1/customers/${who}`, { as: 'admin', body: { address: '杭州市西湖区文三路100号' } }), 200, 'address');
  const pdf = await client.call('GET', '/api/v1/outbox/letters.pdf', { as: 'manager' });
  expectStatus(pdf, 200, 'letters.pdf');
  const file = join(tmp, 'letters.pdf');
  writeFileSync(file, pdf.buf);
  const txt = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert(txt.stdout.includes('杭州市西湖区文三路100号') && txt.stdout.includes(`工程进度 ${b.name}`), `letter text ${txt.stdout.slice(0, 200)}`);
  expectError(await client.call('GET', '/api/v1/outbox/letters.pdf', { as: 'manager' }), 409, 'conflict');
});

test('surveys: a closed ticket raises its satisfaction survey; answers are checked and recorded once; a campaign asks every owner once; satisfaction and NPS by stage, as JSON and Excel', async ({ client }) => {
  // A ticket of a known customer, closed by a good callback.
  const unit = (await get(client, 'manager', '/api/v1/units?project_id=1&status=signed&limit=5')).items[4];
  const cat = (await get(client, 'manager', '/api/v1/ticket-categories?limit=1')).items[0];
  const t = await post(client, 'agent', '/api/v1/tickets', { type: 'repair', channel: 'phone', unit_id: unit.id, customer_id: unit.owner_id, category_id: cat.id, description: '阳台推拉门关不严' }, 201);
  await post(client, 'agent', `/api/v1/tickets/${t.id}/actions`, { action: 'accept' });
  await post(client, 'agent', `/api/v1/tickets/${t.id}/actions`, { action: 'resolve', resolution: '已调整滑轮' });
  const before = (await get(client, 'agent', `/api/v1/survey-responses?customer_id=${unit.owner_id}&stage=ticket_closed&limit=1`)).total;
  const closed = await post(client, 'supervisor', `/api/v1/tickets/${t.id}/actions`, { action: 'callback', outcome: 'reached', score: 5, comment: '很好' });
  assert(closed.status === 'closed', 'ticket closed');
  const inv = await get(client, 'agent', `/api/v1/survey-responses?customer_id=${unit.owner_id}&stage=ticket_closed&limit=50`);
  assert(inv.total === before + 1 && inv.items[0].status === 'invited' && inv.items[0].invited_on === today(), `survey raised ${JSON.stringify(inv.items[0])}`);
  const s = inv.items[0];
  expectError(await client.call('POST', `/api/v1/survey-responses/${s.id}/answers`, { as: 'agent', body: { answers: { timely: 4 } } }), 422, 'invalid', 'answers.overall');
  expectError(await client.call('POST', `/api/v1/survey-responses/${s.id}/answers`, { as: 'agent', body: { answers: { overall: 6, timely: 4 } } }), 422, 'invalid', 'answers.overall');
  expectError(await client.call('POST', `/api/v1/survey-responses/${s.id}/answers`, { as: 'agent', body: { answers: { overall: 5, timely: 4, colour: 'red' } } }), 422, 'invalid', 'answers.colour');
  const a = await post(client, 'agent', `/api/v1/survey-responses/${s.id}/answers`, { answers: { overall: 5, timely: 4, nps: 9, comment: '师傅很专业' } });
  assert(a.status === 'answered' && a.score_avg100 === 450 && a.nps === 9, `answered ${JSON.stringify(a)}`);
  expectError(await client.call('POST', `/api/v1/survey-responses/${s.id}/answers`, { as: 'agent', body: { answers: { overall: 1, timely: 1 } } }), 409, 'conflict', 'status');
  expectError(await client.call('POST', `/api/v1/survey-responses/${s.id}/answers`, { as: 'finance', body: { answers: {} } }), 403, 'forbidden');
  // A campaign over one building of project 2, twice on one day: asked once.
  const tpl = (await get(client, 'manager', '/api/v1/survey-templates?trigger_on=campaign&limit=5')).items[0];
  const b = (await get(client, 'manager', '/api/v1/buildings?project_id=2&limit=10')).items[1];
  expectError(await client.call('POST', '/api/v1/survey-campaigns', { as: 'agent', body: { template_id: tpl.id, project_id: 2 } }), 403, 'forbidden');
  // A dry run says how many it would raise and raises nothing.
  const total = async () => (await get(client, 'manager', `/api/v1/survey-responses?template_id=${tpl.id}&limit=1`)).total;
  const t0 = await total();
  const d1 = await post(client, 'manager', '/api/v1/survey-campaigns', { template_id: tpl.id, project_id: 2, building_ids: [b.id], dry_run: true }, 200);
  assert(d1.dry_run === true && d1.surveys > 3 && d1.owners === d1.surveys && (await total()) === t0, `dry run ${JSON.stringify(d1)}; surveys ${t0} → ${await total()}`);
  expectError(await client.call('POST', '/api/v1/survey-campaigns', { as: 'manager', body: { template_id: tpl.id, project_id: 2, dry_run: 'yes' } }), 422, 'invalid', 'dry_run');
  const c1 = await post(client, 'manager', '/api/v1/survey-campaigns', { template_id: tpl.id, project_id: 2, building_ids: [b.id] }, 201);
  const c2 = await post(client, 'manager', '/api/v1/survey-campaigns', { template_id: tpl.id, project_id: 2, building_ids: [b.id] }, 201);
  assert(c1.surveys > 3 && c2.surveys === 0, `campaign ${c1.surveys} then ${c2.surveys}`);
  assert(c1.surveys === d1.surveys && (await total()) === t0 + c1.surveys, `raised ${c1.surveys}, the dry run said ${d1.surveys}`);
  const d2 = await post(client, 'manager', '/api/v1/survey-campaigns', { template_id: tpl.id, project_id: 2, building_ids: [b.id], dry_run: true }, 200);
  assert(d2.surveys === 0 && d2.owners === d1.owners, `dry run after the campaign ${JSON.stringify(d2)}`);
  const camp = await get(client, 'manager', `/api/v1/survey-responses?template_id=${tpl.id}&project_id=2&status=invited&limit=3`);
  const scores = [[5, 4, 10], [4, 4, 8], [2, 1, 3]];
  for (let i = 0; i < 3; i++) {
    const [overall, property, nps] = scores[i];
    await post(client, 'manager', `/api/v1/survey-responses/${camp.items[i].id}/answers`, { answers: { overall, property, nps } });
  }
  const rep = await get(client, 'manager', '/api/v1/surveys/report?group=stage&project_id=2');
  const row = rep.rows.find((x) => x.key === 'campaign');
  // Satisfaction: mean of the three means (4.5, 4, 1.5) = 3.33; NPS: 1 promoter, 1 passive, 1 detractor = 0.
  assert(row && row.answered === 3 && row.invited === c1.surveys && row.satisfaction_avg100 === 333 && row.nps100 === 0 && row.label === '专项调查', `report ${JSON.stringify(row)}`);
  const x = await client.call('GET', '/api/v1/surveys/report.xlsx?group=month&project_id=2', { as: 'manager' });
  expectStatus(x, 200, 'report.xlsx');
  assert(readXlsx(x.buf).rows >= 2, 'an Excel row per month');
  expectError(await client.call('GET', '/api/v1/surveys/report?group=colour', { as: 'manager' }), 422, 'invalid', 'group');
});
