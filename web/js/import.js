// 批量导入 (#/import): choose what to import, download a template, pick a
// file, 预检 (dry run) with progress and the bad rows, then 确认导入.
// The server runs each job on its own: leaving the page does not stop it,
// and coming back shows the latest job.
import { h, replace } from './dom.js';
import { t, L } from './i18n.js';
import * as api from './api.js';
import * as fmt from './format.js';
import * as router from './router.js';
import { getEntityMeta } from './meta.js';
import { displayValue, fieldLabel } from './fields.js';
import { loading, errorState, tag, toast, setBusy } from './ui.js';

const KINDS = ['customers', 'units', 'projects'];
const MAX_BYTES = 64 * 1024 * 1024;
const POLL_MS = 500;
const LAST_KEY = 'anjia.import.last';
const MAX_ERRORS_SHOWN = 500;

// Kept for the session: a chosen file survives leaving and reopening the page.
const state = { kind: 'customers', file: null, fileFor: null };

function kindLabel(k) {
  return t(`imp.kind_${k}`);
}

function fileSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function rememberJob(id) {
  try { localStorage.setItem(LAST_KEY, String(id)); } catch { /* ignore */ }
}
function lastJob() {
  try { return localStorage.getItem(LAST_KEY) || ''; } catch { return ''; }
}

export async function renderImport(main, ctx) {
  replace(main, loading());
  ctx.setTitle(t('imp.title'));
  // The imports list, when the server describes it.
  const listMeta = await getEntityMeta('imports').catch(() => null);
  if (!ctx.isCurrent()) return;

  // ---- step 1: kind ----------------------------------------------------------
  const kindSeg = h('div', { class: 'seg kind-seg', role: 'radiogroup', 'aria-label': t('imp.kind') });
  const kindBtns = KINDS.map((k) => {
    const b = h('button', {
      type: 'button', class: ['seg-btn', state.kind === k && 'active'], role: 'radio', 'aria-checked': String(state.kind === k),
      dataset: { kind: k }, text: kindLabel(k),
    });
    b.addEventListener('click', () => {
      state.kind = k;
      kindBtns.forEach((x) => {
        const on = x.dataset.kind === k;
        x.classList.toggle('active', on);
        x.setAttribute('aria-checked', String(on));
      });
      if (state.file && state.fileFor !== k) clearFile();
    });
    kindSeg.append(b);
    return b;
  });

  // ---- step 2: template --------------------------------------------------------
  const tplBtn = (format, label) => {
    const b = h('button', { class: 'btn', type: 'button', text: label, dataset: { action: `template-${format}` } });
    b.addEventListener('click', async () => {
      setBusy(b, true, t('imp.downloading'));
      try {
        const r = await api.download('imports/template', { kind: state.kind, format }, `${kindLabel(state.kind)}导入模板.${format}`);
        toast(t('list.exported', { name: r.name }), 'success');
      } catch (err) {
        toast(err.status === 404 ? t('imp.not_ready') : err.message, 'error', 5000);
      } finally {
        setBusy(b, false);
      }
    });
    return b;
  };

  // ---- step 3: file ------------------------------------------------------------
  const fileInput = h('input', { type: 'file', id: 'import-file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', class: 'file-input' });
  const fileName = h('span', { class: 'file-name muted', text: t('imp.no_file') });
  const fileErr = h('div', { class: 'field-error', role: 'alert' });
  const pickBtn = h('label', { class: 'btn', for: 'import-file', tabindex: 0, role: 'button', text: t('imp.pick') });
  pickBtn.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); } });
  function showFile() {
    if (state.file) {
      fileName.textContent = `${state.file.name}（${fileSize(state.file.size)}）`;
      fileName.classList.remove('muted');
    } else {
      fileName.textContent = t('imp.no_file');
      fileName.classList.add('muted');
    }
    checkBtn.disabled = !state.file;
  }
  function clearFile() {
    state.file = null;
    state.fileFor = null;
    fileInput.value = '';
    showFile();
  }
  fileInput.addEventListener('change', () => {
    fileErr.textContent = '';
    const f = fileInput.files && fileInput.files[0];
    if (!f) { clearFile(); return; }
    if (!/\.(csv|xlsx)$/i.test(f.name)) {
      fileErr.textContent = t('imp.bad_type');
      clearFile();
      return;
    }
    if (f.size > MAX_BYTES) {
      fileErr.textContent = t('imp.too_big', { size: fileSize(f.size) });
      clearFile();
      return;
    }
    if (f.size === 0) {
      fileErr.textContent = t('imp.empty_file');
      clearFile();
      return;
    }
    state.file = f;
    state.fileFor = state.kind;
    showFile();
  });

  // ---- step 4: dry run -----------------------------------------------------------
  const checkBtn = h('button', { class: 'btn btn-primary', type: 'button', text: t('imp.check'), dataset: { action: 'dry-run' }, disabled: true });
  checkBtn.addEventListener('click', () => start(true));

  const steps = h('section', { class: 'card import-steps' },
    h('ol', { class: 'steps' },
      h('li', null, h('div', { class: 'step-title', text: t('imp.step_kind') }), kindSeg),
      h('li', null, h('div', { class: 'step-title', text: t('imp.step_template') }),
        h('div', { class: 'step-row' }, tplBtn('csv', t('imp.tpl_csv')), tplBtn('xlsx', t('imp.tpl_xlsx'))),
        h('div', { class: 'muted small', text: t('imp.tpl_hint') })),
      h('li', null, h('div', { class: 'step-title', text: t('imp.step_file') }),
        h('div', { class: 'step-row' }, fileInput, pickBtn, fileName), fileErr),
      h('li', null, h('div', { class: 'step-title', text: t('imp.step_check') }),
        h('div', { class: 'step-row' }, checkBtn, h('span', { class: 'muted small', text: t('imp.check_hint') })))));

  // ---- the job panel -------------------------------------------------------------
  const jobBox = h('section', { class: 'card import-job', 'aria-live': 'polite', hidden: true });
  const historyBox = listMeta ? h('section', { class: 'card import-history' },
    h('h2', { class: 'card-title', text: t('imp.history') }), h('div', { class: 'history-body' }, loading())) : null;

  replace(main, h('div', { class: 'page page-import' },
    h('div', { class: 'page-head' }, h('div', { class: 'head-main' },
      h('h1', { class: 'page-title', text: t('imp.title') }),
      h('div', { class: 'muted small', text: t('imp.intro') }))),
    steps, jobBox, historyBox));
  showFile();

  let pollTimer = null;
  let shownJob = null;
  const kindMetas = new Map();
  const alive = () => jobBox.isConnected;

  async function start(dryRun) {
    if (!state.file) return;
    const btn = dryRun ? checkBtn : jobBox.querySelector('[data-action=confirm-import]');
    if (btn) setBusy(btn, true, dryRun ? t('imp.uploading') : t('imp.uploading'));
    try {
      const r = await api.upload('imports', { kind: state.fileFor || state.kind, dry_run: dryRun ? 'true' : 'false', file_name: state.file.name }, state.file);
      rememberJob(r.id);
      showJob({ id: r.id, kind: state.fileFor || state.kind, status: r.status || 'running', dry_run: dryRun, total: 0, done: 0, bad: 0, file_name: state.file.name });
      poll(r.id);
    } catch (err) {
      toast(err.status === 404 ? t('imp.not_ready') : err.message, 'error', 6000);
    } finally {
      if (btn && btn.isConnected) setBusy(btn, false);
    }
  }

  function poll(id) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (!alive()) return; // left the page: the job runs on; reopening shows it
      let job;
      try {
        job = await api.get(`imports/${encodeURIComponent(id)}`);
      } catch (err) {
        if (!alive()) return;
        if (err.status === 0) { poll(id); return; } // network blip: keep trying
        replace(jobBox, errorState(err, () => poll(id)));
        return;
      }
      if (!alive()) return;
      showJob(job);
      if (job.status === 'running') { poll(id); return; }
      // Imported: the file is done with (no second import by accident).
      if (!job.dry_run && job.status === 'done' && state.file && job.file_name === state.file.name) clearFile();
      if (historyBox) loadHistory();
    }, POLL_MS);
  }

  function showJob(job) {
    shownJob = job;
    // Field labels for the bad-row table (the job's entity's metadata).
    if (job.kind && !kindMetas.has(job.kind) && KINDS.includes(job.kind)) {
      kindMetas.set(job.kind, null);
      getEntityMeta(job.kind).then((m) => {
        kindMetas.set(job.kind, m);
        if (shownJob === job && alive()) showJob(job);
      }, () => {});
    }
    jobBox.hidden = false;
    const total = Number(job.total) || 0;
    const done = Number(job.done) || 0;
    const bad = Number(job.bad) || 0;
    const running = job.status === 'running';
    const pct = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : (running ? 0 : 100);
    const hasBad = bad > 0 || (Array.isArray(job.errors) && job.errors.length > 0);
    const statusTag = running ? tag(t('imp.running'), 'blue')
      : hasBad ? tag(t('imp.has_bad'), 'orange')
        : job.status === 'failed' ? tag(t('imp.failed'), 'red') : tag(t('imp.done'), 'green');
    const title = h('div', { class: 'job-head' },
      h('h2', { class: 'card-title', text: `${job.dry_run ? t('imp.job_check') : t('imp.job_import')} · ${kindLabel(job.kind || state.kind)}` }),
      statusTag,
      job.file_name ? h('span', { class: 'muted small', text: job.file_name }) : null,
      h('span', { class: 'muted small job-no', text: `#${job.id}` }));
    const bar = h('div', {
      class: ['progress', running && 'active', !running && hasBad && 'warn', !running && !hasBad && job.status === 'failed' && 'failed'],
      role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total || 100, 'aria-valuenow': total ? done : pct,
      'aria-label': t('imp.progress'),
    }, h('div', { class: 'progress-fill', style: { width: `${pct}%` } }));
    const counts = h('div', { class: 'progress-text', dataset: { done, total } },
      running
        ? (total ? t('imp.progress_n', { done: fmt.integer(done), total: fmt.integer(total), pct }) : t('imp.starting'))
        : t('imp.progress_n', { done: fmt.integer(done), total: fmt.integer(total), pct }));

    const parts = [title, h('div', { class: 'progress-row' }, bar, counts)];
    if (!running) parts.push(resultOf(job, total, bad));
    if (Array.isArray(job.columns) && job.columns.length) {
      parts.push(h('div', { class: 'job-columns' },
        h('span', { class: 'muted small', text: t('imp.columns') }),
        job.columns.map((c) => h('span', { class: 'chip', text: `${c.column} → ${c.field}` }))));
    }
    replace(jobBox, ...parts);
  }

  function resultOf(job, total, bad) {
    const errors = Array.isArray(job.errors) ? job.errors : [];
    if (errors.length || bad) {
      // Bad rows: nothing was written (a real run writes all rows or none).
      return h('div', { class: 'job-result' },
        h('div', { class: 'banner banner-orange', dataset: { result: 'bad' } },
          h('span', { text: t('imp.bad_rows', { bad: fmt.integer(bad || errors.length), total: fmt.integer(total) }) }),
          job.message ? h('span', { class: 'muted small', text: `（${job.message}）` }) : null),
        errorTable(errors, kindMetas.get(job.kind)));
    }
    if (job.status === 'failed') {
      return h('div', { class: 'banner banner-red', role: 'alert', dataset: { result: 'failed' }, text: job.message || t('imp.failed_msg') });
    }
    if (job.dry_run) {
      const same = state.file && (!job.file_name || job.file_name === state.file.name) && (state.fileFor || state.kind) === (job.kind || state.kind);
      const confirm = h('button', { class: 'btn btn-primary', type: 'button', text: t('imp.confirm'), dataset: { action: 'confirm-import' }, disabled: !same });
      confirm.addEventListener('click', () => start(false));
      return h('div', { class: 'job-result' },
        h('div', { class: 'banner banner-green', dataset: { result: 'valid', count: total } }, t('imp.all_valid', { n: fmt.integer(total) })),
        h('div', { class: 'step-row' }, confirm, same ? null : h('span', { class: 'muted small', text: t('imp.pick_again') })));
    }
    const imported = job.imported !== undefined && job.imported !== null ? Number(job.imported) : total;
    return h('div', { class: 'job-result' },
      h('div', { class: 'banner banner-green', dataset: { result: 'imported', count: imported } },
        h('span', { class: 'imported-count', text: t('imp.imported', { n: fmt.integer(imported) }) })),
      job.kind ? h('a', { class: 'btn', href: router.href('list', job.kind), text: t('imp.open_list', { kind: kindLabel(job.kind) }) }) : null);
  }

  function errorTable(errors, kindMeta) {
    const shown = errors.slice(0, MAX_ERRORS_SHOWN);
    const label = (name) => {
      const f = kindMeta && name ? kindMeta.fields.find((x) => x.name === name) : null;
      return f ? fieldLabel(f) : (name ?? '');
    };
    return h('div', { class: 'table-wrap import-errors' },
      h('table', { class: 'data-table' },
        h('thead', null, h('tr', null,
          h('th', { class: 'num', scope: 'col', text: t('imp.row') }),
          h('th', { scope: 'col', text: t('imp.column') }),
          h('th', { scope: 'col', text: t('imp.field') }),
          h('th', { scope: 'col', text: t('imp.problem') }))),
        h('tbody', null, shown.map((e) => h('tr', { dataset: { row: e.row ?? '' } },
          h('td', { class: 'num', text: e.row ?? '' }),
          h('td', { text: e.column ?? '' }),
          h('td', { text: label(e.field) }),
          h('td', { class: 'err-msg', text: e.message ?? '' }))))),
      errors.length > shown.length ? h('div', { class: 'muted small', text: t('imp.more_errors', { n: errors.length - shown.length }) }) : null);
  }

  // ---- history (the generic list of entity `imports`) ----------------------------
  async function loadHistory() {
    if (!historyBox) return null;
    const body = historyBox.querySelector('.history-body');
    let r;
    try {
      r = await api.get(listMeta.path, { limit: 10, sort: listMeta.default_sort || '-id' });
    } catch (err) {
      replace(body, h('div', { class: 'muted', text: err.message }));
      return null;
    }
    const items = (r && r.items) || [];
    const fields = listMeta.fields.filter((f) => f.list && f.type !== 'password' && f.type !== 'json').slice(0, 8);
    if (!items.length) {
      replace(body, h('div', { class: 'muted empty-small', text: t('imp.history_empty') }));
      return items;
    }
    replace(body, h('div', { class: 'table-wrap' }, h('table', { class: 'data-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col', text: '#' }), fields.map((f) => h('th', { scope: 'col', text: fieldLabel(f) })))),
      h('tbody', null, items.map((it) => {
        const tr = h('tr', { tabindex: 0, dataset: { id: it.id } }, h('td', { text: `#${it.id}` }), fields.map((f) => h('td', null, displayValue(f, it))));
        const open = () => openJob(it.id);
        tr.addEventListener('click', open);
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
        return tr;
      })))), h('a', { class: 'btn btn-link', href: router.href('list', listMeta.name), text: t('imp.all_history', { label: L(listMeta, 'imports') }) }));
    return items;
  }

  async function openJob(id) {
    try {
      const job = await api.get(`imports/${encodeURIComponent(id)}`);
      if (!alive()) return;
      showJob(job);
      if (job.status === 'running') poll(job.id);
      jobBox.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      if (err.status !== 404) toast(err.message, 'error', 5000);
    }
  }

  // Reopened: show the latest job (from the list, else the one this browser started).
  const items = await loadHistory();
  const latest = (items && items[0] && items[0].id) || lastJob();
  if (latest && alive() && !shownJob) await openJob(latest);
}
