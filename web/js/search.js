// The top bar's global search: one box for a live call. Name (or its
// beginning), pinyin initials, a mobile or its last 4 digits, an ID number,
// a room code. Results drop down as you type; arrows + Enter open one.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { can } from './session.js';
import { enumTag, tag } from './ui.js';
import { enumField } from './meta.js';

const DEBOUNCE_MS = 150;
const LIMIT = 10;

export function canSearch() {
  return can('customer.read') || can('unit.read');
}

export function canTicket() {
  return can('ticket.write');
}

/** The new-ticket form for a hit: the customer, or the unit's owner and the unit. */
export function ticketHref(hit) {
  if (hit.type === 'customer') return router.page('ticket', 'new', { customer: hit.id });
  if (hit.owner_id) return router.page('ticket', 'new', { customer: hit.owner_id, unit: hit.id });
  return router.page('ticket', 'new');
}

/** Where a search hit leads: a customer → 360; a unit → its owner's 360, else the unit. */
export function hitHref(hit) {
  if (hit.type === 'customer') return router.page('360', hit.id);
  if (hit.owner_id) return router.page('360', hit.owner_id);
  return router.href('view', 'units', hit.id);
}

export function renderSearchBox() {
  const listId = 'gsearch-list';
  const input = h('input', {
    id: 'global-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    'aria-label': t('search.label'), placeholder: t('search.placeholder'), maxlength: 64,
  });
  const kbd = h('kbd', { class: 'gsearch-kbd', 'aria-hidden': 'true', text: '/' });
  const list = h('div', { class: 'gsearch-list', id: listId, role: 'listbox', 'aria-label': t('search.results') });
  const status = h('div', { class: 'gsearch-status', role: 'status', 'aria-live': 'polite' });
  const foot = h('div', { class: 'gsearch-foot', 'aria-hidden': 'true', text: canTicket() ? t('search.keys_ticket') : t('search.keys') });
  const panel = h('div', { class: 'gsearch-panel', hidden: true }, status, list, foot);
  const box = h('div', { class: 'gsearch' },
    h('span', { class: 'gsearch-icon', 'aria-hidden': 'true' }), input, kbd, panel);

  let timer = null;
  let abort = null;
  let hits = []; // [{type, id, owner_id, el}]
  let active = -1;
  let shownFor = null; // the query whose results are on screen

  function open(on) {
    panel.hidden = !on;
    input.setAttribute('aria-expanded', String(on));
    box.classList.toggle('open', on);
    if (on) document.addEventListener('mousedown', outside, true);
    else document.removeEventListener('mousedown', outside, true);
  }
  function outside(e) {
    if (!box.contains(e.target)) open(false);
  }

  function setActive(i) {
    if (!hits.length) { active = -1; input.removeAttribute('aria-activedescendant'); return; }
    active = (i + hits.length) % hits.length;
    hits.forEach((x, k) => {
      x.el.classList.toggle('active', k === active);
      x.el.setAttribute('aria-selected', String(k === active));
    });
    const el = hits[active].el;
    input.setAttribute('aria-activedescendant', el.id);
    el.scrollIntoView({ block: 'nearest' });
  }

  function showHint() {
    hits = [];
    active = -1;
    shownFor = '';
    input.removeAttribute('aria-activedescendant');
    replace(status, h('div', { class: 'gsearch-hint' },
      h('div', { class: 'gsearch-hint-title', text: t('search.hint_title') }),
      h('ul', { class: 'gsearch-hint-list' },
        [['search.hint_name', '张三'], ['search.hint_initials', 'zs'], ['search.hint_phone', '8000'],
          ['search.hint_id', '110105…'], ['search.hint_room', '1-1-1001']].map(([k, ex]) => h('li', null,
          h('span', { text: t(k) }), h('code', { text: ex }))))));
    list.replaceChildren();
  }

  function opt(i, type, id, children, attrs = {}) {
    const el = h('div', {
      class: 'gsearch-item', role: 'option', id: `gs-opt-${i}`, 'aria-selected': 'false',
      dataset: { type, id }, ...attrs,
    }, children);
    el.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the box
    el.addEventListener('mousemove', () => { if (active !== i) setActive(i); });
    el.addEventListener('click', () => go(i));
    return el;
  }

  function showResults(q, r, unitStatus) {
    shownFor = q;
    hits = [];
    active = -1;
    const customers = (r && r.customers) || [];
    const units = (r && r.units) || [];
    const groups = [];
    let i = 0;
    const statusF = enumField('customers', 'status');
    if (customers.length) {
      const items = customers.map((c) => {
        const k = i++;
        const el = opt(k, 'customer', c.id, [
          h('div', { class: 'gs-line1' },
            h('span', { class: 'gs-name', text: c.name || `#${c.id}` }),
            c.kind === 'company' ? tag(t('search.company'), 'neutral') : null,
            c.status && c.status !== 'active' ? enumTag(statusF, c.status) : null),
          h('div', { class: 'gs-line2' },
            h('span', { class: 'gs-phone', text: c.phone || t('common.none') }),
            h('span', { class: 'gs-idno', text: c.id_number || t('common.none') }),
            h('span', { class: 'gs-units', text: c.unit_summary || t('search.no_unit') })),
          canTicket() && c.status !== 'merged' && c.status !== 'anonymised' ? h('button', {
            type: 'button', class: 'gs-ticket', tabindex: -1, dataset: { action: 'new-ticket' }, title: t('search.new_ticket_tip'), text: t('search.new_ticket'),
            onclick: (e) => { e.stopPropagation(); goTicket(k); },
          }) : null,
        ]);
        hits.push({ type: 'customer', id: c.id, el });
        return el;
      });
      groups.push(h('div', { class: 'gsearch-group', role: 'group', 'aria-labelledby': 'gs-g-c' },
        h('div', { class: 'gsearch-group-title', id: 'gs-g-c', text: t('search.customers', { n: customers.length }) }), items));
    }
    if (units.length) {
      const items = units.map((u) => {
        const k = i++;
        const el = opt(k, 'unit', u.id, [
          h('div', { class: 'gs-line1' },
            h('span', { class: 'gs-name', text: u.room_code || `#${u.id}` }),
            h('span', { class: 'gs-where', text: [u.project_name, u.building_name].filter(Boolean).join(' ') }),
            u.status ? enumTag(unitStatus, u.status) : null),
          h('div', { class: 'gs-line2' },
            h('span', { text: u.owner_name ? t('search.owner', { name: u.owner_name }) : t('search.no_owner') })),
        ]);
        hits.push({ type: 'unit', id: u.id, owner_id: u.owner_id || null, el });
        return el;
      });
      groups.push(h('div', { class: 'gsearch-group', role: 'group', 'aria-labelledby': 'gs-g-u' },
        h('div', { class: 'gsearch-group-title', id: 'gs-g-u', text: t('search.units', { n: units.length }) }), items));
    }
    list.replaceChildren(...groups);
    if (!hits.length) {
      replace(status, h('div', { class: 'gsearch-empty' },
        h('div', { text: t('search.none', { q }) }),
        h('div', { class: 'muted small', text: t('search.none_hint') })));
    } else {
      const kind = r && r.kind ? t(`search.kind_${r.kind}`) : '';
      replace(status, kind && !kind.startsWith('search.') ? h('div', { class: 'gsearch-kind', text: t('search.matched_by', { kind }) }) : null);
      setActive(0);
    }
  }

  function run(q) {
    if (abort) abort.abort();
    const mine = new AbortController();
    abort = mine;
    box.classList.add('busy');
    if (shownFor === null || shownFor === '') replace(status, h('div', { class: 'gsearch-loading muted', text: t('search.searching') }));
    const p = Promise.all([
      api.get('search', { q, limit: LIMIT }, { signal: mine.signal }),
      enumField.ready('units', 'status'),
      enumField.ready('customers', 'status'),
    ]).then(([r, unitStatus]) => {
      if (abort !== mine) return;
      showResults(q, r, unitStatus);
    }, (err) => {
      if (err && err.name === 'AbortError') return;
      if (abort !== mine) return;
      hits = [];
      shownFor = q;
      list.replaceChildren();
      replace(status, h('div', { class: 'gsearch-error', role: 'alert', text: err.message }));
    }).finally(() => {
      if (abort === mine) {
        box.classList.remove('busy');
      }
    });
    return p;
  }

  function schedule() {
    clearTimeout(timer);
    const q = input.value.trim();
    open(true);
    if (!q) {
      if (abort) abort.abort();
      box.classList.remove('busy');
      showHint();
      return;
    }
    timer = setTimeout(() => run(q), DEBOUNCE_MS);
  }

  function go(i) {
    const hit = hits[i];
    if (!hit) return;
    open(false);
    input.value = '';
    shownFor = null;
    input.blur();
    router.go(hitHref(hit));
  }

  function goTicket(i) {
    const hit = hits[i];
    if (!hit) return;
    open(false);
    input.value = '';
    shownFor = null;
    input.blur();
    router.go(ticketHref(hit));
  }

  // While an IME composes (拼音 → 汉字) wait for the characters it commits.
  input.addEventListener('input', (e) => { if (!e.isComposing) schedule(); });
  input.addEventListener('compositionend', schedule);
  input.addEventListener('focus', () => {
    const q = input.value.trim();
    if (!q) showHint();
    else if (shownFor !== q) { schedule(); return; }
    open(true);
  });
  input.addEventListener('keydown', async (e) => {
    if (e.isComposing) return; // an IME is still choosing characters
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (panel.hidden) { open(true); return; }
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      // Typed fast and hit Enter before the results came: wait for them.
      if (shownFor !== q) {
        clearTimeout(timer);
        await run(q);
        if (input.value.trim() !== q || shownFor !== q) return;
      }
      open(true);
      if (e.shiftKey && canTicket()) goTicket(active >= 0 ? active : 0);
      else go(active >= 0 ? active : 0);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!panel.hidden) open(false);
      else if (input.value) { input.value = ''; shownFor = null; }
      else input.blur();
    } else if (e.key === 'Tab') {
      open(false);
    }
  });
  return box;
}
