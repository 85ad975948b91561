// 保修与通讯 (docs/api.md "Scheduler and warranty ledger", docs/handover.md
// "Newsletters and letters"): the warranty ledger (#/warranty/expiring?within=60),
// a newsletter's page with its send panel (#/newsletter/12), and the outbox
// list's status chips and letters PDF button (used by actions.js).
import { h, replace, clear } from './dom.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject } from './session.js';
import { loading, errorState, toast, setBusy, tag, modal } from './ui.js';
import { tr, table, td, itemsOf, listAll, seg, dash } from './handover_common.js';

function pageHead(title, sub, actions) {
  return h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: title }), sub ? h('div', { class: 'muted small', text: sub }) : null),
    h('div', { class: 'page-actions' }, actions || []));
}

const CHANNELS = {
  sms: ['短信', 'SMS'],
  email: ['邮件', 'Email'],
  letter: ['信函', 'Letter'],
};
const chLabel = (c) => (CHANNELS[c] ? tr(CHANNELS[c][0], CHANNELS[c][1]) : c);

// ---- warranty ledger ----------------------------------------------------------

const WITHIN = [30, 60, 90];
const PAGE_ROWS = 100;

/** The owner's 360 page: the ledger names the unit, the unit names its owner. */
async function openOwner(unitId) {
  try {
    const u = await api.get(`units/${encodeURIComponent(unitId)}`);
    if (u && u.owner_id) router.go(router.page('360', u.owner_id));
    else toast(tr('该房屋没有登记业主', 'This unit has no owner on file'), 'warning', 4000);
  } catch (e) {
    toast(e.message, 'error', 5000);
  }
}

export async function renderWarranty(main, query, ctx) {
  const title = tr('保修期台账', 'Warranty ledger');
  ctx.setTitle(title);
  let within = WITHIN.includes(Number(query.get('within'))) ? Number(query.get('within')) : 30;
  const counts = h('div', { class: 'wl-counts' });
  const tabs = seg(WITHIN.map((n) => ({ value: n, label: tr('{n} 天内到期', 'Within {n} days', { n }) })), within,
    (v) => { within = Number(v); load(); }, 'within');
  const body = h('div', { class: 'wl-body' }, loading());
  const pager = h('div', { class: 'pager' });
  let pageNo = 1;
  const page = h('div', { class: 'page page-warranty', dataset: { within } },
    pageHead(title, tr('已交付房屋各部位的业主保修期即将届满；施工单位保修先于业主到期时标“倒挂”', 'Owners\' warranties ending soon, by component; 倒挂 when the contractor\'s ends first')),
    h('div', { class: 'filter-row ho-filter' }, h('span', { class: 'muted small', text: tr('到期范围', 'Ending') }), tabs, counts),
    body, pager);
  replace(main, page);

  let seq = 0;
  async function load() {
    const mine = ++seq;
    pageNo = 1;
    router.replaceQuiet(router.page('warranty/expiring', null, within === 30 ? null : { within }));
    page.dataset.within = String(within);
    page.setAttribute('aria-busy', 'true');
    replace(body, loading());
    clear(counts);
    clear(pager);
    try {
      const r = await api.get('warranty/expiring', { within, project_id: currentProject() });
      if (!page.isConnected || mine !== seq) return;
      const items = itemsOf(r);
      const units = new Set(items.map((x) => x.unit_id));
      const bad = items.filter((x) => x.mismatch).length;
      replace(counts,
        h('span', { class: 'wl-count', dataset: { count: 'units' } }, tr('房屋 ', 'Units '), h('b', { text: fmt.integer(units.size) })),
        h('span', { class: 'wl-count', dataset: { count: 'items' } }, tr('保修部位 ', 'Components '), h('b', { text: fmt.integer(items.length) })),
        h('span', { class: ['wl-count', bad && 'danger'], dataset: { count: 'mismatch' } }, tr('倒挂 ', 'Mismatched '), h('b', { text: fmt.integer(bad) })),
        r && r.from ? h('span', { class: 'muted small', text: `${fmt.date(r.from)} ~ ${fmt.date(r.to)}` }) : null);
      const today = fmt.today();
      const rowOf = (x) => {
        const left = x.end ? Math.round((Date.parse(x.end) - Date.parse(today)) / 86400000) : null;
        const owner = x.owner_name
          ? h('a', { href: '#', class: 'row-link', dataset: { action: 'owner' }, text: x.owner_name, title: tr('打开业主 360', 'Open the owner\'s 360'),
            onclick: (e) => { e.preventDefault(); openOwner(x.unit_id); } })
          : h('span', { class: 'muted', text: '—' });
        return h('tr', { dataset: { unit: x.unit_id, component: x.component || '', mismatch: x.mismatch ? '1' : '0' } },
          h('td', { class: 'nowrap' }, h('a', { class: 'row-link', href: router.href('view', 'units', x.unit_id), text: x.room_code || `#${x.unit_id}` }),
            x.project_name && !currentProject() ? h('div', { class: 'muted small', text: x.project_name }) : null),
          h('td', null, owner),
          h('td', null, x.name || x.component, ' ',
            h('a', { href: '#', class: 'muted small', dataset: { action: 'all-components' }, text: tr('全部部位', 'All components'),
              onclick: (e) => { e.preventDefault(); allComponents(x.unit_id, x.room_code); } })),
          td(fmt.date(x.delivered_on), 'nowrap'),
          h('td', { class: 'nowrap' }, fmt.date(x.end), left !== null ? h('span', { class: 'muted small', text: ` ${tr('剩 {n} 天', '{n} d', { n: left })}` }) : null),
          h('td', { class: 'nowrap' }, x.contractor_end ? fmt.date(x.contractor_end) : h('span', { class: 'muted', text: tr('未登记', 'not on file') }),
            x.mismatch ? h('span', { class: 'wl-flag', title: tr('施工单位保修早于业主保修到期，届满后的维修由开发商承担', 'The contractor\'s warranty ends before the owner\'s') }, tag('倒挂', 'red')) : null));
      };
      const pages = Math.max(1, Math.ceil(items.length / PAGE_ROWS));
      const paint = () => {
        const rows = items.slice((pageNo - 1) * PAGE_ROWS, pageNo * PAGE_ROWS).map(rowOf);
        paintTable(rows);
        replace(pager,
          h('span', { class: 'pager-total', text: tr('共 {n} 条', '{n} in all', { n: fmt.integer(items.length) }) }),
          pages > 1 ? [
            h('button', { class: 'btn', type: 'button', disabled: pageNo <= 1, text: tr('上一页', 'Previous'), onclick: () => { pageNo -= 1; paint(); } }),
            h('span', { class: 'pager-info', text: `${pageNo} / ${pages}` }),
            h('button', { class: 'btn', type: 'button', disabled: pageNo >= pages, text: tr('下一页', 'Next'), onclick: () => { pageNo += 1; paint(); } }),
          ] : null);
      };
      const paintTable = (rows) => replace(body, table([[tr('房号', 'Unit')], [tr('业主', 'Owner')], [tr('保修部位', 'Component')], [tr('交付日期', 'Delivered')],
        [tr('业主保修到期', 'Owner\'s warranty ends')], [tr('施工单位保修到期', 'Contractor\'s warranty ends')]], rows,
      { cls: 'warranty-table', empty: tr('{n} 天内没有到期的保修 — 可切换到更长的范围', 'Nothing ends within {n} days — try a longer range', { n: within }) }));
      paint();
    } catch (err) {
      if (mine === seq) replace(body, errorState(err, load));
    } finally {
      if (mine === seq) page.removeAttribute('aria-busy');
    }
  }
  await load();
}

/** Every component of one flat: its owner's and contractor's warranty ends. */
async function allComponents(unitId, room) {
  let r;
  try {
    r = await api.get(`units/${encodeURIComponent(unitId)}/warranties`);
  } catch (e) {
    toast(e.message, 'error', 5000);
    return;
  }
  const rows = itemsOf(r).map((x) => h('tr', { dataset: { component: x.component } },
    td(x.name || x.component), td(fmt.date(x.end), 'nowrap'),
    h('td', { class: 'nowrap' }, x.contractor_end ? fmt.date(x.contractor_end) : h('span', { class: 'muted', text: tr('未登记', 'not on file') }),
      x.mismatch ? h('span', { class: 'wl-flag' }, tag('倒挂', 'red')) : null)));
  await modal({
    title: tr('{room} 各部位保修期', 'Warranty of {room} by component', { room: room || `#${unitId}` }),
    body: table([[tr('保修部位', 'Component')], [tr('业主保修到期', 'Owner\'s warranty ends')], [tr('施工单位保修到期', 'Contractor\'s ends')]], rows,
      { cls: 'warranty-unit-table', empty: tr('该房屋尚未交付', 'Not delivered yet') }),
    footer: false,
    className: 'modal-wide',
  });
}

// ---- newsletter page --------------------------------------------------------------

const NL_STATUS = { draft: ['草稿', 'Draft', 'grey'], sent: ['已发送', 'Sent', 'green'] };
const NL_KIND = { service: ['服务通知', 'Service notice', 'blue'], marketing: ['营销推广', 'Marketing', 'orange'] };
const codeTag = (map, v) => (map[v] ? tag(tr(map[v][0], map[v][1]), map[v][2]) : tag(dash(v), 'neutral'));

export async function renderNewsletter(main, id, ctx) {
  const n = await api.get(`newsletters/${encodeURIComponent(id)}`);
  if (!ctx.isCurrent()) return;
  ctx.setTitle(n.title || tr('客户通讯', 'Newsletter'));
  ctx.setCrumb('newsletters', n.title || `#${n.id}`);
  const actions = [];
  if (n.status === 'draft' && can('newsletter.write')) {
    actions.push(h('a', { class: 'btn', href: router.href('edit', 'newsletters', n.id), dataset: { action: 'edit' }, text: tr('编辑', 'Edit') }));
  }
  const head = h('div', { class: 'card nl-head' },
    h('div', { class: 'page-head' },
      h('div', { class: 'head-main' },
        h('h1', { class: 'page-title' }, n.title || `#${n.id}`, ' ', h('span', { dataset: { status: n.status } }, codeTag(NL_STATUS, n.status)), ' ', codeTag(NL_KIND, n.kind)),
        h('div', { class: 'head-facts' },
          h('span', { text: `${tr('项目', 'Project')}：${dash(n.project_name)}` }),
          n.status === 'sent' ? h('span', { text: `${tr('发送范围', 'Sent to')}：${dash(n.target)}` }) : null,
          n.status === 'sent' ? h('span', { dataset: { fact: 'recipients' }, text: `${tr('收件业主', 'Recipients')}：${fmt.integer(n.recipients || 0)}` }) : null,
          n.sent_at ? h('span', { text: `${tr('发送时间', 'Sent')}：${fmt.datetime(n.sent_at)}` }) : null,
          n.sent_by ? h('span', { text: `${tr('发送人', 'By')}：${n.sent_by}` }) : null)),
      h('div', { class: 'page-actions' }, actions)));
  const text = h('div', { class: 'card nl-text' }, h('h2', { class: 'card-title', text: tr('正文', 'Text') }),
    h('div', { class: 'nl-body', text: n.body || '' }));
  const note = n.kind === 'marketing'
    ? h('div', { class: 'nl-note', role: 'note' }, tr('营销推广类通讯只发给同意接收营销信息的业主（个人信息保护法）；未同意的业主不会收到。',
      'Marketing goes only to owners who consented to it; the others receive nothing.'))
    : null;
  const side = h('div', { class: 'nl-side' });
  const photos = await photosCard(n, () => renderNewsletter(main, id, ctx));
  const page = h('div', { class: 'page page-newsletter', dataset: { id: n.id, status: n.status || '' } }, head, note,
    h('div', { class: 'nl-cols' }, h('div', { class: 'main-stack' }, text, photos), side));
  replace(main, page);
  if (n.status === 'draft') {
    if (can('newsletter.write')) side.append(await sendPanel(n));
    else side.append(h('div', { class: 'card muted', text: tr('草稿尚未发送', 'Not sent yet') }));
  } else {
    side.append(await recipientsPanel(n));
  }
}

/** The newsletter's photos (they go with its emails); drafts take more. */
async function photosCard(n, reload) {
  const files = itemsOf(await api.get('attachments', { entity: 'newsletters', id: n.id }));
  const err = h('div', { class: 'field-error', role: 'alert' });
  const head = h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, tr('照片', 'Photos'),
    h('span', { class: 'count', text: String(files.length) })));
  if (n.status === 'draft' && can('newsletter.write')) {
    const input = h('input', { type: 'file', id: `nl-photo-${n.id}`, class: 'file-input', accept: '.jpg,.jpeg,.png', multiple: true });
    const btn = h('label', { class: 'btn', for: `nl-photo-${n.id}`, tabindex: 0, role: 'button', dataset: { action: 'upload' }, text: tr('添加照片', 'Add photos') });
    btn.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
    input.addEventListener('change', async () => {
      err.textContent = '';
      const list = [...(input.files || [])];
      for (const f of list) {
        if (!/\.(jpe?g|png)$/i.test(f.name) || f.size === 0 || f.size > 10 * 1024 * 1024) {
          err.textContent = tr('只能上传 10 MB 以内的 JPG 或 PNG 照片', 'JPG or PNG photos up to 10 MB only');
          input.value = '';
          return;
        }
      }
      try {
        for (const f of list) await api.upload('attachments', { entity: 'newsletters', id: n.id, file_name: f.name }, f);
        toast(tr('照片已添加', 'Photos added'), 'success');
        reload();
      } catch (e) {
        err.textContent = e.message;
      } finally {
        input.value = '';
      }
    });
    head.append(h('div', { class: 'card-head-actions' }, input, btn,
      h('span', { class: 'muted small', text: tr('照片随邮件一并发出；短信和信函只含正文', 'Photos go with the emails; SMS and letters carry the text') })));
  }
  const gallery = files.length
    ? h('div', { class: 'photo-row' }, files.map((f) => h('img', {
      class: 'photo-thumb', src: `/api/v1/attachments/${encodeURIComponent(f.id)}`, alt: f.file_name, title: f.file_name, loading: 'lazy',
    })))
    : h('div', { class: 'muted empty-small', text: tr('暂无照片', 'No photos') });
  return h('section', { class: 'card', dataset: { part: 'photos' } }, head, err, gallery);
}

async function sendPanel(n) {
  const chBox = h('div', { class: 'ho-checks', role: 'group', id: 'nl-channels', 'aria-label': tr('发送渠道', 'Channels') },
    Object.keys(CHANNELS).map((c) => h('label', { class: 'ho-check', dataset: { channel: c } },
      h('input', { type: 'checkbox', name: 'channels', value: c, checked: c === 'sms' }), h('span', { text: chLabel(c) }))));
  const chErr = h('div', { class: 'field-error', role: 'alert' });
  let target = 'project';
  const targetSeg = seg([
    { value: 'project', label: tr('整个项目', 'Whole project') },
    { value: 'buildings', label: tr('选择楼栋', 'Buildings') },
    { value: 'batch', label: tr('交付批次', 'Delivery batch') },
  ], target, (v) => { target = v; paintTarget(); }, 'target');
  const targetBox = h('div', { class: 'nl-target' });
  const tErr = h('div', { class: 'field-error', role: 'alert' });
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const sendBtn = h('button', { class: 'btn btn-primary btn-touch', type: 'submit', dataset: { action: 'send' }, text: tr('发送', 'Send') });
  let buildings = null;
  let batches = null;

  async function paintTarget() {
    tErr.textContent = '';
    if (target === 'project') {
      replace(targetBox, h('span', { class: 'muted small', text: tr('发给 {p} 全部在册业主', 'To every owner of {p}', { p: n.project_name || '' }) }));
      return;
    }
    replace(targetBox, loading());
    try {
      if (target === 'buildings') {
        if (!buildings) buildings = await listAll('buildings', { project_id: n.project_id, sort: 'id' });
        if (target !== 'buildings') return;
        replace(targetBox, buildings.length
          ? h('div', { class: 'ho-checks', id: 'nl-buildings' }, buildings.map((b) => h('label', { class: 'ho-check', dataset: { id: b.id } },
            h('input', { type: 'checkbox', name: 'building_ids', value: String(b.id) }), h('span', { text: b.name || b.code || `#${b.id}` }))))
          : h('span', { class: 'muted small', text: tr('该项目没有楼栋', 'This project has no buildings') }));
      } else {
        if (!batches) batches = await listAll('delivery-batches', { project_id: n.project_id, sort: '-id' });
        if (target !== 'batch') return;
        replace(targetBox, batches.length
          ? h('select', { id: 'nl-batch', name: 'batch_id', class: 'nl-batch' }, h('option', { value: '', text: tr('— 选择交付批次 —', '— pick a batch —') }),
            batches.map((b) => h('option', { value: String(b.id), text: b.name || `#${b.id}` })))
          : h('span', { class: 'muted small', text: tr('该项目没有交付批次', 'This project has no delivery batches') }));
      }
    } catch (e) {
      replace(targetBox, h('span', { class: 'error-text', text: e.message }));
    }
  }

  const form = h('form', { class: 'card nl-send', novalidate: true },
    h('h2', { class: 'card-title', text: tr('发送', 'Send') }), banner,
    h('div', { class: 'form-item', dataset: { field: 'channels' } }, h('div', { class: 'form-label' }, tr('发送渠道', 'Channels'), h('span', { class: 'req', text: '*' })), chBox, chErr),
    h('div', { class: 'form-item', dataset: { field: 'target' } }, h('div', { class: 'form-label', text: tr('发送范围', 'Send to') }), targetSeg, targetBox, tErr),
    h('div', { class: 'muted small', text: tr('信函进入发送队列，在“发送队列”打印后寄出；短信与邮件由后台自动发送。每份通讯只能发送一次。',
      'Letters wait in the outbox to be printed; SMS and email go out by themselves. A newsletter is sent once.') }),
    h('div', { class: 'nl-send-foot' }, sendBtn));
  form.addEventListener('change', () => { chErr.textContent = ''; tErr.textContent = ''; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    banner.hidden = true;
    chErr.textContent = '';
    tErr.textContent = '';
    const channels = [...chBox.querySelectorAll('input:checked')].map((x) => x.value);
    if (!channels.length) { chErr.textContent = tr('请至少选择一个渠道', 'Pick at least one channel'); return; }
    const body = { channels };
    let scope = n.project_name || '';
    if (target === 'buildings') {
      const picked = [...targetBox.querySelectorAll('input[name=building_ids]:checked')];
      if (!picked.length) { tErr.textContent = tr('请至少选择一栋楼', 'Pick at least one building'); return; }
      body.building_ids = picked.map((x) => Number(x.value));
      scope = picked.map((x) => x.parentElement.textContent).join('、');
    } else if (target === 'batch') {
      const sel = targetBox.querySelector('select');
      if (!sel || !sel.value) { tErr.textContent = tr('请选择交付批次', 'Pick a batch'); return; }
      body.batch_id = Number(sel.value);
      scope = sel.options[sel.selectedIndex].text;
    }
    const ok = await modal({
      title: tr('发送客户通讯', 'Send the newsletter'),
      body: h('div', null,
        h('p', { text: tr('确定通过{c}发送给 {s} 的业主？发送后不能撤回。', 'Send by {c} to the owners of {s}? This cannot be undone.',
          { c: channels.map(chLabel).join('、'), s: scope }) }),
        n.kind === 'marketing' ? h('p', { class: 'muted small', text: tr('营销推广：只发给同意接收营销信息的业主。', 'Marketing: only owners who consented receive it.') }) : null),
      okText: tr('发送', 'Send'),
    });
    if (!ok) return;
    setBusy(sendBtn, true, tr('正在发送…', 'Sending…'));
    try {
      const r = await api.post(`newsletters/${n.id}/send`, body);
      toast(tr('已发送给 {n} 位业主', 'Sent to {n} owners', { n: fmt.integer((r && r.recipients) || 0) }), 'success');
      router.go(router.page('newsletter', n.id));
    } catch (err) {
      banner.textContent = err.message;
      banner.hidden = false;
    } finally {
      setBusy(sendBtn, false);
    }
  });
  await paintTarget();
  return form;
}

async function recipientsPanel(n) {
  const card = h('div', { class: 'card nl-recipients' }, h('h2', { class: 'card-title', text: tr('收件业主', 'Recipients') }), loading());
  try {
    const items = itemsOf(await api.get(`newsletters/${n.id}/recipients`));
    const by = {};
    for (const x of items) for (const c of String(x.channels || '').split(/[\s,]+/).filter(Boolean)) by[c] = (by[c] || 0) + 1;
    const rows = items.map((x) => h('tr', { dataset: { customer: x.customer_id } },
      h('td', null, can('customer.read') && x.customer_id
        ? h('a', { class: 'row-link', href: router.page('360', x.customer_id), text: x.name || `#${x.customer_id}` }) : dash(x.name)),
      h('td', { class: 'nl-chs' }, String(x.channels || '').split(/[\s,]+/).filter(Boolean).map((c) => tag(chLabel(c), 'blue')))));
    card.lastChild.remove();
    card.append(
      h('div', { class: 'wl-counts' }, h('span', { class: 'wl-count' }, tr('共 ', 'In all '), h('b', { text: fmt.integer(items.length) })),
        Object.keys(by).map((c) => h('span', { class: 'wl-count', dataset: { channel: c } }, `${chLabel(c)} `, h('b', { text: fmt.integer(by[c]) })))),
      table([[tr('业主', 'Owner')], [tr('渠道', 'Channels')]], rows, { cls: 'recipients-table', empty: tr('没有符合条件的业主', 'No owner matched') }));
  } catch (e) {
    card.lastChild.remove();
    card.append(errorState(e));
  }
  return card;
}

// ---- outbox --------------------------------------------------------------------------

const OUTBOX_CHIPS = [
  ['', '全部', 'All'], ['pending', '待发送', 'Pending'], ['sent', '已发送', 'Sent'], ['failed', '失败', 'Failed'], ['skipped', '未发送', 'Skipped'],
];

/** Status chips above the outbox list, with counts. */
export function outboxQuickBar(query) {
  const active = query.get('status') || '';
  const chips = OUTBOX_CHIPS.map(([v, zh, en]) => {
    const count = h('span', { class: 'quick-count' });
    const a = h('a', {
      class: ['quick-chip', v === active && 'active'], href: router.href('list', 'outbox', null, v ? { status: v } : null),
      dataset: { quick: v || 'all' }, 'aria-current': v === active ? 'page' : null,
    }, h('span', { text: tr(zh, en) }), count);
    api.get('outbox', { limit: 1, status: v }).then((r) => { count.textContent = String((r && r.total) ?? ''); }, () => {});
    return a;
  });
  const bar = h('nav', { class: 'quick-bar', 'aria-label': tr('按状态', 'By status') }, chips);
  bar.update = (q) => {
    const now = q.get('status') || '';
    for (const x of bar.querySelectorAll('.quick-chip')) {
      const on = (x.dataset.quick === 'all' ? '' : x.dataset.quick) === now;
      x.classList.toggle('active', on);
      if (on) x.setAttribute('aria-current', 'page'); else x.removeAttribute('aria-current');
    }
  };
  return bar;
}

/** 打印待寄信函: every letter waiting in the outbox as one PDF. */
export async function printLetters(btn) {
  if (btn) setBusy(btn, true, tr('正在生成…', 'Making the PDF…'));
  try {
    const r = await api.download('outbox/letters.pdf', null, `待寄信函-${fmt.today()}.pdf`);
    toast(tr('已下载 {name}', 'Downloaded {name}', { name: r.name }), 'success');
    return true;
  } catch (e) {
    toast(e.status === 409 || e.status === 404 ? (e.message || tr('没有待打印的信函', 'No letters to print')) : e.message, e.status === 409 ? 'info' : 'error', 5000);
    return false;
  } finally {
    if (btn) setBusy(btn, false);
  }
}
