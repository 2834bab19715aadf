/*
 * dom.js - small helpers to build elements and to speak to the reader.
 * Text from the API only ever goes in through textContent or attributes
 * (h() never parses HTML), so a job name or error message cannot inject
 * markup.
 */

import { t, formatNumber } from './i18n.js';

/*
 * h('button', {class: 'x', onclick: fn, 'aria-label': '...'}, child, ...):
 * children are nodes or strings (as text); null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

/*
 * A notice in the page's live region: role=status notices are announced
 * politely, `error` ones (role=alert) at once.  Each has a Dismiss button;
 * success notices go away by themselves after a while, errors stay.
 * Returns the notice element.
 */
export function notify(message, { kind = 'info', link = null, timeoutMs = 15000 } = {}) {
  const area = kind === 'error' ? $('#alerts') : $('#notices');
  const body = h('p', { class: 'notice-text' }, message);
  if (link) body.append(' ', link);
  const note = h('div', { class: `notice notice-${kind}` }, body);
  const close = h('button', {
    type: 'button', class: 'notice-close', 'aria-label': t('notice.dismiss'),
    onclick: () => note.remove(),
  }, '×');
  note.append(close);
  area.append(note);
  while (area.children.length > 4) area.firstElementChild.remove();
  if (kind !== 'error' && timeoutMs > 0) setTimeout(() => note.remove(), timeoutMs);
  return note;
}

/*
 * A pager: "1–20 of 57" with Previous/Next, calling onPage(newOffset);
 * null when everything fits on one page (no empty landmark then).
 * `what` names the list for screen readers.
 */
export function pager({ offset, limit, total, what, onPage }) {
  if (total <= limit && offset === 0) return null;
  const nav = h('nav', { class: 'pager', 'aria-label': t('page.nav', { what }) });
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  nav.append(
    h('button', {
      type: 'button', class: 'btn btn-small', disabled: offset <= 0, dataset: { focus: 'pager:prev' },
      onclick: () => onPage(Math.max(0, offset - limit)),
    }, t('page.prev')),
    h('span', { class: 'pager-range' }, t('page.range', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(total) })),
    h('button', {
      type: 'button', class: 'btn btn-small', disabled: offset + limit >= total, dataset: { focus: 'pager:next' },
      onclick: () => onPage(offset + limit),
    }, t('page.next')),
  );
  return nav;
}

/* A shortened job id for display: the first 8 characters of the UUID. */
export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 8) : '';
}

/*
 * What to tell the reader about an ApiError.  Statuses the page understands
 * get a translated sentence; others (400, 404, 409...) carry the server's
 * own message, which names the precise problem.
 */
export function errorMessage(err) {
  if (!err || typeof err.status !== 'number') return t('error.network');
  if (err.code === 'timeout') return t('error.timeout');
  if (err.status === 0) return t('error.network');
  if (err.code === 'bad_response') return t('error.badResponse', { status: err.status });
  if (err.status === 401) return t('auth.401');
  if (err.status === 403) return t('auth.403');
  if (err.status === 429) {
    return err.retryAfter !== null ? t('export.rateLimited', { seconds: err.retryAfter })
      : t('export.rateLimitedNoWait');
  }
  if (err.status === 503) return t('error.unavailable', { seconds: err.retryAfter ?? 5 });
  return t('error.generic', { message: err.message });
}
