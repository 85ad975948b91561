// One delivery batch (#/handover/batch/{id}?tab=): the header with its state
// and the counts by handover and mailing status, then tabs — the flats (book
// a slot, record the mailing, an inspection with defects, deliver, refuse),
// the slots, the area true-up, the late-delivery ledger, the daily summary
// (chart and table) and the defect roll-up. Built for a 1024×768 tablet:
// every action is a button of its own, nothing waits for a hover.
import { h, replace } from './dom.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can } from './session.js';
import { loading, errorState, toast, setBusy, modal } from './ui.js';
import { inputField, fieldsDialog, headFact, descItem } from './widgets.js';
import { chartBox } from './echarts.js';
import {
  tr, BATCH_STATUS, HANDOVER_STATUS, DEFECT_STATUS, MAIL_STATUS, INSPECTION_KIND, SEVERITY, DOCUMENTS, ROOMS, PARTS,
  codeTag, label, options, table, td, itemsOf, listAll, unitText, ownerText, money, seg, dash, contractors, categories,
} from './handover_common.js';

const TABS = ['flats', 'slots', 'trueup', 'late', 'daily', 'defects'];
const TAB_LABEL = {
  flats: ['房户', 'Flats'], slots: ['预约时段', 'Slots'], trueup: ['面积补差', 'Area true-up'], late: ['延期交付', 'Late delivery'],
  daily: ['交付日报', 'Daily summary'], defects: ['缺陷汇总', 'Defect roll-up'],
};

/** 日违约金率: '2' (per 10,000 a day) → 万分之2. */
const rateText = (v) => (v === null || v === undefined || v === '' ? '—' : tr('万分之{v}', '{v}‱', { v }));
const timeOf = (v) => (v ? String(v).slice(0, 5) : '');
const slotFrom = (s) => timeOf(s.from ?? s.time_from);
const slotTo = (s) => timeOf(s.to ?? s.time_to);
const slotBooked = (s) => Number(s.booked ?? s.booked_count ?? 0);
const slotText = (s) => (s ? `${fmt.date(s.day)} ${slotFrom(s)}–${slotTo(s)}` : '');
/** In the flats table: 12-02 09:00–12:00 (a batch lies within weeks). */
const slotShort = (day, from, to) => `${String(fmt.date(day)).slice(5)} ${timeOf(from)}–${timeOf(to)}`;
const byRoom = (a, b) => String(a.room_code || '').localeCompare(String(b.room_code || ''), 'en', { numeric: true }) || Number(a.id) - Number(b.id);

async function loadBatch(id) {
  const r = await api.get(`delivery-batches/${encodeURIComponent(id)}/full`);
  const b = r && r.batch ? { ...r.batch, ...r, batch: undefined } : r;
  const flats = b.flats || b.handovers;
  const [hs, slots] = await Promise.all([
    Array.isArray(flats) ? flats : listAll('handovers', { batch_id: id, sort: 'id' }),
    Array.isArray(b.slots) ? b.slots : api.get(`delivery-batches/${encodeURIComponent(id)}/slots`).then((x) => itemsOf(x, 'slots')),
  ]);
  return { b, hs, slots };
}

/** Counts by handover status and mail status (the API's, else counted here). */
function countsOf(b, hs) {
  const by = {};
  for (const k of Object.keys(HANDOVER_STATUS)) by[k] = 0;
  const mail = {};
  for (const k of Object.keys(MAIL_STATUS)) mail[k] = 0;
  for (const x of hs) {
    by[x.status] = (by[x.status] || 0) + 1;
    mail[x.mail_status || 'none'] = (mail[x.mail_status || 'none'] || 0) + 1;
  }
  // GET /delivery-batches/{id}: counts {status: n}, mail_counts {mail_status: n}, total.
  const s = (b.counts && (b.counts.by_status || b.counts)) || {};
  const m = b.mail_counts || (b.counts && b.counts.by_mail) || {};
  for (const k of Object.keys(by)) if (typeof s[k] === 'number') by[k] = s[k];
  for (const k of Object.keys(mail)) if (typeof m[k] === 'number') mail[k] = m[k];
  return { by, mail, total: typeof b.total === 'number' ? b.total : hs.length };
}

export async function renderBatch(main, id, ctx, query) {
  replace(main, loading());
  let data = await loadBatch(id);
  if (!ctx.isCurrent()) return;
  let tab = TABS.includes(query && query.get('tab')) ? query.get('tab') : 'flats';
  let flatFilter = '';
  const tabCache = {};

  async function reload() {
    try {
      data = await loadBatch(id);
      for (const k of Object.keys(tabCache)) delete tabCache[k];
      if (main.isConnected) paint();
    } catch (e) {
      toast(e.message, 'error', 5000);
    }
  }

  function paint() {
    const top = main.scrollTop;
    const { b } = data;
    ctx.setTitle(`${b.name || `#${b.id}`} - ${tr('交付批次', 'Delivery batch')}`);
    ctx.setCrumb('handover/batches', b.name || `#${b.id}`);
    replace(main, h('div', { class: 'page page-batch', dataset: { id: b.id, tab } }, head(), summary(), tabsBar(), h('div', { class: 'ho-tab-body', dataset: { tab } }, tabBody())));
    main.scrollTop = top;
  }

  // ---- header --------------------------------------------------------------------
  function head() {
    const { b } = data;
    const acts = [];
    if (can('handover.write')) {
      const pdf = h('button', { type: 'button', class: 'btn btn-primary btn-touch', dataset: { action: 'notices' }, text: tr('下载入住通知书 PDF', 'Notices PDF') });
      pdf.addEventListener('click', async () => {
        setBusy(pdf, true, tr('正在生成…', 'Generating…'));
        try {
          const r = await api.download(`delivery-batches/${b.id}/notices.pdf`, null, `入住通知书-${b.name || b.id}.pdf`);
          toast(tr('已下载 {name}（待通知的房户已标记为已通知）', 'Downloaded {name}', { name: r.name }), 'success');
          reload();
        } catch (e) { toast(e.message, 'error', 6000); } finally { setBusy(pdf, false); }
      });
      acts.push(pdf);
    }
    if (can('handover.export') || can('handover.read')) {
      const pkg = h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'property-package' }, text: tr('物业移交包 Excel', 'Property package') });
      pkg.addEventListener('click', async () => {
        setBusy(pkg, true, tr('正在导出…', 'Exporting…'));
        try {
          const r = await api.download(`delivery-batches/${b.id}/property-package.xlsx`, null, `物业移交-${b.name || b.id}.xlsx`);
          toast(tr('已导出 {name}', 'Exported {name}', { name: r.name }), 'success');
        } catch (e) { toast(e.message, 'error', 6000); } finally { setBusy(pkg, false); }
      });
      acts.push(pkg);
    }
    acts.push(h('a', { class: 'btn btn-touch', href: router.page('handover/defects', null, { batch: b.id }), dataset: { action: 'defects' }, text: tr('缺陷整改', 'Defects') }));
    const buildings = b.buildings_text || (Array.isArray(b.buildings) ? b.buildings.map((x) => x.name || x.code || x).join('、') : b.building_names);
    return h('div', { class: 'detail-head ho-head' },
      h('div', { class: 'head-main' },
        h('h1', { class: 'page-title' }, h('span', { text: b.name || `#${b.id}` }), ' ', codeTag(BATCH_STATUS, b.status)),
        h('div', { class: 'head-facts' },
          headFact(tr('项目', 'Project'), b.project_name || dash(b.project_id), 'project'),
          headFact(tr('楼栋', 'Buildings'), dash(buildings), 'buildings'),
          headFact(tr('计划交付', 'Planned'), `${fmt.date(b.planned_start)} ~ ${fmt.date(b.planned_end)}`, 'planned'),
          headFact(tr('交付小组', 'Team'), dash(b.team), 'team'))),
      h('div', { class: 'page-actions ho-actions' }, acts));
  }

  function summary() {
    const { by, mail, total } = countsOf(data.b, data.hs);
    const stat = (k, l, v, cls) => h('button', {
      type: 'button', class: ['stat', 'ho-stat', cls, flatFilter === k && 'active'], dataset: { count: k },
      onclick: () => { if (k.startsWith('mail:') || HANDOVER_STATUS[k] || k === '') { flatFilter = flatFilter === k ? '' : k; tab = 'flats'; paint(); } },
    }, h('span', { class: 'stat-label', text: l }), h('span', { class: 'stat-value', text: fmt.integer(v) }));
    return h('div', { class: 'summary-strip ho-summary' },
      stat('', tr('房户', 'Flats'), total),
      Object.keys(HANDOVER_STATUS).map((k) => stat(k, label(HANDOVER_STATUS, k), by[k] || 0, `st-${HANDOVER_STATUS[k][2]}`)),
      h('span', { class: 'ho-sep', 'aria-hidden': 'true' }),
      stat('mail:delivered', tr('通知已签收', 'Notice received'), mail.delivered || 0, 'st-green'),
      stat('mail:returned', tr('通知退回', 'Notice returned'), mail.returned || 0, (mail.returned || 0) > 0 ? 'st-red' : null));
  }

  function tabsBar() {
    return h('div', { class: 'tabs-bar' }, h('div', { class: 'tabs', role: 'tablist' }, TABS.map((k) => h('button', {
      type: 'button', role: 'tab', class: ['tab', 'tab-touch', k === tab && 'active'], 'aria-selected': String(k === tab), dataset: { tab: k },
      text: tr(...TAB_LABEL[k]),
      onclick: () => {
        tab = k;
        router.replaceQuiet(router.page('handover/batch', id, k === 'flats' ? null : { tab: k }));
        paint();
      },
    }))));
  }

  function tabBody() {
    switch (tab) {
      case 'slots': return slotsTab();
      case 'trueup': return lazy('trueup', trueUpTab);
      case 'late': return lazy('late', lateTab);
      case 'daily': return dailyTab();
      case 'defects': return lazy('defects', rollupTab);
      default: return flatsTab();
    }
  }

  /** A tab whose content needs a request: a spinner, then the content. */
  function lazy(key, fn) {
    const box = h('div', { class: 'ho-lazy', dataset: { part: key } }, loading());
    (async () => {
      try {
        const el = await fn();
        box.replaceChildren(el);
      } catch (e) {
        box.replaceChildren(errorState(e, () => box.replaceWith(lazy(key, fn))));
      }
    })();
    return box;
  }

  // ---- flats ----------------------------------------------------------------------
  function flatsTab() {
    const slotById = new Map(data.slots.map((s) => [String(s.id), s]));
    let rows = data.hs.slice().sort(byRoom);
    if (flatFilter.startsWith('mail:')) rows = rows.filter((x) => (x.mail_status || 'none') === flatFilter.slice(5));
    else if (flatFilter) rows = rows.filter((x) => x.status === flatFilter);
    const w = can('handover.write');
    const insp = w || can('inspection.write');
    const trs = rows.map((x) => {
      const open = x.status !== 'delivered' && x.status !== 'refused';
      const slot = x.slot_id ? slotById.get(String(x.slot_id)) : null;
      const btn = (action, text, fn, cls) => h('button', { type: 'button', class: ['btn', 'btn-touch', cls], dataset: { action }, text, onclick: () => fn(x) });
      const acts = [];
      if (open && w) acts.push(btn('book', x.slot_id ? tr('改约', 'Rebook') : tr('预约', 'Book'), bookDialog));
      if (open && w) acts.push(btn('mail', tr('寄送', 'Mailing'), mailDialog));
      if (open && insp) acts.push(btn('inspect', tr('验房', 'Inspect'), inspectDialog));
      if (open && w) acts.push(btn('deliver', tr('交付', 'Deliver'), deliverDialog, 'btn-primary'));
      if (open && w) acts.push(btn('refuse', tr('拒收', 'Refuse'), refuseDialog, 'btn-danger-ghost'));
      const nInsp = Number(x.inspections || 0);
      const inspText = x.inspection_kind || x.last_inspection_kind
        ? `${label(INSPECTION_KIND, x.inspection_kind || x.last_inspection_kind)} ${fmt.date(x.inspected_on || '')}`
        : [x.inspected_on ? String(fmt.date(x.inspected_on)).slice(5) : '', nInsp ? tr('验房 {n} 次', 'inspected {n}×', { n: nInsp }) : ''].filter(Boolean).join(' ');
      const openDefects = Number(x.open_defects ?? x.defects_open ?? 0);
      return h('tr', { dataset: { id: x.id, status: x.status || '', unit: x.unit_id || '' } },
        h('td', { class: 'nowrap' }, h('button', {
          type: 'button', class: 'btn-link mono ho-room', dataset: { action: 'flat' }, text: unitText(x),
          title: tr('查看寄送、验房、交付记录', 'Mailing, inspections and handover of this flat'), onclick: () => flatDialog(x),
        })),
        h('td', { class: 'two-line' }, h('div', { text: ownerText(x) || '—' }), x.owner_phone || x.phone ? h('div', { class: 'muted small mono', text: x.owner_phone || x.phone }) : null),
        h('td', { class: 'nowrap', dataset: { col: 'slot' }, title: slot ? slotText(slot) : null }, slot ? slotShort(slot.day, slotFrom(slot), slotTo(slot)) : (x.slot_day ? slotShort(x.slot_day, x.slot_from, x.slot_to) : h('span', { class: 'muted', text: tr('未预约', 'None') }))),
        h('td', { class: 'two-line', dataset: { col: 'mail' } }, codeTag(MAIL_STATUS, x.mail_status || 'none', 'mail'), x.tracking_no ? h('div', { class: 'muted small mono', text: x.tracking_no }) : null),
        h('td', { class: 'two-line', dataset: { col: 'inspection' } }, h('div', { text: inspText || '—' }),
          openDefects ? h('div', { class: 'small warn-text', text: tr('{n} 项待整改', '{n} open', { n: openDefects }) }) : null),
        h('td', { class: 'two-line', dataset: { col: 'state' } }, codeTag(HANDOVER_STATUS, x.status),
          x.delivered_on ? h('div', { class: 'muted small', text: fmt.date(x.delivered_on) }) : null,
          x.refused_reason ? h('div', { class: 'muted small', text: x.refused_reason }) : null),
        h('td', { class: 'col-actions col-sticky' }, h('div', { class: 'ho-row-actions' }, acts)));
    });
    const filterNote = flatFilter ? h('div', { class: 'filter-hint' }, h('span', { class: 'chip' },
      tr('筛选：{s}', 'Filter: {s}', { s: flatFilter.startsWith('mail:') ? label(MAIL_STATUS, flatFilter.slice(5)) : label(HANDOVER_STATUS, flatFilter) }),
      h('button', { type: 'button', class: 'btn btn-link', text: tr('清除', 'Clear'), onclick: () => { flatFilter = ''; paint(); } }))) : null;
    return h('div', null, filterNote, table([[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('预约时段', 'Slot')], [tr('通知书寄送', 'Notice mailing')],
      [tr('验房', 'Inspection')], [tr('交付状态', 'Handover')], [tr('操作', 'Actions'), 'col-actions col-sticky']], trs,
    { cls: 'flats-table', empty: tr('该批次没有房户（所选楼栋没有已签约的房屋）', 'No flats in this batch') }));
  }

  /** One flat: its facts, the mailing log, inspections and defects, the true-up. */
  async function flatDialog(x) {
    let f;
    try {
      f = await api.get(`handovers/${x.id}/full`);
    } catch (e) {
      toast(e.message, 'error', 5000);
      return;
    }
    let docs = f.documents;
    try { if (typeof docs === 'string' && docs.startsWith('[')) docs = JSON.parse(docs); } catch { /* as it is */ }
    const docText = Array.isArray(docs) ? docs.map((d) => label(DOCUMENTS, d)).join('、') : (docs ? String(docs).split(',').map((d) => label(DOCUMENTS, d.trim())).join('、') : '');
    const facts = h('dl', { class: 'desc-grid ho-flat-facts' },
      descItem(tr('业主', 'Owner'), ownerText(f), 'owner'),
      descItem(tr('合同', 'Contract'), f.contract_id ? h('a', { href: router.page('contract', f.contract_id), text: f.contract_no || `#${f.contract_id}` }) : null, 'contract'),
      descItem(tr('交付状态', 'Handover'), codeTag(HANDOVER_STATUS, f.status), 'status'),
      descItem(tr('合同交付期限', 'Deadline'), f.delivery_deadline ? fmt.date(f.delivery_deadline) : null, 'deadline'),
      descItem(tr('合同面积 / 实测面积', 'Contract / measured area'), `${fmt.area(f.contract_area_dm2) || '—'} / ${fmt.area(f.measured_area_dm2) || tr('未实测', 'not measured')}`, 'area'),
      descItem(tr('交付日期', 'Delivered on'), f.delivered_on ? fmt.date(f.delivered_on) : null, 'delivered_on'),
      descItem(tr('钥匙', 'Keys'), f.keys !== null && f.keys !== undefined ? tr('{n} 把', '{n}', { n: f.keys }) : null, 'keys'),
      descItem(tr('水 / 电 / 燃气', 'Water / power / gas'), f.water_reading || f.electricity_reading || f.gas_reading ? [f.water_reading, f.electricity_reading, f.gas_reading].map(dash).join(' / ') : null, 'meters'),
      descItem(tr('已移交资料', 'Documents'), docText || null, 'documents'),
      descItem(tr('签收人', 'Signed by'), f.signed_by, 'signed_by'),
      f.refused_reason ? descItem(tr('拒收原因', 'Refused because'), f.refused_reason, 'refused_reason', true) : null);
    const mails = (f.mailings || []).map((m) => h('tr', null, h('td', { class: 'nowrap', text: fmt.date(m.on_day) }), h('td', null, codeTag(MAIL_STATUS, m.status, 'mail')),
      td(m.tracking_no, 'mono'), td(m.user_name)));
    const insp = (f.inspections || []).map((i) => h('tr', null, h('td', { class: 'nowrap', text: fmt.date(i.on_day) }), td(label(INSPECTION_KIND, i.kind)), td(i.inspector), td(i.note)));
    const defects = (f.defects || []).map((d) => h('tr', { dataset: { id: d.id, status: d.status } }, td([d.room, d.part].filter(Boolean).join(' / ')), td(d.category_name),
      h('td', { class: 'wrap-cell', text: d.description || '' }), td(d.contractor_name), h('td', null, codeTag(DEFECT_STATUS, d.status)),
      h('td', null, d.ticket_id ? h('a', { href: router.page('ticket', d.ticket_id), text: tr('工单 #{id}', 'Ticket #{id}', { id: d.ticket_id }) }) : null)));
    const tu = f.true_up;
    const section = (title, el) => h('section', { class: 'ho-flat-part' }, h('h3', { class: 'sub-title', text: title }), el);
    const body = h('div', { class: 'ho-flat', dataset: { id: f.id } }, facts,
      section(tr('通知书寄送记录', 'Notice mailing log'), table([[tr('日期', 'Day')], [tr('状态', 'Status')], [tr('快递单号', 'Tracking no.')], [tr('登记人', 'By')]], mails, { cls: 'mailings-table', empty: tr('尚未寄出', 'Not sent yet') })),
      section(tr('验房记录', 'Inspections'), table([[tr('日期', 'Day')], [tr('类型', 'Kind')], [tr('验房人', 'Inspector')], [tr('备注', 'Note')]], insp, { cls: 'inspections-table', empty: tr('尚未验房', 'Not inspected yet') })),
      defects.length ? section(tr('验房问题', 'Defects'), table([[tr('房间 / 部位', 'Room / part')], [tr('分类', 'Category')], [tr('问题描述', 'Description')], [tr('整改单位', 'Contractor')], [tr('状态', 'Status')], [tr('工单', 'Ticket')]], defects, { cls: 'flat-defects-table' })) : null,
      tu ? section(tr('面积补差', 'Area true-up'), h('div', { class: 'head-facts' },
        headFact(tr('面积差', 'Difference'), fmt.bpPercent(tu.ratio_bp), 'ratio'),
        headFact(tr('业主补缴', 'Owner pays'), money(tu.buyer_pays_fen), 'pays'),
        headFact(tr('开发商承担', 'Developer bears'), money(tu.developer_absorbs_fen), 'absorbs'),
        headFact(tr('退还业主', 'Refund'), money(tu.refund_fen), 'refund'))) : null);
    return modal({ title: `${unitText(f)} ${ownerText(f)}`, body, footer: false, width: '860px', className: 'ho-dialog ho-flat-dialog' });
  }

  function after(msg) {
    return () => { toast(msg, 'success'); reload(); };
  }

  function bookDialog(x) {
    const opts = data.slots.map((s) => {
      const left = Number(s.capacity) - slotBooked(s);
      const mine = String(x.slot_id || '') === String(s.id);
      return { value: s.id, label: `${slotText(s)}（${tr('已约 {b}/{c}', '{b}/{c} booked', { b: slotBooked(s), c: s.capacity })}）${left <= 0 && !mine ? tr(' 已满', ' full') : ''}` };
    });
    const f = inputField({ name: 'slot_id', label: tr('预约时段', 'Slot'), type: 'select', required: true, options: opts, value: x.slot_id || '', parse: (s) => ({ value: Number(s) }), help: opts.length ? null : tr('还没有时段 — 先在“预约时段”中添加', 'No slots yet — add them in Slots') });
    // A full slot cannot be picked (the API would answer 409).
    data.slots.forEach((s, i) => {
      const o = f.input.options[i + 1];
      if (o && Number(s.capacity) - slotBooked(s) <= 0 && String(x.slot_id || '') !== String(s.id)) o.disabled = true;
    });
    return fieldsDialog({
      className: 'ho-dialog',
      title: tr('预约交付时段', 'Book a slot'), intro: `${unitText(x)} ${ownerText(x)}`, fields: [f], okText: tr('预约', 'Book'),
      submit: async (v) => { await api.post(`handovers/${x.id}/book`, v); after(tr('已预约', 'Booked'))(); },
    });
  }

  function mailDialog(x) {
    const track = inputField({ name: 'tracking_no', label: tr('快递单号', 'Tracking no.'), maxlen: 40, placeholder: 'SF1234567890', value: x.tracking_no || '' });
    const status = inputField({
      name: 'status', label: tr('寄送状态', 'Status'), type: 'seg', required: true,
      value: !x.mail_status || x.mail_status === 'none' ? 'sent' : x.mail_status === 'returned' ? 'resent' : 'delivered',
      options: ['sent', 'delivered', 'returned', 'resent'].map((k) => ({ value: k, label: label(MAIL_STATUS, k) })),
      onChange: (v) => { const old = track.el.querySelector('.req'); if (old) old.remove(); if (v === 'sent' || v === 'resent') track.el.querySelector('label').append(h('span', { class: 'req', 'aria-hidden': 'true', text: '*' })); },
    });
    const on = inputField({ name: 'on', label: tr('日期', 'Date'), type: 'date', required: true, value: fmt.today() });
    const fields = [status, track, on];
    const need = () => ['sent', 'resent'].includes(status.read().value);
    if (need()) track.el.querySelector('label').append(h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }));
    return fieldsDialog({
      className: 'ho-dialog',
      title: tr('登记通知书寄送', 'Record mailing'), intro: `${unitText(x)} ${ownerText(x)}`, fields, okText: tr('保存', 'Save'),
      submit: async (v) => {
        if (need() && !v.tracking_no) {
          const e = new api.ApiError(422, 'invalid', tr('已寄出 / 已重寄需填写快递单号', 'A tracking number is needed'), 'tracking_no');
          throw e;
        }
        await api.post(`handovers/${x.id}/mail`, v);
        after(tr('寄送已登记', 'Mailing recorded'))();
      },
    });
  }

  async function inspectDialog(x) {
    let cats = [];
    let cons = [];
    try {
      [cats, cons] = await Promise.all([categories(), contractors().catch(() => [])]);
    } catch (e) {
      toast(e.message, 'error', 5000);
    }
    const list = h('div', { class: 'ho-defects-edit' });
    const rows = [];
    const addBtn = h('button', { type: 'button', class: 'btn btn-dashed btn-touch', dataset: { action: 'add-defect' }, text: `+ ${tr('添加问题', 'Add a defect')}` });
    const sel = (name, opts, ph) => h('select', { name, class: 'ho-select' }, h('option', { value: '', text: ph }), opts.map((o) => h('option', { value: String(o.value), text: o.label })));
    function addRow() {
      const n = rows.length;
      const room = sel('room', ROOMS.map((r) => ({ value: r, label: r })), tr('房间', 'Room'));
      const part = sel('part', PARTS.map((r) => ({ value: r, label: r })), tr('部位', 'Part'));
      const cat = sel('category_id', cats.map((c) => ({ value: c.id, label: `${'　'.repeat(c.depth || 0)}${c.name}` })), tr('问题分类', 'Category'));
      const desc = h('input', { type: 'text', name: 'description', maxlength: 300, placeholder: tr('问题描述（必填）', 'Description (required)') });
      const sev = sel('severity', options(SEVERITY), tr('程度', 'Severity'));
      sev.value = 'normal';
      const con = sel('contractor_id', cons.map((c) => ({ value: c.id, label: c.name })), tr('整改单位', 'Contractor'));
      const due = h('input', { type: 'date', name: 'due_date', value: fmt.addDays(fmt.today(), 15), 'aria-label': tr('整改期限', 'Due') });
      const err = h('div', { class: 'field-error', role: 'alert' });
      const r = { room, part, cat, desc, sev, con, due, err };
      const el = h('div', { class: 'ho-defect-row', dataset: { row: n } },
        h('div', { class: 'ho-defect-no', text: `${n + 1}` }),
        h('div', { class: 'ho-defect-grid' }, room, part, cat, sev, h('div', { class: 'ho-defect-desc' }, desc), con, due, err),
        h('button', { type: 'button', class: 'icon-btn ho-defect-remove', 'aria-label': tr('删除', 'Remove'), text: '×', onclick: () => { rows.splice(rows.indexOf(r), 1); el.remove(); } }));
      r.el = el;
      el.addEventListener('input', () => { el.classList.remove('has-error'); err.textContent = ''; });
      rows.push(r);
      list.append(el);
      desc.focus();
    }
    addBtn.addEventListener('click', addRow);
    const defectsF = inputField({
      name: 'defects', label: tr('发现的问题', 'Defects found'), type: 'element', wide: true,
      el: h('div', { class: 'ho-defects-box' }, list, addBtn),
      read: () => {
        const out = [];
        for (const r of rows) {
          r.err.textContent = '';
          r.el.classList.remove('has-error');
          if (!r.desc.value.trim()) {
            r.err.textContent = tr('请填写问题描述', 'Describe the defect');
            r.el.classList.add('has-error');
            r.desc.focus();
            return { error: tr('第 {n} 项缺少问题描述', 'Defect {n} has no description', { n: rows.indexOf(r) + 1 }) };
          }
          const d = { description: r.desc.value.trim(), severity: r.sev.value || 'normal' };
          if (r.room.value) d.room = r.room.value;
          if (r.part.value) d.part = r.part.value;
          if (r.cat.value) d.category_id = Number(r.cat.value);
          if (r.con.value) d.contractor_id = Number(r.con.value);
          if (r.due.value) d.due_date = r.due.value;
          out.push(d);
        }
        return { value: out };
      },
    });
    const fields = [
      inputField({ name: 'kind', label: tr('验房类型', 'Kind'), type: 'seg', required: true, value: x.status === 'inspected' ? 're' : 'formal', options: options(INSPECTION_KIND) }),
      inputField({ name: 'on', label: tr('验房日期', 'Date'), type: 'date', required: true, value: fmt.today() }),
      inputField({ name: 'inspector', label: tr('验房人', 'Inspector'), maxlen: 60 }),
      inputField({ name: 'note', label: tr('备注', 'Note'), maxlen: 500 }),
      defectsF,
    ];
    return fieldsDialog({
      title: tr('登记验房', 'Record an inspection'), intro: `${unitText(x)} ${ownerText(x)}`, fields, grid: true, width: '900px', className: 'ho-dialog',
      okText: tr('保存验房', 'Save inspection'),
      submit: async (v) => {
        try {
          await api.post(`handovers/${x.id}/inspections`, { defects: [], ...v });
        } catch (e) {
          // defects[1].description → under that row.
          const m = e.field && /^defects\[(\d+)\]\.?(\w*)/.exec(e.field);
          if (m && rows[Number(m[1])]) {
            const r = rows[Number(m[1])];
            r.err.textContent = e.message;
            r.el.classList.add('has-error');
            const inp = r[{ description: 'desc', category_id: 'cat', contractor_id: 'con', due_date: 'due', severity: 'sev' }[m[2]] || 'desc'];
            if (inp) inp.focus();
            throw Object.assign(new Error(e.message), { field: null, shown: true });
          }
          throw e;
        }
        after(tr('验房已登记{n}', 'Inspection recorded{n}', { n: v.defects && v.defects.length ? tr('，{n} 项问题', ', {n} defects', { n: v.defects.length }) : '' }))();
      },
    });
  }

  function deliverDialog(x) {
    const docsBox = h('div', { class: 'ho-checks', role: 'group' }, Object.keys(DOCUMENTS).map((k) => h('label', { class: 'ho-check', dataset: { doc: k } },
      h('input', { type: 'checkbox', value: k, name: 'documents' }), h('span', { text: label(DOCUMENTS, k) }))));
    const fields = [
      inputField({ name: 'delivered_on', label: tr('交付日期', 'Delivered on'), type: 'date', required: true, value: fmt.today() }),
      inputField({ name: 'keys', label: tr('钥匙（把）', 'Keys'), type: 'int', required: true, value: '3' }),
      inputField({ name: 'water', label: tr('水表读数', 'Water meter'), required: true, maxlen: 20, placeholder: '0.00' }),
      inputField({ name: 'electricity', label: tr('电表读数', 'Electricity meter'), required: true, maxlen: 20, placeholder: '0.00' }),
      inputField({ name: 'gas', label: tr('燃气表读数', 'Gas meter'), maxlen: 20, placeholder: '0.00' }),
      inputField({ name: 'signed_by', label: tr('签收人', 'Signed by'), required: true, maxlen: 60, value: ownerText(x) }),
      inputField({
        name: 'documents', label: tr('已移交资料（两书必须齐全）', 'Documents handed over (both required)'), type: 'element', required: true, wide: true, el: docsBox,
        read: () => {
          const v = [...docsBox.querySelectorAll('input:checked')].map((i) => i.value);
          return v.length === Object.keys(DOCUMENTS).length ? { value: v } : { error: tr('住宅质量保证书和住宅使用说明书都须移交', 'Both documents must be handed over') };
        },
      }),
    ];
    return fieldsDialog({
      title: tr('办理交付', 'Deliver'), intro: `${unitText(x)} ${ownerText(x)} — ${tr('交付后房屋进入保修期', 'the warranty starts at delivery')}`,
      fields, grid: true, width: '720px', className: 'ho-dialog', okText: tr('确认交付', 'Deliver'),
      submit: async (v) => { await api.post(`handovers/${x.id}/deliver`, v); after(tr('已交付，保修期开始', 'Delivered; the warranty starts'))(); },
    });
  }

  function refuseDialog(x) {
    return fieldsDialog({
      className: 'ho-dialog',
      title: tr('业主拒收', 'Owner refuses'), intro: `${unitText(x)} ${ownerText(x)}`, danger: true, okText: tr('登记拒收', 'Record refusal'),
      fields: [inputField({ name: 'reason', label: tr('拒收原因', 'Reason'), type: 'textarea', required: true, rows: 3, maxlen: 500 })],
      submit: async (v) => { await api.post(`handovers/${x.id}/refuse`, v); after(tr('已登记拒收', 'Refusal recorded'))(); },
    });
  }

  // ---- slots ---------------------------------------------------------------------
  function slotsTab() {
    const rows = data.slots.map((s) => {
      const b = slotBooked(s);
      const cap = Number(s.capacity);
      const full = b >= cap;
      return h('tr', { dataset: { id: s.id, full: String(full) } },
        h('td', { class: 'nowrap', text: fmt.date(s.day) }),
        h('td', { class: 'nowrap', text: `${slotFrom(s)}–${slotTo(s)}` }),
        h('td', { class: 'num', text: fmt.integer(cap) }),
        h('td', { class: 'num', dataset: { col: 'booked' }, text: fmt.integer(b) }),
        h('td', { class: 'ho-fill-cell' }, h('div', { class: 'rate-cell' },
          h('div', { class: 'rate-bar' }, h('div', { class: ['rate-fill', full ? 'low' : 'mid'], style: { width: `${cap ? Math.min(100, (b * 100) / cap) : 0}%` } })),
          full ? h('span', { class: 'tag tag-orange', text: tr('已满', 'Full') }) : h('span', { class: 'muted small', text: tr('余 {n}', '{n} left', { n: cap - b }) }))));
    });
    const add = can('handover.write') ? h('button', { type: 'button', class: 'btn btn-primary btn-touch', dataset: { action: 'add-slot' }, text: `+ ${tr('添加时段', 'Add a slot')}`, onclick: addSlot }) : null;
    return h('div', { class: 'card ho-card' }, h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: tr('预约时段', 'Appointment slots') }), h('div', { class: 'card-head-actions' }, add)),
      table([[tr('日期', 'Day')], [tr('时间', 'Time')], [tr('容量', 'Capacity'), 'num'], [tr('已预约', 'Booked'), 'num'], [tr('占用', 'Use')]], rows,
        { cls: 'slots-table', empty: tr('暂无时段 — 点“添加时段”', 'No slots — use Add a slot') }));
  }

  function addSlot() {
    const last = data.slots[data.slots.length - 1];
    const fields = [
      inputField({ name: 'day', label: tr('日期', 'Day'), type: 'date', required: true, value: last ? last.day : data.b.planned_start }),
      inputField({ name: 'from', label: tr('开始时间', 'From'), required: true, value: '09:00', placeholder: '09:00', parse: (s) => (/^\d{2}:\d{2}$/.test(s) ? { value: s } : { error: tr('时间格式 09:00', 'Time as 09:00') }) }),
      inputField({ name: 'to', label: tr('结束时间', 'To'), required: true, value: '12:00', placeholder: '12:00', parse: (s) => (/^\d{2}:\d{2}$/.test(s) ? { value: s } : { error: tr('时间格式 12:00', 'Time as 12:00') }) }),
      inputField({ name: 'capacity', label: tr('可约户数', 'Capacity'), type: 'int', required: true, value: '10' }),
    ];
    for (const f of fields.slice(1, 3)) f.input.setAttribute('inputmode', 'numeric');
    return fieldsDialog({
      className: 'ho-dialog',
      title: tr('添加预约时段', 'Add a slot'), fields, grid: true, okText: tr('添加', 'Add'),
      submit: async (v) => { await api.post(`delivery-batches/${id}/slots`, v); after(tr('时段已添加', 'Slot added'))(); },
    });
  }

  // ---- area true-up ----------------------------------------------------------------
  async function trueUpTab() {
    const r = await api.get(`delivery-batches/${id}/true-up`);
    const items = itemsOf(r, 'statements').slice().sort(byRoom);
    const run = can('handover.write') ? h('button', { type: 'button', class: 'btn btn-primary btn-touch', dataset: { action: 'run-trueup' }, text: tr('运行面积补差', 'Run the true-up') }) : null;
    if (run) {
      run.addEventListener('click', async () => {
        setBusy(run, true, tr('正在计算…', 'Computing…'));
        try {
          const x = await api.post(`delivery-batches/${id}/true-up`, {});
          const n = x && (x.created ?? x.count ?? (Array.isArray(x.items) ? x.items.length : null));
          toast(n !== null && n !== undefined ? tr('已生成 {n} 份补差结算单', '{n} statements made', { n }) : tr('面积补差已完成', 'True-up done'), 'success');
          delete tabCache.trueup;
          if (tab === 'trueup') paint();
        } catch (e) { toast(e.message, 'error', 6000); setBusy(run, false); }
      });
    }
    let pay = 0n; let absorb = 0n; let refund = 0n;
    const rows = items.map((s) => {
      pay += BigInt(s.buyer_pays_fen || 0); absorb += BigInt(s.developer_absorbs_fen || 0); refund += BigInt(s.refund_fen || 0);
      return h('tr', { dataset: { id: s.id, handover: s.handover_id || '' } },
        h('td', { class: 'mono nowrap', text: unitText(s) }),
        td(ownerText(s)),
        h('td', { class: 'num', text: fmt.area(s.contract_area_dm2) }),
        h('td', { class: 'num', text: fmt.area(s.measured_area_dm2) }),
        h('td', { class: ['num', Math.abs(Number(s.ratio_bp)) > 300 && 'warn-text'], text: s.ratio_bp !== undefined && s.ratio_bp !== null ? fmt.bpPercent(s.ratio_bp) : '—' }),
        h('td', { class: 'num', text: money(s.unit_price_fen) }),
        h('td', { class: 'num', dataset: { col: 'pay' }, text: money(s.buyer_pays_fen) }),
        h('td', { class: 'num', text: money(s.developer_absorbs_fen) }),
        h('td', { class: 'num', dataset: { col: 'refund' }, text: money(s.refund_fen) }),
        h('td', null, Number(s.may_terminate) ? h('span', { class: 'tag tag-red', text: tr('可解约', 'May terminate') }) : h('span', { class: 'muted', text: '—' })));
    });
    const foot = items.length ? h('tr', null, h('td', { colspan: 6, text: tr('合计', 'Total') }),
      h('td', { class: 'num', text: fmt.money(pay.toString()) }), h('td', { class: 'num', text: fmt.money(absorb.toString()) }),
      h('td', { class: 'num', text: fmt.money(refund.toString()) }), h('td')) : null;
    return h('div', { class: 'card ho-card' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: tr('面积补差结算单', 'Area true-up statements') }),
        h('div', { class: 'card-head-actions' }, h('span', { class: 'muted small', text: tr('±3% 以内按合同单价结算；超出 +3% 部分开发商承担；低于 −3% 部分双倍返还', 'Within ±3% at the contract price; above +3% the developer bears it; below −3% refunded double') }), run)),
      table([[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('合同面积', 'Contract area'), 'num'], [tr('实测面积', 'Measured'), 'num'], [tr('面积差', 'Difference'), 'num'],
        [tr('合同单价', 'Price / m²'), 'num'], [tr('业主补缴', 'Owner pays'), 'num'], [tr('开发商承担', 'Developer bears'), 'num'], [tr('退还业主', 'Refund'), 'num'], [tr('解约权', 'Termination')]],
      rows, { cls: 'trueup-table', empty: tr('尚无结算单 — 有实测面积后点“运行面积补差”', 'No statements — run the true-up once areas are measured'), foot }));
  }

  // ---- late delivery -----------------------------------------------------------------
  async function lateTab() {
    const r = await api.get(`delivery-batches/${id}/late-delivery`);
    const items = itemsOf(r, 'ledger').slice().sort(byRoom);
    const xls = h('button', { type: 'button', class: 'btn btn-touch', dataset: { action: 'late-xlsx' }, text: tr('导出 Excel', 'Export Excel') });
    xls.addEventListener('click', async () => {
      setBusy(xls, true, tr('正在导出…', 'Exporting…'));
      try {
        const x = await api.download(`delivery-batches/${id}/late-delivery.xlsx`, null, `延期交房违约金-${data.b.name || id}.xlsx`);
        toast(tr('已导出 {name}', 'Exported {name}', { name: x.name }), 'success');
      } catch (e) { toast(e.message, 'error', 6000); } finally { setBusy(xls, false); }
    });
    let sum = 0n;
    const rows = items.map((x) => {
      const pen = x.penalty_fen ?? x.amount_fen ?? 0;
      sum += BigInt(pen || 0);
      const days = Number(x.days_late ?? x.days ?? 0);
      return h('tr', { dataset: { id: x.handover_id || x.id || '', days } },
        h('td', { class: 'mono nowrap', text: unitText(x) }),
        td(ownerText(x)),
        td(x.contract_no),
        h('td', { class: 'nowrap', text: x.deadline || x.delivery_deadline ? fmt.date(x.deadline || x.delivery_deadline) : '—' }),
        h('td', { class: 'nowrap' }, x.delivered_on && !x.estimated ? fmt.date(x.delivered_on) : h('span', { class: 'muted', text: tr('未交付（计至今日）', 'not yet (to today)') })),
        h('td', { class: ['num', days > 0 && 'warn-text'], text: fmt.integer(days) }),
        h('td', { class: 'num', text: rateText(x.daily_rate_per_10000 ?? x.late_delivery_rate ?? x.rate) }),
        h('td', null, x.may_terminate ? h('span', { class: 'tag tag-red', text: tr('可解约', 'May terminate') }) : h('span', { class: 'muted', text: '—' })),
        h('td', { class: 'num', dataset: { col: 'penalty' }, text: money(pen) }));
    });
    const foot = items.length ? h('tr', null, h('td', { colspan: 8, text: tr('合计', 'Total') }), h('td', { class: 'num', text: fmt.money(sum.toString()) })) : null;
    return h('div', { class: 'card ho-card' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: tr('延期交房违约金明细', 'Late-delivery ledger') }),
        h('div', { class: 'card-head-actions' }, h('span', { class: 'muted small', text: tr('逾期天数 = 交付日（未交付按今日）− 合同交付期限；违约金按合同日费率与宽限期', 'Days late against the contract deadline; penalty at the contract rate after grace days') }), xls)),
      table([[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('合同号', 'Contract')], [tr('合同交付期限', 'Deadline')], [tr('交付日', 'Delivered')],
        [tr('逾期天数', 'Days late'), 'num'], [tr('日违约金率', 'Rate / day'), 'num'], [tr('解约权', 'Termination')], [tr('违约金', 'Penalty'), 'num']],
      rows, { cls: 'late-table', empty: tr('该批次没有房户', 'No flats'), foot }));
  }

  // ---- daily summary -----------------------------------------------------------------
  function dailyTab() {
    // The API gives every day with something on it; the range narrows what is shown.
    const from = inputField({ name: 'from', label: tr('从', 'From'), type: 'date' });
    const to = inputField({ name: 'to', label: tr('到', 'To'), type: 'date' });
    const out = h('div', { class: 'ho-daily-body' }, loading());
    const go = async () => {
      out.replaceChildren(loading());
      const f = from.input.value;
      const t2 = to.input.value;
      try {
        const r = await api.get(`delivery-batches/${id}/daily`, { from: f, to: t2 });
        const days = itemsOf(r, 'days').filter((d) => {
          const day = fmt.date(d.day || d.date);
          return (!f || day >= f) && (!t2 || day <= t2);
        });
        out.replaceChildren(dailyContent(days));
      } catch (e) {
        out.replaceChildren(errorState(e, go));
      }
    };
    from.input.addEventListener('change', go);
    to.input.addEventListener('change', go);
    go();
    return h('div', { class: 'card ho-card' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: tr('入住每日汇总', 'Daily move-in summary') }),
        h('div', { class: 'card-head-actions ho-range' }, from.el, to.el)),
      out);
  }

  function dailyContent(sparse) {
    // The API lists only days with something on them: fill the days between
    // with zeros so the chart reads as a timeline (at most 120 days).
    const byDay = new Map(sparse.map((d) => [String(fmt.date(d.day || d.date)), d]));
    const keys = [...byDay.keys()].filter((k) => /^\d{4}-\d{2}-\d{2}$/.test(k)).sort();
    let days = sparse;
    if (keys.length > 1 && keys.length === byDay.size) {
      days = [];
      for (let d = keys[0], n = 0; d <= keys[keys.length - 1] && n < 120; d = fmt.addDays(d, 1), n += 1) days.push(byDay.get(d) || { day: d });
      if (days.length >= 120) days = keys.map((k) => byDay.get(k));
    }
    const KEYS = [['booked', tr('预约', 'Booked')], ['inspected', tr('验房', 'Inspected')], ['delivered', tr('交付', 'Delivered')], ['refused', tr('拒收', 'Refused')]];
    const tot = Object.fromEntries(KEYS.map(([k]) => [k, 0]));
    const rows = days.map((d) => {
      for (const [k] of KEYS) tot[k] += Number(d[k] || 0);
      return h('tr', { dataset: { day: d.day || d.date } }, h('td', { class: 'nowrap', text: fmt.date(d.day || d.date) }),
        KEYS.map(([k]) => h('td', { class: 'num', dataset: { col: k }, text: fmt.integer(d[k] || 0) })));
    });
    const any = days.some((d) => KEYS.some(([k]) => Number(d[k] || 0) > 0));
    const chart = days.length && any ? chartBox({
      grid: { left: 8, right: 8, top: 34, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: days.map((d) => String(d.day || d.date).slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: KEYS.map(([k, l], i) => ({
        type: 'bar', name: l, data: days.map((d) => Number(d[k] || 0)), barMaxWidth: 16,
        itemStyle: { color: ['#1677ff', '#fa8c16', '#52c41a', '#ff4d4f'][i] },
      })),
    }, { height: 240, label: tr('入住每日汇总', 'Daily summary') }) : h('div', { class: 'muted empty-small', text: tr('所选日期内没有预约、验房或交付', 'Nothing in these days') });
    return h('div', { class: 'ho-daily' }, chart,
      table([[tr('日期', 'Day')], ...KEYS.map(([, l]) => [l, 'num'])], rows, {
        cls: 'daily-table', empty: tr('所选日期内没有数据', 'No days'),
        foot: rows.length ? h('tr', null, h('td', { text: tr('合计', 'Total') }), KEYS.map(([k]) => h('td', { class: 'num', text: fmt.integer(tot[k]) }))) : null,
      }));
  }

  // ---- defect roll-up ----------------------------------------------------------------
  async function rollupTab() {
    let by = 'building';
    const body = h('div');
    const load = async () => {
      body.replaceChildren(loading());
      try {
        const r = await api.get(`delivery-batches/${id}/defects`, { by });
        const items = itemsOf(r, 'groups');
        let total = 0;
        const rows = items.map((g) => {
          const n = Number(g.total ?? g.count ?? 0);
          total += n;
          return h('tr', { dataset: { key: g.key ?? g.id ?? '' } },
            td(g.name || g.label || g.building_name || g.category_name || g.contractor_name || (g.key ? String(g.key) : tr('未指定', 'Not set'))),
            h('td', { class: 'num', text: fmt.integer(n) }),
            h('td', { class: 'num', text: fmt.integer(g.open ?? 0) }),
            h('td', { class: 'num', text: fmt.integer(g.rectified ?? 0) }),
            h('td', { class: 'num', text: fmt.integer(g.verified ?? 0) }));
        });
        body.replaceChildren(table([[{ building: tr('楼栋', 'Building'), category: tr('问题分类', 'Category'), contractor: tr('整改单位', 'Contractor') }[by]],
          [tr('问题数', 'Defects'), 'num'], [label(DEFECT_STATUS, 'open'), 'num'], [label(DEFECT_STATUS, 'rectified'), 'num'], [label(DEFECT_STATUS, 'verified'), 'num']], rows,
        { cls: 'rollup-table', empty: tr('暂无验房缺陷', 'No defects'), foot: rows.length ? h('tr', null, h('td', { text: tr('合计', 'Total') }), h('td', { class: 'num', text: fmt.integer(total) }), h('td'), h('td'), h('td')) : null }));
      } catch (e) {
        body.replaceChildren(errorState(e, load));
      }
    };
    await load();
    return h('div', { class: 'card ho-card' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: tr('缺陷汇总', 'Defect roll-up') }),
        h('div', { class: 'card-head-actions' },
          seg([{ value: 'building', label: tr('按楼栋', 'By building') }, { value: 'category', label: tr('按分类', 'By category') }, { value: 'contractor', label: tr('按整改单位', 'By contractor') }], by, (v) => { by = v; load(); }, 'by'),
          h('a', { class: 'btn btn-touch', href: router.page('handover/defects', null, { batch: id }), text: tr('逐项整改', 'Work the list') }))),
      body);
  }

  paint();
}

