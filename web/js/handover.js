// 交付 (docs/handover.md): the batch list (#/handover/batches), a new batch
// (#/handover/new), the defects of a batch (#/handover/defects?batch=) and
// the property certificates (#/handover/certificates?view=all|due).
// The batch page itself is handover_batch.js.
import { h, replace, clear } from './dom.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { loading, errorState, toast, setBusy } from './ui.js';
import { inputField, readFields, showApiError, fieldsDialog, daysLeftTag } from './widgets.js';
import {
  tr, BATCH_STATUS, DEFECT_STATUS, CERT_STATUS, SEVERITY, codeTag, label, options, table, td, itemsOf, listAll,
  unitText, ownerText, seg, dash,
} from './handover_common.js';

const PAGE_SIZE = 40;

function pageHead(title, sub, actions) {
  return h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: title }), sub ? h('div', { class: 'muted small', text: sub }) : null),
    h('div', { class: 'page-actions' }, actions || []));
}

// ---- batch list -----------------------------------------------------------------

export async function renderBatches(main, query, ctx) {
  const title = tr('交付工作台', 'Handover desk');
  ctx.setTitle(title);
  let status = Object.prototype.hasOwnProperty.call(BATCH_STATUS, query.get('status') || '') ? query.get('status') : '';
  let pageNo = Math.max(1, Number(query.get('page')) || 1);
  const actions = [];
  if (can('handover.write')) {
    actions.push(h('a', { class: 'btn btn-primary btn-touch', href: router.page('handover/new'), dataset: { action: 'new-batch' }, text: `+ ${tr('新建批次', 'New batch')}` }));
  }
  const filter = seg([{ value: '', label: tr('全部', 'All') }, ...options(BATCH_STATUS)], status, (v) => { status = v; pageNo = 1; load(); }, 'status');
  const tableWrap = h('div', { class: 'ho-list-body' }, loading());
  const pager = h('div', { class: 'pager' });
  const page = h('div', { class: 'page page-list page-batches' },
    pageHead(title, tr('按批次组织交房：通知、预约、验房、交付、面积补差', 'Handover by batch: notices, slots, inspections, delivery, area true-up'), actions),
    h('div', { class: 'filter-row ho-filter' }, h('span', { class: 'muted small', text: tr('状态', 'Status') }), filter),
    tableWrap, pager);
  replace(main, page);

  async function load() {
    const q = {};
    if (status) q.status = status;
    if (pageNo > 1) q.page = pageNo;
    router.replaceQuiet(router.page('handover/batches', null, q));
    page.setAttribute('aria-busy', 'true');
    try {
      const r = await api.get('delivery-batches', {
        status, project_id: currentProject(), limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE, sort: '-id',
      });
      if (!page.isConnected) return;
      const items = itemsOf(r);
      const total = r && r.total !== undefined ? Number(r.total) : items.length;
      // The list may not carry buildings and team: those columns only when it does.
      const hasB = items.some((b) => b.buildings_text || Array.isArray(b.buildings) || b.building_names);
      const hasT = items.some((b) => b.team);
      const rows = items.map((b) => {
        const href = router.page('handover/batch', b.id);
        const n = typeof b.flats === 'number' ? b.flats : (Array.isArray(b.flats) ? b.flats.length : b.total);
        const done = typeof b.delivered === 'number' ? b.delivered : (b.counts && b.counts.delivered);
        const tr_ = h('tr', { tabindex: 0, dataset: { id: b.id } },
          h('td', null, h('a', { class: 'row-link', href, text: b.name || `#${b.id}` })),
          td(b.project_name || (b.project_id ? `#${b.project_id}` : '')),
          hasB ? td(b.buildings_text || (Array.isArray(b.buildings) ? b.buildings.map((x) => x.name || x).join('、') : b.building_names)) : null,
          h('td', { class: 'nowrap' }, `${fmt.date(b.planned_start)} ~ ${fmt.date(b.planned_end)}`),
          hasT ? td(b.team) : null,
          td(n !== undefined && n !== null ? (done !== undefined && done !== null ? `${fmt.integer(done)} / ${fmt.integer(n)}` : fmt.integer(n)) : null, 'num'),
          h('td', { class: 'nowrap' }, codeTag(BATCH_STATUS, b.status)));
        tr_.addEventListener('click', (e) => { if (!e.target.closest('a')) router.go(href); });
        tr_.addEventListener('keydown', (e) => { if (e.key === 'Enter') router.go(href); });
        return tr_;
      });
      replace(tableWrap, table([[tr('批次', 'Batch')], [tr('项目', 'Project')], hasB && [tr('楼栋', 'Buildings')], [tr('计划交付', 'Planned')],
        hasT && [tr('交付小组', 'Team')], [tr('已交付 / 户数', 'Delivered / flats'), 'num'], [tr('状态', 'Status')]].filter(Boolean), rows,
      { cls: 'batches-table', empty: can('handover.write') ? tr('暂无交付批次 — 点右上角“新建批次”', 'No batches yet — use New batch') : tr('暂无交付批次', 'No batches yet') }));
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      replace(pager,
        h('span', { class: 'pager-total', text: tr('共 {n} 条', '{n} in all', { n: fmt.integer(total) }) }),
        h('button', { class: 'btn', type: 'button', disabled: pageNo <= 1, text: tr('上一页', 'Previous'), onclick: () => { pageNo -= 1; load(); } }),
        h('span', { class: 'pager-info', text: `${pageNo} / ${pages}` }),
        h('button', { class: 'btn', type: 'button', disabled: pageNo >= pages, text: tr('下一页', 'Next'), onclick: () => { pageNo += 1; load(); } }));
    } catch (err) {
      replace(tableWrap, errorState(err, load));
      clear(pager);
    } finally {
      page.removeAttribute('aria-busy');
    }
  }
  await load();
}

// ---- new batch ------------------------------------------------------------------

export async function renderBatchNew(main, query, ctx) {
  const title = tr('新建交付批次', 'New delivery batch');
  ctx.setTitle(title);
  if (!can('handover.write')) {
    replace(main, errorState({ status: 403 }));
    return;
  }
  const projects = session.projects || [];
  const pid = query.get('project') || currentProject() || (projects.length === 1 ? String(projects[0].id) : '');
  let dirty = false;

  // Buildings as big check tiles (a tablet finger hits them).
  const bBox = h('div', { class: 'ho-checks', id: 'ho-buildings', role: 'group' },
    h('span', { class: 'muted small', text: tr('先选择项目', 'Pick a project first') }));
  const buildingsF = inputField({
    name: 'buildings', api: 'building_ids', label: tr('楼栋（可多选）', 'Buildings (several)'), type: 'element', required: true, wide: true,
    el: bBox,
    read: () => {
      const ids = [...bBox.querySelectorAll('input[type=checkbox]:checked')].map((x) => Number(x.value));
      return ids.length ? { value: ids } : { error: tr('请至少选择一栋楼', 'Pick at least one building') };
    },
  });
  async function loadBuildings(projectId) {
    if (!projectId) { replace(bBox, h('span', { class: 'muted small', text: tr('先选择项目', 'Pick a project first') })); return; }
    replace(bBox, loading());
    try {
      const items = await listAll('buildings', { project_id: projectId, sort: 'id' });
      replace(bBox, items.length ? items.map((b) => h('label', { class: 'ho-check', dataset: { id: b.id } },
        h('input', { type: 'checkbox', value: String(b.id), name: 'building_ids' }),
        h('span', { text: b.name || b.code || `#${b.id}` })))
        : h('span', { class: 'muted small', text: tr('该项目没有楼栋', 'This project has no buildings') }));
    } catch (e) {
      replace(bBox, h('span', { class: 'error-text', text: e.message }));
    }
  }
  const projectF = inputField({
    name: 'project_id', label: tr('项目', 'Project'), type: 'select', required: true, value: pid,
    options: projects.map((p) => ({ value: p.id, label: p.name })),
    parse: (s) => ({ value: Number(s) }),
  });
  projectF.input.addEventListener('change', () => loadBuildings(projectF.input.value));
  const today = fmt.today();
  const fields = [
    projectF,
    inputField({ name: 'name', label: tr('批次名称', 'Batch name'), required: true, maxlen: 80, placeholder: tr('如：一期 1-2 号楼集中交付', 'e.g. Phase 1, buildings 1–2') }),
    buildingsF,
    inputField({ name: 'planned_start', label: tr('计划开始', 'Planned start'), type: 'date', required: true, value: fmt.addDays(today, 14) }),
    inputField({ name: 'planned_end', label: tr('计划结束', 'Planned end'), type: 'date', required: true, value: fmt.addDays(today, 28) }),
    inputField({ name: 'team', label: tr('交付小组', 'Team'), maxlen: 200, wide: true, placeholder: tr('如：客服张敏、工程李强、物业王芳', 'Who hands over') }),
    inputField({ name: 'documents_text', label: tr('需携带资料（印在入住通知书上）', 'Documents to bring (printed on the notice)'), type: 'textarea', wide: true, rows: 4,
      value: '1. 业主身份证原件及复印件\n2. 购房合同原件\n3. 购房发票原件\n4. 入住通知书' }),
    inputField({ name: 'fees_text', label: tr('需缴纳费用（印在入住通知书上）', 'Fees due (printed on the notice)'), type: 'textarea', wide: true, rows: 3,
      value: '物业费（首年）、装修保证金、契税及维修基金（按合同约定）' }),
  ];
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const save = h('button', { class: 'btn btn-primary btn-touch', type: 'submit', dataset: { action: 'save' }, text: tr('创建批次', 'Create batch') });
  const form = h('form', { class: 'card entity-form ho-form', novalidate: true },
    banner, h('div', { class: 'form-grid' }, fields.map((f) => f.el)),
    h('div', { class: 'form-foot' }, h('span', { class: 'muted small', text: tr('创建后按所选楼栋中已签约的房屋生成交付房户。', 'Creating it lists every signed flat of those buildings.') }),
      h('div', { class: 'form-foot-buttons' },
        h('a', { class: 'btn btn-touch', href: router.page('handover/batches'), text: tr('取消', 'Cancel') }), save)));
  form.addEventListener('input', () => { dirty = true; });
  form.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(save); } });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    banner.hidden = true;
    const { values, bad } = readFields(fields);
    if (bad) { bad.focus(); return; }
    if (values.planned_end < values.planned_start) {
      fields[4].setError(tr('结束日期不能早于开始日期', 'The end is before the start'));
      fields[4].focus();
      return;
    }
    setBusy(save, true, tr('正在创建…', 'Creating…'));
    try {
      const r = await api.post('delivery-batches', values);
      const b = r && r.batch ? r.batch : r;
      dirty = false;
      router.setLeaveGuard(null);
      toast(tr('批次已创建，生成 {n} 户', 'Batch created with {n} flats', { n: r && Array.isArray(r.flats) ? r.flats.length : (r && r.total) ?? '—' }), 'success');
      router.go(router.page('handover/batch', b.id));
    } catch (err) {
      if (!showApiError(fields, err)) {
        banner.textContent = err.message;
        banner.hidden = false;
      }
    } finally {
      setBusy(save, false);
    }
  });
  router.setLeaveGuard(() => !dirty || window.confirm(tr('填写的内容尚未保存，确定离开？', 'Leave without saving?')));
  replace(main, h('div', { class: 'page page-batch-new' }, pageHead(title, tr('选择楼栋与计划日期；资料与费用说明会印在入住通知书上', 'Buildings, dates, and the notice texts')), form));
  if (pid) await loadBuildings(pid);
  fields[pid ? 1 : 0].focus();
}

// ---- defects of a batch ------------------------------------------------------------

export async function loadDefects(batchId, status) {
  try {
    const items = await listAll('inspection-defects', { batch_id: batchId, status, sort: 'id' });
    if (items.length && items.some((d) => !d.owner_name)) {
      // The owner from the batch's flats.
      const b = await api.get(`delivery-batches/${batchId}/full`).catch(() => null);
      const byId = new Map(((b && b.flats) || []).map((f) => [String(f.id), f]));
      return items.map((d) => {
        const f = byId.get(String(d.handover_id));
        return f ? { owner_name: f.owner_name, room_code: f.room_code, ...d } : d;
      });
    }
    return items;
  } catch (e) {
    if (![400, 404, 405].includes(e.status)) throw e;
  }
  // No defect list: the flats of the batch that were inspected, one by one.
  const b = await api.get(`delivery-batches/${batchId}/full`);
  const flats = ((b && (b.flats || b.handovers)) || []).filter((f) => Number(f.inspections || 0) > 0 || Number(f.open_defects || 0) > 0);
  const out = [];
  for (let i = 0; i < flats.length; i += 4) {
    const got = await Promise.all(flats.slice(i, i + 4).map((f) => api.get(`handovers/${f.id}/full`).catch(() => null)));
    got.forEach((x, k) => {
      if (!x) return;
      const f = flats[i + k];
      for (const d of x.defects || []) out.push({ room_code: f.room_code, owner_name: f.owner_name, unit_id: f.unit_id, ...d });
    });
  }
  return out;
}

/** Mark rectified / verified, with a note. */
export function defectStatusDialog(d, to, after) {
  return fieldsDialog({
    className: 'ho-dialog',
    title: to === 'rectified' ? tr('标记已整改', 'Mark rectified') : tr('复验通过', 'Verified'),
    intro: `${unitText(d)} ${dash(d.room)} ${dash(d.part)}：${d.description || ''}`,
    fields: [inputField({ name: 'note', label: tr('说明', 'Note'), type: 'textarea', rows: 2, maxlen: 500 })],
    okText: to === 'rectified' ? tr('已整改', 'Rectified') : tr('复验通过', 'Verified'),
    submit: async (v) => {
      await api.post(`inspection-defects/${d.id}`, { status: to, ...v });
      toast(to === 'rectified' ? tr('已标记整改', 'Marked rectified') : tr('已复验通过', 'Verified'), 'success');
      if (after) after();
    },
  });
}

export async function defectToTicket(d, btn, after) {
  setBusy(btn, true, tr('正在生成…', 'Creating…'));
  try {
    const r = await api.post(`inspection-defects/${d.id}/ticket`, {});
    const tid = r && (r.ticket_id || (r.ticket && r.ticket.id) || r.id);
    toast(tr('已转为维修工单', 'Repair ticket created'), 'success');
    if (after) after(tid);
  } catch (e) {
    toast(e.message, 'error', 6000);
  } finally {
    if (btn.isConnected) setBusy(btn, false);
  }
}

export function defectActions(d, reload) {
  const out = [];
  if (d.status === 'open' && (can('inspection.write') || can('handover.write'))) {
    out.push(h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'rectified' }, text: tr('已整改', 'Rectified'), onclick: () => defectStatusDialog(d, 'rectified', reload) }));
  }
  if (d.status === 'rectified' && (can('inspection.write') || can('handover.write'))) {
    out.push(h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'verified' }, text: tr('复验通过', 'Verified'), onclick: () => defectStatusDialog(d, 'verified', reload) }));
  }
  if (d.ticket_id) {
    out.push(h('a', { class: 'btn btn-link btn-touch', href: router.page('ticket', d.ticket_id), dataset: { action: 'open-ticket' }, text: d.ticket_no || tr('工单 #{id}', 'Ticket #{id}', { id: d.ticket_id }) }));
  } else if (d.status !== 'verified' && can('handover.write')) {
    const b = h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'to-ticket' }, text: tr('转维修工单', 'To repair ticket') });
    b.addEventListener('click', () => defectToTicket(d, b, reload));
    out.push(b);
  }
  return h('div', { class: 'ho-row-actions' }, out);
}

export function defectRows(items, reload) {
  return items.map((d) => h('tr', { dataset: { id: d.id, status: d.status || '' } },
    h('td', { class: 'mono nowrap', text: unitText(d) }),
    td(ownerText(d)),
    td([d.room, d.part].filter(Boolean).join(' / ')),
    td(d.category_name || d.category_path || (d.category_id ? `#${d.category_id}` : '')),
    h('td', { class: 'wrap-cell', text: d.description || '' }),
    h('td', null, codeTag(SEVERITY, d.severity, 'severity')),
    td(d.contractor_name || (d.contractor_id ? `#${d.contractor_id}` : '')),
    h('td', { class: 'nowrap', text: d.due_date ? fmt.date(d.due_date) : '—' }),
    h('td', null, codeTag(DEFECT_STATUS, d.status)),
    h('td', { class: 'col-actions' }, defectActions(d, reload))));
}

export const DEFECT_COLS = () => [[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('房间 / 部位', 'Room / part')], [tr('问题分类', 'Category')],
  [tr('问题描述', 'Description')], [tr('程度', 'Severity')], [tr('整改单位', 'Contractor')], [tr('整改期限', 'Due')], [tr('状态', 'Status')], [tr('操作', 'Actions'), 'col-actions']];

export async function renderDefectsPage(main, query, ctx) {
  const title = tr('验房缺陷整改', 'Inspection defects');
  ctx.setTitle(title);
  let batchId = query.get('batch') || '';
  let status = Object.prototype.hasOwnProperty.call(DEFECT_STATUS, query.get('status') || '') ? query.get('status') : '';
  replace(main, loading());
  const batches = itemsOf(await api.get('delivery-batches', { project_id: currentProject(), limit: 200, sort: '-id' }));
  if (!ctx.isCurrent()) return;
  if (!batchId && batches.length) batchId = String(batches[0].id);
  const sel = h('select', { id: 'ho-defects-batch', class: 'ho-select', 'aria-label': tr('交付批次', 'Batch') },
    batches.map((b) => h('option', { value: String(b.id), text: b.name || `#${b.id}` })));
  sel.value = batchId;
  sel.addEventListener('change', () => { batchId = sel.value; load(); });
  const filter = seg([{ value: '', label: tr('全部', 'All') }, ...options(DEFECT_STATUS)], status, (v) => { status = v; load(); }, 'status');
  const body = h('div', { class: 'ho-list-body' });
  const page = h('div', { class: 'page page-list page-ho-defects' },
    pageHead(title, tr('验房发现的问题：整改、复验，或转为维修工单', 'Defects found at inspection: rectify, verify, or turn into a repair ticket'),
      batchId ? [h('a', { class: 'btn btn-touch', href: router.page('handover/batch', batchId), dataset: { action: 'open-batch' }, text: tr('返回批次', 'Back to batch') })] : []),
    h('div', { class: 'filter-row ho-filter' }, h('span', { class: 'muted small', text: tr('批次', 'Batch') }), sel,
      h('span', { class: 'muted small', text: tr('状态', 'Status') }), filter),
    body);
  replace(main, page);

  async function load() {
    const q = {};
    if (batchId) q.batch = batchId;
    if (status) q.status = status;
    router.replaceQuiet(router.page('handover/defects', null, q));
    if (!batchId) { replace(body, table(DEFECT_COLS(), [], { empty: tr('暂无交付批次', 'No batches yet') })); return; }
    page.setAttribute('aria-busy', 'true');
    try {
      let items = await loadDefects(batchId, status);
      if (status) items = items.filter((d) => !d.status || d.status === status);
      if (!page.isConnected) return;
      replace(body, table(DEFECT_COLS(), defectRows(items, load), { cls: 'defects-table', empty: tr('暂无缺陷 — 在批次页“验房”时登记', 'No defects — record them with an inspection on the batch page') }));
    } catch (err) {
      replace(body, errorState(err, load));
    } finally {
      page.removeAttribute('aria-busy');
    }
  }
  await load();
}

// ---- certificates --------------------------------------------------------------------

const NEXT_CERT = { collecting: 'submitted', submitted: 'issued', issued: 'collected' };

export function advanceDialog(c, after) {
  const to = NEXT_CERT[c.status];
  if (!to) return null;
  const fields = [
    inputField({ name: 'on', label: tr('日期', 'Date'), type: 'date', required: true, value: fmt.today() }),
  ];
  if (to === 'issued') {
    fields.push(inputField({ name: 'number', label: tr('产权证号', 'Certificate number'), required: true, maxlen: 60, placeholder: tr('如：京(2026)朝阳区不动产权第0012345号', 'as printed') }));
  }
  return fieldsDialog({
    className: 'ho-dialog',
    title: tr('产权证：{a} → {b}', 'Certificate: {a} → {b}', { a: label(CERT_STATUS, c.status), b: label(CERT_STATUS, to) }),
    intro: `${unitText(c)} ${ownerText(c)}`,
    fields,
    okText: label(CERT_STATUS, to),
    submit: async (v) => {
      await api.post(`certificates/${c.id}/advance`, { to, ...v });
      toast(tr('产权证状态已更新为 {s}', 'Certificate is now {s}', { s: label(CERT_STATUS, to) }), 'success');
      if (after) after();
    },
  });
}

export async function renderCertificates(main, query, ctx) {
  const title = tr('产权证工作台', 'Certificate desk');
  ctx.setTitle(title);
  let view = query.get('view') === 'due' ? 'due' : 'all';
  let status = Object.prototype.hasOwnProperty.call(CERT_STATUS, query.get('status') || '') ? query.get('status') : '';
  const within = 30;
  const viewSeg = seg([{ value: 'all', label: tr('全部产权证', 'All') }, { value: 'due', label: tr('临期 / 超期', 'Near or past due') }], view, (v) => { view = v; load(); }, 'view');
  const statusSeg = seg([{ value: '', label: tr('全部', 'All') }, ...options(CERT_STATUS)], status, (v) => { status = v; load(); }, 'status');
  const body = h('div', { class: 'ho-list-body' }, loading());
  const statusWrap = h('span', { class: 'ho-filter-part' }, h('span', { class: 'muted small', text: tr('状态', 'Status') }), statusSeg);
  const page = h('div', { class: 'page page-list page-certificates' },
    pageHead(title, tr('收集资料 → 已递交 → 已出证 → 业主已领取；到期日 = 交付日 + 合同约定天数', 'Collecting → submitted → issued → collected; due = delivery + the contract\'s days')),
    h('div', { class: 'filter-row ho-filter' }, viewSeg, statusWrap),
    body);
  replace(main, page);

  async function load() {
    const q = {};
    if (view === 'due') q.view = 'due';
    if (status && view === 'all') q.status = status;
    router.replaceQuiet(router.page('handover/certificates', null, q));
    statusWrap.hidden = view === 'due';
    page.dataset.view = view;
    page.setAttribute('aria-busy', 'true');
    try {
      let items;
      if (view === 'due') {
        items = itemsOf(await api.get('certificates/deadlines', { within, project_id: currentProject() }));
      } else {
        // The list has no due dates: take them from the deadlines report (those still open).
        const [all, due] = await Promise.all([
          api.get('certificates', { status, project_id: currentProject(), limit: 200, sort: '-id' }),
          api.get('certificates/deadlines', { within: 3650, project_id: currentProject() }).catch(() => null),
        ]);
        const dueById = new Map(itemsOf(due).map((x) => [String(x.id), x]));
        items = itemsOf(all).map((c) => {
          const d = dueById.get(String(c.id));
          return d ? { ...d, ...c, due_on: d.due_on, days_left: d.days_left, delivered_on: d.delivered_on } : c;
        });
      }
      if (!page.isConnected) return;
      const rows = items.map((c) => {
        const to = NEXT_CERT[c.status];
        const due = c.due_on || c.due_date;
        const days = c.days_left ?? (due ? Math.round((Date.parse(due) - Date.parse(fmt.today())) / 86400e3) : null);
        const done = c.status === 'issued' || c.status === 'collected';
        return h('tr', { dataset: { id: c.id, status: c.status || '' } },
          h('td', { class: 'mono nowrap', text: unitText(c) }),
          td(ownerText(c)),
          td(c.contract_no || (c.contract_id ? `#${c.contract_id}` : '')),
          h('td', null, codeTag(CERT_STATUS, c.status)),
          h('td', { class: 'nowrap', text: c.delivered_on ? fmt.date(c.delivered_on) : '—' }),
          h('td', { class: 'nowrap' }, due ? fmt.date(due) : '—', ' ', !done && days !== null && days !== undefined ? daysLeftTag(days) : null),
          td(c.certificate_no, 'mono'),
          h('td', { class: 'col-actions' }, to && can('certificate.write')
            ? h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'advance', to }, text: `→ ${label(CERT_STATUS, to)}`, onclick: () => advanceDialog(c, load) })
            : null));
      });
      replace(body, table([[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('合同', 'Contract')], [tr('状态', 'Status')], [tr('交付日', 'Delivered')],
        [tr('到期日', 'Due')], [tr('产权证号', 'Number')], [tr('操作', 'Actions'), 'col-actions']], rows,
      { cls: 'certs-table', empty: view === 'due' ? tr('{n} 天内没有到期的产权证', 'Nothing due within {n} days', { n: within }) : tr('暂无产权证 — 交付时自动建立', 'None yet — made at delivery') }));
    } catch (err) {
      replace(body, errorState(err, load));
    } finally {
      page.removeAttribute('aria-busy');
    }
  }
  await load();
}
