// 满意度回访: the callback queue (#/surveys?status=invited|answered&stage=),
// the answer form of one survey (#/survey/12: scale as stars, NPS 0–10,
// choices, text — keyboard first, answers checked by the API), the report
// (#/surveys/report?group=stage|project|month&from=&to=: satisfaction and NPS
// as a chart, a table and Excel), and 发起专项调查 for managers (a campaign
// template sent to every owner of a project or of some of its buildings).
import { h, replace, clear, nextId } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can, currentProject, session } from './session.js';
import { loading, errorState, toast, tag, modal, setBusy } from './ui.js';
import { chartBox } from './echarts.js';

const PAGE_SIZE = 40;
const STATUSES = ['invited', 'answered'];
export const STAGES = ['signing', 'handover', 'ticket_closed', 'campaign'];
const STAGE_COLORS = { signing: 'blue', handover: 'green', ticket_closed: 'orange', campaign: 'neutral' };
const GROUPS = ['stage', 'month', 'project'];

const stageLabel = (s) => (STAGES.includes(s) ? t(`sv.stage_${s}`) : (s || ''));
const stageTag = (s) => tag(stageLabel(s), STAGE_COLORS[s] || 'neutral');
const statusTag = (s) => (s === 'answered' ? tag(t('sv.status_answered'), 'green') : tag(t('sv.status_invited'), 'orange'));
/** Hundredths → "4.50" (satisfaction on the 5-point scale). */
const score5 = (v) => (v === null || v === undefined || v === '' ? t('common.none') : (Number(v) / 100).toFixed(2));
/** NPS in hundredths of a point → "+33.3" / "−20.0". */
const npsText = (v) => {
  if (v === null || v === undefined || v === '') return t('common.none');
  const n = Number(v) / 100;
  return `${n > 0 ? '+' : ''}${n.toFixed(1)}`;
};
const npsClass = (n) => (n === null || n === undefined ? '' : n >= 9 ? 'nps-pro' : n >= 7 ? 'nps-pas' : 'nps-det');

function parseJson(v, fallback) {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v === 'object') return v;
  try { return JSON.parse(v); } catch { return fallback; }
}

function customerLink(r) {
  const name = r.customer_name || (r.customer_id ? `#${r.customer_id}` : '');
  if (!r.customer_id || !can('customer.read')) return h('span', { text: name });
  return h('a', { class: 'sv-customer', href: router.page('360', r.customer_id), dataset: { action: 'customer' }, text: name });
}

function projectName(id) {
  const p = session.projects.find((x) => String(x.id) === String(id));
  return p ? p.name : '';
}

// ---- 满意度回访 queue ------------------------------------------------------------------------------

export async function renderSurveys(main, query, ctx) {
  ctx.setTitle(t('sv.queue'));
  let status = STATUSES.includes(query.get('status')) ? query.get('status') : 'invited';
  let stage = STAGES.includes(query.get('stage')) ? query.get('stage') : '';
  let pageNo = Math.max(1, Number(query.get('page')) || 1);
  let abort = null;

  const actions = h('div', { class: 'page-actions' },
    h('a', { class: 'btn', href: router.page('surveys/report'), text: t('sv.report'), dataset: { action: 'report' } }),
    can('survey.admin') ? h('button', {
      class: 'btn btn-primary', type: 'button', dataset: { action: 'campaign' }, text: `+ ${t('sv.campaign')}`,
      onclick: () => campaignDialog().then((n) => { if (n !== null) load(); }),
    }) : null);
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('sv.queue') }),
      h('div', { class: 'muted small', text: t('sv.queue_sub') })),
    actions);
  const tabs = h('div', { class: 'tabs', role: 'tablist' }, STATUSES.map((s) => h('button', {
    type: 'button', role: 'tab', class: ['tab', s === status && 'active'], 'aria-selected': String(s === status), dataset: { status: s },
    onclick: () => { status = s; pageNo = 1; load(); },
  }, h('span', { text: t(`sv.tab_${s}`) }), h('span', { class: 'count', dataset: { count: s }, hidden: true }))));
  const stageSeg = h('div', { class: 'seg sv-stage-seg', role: 'group', 'aria-label': t('sv.stage') },
    ['', ...STAGES].map((s) => h('button', {
      type: 'button', class: ['seg-btn', s === stage && 'active'], 'aria-pressed': String(s === stage), dataset: { stage: s },
      text: s ? stageLabel(s) : t('common.all'),
      onclick: () => { stage = s; pageNo = 1; load(); },
    })));
  const bar = h('div', { class: 'tabs-bar' }, tabs,
    h('div', { class: 'tabs-filter' }, h('span', { class: 'muted small', text: t('sv.stage') }), stageSeg));
  const projectHint = h('div', { class: 'filter-hint', hidden: true });
  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const page = h('div', { class: 'page page-list page-surveys', dataset: { status } }, header, bar, projectHint, tableWrap, pager);
  replace(main, page);

  function address() {
    const q = { status };
    if (stage) q.stage = stage;
    if (pageNo > 1) q.page = pageNo;
    return router.page('surveys', null, q);
  }

  function paint(r) {
    const items = (r && r.items) || [];
    const total = r && r.total !== undefined ? Number(r.total) : items.length;
    page.dataset.status = status;
    page.dataset.stage = stage;
    for (const b of tabs.children) {
      const on = b.dataset.status === status;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
      const c = b.querySelector('.count');
      c.textContent = on ? String(total) : '';
      c.hidden = !on;
    }
    for (const b of stageSeg.children) {
      const on = b.dataset.stage === stage;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', String(on));
    }
    const answered = status === 'answered';
    const cols = [[t('sv.customer')], [t('sv.project')], [t('sv.stage')], [t('sv.template')], [t('sv.invited_on')]];
    if (answered) cols.push([t('sv.satisfaction'), 'num'], [t('sv.nps_col'), 'num'], [t('sv.answered_at')], [t('sv.recorded_by')]);
    cols.push(['', 'col-action']);
    const tbody = h('tbody', null, items.map((s) => {
      const href = router.page('survey', s.id);
      const tr = h('tr', { tabindex: 0, dataset: { id: s.id, stage: s.stage || '', customer: s.customer_id || '' } },
        h('td', { class: 'nowrap' }, customerLink(s)),
        h('td', { text: s.project_name || projectName(s.project_id) }),
        h('td', { class: 'nowrap' }, stageTag(s.stage)),
        h('td', { text: s.template_name || '' }),
        h('td', { class: 'nowrap mono', text: fmt.date(s.invited_on) }),
        answered ? [
          h('td', { class: 'num', dataset: { col: 'satisfaction' }, text: score5(s.score_avg100) }),
          h('td', { class: 'num' }, s.nps === null || s.nps === undefined ? t('common.none') : h('span', { class: ['nps-num', npsClass(Number(s.nps))], text: String(s.nps) })),
          h('td', { class: 'nowrap small', text: fmt.datetime(s.answered_at) }),
          h('td', { text: s.recorded_by || '' }),
        ] : null,
        h('td', { class: 'col-action' }, h('a', {
          class: ['btn', 'btn-sm', !answered && 'btn-primary'], href, dataset: { action: 'open' }, text: answered ? t('sv.view') : t('sv.answer'),
        })));
      tr.addEventListener('click', (e) => { if (!e.target.closest('a')) router.go(href); });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.target.closest('a')) router.go(href); });
      return tr;
    }));
    clear(tableWrap);
    tableWrap.append(h('table', { class: 'data-table surveys-table' },
      h('thead', null, h('tr', null, cols.map(([c, cls]) => h('th', { scope: 'col', class: cls || null, text: c })))), tbody));
    if (!items.length) {
      tableWrap.append(h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: answered ? t('sv.empty_answered') : (can('survey.admin') ? t('sv.empty_admin') : t('sv.empty')) })));
    }
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    replace(pager,
      h('span', { class: 'pager-total', text: t('list.total', { n: fmt.integer(total) }) }),
      h('button', { class: 'btn', type: 'button', disabled: pageNo <= 1, text: t('list.prev'), onclick: () => { pageNo -= 1; load(); } }),
      h('span', { class: 'pager-info', text: t('list.page', { p: pageNo, n: pages }) }),
      h('button', { class: 'btn', type: 'button', disabled: pageNo >= pages, text: t('list.next'), onclick: () => { pageNo += 1; load(); } }));
  }

  async function load() {
    router.replaceQuiet(address());
    if (abort) abort.abort();
    const mine = new AbortController();
    abort = mine;
    const pid = currentProject();
    const p = pid && session.projects.find((x) => String(x.id) === pid);
    replace(projectHint, p ? h('span', { class: 'chip', text: t('list.project_filtered', { name: p.name }) }) : null);
    projectHint.hidden = !p;
    tableWrap.classList.add('is-loading');
    page.setAttribute('aria-busy', 'true');
    try {
      const r = await api.get('survey-responses', {
        status, stage, project_id: pid, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE,
        sort: status === 'answered' ? '-answered_at' : '-invited_on',
      }, { signal: mine.signal });
      if (abort !== mine || !page.isConnected) return;
      paint(r);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(tableWrap, errorState(err, load));
      clear(pager);
    } finally {
      if (abort === mine) {
        tableWrap.classList.remove('is-loading');
        page.removeAttribute('aria-busy');
      }
    }
  }

  tableWrap.append(loading());
  await load();
}

// ---- 发起专项调查 ------------------------------------------------------------------------------------

/** The campaign dialog; resolves to the number of surveys raised, or null. */
export async function campaignDialog() {
  let templates = [];
  try {
    const r = await api.get('survey-templates', { trigger_on: 'campaign', limit: 100 });
    templates = ((r && r.items) || []).filter((x) => x.active === undefined || x.active === null || Number(x.active) === 1 || x.active === true);
  } catch (err) {
    toast(err.message, 'error', 5000);
    return null;
  }
  if (!templates.length) {
    toast(t('sv.no_campaign_templates'), 'error', 5000);
    return null;
  }
  const field = (name, label, control, required, extra) => {
    const err = h('div', { class: 'field-error', role: 'alert', id: `sv-c-${name}-err` });
    const el = h('div', { class: 'form-item', dataset: { field: name } },
      h('label', { class: 'form-label', for: control.id || null }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }) : null),
      control, extra || null, err);
    return { el, err, control };
  };
  const tplSel = h('select', { id: 'sv-c-template', name: 'template_id' }, templates.map((x) => h('option', { value: String(x.id), text: x.name })));
  const pid0 = currentProject() || (session.projects[0] ? String(session.projects[0].id) : '');
  const projSel = h('select', { id: 'sv-c-project', name: 'project_id' },
    h('option', { value: '', text: t('form.select') }),
    session.projects.map((p) => h('option', { value: String(p.id), text: p.name })));
  projSel.value = pid0;
  const bBox = h('div', { class: 'checks sv-buildings', id: 'sv-c-buildings', role: 'group', 'aria-label': t('sv.buildings') });
  const fTpl = field('template_id', t('sv.template'), tplSel, true);
  const fProj = field('project_id', t('sv.project'), projSel, true);
  const fB = field('building_ids', t('sv.buildings'), bBox, false, h('div', { class: 'field-help', text: t('sv.buildings_help') }));
  const fields = [fTpl, fProj, fB];
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  // How many owners it will reach, before it is sent (a dry run of the same request).
  const preview = h('div', { class: 'sv-campaign-preview', role: 'status', 'aria-live': 'polite', dataset: { part: 'preview' } });
  const request = () => {
    const body = { template_id: Number(tplSel.value), project_id: Number(projSel.value) };
    const ids = [...bBox.querySelectorAll('input[type=checkbox]:checked')].map((x) => Number(x.value));
    if (ids.length) body.building_ids = ids;
    return body;
  };
  let pseq = 0;
  let ptimer = null;
  function refreshPreview() {
    clearTimeout(ptimer);
    const mine = ++pseq;
    if (!projSel.value) { replace(preview); return; }
    ptimer = setTimeout(async () => {
      try {
        const r = await api.post('survey-campaigns', { ...request(), dry_run: true });
        if (mine !== pseq) return;
        const already = Number(r.owners) - Number(r.surveys);
        replace(preview, h('strong', { dataset: { n: r.surveys }, text: t('sv.campaign_preview', { n: r.surveys }) }),
          already > 0 ? h('span', { class: 'muted', text: ` ${t('sv.campaign_preview_already', { m: r.owners, k: already })}` }) : null);
      } catch (e) {
        if (mine === pseq) replace(preview, h('span', { class: 'muted', text: e.message }));
      }
    }, 200);
  }
  bBox.addEventListener('change', refreshPreview);
  tplSel.addEventListener('change', refreshPreview);
  let seq = 0;
  async function loadBuildings() {
    const mine = ++seq;
    const pid = projSel.value;
    refreshPreview();
    if (!pid) { replace(bBox, h('span', { class: 'muted', text: t('sv.pick_project') })); return; }
    replace(bBox, h('span', { class: 'muted', text: t('common.loading') }));
    try {
      const r = await api.get('buildings', { project_id: pid, limit: 200, sort: 'code' });
      if (mine !== seq) return;
      const items = (r && r.items) || [];
      if (!items.length) { replace(bBox, h('span', { class: 'muted', text: t('sv.no_buildings') })); return; }
      replace(bBox, items.map((b) => h('label', { class: 'check', dataset: { building: b.id } },
        h('input', { type: 'checkbox', name: 'building_ids', value: String(b.id) }), h('span', { text: b.name || b.code || `#${b.id}` }))));
    } catch (e) {
      if (mine === seq) replace(bBox, h('span', { class: 'field-error', text: e.message }));
    }
  }
  projSel.addEventListener('change', () => { fProj.err.textContent = ''; fB.err.textContent = ''; loadBuildings(); });
  loadBuildings();
  let raised = null;
  const ok = await modal({
    title: t('sv.campaign'),
    okText: t('sv.campaign_ok'),
    width: '560px',
    className: 'sv-campaign-dialog',
    body: h('div', { class: 'fields-dialog' },
      h('p', { class: 'muted', text: t('sv.campaign_intro') }), banner,
      h('div', { class: 'dialog-fields' }, fields.map((f) => f.el)), preview),
    onOk: async () => {
      banner.hidden = true;
      for (const f of fields) { f.err.textContent = ''; f.el.classList.remove('has-error'); }
      if (!projSel.value) {
        fProj.err.textContent = t('form.required', { label: t('sv.project') });
        fProj.el.classList.add('has-error');
        projSel.focus();
        return false;
      }
      try {
        const r = await api.post('survey-campaigns', request());
        raised = Number((r && r.surveys) || 0);
      } catch (e) {
        const f = fields.find((x) => e.field && (e.field === x.el.dataset.field || e.field.startsWith(`${x.el.dataset.field}`)));
        if (f) { f.err.textContent = e.message; f.el.classList.add('has-error'); } else { banner.textContent = e.message || String(e); banner.hidden = false; }
        return false;
      }
      return true;
    },
  });
  if (!ok) return null;
  if (raised > 0) toast(t('sv.campaign_done', { n: raised }), 'success', 5000);
  else toast(t('sv.campaign_none'), 'info', 5000);
  return raised;
}

// ---- the answer form ---------------------------------------------------------------------------

const SCALE_WORDS = ['sv.s1', 'sv.s2', 'sv.s3', 'sv.s4', 'sv.s5'];

/**
 * A row of buttons that acts as one radio group: arrows move and choose,
 * digits choose directly, Tab enters at the chosen one (roving tabindex).
 */
function buttonGroup({ values, labelOf, className, itemClass, ariaLabel, id, onChange, titleOf }) {
  let cur = null;
  const btns = values.map((v) => h('button', {
    type: 'button', role: 'radio', class: ['sv-opt', itemClass ? itemClass(v) : null], 'aria-checked': 'false', tabindex: -1,
    dataset: { value: v }, title: titleOf ? titleOf(v) : null,
  }, labelOf(v)));
  const group = h('div', { class: ['sv-group', className], role: 'radiogroup', 'aria-label': ariaLabel, id }, btns);
  const paint = () => {
    btns.forEach((b, i) => {
      const on = cur !== null && Number(b.dataset.value) === cur;
      b.classList.toggle('active', on);
      // Stars: every star up to the chosen one is lit.
      b.classList.toggle('lit', cur !== null && Number(b.dataset.value) <= cur);
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on || (cur === null && i === 0) ? 0 : -1;
    });
  };
  const set = (v, focus) => {
    cur = v;
    paint();
    if (focus) { const b = btns.find((x) => Number(x.dataset.value) === v); if (b) b.focus(); }
    if (onChange) onChange(v);
  };
  btns.forEach((b) => b.addEventListener('click', () => set(Number(b.dataset.value), true)));
  group.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const i = btns.indexOf(document.activeElement);
    let next = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') next = Math.min(btns.length - 1, (i < 0 ? -1 : i) + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') next = Math.max(0, (i < 0 ? 1 : i) - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = btns.length - 1;
    else if (/^[0-9]$/.test(e.key)) {
      // "1" then "0" within a moment is 10 on the NPS row.
      let n = Number(e.key);
      if (n === 0 && group.lastDigit === 1 && Date.now() - group.lastAt < 800 && values.includes(10)) n = 10;
      group.lastDigit = Number(e.key);
      group.lastAt = Date.now();
      if (values.includes(n)) { e.preventDefault(); set(n, true); }
      return;
    }
    if (next === null) return;
    e.preventDefault();
    set(Number(btns[next].dataset.value), true);
  });
  paint();
  return { el: group, read: () => cur, set: (v) => set(v, false), focus: () => (btns.find((b) => b.tabIndex === 0) || btns[0]).focus() };
}

function questionControl(q, id, onChange) {
  switch (q.type) {
    case 'scale':
      return buttonGroup({
        id, values: [1, 2, 3, 4, 5], className: 'sv-stars', ariaLabel: q.text, onChange,
        labelOf: (v) => [h('span', { class: 'sv-star', 'aria-hidden': 'true', text: '★' }), h('span', { class: 'sv-star-n', text: String(v) }), h('span', { class: 'sv-star-w', text: t(SCALE_WORDS[v - 1]) })],
        titleOf: (v) => `${v} · ${t(SCALE_WORDS[v - 1])}`,
      });
    case 'nps': {
      const g = buttonGroup({
        id, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], className: 'sv-nps', ariaLabel: q.text, onChange,
        itemClass: (v) => npsClass(v), labelOf: (v) => String(v),
      });
      g.el = h('div', { class: 'sv-nps-wrap' }, g.el,
        h('div', { class: 'sv-nps-ends muted small' }, h('span', { text: t('sv.nps_low') }), h('span', { text: t('sv.nps_high') })));
      return g;
    }
    case 'choice': {
      const name = `${id}-r`;
      const opts = Array.isArray(q.options) ? q.options : [];
      const box = h('div', { class: 'sv-choices', role: 'radiogroup', 'aria-label': q.text, id },
        opts.map((o) => h('label', { class: 'check sv-choice' },
          h('input', { type: 'radio', name, value: String(o), onchange: () => onChange && onChange(String(o)) }), h('span', { text: String(o) }))));
      return {
        el: box,
        read: () => { const c = box.querySelector('input:checked'); return c ? c.value : null; },
        focus: () => { const c = box.querySelector('input:checked') || box.querySelector('input'); if (c) c.focus(); },
      };
    }
    default: {
      const ta = h('textarea', { id, name: q.key, rows: 3, maxlength: 3000, placeholder: t('sv.text_ph') });
      ta.addEventListener('input', () => onChange && onChange(ta.value));
      return { el: ta, read: () => { const s = ta.value.trim(); return s === '' ? null : s; }, focus: () => ta.focus() };
    }
  }
}

function answerText(q, v) {
  if (v === null || v === undefined || v === '') return h('span', { class: 'muted', text: t('sv.no_answer') });
  if (q.type === 'scale') {
    const n = Number(v);
    return h('span', { class: 'sv-stars-ro', title: `${n} / 5`, 'aria-label': `${n} / 5` },
      [1, 2, 3, 4, 5].map((i) => h('span', { class: ['sv-star', i <= n && 'lit'], 'aria-hidden': 'true', text: '★' })),
      h('span', { class: 'sv-ro-n', text: `${n} · ${t(SCALE_WORDS[n - 1] || 'sv.s3')}` }));
  }
  if (q.type === 'nps') return h('span', { class: ['nps-num', 'nps-big', npsClass(Number(v))], text: `${v} / 10` });
  return h('span', { class: 'sv-ro-text', text: String(v) });
}

export async function renderSurvey(main, id, ctx) {
  ctx.setTitle(t('sv.crumb'));
  replace(main, loading());
  let r;
  let tpl;
  try {
    r = await api.get(`survey-responses/${id}`);
    tpl = await api.get(`survey-templates/${r.template_id}`);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderSurvey(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const questions = parseJson(tpl.questions_json, []);
  const answered = r.status === 'answered';
  const answers = parseJson(r.answers_json, {}) || {};

  const facts = h('div', { class: 'sv-facts' },
    h('span', { class: 'sv-fact' }, h('span', { class: 'muted', text: `${t('sv.customer')}：` }), customerLink(r)),
    h('span', { class: 'sv-fact' }, h('span', { class: 'muted', text: `${t('sv.project')}：` }), r.project_name || projectName(r.project_id)),
    h('span', { class: 'sv-fact' }, h('span', { class: 'muted', text: `${t('sv.invited_on')}：` }), h('span', { class: 'mono', text: fmt.date(r.invited_on) })),
    answered ? h('span', { class: 'sv-fact' }, h('span', { class: 'muted', text: `${t('sv.answered_at')}：` }), `${fmt.datetime(r.answered_at)} ${r.recorded_by || ''}`) : null);
  const header = h('div', { class: 'page-head sv-head' },
    h('div', { class: 'head-main' },
      h('h1', { class: 'page-title' }, h('span', { text: tpl.name || r.template_name || t('sv.crumb') }), ' ', stageTag(r.stage), ' ', statusTag(r.status)),
      facts),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('surveys', null, { status: answered ? 'answered' : 'invited' }), text: t('sv.back_queue'), dataset: { action: 'back' } }),
      r.customer_id && can('customer.read') ? h('a', { class: 'btn', href: router.page('360', r.customer_id), text: t('sv.open_360') }) : null));
  const page = h('div', { class: ['page', 'page-survey', answered ? 'is-answered' : 'is-open'], dataset: { id: r.id, status: r.status } });
  replace(main, page);
  page.append(header);

  if (answered) {
    const summary = h('div', { class: 'summary-strip' },
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('sv.satisfaction') }), h('span', { class: 'stat-value', dataset: { stat: 'satisfaction' }, text: `${score5(r.score_avg100)} / 5` })),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: t('sv.nps_col') }), h('span', { class: ['stat-value', npsClass(r.nps === null || r.nps === undefined ? null : Number(r.nps))], dataset: { stat: 'nps' }, text: r.nps === null || r.nps === undefined ? t('common.none') : String(r.nps) })));
    page.append(summary, h('section', { class: 'card sv-card' },
      h('ol', { class: 'sv-questions sv-readonly' }, questions.map((q) => h('li', { class: 'sv-q', dataset: { key: q.key, type: q.type } },
        h('div', { class: 'sv-q-text', text: q.text }),
        h('div', { class: 'sv-q-answer' }, answerText(q, answers[q.key])))))));
    return;
  }

  if (!can('survey.write')) {
    page.append(h('div', { class: 'banner banner-orange', text: t('sv.no_write') }));
    return;
  }

  let dirty = false;
  let saving = false;
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const items = questions.map((q, i) => {
    const cid = nextId('sv-q');
    const err = h('div', { class: 'field-error', id: `${cid}-err`, role: 'alert' });
    let li;
    const ctl = questionControl(q, cid, () => { dirty = true; if (li.classList.contains('has-error')) { err.textContent = ''; li.classList.remove('has-error'); } });
    if (ctl.el.setAttribute) ctl.el.setAttribute('aria-describedby', `${cid}-err`);
    const labelTag = q.type === 'text' || q.type === 'choice' ? 'label' : 'div';
    li = h('li', { class: 'sv-q', dataset: { key: q.key, type: q.type } },
      h(labelTag, { class: 'sv-q-text', for: labelTag === 'label' && q.type === 'text' ? cid : null, id: `${cid}-label` },
        h('span', { class: 'sv-q-no', text: `${i + 1}. ` }), q.text, q.required ? h('span', { class: 'req', title: t('common.required'), text: ' *' }) : null,
        h('span', { class: 'sv-q-kind muted small', text: t(`sv.kind_${q.type}`) })),
      ctl.el, err);
    return { q, ctl, li, err };
  });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', dataset: { action: 'save' }, title: t('common.shortcut_save') },
    t('sv.save'), h('kbd', { class: 'btn-kbd', text: 'Ctrl+Enter' }));
  const form = h('form', { class: 'card sv-card sv-form', novalidate: true },
    h('div', { class: 'muted small sv-hint', text: t('sv.keys_hint') }),
    banner,
    h('ol', { class: 'sv-questions' }, items.map((x) => x.li)),
    h('div', { class: 'form-foot sv-foot' },
      h('span', { class: 'muted small', text: t('sv.req_hint') }),
      h('div', { class: 'form-foot-buttons' }, saveBtn)));
  page.append(form);
  router.setLeaveGuard(() => !dirty || saving || window.confirm(t('form.leave_confirm')));

  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(saveBtn); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (saving) return;
    banner.hidden = true;
    for (const x of items) { x.err.textContent = ''; x.li.classList.remove('has-error'); }
    const out = {};
    for (const x of items) {
      const v = x.ctl.read();
      if (v !== null && v !== undefined) out[x.q.key] = v;
    }
    saving = true;
    setBusy(saveBtn, true, t('common.saving'));
    try {
      await api.post(`survey-responses/${r.id}/answers`, { answers: out });
    } catch (err) {
      saving = false;
      setBusy(saveBtn, false);
      const key = err.field && err.field.startsWith('answers.') ? err.field.slice(8) : null;
      const x = key && items.find((y) => y.q.key === key);
      if (x) {
        x.err.textContent = err.message;
        x.li.classList.add('has-error');
        x.li.scrollIntoView({ block: 'center' });
        x.ctl.focus();
      } else {
        banner.textContent = err.message || String(err);
        banner.hidden = false;
      }
      return;
    }
    dirty = false;
    router.setLeaveGuard(null);
    toast(t('sv.saved'), 'success');
    if (ctx.isCurrent()) await renderSurvey(main, id, ctx);
  });
  // The shell focuses the page after rendering it: take the focus to the first question after that.
  setTimeout(() => {
    const a = document.activeElement;
    if (items.length && page.isConnected && (!a || a === document.body || a === main)) items[0].ctl.focus();
  }, 0);
}

// ---- 满意度统计 -------------------------------------------------------------------------------------

export function summarize(rows) {
  const s = { invited: 0, answered: 0, scored: 0, scoreSum: 0, promoters: 0, passives: 0, detractors: 0 };
  for (const r of rows) {
    s.invited += Number(r.invited || 0);
    s.answered += Number(r.answered || 0);
    s.promoters += Number(r.promoters || 0);
    s.passives += Number(r.passives || 0);
    s.detractors += Number(r.detractors || 0);
    const sc = Number(r.scored ?? r.answered ?? 0);
    if (r.satisfaction_avg100 !== null && r.satisfaction_avg100 !== undefined && sc > 0) {
      s.scored += sc;
      s.scoreSum += Number(r.satisfaction_avg100) * sc;
    }
  }
  const np = s.promoters + s.passives + s.detractors;
  return {
    ...s,
    satisfaction100: s.scored ? Math.round(s.scoreSum / s.scored) : null,
    nps100: np ? Math.trunc(((s.promoters - s.detractors) * 10000) / np) : null,
    rate: s.invited ? (s.answered * 100) / s.invited : null,
  };
}

export async function renderSurveyReport(main, query, ctx) {
  ctx.setTitle(t('sv.report'));
  let group = GROUPS.includes(query.get('group')) ? query.get('group') : 'month';
  let from = fmt.isValidDate(query.get('from')) ? query.get('from') : '';
  let to = fmt.isValidDate(query.get('to')) ? query.get('to') : '';
  const groupSeg = h('div', { class: 'seg', role: 'group', 'aria-label': t('sv.group') }, GROUPS.map((g) => h('button', {
    type: 'button', class: ['seg-btn', g === group && 'active'], dataset: { group: g }, 'aria-pressed': String(g === group), text: t(`sv.by_${g}`),
    onclick: () => { group = g; load(); },
  })));
  const fromIn = h('input', { type: 'date', id: 'sr-from', name: 'from', value: from });
  const toIn = h('input', { type: 'date', id: 'sr-to', name: 'to', value: to });
  const form = h('form', { class: 'filter-bar', novalidate: true },
    h('div', { class: 'filter-row' },
      h('div', { class: 'filter-item' }, h('span', { class: 'filter-label', text: t('sv.group') }), groupSeg),
      h('div', { class: 'filter-item' }, h('label', { class: 'filter-label', for: 'sr-from', text: t('sv.period') }),
        h('div', { class: 'range range-date' }, fromIn, h('span', { class: 'range-sep', text: '~' }), toIn)),
      h('div', { class: 'filter-buttons' },
        h('button', { class: 'btn btn-primary', type: 'submit', text: t('list.query') }),
        h('button', { class: 'btn', type: 'button', text: t('sv.all_time'), onclick: () => { fromIn.value = ''; toIn.value = ''; form.requestSubmit(); } }))));
  const exportBtn = h('button', { class: 'btn', type: 'button', dataset: { action: 'export' }, text: t('list.export') });
  exportBtn.addEventListener('click', async () => {
    setBusy(exportBtn, true, t('list.exporting'));
    try {
      const r = await api.download('surveys/report.xlsx', params(), `满意度统计-${fmt.today()}.xlsx`);
      toast(t('list.exported', { name: r.name }), 'success');
    } catch (err) {
      toast(err.message, 'error', 5000);
    } finally {
      setBusy(exportBtn, false);
    }
  });
  const header = h('div', { class: 'page-head' },
    h('div', { class: 'head-main' }, h('h1', { class: 'page-title', text: t('sv.report') }), h('div', { class: 'muted small', text: t('sv.report_sub') })),
    h('div', { class: 'page-actions' },
      h('a', { class: 'btn', href: router.page('surveys'), text: t('sv.queue') }),
      can('survey.admin') ? h('button', { class: 'btn', type: 'button', dataset: { action: 'campaign' }, text: t('sv.campaign'), onclick: () => campaignDialog().then((n) => { if (n) load(); }) }) : null,
      exportBtn));
  const body = h('div', { class: 'report-body' });
  const page = h('div', { class: 'page page-survey-report', dataset: { group } }, header, form, body);
  replace(main, page);

  function params() {
    return { group, project_id: currentProject(), from, to };
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ok = (!fromIn.value || fmt.isValidDate(fromIn.value)) && (!toIn.value || fmt.isValidDate(toIn.value))
      && (!fromIn.value || !toIn.value || fromIn.value <= toIn.value);
    fromIn.classList.toggle('invalid', !ok);
    toIn.classList.toggle('invalid', !ok);
    if (!ok) { toast(t('cr.bad_range'), 'error'); return; }
    from = fromIn.value;
    to = toIn.value;
    load();
  });

  async function load() {
    const q = { group };
    if (from) q.from = from;
    if (to) q.to = to;
    router.replaceQuiet(router.page('surveys/report', null, q));
    page.dataset.group = group;
    for (const b of groupSeg.children) { const on = b.dataset.group === group; b.classList.toggle('active', on); b.setAttribute('aria-pressed', String(on)); }
    page.setAttribute('aria-busy', 'true');
    replace(body, loading());
    let d;
    try {
      d = await api.get('surveys/report', params());
    } catch (err) {
      if (page.isConnected) replace(body, errorState(err, load));
      page.removeAttribute('aria-busy');
      return;
    }
    if (!page.isConnected) return;
    paint((d && d.rows) || []);
    page.removeAttribute('aria-busy');
  }

  function paint(rows) {
    const label = (r) => (group === 'stage' ? stageLabel(r.key) : (r.label || String(r.key ?? '')));
    const tot = summarize(rows);
    const pid = currentProject();
    const stat = (key, lbl, value, cls) => h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: lbl }), h('span', { class: ['stat-value', cls], dataset: { stat: key }, text: value }));
    const summary = h('div', { class: 'summary-strip' },
      stat('invited', t('sv.invited'), fmt.integer(tot.invited)),
      stat('answered', t('sv.answered'), fmt.integer(tot.answered)),
      stat('rate', t('sv.rate'), tot.rate === null ? t('common.none') : `${tot.rate.toFixed(1)}%`),
      stat('satisfaction', t('sv.satisfaction'), tot.satisfaction100 === null ? t('common.none') : `${score5(tot.satisfaction100)} / 5`),
      stat('nps', 'NPS', npsText(tot.nps100), tot.nps100 !== null && tot.nps100 < 0 ? 'danger' : null),
      pid ? h('span', { class: 'chip', text: t('list.project_filtered', { name: projectName(pid) }) }) : null);
    if (!rows.length) {
      replace(body, summary, h('div', { class: 'card' }, h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'empty-text', text: t('sv.report_empty') }))));
      return;
    }
    const cats = rows.map(label);
    const chart = chartBox({
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: [
        { type: 'value', name: t('sv.satisfaction_axis'), nameTextStyle: { align: 'left' }, min: 0, max: 5, interval: 1 },
        { type: 'value', name: 'NPS', nameTextStyle: { align: 'right' }, min: -100, max: 100, interval: 50, splitLine: { show: false } },
      ],
      series: [
        {
          type: 'bar', name: t('sv.satisfaction'), data: rows.map((r) => (r.satisfaction_avg100 === null || r.satisfaction_avg100 === undefined ? null : Number(r.satisfaction_avg100) / 100)),
          barMaxWidth: 28, itemStyle: { color: '#95de64' }, label: { show: true, position: 'insideTop', color: '#135200', formatter: (p) => (p.value === null || p.value === undefined ? '' : Number(p.value).toFixed(2)) },
        },
        {
          type: 'line', name: 'NPS', yAxisIndex: 1, data: rows.map((r) => (r.nps100 === null || r.nps100 === undefined ? null : Number(r.nps100) / 100)),
          connectNulls: true, symbolSize: 8, itemStyle: { color: '#1677ff' }, label: { show: true, position: 'top', formatter: (p) => (p.value === null || p.value === undefined ? '' : Number(p.value).toFixed(1)) },
        },
      ],
    }, { height: 300, label: t('sv.chart') });
    const heads = [[t(`sv.by_${group}`)], [t('sv.invited'), 'num'], [t('sv.answered'), 'num'], [t('sv.rate'), 'num'], [t('sv.satisfaction'), 'num'],
      [t('sv.promoters'), 'num'], [t('sv.passives'), 'num'], [t('sv.detractors'), 'num'], ['NPS', 'num']];
    const cells = (r, lbl) => [
      h('td', { text: lbl }),
      h('td', { class: 'num', dataset: { col: 'invited' }, text: fmt.integer(Number(r.invited || 0)) }),
      h('td', { class: 'num', dataset: { col: 'answered' }, text: fmt.integer(Number(r.answered || 0)) }),
      h('td', { class: 'num', dataset: { col: 'rate' }, text: Number(r.invited) ? `${((Number(r.answered || 0) * 100) / Number(r.invited)).toFixed(1)}%` : t('common.none') }),
      h('td', { class: 'num', dataset: { col: 'satisfaction' }, text: score5(r.satisfaction_avg100) }),
      h('td', { class: 'num', text: fmt.integer(Number(r.promoters || 0)) }),
      h('td', { class: 'num', text: fmt.integer(Number(r.passives || 0)) }),
      h('td', { class: 'num', text: fmt.integer(Number(r.detractors || 0)) }),
      h('td', { class: 'num', dataset: { col: 'nps' }, text: npsText(r.nps100) }),
    ];
    const table = h('div', { class: 'table-wrap table-static' }, h('table', { class: 'data-table plain-table sv-report-table' },
      h('thead', null, h('tr', null, heads.map(([text, c]) => h('th', { class: c || null, text })))),
      h('tbody', null, rows.map((r) => h('tr', { dataset: { key: r.key ?? '' } }, cells(r, label(r))))),
      h('tfoot', null, h('tr', { dataset: { key: 'total' } }, cells({
        invited: tot.invited, answered: tot.answered, satisfaction_avg100: tot.satisfaction100, promoters: tot.promoters, passives: tot.passives, detractors: tot.detractors, nps100: tot.nps100,
      }, t('od.total'))))));
    replace(body, summary,
      h('section', { class: 'card chart-card', dataset: { part: 'chart' } }, h('h2', { class: 'card-title', text: t('sv.chart') }), chart,
        h('div', { class: 'muted small sv-note', text: t('sv.nps_note') }), table));
  }

  await load();
}
