// 认购 (#/contract/new?unit={id}): a free unit is subscribed — buyers found by
// the phone-call search with their shares, the price (the list price to
// start with), deposit, payment method, delivery deadline and the contract's
// penalty rates — then POST /contracts and on to the contract page.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { enumField, enumLabel } from './meta.js';
import { loading, errorState, toast, enumTag, setBusy } from './ui.js';
import { inputField, readFields, showApiError, buyersEditor, headFact } from './widgets.js';

export async function renderSubscribe(main, query, ctx) {
  replace(main, loading());
  const unitId = query.get('unit');
  if (!/^\d{1,18}$/.test(unitId || '')) {
    replace(main, errorState({ status: 400, message: t('sub.no_unit') }));
    return;
  }
  let unit;
  try {
    [unit] = await Promise.all([
      api.get(`units/${encodeURIComponent(unitId)}`),
      enumField.ready('contracts', 'payment_method'),
      enumField.ready('units', 'status'),
    ]);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, errorState(err, () => renderSubscribe(main, query, ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`${t('sub.title')} ${unit.room_code}`);
  const back = unit.building_id ? router.page('grid', unit.building_id) : router.href('view', 'units', unit.id);

  const buyers = buyersEditor({ id: 'sub-buyer-search' });
  const methodF = enumField('contracts', 'payment_method');
  const fields = [
    inputField({ name: 'buyers', label: t('sub.buyers'), type: 'element', required: true, el: buyers.el, read: () => buyers.read(), wide: true, help: t('sub.buyers_help') }),
    inputField({ name: 'price', api: 'total_price_fen', label: t('sub.price'), type: 'money', prefix: '¥', required: true, value: unit.list_price_fen ? fmt.hundredthsToInput(unit.list_price_fen) : '', help: unit.list_price_fen ? t('sub.price_help', { price: fmt.money(unit.list_price_fen) }) : null }),
    inputField({ name: 'deposit', api: 'deposit_fen', label: t('sub.deposit'), type: 'money', prefix: '¥', value: '50000.00', help: t('sub.deposit_help') }),
    inputField({
      name: 'payment_method', label: t('ct.payment'), type: 'select', required: true, value: 'commercial_loan', placeholder: false,
      options: (methodF.options || []).map((o) => ({ value: o.value, label: enumLabel('contracts', 'payment_method', o.value) })),
    }),
    inputField({ name: 'subscribed_on', label: t('ct.subscribed_on'), type: 'date', required: true, value: fmt.today() }),
    inputField({ name: 'delivery_deadline', label: t('ct.delivery_deadline'), type: 'date', help: t('sub.delivery_help') }),
    inputField({ name: 'presale_permit', label: t('ct.presale_permit'), maxlen: 100, placeholder: t('sub.permit_ph') }),
    inputField({ name: 'late_delivery_rate', label: t('sub.late_delivery_rate'), type: 'rate', prefix: t('sub.per_10000'), suffix: t('sub.per_day'), value: '2', required: true }),
    inputField({ name: 'late_delivery_grace_days', label: t('sub.late_delivery_grace'), type: 'int', suffix: t('wk.days'), value: '90', required: true }),
    inputField({ name: 'late_payment_rate', label: t('sub.late_payment_rate'), type: 'rate', prefix: t('sub.per_10000'), suffix: t('sub.per_day'), value: '2', required: true }),
    inputField({ name: 'late_payment_grace_days', label: t('sub.late_payment_grace'), type: 'int', suffix: t('wk.days'), value: '90', required: true }),
    inputField({ name: 'certificate_days', label: t('ct.certificate_days'), type: 'int', suffix: t('wk.days'), value: '365', help: t('sub.cert_help') }),
    inputField({ name: 'note', label: t('ct.note'), type: 'textarea', maxlen: 2000, wide: true }),
  ];
  // The rates read as the contract says them (万分之二).
  for (const name of ['late_delivery_rate', 'late_payment_rate']) {
    const f = fields.find((x) => x.spec.name === name);
    const say = h('div', { class: 'field-help rate-say' });
    const upd = () => { say.textContent = /^\d{1,3}(\.\d{1,4})?$/.test(f.input.value.trim()) ? `${fmt.perTenThousand(f.input.value.trim())}${t('ct.per_day')}` : ''; };
    f.input.addEventListener('input', upd);
    upd();
    f.el.insertBefore(say, f.el.lastChild);
  }
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', text: t('sub.submit'), dataset: { action: 'subscribe' } });
  const unitFacts = h('div', { class: 'head-facts' },
    headFact(t('sub.project'), unit.project_name || '', 'project'),
    headFact(t('sub.building'), unit.building_name || '', 'building'),
    headFact(t('c360.layout'), unit.layout || '', 'layout'),
    headFact(t('c360.area'), unit.contract_area_dm2 ? fmt.area(unit.contract_area_dm2) : '', 'area'),
    headFact(t('c360.price'), unit.list_price_fen ? fmt.money(unit.list_price_fen) : '', 'price'));
  const form = h('form', { class: 'entity-form subscribe-form', novalidate: true },
    unit.status !== 'unsold' ? h('div', { class: 'banner banner-orange', text: t('sub.not_free') }) : null,
    banner,
    h('section', { class: 'card form-card' },
      h('h2', { class: 'card-title', text: t('sub.buyers_title') }),
      h('div', { class: 'form-grid' }, fields[0].el)),
    h('section', { class: 'card form-card' },
      h('h2', { class: 'card-title', text: t('sub.terms_title') }),
      h('div', { class: 'form-grid form-grid-3' }, fields.slice(1).map((f) => f.el))),
    h('div', { class: 'form-foot' },
      h('span', { class: 'muted small', text: t('common.shortcut_save') }),
      h('div', { class: 'form-foot-buttons' },
        h('a', { class: 'btn', href: back, text: t('common.cancel'), dataset: { action: 'cancel' } }),
        saveBtn)));
  replace(main, h('div', { class: 'page page-form page-subscribe', dataset: { unit: unit.id } },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' },
      h('a', { class: 'back-link', href: back, text: `‹ ${[unit.building_name, t('grid.crumb')].filter(Boolean).join(' ')}` }),
      h('h1', { class: 'page-title' }, h('span', { text: t('sub.title') }), h('span', { class: 'record-title mono-title', text: unit.room_code }),
        enumTag(enumField('units', 'status'), unit.status)),
      unitFacts)),
    form));

  let dirty = false;
  let saving = false;
  form.addEventListener('input', () => { dirty = true; });
  router.setLeaveGuard(() => !dirty || saving || window.confirm(t('form.leave_confirm')));

  async function save() {
    if (saving) return;
    banner.hidden = true;
    const { values, bad } = readFields(fields);
    if (values.deposit_fen !== undefined && values.total_price_fen !== undefined && values.deposit_fen * 5 > values.total_price_fen) {
      const f = fields.find((x) => x.spec.api === 'deposit_fen');
      f.setError(t('sub.deposit_max'));
      f.focus();
      return;
    }
    if (bad) {
      banner.textContent = t('form.fix_errors');
      banner.hidden = false;
      bad.focus();
      return;
    }
    saving = true;
    setBusy(saveBtn, true, t('common.saving'));
    try {
      const c = await api.post('contracts', { unit_id: unit.id, ...values });
      dirty = false;
      toast(t('sub.done', { no: c.no }), 'success');
      router.go(router.page('contract', c.id));
    } catch (e) {
      if (!showApiError(fields, e)) {
        banner.textContent = e.message;
        banner.hidden = false;
        banner.scrollIntoView({ block: 'nearest' });
      }
    } finally {
      saving = false;
      setBusy(saveBtn, false);
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); save(); });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
  });
  buyers.input.focus();
}
