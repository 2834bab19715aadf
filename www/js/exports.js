/*
 * exports.js - the Exports tab: the form that queues an export and the
 * "My exports" table that follows them.  The table polls my-exports every
 * POLL_MS only while one of the shown jobs is unfinished, and announces a
 * job that finishes while the page watches it.  Rebuilding the table keeps
 * the keyboard focus on the same button (or its row) across refreshes.
 */

import { h, $, notify, pager, shortId, errorMessage } from './dom.js';
import {
  t, labelFor, formatNumber, formatBytes, formatDateTime, formatDate, formatDuration,
} from './i18n.js';

const POLL_MS = 2000;
const PAGE = 20;
const UNFINISHED = new Set(['waiting', 'active', 'delayed']);
const FIELDS = ['exportType', 'format', 'startDate', 'endDate', 'timezone', 'userId', 'modelId',
  'provider', 'priority', 'csvBom', 'formulaGuard'];

/* ---- dates ---- */

/* Today's calendar date in an IANA zone (the browser's when tz is bad). */
function todayIn(tz) {
  const opts = { year: 'numeric', month: '2-digit', day: '2-digit' };
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: tz }).formatToParts(new Date());
  } catch {
    parts = new Intl.DateTimeFormat('en-US', opts).formatToParts(new Date());
  }
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

function ymd(y, m, d) {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.toISOString().slice(0, 10);
}

/* [startDate, endDate] for a preset, both inclusive, in zone tz. */
export function presetRange(preset, tz) {
  const { y, m, d } = todayIn(tz);
  switch (preset) {
    case 'last7': return [ymd(y, m, d - 6), ymd(y, m, d)];
    case 'thisMonth': return [ymd(y, m, 1), ymd(y, m, d)];
    case 'lastMonth': return [ymd(y, m - 1, 1), ymd(y, m, 0)];
    case 'thisYear': return [ymd(y, 1, 1), ymd(y, m, d)];
    default: return null;
  }
}

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

function zoneKnown(tz) {
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

/* ---- the form ---- */

class ExportForm {
  constructor({ api, identity, onQueued }) {
    this.api = api;
    this.identity = identity;
    this.onQueued = onQueued;
    this.form = $('#export-form');
    this.submitBtn = $('#export-submit');
    this.busy = false;
  }

  init() {
    const f = this.form.elements;
    f.timezone.value = browserZone();
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const list = $('#tz-list');
    list.replaceChildren(...['UTC', ...zones.filter((z) => z !== 'UTC')].map((z) => h('option', { value: z })));
    if (!this.identity.isAdmin) f.priority.querySelector('option[value="high"]').remove();
    f.preset.addEventListener('change', () => this.applyPreset());
    f.timezone.addEventListener('change', () => this.applyPreset());
    for (const name of ['startDate', 'endDate']) {
      f[name].addEventListener('input', () => { f.preset.value = 'custom'; });
    }
    f.format.addEventListener('change', () => this.syncFormat());
    for (const name of FIELDS) {
      const el = f[name];
      if (el) el.addEventListener('input', () => this.clearError(name));
    }
    this.form.addEventListener('submit', (ev) => { ev.preventDefault(); this.submit(); });
    this.applyPreset();
    this.syncFormat();
  }

  applyPreset() {
    const f = this.form.elements;
    const range = presetRange(f.preset.value, f.timezone.value.trim());
    if (!range) return;
    [f.startDate.value, f.endDate.value] = range;
    this.clearError('startDate');
    this.clearError('endDate');
  }

  syncFormat() {
    const csv = this.form.elements.format.value === 'csv';
    for (const el of this.form.querySelectorAll('.csv-only')) el.hidden = !csv;
  }

  /* The request body: only fields the user set, as SPEC §5 names them. */
  body() {
    const f = this.form.elements;
    const body = {
      exportType: f.exportType.value,
      format: f.format.value,
      startDate: f.startDate.value,
      endDate: f.endDate.value,
    };
    const tz = f.timezone.value.trim();
    if (tz) body.timezone = tz;
    for (const name of ['userId', 'modelId', 'provider']) {
      const v = f[name].value.trim();
      if (v) body[name] = v;
    }
    if (f.priority.value !== 'normal') body.priority = f.priority.value;
    if (body.format === 'csv') {
      if (f.csvBom.checked) body.csvBom = true;
      if (!f.formulaGuard.checked) body.formulaGuard = false;
    }
    return body;
  }

  /* Problems the browser can see before asking; the API checks it all again. */
  localProblems(body) {
    const out = [];
    if (!body.startDate) out.push({ field: 'startDate', message: t('valid.required') });
    if (!body.endDate) out.push({ field: 'endDate', message: t('valid.required') });
    if (body.startDate && body.endDate && body.startDate > body.endDate) {
      out.push({ field: 'endDate', message: t('valid.dateOrder') });
    }
    if (body.timezone && !zoneKnown(body.timezone)) {
      out.push({ field: 'timezone', message: t('valid.timezone') });
    }
    return out;
  }

  clearError(name) {
    const p = $(`#err-${name}`);
    const el = this.form.elements[name];
    if (p) { p.hidden = true; p.textContent = ''; }
    if (el && el.removeAttribute) {
      el.removeAttribute('aria-invalid');
      const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/)
        .filter((id) => id && id !== `err-${name}`);
      if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
      else el.removeAttribute('aria-describedby');
    }
  }

  clearErrors() {
    for (const name of FIELDS) this.clearError(name);
    const top = $('#export-error');
    top.hidden = true;
    top.textContent = '';
  }

  /*
   * Show problems next to the fields they name ([{field, message}]); those
   * naming no field of the form go to the top of the form.  Focus moves to
   * the first field in error so a keyboard user lands on it.
   */
  showProblems(summary, problems) {
    const top = $('#export-error');
    const loose = [];
    let first = null;
    for (const { field, message } of problems) {
      const p = $(`#err-${CSS.escape(field)}`);
      const el = this.form.elements[field];
      if (!p || !el || !FIELDS.includes(field)) { loose.push(message); continue; }
      p.textContent = p.textContent ? `${p.textContent} ${message}` : message;
      p.hidden = false;
      el.setAttribute('aria-invalid', 'true');
      const ids = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
      ids.add(`err-${field}`);
      el.setAttribute('aria-describedby', [...ids].join(' '));
      if (!first) first = el;
      if (field === 'priority' || field === 'csvBom' || field === 'formulaGuard') {
        this.form.querySelector('details.more').open = true;
      }
    }
    top.textContent = [summary, ...loose].filter(Boolean).join(' ');
    top.hidden = !top.textContent;
    if (first) {
      first.focus();
    } else {
      top.tabIndex = -1;
      top.focus();
    }
  }

  async submit() {
    if (this.busy) return;
    this.clearErrors();
    const body = this.body();
    const local = this.localProblems(body);
    if (local.length) { this.showProblems(t('export.invalid'), local); return; }
    this.busy = true;
    this.submitBtn.disabled = true;
    this.submitBtn.textContent = t('export.submitting');
    this.form.setAttribute('aria-busy', 'true');
    try {
      const res = await this.api.submitExport(body);
      const pos = Number(res && res.position);
      notify(Number.isFinite(pos) && pos > 0 ? t('export.queued', { position: formatNumber(pos) })
        : t('export.queuedNoPos'), { kind: 'success' });
      this.onQueued(res && res.jobId);
    } catch (err) {
      if (err.status === 400 && err.details.length) {
        this.showProblems(t('export.invalid'), err.details);
      } else if (err.status !== 401) {
        this.showProblems(errorMessage(err), []);
      }
    } finally {
      this.busy = false;
      this.submitBtn.disabled = false;
      this.submitBtn.textContent = t('export.submit');
      this.form.removeAttribute('aria-busy');
    }
  }
}

/* ---- my exports ---- */

const typeLabel = (v) => labelFor('export.type', v);
const formatLabel = (v) => labelFor('export.format', v);
const statusLabel = (v) => labelFor('status', v);

/* "By user, CSV, Nov 1, 2026 – Nov 30, 2026": how the page names a job. */
function title(job) {
  const f = job.filters && typeof job.filters === 'object' ? job.filters : {};
  return t('mine.what', {
    type: typeLabel(job.exportType), format: formatLabel(job.format),
    start: formatDate(f.startDate), end: formatDate(f.endDate),
  });
}

function what(job) {
  const f = job.filters && typeof job.filters === 'object' ? job.filters : {};
  const main = title(job);
  const extra = [];
  for (const [key, label] of [['userId', 'export.userId'], ['modelId', 'export.modelId'],
    ['provider', 'export.provider'], ['timezone', 'export.timezone']]) {
    if (typeof f[key] === 'string' && f[key] && !(key === 'timezone' && f[key] === 'UTC')) {
      extra.push(`${t(label)}: ${f[key]}`);
    }
  }
  return [main, extra.length ? h('span', { class: 'muted block' }, extra.join(' · ')) : null];
}

function progressOf(job) {
  const p = Number(job.progress);
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}

function cell(label, ...children) {
  /* One wrapper, so the narrow layout's label + value grid has two items. */
  return h('td', { role: 'cell', dataset: { label } }, h('div', { class: 'cell' }, ...children));
}

class MyExports {
  constructor({ api }) {
    this.api = api;
    this.root = $('#mine');
    this.offset = 0;
    this.jobs = [];
    this.total = 0;
    this.seen = new Map(); /* jobId -> last status seen, to announce finishes */
    this.timer = null;
    this.running = false;
    this.loading = null;
    this.lastError = '';
  }

  start() {
    this.running = true;
    $('#mine-refresh').addEventListener('click', () => this.load(true));
    return this.load();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /*
   * Fetch the page now; concurrent calls share one request.  fresh: the
   * caller just changed something, so an answer already on its way (asked
   * before the change) is not enough: ask again after it.
   */
  load(fresh = false) {
    if (!this.running) return Promise.resolve();
    if (this.loading) return fresh ? this.loading.then(() => this.load()) : this.loading;
    clearTimeout(this.timer);
    this.timer = null;
    this.loading = this.fetchAndRender().finally(() => {
      this.loading = null;
      this.schedule();
    });
    return this.loading;
  }

  schedule() {
    if (!this.running || this.timer) return;
    if (this.jobs.some((j) => UNFINISHED.has(j.status))) {
      this.timer = setTimeout(() => { this.timer = null; this.load(); }, POLL_MS);
    }
  }

  async fetchAndRender() {
    let res;
    try {
      res = await this.api.myExports(PAGE, this.offset);
      this.lastError = '';
    } catch (err) {
      if (err.status === 401) return;
      const msg = errorMessage(err);
      if (msg !== this.lastError) notify(msg, { kind: 'error' });
      this.lastError = msg;
      return;
    }
    const jobs = Array.isArray(res && res.jobs) ? res.jobs.filter((j) => j && typeof j.jobId === 'string') : [];
    const total = Number.isFinite(Number(res && res.total)) ? Number(res.total) : jobs.length;
    if (jobs.length === 0 && this.offset > 0 && total > 0) {
      this.offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      res = null;
      await this.fetchAndRender();
      return;
    }
    this.announce(jobs);
    this.jobs = jobs;
    this.total = total;
    this.render();
  }

  /* A notice for each job seen unfinished before and finished now. */
  announce(jobs) {
    for (const job of jobs) {
      const before = this.seen.get(job.jobId);
      if (before && UNFINISHED.has(before) && !UNFINISHED.has(job.status)) {
        const id = shortId(job.jobId);
        if (job.status === 'completed' && job.result) {
          const r = job.result;
          const link = r.downloadUrl && !r.expired
            ? h('a', { href: r.downloadUrl, download: '' }, t('mine.download')) : null;
          notify(t('mine.done', {
            name: title(job),
            rows: t('mine.rows', { count: Number(r.rowCount) || 0 }),
            size: formatBytes(Number(r.fileSize)),
          }), { kind: 'success', link, timeoutMs: 0 });
        } else if (job.status === 'failed') {
          notify(job.error ? t('mine.failed', { id, reason: job.error })
            : t('mine.failedNoReason', { id }), { kind: 'error' });
        }
      }
      this.seen.set(job.jobId, job.status);
    }
  }

  actionsFor(job) {
    const id = shortId(job.jobId);
    const btns = [];
    const r = job.result && typeof job.result === 'object' ? job.result : null;
    if (job.status === 'completed' && r && r.downloadUrl && !r.expired) {
      btns.push(h('a', {
        /* download without a value: the server's Content-Disposition names the file */
        class: 'btn btn-small btn-primary', href: r.downloadUrl, download: '',
        'aria-label': t('mine.downloadLabel', { name: title(job) }),
        dataset: { focus: `${job.jobId}:download` },
      }, t('mine.download')));
    }
    if (UNFINISHED.has(job.status)) {
      btns.push(h('button', {
        type: 'button', class: 'btn btn-small', 'aria-label': t('mine.cancelLabel', { id }),
        dataset: { focus: `${job.jobId}:cancel`, action: 'cancel' },
        onclick: (ev) => this.cancel(job, ev.currentTarget),
      }, t('mine.cancel')));
    } else {
      btns.push(h('button', {
        type: 'button', class: 'btn btn-small btn-danger', 'aria-label': t('mine.deleteLabel', { id }),
        dataset: { focus: `${job.jobId}:delete`, action: 'delete' },
        onclick: (ev) => this.forget(job, ev.currentTarget),
      }, t('mine.delete')));
    }
    return h('div', { class: 'row-actions' }, btns);
  }

  row(job) {
    const p = progressOf(job);
    const r = job.result && typeof job.result === 'object' ? job.result : null;
    const id = shortId(job.jobId);
    const statusCell = [h('span', { class: `badge badge-${job.status}` }, statusLabel(job.status))];
    if (job.status === 'failed' && job.error) statusCell.push(h('span', { class: 'block error-text' }, job.error));
    if (job.status === 'delayed' && job.attemptsMade) {
      statusCell.push(h('span', { class: 'block muted' }, t('mine.attempt', { n: job.attemptsMade })));
    }
    const progressCell = [
      h('div', { class: 'progress-line' },
        h('progress', { max: 100, value: p, 'aria-label': t('mine.progressLabel', { id }) }),
        h('span', { class: 'progress-pct' }, `${formatNumber(p)} %`)),
    ];
    if ((job.status === 'waiting' || job.status === 'delayed') && Number(job.position) > 0) {
      progressCell.push(h('span', { class: 'block muted position' },
        t('mine.position', { position: formatNumber(Number(job.position)) })));
    }
    if (job.status === 'active' && Number.isFinite(Number(job.etaSeconds)) && job.etaSeconds !== null) {
      progressCell.push(h('span', { class: 'block muted' }, t('mine.eta', { time: formatDuration(Number(job.etaSeconds)) })));
    }
    const rows = r && Number.isFinite(Number(r.rowCount)) ? Number(r.rowCount) : Number(job.rowsWritten);
    let expires = '';
    if (r) expires = r.expired ? t('mine.expired') : formatDateTime(r.expiresAt);
    return h('tr', { role: 'row', dataset: { jobId: job.jobId, status: job.status } },
      cell(t('mine.col.requested'), formatDateTime(job.requestedAt)),
      cell(t('mine.col.what'), ...what(job)),
      cell(t('mine.col.status'), ...statusCell),
      cell(t('mine.col.progress'), ...progressCell),
      cell(t('mine.col.rows'), Number.isFinite(rows) ? formatNumber(rows) : ''),
      cell(t('mine.col.size'), r ? formatBytes(Number(r.fileSize)) : ''),
      cell(t('mine.col.expires'), expires),
      cell(t('mine.col.actions'), this.actionsFor(job)));
  }

  render() {
    const active = document.activeElement;
    const focusKey = active && this.root.contains(active) ? active.dataset.focus : null;
    const focusRow = focusKey ? focusKey.split(':')[0] : null;
    if (this.jobs.length === 0) {
      this.root.replaceChildren(h('p', { class: 'empty' }, t('mine.empty')));
    } else {
      const cols = ['requested', 'what', 'status', 'progress', 'rows', 'size', 'expires', 'actions'];
      const table = h('table', { class: 'jobs', role: 'table', id: 'mine-table' },
        h('caption', { class: 'visually-hidden' }, t('mine.caption')),
        h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
          cols.map((c) => h('th', { scope: 'col', role: 'columnheader' }, t(`mine.col.${c}`))))),
        h('tbody', { role: 'rowgroup' }, this.jobs.map((j) => this.row(j))));
      const pages = pager({
        offset: this.offset, limit: PAGE, total: this.total, what: t('mine.heading'),
        onPage: (o) => { this.offset = o; this.load(true); },
      });
      this.root.replaceChildren(...[h('div', { class: 'table-wrap' }, table), pages].filter(Boolean));
    }
    if (focusKey) {
      const again = this.root.querySelector(`[data-focus="${CSS.escape(focusKey)}"]:not(:disabled)`)
        || this.root.querySelector(`tr[data-job-id="${CSS.escape(focusRow)}"] [data-focus]`)
        || (focusRow === 'pager' ? this.root.querySelector('[data-focus^="pager:"]:not(:disabled)') : null);
      (again || $('#mine-heading')).focus();
    }
  }

  async cancel(job, btn) {
    const id = shortId(job.jobId);
    btn.disabled = true;
    try {
      await this.api.cancelExport(job.jobId);
      /* An active job stops within seconds (202); a waiting one is gone now. */
      notify(job.status === 'active' ? t('mine.stopping', { id }) : t('mine.cancelled', { id }),
        { kind: 'success' });
      this.seen.set(job.jobId, 'cancelled');
    } catch (err) {
      if (err.status !== 401) notify(errorMessage(err), { kind: 'error' });
    }
    await this.load(true);
  }

  async forget(job, btn) {
    const id = shortId(job.jobId);
    const rowIndex = this.jobs.findIndex((j) => j.jobId === job.jobId);
    btn.disabled = true;
    try {
      await this.api.forgetExport(job.jobId);
      this.seen.delete(job.jobId);
      notify(t('mine.deleted', { id }), { kind: 'success' });
    } catch (err) {
      if (err.status !== 401) notify(errorMessage(err), { kind: 'error' });
    }
    await this.load(true);
    /* The row is gone: continue from the row that took its place. */
    const next = this.root.querySelectorAll('tbody tr')[Math.max(0, rowIndex)]
      || this.root.querySelector('tbody tr:last-child');
    const target = next ? next.querySelector('[data-focus]') : null;
    (target || $('#mine-heading')).focus();
  }

  /* A job was just queued: show the first page and watch it. */
  watch(jobId) {
    if (jobId) this.seen.set(jobId, 'waiting');
    this.offset = 0;
    return this.load(true);
  }
}

/* The Exports tab; start() once signed in, stop() when signing out. */
export function createExports({ api, identity }) {
  const mine = new MyExports({ api });
  const form = new ExportForm({ api, identity, onQueued: (jobId) => mine.watch(jobId) });
  return {
    start() {
      form.init();
      return mine.start();
    },
    stop() {
      mine.stop();
    },
    refresh() {
      return mine.load();
    },
  };
}
