/*
 * api.js - the only door to the server: the HTTP API of SPEC §5 under
 * api/v1/ next to this page.  Every call sends the bearer token, parses the
 * JSON answer and turns any failure into an ApiError carrying the SPEC
 * error body ({code, message, statusCode, details}), so views never look
 * at raw responses.  A request that hangs is aborted after TIMEOUT_MS.
 */

const TIMEOUT_MS = 20000;

/* Where the API lives: beside the page, whatever path the page is served at. */
const API_BASE = new URL('api/v1/', document.baseURI);

export class ApiError extends Error {
  /*
   * status: HTTP status (0 when nothing came back); code: the API's error
   * code or one of network/timeout/bad_response; details: validation
   * problems [{field, message}]; retryAfter: seconds from Retry-After or null.
   */
  constructor({ status, code, message, details = [], retryAfter = null }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
    this.retryAfter = retryAfter;
  }
}

function retryAfterOf(res) {
  const v = res.headers.get('Retry-After');
  if (v === null) return null;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const when = Date.parse(v);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

/* The SPEC error body, checked field by field: a proxy may answer with HTML. */
function errorFromBody(res, body) {
  const e = body && typeof body === 'object' && body.error && typeof body.error === 'object'
    ? body.error : null;
  if (!e || typeof e.code !== 'string') {
    return new ApiError({ status: res.status, code: 'bad_response', retryAfter: retryAfterOf(res) });
  }
  const details = Array.isArray(e.details)
    ? e.details.filter((d) => d && typeof d.field === 'string' && typeof d.message === 'string')
    : [];
  return new ApiError({
    status: res.status,
    code: e.code,
    message: typeof e.message === 'string' ? e.message : e.code,
    details,
    retryAfter: retryAfterOf(res),
  });
}

export class Api {
  /*
   * getToken(): the bearer token or null.  onAuthFailure(err): called on
   * every 401 before the error is thrown, so the app can sign out once.
   */
  constructor({ getToken, onAuthFailure = () => {} }) {
    this.getToken = getToken;
    this.onAuthFailure = onAuthFailure;
  }

  async request(method, path, { query, body } = {}) {
    const url = new URL(path, API_BASE);
    if (query) {
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
      }
    }
    const headers = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    init.signal = ctl.signal;
    let res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      const code = ctl.signal.aborted ? 'timeout' : 'network';
      throw new ApiError({ status: 0, code, message: String(e && e.message ? e.message : e) });
    } finally {
      clearTimeout(timer);
    }
    let parsed = null;
    const text = await res.text().catch(() => '');
    if (text) {
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    }
    if (!res.ok) {
      const err = errorFromBody(res, parsed);
      if (res.status === 401) this.onAuthFailure(err);
      throw err;
    }
    if (parsed === undefined || (parsed === null && res.status !== 204)) {
      throw new ApiError({ status: res.status, code: 'bad_response' });
    }
    return parsed;
  }

  /* ---- exports (admin:usage) ---- */

  submitExport(body) {
    return this.request('POST', 'admin/usage/export-async', { body });
  }

  myExports(limit, offset) {
    return this.request('GET', 'admin/usage/my-exports', { query: { limit, offset } });
  }

  cancelExport(jobId) {
    return this.request('DELETE', `admin/usage/export/${encodeURIComponent(jobId)}`);
  }

  forgetExport(jobId) {
    return this.request('DELETE', `admin/usage/my-exports/${encodeURIComponent(jobId)}`);
  }

  /* ---- queue (admin:queue) ---- */

  queueStats() {
    return this.request('GET', 'admin/queue/stats');
  }

  queueJobs(state, limit, offset) {
    return this.request('GET', 'admin/queue/jobs', { query: { state, limit, offset } });
  }

  retryJob(jobId) {
    return this.request('POST', `admin/queue/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  removeJob(jobId) {
    return this.request('DELETE', `admin/queue/jobs/${encodeURIComponent(jobId)}`);
  }

  pauseQueue() {
    return this.request('POST', 'admin/queue/pause');
  }

  resumeQueue() {
    return this.request('POST', 'admin/queue/resume');
  }

  workers() {
    return this.request('GET', 'admin/queue/workers');
  }
}
