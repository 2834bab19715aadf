/*
 * queue.js - the Queue tab (role admin): counts by state, pause/resume,
 * the jobs of one state with paging, Retry and Remove, and the live
 * workers.  Everything refreshes every REFRESH_MS while the tab is shown
 * and stops when it is hidden.  The API's 403 is the final word on who may
 * see it: the tab only hides itself on that answer.
 */

import { h, $, notify, pager, shortId, errorMessage } from './dom.js';
import { t, labelFor, formatNumber, formatDateTime, formatDate, formatTime } from './i18n.js';

const REFRESH_MS = 5000;
const PAGE = 20;
const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'cancelled'];

const statusLabel = (v) => labelFor('status', v);

function cell(label, ...children) {
  /* One wrapper, so the narrow layout's label + value grid has two items. */
  return h('td', { role: 'cell', dataset: { label } }, h('div', { class: 'cell' }, ...children));
}

function table(id, caption, cols, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'jobs', role: 'table', id },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
        cols.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))),
      h('tbody', { role: 'rowgroup' }, rows)));
}

/* A worker of GET queue/workers: {id, host, pid, jobId (null when idle), since, lastHeartbeat}. */
function workerView(w) {
  return {
    host: typeof w.host === 'string' ? w.host : '',
    pid: Number.isFinite(Number(w.pid)) ? String(w.pid) : '',
    job: typeof w.jobId === 'string' ? w.jobId : '',
    since: w.since,
    heartbeat: w.lastHeartbeat,
  };
}

class QueueView {
  constructor({ api, onForbidden }) {
    this.api = api;
    this.onForbidden = onForbidden;
    this.state = 'waiting';
    this.offset = 0;
    this.paused = null;
    this.timer = null;
    this.visible = false;
    this.refreshing = null;
    this.lastError = '';
    this.wired = false;
  }

  wire() {
    if (this.wired) return;
    this.wired = true;
    $('#queue-state').addEventListener('change', (ev) => {
      this.state = ev.target.value;
      this.offset = 0;
      this.refresh(true);
    });
    $('#queue-toggle').addEventListener('click', () => this.toggle());
  }

  show() {
    this.wire();
    this.visible = true;
    return this.refresh();
  }

  hide() {
    this.visible = false;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /* Load it all now; fresh: ask again even if an answer is on its way. */
  refresh(fresh = false) {
    if (!this.visible) return Promise.resolve();
    if (this.refreshing) return fresh ? this.refreshing.then(() => this.refresh()) : this.refreshing;
    clearTimeout(this.timer);
    this.timer = null;
    this.refreshing = this.loadAll().finally(() => {
      this.refreshing = null;
      if (this.visible && !this.timer) {
        this.timer = setTimeout(() => { this.timer = null; this.refresh(); }, REFRESH_MS);
      }
    });
    return this.refreshing;
  }

  async loadAll() {
    const [stats, jobs, workers] = await Promise.allSettled([
      this.api.queueStats(),
      this.api.queueJobs(this.state, PAGE, this.offset),
      this.api.workers(),
    ]);
    const failed = [stats, jobs, workers].find((r) => r.status === 'rejected');
    if (failed) {
      const err = failed.reason;
      if (err.status === 403) { this.hide(); this.onForbidden(err); return; }
      if (err.status !== 401) {
        const msg = errorMessage(err);
        if (msg !== this.lastError) notify(msg, { kind: 'error' });
        this.lastError = msg;
      }
    } else {
      this.lastError = '';
    }
    if (stats.status === 'fulfilled') this.renderStats(stats.value || {});
    if (jobs.status === 'fulfilled') this.renderJobs(jobs.value || {});
    if (workers.status === 'fulfilled') this.renderWorkers(workers.value);
  }

  renderStats(s) {
    const dl = $('#stats');
    const items = [];
    for (const state of STATES) {
      const n = Number(s[state]);
      items.push(h('div', { class: `stat stat-${state}${state === this.state ? ' stat-current' : ''}` },
        h('dt', {}, statusLabel(state)),
        h('dd', { dataset: { state } }, Number.isFinite(n) ? formatNumber(n) : '–')));
    }
    const workers = Number(s.workers);
    items.push(h('div', { class: 'stat stat-workers' },
      h('dt', {}, t('queue.workers')),
      h('dd', { dataset: { state: 'workers' } }, Number.isFinite(workers) ? formatNumber(workers) : '–')));
    dl.replaceChildren(...items);
    this.paused = s.paused === true || s.paused === 1 || s.paused === '1';
    const line = $('#dispatch-state');
    line.textContent = this.paused ? t('queue.paused') : t('queue.running');
    line.classList.toggle('is-paused', this.paused);
    const btn = $('#queue-toggle');
    btn.textContent = this.paused ? t('queue.resume') : t('queue.pause');
    btn.dataset.action = this.paused ? 'resume' : 'pause';
    $('#stats-updated').textContent = t('queue.statsUpdated', { time: formatTime(new Date()) });
  }

  jobDetail(job) {
    const parts = [];
    if (job.status === 'waiting' || job.status === 'delayed') {
      if (Number(job.position) > 0) parts.push(t('mine.position', { position: formatNumber(Number(job.position)) }));
    } else if (job.status === 'active') {
      parts.push(`${formatNumber(Math.max(0, Math.min(100, Number(job.progress) || 0)))} %`);
    }
    if (job.status === 'completed' && job.result) {
      parts.push(t('mine.rows', { count: Number(job.result.rowCount) || 0 }));
    }
    const out = [parts.join(' · ')];
    if (job.error) out.push(h('span', { class: 'block error-text' }, String(job.error)));
    return out;
  }

  jobRow(job) {
    const id = shortId(job.jobId);
    const f = job.filters && typeof job.filters === 'object' ? job.filters : {};
    const whatText = t('mine.what', {
      type: labelFor('export.type', job.exportType), format: labelFor('export.format', job.format),
      start: formatDate(f.startDate), end: formatDate(f.endDate),
    });
    const actions = [];
    if (job.status === 'failed') {
      actions.push(h('button', {
        type: 'button', class: 'btn btn-small btn-primary', 'aria-label': t('queue.retryLabel', { id }),
        dataset: { focus: `${job.jobId}:retry`, action: 'retry' },
        onclick: (ev) => this.act(ev.currentTarget, () => this.api.retryJob(job.jobId), t('queue.retried', { id })),
      }, t('queue.retry')));
    }
    actions.push(h('button', {
      type: 'button', class: 'btn btn-small btn-danger', 'aria-label': t('queue.removeLabel', { id }),
      dataset: { focus: `${job.jobId}:remove`, action: 'remove' },
      onclick: (ev) => this.act(ev.currentTarget, () => this.api.removeJob(job.jobId), t('queue.removed', { id })),
    }, t('queue.remove')));
    return h('tr', { role: 'row', dataset: { jobId: job.jobId, status: job.status } },
      cell(t('queue.col.job'), h('code', { title: job.jobId }, id)),
      cell(t('queue.col.requested'), formatDateTime(job.requestedAt)),
      cell(t('queue.col.what'), whatText),
      cell(t('queue.col.state'), h('span', { class: `badge badge-${job.status}` }, statusLabel(job.status))),
      cell(t('queue.col.attempts'), Number.isFinite(Number(job.attemptsMade)) ? formatNumber(Number(job.attemptsMade)) : ''),
      cell(t('queue.col.detail'), ...this.jobDetail(job)),
      cell(t('queue.col.actions'), h('div', { class: 'row-actions' }, actions)));
  }

  renderJobs(res) {
    const root = $('#queue-jobs');
    const jobs = Array.isArray(res.jobs) ? res.jobs.filter((j) => j && typeof j.jobId === 'string') : [];
    const total = Number.isFinite(Number(res.total)) ? Number(res.total) : jobs.length;
    if (jobs.length === 0 && this.offset > 0 && total > 0) {
      this.offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      this.refresh();
      return;
    }
    const active = document.activeElement;
    const focusKey = active && root.contains(active) ? active.dataset.focus : null;
    for (const el of document.querySelectorAll('.stat')) {
      el.classList.toggle('stat-current', el.classList.contains(`stat-${this.state}`));
    }
    if (jobs.length === 0) {
      root.replaceChildren(h('p', { class: 'empty' }, t('queue.noJobs')));
    } else {
      const cols = ['job', 'requested', 'what', 'state', 'attempts', 'detail', 'actions']
        .map((c) => t(`queue.col.${c}`));
      const pages = pager({
        offset: this.offset, limit: PAGE, total, what: t('queue.jobs'),
        onPage: (o) => { this.offset = o; this.refresh(true); },
      });
      root.replaceChildren(...[
        table('queue-table', t('queue.jobsCaption', { state: statusLabel(this.state) }), cols,
          jobs.map((j) => this.jobRow(j))),
        pages].filter(Boolean));
    }
    if (focusKey) {
      const again = root.querySelector(`[data-focus="${CSS.escape(focusKey)}"]:not(:disabled)`)
        || (focusKey.startsWith('pager:') ? root.querySelector('[data-focus^="pager:"]:not(:disabled)') : null);
      (again || $('#queue-state')).focus();
    }
  }

  renderWorkers(res) {
    const root = $('#workers');
    const list = Array.isArray(res && res.workers) ? res.workers : [];
    if (list.length === 0) {
      root.replaceChildren(h('p', { class: 'empty' }, t('queue.noWorkers')));
      return;
    }
    const cols = ['host', 'pid', 'current', 'since', 'heartbeat'].map((c) => t(`queue.col.${c}`));
    const rows = list.filter((w) => w && typeof w === 'object').map(workerView).map((w) =>
      h('tr', { role: 'row' },
        cell(cols[0], w.host),
        cell(cols[1], w.pid),
        cell(cols[2], w.job ? h('code', { title: w.job }, shortId(w.job)) : h('span', { class: 'muted' }, t('queue.idle'))),
        cell(cols[3], formatDateTime(w.since)),
        cell(cols[4], formatDateTime(w.heartbeat))));
    root.replaceChildren(table('workers-table', t('queue.workersCaption'), cols, rows));
  }

  async toggle() {
    const btn = $('#queue-toggle');
    const pausing = !this.paused;
    btn.disabled = true;
    try {
      if (pausing) await this.api.pauseQueue();
      else await this.api.resumeQueue();
      notify(pausing ? t('queue.pausedNotice') : t('queue.resumedNotice'), { kind: 'success' });
    } catch (err) {
      if (err.status === 403) { this.hide(); this.onForbidden(err); return; }
      if (err.status !== 401) notify(errorMessage(err), { kind: 'error' });
    } finally {
      btn.disabled = false;
    }
    await this.refresh(true);
    btn.focus();
  }

  /* Run one row action, tell the reader, refresh, keep the focus in the list. */
  async act(btn, call, done) {
    btn.disabled = true;
    try {
      await call();
      notify(done, { kind: 'success' });
    } catch (err) {
      if (err.status === 403) { this.hide(); this.onForbidden(err); return; }
      if (err.status !== 401) notify(errorMessage(err), { kind: 'error' });
    }
    await this.refresh(true);
    if (!document.activeElement || document.activeElement === document.body) {
      const first = $('#queue-jobs [data-focus]');
      (first || $('#queue-state')).focus();
    }
  }
}

export function createQueue({ api, onForbidden }) {
  return new QueueView({ api, onForbidden });
}
