// mortgage.mjs - scripted tests of mortgages and collections: the repayment
// calculator (DOMAIN.md §5), loans through their bank stages, follow-ups and
// papers, the weekly progress report, receivables and receipts, the overdue
// list with late-payment penalties (DOMAIN.md §3), dunning, the collection
// rate and project scope.
//
// run.mjs runs these after the master-data tests, before the graceful stop.
// Every test makes the contracts it changes: a buyer of its own (ID numbers
// born in 2008, area 330106, sequence >= 700; phones 1661111xxxx, which
// neither the demo data nor the other tests use), an unsold unit, the
// document checklist ticked and the contract signed on a date the test
// chooses, so due dates, penalties and report weeks are known exactly.
// Dates of the own data: 2023 (collection rate), 2024 (leap day), January
// 2026 (penalties); the demo's money starts in March 2025.
//
// ctx: {bin, env, tmp, db, keyFile, server, client}

import { isDeepStrictEqual } from 'node:util';

import { assert, expectError, expectStatus, fail, short } from './lib.mjs';
import { readXlsx } from './xlsx.mjs';

export const mortgageTests = [];
const test = (name, fn, opts = {}) => mortgageTests.push({ name, fn, ...opts });

/*---- Dates (civil dates as strings; the server's "today" is Asia/Shanghai) ----*/

const DAY_MS = 86400000;
const toDays = (s) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / DAY_MS;
const fromDays = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const addDays = (s, n) => fromDays(toDays(s) + n);
const diffDays = (a, b) => toDays(b) - toDays(a);
const today = () => fromDays(Math.floor((Date.now() + 8 * 3600 * 1000) / DAY_MS));
/** The Monday of the week (Monday to Sunday) holding the date. */
const mondayOf = (s) => addDays(s, -((new Date(toDays(s) * DAY_MS).getUTCDay() + 6) % 7));

/*---- Money ----*/

/** num / den rounded half-up, for non-negative BigInts. */
const divRound = (num, den) => (2n * num + den) / (2n * den);

/** "2" → 20000n, "0.5" → 5000n: a decimal string × 10^4. */
function e4(rate) {
  const [w, f = ''] = rate.split('.');
  return BigInt(w) * 10000n + BigInt((f + '0000').slice(0, 4));
}

/**
 * DOMAIN.md §3, buyer's late payment: X/10000 per day on the instalment due
 * minus what was paid; a payment on day d counts as paid after day d
 * accrued; days run from the day after the due date to as_of, both
 * included. Rounded half-up once, at the end.
 */
function latePenalty(amount, due, payments, asOf, rate) {
  let owed = BigInt(amount);
  let acc = 0n;
  let from = due;
  for (const p of payments.filter((x) => x.on <= asOf).sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0))) {
    if (p.on > from) {
      acc += owed * BigInt(diffDays(from, p.on));
      from = p.on;
    }
    owed -= BigInt(p.amount);
  }
  if (owed > 0n && asOf > from) acc += owed * BigInt(diffDays(from, asOf));
  return { penalty: Number(divRound(acc * e4(rate), 100000000n)), owed: Number(owed), days: owed > 0n ? Math.max(0, diffDays(due, asOf)) : null };
}

/*---- Requests ----*/

async function getJson(client, as, p) {
  const res = await client.call('GET', p, { as });
  expectStatus(res, 200, `GET ${p} as ${as}`);
  return res.json;
}

async function post(client, as, p, body, status, label = '') {
  const res = await client.call('POST', p, { as, body });
  expectStatus(res, status, `${label || `POST ${p}`} as ${as} ${short(body, 200)}`);
  return res.json;
}

/** Every item of a list, paging with `next`. */
async function listAll(client, as, entityPath) {
  const items = [];
  let cursor = null;
  for (let guard = 0; guard < 200; guard++) {
    const sep = entityPath.includes('?') ? '&' : '?';
    const p = `${entityPath}${sep}limit=200${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const j = await getJson(client, as, p);
    items.push(...j.items);
    cursor = j.next;
    if (cursor === null) return items;
  }
  fail(`${entityPath}: more than 200 pages`);
}

/** fn over items, at most n at a time; results in order. */
async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await fn(items[k], k);
      }
    }),
  );
  return out;
}

/*---- Own data: buyers, contracts, receivables, loans ----*/

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const pad2 = (n) => String(n).padStart(2, '0');
let serial = 0;

function nextIdNumber() {
  const n = serial++;
  const first17 = `3301062008${pad2(1 + (n % 12))}${pad2(1 + (Math.floor(n / 12) % 28))}${700 + Math.floor(n / 336)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return first17 + '10X98765432'[sum % 11];
}

const nextPhone = () => `1661111${String(serial++).padStart(4, '0')}`;
const nextVoucher = (prefix = 'MT') => `${prefix}${String(serial++).padStart(6, '0')}`;

async function newBuyer(client, project, name) {
  return post(client, 'manager', '/api/v1/customers', { name, id_type: 'id_card', id_number: nextIdNumber(), phone: nextPhone(), project_id: project }, 201, 'new buyer');
}

const usedUnits = new Set();

/**
 * A contract of our own on an unsold unit of the project, its papers
 * ticked, signed on signedOn (null: left subscribed). Returns
 * {contract, buyer}; contract is the /full reply after signing.
 */
async function newContract(client, opts = {}) {
  const { project = 1, method = 'commercial_loan', price = 300000000, deposit = 5000000, signedOn = today(), name = '按揭测试' } = opts;
  const subscribedOn = opts.subscribedOn || addDays(signedOn || today(), -7);
  const buyer = await newBuyer(client, project, name);
  const units = await getJson(client, 'manager', `/api/v1/units?project_id=${project}&status=unsold&limit=60`);
  let k = null;
  for (const u of units.items) {
    if (usedUnits.has(u.id)) continue;
    usedUnits.add(u.id);
    const body = { unit_id: u.id, buyers: [{ customer_id: buyer.id }], total_price_fen: price, deposit_fen: deposit, payment_method: method, subscribed_on: subscribedOn };
    if (opts.rate) body.late_payment_rate = opts.rate;
    if (opts.grace !== undefined) body.late_payment_grace_days = opts.grace;
    const res = await client.call('POST', '/api/v1/contracts', { as: 'manager', body });
    if (res.status === 409) continue; // taken meanwhile
    expectStatus(res, 201, `POST /contracts ${short(body)}`);
    k = res.json;
    break;
  }
  if (!k) fail(`no free unsold unit in project ${project}`);
  for (const d of k.documents) {
    if (d.status !== 'missing') continue;
    await post(client, 'manager', `/api/v1/contracts/${k.id}/documents/${d.id}`, { status: 'received' }, 200, 'tick a contract paper');
  }
  if (signedOn) {
    k = await post(client, 'manager', `/api/v1/contracts/${k.id}/transitions`, { action: 'sign', signed_on: signedOn }, 200, 'sign');
    assert(k.status === 'signed' && k.signed_on === signedOn, `signed contract ${short(k)}`);
  }
  return { contract: k, buyer };
}

/** Generate the receivables; returns {deposit, down_payment, loan, items}. */
async function generate(client, contractId, body = {}, as = 'mortgage') {
  const j = await post(client, as, `/api/v1/contracts/${contractId}/receivables`, body, 201, 'generate receivables');
  const by = { items: j.items };
  for (const r of j.items) by[r.kind] = r;
  return by;
}

async function receipt(client, receivableId, amount, on, extra = {}, as = 'finance') {
  return post(client, as, '/api/v1/receipts', { receivable_id: receivableId, amount_fen: amount, received_on: on, voucher_no: nextVoucher(), method: 'transfer', ...extra }, 201, 'receipt');
}

const BANK = { abc: 1, ccb: 2, rural: 3, provident: 4 };

async function bankIds(client) {
  const banks = await getJson(client, 'manager', '/api/v1/banks?limit=200');
  const id = (name) => {
    const b = banks.items.find((x) => x.name === name);
    if (!b) fail(`no bank ${name}: ${short(banks.items)}`);
    return b.id;
  };
  BANK.abc = id('中国农业银行');
  BANK.ccb = id('中国建设银行');
  BANK.rural = id('农村商业银行');
  BANK.provident = id('住房公积金管理中心');
  return banks.items;
}

function commercialLoan(contractId, amount, bank = BANK.abc) {
  return { contract_id: contractId, loan_type: 'commercial', bank_id: bank, commercial_fen: amount, commercial_rate: '3.1', commercial_months: 360 };
}

async function newLoan(client, body, as = 'mortgage') {
  return post(client, as, '/api/v1/loans', body, 201, 'new loan');
}

async function stage(client, loanId, body, as = 'mortgage') {
  return client.call('POST', `/api/v1/loans/${loanId}/stage`, { as, body });
}

async function moveTo(client, loanId, stages, extra = {}) {
  let j;
  for (const s of stages) {
    const res = await stage(client, loanId, { stage: s, ...(s === 'disbursed' ? extra : {}) });
    expectStatus(res, 200, `loan ${loanId} → ${s}`);
    j = res.json;
    assert(j.stage === s, `loan ${loanId} moved to ${s} is at ${j.stage}`);
  }
  return j;
}

/*==== 1. The calculator ===================================================*/

const CALC = '/api/v1/calc/mortgage';

async function calc(client, body, as = 'engineer') {
  return post(client, as, CALC, body, 200, 'calc');
}

/** Rows 1..n, each payment = principal + interest, interest = previous balance × rate / 12 rounded half-up, balances falling to exactly 0, Σ principal = P. */
function checkSchedule(j, principal, months, rate) {
  const s = j.schedule;
  assert(Array.isArray(s) && s.length === months, `schedule has ${s && s.length} rows, want ${months}`);
  const r = e4(rate);
  let balance = BigInt(principal);
  let sumP = 0n;
  let sumI = 0n;
  let sumPay = 0n;
  for (let k = 0; k < months; k++) {
    const row = s[k];
    assert(row.month === k + 1, `row ${k}: month ${row.month}`);
    for (const f of ['payment_fen', 'principal_fen', 'interest_fen', 'balance_fen']) assert(Number.isInteger(row[f]) && row[f] >= 0, `month ${k + 1}: ${f} ${short(row[f])}`);
    const wantI = divRound(balance * r, 12000000n);
    assert(BigInt(row.interest_fen) === wantI, `month ${k + 1}: interest ${row.interest_fen}, want ${wantI} (balance ${balance} × ${rate}% / 12, half-up)`);
    assert(row.payment_fen === row.principal_fen + row.interest_fen, `month ${k + 1}: payment ${row.payment_fen} ≠ principal ${row.principal_fen} + interest ${row.interest_fen}`);
    const next = balance - BigInt(row.principal_fen);
    assert(BigInt(row.balance_fen) === next, `month ${k + 1}: balance ${row.balance_fen}, want ${next}`);
    assert(k === months - 1 || next < balance || principal === 0, `month ${k + 1}: balance does not fall (${balance} → ${next})`);
    balance = next;
    sumP += BigInt(row.principal_fen);
    sumI += BigInt(row.interest_fen);
    sumPay += BigInt(row.payment_fen);
  }
  assert(s[months - 1].balance_fen === 0, `last balance ${s[months - 1].balance_fen}, want 0`);
  assert(sumP === BigInt(principal), `Σ principal ${sumP}, want ${principal}`);
  assert(BigInt(j.total_interest_fen) === sumI, `total_interest_fen ${j.total_interest_fen}, Σ interest ${sumI}`);
  assert(BigInt(j.total_payment_fen) === sumPay && sumPay === BigInt(principal) + sumI, `total_payment_fen ${j.total_payment_fen}, Σ payments ${sumPay}, principal + interest ${BigInt(principal) + sumI}`);
}

test('mortgage calc: DOMAIN §5 equal payment — ¥1,000,000, 360 months, 3.5% → 4,490.45 a month, interest 616,560.07', async ({ client }) => {
  const j = await calc(client, { principal_fen: 100000000, months: 360, annual_rate_percent: '3.5', method: 'equal_payment' });
  const first = j.schedule[0];
  assert(first.payment_fen === 449045 && first.interest_fen === 291667 && first.principal_fen === 157378 && first.balance_fen === 100000000 - 157378, `month 1 ${short(first)}, want payment 449045 = 291667 interest + 157378 principal`);
  const last = j.schedule[359];
  assert(last.payment_fen === 448852 && last.balance_fen === 0, `month 360 ${short(last)}, want payment 448852 and balance 0`);
  assert(j.total_interest_fen === 61656007, `total_interest_fen ${j.total_interest_fen}, want 61656007 (cent-rounded schedule, adjusted last payment)`);
  for (let k = 0; k < 359; k++) assert(j.schedule[k].payment_fen === 449045, `month ${k + 1} pays ${j.schedule[k].payment_fen}, want the annuity 449045`);
  checkSchedule(j, 100000000, 360, '3.5');
});

test('mortgage calc: DOMAIN §5 equal principal — month 1 is 5,694.45 (2,777.78 + 2,916.67), equal principal parts, the last takes the rest', async ({ client }) => {
  const j = await calc(client, { principal_fen: 100000000, months: 360, annual_rate_percent: '3.5', method: 'equal_principal' });
  const first = j.schedule[0];
  assert(first.payment_fen === 569445 && first.principal_fen === 277778 && first.interest_fen === 291667, `month 1 ${short(first)}, want 569445 = 277778 + 291667`);
  for (let k = 0; k < 359; k++) assert(j.schedule[k].principal_fen === 277778, `month ${k + 1} repays ${j.schedule[k].principal_fen}, want 277778`);
  assert(j.schedule[359].principal_fen === 100000000 - 359 * 277778, `month 360 repays ${j.schedule[359].principal_fen}, want the rest ${100000000 - 359 * 277778}`);
  for (let k = 1; k < 360; k++) assert(j.schedule[k].payment_fen < j.schedule[k - 1].payment_fen, `payments do not fall at month ${k + 1}`);
  checkSchedule(j, 100000000, 360, '3.5');
});

test('mortgage calc: provident 2.6% → 4,003.40 a month; one-month loans; rate "0" splits evenly and the last month takes the rest', async ({ client }) => {
  const pv = await calc(client, { principal_fen: 100000000, months: 360, annual_rate_percent: '2.6', method: 'equal_payment' }, 'property');
  for (let k = 0; k < 359; k++) assert(pv.schedule[k].payment_fen === 400340, `provident month ${k + 1} pays ${pv.schedule[k].payment_fen}, want 400340`);
  checkSchedule(pv, 100000000, 360, '2.6');

  for (const method of ['equal_payment', 'equal_principal']) {
    const one = await calc(client, { principal_fen: 100000000, months: 1, annual_rate_percent: '3.5', method });
    assert(one.schedule.length === 1, `${method} one month: ${short(one.schedule)}`);
    const m = one.schedule[0];
    assert(m.principal_fen === 100000000 && m.interest_fen === 291667 && m.payment_fen === 100291667 && m.balance_fen === 0, `${method} one month ${short(m)}, want 100000000 + 291667`);
    assert(one.total_interest_fen === 291667, `${method} one month total_interest_fen ${one.total_interest_fen}`);
    checkSchedule(one, 100000000, 1, '3.5');

    // No interest: 100000 / 7 = 14285.71 → 14286 a month, the last 14284.
    const zero = await calc(client, { principal_fen: 100000, months: 7, annual_rate_percent: '0', method });
    const pays = zero.schedule.map((x) => x.payment_fen);
    assert(isDeepStrictEqual(pays, [14286, 14286, 14286, 14286, 14286, 14286, 14284]), `${method} at 0%: payments ${short(pays)}, want 6 × 14286 then 14284`);
    assert(zero.schedule.every((x) => x.interest_fen === 0) && zero.total_interest_fen === 0 && zero.total_payment_fen === 100000, `${method} at 0%: interest ${short(zero)}`);
    checkSchedule(zero, 100000, 7, '0');
  }

  // An odd principal and rate with four decimals, both methods.
  for (const method of ['equal_payment', 'equal_principal']) {
    const j = await calc(client, { principal_fen: 123456789, months: 240, annual_rate_percent: '4.1234', method }, 'agent');
    checkSchedule(j, 123456789, 240, '4.1234');
  }
});

test('mortgage calc: bad principal, months, rate or method → 422 naming the field; no token → 401', async ({ client }) => {
  const good = { principal_fen: 100000000, months: 360, annual_rate_percent: '3.5', method: 'equal_payment' };
  const bad = [
    [{ principal_fen: 0 }, 'principal_fen'],
    [{ principal_fen: -100 }, 'principal_fen'],
    [{ principal_fen: '100000000' }, 'principal_fen'],
    [{ principal_fen: undefined }, 'principal_fen'],
    [{ months: 0 }, 'months'],
    [{ months: 361 }, 'months'],
    [{ months: undefined }, 'months'],
    [{ annual_rate_percent: '3.55555' }, 'annual_rate_percent'],
    [{ annual_rate_percent: 'abc' }, 'annual_rate_percent'],
    [{ annual_rate_percent: '-1' }, 'annual_rate_percent'],
    [{ annual_rate_percent: '' }, 'annual_rate_percent'],
    [{ annual_rate_percent: 3.5 }, 'annual_rate_percent'],
    [{ annual_rate_percent: undefined }, 'annual_rate_percent'],
    [{ method: undefined }, 'method'],
    [{ method: 'monthly' }, 'method'],
  ];
  for (const [change, field] of bad) {
    const body = { ...good, ...change };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    expectError(await client.call('POST', CALC, { as: 'mortgage', body }), 422, 'invalid', field);
  }
  expectError(await client.call('POST', CALC, { body: good }), 401, 'unauthenticated');
  expectError(await client.call('POST', CALC, { token: 'not-a-session', body: good }), 401, 'unauthenticated');
  // Any logged-in user may calculate.
  for (const u of ['admin', 'agent', 'engineer', 'property', 'finance']) await calc(client, good, u);
});

/*==== 2. Loans ============================================================*/

test('mortgage loans: a combined loan starts collecting papers with its checklist; one live loan per contract; bad input → 422, agents → 403', async ({ client }) => {
  await bankIds(client);
  const { contract: k } = await newContract(client, { method: 'combined', price: 400000000 });
  const { contract: p3 } = await newContract(client, { project: 3, method: 'combined', price: 300000000 });
  const body = {
    contract_id: k.id,
    loan_type: 'combined',
    bank_id: BANK.ccb,
    commercial_fen: 150000000,
    commercial_rate: '3.1',
    commercial_months: 360,
    provident_fen: 100000000,
    provident_rate: '2.6',
    provident_months: 300,
  };
  const loansOf = async (cid) => (await getJson(client, 'manager', `/api/v1/loans?contract_id=${cid}`)).total;
  const bad = [
    [{ bank_id: 999999 }, 'bank_id'],
    [{ bank_id: undefined }, 'bank_id'],
    [{ bank_id: 'abc' }, 'bank_id'],
    [{ loan_type: 'mixed' }, 'loan_type'],
    [{ contract_id: 999999 }, 'contract_id'],
    [{ contract_id: undefined }, 'contract_id'],
    [{ commercial_fen: 0 }, 'commercial_fen'],
    [{ commercial_rate: 'abc' }, 'commercial_rate'],
    [{ commercial_rate: '3.55555' }, 'commercial_rate'],
    [{ commercial_months: 361 }, 'commercial_months'],
    [{ provident_fen: -1 }, 'provident_fen'],
    [{ provident_months: 0 }, 'provident_months'],
    [{ branch_id: 999999 }, 'branch_id'],
  ];
  for (const [change, field] of bad) {
    const b = { ...body, ...change };
    for (const key of Object.keys(b)) if (b[key] === undefined) delete b[key];
    expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: b }), 422, 'invalid', field);
  }
  // More than the contract price (400万): refused, naming an amount.
  const over = await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: { ...body, commercial_fen: 300000000, provident_fen: 100000001 } });
  expectError(over, 422, 'invalid');
  assert(['commercial_fen', 'provident_fen'].includes(over.json.error.field), `over the price: field ${over.json.error.field}`);
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: commercialLoan(k.id, 400000001) }), 422, 'invalid', 'commercial_fen');
  // A provident loan has no commercial part and the other way round.
  expectError(
    await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: { contract_id: k.id, loan_type: 'provident', bank_id: BANK.provident, provident_fen: 100000000, provident_rate: '2.6', provident_months: 360, commercial_fen: 1000000 } }),
    422,
    'invalid',
    'commercial_fen',
  );
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: { ...commercialLoan(k.id, 100000000), provident_fen: 100 } }), 422, 'invalid', 'provident_fen');
  // Roles without loan.write, and staff outside the contract's project.
  for (const u of ['agent', 'contract', 'finance', 'engineer']) expectError(await client.call('POST', '/api/v1/loans', { as: u, body }), 403, 'forbidden');
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: { ...body, contract_id: p3.id } }), 403, 'forbidden');
  assert((await loansOf(k.id)) === 0, 'a refused request created a loan');

  const l = await newLoan(client, body);
  const t = today();
  assert(Number.isInteger(l.id) && l.contract_id === k.id && l.project_id === k.project_id && l.loan_type === 'combined' && l.bank_id === BANK.ccb, `created loan ${short(l)}`);
  assert(l.stage === 'collecting' && l.stage_since === t, `new loan at ${l.stage} since ${l.stage_since}, want collecting since ${t}`);
  assert(l.amount_fen === 250000000 && l.commercial_fen === 150000000 && l.provident_fen === 100000000, `amounts ${short(l)}, want 250000000 = 150000000 + 100000000`);
  assert(l.commercial_rate === '3.1' && l.provident_rate === '2.6' && l.commercial_months === 360 && l.provident_months === 300, `rates and terms ${short(l)}`);
  assert(isDeepStrictEqual(l.stages.map((s) => [s.stage, s.on_date, s.username]), [['collecting', t, 'mortgage']]), `stage history ${short(l.stages)}`);
  const names = l.documents.map((d) => d.doc_name);
  for (const n of ['身份证', '户口簿', '婚姻状况证明', '收入证明', '征信查询授权书', '购房合同', '公积金缴存证明'])
    assert(names.includes(n), `combined loan checklist lacks ${n}: ${short(names)}`);
  assert(l.documents.every((d) => d.status === 'missing' && Number.isInteger(d.id)), `new checklist ${short(l.documents)}`);
  assert(l.missing_docs === l.documents.length, `missing_docs ${l.missing_docs}, ${l.documents.length} papers`);
  assert(Array.isArray(l.followups) && l.followups.length === 0, `followups ${short(l.followups)}`);

  // One live loan per contract.
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body }), 409, 'conflict');
  expectError(await client.call('POST', '/api/v1/loans', { as: 'manager', body: commercialLoan(k.id, 1000000) }), 409, 'conflict');
  assert((await loansOf(k.id)) === 1, 'the contract has more than one loan');

  // The list shows it; readers of the project may open it.
  const row = (await getJson(client, 'agent', `/api/v1/loans?contract_id=${k.id}`)).items;
  assert(row.length === 1 && row[0].id === l.id && row[0].stage === 'collecting' && row[0].amount_fen === 250000000 && row[0].missing_docs === l.documents.length, `list row ${short(row)}`);
  assert(row[0].contract_no === k.no && row[0].bank_name === '中国建设银行', `list labels ${short(row[0])}`);
  expectStatus(await client.call('GET', `/api/v1/loans/${l.id}/full`, { as: 'agent' }), 200, 'agent reads a project-1 loan');

  // A commercial loan has no provident papers.
  const { contract: k2 } = await newContract(client, { method: 'commercial_loan' });
  const c = await newLoan(client, commercialLoan(k2.id, 200000000));
  assert(c.amount_fen === 200000000 && c.provident_fen === 0 && c.loan_type === 'commercial', `commercial loan ${short(c)}`);
  assert(!c.documents.some((d) => d.doc_name === '公积金缴存证明') && c.documents.some((d) => d.doc_name === '收入证明'), `commercial checklist ${short(c.documents.map((d) => d.doc_name))}`);
  assert(c.documents.length === l.documents.length - 1, `commercial checklist has ${c.documents.length} papers, combined ${l.documents.length}`);
});

/*==== 3. Stages ===========================================================*/

test('mortgage stages: one stage at a time; skipping or going back → 409 naming the stage; earlier dates → 422; disbursal pays the loan receivable (DK-id)', async ({ client }) => {
  await bankIds(client);
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price: 300000000 });
  const rec = await generate(client, k.id);
  expectError(await client.call('POST', `/api/v1/contracts/${k.id}/receivables`, { as: 'mortgage', body: {} }), 409, 'conflict');
  const L = rec.loan.amount_fen;
  assert(L === 210000000, `loan receivable ${L}, want 70% of 300万`);
  const l = await newLoan(client, commercialLoan(k.id, L));
  const t = today();

  // Skipping: collecting → reviewing, approved, disbursed.
  for (const s of ['reviewing', 'approved', 'disbursed']) {
    const res = await stage(client, l.id, { stage: s, disbursed_fen: L });
    expectError(res, 409, 'conflict', 'stage');
    assert(res.json.error.message.includes('资料收集'), `skip to ${s}: message does not name the current stage 资料收集: ${res.json.error.message}`);
  }
  expectError(await stage(client, l.id, { stage: 'collecting' }), 409, 'conflict', 'stage');
  expectError(await stage(client, l.id, { stage: 'bogus' }), 422, 'invalid', 'stage');
  expectError(await stage(client, l.id, {}), 422, 'invalid', 'stage');
  // Dates: not before the current stage's, and real dates.
  expectError(await stage(client, l.id, { stage: 'signed', on: addDays(t, -1) }), 422, 'invalid', 'on');
  expectError(await stage(client, l.id, { stage: 'signed', on: '2026-02-30' }), 422, 'invalid', 'on');
  expectError(await stage(client, l.id, { stage: 'signed', on: 'yesterday' }), 422, 'invalid', 'on');
  // A stage cannot be reached in the future: the weekly report would count it early.
  expectError(await stage(client, l.id, { stage: 'signed', on: addDays(today(), 1) }), 422, 'invalid', 'on');
  for (const u of ['agent', 'finance', 'engineer']) expectError(await stage(client, l.id, { stage: 'signed' }, u), 403, 'forbidden');
  let j = await getJson(client, 'mortgage', `/api/v1/loans/${l.id}/full`);
  assert(j.stage === 'collecting' && j.stages.length === 1, `refused moves changed the loan: ${short(j)}`);

  j = await moveTo(client, l.id, ['signed', 'reviewing']);
  assert(j.stage_since === t, `stage_since ${j.stage_since}`);
  // Going back.
  for (const s of ['signed', 'collecting']) {
    const res = await stage(client, l.id, { stage: s });
    expectError(res, 409, 'conflict', 'stage');
    assert(res.json.error.message.includes('审批中'), `back to ${s}: message does not name 审批中: ${res.json.error.message}`);
  }
  j = await moveTo(client, l.id, ['approved']);

  // Disbursal needs an amount above 0 and not above the loan.
  expectError(await stage(client, l.id, { stage: 'disbursed' }), 422, 'invalid', 'disbursed_fen');
  expectError(await stage(client, l.id, { stage: 'disbursed', disbursed_fen: 0 }), 422, 'invalid', 'disbursed_fen');
  expectError(await stage(client, l.id, { stage: 'disbursed', disbursed_fen: -5 }), 422, 'invalid', 'disbursed_fen');
  expectError(await stage(client, l.id, { stage: 'disbursed', disbursed_fen: L + 1 }), 422, 'invalid', 'disbursed_fen');
  expectError(await stage(client, l.id, { stage: 'disbursed', disbursed_fen: '210000000' }), 422, 'invalid', 'disbursed_fen');
  const voucher = `DK-${l.id}`;
  assert((await getJson(client, 'finance', `/api/v1/receipts?voucher_no=${voucher}`)).total === 0, 'a refused disbursal recorded a receipt');

  j = await moveTo(client, l.id, ['disbursed'], { disbursed_fen: L });
  assert(j.disbursed_fen === L && j.disbursed_on === t && j.stage_since === t, `disbursed loan ${short(j)}`);
  assert(isDeepStrictEqual(j.stages.map((s) => s.stage), ['collecting', 'signed', 'reviewing', 'approved', 'disbursed']), `history ${short(j.stages)}`);
  assert(j.stages.every((s) => s.on_date === t && s.username === 'mortgage'), `history dates ${short(j.stages)}`);

  // The receipt on the loan receivable.
  const rs = (await getJson(client, 'finance', `/api/v1/receipts?contract_id=${k.id}`)).items;
  assert(rs.length === 1, `receipts of the contract after disbursal: ${short(rs)}`);
  const r = rs[0];
  assert(r.voucher_no === voucher && r.amount_fen === L && r.received_on === t && r.method === 'loan' && r.kind === 'loan', `disbursal receipt ${short(r)}, want ${voucher} ${L} on ${t} by loan`);
  const full = await getJson(client, 'finance', `/api/v1/receipts/${r.id}`);
  assert(full.receivable_id === rec.loan.id, `disbursal receipt on receivable ${full.receivable_id}, want the loan receivable ${rec.loan.id}`);
  const after = (await getJson(client, 'mortgage', `/api/v1/receivables?contract_id=${k.id}&kind=loan`)).items;
  assert(after.length === 1 && after[0].received_fen === L && after[0].owed_fen === 0 && after[0].settled === true, `loan receivable after disbursal ${short(after)}`);

  // Disbursed is final.
  for (const s of ['refused', 'approved', 'disbursed']) expectError(await stage(client, l.id, { stage: s, reason: '晚了', disbursed_fen: 1 }), 409, 'conflict', 'stage');

  // A loan of a contract without receivables is disbursed without a receipt.
  const { contract: k2 } = await newContract(client, { method: 'commercial_loan' });
  const l2 = await newLoan(client, commercialLoan(k2.id, 150000000));
  await moveTo(client, l2.id, ['signed', 'reviewing', 'approved', 'disbursed'], { disbursed_fen: 149000000 });
  assert((await getJson(client, 'finance', `/api/v1/receipts?contract_id=${k2.id}`)).total === 0, 'a disbursal without a loan receivable recorded a receipt');
  const j2 = await getJson(client, 'mortgage', `/api/v1/loans/${l2.id}/full`);
  assert(j2.disbursed_fen === 149000000, `partial disbursal ${j2.disbursed_fen}`);
});

test('mortgage stages: a valid disbursal larger than the planned loan receivable is recorded (the receipt takes what is owed)', async ({ client }) => {
  await bankIds(client);
  // The receivable plans 70% (210万); the bank lends and pays 250万, within the loan amount.
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price: 300000000 });
  const rec = await generate(client, k.id);
  const l = await newLoan(client, commercialLoan(k.id, 250000000));
  await moveTo(client, l.id, ['signed', 'reviewing', 'approved']);
  const res = await stage(client, l.id, { stage: 'disbursed', disbursed_fen: 250000000 });
  expectStatus(res, 200, 'disbursal of 250万 on a loan of 250万 (loan receivable 210万)');
  assert(res.json.stage === 'disbursed' && res.json.disbursed_fen === 250000000, `loan ${short(res.json)}`);
  const r = (await getJson(client, 'mortgage', `/api/v1/receivables?contract_id=${k.id}&kind=loan`)).items[0];
  assert(r.id === rec.loan.id && r.received_fen > 0 && r.received_fen <= r.amount_fen, `loan receivable after disbursal ${short(r)}`);
  const dk = (await getJson(client, 'finance', `/api/v1/receipts?voucher_no=DK-${l.id}`)).items;
  assert(dk.length === 1 && dk[0].amount_fen === r.received_fen, `disbursal receipt ${short(dk)}`);
});

test('mortgage stages: refusal needs a reason; a refused loan is final and the contract may apply again', async ({ client }) => {
  await bankIds(client);
  const { contract: k } = await newContract(client, { method: 'commercial_loan' });
  const l = await newLoan(client, commercialLoan(k.id, 180000000, BANK.rural));
  await moveTo(client, l.id, ['signed']);
  expectError(await stage(client, l.id, { stage: 'refused' }), 422, 'invalid', 'reason');
  expectError(await stage(client, l.id, { stage: 'refused', reason: '' }), 422, 'invalid', 'reason');
  expectError(await stage(client, l.id, { stage: 'refused', reason: '长'.repeat(501) }), 422, 'invalid', 'reason');
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: commercialLoan(k.id, 170000000) }), 409, 'conflict');
  const res = await stage(client, l.id, { stage: 'refused', reason: '征信逾期记录过多' });
  expectStatus(res, 200, 'refuse');
  const j = res.json;
  assert(j.stage === 'refused' && j.refuse_reason === '征信逾期记录过多' && j.stage_since === today(), `refused loan ${short(j)}`);
  const last = j.stages[j.stages.length - 1];
  assert(last.stage === 'refused' && last.note === '征信逾期记录过多', `refusal in the history ${short(j.stages)}`);
  for (const s of ['reviewing', 'refused', 'collecting']) expectError(await stage(client, l.id, { stage: s, reason: 'x' }), 409, 'conflict', 'stage');
  // A new application for the same contract.
  const again = await newLoan(client, commercialLoan(k.id, 170000000, BANK.abc));
  assert(again.id !== l.id && again.stage === 'collecting', `second application ${short(again)}`);
  const list = (await getJson(client, 'mortgage', `/api/v1/loans?contract_id=${k.id}&sort=id`)).items;
  assert(isDeepStrictEqual(list.map((x) => [x.id, x.stage]), [[l.id, 'refused'], [again.id, 'collecting']]), `loans of the contract ${short(list)}`);
  expectError(await client.call('POST', '/api/v1/loans', { as: 'mortgage', body: commercialLoan(k.id, 170000000) }), 409, 'conflict');
  // A refusal straight from collecting papers.
  const r2 = await stage(client, again.id, { stage: 'refused', reason: '客户改为一次性付款' });
  expectStatus(r2, 200, 'refuse from collecting');
});

test('mortgage stages: a refused loan flags its contract for follow-up (contracts carry follow_up)', async ({ client }) => {
  await bankIds(client);
  const { contract: k } = await newContract(client, { method: 'commercial_loan' });
  const l = await newLoan(client, commercialLoan(k.id, 180000000));
  expectStatus(await stage(client, l.id, { stage: 'refused', reason: '收入证明不足以覆盖月供' }), 200, 'refuse');
  const full = await getJson(client, 'manager', `/api/v1/contracts/${k.id}/full`);
  assert(typeof full.follow_up === 'string' && full.follow_up.includes('收入证明不足以覆盖月供'), `GET /contracts/${k.id}/full has follow_up ${short(full.follow_up)}, want the refusal reason`);
  const meta = await getJson(client, 'manager', '/api/v1/meta/entities/contracts');
  assert(meta.fields.some((f) => f.name === 'follow_up'), `the contracts entity has no follow_up field: ${short(meta.fields.map((f) => f.name))}`);
  const rec = await getJson(client, 'manager', `/api/v1/contracts/${k.id}`);
  assert(typeof rec.follow_up === 'string' && rec.follow_up.includes('收入证明不足以覆盖月供'), `GET /contracts/${k.id} follow_up ${short(rec.follow_up)}`);
});

test('mortgage loans: follow-ups appear newest first and set the next action; papers toggle received/missing', async ({ client }) => {
  await bankIds(client);
  const { contract: k } = await newContract(client, { method: 'provident_loan' });
  const l = await newLoan(client, { contract_id: k.id, loan_type: 'provident', bank_id: BANK.provident, provident_fen: 90000000, provident_rate: '2.6', provident_months: 360 });
  const F = `/api/v1/loans/${l.id}/followups`;
  expectError(await client.call('POST', F, { as: 'mortgage', body: {} }), 422, 'invalid', 'note');
  expectError(await client.call('POST', F, { as: 'mortgage', body: { note: '' } }), 422, 'invalid', 'note');
  expectError(await client.call('POST', F, { as: 'mortgage', body: { note: '已联系', next_action: '补交流水' } }), 422, 'invalid', 'next_action_on');
  expectError(await client.call('POST', F, { as: 'mortgage', body: { note: '已联系', next_action: '补交流水', next_action_on: '2026-13-01' } }), 422, 'invalid', 'next_action_on');
  expectError(await client.call('POST', F, { as: 'mortgage', body: { note: '已联系', next_action: 'x'.repeat(201), next_action_on: '2027-01-05' } }), 422, 'invalid', 'next_action');
  for (const u of ['agent', 'finance', 'engineer']) expectError(await client.call('POST', F, { as: u, body: { note: 'x' } }), 403, 'forbidden');

  let j = await post(client, 'mortgage', F, { note: '客户称下周补齐收入证明', next_action: '催收入证明', next_action_on: '2027-01-05' }, 201, 'follow-up 1');
  assert(j.followups.length === 1 && j.followups[0].note === '客户称下周补齐收入证明' && j.followups[0].next_action === '催收入证明' && j.followups[0].next_action_on === '2027-01-05' && j.followups[0].username === 'mortgage', `follow-ups ${short(j.followups)}`);
  assert(j.next_action === '催收入证明' && j.next_action_on === '2027-01-05', `loan next action ${j.next_action} on ${j.next_action_on}`);
  j = await post(client, 'manager', F, { note: '银行要求补充婚姻证明', next_action: '约客户面签', next_action_on: '2027-01-08' }, 201, 'follow-up 2');
  assert(isDeepStrictEqual(j.followups.map((f) => f.note), ['银行要求补充婚姻证明', '客户称下周补齐收入证明']), `follow-ups not newest first: ${short(j.followups)}`);
  assert(j.next_action_on === '2027-01-08' && j.next_action === '约客户面签', `next action after the second follow-up ${j.next_action} ${j.next_action_on}`);
  // A note without a next action keeps the planned one.
  j = await post(client, 'mortgage', F, { note: '电话未接通' }, 201, 'follow-up 3');
  assert(j.followups.length === 3 && j.next_action_on === '2027-01-08', `after a plain note: ${j.next_action_on}`);
  // Who wrote them and who moved the stages: as colleagues know them.
  const names = {};
  for (const u of ['mortgage', 'manager']) names[u] = (await getJson(client, u, '/api/v1/me')).user.display_name;
  assert(names.mortgage && names.mortgage !== 'mortgage', `display name ${names.mortgage}`);
  assert(isDeepStrictEqual(j.followups.map((f) => f.user_name), [names.mortgage, names.manager, names.mortgage]), `follow-ups by ${short(j.followups.map((f) => f.user_name))}`);
  assert(j.stages.length > 0 && j.stages.every((st) => st.user_name === names[st.username]), `stages by ${short(j.stages)}`);
  const row = (await getJson(client, 'mortgage', `/api/v1/loans?contract_id=${k.id}`)).items[0];
  assert(row.next_action_on === '2027-01-08' && row.next_action === '约客户面签', `list row ${short(row)}`);
  const due = (await getJson(client, 'mortgage', '/api/v1/loans?next_action_on=2027-01-08')).items;
  assert(due.some((x) => x.id === l.id), `?next_action_on=2027-01-08 misses loan ${l.id}`);

  // Papers.
  const docs = l.documents;
  assert(docs.some((d) => d.doc_name === '公积金缴存证明'), `provident checklist ${short(docs.map((d) => d.doc_name))}`);
  const D = (id) => `/api/v1/loans/${l.id}/documents/${id}`;
  j = await post(client, 'mortgage', D(docs[0].id), { status: 'received' }, 200, 'paper received');
  assert(j.documents.find((d) => d.id === docs[0].id).status === 'received' && j.missing_docs === docs.length - 1, `after receiving one: ${short(j.documents)} missing ${j.missing_docs}`);
  j = await post(client, 'mortgage', D(docs[1].id), { status: 'received' }, 200, 'paper received');
  assert(j.missing_docs === docs.length - 2, `missing_docs ${j.missing_docs}`);
  j = await post(client, 'mortgage', D(docs[0].id), { status: 'missing' }, 200, 'paper missing again');
  assert(j.documents.find((d) => d.id === docs[0].id).status === 'missing' && j.missing_docs === docs.length - 1, `after un-receiving: ${short(j.documents)}`);
  expectError(await client.call('POST', D(docs[0].id), { as: 'mortgage', body: { status: 'waived' } }), 422, 'invalid', 'status');
  expectError(await client.call('POST', D(docs[0].id), { as: 'mortgage', body: {} }), 422, 'invalid', 'status');
  expectError(await client.call('POST', D(docs[0].id), { as: 'agent', body: { status: 'received' } }), 403, 'forbidden');
  // A paper of another loan.
  const { contract: k2 } = await newContract(client, { method: 'commercial_loan' });
  const other = await newLoan(client, commercialLoan(k2.id, 100000000));
  expectError(await client.call('POST', D(other.documents[0].id), { as: 'mortgage', body: { status: 'received' } }), 404, 'not_found');
  const o = await getJson(client, 'mortgage', `/api/v1/loans/${other.id}/full`);
  assert(o.documents[0].status === 'missing', 'a paper of another loan changed');
  const listed = (await getJson(client, 'mortgage', `/api/v1/loans?contract_id=${k.id}`)).items[0];
  assert(listed.missing_docs === docs.length - 1, `list missing_docs ${listed.missing_docs}`);
});

test('mortgage: an unknown loan or contract in the path → 404 not_found', async ({ client }) => {
  expectError(await client.call('GET', '/api/v1/loans/999999/full', { as: 'mortgage' }), 404, 'not_found');
  expectError(await stage(client, 999999, { stage: 'signed' }), 404, 'not_found');
  expectError(await client.call('POST', '/api/v1/loans/999999/followups', { as: 'mortgage', body: { note: 'x' } }), 404, 'not_found');
  expectError(await client.call('POST', '/api/v1/loans/999999/documents/1', { as: 'mortgage', body: { status: 'received' } }), 404, 'not_found');
  // The contract is the path's record, not a request field: docs/api.md, 404 "no such route or record".
  expectError(await client.call('POST', '/api/v1/contracts/999999/receivables', { as: 'mortgage', body: {} }), 404, 'not_found');
});

/*==== 4. The weekly report ===============================================*/

const WEEKLY = '/api/v1/mortgage/weekly';
const STAGES = ['collecting', 'signed', 'reviewing', 'approved', 'disbursed', 'refused'];

/** Every loan the user sees, with its stage history. */
async function loansWithHistory(client, as = 'manager') {
  const list = await listAll(client, as, '/api/v1/loans');
  return mapLimit(list, 8, (l) => getJson(client, as, `/api/v1/loans/${l.id}/full`));
}

/**
 * The report recomputed from stage histories: a loan exists by Sunday when
 * a stage of it is dated on or before Sunday; it counts in the last such
 * stage. withStuck: also loans in an open stage for more than stuckDays at
 * Sunday.
 */
function expectedWeekly(loans, week, stuckDays, withStuck) {
  const monday = mondayOf(week);
  const sunday = addDays(monday, 6);
  const groups = new Map();
  const totals = { count: {}, amount_fen: {}, disbursed_week_fen: 0, disbursed_total_fen: 0 };
  for (const s of STAGES) totals.count[s] = totals.amount_fen[s] = 0;
  const stuck = [];
  for (const l of loans) {
    const st = l.stages.filter((s) => s.on_date <= sunday);
    if (!st.length) continue;
    const last = st[st.length - 1];
    const key = `${l.bank_id}|${l.project_id}`;
    if (!groups.has(key)) groups.set(key, { bank_id: l.bank_id, project_id: l.project_id, count: {}, amount_fen: {}, disbursed_week_fen: 0, disbursed_total_fen: 0 });
    const g = groups.get(key);
    g.count[last.stage] = (g.count[last.stage] || 0) + 1;
    g.amount_fen[last.stage] = (g.amount_fen[last.stage] || 0) + l.amount_fen;
    totals.count[last.stage]++;
    totals.amount_fen[last.stage] += l.amount_fen;
    if (last.stage === 'disbursed') {
      g.disbursed_total_fen += l.disbursed_fen;
      totals.disbursed_total_fen += l.disbursed_fen;
      if (last.on_date >= monday) {
        g.disbursed_week_fen += l.disbursed_fen;
        totals.disbursed_week_fen += l.disbursed_fen;
      }
    } else if (last.stage !== 'refused' && withStuck) {
      const days = diffDays(last.on_date, sunday);
      if (days > stuckDays) stuck.push({ loan_id: l.id, bank_id: l.bank_id, project_id: l.project_id, stage: last.stage, since: last.on_date, days });
    }
  }
  return { monday, sunday, groups, totals, stuck };
}

function compareWeekly(got, want, label, withStuck) {
  assert(got.week_start === want.monday && got.week_end === want.sunday, `${label}: week ${got.week_start}..${got.week_end}, want ${want.monday}..${want.sunday}`);
  const norm = (o) => Object.fromEntries(STAGES.map((s) => [s, (o && o[s]) || 0]));
  const m = (a, b, what) => assert(isDeepStrictEqual(a, b), `${label}: ${what} ${short(a, 600)}, want ${short(b, 600)}`);
  m(norm(got.totals.count), want.totals.count, 'totals.count');
  m(norm(got.totals.amount_fen), want.totals.amount_fen, 'totals.amount_fen');
  m([got.totals.disbursed_week_fen, got.totals.disbursed_total_fen], [want.totals.disbursed_week_fen, want.totals.disbursed_total_fen], 'totals disbursed week/total');
  const keys = got.rows.map((r) => `${r.bank_id}|${r.project_id}`);
  m([...keys].sort(), [...want.groups.keys()].sort(), 'row keys (bank|project)');
  for (const r of got.rows) {
    const w = want.groups.get(`${r.bank_id}|${r.project_id}`);
    m(norm(r.count), norm(w.count), `row ${r.bank_id}|${r.project_id} count`);
    m(norm(r.amount_fen), norm(w.amount_fen), `row ${r.bank_id}|${r.project_id} amount_fen`);
    m([r.disbursed_week_fen, r.disbursed_total_fen], [w.disbursed_week_fen, w.disbursed_total_fen], `row ${r.bank_id}|${r.project_id} disbursed week/total`);
  }
  if (withStuck) {
    const s = [...got.stuck].sort((a, b) => a.loan_id - b.loan_id);
    m(s, [...want.stuck].sort((a, b) => a.loan_id - b.loan_id), 'stuck');
  }
}

/** Rows add up to the totals; rows in bank then project order with names. */
function checkWeeklyShape(r, label) {
  const sum = { count: {}, amount_fen: {}, w: 0, t: 0 };
  for (const s of STAGES) sum.count[s] = sum.amount_fen[s] = 0;
  for (const row of r.rows) {
    assert(typeof row.bank_name === 'string' && row.bank_name && typeof row.project_name === 'string' && row.project_name, `${label}: row names ${short(row)}`);
    for (const s of Object.keys(row.count)) {
      assert(STAGES.includes(s), `${label}: unknown stage ${s}`);
      sum.count[s] += row.count[s];
      sum.amount_fen[s] += row.amount_fen[s];
    }
    sum.w += row.disbursed_week_fen;
    sum.t += row.disbursed_total_fen;
  }
  for (const s of STAGES) {
    assert(r.totals.count[s] === sum.count[s], `${label}: totals.count.${s} ${r.totals.count[s]}, rows add up to ${sum.count[s]}`);
    assert(r.totals.amount_fen[s] === sum.amount_fen[s], `${label}: totals.amount_fen.${s} ${r.totals.amount_fen[s]}, rows add up to ${sum.amount_fen[s]}`);
  }
  assert(r.totals.disbursed_week_fen === sum.w && r.totals.disbursed_total_fen === sum.t, `${label}: disbursed totals ${r.totals.disbursed_week_fen}/${r.totals.disbursed_total_fen}, rows ${sum.w}/${sum.t}`);
  for (let i = 1; i < r.rows.length; i++) {
    const a = r.rows[i - 1];
    const b = r.rows[i];
    assert(a.bank_id < b.bank_id || (a.bank_id === b.bank_id && a.project_id < b.project_id), `${label}: rows not in bank, project order at ${i}`);
  }
  assert(r.stage_labels && r.stage_labels.collecting === '资料收集' && r.stage_labels.disbursed === '已放款' && r.stage_labels.refused === '被拒', `${label}: stage_labels ${short(r.stage_labels)}`);
}

test('mortgage weekly: Monday to Sunday; rows add up to the totals; past weeks equal the loans\' stage histories (counts, amounts, disbursals, stuck)', async ({ client }) => {
  // Week bounds, whatever day is asked for.
  for (const [week, mon] of [
    ['2026-03-04', '2026-03-02'],
    ['2026-03-02', '2026-03-02'],
    ['2026-03-08', '2026-03-02'],
    ['2024-02-29', '2024-02-26'],
    ['2025-12-31', '2025-12-29'],
  ]) {
    const r = await getJson(client, 'mortgage', `${WEEKLY}?week=${week}`);
    assert(r.week_start === mon && r.week_end === addDays(mon, 6), `week=${week}: ${r.week_start}..${r.week_end}, want ${mon}..${addDays(mon, 6)}`);
    assert(r.stuck_days === 14, `default stuck_days ${r.stuck_days}`);
  }
  const t = today();
  const cur = await getJson(client, 'mortgage', WEEKLY);
  assert(cur.week_start === mondayOf(t), `without week: ${cur.week_start}, want the Monday of ${t}`);
  for (const bad of ['week=2026-13-01', 'week=2026-02-30', 'week=abc', 'week=2026-3-4', 'stuck_days=0', 'stuck_days=x', 'stuck_days=366']) {
    expectError(await client.call('GET', `${WEEKLY}?${bad}`, { as: 'mortgage' }), 400, 'bad_request');
  }

  const loans = await loansWithHistory(client, 'manager');
  assert(loans.length > 50, `only ${loans.length} loans`);
  for (const l of loans) {
    for (let i = 1; i < l.stages.length; i++) assert(l.stages[i - 1].on_date <= l.stages[i].on_date, `loan ${l.id}: history out of order ${short(l.stages)}`);
    assert(l.stages.length && l.stages[l.stages.length - 1].stage === l.stage, `loan ${l.id}: at ${l.stage}, history ends ${short(l.stages)}`);
  }
  const early = await getJson(client, 'manager', `${WEEKLY}?week=2023-01-04`);
  assert(early.rows.length === 0 && early.stuck.length === 0 && STAGES.every((s) => early.totals.count[s] === 0 && early.totals.amount_fen[s] === 0) && early.totals.disbursed_total_fen === 0, `a week before any loan: ${short(early)}`);
  const weeks = [addDays(t, -56), addDays(t, -7), '2025-06-18', '2026-01-07'];
  for (const week of weeks) {
    for (const stuck of [14, 30]) {
      const r = await getJson(client, 'manager', `${WEEKLY}?week=${week}&stuck_days=${stuck}`);
      assert(r.stuck_days === stuck, `stuck_days ${r.stuck_days}`);
      checkWeeklyShape(r, `week ${week}`);
      const want = expectedWeekly(loans, week, stuck, true);
      compareWeekly(r, want, `week ${week} stuck_days ${stuck}`, true);
      // The disbursed count by Sunday, from the loan list's own filter.
      const d = await getJson(client, 'manager', `/api/v1/loans?stage=disbursed&disbursed_on_to=${want.sunday}&limit=1`);
      assert(r.totals.count.disbursed === d.total, `week ${week}: ${r.totals.count.disbursed} disbursed by Sunday, the list says ${d.total}`);
    }
  }
  // This week: every loan exists, counted at its stage as of Sunday.
  const now = await getJson(client, 'manager', WEEKLY);
  checkWeeklyShape(now, 'this week');
  compareWeekly(now, expectedWeekly(loans, t, 14, false), 'this week', false);
  const n = STAGES.reduce((s, x) => s + now.totals.count[x], 0);
  const existing = loans.filter((l) => l.stages.some((s) => s.on_date <= now.week_end)).length;
  assert(n === existing, `this week counts ${n} loans, ${existing} exist by Sunday`);
});

test('mortgage demo data: no loan stage and no receipt is dated after today', async ({ client }) => {
  const t = today();
  const loans = await getJson(client, 'manager', '/api/v1/loans?limit=1&sort=-stage_since');
  assert(loans.items.length === 1 && loans.items[0].stage_since <= t, `latest stage_since ${short(loans.items)} after ${t}`);
  const receipts = await getJson(client, 'manager', '/api/v1/receipts?limit=1&sort=-received_on');
  assert(receipts.items.length === 1 && receipts.items[0].received_on <= t, `latest receipt ${short(receipts.items)} after ${t}`);
});

test('mortgage weekly: loans moved today show in their stage and this week\'s disbursals; reports of past weeks do not change', async ({ client }) => {
  await bankIds(client);
  const t = today();
  const past = {};
  for (const w of [addDays(t, -56), addDays(t, -7), '2026-01-07']) past[w] = await getJson(client, 'manager', `${WEEKLY}?week=${w}`);
  const before = await getJson(client, 'manager', `${WEEKLY}?week=${t}`);
  const beforeAgent = await getJson(client, 'agent', `${WEEKLY}?week=${t}`);

  const { contract: k1 } = await newContract(client, { method: 'commercial_loan', price: 300000000 });
  const rec = await generate(client, k1.id);
  const a = await newLoan(client, commercialLoan(k1.id, rec.loan.amount_fen, BANK.ccb));
  await moveTo(client, a.id, ['signed', 'reviewing', 'approved', 'disbursed'], { disbursed_fen: rec.loan.amount_fen });
  const { contract: k2 } = await newContract(client, { method: 'commercial_loan', price: 200000000 });
  const b = await newLoan(client, commercialLoan(k2.id, 120000000, BANK.ccb));
  await moveTo(client, b.id, ['signed', 'reviewing']);
  const { contract: k3 } = await newContract(client, { method: 'commercial_loan', price: 200000000 });
  const c = await newLoan(client, commercialLoan(k3.id, 110000000, BANK.ccb));
  expectStatus(await stage(client, c.id, { stage: 'refused', reason: '首付不足' }), 200, 'refuse');

  const after = await getJson(client, 'manager', `${WEEKLY}?week=${t}`);
  checkWeeklyShape(after, 'this week after');
  const X = rec.loan.amount_fen;
  const dCount = { collecting: 0, signed: 0, reviewing: 1, approved: 0, disbursed: 1, refused: 1 };
  const dAmount = { collecting: 0, signed: 0, reviewing: 120000000, approved: 0, disbursed: X, refused: 110000000 };
  for (const s of STAGES) {
    assert(after.totals.count[s] - before.totals.count[s] === dCount[s], `totals.count.${s} moved by ${after.totals.count[s] - before.totals.count[s]}, want ${dCount[s]}`);
    assert(after.totals.amount_fen[s] - before.totals.amount_fen[s] === dAmount[s], `totals.amount_fen.${s} moved by ${after.totals.amount_fen[s] - before.totals.amount_fen[s]}, want ${dAmount[s]}`);
  }
  assert(after.totals.disbursed_week_fen - before.totals.disbursed_week_fen === X, `disbursed_week_fen moved by ${after.totals.disbursed_week_fen - before.totals.disbursed_week_fen}, want ${X}`);
  assert(after.totals.disbursed_total_fen - before.totals.disbursed_total_fen === X, `disbursed_total_fen moved by ${after.totals.disbursed_total_fen - before.totals.disbursed_total_fen}, want ${X}`);
  const row = (r) => r.rows.find((x) => x.bank_id === BANK.ccb && x.project_id === 1) || { count: {}, amount_fen: {}, disbursed_week_fen: 0, disbursed_total_fen: 0 };
  const r0 = row(before);
  const r1 = row(after);
  assert(r1.bank_name === '中国建设银行' && r1.project_name === '和悦府', `row names ${short(r1)}`);
  for (const s of STAGES) {
    const dc = (r1.count[s] || 0) - (r0.count[s] || 0);
    const da = (r1.amount_fen[s] || 0) - (r0.amount_fen[s] || 0);
    assert(dc === dCount[s] && da === dAmount[s], `row 建行/和悦府 ${s}: count +${dc}, amount +${da}; want +${dCount[s]}, +${dAmount[s]}`);
  }
  assert(r1.disbursed_week_fen - r0.disbursed_week_fen === X && r1.disbursed_total_fen - r0.disbursed_total_fen === X, `row disbursals ${r0.disbursed_week_fen}→${r1.disbursed_week_fen}`);
  // In the current week a loan has waited until today, not until the coming Sunday.
  assert(after.stuck.length > 0, 'the demo data has loans stuck this week');
  for (const s of after.stuck) assert(s.days === toDays(t) - toDays(s.since), `stuck loan ${s.loan_id} since ${s.since}: ${s.days} days on ${t}`);
  const oneDay = await getJson(client, 'manager', `${WEEKLY}?week=${t}&stuck_days=1`);
  for (const id of [a.id, b.id, c.id]) assert(!oneDay.stuck.some((s) => s.loan_id === id), `loan ${id} moved today is stuck after one day: ${short(oneDay.stuck)}`);
  // Nothing moved today is stuck for 14 days.
  for (const id of [a.id, b.id, c.id]) assert(!after.stuck.some((s) => s.loan_id === id), `loan ${id} moved today is stuck: ${short(after.stuck)}`);
  // The agent (projects 1-2) sees the same change.
  const afterAgent = await getJson(client, 'agent', `${WEEKLY}?week=${t}`);
  assert(afterAgent.totals.count.disbursed - beforeAgent.totals.count.disbursed === 1 && afterAgent.totals.disbursed_week_fen - beforeAgent.totals.disbursed_week_fen === X, 'the agent\'s report did not move with the project-1 loans');

  // Reproducible: past weeks are exactly as before.
  for (const [w, r] of Object.entries(past)) {
    const again = await getJson(client, 'manager', `${WEEKLY}?week=${w}`);
    assert(isDeepStrictEqual(again, r), `the report of week ${w} changed after today's moves:\nbefore ${short(r, 800)}\nafter  ${short(again, 800)}`);
  }
});

test('mortgage weekly.xlsx: an Excel file of the report for loan.export; 403 without', async ({ client }) => {
  const t = today();
  const r = await getJson(client, 'mortgage', `${WEEKLY}?week=${t}`);
  for (const u of ['mortgage', 'finance', 'manager']) {
    const res = await client.call('GET', `${WEEKLY}.xlsx?week=${t}`, { as: u });
    expectStatus(res, 200, `weekly.xlsx as ${u}`);
    assert(res.buf.subarray(0, 2).toString() === 'PK', `weekly.xlsx as ${u} is not a ZIP`);
    assert(String(res.headers['content-type']).includes('spreadsheetml'), `content-type ${res.headers['content-type']}`);
    assert(/attachment/.test(String(res.headers['content-disposition'])), `content-disposition ${res.headers['content-disposition']}`);
    if (u === 'mortgage') {
      const x = readXlsx(res.buf);
      assert(x.rows === r.rows.length + 1, `weekly.xlsx has ${x.rows} rows, want ${r.rows.length} + header`);
      for (const h of ['银行', '项目', '资料收集', '已放款', '被拒', '本周放款(元)']) assert(x.strings.includes(h), `weekly.xlsx lacks header ${h}`);
      for (const row of r.rows) assert(x.strings.includes(row.bank_name), `weekly.xlsx lacks bank ${row.bank_name}`);
    }
  }
  for (const u of ['agent', 'contract', 'engineer', 'property']) expectError(await client.call('GET', `${WEEKLY}.xlsx?week=${t}`, { as: u }), 403, 'forbidden');
  expectError(await client.call('GET', `${WEEKLY}.xlsx?week=nope`, { as: 'mortgage' }), 400, 'bad_request');
  expectError(await client.call('GET', `${WEEKLY}.xlsx`), 401, 'unauthenticated');
});

/*==== 5. Receivables and receipts ========================================*/

test('mortgage receivables: generated by payment method — full: 定金 + 房款; loan: 定金 + 首付款 + 贷款 (70% in whole ¥10,000, or loan_fen); once only', async ({ client }) => {
  // Full payment.
  const { contract: f } = await newContract(client, { method: 'full', price: 200012345, deposit: 3000000, signedOn: '2026-02-02', subscribedOn: '2026-01-26' });
  for (const u of ['agent', 'contract', 'engineer']) expectError(await client.call('POST', `/api/v1/contracts/${f.id}/receivables`, { as: u, body: {} }), 403, 'forbidden');
  const full = await generate(client, f.id, {});
  assert(full.items.length === 2, `full payment: ${short(full.items)}`);
  assert(full.deposit.amount_fen === 3000000 && full.deposit.due_on === '2026-01-26' && full.deposit.note === '定金', `deposit ${short(full.deposit)}`);
  assert(full.down_payment.amount_fen === 200012345 - 3000000 && full.down_payment.due_on === '2026-02-09' && full.down_payment.note === '房款', `房款 ${short(full.down_payment)}`);
  assert(full.items.every((r) => r.contract_id === f.id && r.project_id === 1 && r.received_fen === 0 && r.owed_fen === r.amount_fen && r.settled === false), `new receivables ${short(full.items)}`);
  expectError(await client.call('POST', `/api/v1/contracts/${f.id}/receivables`, { as: 'mortgage', body: {} }), 409, 'conflict');
  expectError(await client.call('POST', `/api/v1/contracts/${f.id}/receivables`, { as: 'manager', body: { loan_fen: 1000000 } }), 409, 'conflict');
  assert((await getJson(client, 'finance', `/api/v1/receivables?contract_id=${f.id}`)).total === 2, 'a second generation added receivables');

  // A loan contract: 70% of 300,612,345 fen = 2,104,286.42 yuan → 2,100,000 yuan.
  const { contract: l } = await newContract(client, { method: 'commercial_loan', price: 300612345, deposit: 5000000, signedOn: '2026-02-02', subscribedOn: '2026-01-26' });
  for (const bad of [{ loan_fen: 300612345 - 5000000 + 1 }, { loan_fen: 'abc' }, { loan_fen: 1.5 }])
    expectError(await client.call('POST', `/api/v1/contracts/${l.id}/receivables`, { as: 'mortgage', body: bad }), 422, 'invalid', 'loan_fen');
  assert((await getJson(client, 'finance', `/api/v1/receivables?contract_id=${l.id}`)).total === 0, 'a refused generation wrote receivables');
  const g = await generate(client, l.id);
  assert(g.items.length === 3, `loan contract: ${short(g.items)}`);
  assert(g.loan.amount_fen === 210000000 && g.loan.due_on === '2026-04-03', `贷款 ${short(g.loan)}, want 210000000 due 2026-04-03 (signed + 60 days)`);
  assert(g.down_payment.amount_fen === 300612345 - 5000000 - 210000000 && g.down_payment.due_on === '2026-02-09' && g.down_payment.note === '首付款', `首付款 ${short(g.down_payment)}`);
  assert(g.deposit.amount_fen === 5000000 && g.deposit.due_on === '2026-01-26', `定金 ${short(g.deposit)}`);
  assert(g.items.reduce((s, r) => s + r.amount_fen, 0) === 300612345, 'the receivables do not add up to the price');

  // A loan part given.
  const { contract: m } = await newContract(client, { method: 'combined', price: 250000000, deposit: 5000000, signedOn: '2026-02-02' });
  const h = await generate(client, m.id, { loan_fen: 150000000 }, 'finance');
  assert(h.loan.amount_fen === 150000000 && h.down_payment.amount_fen === 250000000 - 5000000 - 150000000, `with loan_fen: ${short(h.items)}`);
  // Scope: project 3 is not the mortgage clerk's.
  const { contract: p3 } = await newContract(client, { project: 3, method: 'full' });
  expectError(await client.call('POST', `/api/v1/contracts/${p3.id}/receivables`, { as: 'mortgage', body: {} }), 403, 'forbidden');
});

test('mortgage receivables: a negative loan_fen is refused (422 loan_fen), not replaced by the 70% default', async ({ client }) => {
  const { contract: l } = await newContract(client, { method: 'commercial_loan', price: 300000000, deposit: 5000000, signedOn: '2026-02-02' });
  const res = await client.call('POST', `/api/v1/contracts/${l.id}/receivables`, { as: 'mortgage', body: { loan_fen: -100 } });
  expectError(res, 422, 'invalid', 'loan_fen');
  assert((await getJson(client, 'finance', `/api/v1/receivables?contract_id=${l.id}`)).total === 0, 'a refused generation wrote receivables');
});

test('mortgage receipts: partial payments, over-payment → 422, duplicate voucher → 409, bad method → 422, receipt.write only; received_fen, list and export follow', async ({ client }) => {
  const { contract: k } = await newContract(client, { method: 'full', price: 100000000, deposit: 2000000, signedOn: '2026-02-10' });
  const g = await generate(client, k.id);
  const R = g.down_payment; // 98,000,000
  const count = async () => (await getJson(client, 'finance', `/api/v1/receipts?contract_id=${k.id}`)).total;
  const body = (extra = {}) => ({ receivable_id: R.id, amount_fen: 30000000, received_on: '2026-02-15', voucher_no: nextVoucher('SKT'), method: 'transfer', ...extra });

  for (const u of ['mortgage', 'agent', 'contract', 'engineer']) expectError(await client.call('POST', '/api/v1/receipts', { as: u, body: body() }), 403, 'forbidden');
  const bad = [
    [{ amount_fen: 98000001 }, 'amount_fen'],
    [{ amount_fen: 0 }, 'amount_fen'],
    [{ amount_fen: -1 }, 'amount_fen'],
    [{ amount_fen: '100' }, 'amount_fen'],
    [{ method: 'bitcoin' }, 'method'],
    [{ method: undefined }, 'method'],
    [{ received_on: undefined }, 'received_on'],
    [{ received_on: '2026-02-30' }, 'received_on'],
    [{ received_on: addDays(today(), 1) }, 'received_on'],
    [{ voucher_no: '' }, 'voucher_no'],
    [{ voucher_no: 'V'.repeat(41) }, 'voucher_no'],
    [{ receivable_id: 99999999 }, 'receivable_id'],
    [{ receivable_id: 'x' }, 'receivable_id'],
  ];
  for (const [change, field] of bad) {
    const b = body(change);
    for (const key of Object.keys(b)) if (b[key] === undefined) delete b[key];
    expectError(await client.call('POST', '/api/v1/receipts', { as: 'finance', body: b }), 422, 'invalid', field);
  }
  assert((await count()) === 0, 'a refused receipt was recorded');

  const v1 = nextVoucher('SKT');
  const r1 = await post(client, 'finance', '/api/v1/receipts', body({ voucher_no: v1 }), 201, 'receipt 1');
  assert(Number.isInteger(r1.id) && r1.voucher_no === v1 && r1.amount_fen === 30000000 && r1.received_on === '2026-02-15' && r1.method === 'transfer' && r1.contract_id === k.id && r1.receivable_id === R.id && r1.kind === 'down_payment' && r1.project_id === 1, `receipt ${short(r1)}`);
  assert(typeof r1.recorded_by === 'string' && r1.recorded_by.length > 0, `recorded_by ${short(r1.recorded_by)}`);
  let rr = (await getJson(client, 'finance', `/api/v1/receivables?contract_id=${k.id}&kind=down_payment`)).items[0];
  assert(rr.received_fen === 30000000 && rr.owed_fen === 68000000 && rr.settled === false, `after a partial receipt ${short(rr)}`);
  // The same voucher again (even on another receivable) → 409.
  expectError(await client.call('POST', '/api/v1/receipts', { as: 'finance', body: body({ voucher_no: v1, amount_fen: 1000 }) }), 409, 'conflict', 'voucher_no');
  expectError(await client.call('POST', '/api/v1/receipts', { as: 'manager', body: body({ voucher_no: v1, receivable_id: g.deposit.id, amount_fen: 1000 }) }), 409, 'conflict', 'voucher_no');
  // Over what is left now.
  expectError(await client.call('POST', '/api/v1/receipts', { as: 'finance', body: body({ amount_fen: 68000001 }) }), 422, 'invalid', 'amount_fen');
  assert((await count()) === 1, 'a refused receipt was recorded');
  rr = (await getJson(client, 'finance', `/api/v1/receivables?contract_id=${k.id}&kind=down_payment`)).items[0];
  assert(rr.received_fen === 30000000, `received_fen moved on a refused receipt: ${rr.received_fen}`);

  const v2 = nextVoucher('SKT');
  for (const method of ['cash', 'pos', 'cheque']) await receipt(client, R.id, 1000000, '2026-02-20', { method });
  await post(client, 'manager', '/api/v1/receipts', body({ voucher_no: v2, amount_fen: 65000000, received_on: '2026-02-25' }), 201, 'the rest');
  rr = (await getJson(client, 'finance', `/api/v1/receivables?contract_id=${k.id}&kind=down_payment`)).items[0];
  assert(rr.received_fen === 98000000 && rr.owed_fen === 0 && rr.settled === true, `after paying in full ${short(rr)}`);
  expectError(await client.call('POST', '/api/v1/receipts', { as: 'finance', body: body({ amount_fen: 1 }) }), 422, 'invalid', 'amount_fen');
  const settled = (await getJson(client, 'finance', `/api/v1/receivables?contract_id=${k.id}&settled=true`)).items;
  assert(settled.length === 1 && settled[0].id === R.id, `?settled=true ${short(settled)}`);

  // The list and the export.
  const list = (await getJson(client, 'agent', `/api/v1/receipts?contract_id=${k.id}`)).items;
  assert(list.length === 5 && list.reduce((s, x) => s + x.amount_fen, 0) === 98000000, `receipts list ${short(list)}`);
  const one = (await getJson(client, 'finance', `/api/v1/receipts?voucher_no=${v1}`)).items;
  assert(one.length === 1 && one[0].id === r1.id, `?voucher_no=${v1}: ${short(one)}`);
  const x = await client.call('GET', `/api/v1/receipts/export.xlsx?contract_id=${k.id}`, { as: 'finance' });
  expectStatus(x, 200, 'receipts export');
  assert(x.buf.subarray(0, 2).toString() === 'PK', 'receipts export is not a ZIP');
  const sheet = readXlsx(x.buf);
  assert(sheet.rows === 6, `receipts export has ${sheet.rows} rows, want 5 + header`);
  assert(sheet.strings.includes(v1) && sheet.strings.includes(v2) && sheet.strings.includes('凭证号'), `receipts export lacks ${v1}, ${v2} or the header 凭证号`);
  expectError(await client.call('GET', `/api/v1/receipts/export.xlsx?contract_id=${k.id}`, { as: 'agent' }), 403, 'forbidden');

  // Finance works in projects 1-2 only.
  const { contract: p3 } = await newContract(client, { project: 3, method: 'full' });
  const g3 = await generate(client, p3.id, {}, 'manager');
  expectError(await client.call('POST', '/api/v1/receipts', { as: 'finance', body: { receivable_id: g3.deposit.id, amount_fen: 100, received_on: '2026-02-01', voucher_no: nextVoucher(), method: 'cash' } }), 403, 'forbidden');
});

/*==== 6. Overdue and penalties ===========================================*/

const OVERDUE = '/api/v1/receivables/overdue';

async function overdue(client, asOf, as = 'mortgage') {
  const j = await getJson(client, as, `${OVERDUE}?as_of=${asOf}`);
  assert(j.as_of === asOf, `as_of ${j.as_of}, want ${asOf}`);
  assert(j.owed_fen === j.items.reduce((s, r) => s + r.owed_fen, 0) && j.penalty_fen === j.items.reduce((s, r) => s + r.penalty_fen, 0), `overdue ${asOf}: totals ${j.owed_fen}/${j.penalty_fen} are not the sums of the rows`);
  return j;
}

function checkRow(j, receivable, want, label) {
  const row = j.items.find((r) => r.id === receivable.id);
  assert(row, `${label}: receivable ${receivable.id} is not listed as of ${j.as_of}`);
  for (const [k, v] of Object.entries(want)) assert(isDeepStrictEqual(row[k], v), `${label} (as of ${j.as_of}): ${k} ${short(row[k])}, want ${short(v)}; row ${short(row)}`);
  return row;
}

test('mortgage overdue: days and penalty follow DOMAIN §3 (per period between receipts, across a month end, rounded once); may_terminate after the grace days', async ({ client }) => {
  // Signed 2026-01-10 → 首付款 due 2026-01-17, 贷款 due 2026-03-11.
  const price = 300612345;
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price, deposit: 5000000, subscribedOn: '2026-01-03', signedOn: '2026-01-10', grace: 60 });
  assert(k.late_payment_rate === '2' && k.late_payment_grace_days === 60, `contract rate ${k.late_payment_rate}, grace ${k.late_payment_grace_days}`);
  const g = await generate(client, k.id);
  const D = g.down_payment;
  assert(D.due_on === '2026-01-17' && D.amount_fen === 85612345, `down payment ${short(D)}`);
  assert(g.loan.due_on === '2026-03-11', `loan due ${g.loan.due_on}`);
  await receipt(client, g.deposit.id, 5000000, '2026-01-03'); // on the day: never late
  const P1 = 30000035;
  await receipt(client, D.id, P1, '2026-02-05');
  await receipt(client, g.loan.id, 10000000, '2026-03-01', { method: 'transfer' });
  const pays = [{ on: '2026-02-05', amount: P1 }];
  const ex = (asOf) => latePenalty(85612345, '2026-01-17', pays, asOf, '2');

  // Not due yet / due today: not listed.
  for (const asOf of ['2026-01-10', '2026-01-17']) {
    const j = await overdue(client, asOf);
    assert(!j.items.some((r) => r.contract_id === k.id), `as of ${asOf}: ${short(j.items.filter((r) => r.contract_id === k.id))}`);
  }
  // One day late: 85,612,345 × 2/10000 = 17,122.47 → 17,122.
  checkRow(await overdue(client, '2026-01-18'), D, { days_overdue: 1, owed_fen: 85612345, received_fen: 0, penalty_fen: 17122, may_terminate: false, amount_fen: 85612345, due_on: '2026-01-17', kind: 'down_payment', contract_no: k.no, late_payment_rate: '2' }, '1 day');
  // The receipt of 02-05 does not count before its date.
  checkRow(await overdue(client, '2026-02-04'), D, { days_overdue: 18, owed_fen: 85612345, penalty_fen: ex('2026-02-04').penalty }, '18 days');
  // On the day of the receipt: 19 days on the full amount, then less owed.
  checkRow(await overdue(client, '2026-02-05'), D, { days_overdue: 19, owed_fen: 85612345 - P1, received_fen: P1, penalty_fen: 325327 }, 'day of the receipt');
  // Across the end of February (2026: 28 days): 19 days on 85,612,345 + 25 days on 55,612,310
  // = 3,016,942,305 fen·days × 2/10000 = 603,388.46 → 603,388 (rounding each period would give 603,389).
  const j = await overdue(client, '2026-03-02');
  checkRow(j, D, { days_overdue: 44, owed_fen: 55612310, received_fen: P1, penalty_fen: 603388, may_terminate: false }, 'across a month end');
  assert(ex('2026-03-02').penalty === 603388, 'the test\'s own arithmetic is off');
  assert(!j.items.some((r) => r.id === g.deposit.id), 'the deposit paid on its due date is listed');
  assert(!j.items.some((r) => r.id === g.loan.id), 'the loan part is listed before its due date');
  const row = j.items.find((r) => r.id === D.id);
  assert(row.room_code === k.room_code && row.project_name === '和悦府' && row.buyer_names === k.buyer_names && row.late_payment_grace_days === 60, `row labels ${short(row)}`);

  // Grace 60 days: the right to terminate comes on day 61.
  checkRow(await overdue(client, '2026-03-18'), D, { days_overdue: 60, may_terminate: false, penalty_fen: ex('2026-03-18').penalty }, 'day 60');
  const j61 = await overdue(client, '2026-03-19');
  checkRow(j61, D, { days_overdue: 61, may_terminate: true, penalty_fen: ex('2026-03-19').penalty }, 'day 61');
  // The loan part, due 03-11, 10,000,000 paid early (03-01): 8 days late on the rest,
  // 200,000,000 × 8 × 2/10000 = 320,000.
  checkRow(j61, g.loan, { days_overdue: 8, owed_fen: 200000000, received_fen: 10000000, penalty_fen: 320000, may_terminate: false, kind: 'loan' }, 'loan part');

  // Two more partial receipts, the earlier one entered last: four periods, in date order.
  await receipt(client, D.id, 50000000, '2026-03-20');
  await receipt(client, D.id, 1000000, '2026-03-10');
  pays.push({ on: '2026-03-20', amount: 50000000 }, { on: '2026-03-10', amount: 1000000 });
  const e = ex('2026-04-30');
  assert(e.owed === 4612310, `own arithmetic: owed ${e.owed}`);
  checkRow(await overdue(client, '2026-04-30'), D, { days_overdue: 103, owed_fen: 4612310, received_fen: 81000035, penalty_fen: e.penalty, may_terminate: true }, 'four periods');
  checkRow(await overdue(client, '2026-03-15'), D, { days_overdue: 57, owed_fen: 54612310, received_fen: 31000035, penalty_fen: ex('2026-03-15').penalty }, 'a receipt entered late counts on its date');
  const now = await getJson(client, 'mortgage', OVERDUE);
  assert(now.as_of === today(), `without as_of: ${now.as_of}, want today ${today()}`);
  expectError(await client.call('GET', `${OVERDUE}?as_of=2026-02-30`, { as: 'mortgage' }), 400, 'bad_request');
  expectError(await client.call('GET', `${OVERDUE}?as_of=soon`, { as: 'mortgage' }), 400, 'bad_request');
});

test('mortgage overdue: leap day 2024-02-29 counts; the contract\'s own rate applies; receivables paid in full before due are not listed', async ({ client }) => {
  // Signed 2024-02-20 → 首付款 due 2024-02-27, 贷款 due 2024-04-20; rate 0.5/10000, grace 10 days.
  const price = 250001111;
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price, deposit: 5000000, subscribedOn: '2024-02-13', signedOn: '2024-02-20', rate: '0.5', grace: 10 });
  const g = await generate(client, k.id);
  const D = g.down_payment;
  assert(D.due_on === '2024-02-27' && D.amount_fen === 70001111 && g.loan.due_on === '2024-04-20' && g.loan.amount_fen === 175000000, `receivables ${short(g.items)}`);
  await receipt(client, g.deposit.id, 5000000, '2024-02-12'); // early
  await receipt(client, D.id, 20000000, '2024-02-29');
  await receipt(client, g.loan.id, 175000000, '2024-04-01', { method: 'loan' }); // the loan part, early
  // 1 day: 70,001,111 × 0.5/10000 = 3,500.06 → 3,500.
  checkRow(await overdue(client, '2024-02-28'), D, { days_overdue: 1, owed_fen: 70001111, penalty_fen: 3500, late_payment_rate: '0.5' }, 'day 1');
  // 02-28 and 02-29 on 70,001,111, 03-01 and 03-02 on 50,001,111: 240,004,444 × 0.5/10000 = 12,000.22 → 12,000; 4 days.
  checkRow(await overdue(client, '2024-03-02'), D, { days_overdue: 4, owed_fen: 50001111, received_fen: 20000000, penalty_fen: 12000, may_terminate: false }, 'across the leap day');
  checkRow(await overdue(client, '2024-03-08'), D, { days_overdue: 10, may_terminate: false }, 'day 10');
  const j = await overdue(client, '2024-03-09');
  checkRow(j, D, { days_overdue: 11, may_terminate: true }, 'day 11');
  // 2 + 9 days (to 03-09 inclusive): 70,001,111 × 2 + 50,001,111 × 9 = 590,012,221 × 0.5/10000 = 29,500.61 → 29,501.
  checkRow(j, D, { penalty_fen: 29501 }, 'day 11 penalty');
  const later = await overdue(client, '2024-05-01');
  assert(!later.items.some((r) => r.id === g.deposit.id || r.id === g.loan.id), `receivables paid before due are listed: ${short(later.items.filter((r) => r.contract_id === k.id))}`);
  checkRow(later, D, { days_overdue: 64, penalty_fen: latePenalty(70001111, '2024-02-27', [{ on: '2024-02-29', amount: 20000000 }], '2024-05-01', '0.5').penalty }, '2024-05-01');
  // Paid in full: no longer listed.
  await receipt(client, D.id, 50001111, '2024-05-10');
  assert(!(await overdue(client, '2024-06-01')).items.some((r) => r.contract_id === k.id), 'a receivable paid in full is still listed');
  assert((await overdue(client, '2024-05-09')).items.some((r) => r.id === D.id), 'as of the day before the last receipt the down payment is still overdue');
});

const PENALTIES = '/api/v1/receivables/penalties';

async function penalties(client, from, to, as = 'finance') {
  const j = await getJson(client, as, `${PENALTIES}?from=${from}&to=${to}`);
  assert(j.from === from && j.to === to, `period ${j.from} ~ ${j.to}, want ${from} ~ ${to}`);
  const sum = (xs) => xs.reduce((a, r) => a + r.penalty_fen, 0);
  assert(j.penalty_fen === sum(j.items) && j.final_penalty_fen === sum(j.items.filter((r) => r.paid_in_full)) && j.accruing_penalty_fen === j.penalty_fen - j.final_penalty_fen,
    `penalties ${from} ~ ${to}: totals ${j.penalty_fen}/${j.final_penalty_fen}/${j.accruing_penalty_fen} are not the sums of the rows`);
  assert(j.items.every((r) => r.penalty_fen > 0 && r.due_on >= from && r.due_on < to), `a row outside the period or without a penalty: ${short(j.items.find((r) => !(r.penalty_fen > 0 && r.due_on >= from && r.due_on < to)))}`);
  return j;
}

test('mortgage penalties (违约金台账): a receivable paid late in full leaves the overdue list and keeps its final penalty here; one still owing keeps growing; on time or not yet due is not listed', async ({ client }) => {
  // Signed 2023-05-02 → 首付款 due 2023-05-09; rate 2/10000.
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price: 200000000, deposit: 3000000, subscribedOn: '2023-04-25', signedOn: '2023-05-02', grace: 30 });
  const g = await generate(client, k.id);
  const D = g.down_payment;
  assert(D.due_on === '2023-05-09', `down payment due ${D.due_on}`);
  await receipt(client, g.deposit.id, 3000000, '2023-04-25'); // on time
  await receipt(client, D.id, 20000000, '2023-05-12'); // part, 3 days late
  await receipt(client, D.id, D.amount_fen - 20000000, '2023-05-29'); // the rest: paid in full 20 days late
  const pays = [{ on: '2023-05-12', amount: 20000000 }, { on: '2023-05-29', amount: D.amount_fen - 20000000 }];
  const final = latePenalty(D.amount_fen, '2023-05-09', pays, '2023-05-29', '2').penalty;
  assert(final > 0, 'the test\'s own arithmetic: no penalty');
  // A second contract whose down payment is still owing.
  const { contract: k2 } = await newContract(client, { method: 'commercial_loan', price: 150000000, deposit: 2000000, subscribedOn: '2023-05-03', signedOn: '2023-05-10', rate: '0.5' });
  const g2 = await generate(client, k2.id);
  const D2 = g2.down_payment;
  await receipt(client, D2.id, 10000000, '2023-05-20');

  // The overdue list forgets the paid one; the ledger does not.
  assert(!(await overdue(client, '2023-06-30')).items.some((r) => r.id === D.id), 'a receivable paid in full is still on the overdue list');
  let j = await penalties(client, '2023-05-01', '2023-06-30');
  checkRow(j, D, { paid_in_full: true, paid_on: '2023-05-29', days_overdue: 20, owed_fen: 0, received_fen: D.amount_fen, penalty_fen: final, contract_no: k.no, kind: 'down_payment', may_terminate: false }, 'paid late in full');
  const owing = (asOf) => latePenalty(D2.amount_fen, D2.due_on, [{ on: '2023-05-20', amount: 10000000 }], asOf, '0.5');
  checkRow(j, D2, { paid_in_full: false, paid_on: null, owed_fen: D2.amount_fen - 10000000, penalty_fen: owing('2023-06-30').penalty, late_payment_rate: '0.5' }, 'still owing');
  assert(!j.items.some((r) => r.id === g.deposit.id || r.id === g.loan.id || r.id === g2.loan.id), `on time or not yet due, listed: ${short(j.items.filter((r) => r.contract_id === k.id || r.contract_id === k2.id))}`);
  // Later: the paid one's penalty is the same; the owing one's has grown.
  const later = await penalties(client, '2023-05-01', '2023-07-31');
  checkRow(later, D, { penalty_fen: final, paid_in_full: true }, 'final penalty a month later');
  checkRow(later, D2, { penalty_fen: owing('2023-07-31').penalty }, 'growing penalty a month later');
  assert(owing('2023-07-31').penalty > owing('2023-06-30').penalty, 'the test\'s own arithmetic: nothing grew');
  // Before the last receipt it was still owing, and accrued only to that day.
  j = await penalties(client, '2023-05-01', '2023-05-20');
  checkRow(j, D, { paid_in_full: false, days_overdue: 11, penalty_fen: latePenalty(D.amount_fen, '2023-05-09', pays, '2023-05-20', '2').penalty }, 'before it was paid in full');
  // The period is by due date: a window that starts after the due date leaves it out.
  assert(!(await penalties(client, '2023-05-10', '2023-06-30')).items.some((r) => r.id === D.id), 'a receivable due before the period is listed');

  // Excel: the rows, a header and a 合计 row, 款项 in words.
  const x = await client.call('GET', `${PENALTIES}.xlsx?from=2023-05-01&to=2023-06-30`, { as: 'finance' });
  expectStatus(x, 200, 'penalties.xlsx');
  assert(String(x.headers['content-disposition']).includes(encodeURIComponent('违约金台账-2023-05-01至2023-06-30.xlsx')), `file name: ${x.headers['content-disposition']}`);
  const book = readXlsx(x.buf);
  const n = (await penalties(client, '2023-05-01', '2023-06-30')).items.length;
  assert(book.rows === n + 2, `penalties.xlsx has ${book.rows} rows, want ${n} + header + total`);
  for (const hd of ['付清日期', '违约金(元)', '已付清', '合计', '首付款/房款', '2023-05-29']) assert(book.strings.includes(hd), `penalties.xlsx lacks ${hd}`);
  assert(!book.strings.includes('down_payment'), 'penalties.xlsx shows the code down_payment');

  // Who may see it, and bad periods.
  for (const u of ['engineer', 'property']) expectError(await client.call('GET', `${PENALTIES}?from=2023-05-01&to=2023-06-30`, { as: u }), 403, 'forbidden');
  expectError(await client.call('GET', `${PENALTIES}.xlsx?from=2023-05-01&to=2023-06-30`, { as: 'contract' }), 403, 'forbidden');
  expectError(await client.call('GET', `${PENALTIES}?from=2023-07-01&to=2023-06-30`, { as: 'finance' }), 400, 'bad_request', 'to');
  expectError(await client.call('GET', `${PENALTIES}?from=2023-02-30&to=2023-06-30`, { as: 'finance' }), 400, 'bad_request', 'from');
  const dflt = await getJson(client, 'finance', PENALTIES);
  assert(dflt.to === today() && dflt.from === `${today().slice(0, 4)}-01-01`, `default period ${dflt.from} ~ ${dflt.to}`);
});

test('mortgage collection rate.xlsx: one row per project and a 合计 row, the rate as a percentage; receivable.export only', async ({ client }) => {
  const from = '2023-01-01';
  const to = '2026-06-30';
  const j = await getJson(client, 'finance', `/api/v1/collections/rate?from=${from}&to=${to}`);
  assert(j.items.length > 0, 'no project in the collection rate: the check below proves nothing');
  const res = await client.call('GET', `/api/v1/collections/rate.xlsx?from=${from}&to=${to}`, { as: 'finance' });
  expectStatus(res, 200, 'rate.xlsx');
  assert(String(res.headers['content-disposition']).includes(encodeURIComponent(`回款率-${from}至${to}.xlsx`)), `file name: ${res.headers['content-disposition']}`);
  const x = readXlsx(res.buf);
  assert(x.rows === j.items.length + 2, `rate.xlsx has ${x.rows} rows, want ${j.items.length} + header + total`);
  for (const hd of ['项目', '应收金额(元)', '已收金额(元)', '未收金额(元)', '回款率(%)', '合计', ...j.items.map((r) => r.project_name)]) assert(x.strings.includes(hd), `rate.xlsx lacks ${hd}`);
  // The total row's rate is the report's: 98.76% is written 98.76.
  const xml = x.files.get('xl/worksheets/sheet1.xml').toString('utf8');
  const pct = (bp) => Number(bp) / 100;
  const last = [...xml.matchAll(/<row[^>]*>(.*?)<\/row>/g)].pop()[1];
  const nums = [...last.matchAll(/<v>([^<]*)<\/v>/g)].map((m) => Number(m[1]));
  assert(Math.abs(nums[nums.length - 1] - pct(j.rate_bp)) < 1e-9, `total rate ${nums[nums.length - 1]}, want ${pct(j.rate_bp)}`);
  assert(Math.abs(nums[1] - j.due_fen / 100) < 1e-6 && Math.abs(nums[2] - j.received_fen / 100) < 1e-6, `total row ${nums.join(',')}, want due ${j.due_fen / 100}, received ${j.received_fen / 100}`);
  for (const u of ['agent', 'contract']) expectError(await client.call('GET', `/api/v1/collections/rate.xlsx?from=${from}&to=${to}`, { as: u }), 403, 'forbidden');
  expectError(await client.call('GET', `/api/v1/collections/rate.xlsx?from=${to}&to=${from}`, { as: 'finance' }), 400, 'bad_request', 'to');
});

test('mortgage overdue.xlsx: an Excel file of the overdue list for receivable.export; 403 without', async ({ client }) => {
  const asOf = '2026-03-02';
  const j = await overdue(client, asOf, 'finance');
  for (const u of ['mortgage', 'finance', 'manager']) {
    const res = await client.call('GET', `${OVERDUE}.xlsx?as_of=${asOf}`, { as: u });
    expectStatus(res, 200, `overdue.xlsx as ${u}`);
    assert(res.buf.subarray(0, 2).toString() === 'PK', `overdue.xlsx as ${u} is not a ZIP`);
    assert(String(res.headers['content-type']).includes('spreadsheetml'), `content-type ${res.headers['content-type']}`);
    if (u === 'finance') {
      const x = readXlsx(res.buf);
      assert(x.rows === j.items.length + 1, `overdue.xlsx has ${x.rows} rows, want ${j.items.length} + header`);
      for (const h of ['合同编号', '逾期天数', '违约金(元)', '可解约', '最近催缴', '催缴结果']) assert(x.strings.includes(h), `overdue.xlsx lacks header ${h}`);
      // 款项 in words, as on screen: never the stored code.
      const labels = { deposit: '定金', down_payment: '首付款/房款', installment: '分期款', loan: '按揭贷款' };
      for (const kind of new Set(j.items.map((r) => r.kind))) {
        assert(!x.strings.includes(kind), `overdue.xlsx shows the code ${kind}`);
        if (labels[kind]) assert(x.strings.includes(labels[kind]), `overdue.xlsx lacks ${labels[kind]}`);
      }
      assert(j.items.length > 0, 'the overdue list is empty: the check above proves nothing');
    }
  }
  for (const u of ['agent', 'contract', 'engineer']) expectError(await client.call('GET', `${OVERDUE}.xlsx?as_of=${asOf}`, { as: u }), 403, 'forbidden');
  expectError(await client.call('GET', `${OVERDUE}.xlsx?as_of=x`, { as: 'finance' }), 400, 'bad_request');
});

/*==== 7. Dunning =========================================================*/

test('mortgage dunning: 204, listed in dunning-logs and as last_dunning on the overdue row, on the buyer\'s timeline; bad channel or another contract\'s receivable → 422', async ({ client }) => {
  // Signed 60 days ago: the down payment (due 7 days later) is overdue today.
  const signedOn = addDays(today(), -60);
  const { contract: k, buyer } = await newContract(client, { method: 'full', price: 150000000, deposit: 2000000, signedOn, name: '催缴测试' });
  const g = await generate(client, k.id);
  const v = nextVoucher('CJ');
  await receipt(client, g.down_payment.id, 10000000, addDays(signedOn, 10), { voucher_no: v });
  const { contract: other } = await newContract(client, { method: 'full', signedOn });
  const go = await generate(client, other.id);
  const asOf = today();
  const before = checkRow(await overdue(client, asOf), g.down_payment, { last_dunning: null }, 'before dunning');
  assert(before.owed_fen === 148000000 - 10000000, `owed ${before.owed_fen}`);

  const body = { contract_id: k.id, receivable_id: g.down_payment.id, channel: 'call', outcome: '客户承诺月底前付清首付款', next_on: '2026-01-31' };
  const logs = async () => (await getJson(client, 'mortgage', `/api/v1/dunning-logs?contract_id=${k.id}`)).items;
  const bad = [
    [{ channel: 'email' }, 'channel'],
    [{ channel: undefined }, 'channel'],
    [{ outcome: '' }, 'outcome'],
    [{ outcome: undefined }, 'outcome'],
    [{ next_on: '2026-02-30' }, 'next_on'],
    [{ receivable_id: go.down_payment.id }, 'receivable_id'],
    [{ receivable_id: 99999999 }, 'receivable_id'],
    [{ contract_id: 99999999 }, 'contract_id'],
    [{ contract_id: 'x' }, 'contract_id'],
  ];
  for (const [change, field] of bad) {
    const b = { ...body, ...change };
    for (const key of Object.keys(b)) if (b[key] === undefined) delete b[key];
    expectError(await client.call('POST', '/api/v1/dunning', { as: 'mortgage', body: b }), 422, 'invalid', field);
  }
  for (const u of ['agent', 'contract', 'engineer']) expectError(await client.call('POST', '/api/v1/dunning', { as: u, body }), 403, 'forbidden');
  assert((await logs()).length === 0, 'a refused dunning was logged');

  const res = await client.call('POST', '/api/v1/dunning', { as: 'mortgage', body });
  expectStatus(res, 204, 'dunning');
  assert(res.buf.length === 0, `204 with a body: ${short(res.text)}`);
  // Without a receivable (the whole contract), by letter.
  expectStatus(await client.call('POST', '/api/v1/dunning', { as: 'finance', body: { contract_id: k.id, channel: 'letter', outcome: '寄送催款函' } }), 204, 'dunning by letter');
  const l = await logs();
  assert(l.length === 2, `dunning-logs of the contract: ${short(l)}`);
  const call = l.find((x) => x.channel === 'call');
  const letter = l.find((x) => x.channel === 'letter');
  assert(call && call.outcome === body.outcome && call.next_on === '2026-01-31' && call.username === 'mortgage' && call.contract_id === k.id && call.project_id === 1, `call log ${short(call)}`);
  assert(letter && letter.username === 'finance' && letter.next_on === null, `letter log ${short(letter)}`);
  assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(call.at), `log time ${call.at}`);
  const last = [call.at, letter.at].sort().pop();
  // The latest one's outcome goes with it (the letter, logged after the call).
  checkRow(await overdue(client, asOf), g.down_payment, { last_dunning: last, last_dunning_outcome: '寄送催款函' }, 'after dunning');
  // The list as of an earlier date does not show dunning logged after it
  // (two days back: log times are UTC, list dates are Beijing time).
  checkRow(await overdue(client, addDays(asOf, -2)), g.down_payment, { last_dunning: null, last_dunning_outcome: null }, 'as of before the dunning');
  // The other contract's row is untouched.
  checkRow(await overdue(client, asOf), go.down_payment, { last_dunning: null }, 'another contract');
  const byChannel = (await getJson(client, 'mortgage', `/api/v1/dunning-logs?contract_id=${k.id}&channel=call`)).items;
  assert(byChannel.length === 1 && byChannel[0].outcome === body.outcome, `?channel=call ${short(byChannel)}`);

  // The buyer's 360 timeline.
  const t = (await getJson(client, 'manager', `/api/v1/customers/${buyer.id}/360`)).timeline;
  const dun = t.filter((e) => e.kind === 'dunning');
  assert(dun.length === 2 && dun.some((e) => e.title.includes(body.outcome)) && dun.some((e) => e.title.includes('寄送催款函')), `timeline dunning ${short(dun)}`);
  const rec = t.filter((e) => e.kind === 'receipt');
  assert(rec.length === 1 && rec[0].title.includes(v) && rec[0].title.includes('100000.00'), `timeline receipts ${short(rec)}`);
});

/*==== 8. Collection rate =================================================*/

const RATE = '/api/v1/collections/rate';

function checkRate(j, label) {
  let due = 0n;
  let got = 0n;
  for (const r of j.items) {
    const want = r.due_fen ? Number(divRound(BigInt(r.received_fen) * 10000n, BigInt(r.due_fen))) : 0;
    assert(r.rate_bp === want, `${label}: project ${r.project_id} rate_bp ${r.rate_bp}, want round(${r.received_fen}/${r.due_fen} × 10000) = ${want}`);
    assert(typeof r.project_name === 'string' && r.project_name, `${label}: project_name ${short(r)}`);
    due += BigInt(r.due_fen);
    got += BigInt(r.received_fen);
  }
  assert(BigInt(j.due_fen) === due && BigInt(j.received_fen) === got, `${label}: totals ${j.due_fen}/${j.received_fen}, rows add up to ${due}/${got}`);
  const want = due ? Number(divRound(got * 10000n, due)) : 0;
  assert(j.rate_bp === want, `${label}: rate_bp ${j.rate_bp}, want ${want}`);
}

test('mortgage collections: per-project due and received add up; rate_bp = round(received/due × 10000) half-up; receipts after `to` do not count; bad range → 400', async ({ client }) => {
  for (const [from, to] of [
    ['2025-01-01', '2026-12-31'],
    ['2026-01-01', '2026-03-31'],
  ]) {
    const j = await getJson(client, 'manager', `${RATE}?from=${from}&to=${to}`);
    assert(j.from === from && j.to === to, `range ${j.from}..${j.to}`);
    assert(j.items.length >= 2, `${from}..${to}: ${j.items.length} projects`);
    checkRate(j, `${from}..${to}`);
  }
  // June 2023 holds only our own receivables.
  const range = '?from=2023-06-01&to=2023-06-30';
  const row = (j) => j.items.find((r) => r.project_id === 1) || { due_fen: 0, received_fen: 0, receivables: 0 };
  const b0 = row(await getJson(client, 'manager', `${RATE}${range}`));
  // Signed 2023-06-05: 定金 due 05-29 (outside), 首付款 85,000,000 due 06-12 (inside), 贷款 due 08-04 (outside).
  const { contract: k } = await newContract(client, { method: 'commercial_loan', price: 300000000, deposit: 5000000, subscribedOn: '2023-05-29', signedOn: '2023-06-05' });
  const g = await generate(client, k.id);
  assert(g.down_payment.amount_fen === 85000000 && g.down_payment.due_on === '2023-06-12', `down payment ${short(g.down_payment)}`);
  await receipt(client, g.deposit.id, 5000000, '2023-05-29');
  // 40,005,250 / 85,000,000 = 47.065% → 4706.5 bp → 4707 half-up.
  await receipt(client, g.down_payment.id, 40005250, '2023-06-20');
  await receipt(client, g.down_payment.id, 10000000, '2023-07-05');
  const j = await getJson(client, 'manager', `${RATE}${range}`);
  checkRate(j, 'June 2023');
  const b1 = row(j);
  assert(b1.due_fen - b0.due_fen === 85000000 && b1.received_fen - b0.received_fen === 40005250 && b1.receivables - b0.receivables === 1, `project 1 in June 2023: ${short(b0)} → ${short(b1)}, want +85000000 due, +40005250 received (not the July receipt), +1 receivable`);
  if (b0.due_fen === 0) assert(b1.rate_bp === 4707, `rate_bp ${b1.rate_bp}, want 4707 (4706.5 rounded half-up)`);
  const jul = row(await getJson(client, 'manager', `${RATE}?from=2023-06-01&to=2023-07-31`));
  assert(jul.received_fen - b0.received_fen === 50005250, `to 07-31: received ${jul.received_fen}, want the July receipt too`);
  // The loan part counts when its due date is in the range.
  const aug = row(await getJson(client, 'manager', `${RATE}?from=2023-08-04&to=2023-08-04`));
  assert(aug.due_fen >= 210000000, `2023-08-04: due ${aug.due_fen}, want the loan part 210000000`);
  // Only the agent's projects.
  const agent = await getJson(client, 'agent', `${RATE}?from=2025-01-01&to=2026-12-31`);
  assert(agent.items.length > 0 && agent.items.every((r) => [1, 2].includes(r.project_id)), `agent sees projects ${short(agent.items.map((r) => r.project_id))}`);
  checkRate(agent, 'agent');
  const dflt = await getJson(client, 'finance', RATE);
  assert(dflt.from === `${today().slice(0, 4)}-01-01` && dflt.to === today(), `default range ${dflt.from}..${dflt.to}, want the year to date`);
  checkRate(dflt, 'year to date');
  for (const bad of ['from=2026-13-01&to=2026-12-31', 'from=2026-03-01&to=2026-02-28', 'from=abc&to=2026-01-01', 'from=2026-01-01&to=2026-02-30']) {
    expectError(await client.call('GET', `${RATE}?${bad}`, { as: 'finance' }), 400, 'bad_request');
  }
  for (const u of ['engineer', 'property']) expectError(await client.call('GET', `${RATE}?from=2025-01-01&to=2026-12-31`, { as: u }), 403, 'forbidden');
});

/*==== 9. Scope ===========================================================*/

test('mortgage scope: an agent (projects 1-2) never sees project 3 loans, receivables, receipts, overdue, weekly or dunning rows; engineering gets 403', async ({ client }) => {
  // Project 3 has loans and receivables (the manager sees them).
  const l3 = await getJson(client, 'manager', '/api/v1/loans?project_id=3&limit=1');
  const r3 = await getJson(client, 'manager', '/api/v1/receivables?project_id=3&limit=1');
  assert(l3.total > 0 && r3.total > 0, 'the demo has no project-3 loans or receivables');
  // A project-3 dunning log of our own.
  const { contract: p3 } = await newContract(client, { project: 3, method: 'full', signedOn: '2025-12-01' });
  const g3 = await generate(client, p3.id, {}, 'manager');
  expectStatus(await client.call('POST', '/api/v1/dunning', { as: 'manager', body: { contract_id: p3.id, channel: 'sms', outcome: '短信提醒' } }), 204, 'manager dunning in project 3');
  expectError(await client.call('POST', '/api/v1/dunning', { as: 'mortgage', body: { contract_id: p3.id, channel: 'sms', outcome: '短信提醒' } }), 403, 'forbidden');
  const { contract: p1 } = await newContract(client, { project: 1, method: 'full', signedOn: '2025-12-01' });
  expectStatus(await client.call('POST', '/api/v1/dunning', { as: 'mortgage', body: { contract_id: p1.id, channel: 'visit', outcome: '上门沟通' } }), 204, 'dunning in project 1');

  for (const u of ['agent', 'mortgage', 'finance']) {
    for (const e of ['loans', 'receivables', 'receipts', 'dunning-logs']) {
      const items = await listAll(client, u, `/api/v1/${e}`);
      assert(items.length > 0, `${u} sees no ${e}`);
      const bad = items.filter((x) => ![1, 2].includes(x.project_id));
      assert(bad.length === 0, `${u} sees ${e} of other projects: ${short(bad)}`);
      expectError(await client.call('GET', `/api/v1/${e}?project_id=3`, { as: u }), 403, 'forbidden');
    }
    expectError(await client.call('GET', `/api/v1/loans/${l3.items[0].id}/full`, { as: u }), 403, 'forbidden');
    if (u === 'mortgage') {
      expectError(await stage(client, l3.items[0].id, { stage: 'refused', reason: '越权' }, u), 403, 'forbidden');
      expectError(await client.call('POST', `/api/v1/loans/${l3.items[0].id}/followups`, { as: u, body: { note: '越权' } }), 403, 'forbidden');
    }
    const od = await getJson(client, u, `${OVERDUE}?as_of=2026-12-31`);
    assert(od.items.length > 0 && od.items.every((r) => [1, 2].includes(r.project_id)), `${u} overdue projects ${short([...new Set(od.items.map((r) => r.project_id))])}`);
    assert(!od.items.some((r) => r.id === g3.down_payment.id), `${u} sees the project-3 down payment overdue`);
    const wk = await getJson(client, u, `${WEEKLY}?week=2026-06-17&stuck_days=7`);
    assert(wk.rows.length > 0 && wk.rows.every((r) => [1, 2].includes(r.project_id)) && wk.stuck.every((r) => [1, 2].includes(r.project_id)), `${u} weekly projects ${short(wk.rows.map((r) => r.project_id))}`);
  }
  // The manager's overdue list and report do show project 3.
  const all = await getJson(client, 'manager', `${OVERDUE}?as_of=2026-12-31`);
  assert(all.items.some((r) => r.id === g3.down_payment.id), 'the manager does not see the project-3 down payment overdue');
  const wm = await getJson(client, 'manager', `${WEEKLY}?week=2026-06-17&stuck_days=7`);
  assert(wm.rows.some((r) => r.project_id === 3), 'the manager\'s weekly report has no project 3');
  const wa = await getJson(client, 'agent', `${WEEKLY}?week=2026-06-17&stuck_days=7`);
  const p12 = (r) => r.rows.filter((x) => x.project_id !== 3);
  assert(isDeepStrictEqual(wa.rows, p12(wm)), 'the agent\'s weekly rows differ from the manager\'s rows of projects 1-2');

  // No permission at all.
  const loan = (await getJson(client, 'manager', '/api/v1/loans?project_id=1&limit=1')).items[0];
  for (const u of ['engineer', 'property']) {
    for (const p of ['/api/v1/loans', `/api/v1/loans/${loan.id}/full`, WEEKLY, `${WEEKLY}.xlsx`, '/api/v1/receivables', '/api/v1/receipts', '/api/v1/dunning-logs', OVERDUE, `${OVERDUE}.xlsx`, RATE, '/api/v1/loans/export.xlsx', '/api/v1/receivables/export.xlsx']) {
      expectError(await client.call('GET', p, { as: u }), 403, 'forbidden');
    }
    for (const [p, body] of [
      ['/api/v1/loans', commercialLoan(loan.contract_id, 100)],
      [`/api/v1/loans/${loan.id}/stage`, { stage: 'refused', reason: 'x' }],
      [`/api/v1/loans/${loan.id}/followups`, { note: 'x' }],
      ['/api/v1/receipts', { receivable_id: 1, amount_fen: 1, received_on: '2026-01-01', voucher_no: 'X1', method: 'cash' }],
      ['/api/v1/dunning', { contract_id: loan.contract_id, channel: 'call', outcome: 'x' }],
      [`/api/v1/contracts/${loan.contract_id}/receivables`, {}],
    ]) {
      expectError(await client.call('POST', p, { as: u, body }), 403, 'forbidden');
    }
  }
});

test('mortgage reports: ?project_id= narrows the weekly report, the overdue list and the collection rate to one project; a bad id → 400', async ({ client }) => {
  const week = today();
  const all = await getJson(client, 'manager', `${WEEKLY}?week=${week}`);
  const one = await getJson(client, 'manager', `${WEEKLY}?week=${week}&project_id=2`);
  assert(all.rows.some((r) => r.project_id === 1) && one.rows.length > 0 && one.rows.every((r) => r.project_id === 2), `weekly project 2 rows ${short(one.rows.map((r) => r.project_id))}`);
  assert(isDeepStrictEqual(one.rows, all.rows.filter((r) => r.project_id === 2)), 'weekly rows of project 2 differ from the unfiltered report');
  assert(one.stuck.every((s) => s.project_id === 2) && one.stuck.length === all.stuck.filter((s) => s.project_id === 2).length, 'weekly stuck of project 2');
  const sum = (rows, k) => rows.reduce((a, r) => a + r[k], 0);
  assert(one.totals.disbursed_total_fen === sum(one.rows, 'disbursed_total_fen'), 'weekly totals follow the filter');
  const od = await getJson(client, 'manager', `${OVERDUE}?project_id=1`);
  const odAll = await getJson(client, 'manager', OVERDUE);
  const items = (r) => r.items || r.rows || r;
  assert(items(od).length > 0 && items(od).every((r) => r.project_id === 1) && items(od).length === items(odAll).filter((r) => r.project_id === 1).length, `overdue project 1: ${items(od).length}`);
  const rate = await getJson(client, 'manager', `${RATE}?from=2025-01-01&to=${week}&project_id=1`);
  const rateAll = await getJson(client, 'manager', `${RATE}?from=2025-01-01&to=${week}`);
  const rrows = (r) => r.rows || r.items;
  assert(rrows(rate).length === 1 && rrows(rate)[0].project_id === 1 && isDeepStrictEqual(rrows(rate)[0], rrows(rateAll).find((r) => r.project_id === 1)), `rate project 1 ${short(rrows(rate))}`);
  for (const path of [WEEKLY, OVERDUE, RATE, `${WEEKLY}.xlsx`, `${OVERDUE}.xlsx`]) {
    for (const bad of ['0', '-1', 'x']) expectError(await client.call('GET', `${path}?project_id=${bad}`, { as: 'manager' }), 400, 'bad_request', 'project_id');
  }
});
