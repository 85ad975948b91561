// One mortgage loan (#/loan/{id}): the stage stepper (资料收集 → 已面签 →
// 审批中 → 已批贷 → 已放款, or 被拒 in red), the next stage as a button, the
// bank's missing papers, follow-ups, and the contract it belongs to. Also the
// 新建贷款 dialog the contract page opens.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { can } from './session.js';
import { enumField, enumLabel } from './meta.js';
import { loading, errorState, toast, tag, enumTag, setBusy } from './ui.js';
import { inputField, readFields, showApiError, fieldsDialog, headFact, descItem } from './widgets.js';

export const STAGES = ['collecting', 'signed', 'reviewing', 'approved', 'disbursed'];

export async function renderLoan(main, id, ctx) {
  replace(main, loading());
  let loan;
  try {
    [loan] = await Promise.all([
      api.get(`loans/${encodeURIComponent(id)}/full`),
      enumField.ready('loans', 'stage'),
      enumField.ready('loans', 'loan_type'),
    ]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderLoan(main, id, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const write = can('loan.write');
  let followDraft = null; // typed follow-up kept over a repaint

  const set = (l) => {
    loan = l;
    paint();
  };

  function paint() {
    const top = main.scrollTop;
    const l = loan;
    const stageF = enumField('loans', 'stage');
    ctx.setTitle(`${t('ln.title')} ${l.contract_no || ''}`);
    const idx = STAGES.indexOf(l.stage);
    const open = l.stage !== 'refused' && l.stage !== 'disbursed';

    // ---- actions --------------------------------------------------------------------
    const bar = h('div', { class: 'page-actions' });
    if (can('contract.read')) bar.append(h('a', { class: 'btn', href: router.page('contract', l.contract_id), text: t('ln.contract'), dataset: { link: 'contract' } }));
    if (write && open) {
      bar.append(h('button', { class: 'btn btn-danger-ghost', type: 'button', text: enumLabel('loans', 'stage', 'refused'), dataset: { action: 'refuse' }, onclick: () => refuseDialog(l) }));
      const next = STAGES[idx + 1];
      if (next) {
        bar.append(h('button', {
          class: 'btn btn-primary', type: 'button', text: t('ln.to_stage', { stage: enumLabel('loans', 'stage', next) }),
          dataset: { action: 'stage', stage: next }, onclick: () => stageDialog(l, next),
        }));
      }
    }

    const header = h('div', { class: 'page-head detail-head approval-head' },
      h('div', { class: 'head-main' },
        h('a', { class: 'back-link', href: router.href('list', 'loans'), text: `‹ ${t('ln.list')}` }),
        h('h1', { class: 'page-title' },
          h('span', { class: 'record-title', text: `${t('ln.title')} · ${l.room_code || ''}` }),
          enumTag(stageF, l.stage),
          h('span', { class: 'muted title-sub mono', text: l.contract_no || '' })),
        h('div', { class: 'head-facts' },
          headFact(t('ct.buyers'), l.buyer_names || '', 'buyers'),
          headFact(t('ln.type'), enumLabel('loans', 'loan_type', l.loan_type), 'type'),
          headFact(t('ln.bank'), [l.bank_name, l.branch_name].filter(Boolean).join(' · '), 'bank'),
          headFact(t('ln.amount'), h('span', { class: 'amount', text: fmt.money(l.amount_fen) }), 'amount'),
          Number(l.disbursed_fen) ? headFact(t('ln.disbursed'), `${fmt.money(l.disbursed_fen)}（${l.disbursed_on || ''}）`, 'disbursed') : null,
          headFact(t('ln.project'), l.project_name || '', 'project'))),
      bar);

    const banner = l.stage === 'refused'
      ? h('div', { class: 'banner banner-red', role: 'note', dataset: { banner: 'refused' } }, h('strong', { text: t('ln.refused_on', { date: l.stage_since || '' }) }), h('span', { text: l.refuse_reason || '' }))
      : null;

    // ---- stepper -----------------------------------------------------------------------
    const lastOn = new Map();
    for (const s of l.stages || []) lastOn.set(s.stage, s.on_date);
    const reached = l.stage === 'refused'
      ? Math.max(-1, ...STAGES.map((s, i) => (lastOn.has(s) ? i : -1)))
      : idx;
    const steps = [];
    STAGES.forEach((s, i) => {
      let st = i < reached || (i === reached && l.stage === 'disbursed') ? 'done' : i === reached ? 'current' : 'wait';
      if (l.stage === 'refused' && i === reached) st = 'done';
      steps.push([s, st, lastOn.get(s) || '']);
      if (l.stage === 'refused' && i === reached) steps.push(['refused', 'error', l.stage_since || '']);
    });
    if (l.stage === 'refused' && reached < 0) steps.unshift(['refused', 'error', l.stage_since || '']);
    const errAt = steps.findIndex((x) => x[1] === 'error');
    const stepper = h('ol', { class: 'hsteps', dataset: { stage: l.stage } }, steps.map(([s, st, on], i) => h('li', { class: ['hstep', st, errAt >= 0 && i > errAt && 'after-error'], dataset: { stage: s, state: st } },
      h('span', { class: 'hstep-dot', 'aria-hidden': 'true', text: st === 'done' ? '' : st === 'error' ? '!' : String(STAGES.indexOf(s) + 1) }),
      h('div', { class: 'hstep-body' },
        h('span', { class: 'hstep-name', text: enumLabel('loans', 'stage', s) }),
        h('span', { class: 'hstep-date', text: st === 'wait' ? '' : on })))));

    // ---- info ------------------------------------------------------------------------
    const hasC = l.loan_type !== 'provident';
    const hasP = l.loan_type !== 'commercial';
    const months = (n) => (n ? t('ln.months_n', { n, y: Number(n) % 12 === 0 ? t('ln.years_n', { n: Number(n) / 12 }) : '' }) : null);
    const info = h('dl', { class: 'desc-grid' },
      hasC ? descItem(t('ln.c_amount'), fmt.money(l.commercial_fen), 'commercial_fen') : null,
      hasC ? descItem(t('ln.c_rate'), `${fmt.percentText(l.commercial_rate)} · ${months(l.commercial_months) || ''}`, 'commercial_rate') : null,
      hasP ? descItem(t('ln.p_amount'), fmt.money(l.provident_fen), 'provident_fen') : null,
      hasP ? descItem(t('ln.p_rate'), `${fmt.percentText(l.provident_rate)} · ${months(l.provident_months) || ''}`, 'provident_rate') : null,
      descItem(t('ln.stage_since'), l.stage_since, 'stage_since'),
      descItem(t('ln.next_action'), l.next_action ? `${l.next_action}${l.next_action_on ? `（${l.next_action_on}）` : ''}` : null, 'next_action'),
      descItem(t('ln.created_at'), fmt.datetime(l.created_at), 'created_at'),
      l.refuse_reason ? descItem(t('ln.refuse_reason'), l.refuse_reason, 'refuse_reason') : null);

    // ---- documents -----------------------------------------------------------------------
    const docs = l.documents || [];
    const missing = docs.filter((d) => d.status === 'missing').length;
    const docList = h('ul', { class: 'doc-list loan-docs' }, docs.map((d) => {
      const seg = write ? h('div', { class: 'seg doc-seg', role: 'group', 'aria-label': d.doc_name },
        [['received', t('ct.doc_set_received')], ['missing', t('ct.doc_set_missing')]].map(([v, label]) => h('button', {
          type: 'button', class: ['seg-btn', d.status === v && 'active', `seg-${v}`], 'aria-pressed': String(d.status === v), text: label, dataset: { set: v },
          onclick: async (e) => {
            if (d.status === v) return;
            e.currentTarget.disabled = true;
            try {
              set(await api.post(`loans/${l.id}/documents/${d.id}`, { status: v }));
            } catch (err) {
              toast(err.message, 'error', 5000);
              e.currentTarget.disabled = false;
            }
          },
        }))) : null;
      return h('li', { class: ['doc-row', `doc-${d.status}`], dataset: { doc: d.id, status: d.status } },
        h('span', { class: 'doc-name', text: d.doc_name }),
        h('span', { title: d.status === 'received' && d.updated_at ? fmt.datetime(d.updated_at) : null },
          tag(d.status === 'received' ? t('ct.doc_received') : t('ct.doc_missing'), d.status === 'received' ? 'green' : 'red')),
        seg);
    }));
    const docsCard = h('section', { class: 'card', dataset: { part: 'documents' } },
      h('h2', { class: 'card-title' }, t('ln.docs'), h('span', { class: ['count', missing && 'count-warn'], text: missing ? t('ln.docs_missing', { n: missing }) : t('ln.docs_complete') })),
      docs.length ? docList : h('div', { class: 'muted empty-small', text: t('ln.docs_none') }));

    // ---- follow-ups -------------------------------------------------------------------------
    const fNote = inputField({ name: 'note', label: t('ln.f_note'), type: 'textarea', required: true, rows: 2, maxlen: 1000, wide: true, value: followDraft ? followDraft.note : '' });
    const fNext = inputField({ name: 'next_action', label: t('ln.f_next'), maxlen: 200, placeholder: t('ln.f_next_ph'), value: followDraft ? followDraft.next : '' });
    const fOn = inputField({ name: 'next_action_on', label: t('ln.f_next_on'), type: 'date', value: followDraft ? followDraft.on : '' });
    const fFields = [fNote, fNext, fOn];
    const fBtn = h('button', { class: 'btn btn-primary', type: 'submit', text: t('ln.f_add'), dataset: { action: 'add-followup' } });
    const fForm = write ? h('form', { class: 'followup-form', novalidate: true },
      h('div', { class: 'form-grid' }, fFields.map((f) => f.el)),
      h('div', { class: 'form-foot-buttons right' }, fBtn)) : null;
    if (fForm) {
      const keep = () => { followDraft = { note: fNote.input.value, next: fNext.input.value, on: fOn.input.value }; };
      fForm.addEventListener('input', keep);
      const submit = async () => {
        const { values, bad } = readFields(fFields);
        if (values.next_action && !values.next_action_on) { fOn.setError(t('ln.f_need_date')); fOn.focus(); return; }
        if (bad) { bad.focus(); return; }
        setBusy(fBtn, true, t('common.saving'));
        try {
          const l2 = await api.post(`loans/${l.id}/followups`, values);
          followDraft = null;
          toast(t('ln.f_added'), 'success');
          set(l2);
        } catch (e) {
          if (!showApiError(fFields, e)) toast(e.message, 'error', 5000);
          setBusy(fBtn, false);
        }
      };
      fForm.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
      fForm.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); } });
    }
    const follow = l.followups || [];
    const followCard = h('section', { class: 'card', dataset: { part: 'followups' } },
      h('h2', { class: 'card-title' }, t('ln.followups'), h('span', { class: 'count', text: String(follow.length) })),
      fForm,
      follow.length ? h('ol', { class: 'timeline followup-list' }, follow.map((f) => h('li', { class: 'timeline-item' },
        h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
        h('div', { class: 'timeline-content' },
          h('div', { class: 'timeline-head' }, h('span', { class: 'timeline-who', title: f.username || '', text: f.user_name || f.username || '' }), h('time', { class: 'muted small', text: fmt.datetime(f.at) })),
          h('div', { class: 'pre-wrap followup-note', text: f.note || '' }),
          f.next_action ? h('div', { class: 'small followup-next' }, h('span', { class: 'muted', text: `${t('ln.f_next')}：` }), f.next_action, f.next_action_on ? h('span', { class: 'muted', text: `（${f.next_action_on}）` }) : null) : null))))
        : h('div', { class: 'muted empty-small', text: t('ln.f_none') }));

    // ---- side: stage history ------------------------------------------------------------------
    const hist = (l.stages || []).slice().reverse();
    const side = h('aside', { class: 'detail-side' },
      h('section', { class: 'card history', dataset: { part: 'stages' } },
        h('h2', { class: 'card-title', text: t('ln.stage_history') }),
        hist.length ? h('ol', { class: 'timeline c360-timeline' }, hist.map((s) => h('li', { class: ['timeline-item', s.stage === 'refused' ? 'dot-red' : s.stage === 'disbursed' ? 'dot-green' : 'dot-blue'] },
          h('div', { class: 'timeline-dot', 'aria-hidden': 'true' }),
          h('div', { class: 'timeline-content' },
            h('div', { class: 'timeline-head' }, h('span', { class: 'timeline-action', text: enumLabel('loans', 'stage', s.stage) })),
            h('div', { class: 'timeline-meta' }, h('time', { class: 'timeline-time', text: s.on_date || '' }), h('span', { class: 'timeline-who', title: s.username || '', text: s.user_name || s.username || '' })),
            s.note ? h('div', { class: 'timeline-note', text: s.note }) : null))))
          : h('div', { class: 'muted empty-small', text: t('detail.history_empty') })));

    replace(main, h('div', { class: 'page page-detail page-loan', dataset: { id: l.id, stage: l.stage } },
      header, banner,
      h('section', { class: 'card steps-card', dataset: { part: 'stepper' } }, stepper),
      h('div', { class: 'detail-body' },
        h('div', { class: 'detail-main' },
          h('section', { class: 'card', dataset: { part: 'info' } }, h('h2', { class: 'card-title', text: t('ln.info') }), info),
          docsCard, followCard),
        side)));
    main.scrollTop = top;
  }

  function stageDialog(l, next) {
    const fields = [inputField({ name: 'on', label: t('ln.on'), type: 'date', required: true, value: fmt.today(), help: t('ln.on_help', { date: l.stage_since || '' }) })];
    if (next === 'disbursed') {
      fields.unshift(inputField({
        name: 'disbursed', api: 'disbursed_fen', label: t('ln.disbursed_amount'), type: 'money', prefix: '¥', required: true,
        value: fmt.hundredthsToInput(l.amount_fen), help: t('ln.disbursed_help', { amount: fmt.money(l.amount_fen) }),
      }));
    }
    return fieldsDialog({
      title: t('ln.to_stage', { stage: enumLabel('loans', 'stage', next) }),
      intro: t('ln.stage_intro', { from: enumLabel('loans', 'stage', l.stage), to: enumLabel('loans', 'stage', next) }),
      fields,
      okText: t('common.ok'),
      submit: async (v) => {
        const l2 = await api.post(`loans/${l.id}/stage`, { stage: next, ...v });
        toast(t('ln.moved', { stage: enumLabel('loans', 'stage', next) }), 'success');
        set(l2);
      },
    });
  }

  function refuseDialog(l) {
    return fieldsDialog({
      title: t('ln.refuse_title'),
      intro: t('ln.refuse_intro'),
      danger: true,
      fields: [
        inputField({ name: 'reason', label: t('ln.refuse_reason'), type: 'textarea', required: true, maxlen: 500 }),
        inputField({ name: 'on', label: t('ln.on'), type: 'date', required: true, value: fmt.today() }),
      ],
      okText: t('ln.refuse_ok'),
      submit: async (v) => {
        const l2 = await api.post(`loans/${l.id}/stage`, { stage: 'refused', ...v });
        toast(t('ln.refused'), 'success');
        set(l2);
      },
    });
  }

  paint();
}

// ---- 新建贷款 --------------------------------------------------------------------------------

const TYPE_OF_METHOD = { commercial_loan: 'commercial', provident_loan: 'provident', combined: 'combined' };

/**
 * The new-loan dialog for a contract; resolves with the created loan (or null).
 * suggestedFen: the loan receivable, else 70% of the price in whole ¥10,000.
 */
export async function newLoanDialog(c, { suggestedFen } = {}) {
  let banks = [];
  try {
    banks = ((await api.get('banks', { limit: 200, sort: 'id' })).items) || [];
  } catch (e) {
    toast(e.message, 'error', 5000);
    return null;
  }
  const type0 = TYPE_OF_METHOD[c.payment_method] || 'commercial';
  const suggested = suggestedFen || Math.floor((Number(c.total_price_fen) * 0.7) / 1000000) * 1000000;
  const bankFor = (type) => {
    const b = banks.find((x) => (type === 'provident' ? x.kind === 'provident' : x.kind !== 'provident'));
    return b ? b.id : (banks[0] && banks[0].id);
  };
  const branchSel = h('select', { name: 'branch_id' }, h('option', { value: '', text: t('ln.branch_none') }));
  const branch = inputField({
    name: 'branch_id', label: t('ln.branch'), type: 'element', el: branchSel,
    read: () => (branchSel.value ? { value: Number(branchSel.value) } : { empty: true }),
  });
  const loadBranches = async (bankId) => {
    replace(branchSel, h('option', { value: '', text: t('ln.branch_none') }));
    if (!bankId) return;
    try {
      const r = await api.get('bank-branches', { bank_id: bankId, limit: 200 });
      for (const x of (r && r.items) || []) branchSel.append(h('option', { value: String(x.id), text: x.name || `#${x.id}` }));
    } catch { /* no branches to offer */ }
  };
  const bank = inputField({
    name: 'bank_id', label: t('ln.bank'), type: 'select', required: true, value: bankFor(type0),
    options: banks.map((b) => ({ value: b.id, label: b.name })),
    parse: (s) => ({ value: Number(s) }),
  });
  bank.input.addEventListener('change', () => loadBranches(bank.input.value));
  const cAmount = inputField({ name: 'c_amount', api: 'commercial_fen', label: t('ln.c_amount'), type: 'money', prefix: '¥', required: true, value: type0 !== 'provident' ? fmt.hundredthsToInput(suggested) : '', class: 'part-c' });
  const cRate = inputField({ name: 'c_rate', api: 'commercial_rate', label: t('ln.c_rate_pct'), type: 'rate', suffix: '%', required: true, value: '3.1', class: 'part-c' });
  const cMonths = inputField({ name: 'c_months', api: 'commercial_months', label: t('ln.c_months'), type: 'int', suffix: t('ln.month_unit'), required: true, value: '360', help: t('ln.months_help'), class: 'part-c' });
  const pAmount = inputField({ name: 'p_amount', api: 'provident_fen', label: t('ln.p_amount'), type: 'money', prefix: '¥', required: true, value: type0 === 'provident' ? fmt.hundredthsToInput(suggested) : '', class: 'part-p' });
  const pRate = inputField({ name: 'p_rate', api: 'provident_rate', label: t('ln.p_rate_pct'), type: 'rate', suffix: '%', required: true, value: '2.6', class: 'part-p' });
  const pMonths = inputField({ name: 'p_months', api: 'provident_months', label: t('ln.p_months'), type: 'int', suffix: t('ln.month_unit'), required: true, value: '360', help: t('ln.months_help'), class: 'part-p' });
  const cParts = [cAmount, cRate, cMonths];
  const pParts = [pAmount, pRate, pMonths];
  const totalEl = h('span', { class: 'loan-total' });
  const refreshTotal = () => {
    const sum = [cAmount, pAmount].filter((f) => !f.el.hidden).reduce((a, f) => a + (fmt.parseYuan(f.input.value) || 0), 0);
    totalEl.textContent = t('ln.total_is', { amount: fmt.money(sum), price: fmt.money(c.total_price_fen) });
  };
  cAmount.input.addEventListener('input', refreshTotal);
  pAmount.input.addEventListener('input', refreshTotal);
  const showParts = (type) => {
    cParts.forEach((f) => { f.el.hidden = type === 'provident'; });
    pParts.forEach((f) => { f.el.hidden = type === 'commercial'; });
    refreshTotal();
  };
  const type = inputField({
    name: 'loan_type', label: t('ln.type'), type: 'seg', value: type0, wide: true,
    options: ['commercial', 'provident', 'combined'].map((v) => ({ value: v, label: enumLabel('loans', 'loan_type', v) })),
    onChange: (v) => {
      showParts(v);
      bank.input.value = String(bankFor(v) ?? '');
      loadBranches(bank.input.value);
    },
  });
  showParts(type0);
  loadBranches(bank.input.value);
  let created = null;
  const facts = h('div', { class: 'dialog-facts' },
    headFact(t('ct.no'), c.no, 'no'), headFact(t('ct.unit'), c.room_code || '', 'unit'),
    headFact(t('ct.total'), fmt.money(c.total_price_fen), 'total'), headFact(t('ct.payment'), enumLabel('contracts', 'payment_method', c.payment_method), 'payment'));
  await fieldsDialog({
    title: t('ln.new'),
    extra: [facts, h('div', { class: 'muted small loan-total-row' }, totalEl)],
    fields: [type, bank, branch, ...cParts, ...pParts],
    grid: true,
    width: '640px',
    okText: t('ln.create'),
    submit: async (v) => {
      created = await api.post('loans', { contract_id: c.id, ...v });
      toast(t('ln.created'), 'success');
    },
  });
  return created;
}
