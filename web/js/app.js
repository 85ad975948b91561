// Entry point: session bootstrap, routing, language and project changes.
import { h } from './dom.js';
import { t, applyDocumentLang, onLangChange } from './i18n.js';
import * as api from './api.js';
import * as router from './router.js';
import { session, setUser, clearSession, loadProjects, setCurrentProject } from './session.js';
import { getNav, loadEnums, resetMetaCache } from './meta.js';
import { renderShell } from './layout.js';
import { renderLogin } from './login.js';
import { renderHome } from './home.js';
import { renderList } from './list.js';
import { renderDetail } from './detail.js';
import { renderForm } from './form.js';
import { render360 } from './c360.js';
import { renderGrid } from './grid.js';
import { renderDuplicates } from './duplicates.js';
import { renderImport } from './import.js';
import { renderApprovals } from './approvals.js';
import { renderApprovalNew, renderApprovalResubmit } from './approval_form.js';
import { renderApproval } from './approval_view.js';
import { renderDelegations } from './delegations.js';
import { renderContract } from './contract.js';
import { renderSubscribe } from './subscribe.js';
import { renderDeadlines } from './contracts_list.js';
import { renderLoan } from './loan.js';
import { renderWeekly } from './mortgage_weekly.js';
import { renderCalc } from './calc.js';
import { renderOverdue, renderCollectionRate, renderPenalties } from './collections.js';
import { renderTickets } from './tickets.js';
import { renderTicketNew } from './ticket_form.js';
import { renderTicket } from './ticket_view.js';
import { renderTicketDashboard, renderDefects, renderCalendar } from './ticket_reports.js';
import { renderBatches, renderBatchNew, renderDefectsPage, renderCertificates } from './handover.js';
import { renderBatch } from './handover_batch.js';
import { renderWarranty, renderNewsletter } from './service.js';
import { renderSurveys, renderSurvey, renderSurveyReport } from './surveys.js';
import { startCounts, stopCounts } from './notify.js';
import { modal, toast, errorState } from './ui.js';

const root = document.getElementById('app');
let shell = null;
let routeSeq = 0;

function setTitle(s) {
  document.title = `${s} - ${t('app.name')}`;
}

async function startSession(me) {
  setUser(me.user, me.csrf);
  resetMetaCache();
  const [nav] = await Promise.all([getNav(), loadProjects(), loadEnums().catch(() => null)]);
  session.nav = nav;
  shell = null;
  startCounts();
}

function buildShell() {
  shell = renderShell(root, {
    onLogout: logout,
    onChangePassword: changePassword,
    onDelegations: () => router.go(router.page('delegations')),
    onProjectChange: (id) => {
      setCurrentProject(id);
      const r = router.parse();
      // Stay on the page; a record page of another project goes back to its list.
      if (['list', 'home', 'duplicates', 'import', 'contract-deadlines', 'mortgage-weekly', 'overdue', 'collection-rate', 'penalties',
        'tickets', 'ticket-dashboard', 'ticket-defects', 'handover-batches', 'handover-defects', 'certificates', 'warranty', 'surveys', 'survey-report'].includes(r.view)) render(r);
      else if (r.view === 'view' && router.canLeave()) router.go(router.href('list', r.entity));
    },
  });
}

function showLogin(notice) {
  shell = null;
  stopCounts();
  clearSession();
  resetMetaCache();
  renderLogin(root, {
    notice,
    onLoggedIn: async (r) => {
      await startSession({ user: r.user, csrf: r.csrf });
      const back = sessionStorage.getItem('anjia.back');
      sessionStorage.removeItem('anjia.back');
      if (back && back !== location.hash && !back.startsWith('#/login')) router.go(back);
      else if (location.hash && location.hash !== '#/login' && location.hash !== '#/') render(router.parse());
      else router.go('#/');
    },
  });
}

async function logout() {
  if (!router.canLeave()) return;
  try {
    await api.post('logout', {}, { skipAuthRedirect: true });
  } catch { /* the session is gone either way */ }
  sessionStorage.removeItem('anjia.back');
  history.replaceState(null, '', '#/login');
  showLogin();
}

function changePassword() {
  const mk = (id, name, label, auto) => {
    const input = h('input', { id, name, type: 'password', autocomplete: auto, required: true });
    const err = h('div', { class: 'field-error', role: 'alert' });
    const el = h('div', { class: 'form-item', dataset: { field: name } },
      h('label', { class: 'form-label', for: id }, label, h('span', { class: 'req', text: '*' })), input, err);
    return {
      input, el,
      set(msg) { err.textContent = msg || ''; el.classList.toggle('has-error', !!msg); },
    };
  };
  const oldF = mk('pw-old', 'old_password', t('pw.old'), 'current-password');
  const newF = mk('pw-new', 'new_password', t('pw.new'), 'new-password');
  const confF = mk('pw-confirm', 'confirm', t('pw.confirm'), 'new-password');
  const all = [oldF, newF, confF];
  const banner = h('div', { class: 'form-banner', role: 'alert', hidden: true });
  modal({
    title: t('top.change_password'),
    body: h('div', null, banner, oldF.el, newF.el, confF.el),
    okText: t('common.save'),
    onOk: async () => {
      all.forEach((f) => f.set(''));
      banner.hidden = true;
      for (const f of all) {
        if (!f.input.value) {
          f.set(t('form.required', { label: f.el.querySelector('label').firstChild.textContent }));
          f.input.focus();
          return false;
        }
      }
      if (newF.input.value !== confF.input.value) {
        confF.set(t('pw.mismatch'));
        confF.input.focus();
        return false;
      }
      try {
        await api.post('me/password', { old_password: oldF.input.value, new_password: newF.input.value });
      } catch (e) {
        const target = e.field === 'old_password' ? oldF : e.field === 'new_password' ? newF : null;
        if (target) {
          target.set(e.message);
          target.input.focus();
        } else {
          banner.textContent = e.message;
          banner.hidden = false;
        }
        return false;
      }
      toast(t('pw.changed'), 'success');
      return true;
    },
  });
}

// Pages of their own: which nav entry they light up, and their crumb.
const PAGE_NAV = {
  360: 'customers', grid: 'buildings', duplicates: 'duplicates', import: 'import',
  approvals: 'approvals', approval: 'approvals', 'approval-new': 'approvals', 'approval-resubmit': 'approvals',
  delegations: 'approvals',
  contract: 'contracts', 'contract-new': 'contracts', 'contract-deadlines': 'contracts', loan: 'loans',
  'mortgage-weekly': 'mortgage/weekly', 'calc-mortgage': 'calc/mortgage', overdue: 'collections/overdue',
  'collection-rate': 'collections/rate', penalties: 'collections/penalties',
  tickets: 'tickets/queue', ticket: 'tickets/queue', 'ticket-new': 'tickets/queue', 'ticket-dashboard': 'tickets/dashboard',
  'ticket-defects': 'tickets/defects', calendar: 'calendar',
  'handover-batches': 'handover/batches', 'handover-new': 'handover/batches', 'handover-batch': 'handover/batches',
  'handover-defects': 'handover/defects', certificates: 'handover/certificates',
  warranty: 'warranty/expiring', newsletter: 'newsletters',
  surveys: 'surveys', survey: 'surveys', 'survey-report': 'surveys/report',
};
const PAGE_SUB = {
  360: 'c360.crumb', grid: 'grid.crumb', approval: 'appr.crumb_view', 'approval-new': 'appr.crumb_new',
  'approval-resubmit': 'appr.crumb_resubmit', delegations: 'deleg.title',
  contract: 'ct.crumb', 'contract-new': 'sub.title', 'contract-deadlines': 'cl.deadlines', loan: 'ln.crumb',
  ticket: 'tk.crumb', 'ticket-new': 'tk.new', 'handover-new': 'ho.crumb_new',
  survey: 'sv.crumb',
};

async function render(r) {
  const seq = ++routeSeq;
  if (!session.user) return;
  if (r.view === 'login') {
    router.go('#/');
    return;
  }
  if (!shell) buildShell();
  const main = shell.main;
  const ctx = {
    setTitle,
    /** Nav highlight + breadcrumb for pages of their own. */
    setCrumb: (entity, sub) => { if (seq === routeSeq) shell.setActive(entity, null, sub); },
    isCurrent: () => seq === routeSeq,
    query: r.query,
  };
  shell.setActive(r.entity || PAGE_NAV[r.view] || null, null, PAGE_SUB[r.view] ? t(PAGE_SUB[r.view]) : null);
  try {
    switch (r.view) {
      case '360': await render360(main, r.id, ctx); break;
      case 'grid': await renderGrid(main, r.id, ctx); break;
      case 'duplicates': await renderDuplicates(main, ctx); break;
      case 'import': await renderImport(main, ctx); break;
      case 'approvals': await renderApprovals(main, r.query, ctx); break;
      case 'approval': await renderApproval(main, r.id, ctx); break;
      case 'approval-new': await renderApprovalNew(main, r.id, ctx); break;
      case 'approval-resubmit': await renderApprovalResubmit(main, r.id, ctx); break;
      case 'delegations': await renderDelegations(main, ctx); break;
      case 'contract': await renderContract(main, r.id, ctx); break;
      case 'contract-new': await renderSubscribe(main, r.query, ctx); break;
      case 'contract-deadlines': await renderDeadlines(main, r.query, ctx); break;
      case 'loan': await renderLoan(main, r.id, ctx); break;
      case 'mortgage-weekly': await renderWeekly(main, r.query, ctx); break;
      case 'calc-mortgage': renderCalc(main, r.query, ctx); break;
      case 'overdue': await renderOverdue(main, r.query, ctx); break;
      case 'collection-rate': await renderCollectionRate(main, r.query, ctx); break;
      case 'penalties': await renderPenalties(main, r.query, ctx); break;
      case 'tickets': await renderTickets(main, r.query, ctx); break;
      case 'ticket': await renderTicket(main, r.id, ctx); break;
      case 'ticket-new': await renderTicketNew(main, r.query, ctx); break;
      case 'ticket-dashboard': await renderTicketDashboard(main, r.query, ctx); break;
      case 'ticket-defects': await renderDefects(main, r.query, ctx); break;
      case 'handover-batches': await renderBatches(main, r.query, ctx); break;
      case 'handover-new': await renderBatchNew(main, r.query, ctx); break;
      case 'handover-batch': await renderBatch(main, r.id, ctx, r.query); break;
      case 'handover-defects': await renderDefectsPage(main, r.query, ctx); break;
      case 'certificates': await renderCertificates(main, r.query, ctx); break;
      case 'warranty': await renderWarranty(main, r.query, ctx); break;
      case 'newsletter': await renderNewsletter(main, r.id, ctx); break;
      case 'surveys': await renderSurveys(main, r.query, ctx); break;
      case 'survey': await renderSurvey(main, r.id, ctx); break;
      case 'survey-report': await renderSurveyReport(main, r.query, ctx); break;
      case 'calendar': await renderCalendar(main, r.query, ctx); break;
      case 'home': renderHome(main, ctx); break;
      case 'list': await renderList(main, r.entity, r.query, ctx); break;
      case 'view': await renderDetail(main, r.entity, r.id, ctx); break;
      case 'edit': await renderForm(main, r.entity, r.id, ctx); break;
      case 'new': await renderForm(main, r.entity, null, ctx); break;
      default:
        setTitle(t('err.title'));
        main.replaceChildren(errorState({ status: 404, message: t('err.bad_route') }));
    }
  } catch (err) {
    if (seq !== routeSeq) return;
    if (err && err.status === 401) return;
    main.replaceChildren(errorState(err, () => render(router.parse())));
  }
  if (seq === routeSeq && !['edit', 'new', 'approval-new', 'approval-resubmit', 'contract-new', 'ticket-new', 'handover-new'].includes(r.view)) {
    main.focus({ preventScroll: true });
  }
}

api.onUnauthenticated(() => {
  if (!session.user) return;
  if (location.hash && !location.hash.startsWith('#/login')) sessionStorage.setItem('anjia.back', location.hash);
  showLogin(t('login.expired'));
});

onLangChange(() => {
  if (!session.user) {
    const typed = document.getElementById('login-username');
    const name = typed ? typed.value : '';
    showLogin();
    const again = document.getElementById('login-username');
    if (again && name) again.value = name;
    return;
  }
  if (!router.canLeave()) {
    // A dirty form: keep its DOM (and the typed input) inside the new frame.
    const kept = shell ? [...shell.main.childNodes] : [];
    buildShell();
    shell.main.replaceChildren(...kept);
    shell.setActive(router.parse().entity, null);
    return;
  }
  buildShell();
  render(router.parse());
});

router.onRoute((r) => {
  if (!session.user) {
    if (r.view !== 'login' && r.view !== 'home') sessionStorage.setItem('anjia.back', location.hash);
    showLogin();
    return;
  }
  render(r);
});

// "/" focuses the top bar's global search when not typing somewhere (a
// user without search rights gets the list's keyword box instead).
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const a = document.activeElement;
  if (a && (a.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName))) return;
  if (document.querySelector('.modal-mask')) return;
  const box = document.getElementById('global-search') || document.querySelector('[data-search]');
  if (box) {
    e.preventDefault();
    box.focus();
    box.select();
  }
});

async function boot() {
  applyDocumentLang();
  try {
    const me = await api.get('me', null, { skipAuthRedirect: true });
    await startSession(me);
  } catch (err) {
    if (err.status !== 401) {
      root.replaceChildren(errorState(err, boot));
      return;
    }
    clearSession();
  }
  router.start();
}

boot();
