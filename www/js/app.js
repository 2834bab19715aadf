/*
 * app.js - start-up, sign-in and the two tabs.
 *
 * On load the token comes from a one-time `#token=...` link or from this
 * tab's sessionStorage; a pasted one goes through the sign-in form.  Before
 * showing anything, one my-exports call checks it with the API, whose
 * 401/403 decide (the claims only choose whether to offer the Queue tab).
 * Signing out (or a 401 later on) forgets the token and reloads the page,
 * so no timer or listener of the old session survives.
 */

import { Api } from './api.js';
import { parseToken, isExpired, takeTokenFromFragment, loadToken, saveToken, clearToken } from './auth.js';
import { $, notify, errorMessage } from './dom.js';
import { initI18n, applyI18n, t, formatDateTime } from './i18n.js';
import { createExports } from './exports.js';
import { createQueue } from './queue.js';

const SIGNOUT_KEY = 'exportq.signout'; /* why the last session ended, shown once */

let token = null;
let session = null; /* {identity, api, exports, queue} once signed in */

function showOnly(id) {
  for (const sel of ['#loading', '#signin', '#panel-exports', '#panel-queue']) {
    $(sel).hidden = sel !== id;
  }
}

/* ---- sign-in ---- */

function showSignIn(message = '') {
  $('#who').hidden = true;
  $('#tabs').hidden = true;
  showOnly('#signin');
  const err = $('#signin-error');
  err.textContent = message;
  err.hidden = !message;
  const field = $('#token');
  if (message) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
  return field;
}

/*
 * Problems the page can see in a token without asking (not a JWT, expired,
 * no expiry) as a message, or '' when it is worth sending.
 */
function tokenProblem(claims) {
  if (!claims) return t('signin.malformed');
  if (claims.exp === null) return t('signin.noExp');
  if (isExpired(claims)) return t('signin.expired', { when: formatDateTime(new Date(claims.exp * 1000).toISOString()) });
  return '';
}

/* End the session: forget the token, reload clean, say why once. */
function signOut(reasonKey) {
  clearToken();
  token = null;
  try { sessionStorage.setItem(SIGNOUT_KEY, reasonKey); } catch { /* shown nowhere then */ }
  window.location.replace(window.location.pathname + window.location.search);
}

function describeWho(identity) {
  const who = identity.email || identity.userId || '?';
  const roles = identity.roles.length ? identity.roles.join(', ') : t('app.noRoles');
  $('#who-name').textContent = t('app.signedInAs', { who });
  $('#who-name').title = t('app.roles', { roles });
  $('#who').hidden = false;
}

/*
 * Check a token with the API and, when it works, open the page.  interactive:
 * the user just pressed Sign in (focus moves to the page then).  Returns
 * '' on success or the message to show on the sign-in form.
 */
async function trySignIn(candidate, { interactive }) {
  const claims = parseToken(candidate);
  const problem = tokenProblem(claims);
  if (problem) return problem;
  token = candidate.trim();
  const api = new Api({
    getToken: () => token,
    onAuthFailure: () => { if (session) signOut('auth.401'); },
  });
  try {
    await api.myExports(1, 0);
  } catch (err) {
    token = null;
    if (err.status === 401) { clearToken(); return t('auth.401'); }
    if (err.status === 403) { clearToken(); return t('auth.403usage'); }
    return errorMessage(err);
  }
  saveToken(token);
  openSession(claims, api, interactive);
  return '';
}

/* ---- tabs ---- */

function tabs() {
  return [...document.querySelectorAll('#tabs [role="tab"]')].filter((tab) => !tab.hidden);
}

function selectTab(name, { focusTab = false } = {}) {
  const all = tabs();
  const target = all.find((tab) => tab.id === `tab-${name}`) || all[0];
  for (const tab of all) {
    const on = tab === target;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#${tab.getAttribute('aria-controls')}`).hidden = !on;
  }
  $('#panel-queue').hidden = target.id !== 'tab-queue';
  if (focusTab) target.focus();
  const hash = target.id === 'tab-queue' ? '#queue' : '';
  if (window.location.hash !== hash) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + hash);
  }
  if (!session) return;
  if (target.id === 'tab-queue') session.queue.show();
  else session.queue.hide();
}

/* The WAI-ARIA tabs keyboard model: arrows move and select, Home/End jump. */
function onTabKey(ev) {
  const all = tabs();
  const i = all.indexOf(document.activeElement);
  if (i < 0) return;
  let j = null;
  if (ev.key === 'ArrowRight') j = (i + 1) % all.length;
  else if (ev.key === 'ArrowLeft') j = (i - 1 + all.length) % all.length;
  else if (ev.key === 'Home') j = 0;
  else if (ev.key === 'End') j = all.length - 1;
  if (j === null) return;
  ev.preventDefault();
  selectTab(all[j].id.replace(/^tab-/, ''), { focusTab: true });
}

/* ---- the signed-in page ---- */

function forbidQueue(err) {
  notify(err && err.status === 403 ? t('auth.403') : errorMessage(err), { kind: 'error' });
  $('#tab-queue').hidden = true;
  selectTab('exports');
}

function openSession(identity, api, interactive) {
  const exportsView = createExports({ api, identity });
  const queue = createQueue({ api, onForbidden: forbidQueue });
  session = { identity, api, exports: exportsView, queue };
  describeWho(identity);
  $('#tab-queue').hidden = !identity.isAdmin;
  $('#tabs').hidden = false;
  showOnly('#panel-exports');
  exportsView.start();
  selectTab(window.location.hash === '#queue' && identity.isAdmin ? 'queue' : 'exports');
  if (interactive) {
    notify(t('signin.ok'), { kind: 'success', timeoutMs: 5000 });
    $('#main').focus();
  }
}

/* ---- start ---- */

async function main() {
  initI18n();
  applyI18n();
  document.title = t('app.title');

  $('#sign-out').addEventListener('click', () => signOut('signin.signedOut'));
  $('#tabs').addEventListener('keydown', onTabKey);
  for (const tab of document.querySelectorAll('#tabs [role="tab"]')) {
    tab.addEventListener('click', () => selectTab(tab.id.replace(/^tab-/, '')));
  }
  window.addEventListener('hashchange', () => {
    /* A sign-in link opened over this page: start over with its token. */
    const linked = takeTokenFromFragment();
    if (linked) {
      saveToken(linked);
      window.location.reload();
      return;
    }
    if (session && (window.location.hash === '#queue' || window.location.hash === '#exports')) {
      selectTab(window.location.hash.slice(1));
    }
  });

  const form = $('#signin-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const field = $('#token');
    const value = field.value.trim();
    if (!value) { showSignIn(t('signin.empty')).focus(); return; }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const status = $('#signin-error');
    status.hidden = false;
    status.textContent = t('signin.checking');
    const problem = await trySignIn(value, { interactive: true });
    button.disabled = false;
    if (problem) {
      showSignIn(problem).focus();
    } else {
      field.value = '';
    }
  });

  let reason = null;
  try {
    reason = sessionStorage.getItem(SIGNOUT_KEY);
    sessionStorage.removeItem(SIGNOUT_KEY);
  } catch { /* no storage: nothing to say */ }

  const fromLink = takeTokenFromFragment();
  const candidate = fromLink || loadToken();
  if (candidate) {
    const problem = await trySignIn(candidate, { interactive: false });
    if (!problem) return;
    clearToken();
    showSignIn(problem);
    return;
  }
  if (reason === 'auth.401') {
    showSignIn(t('auth.401'));
  } else {
    showSignIn();
    if (reason === 'signin.signedOut') notify(t('signin.signedOut'), { kind: 'info' });
  }
}

main().catch((e) => {
  /* A bug, not a server answer: say so rather than leave "Loading…". */
  showSignIn(String(e && e.message ? e.message : e));
});
