// Hash routing: #/ , #/login , #/list/users?status=active&page=2 ,
// #/view/users/3 , #/edit/users/3 , #/new/users ; and pages of their own:
// #/360/12 (customer 360), #/grid/3 (building grid), #/duplicates, #/import;
// approvals: #/approvals?box=todo , #/approval/12 , #/approval/new/expense ,
// #/approval/12/resubmit , #/delegations
// contracts and collections: #/contract/12 , #/contract/new?unit=7 ,
// #/contracts/deadlines , #/loan/5 , #/mortgage/weekly , #/calc/mortgage ,
// #/collections/overdue , #/collections/rate , #/collections/penalties
// tickets: #/tickets/queue?view=mine (or #/tickets) , #/ticket/12 , #/ticket/new?customer=3&unit=7 ,
// #/tickets/dashboard , #/tickets/defects?by=category , #/calendar?year=2026
// handover: #/handover/batches , #/handover/new , #/handover/batch/12?tab=slots ,
// #/handover/defects?batch=12 , #/handover/certificates?view=due
// service: #/warranty/expiring?within=60 , #/newsletter/12
// surveys: #/surveys?status=invited&stage=signing , #/survey/12 , #/surveys/report?group=month

const listeners = new Set();
let leaveGuard = null;
let lastHash = location.hash;

export function parse(hash = location.hash) {
  let s = hash.replace(/^#/, '');
  if (!s.startsWith('/')) s = `/${s}`;
  const qi = s.indexOf('?');
  const path = qi >= 0 ? s.slice(0, qi) : s;
  const query = new URLSearchParams(qi >= 0 ? s.slice(qi + 1) : '');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  if (parts.length === 0) return { view: 'home', entity: null, id: null, query };
  if (parts[0] === 'approval') {
    // #/approval/12, #/approval/12/resubmit, #/approval/new/<template code>
    if (parts.length === 2 && /^\d{1,18}$/.test(parts[1])) return { view: 'approval', entity: null, id: parts[1], query };
    if (parts.length === 3 && /^\d{1,18}$/.test(parts[1]) && parts[2] === 'resubmit') {
      return { view: 'approval-resubmit', entity: null, id: parts[1], query };
    }
    if (parts.length === 3 && parts[1] === 'new' && /^[a-z0-9_]{1,40}$/.test(parts[2])) {
      return { view: 'approval-new', entity: null, id: parts[2], query };
    }
    return { view: 'bad', parts, query };
  }
  // Two-part addresses of pages without an id.
  const FIXED = {
    'contracts/deadlines': 'contract-deadlines',
    'mortgage/weekly': 'mortgage-weekly',
    'calc/mortgage': 'calc-mortgage',
    'collections/overdue': 'overdue',
    'collections/rate': 'collection-rate',
    'collections/penalties': 'penalties',
    'tickets/queue': 'tickets',
    'tickets/dashboard': 'ticket-dashboard',
    'tickets/defects': 'ticket-defects',
    'handover/batches': 'handover-batches',
    'handover/new': 'handover-new',
    'handover/defects': 'handover-defects',
    'handover/certificates': 'certificates',
    'warranty/expiring': 'warranty',
    'surveys/report': 'survey-report',
  };
  if (parts.length === 2 && FIXED[`${parts[0]}/${parts[1]}`]) {
    return { view: FIXED[`${parts[0]}/${parts[1]}`], entity: null, id: null, query };
  }
  if (parts[0] === 'handover' && parts[1] === 'batch') {
    // #/handover/batch/12?tab=slots
    if (parts.length === 3 && /^\d{1,18}$/.test(parts[2])) return { view: 'handover-batch', entity: null, id: parts[2], query };
    return { view: 'bad', parts, query };
  }
  if (parts[0] === 'surveys' && parts.length === 1) return { view: 'surveys', entity: null, id: null, query };
  if (parts[0] === 'survey') {
    // #/survey/12
    if (parts.length === 2 && /^\d{1,18}$/.test(parts[1])) return { view: 'survey', entity: null, id: parts[1], query };
    return { view: 'bad', parts, query };
  }
  if (parts[0] === 'newsletter') {
    // #/newsletter/12
    if (parts.length === 2 && /^\d{1,18}$/.test(parts[1])) return { view: 'newsletter', entity: null, id: parts[1], query };
    return { view: 'bad', parts, query };
  }
  if (parts[0] === 'ticket') {
    // #/ticket/12, #/ticket/new?customer=3&unit=7
    if (parts.length === 2 && /^\d{1,18}$/.test(parts[1])) return { view: 'ticket', entity: null, id: parts[1], query };
    if (parts.length === 2 && parts[1] === 'new') return { view: 'ticket-new', entity: null, id: null, query };
    return { view: 'bad', parts, query };
  }
  if (parts[0] === 'contract' || parts[0] === 'loan') {
    // #/contract/12, #/contract/new?unit=7, #/loan/5
    if (parts.length === 2 && /^\d{1,18}$/.test(parts[1])) return { view: parts[0], entity: null, id: parts[1], query };
    if (parts.length === 2 && parts[0] === 'contract' && parts[1] === 'new') return { view: 'contract-new', entity: null, id: null, query };
    return { view: 'bad', parts, query };
  }
  // Pages of their own take at most one id: {view, entity: null, id}.
  const PAGES = { 360: 1, grid: 1, duplicates: 0, import: 0, approvals: 0, delegations: 0, tickets: 0, calendar: 0 };
  if (Object.prototype.hasOwnProperty.call(PAGES, parts[0])) {
    const n = PAGES[parts[0]];
    if (parts.length !== n + 1) return { view: 'bad', parts, query };
    const pid = n ? parts[1] : null;
    if (pid !== null && !/^\d{1,18}$/.test(pid)) return { view: 'bad', parts, query };
    return { view: parts[0], entity: null, id: pid, query };
  }
  const [view, entity = null, id = null] = parts;
  const ok = /^[a-z][a-z0-9_-]*$/; // entity names: users, approval-templates …
  if (entity !== null && !ok.test(entity)) return { view: 'bad', parts, query };
  if (id !== null && !/^[A-Za-z0-9_-]+$/.test(id)) return { view: 'bad', parts, query };
  const known = {
    home: 0, login: 0, list: 1, new: 1, view: 2, edit: 2,
  };
  if (!(view in known) || parts.length !== known[view] + 1) return { view: 'bad', parts, query };
  return { view, entity, id, query };
}

/** Address of a page of its own: page('360', 12) → "#/360/12". */
export function page(view, id, query) {
  let s = `#/${view}`;
  if (id !== undefined && id !== null) s += `/${encodeURIComponent(id)}`;
  if (query) {
    const qs = new URLSearchParams(query).toString();
    if (qs) s += `?${qs}`;
  }
  return s;
}

export function href(view, entity, id, query) {
  let s = `#/${view}`;
  if (entity) s += `/${encodeURIComponent(entity)}`;
  if (id !== undefined && id !== null) s += `/${encodeURIComponent(id)}`;
  if (query) {
    const qs = query instanceof URLSearchParams ? query.toString() : new URLSearchParams(query).toString();
    if (qs) s += `?${qs}`;
  }
  return s;
}

export function go(hash) {
  if (location.hash === hash) {
    fire();
    return;
  }
  location.hash = hash;
}

/** Change the address without re-rendering (list filters, paging). */
export function replaceQuiet(hash) {
  if (location.hash === hash) return;
  history.replaceState(null, '', hash);
  lastHash = location.hash;
}

/** fn() returns true when it is fine to leave the current page. */
export function setLeaveGuard(fn) {
  leaveGuard = fn;
}

/** Asks the current page (e.g. a dirty form) whether it may be left. */
export function canLeave() {
  if (leaveGuard && !leaveGuard()) return false;
  leaveGuard = null;
  return true;
}

export function onRoute(fn) {
  listeners.add(fn);
}

function fire() {
  const r = parse();
  for (const fn of listeners) fn(r);
}

window.addEventListener('hashchange', () => {
  if (leaveGuard && !leaveGuard()) {
    // replaceState fires no hashchange: put the old address back quietly.
    history.replaceState(null, '', lastHash);
    return;
  }
  leaveGuard = null;
  lastHash = location.hash;
  fire();
});

export function start() {
  lastHash = location.hash;
  fire();
}
