/*
 * i18n.js - every user-visible string of the page, and the formatting of
 * numbers, sizes and times for the reader's locale.
 *
 * To translate: copy the `en` catalogue below to a new key (the BCP 47
 * language, e.g. `de`), translate the values and keep the keys and the
 * {placeholders}.  A value may be an object of plural forms
 * ({one, other, ...}, Intl.PluralRules categories) chosen by the `count`
 * parameter.  The page picks the first catalogue matching
 * navigator.languages, else `en`; a key missing from a translation falls
 * back to English.  index.html holds no text of its own: its elements name
 * keys in data-i18n (text), data-i18n-label (aria-label),
 * data-i18n-placeholder and data-i18n-title.
 */

const catalogs = {
  en: {
    'app.title': 'Usage exports',
    'app.skip': 'Skip to content',
    'app.loading': 'Loading…',
    'app.signedInAs': 'Signed in as {who}',
    'app.signOut': 'Sign out',
    'app.nav': 'Sections',
    'app.roles': 'Roles: {roles}',
    'app.noRoles': 'no roles',

    'tab.exports': 'Exports',
    'tab.queue': 'Queue',

    'signin.heading': 'Sign in',
    'signin.intro': 'Paste the access token (a JWT) you were given. It is kept in this browser tab only and forgotten when the tab closes.',
    'signin.token': 'Access token',
    'signin.submit': 'Sign in',
    'signin.empty': 'Paste a token first.',
    'signin.malformed': 'This does not look like an access token: it should be three parts separated by dots (a JWT).',
    'signin.expired': 'This token expired on {when}. Ask for a new one.',
    'signin.noExp': 'This token has no expiry date and the server will refuse it.',
    'signin.checking': 'Checking the token…',
    'signin.ok': 'Signed in.',
    'signin.signedOut': 'You are signed out.',

    'auth.401': 'The server refused your token (401): it is invalid or has expired. Sign in again with a new token.',
    'auth.403': 'Your account may not do this (403). Ask an administrator for the role you need.',
    'auth.403usage': 'Your token is valid, but your account may not export usage data (403). Ask an administrator for the admin or adminReadonly role.',

    'export.heading': 'New export',
    'export.type': 'Data',
    'export.type.user-breakdown': 'By user',
    'export.type.model-breakdown': 'By model',
    'export.type.provider-breakdown': 'By provider',
    'export.type.raw-data': 'Every request (raw data)',
    'export.format': 'File format',
    'export.format.csv': 'CSV',
    'export.format.json': 'JSON',
    'export.format.excel': 'Excel (.xlsx)',
    'export.range': 'Period',
    'export.preset': 'Preset',
    'export.preset.last7': 'Last 7 days',
    'export.preset.thisMonth': 'This month',
    'export.preset.lastMonth': 'Last month',
    'export.preset.thisYear': 'This year',
    'export.preset.custom': 'Custom dates',
    'export.startDate': 'From',
    'export.endDate': 'To (inclusive)',
    'export.timezone': 'Time zone',
    'export.timezoneHint': 'Days start at midnight in this zone. Defaults to your browser\u2019s.',
    'export.filters': 'Filters (optional)',
    'export.userId': 'User ID',
    'export.modelId': 'Model',
    'export.provider': 'Provider',
    'export.filterHint': 'Exact match; leave empty for all.',
    'export.more': 'More options',
    'export.priority': 'Priority',
    'export.priority.normal': 'Normal',
    'export.priority.low': 'Low',
    'export.priority.high': 'High (admins only)',
    'export.csvBom': 'Start the CSV with a byte order mark (helps Excel read accents)',
    'export.formulaGuard': 'Protect against spreadsheet formulas in text cells',
    'export.submit': 'Start export',
    'export.submitting': 'Starting…',
    'export.queued': 'Export queued: it is number {position} in line.',
    'export.queuedNoPos': 'Export queued.',
    'export.invalid': 'The export was not started. Check the fields marked below.',
    'export.rateLimited': 'Too many exports for now. Try again in {seconds} s.',
    'export.rateLimitedNoWait': 'Too many exports for now. Try again later.',

    'valid.required': 'Required.',
    'valid.dateOrder': 'The start must not be after the end.',
    'valid.timezone': 'Unknown time zone.',

    'mine.heading': 'My exports',
    'mine.caption': 'Your exports, newest first',
    'mine.empty': 'You have no exports yet.',
    'mine.refresh': 'Refresh',
    'mine.col.requested': 'Requested',
    'mine.col.what': 'Export',
    'mine.col.status': 'Status',
    'mine.col.progress': 'Progress',
    'mine.col.rows': 'Rows',
    'mine.col.size': 'Size',
    'mine.col.expires': 'Expires',
    'mine.col.actions': 'Actions',
    'mine.what': '{type}, {format}, {start} – {end}',
    'mine.progressLabel': 'Progress of export {id}',
    'mine.position': 'Number {position} in line',
    'mine.eta': 'about {time} left',
    'mine.attempt': 'attempt {n}',
    'mine.download': 'Download',
    'mine.downloadLabel': 'Download {name}',
    'mine.cancel': 'Cancel',
    'mine.cancelLabel': 'Cancel export {id}',
    'mine.delete': 'Delete',
    'mine.deleteLabel': 'Delete export {id} and its file',
    'mine.expired': 'expired',
    'mine.cancelled': 'Export {id} cancelled.',
    'mine.stopping': 'Export {id} is stopping.',
    'mine.deleted': 'Export {id} deleted.',
    'mine.done': 'Your export ({name}) is ready: {rows}, {size}.',
    'mine.failed': 'Export {id} failed: {reason}',
    'mine.failedNoReason': 'Export {id} failed.',
    'mine.rows': { one: '{count} row', other: '{count} rows' },

    'status.waiting': 'Waiting',
    'status.active': 'Running',
    'status.delayed': 'Retrying soon',
    'status.completed': 'Ready',
    'status.failed': 'Failed',
    'status.cancelled': 'Cancelled',
    'status.paused': 'Paused',

    'queue.heading': 'Queue',
    'queue.stats': 'Jobs by state',
    'queue.statsUpdated': 'Updated {time}',
    'queue.workers': 'Workers',
    'queue.running': 'Dispatch is running.',
    'queue.paused': 'Dispatch is paused: waiting jobs stay waiting, running jobs finish.',
    'queue.pause': 'Pause queue',
    'queue.resume': 'Resume queue',
    'queue.pausedNotice': 'Queue paused.',
    'queue.resumedNotice': 'Queue resumed.',
    'queue.state': 'Show jobs that are',
    'queue.jobs': 'Jobs',
    'queue.jobsCaption': '{state} jobs',
    'queue.noJobs': 'No jobs in this state.',
    'queue.col.job': 'Job',
    'queue.col.requested': 'Requested',
    'queue.col.what': 'Export',
    'queue.col.state': 'State',
    'queue.col.attempts': 'Attempts',
    'queue.col.detail': 'Detail',
    'queue.col.actions': 'Actions',
    'queue.retry': 'Retry',
    'queue.retryLabel': 'Retry job {id}',
    'queue.remove': 'Remove',
    'queue.removeLabel': 'Remove job {id}',
    'queue.retried': 'Job {id} is waiting again.',
    'queue.removed': 'Job {id} removed.',
    'queue.workersCaption': 'Live workers',
    'queue.noWorkers': 'No worker is running.',
    'queue.col.host': 'Host',
    'queue.col.pid': 'PID',
    'queue.col.current': 'Current job',
    'queue.col.since': 'Since',
    'queue.col.heartbeat': 'Last heartbeat',
    'queue.idle': 'idle',

    'page.prev': 'Previous',
    'page.next': 'Next',
    'page.range': '{from}–{to} of {total}',
    'page.nav': 'Pages of {what}',

    'error.network': 'The server could not be reached. Check your connection and try again.',
    'error.timeout': 'The server took too long to answer.',
    'error.badResponse': 'The server sent an unexpected answer (HTTP {status}).',
    'error.unavailable': 'The service is temporarily unavailable. Try again in {seconds} s.',
    'error.generic': '{message}',
    'error.notFound': 'That export no longer exists.',
    'error.conflict': '{message}',

    'notice.dismiss': 'Dismiss',
    'time.justNow': 'just now',
  },
};

let lang = 'en';
let catalog = catalogs.en;

/* Pick the catalogue for the reader; returns the language chosen. */
export function initI18n(languages = navigator.languages || [navigator.language]) {
  for (const wanted of languages) {
    if (!wanted) continue;
    const base = wanted.toLowerCase().split('-')[0];
    if (catalogs[wanted]) { lang = wanted; break; }
    if (catalogs[base]) { lang = base; break; }
  }
  catalog = catalogs[lang] || catalogs.en;
  document.documentElement.lang = lang;
  return lang;
}

/* The message for key with {name} placeholders filled from params. */
export function t(key, params = {}) {
  let msg = catalog[key] ?? catalogs.en[key];
  if (msg === undefined) return key;
  if (typeof msg === 'object') {
    const n = Number(params.count ?? 0);
    const cat = new Intl.PluralRules(lang).select(n);
    msg = msg[cat] ?? msg.other;
    params = { ...params, count: formatNumber(n) };
  }
  return msg.replace(/\{(\w+)\}/g, (m, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m);
}

/* The label of an API value (a status, type, format): `${prefix}.${value}`,
 * or the value itself when the catalogue has no such key. */
export function labelFor(prefix, value) {
  const key = `${prefix}.${value}`;
  const s = t(key);
  return s === key ? String(value ?? '') : s;
}

/* Fill the text and attributes named by data-i18n* under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
}

export function formatNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}

/* Bytes in B, kB, MB, GB (powers of 1000, as file managers show them). */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return new Intl.NumberFormat(lang, {
    style: 'unit', unit: units[i], unitDisplay: 'short',
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(n);
}

/* An API time (UTC ISO 8601) in the reader's zone; '' when absent or bad. */
export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatTime(d) {
  return new Intl.DateTimeFormat(lang, { timeStyle: 'medium' }).format(d);
}

/* A YYYY-MM-DD calendar date as the reader writes dates. */
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return ymd || '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/* A duration in seconds, rounded the way people say it ("2 min"). */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const [value, unit] = s < 60 ? [s, 'second'] : s < 3600 ? [Math.round(s / 60), 'minute']
    : [Math.round(s / 360) / 10, 'hour'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}
