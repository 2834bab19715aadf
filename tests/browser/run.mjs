/*
 * run.mjs - end-to-end tests of the exportq page (www/) in Debian's headless
 * Chromium, driven by playwright-core, against a running stack.
 *
 *   STACK_DIR=/path/to/stack node tests/browser/run.mjs [FILTER]
 *
 * BASE_URL, JWT_SECRET and DATABASE_ADMIN_URL come from the environment or
 * $STACK_DIR/env.  Output (screenshots of every screen, downloads) goes to
 * $XQ_TEST_OUT/browser, else tests/out/browser.  Last line: "N passed, N failed".
 * tests/browser/run.sh installs what is missing and starts a stack itself.
 */

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, stackConfig, mintToken, uniqueUser, api, waitJob, psql, parseCsv, launch, Runner,
  assert, assertEqual, sleep,
} from './lib.mjs';

const cfg = stackConfig();
const outDir = process.env.XQ_TEST_OUT ? join(process.env.XQ_TEST_OUT, 'browser') : join(ROOT, 'tests', 'out', 'browser');
const downloadsDir = join(outDir, 'downloads');
mkdirSync(downloadsDir, { recursive: true });

const RAW_COLUMNS = ['requestId', 'startTime', 'endTime', 'userId', 'modelId', 'model', 'provider',
  'callType', 'status', 'promptTokens', 'completionTokens', 'totalTokens', 'spend', 'durationMs',
  'cacheHit', 'teamId', 'endUser'];

const token = (userId, roles, extra = {}) => mintToken(cfg.jwtSecret, { userId, roles, ...extra });
const adminToken = token('e2e-admin-api', ['admin']);

/* ---- page helpers ---- */

async function signInByLink(page, tok, fragment = '') {
  await page.goto(`${cfg.baseUrl}/#token=${tok}${fragment ? `&${fragment}` : ''}`);
  await page.locator('#tabs').waitFor({ state: 'visible', timeout: 15000 });
}

const row = (page, root, jobId) => page.locator(`${root} tr[data-job-id="${jobId}"]`);

/* Submit the form as it stands; returns the API's 202 body. */
async function submitForm(page, how = () => page.click('#export-submit')) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/admin/usage/export-async') && r.request().method() === 'POST'),
    how(),
  ]);
  const body = await res.json().catch(() => null);
  assertEqual(res.status(), 202, `POST export-async answered ${JSON.stringify(body)}`);
  assert(body && typeof body.jobId === 'string', 'no jobId in the 202 body');
  return body;
}

async function fillRange(page, { type, format, start, end, tz = 'UTC' }) {
  await page.selectOption('#exportType', type);
  await page.selectOption('#format', format);
  await page.fill('#timezone', tz);
  await page.fill('#startDate', start);
  await page.fill('#endDate', end);
  assertEqual(await page.inputValue('#preset'), 'custom', 'preset after typing dates');
}

async function pause(paused) {
  const r = await api(cfg, adminToken, 'POST', `admin/queue/${paused ? 'pause' : 'resume'}`);
  assert(r.status === 200, `queue ${paused ? 'pause' : 'resume'} answered ${r.status} ${r.text}`);
}

async function stats() {
  const r = await api(cfg, adminToken, 'GET', 'admin/queue/stats');
  assertEqual(r.status, 200, 'GET queue/stats status');
  return r.body;
}

/* Every visible form control and button has a name a screen reader can say. */
async function unlabelled(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, a[href], progress')]
    .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
    .filter((el) => {
      if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
      if (el.labels && el.labels.length) return false;
      return !(el.tagName === 'BUTTON' || el.tagName === 'A') || !el.textContent.trim();
    })
    .map((el) => el.outerHTML.slice(0, 120)));
}

async function overflowX(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
}

/* Tab forward until the element matching sel has the focus (keyboard only). */
async function tabTo(page, sel, max = 60) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return;
  }
  throw new Error(`${sel} never got the focus after ${max} Tab presses`);
}

/* ---- the cases ---- */

const runner = new Runner({ outDir, filter: process.argv[2] || '' });

runner.add('sign-in: pasted token, link, refusals and sign out', async ({ page, shot }) => {
  await page.goto(`${cfg.baseUrl}/`);
  await page.locator('#signin').waitFor({ state: 'visible' });
  assert(!(await page.isVisible('#tabs')), 'tabs shown before sign-in');
  await shot('signin');

  const tryToken = async (value, expect) => {
    await page.fill('#token', value);
    await page.click('#signin-form button[type="submit"]');
    await page.locator('#signin-error').filter({ hasText: expect }).waitFor({ timeout: 10000 });
    assertEqual(await page.getAttribute('#token', 'aria-invalid'), 'true', `token field marked invalid for ${expect}`);
    assert(await page.evaluate(() => document.activeElement.id === 'token'), 'focus back on the token field');
  };
  await tryToken('not a token', 'three parts');
  await tryToken(mintToken('wrong-secret', { userId: 'x', roles: ['admin'] }), '401');
  await shot('signin-401');
  await tryToken(token(uniqueUser('e2e-noroles'), []), '403');
  await shot('signin-403');
  await tryToken(token('e2e-old', ['admin'], { ttl: -120 }), 'expired');
  assertEqual(await page.evaluate(() => sessionStorage.getItem('exportq.token')), null, 'refused token not stored');

  const user = uniqueUser('e2e-paste');
  const good = token(user, ['adminReadonly']);
  await page.fill('#token', good);
  await page.click('#signin-form button[type="submit"]');
  await page.locator('#panel-exports').waitFor({ state: 'visible' });
  assert((await page.textContent('#who-name')).includes(`${user}@example.com`), 'signed-in user shown');
  assertEqual(await page.evaluate(() => sessionStorage.getItem('exportq.token')), good, 'token kept in sessionStorage');
  await page.reload();
  await page.locator('#panel-exports').waitFor({ state: 'visible' });
  await page.click('#sign-out');
  await page.locator('#signin').waitFor({ state: 'visible' });
  assertEqual(await page.evaluate(() => sessionStorage.getItem('exportq.token')), null, 'token forgotten on sign out');

  /* The link ./dev up prints: signed in, and the token gone from the address. */
  await signInByLink(page, good);
  assert(!page.url().includes('token'), `token still in the address: ${page.url()}`);
  assertEqual(await page.evaluate(() => window.location.hash), '', 'fragment removed');
  assertEqual(await page.evaluate(() => sessionStorage.getItem('exportq.token')), good, 'link token stored');
});

runner.add('a non-admin sees no queue tab', async ({ page, shot }) => {
  const user = uniqueUser('e2e-reader');
  const tok = token(user, ['adminReadonly']);
  await signInByLink(page, tok, 'queue');
  assert(await page.isVisible('#tabs'), 'tab list shown');
  assert(!(await page.isVisible('#tab-queue')), 'queue tab visible to a non-admin');
  assert(!(await page.isVisible('#panel-queue')), 'queue panel visible to a non-admin');
  assert(await page.isVisible('#panel-exports'), 'exports panel not shown');
  assertEqual(await page.locator('#priority option[value="high"]').count(), 0, 'high priority offered to a non-admin');
  /* The page's choice agrees with the API's. */
  const r = await api(cfg, tok, 'GET', 'admin/queue/stats');
  assertEqual(r.status, 403, 'queue/stats for adminReadonly');
  await shot('exports-non-admin');
});

runner.add('submit an export, watch it reach 100, download it and check its rows', async ({ page, shot }) => {
  const user = uniqueUser('e2e-export');
  await signInByLink(page, token(user, ['adminReadonly']));
  await page.locator('#mine .empty').waitFor();
  const start = '2026-01-01';
  const end = '2026-11-30';
  await fillRange(page, { type: 'raw-data', format: 'csv', start, end });
  await shot('export-form');
  const queued = await submitForm(page);
  const jobId = queued.jobId;
  await page.locator('#notices').filter({ hasText: 'Export queued' }).waitFor();

  const r = row(page, '#mine', jobId);
  await r.waitFor();
  const seen = [];
  const deadline = Date.now() + 150000;
  let shotTaken = false;
  for (;;) {
    assert(Date.now() < deadline, `export not completed in time; seen ${JSON.stringify(seen.slice(-5))}`);
    const state = await r.evaluate((tr) => ({
      status: tr.dataset.status, progress: tr.querySelector('progress').value,
    })).catch(() => null); /* the row is rebuilt on each poll */
    if (state) {
      const last = seen[seen.length - 1];
      if (!last || last.status !== state.status || last.progress !== state.progress) seen.push(state);
      if (!shotTaken && state.status !== 'completed') { await shot('export-progress'); shotTaken = true; }
      if (state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled') break;
    }
    await sleep(100);
  }
  const final = seen[seen.length - 1];
  assertEqual(final, { status: 'completed', progress: 100 }, 'final state in the table');
  for (let i = 1; i < seen.length; i += 1) {
    assert(seen[i].progress >= seen[i - 1].progress, `progress went down: ${JSON.stringify(seen)}`);
  }
  assertEqual(await r.locator('.progress-pct').textContent(), '100 %', 'progress text');
  await page.locator('#notices').filter({ hasText: 'is ready' }).waitFor({ timeout: 5000 });
  await shot('export-done');
  /* Nothing unfinished: the page stops polling. */
  let polls = 0;
  const onRequest = (req) => { if (req.url().includes('/my-exports')) polls += 1; };
  page.on('request', onRequest);
  await sleep(5000);
  page.off('request', onRequest);
  assertEqual(polls, 0, 'my-exports requests in 5 s after everything finished');

  const job = (await api(cfg, token(user, ['adminReadonly']), 'GET', `admin/usage/export-status/${jobId}`)).body;
  const expected = psql(cfg, `SELECT request_id FROM "LiteLLM_SpendLogs"
    WHERE "startTime" >= '${start}' AND "startTime" < DATE '${end}' + 1
    ORDER BY "startTime", request_id COLLATE "C"`).map((x) => x[0]);
  assert(expected.length > 0, 'the stack has no demo rows in the range: load some (DEMO_ROWS)');
  assertEqual(job.result.rowCount, expected.length, 'rowCount of the job');
  const rowsCell = (await r.locator('td[data-label="Rows"]').textContent()).trim();
  assertEqual(rowsCell, expected.length.toLocaleString('en-US'), 'Rows column');

  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    r.getByRole('link', { name: /Download/ }).click(),
  ]);
  const file = join(downloadsDir, dl.suggestedFilename());
  await dl.saveAs(file);
  /* The readable name of SPEC §5 (Content-Disposition), not the stored one. */
  assertEqual(dl.suggestedFilename(), 'raw-data_2026-01-01_2026-11-30.csv', 'downloaded file name');
  const rows = parseCsv(readFileSync(file, 'utf8'));
  assertEqual(rows[0], RAW_COLUMNS, 'CSV header');
  const ids = rows.slice(1).map((x) => x[0]);
  assertEqual(ids.length, expected.length, 'data rows in the file');
  assert(ids.every((id, i) => id === expected[i]), 'request ids differ from the database, or are out of order');
  assert(rows.slice(1).every((x) => x.length === RAW_COLUMNS.length), 'a row with the wrong number of fields');

  /* Delete: the row goes, the focus stays in the list. */
  await r.getByRole('button', { name: /Delete/ }).click();
  await r.waitFor({ state: 'detached' });
  await page.locator('#notices').filter({ hasText: 'deleted' }).waitFor();
  const gone = await api(cfg, token(user, ['adminReadonly']), 'GET', `admin/usage/export-status/${jobId}`);
  assertEqual(gone.status, 404, 'deleted job status');
});

runner.add('cancel a waiting export', async ({ page, shot }) => {
  const user = uniqueUser('e2e-cancel');
  const tok = token(user, ['adminReadonly']);
  await pause(true);
  try {
    await signInByLink(page, tok);
    await page.selectOption('#preset', 'lastMonth');
    const { jobId, position } = await submitForm(page);
    const r = row(page, '#mine', jobId);
    await page.locator(`#mine tr[data-job-id="${jobId}"][data-status="waiting"]`).waitFor();
    await r.locator('.position').filter({ hasText: `Number ${position} in line` }).waitFor();
    await shot('waiting');
    await r.getByRole('button', { name: /^Cancel export/ }).click();
    await page.locator(`#mine tr[data-job-id="${jobId}"][data-status="cancelled"]`).waitFor({ timeout: 10000 });
    await page.locator('#notices').filter({ hasText: 'cancelled' }).waitFor();
    assertEqual(await r.getByRole('button', { name: /^Cancel export/ }).count(), 0, 'Cancel still offered');
    assertEqual(await r.getByRole('button', { name: /^Delete export/ }).count(), 1, 'Delete offered');
    assertEqual(await r.getByRole('link', { name: /Download/ }).count(), 0, 'Download offered');
    const j = await api(cfg, tok, 'GET', `admin/usage/export-status/${jobId}`);
    assertEqual(j.body && j.body.status, 'cancelled', 'API status after Cancel');
    await shot('cancelled');
  } finally {
    await pause(false);
  }
});

runner.add('an admin pauses and resumes the queue', async ({ page, shot }) => {
  await pause(false);
  await signInByLink(page, token(uniqueUser('e2e-admin'), ['admin']));
  assert(await page.isVisible('#tab-queue'), 'queue tab hidden from an admin');
  /* Keyboard: arrows move between tabs. */
  await page.focus('#tab-exports');
  await page.keyboard.press('ArrowRight');
  assertEqual(await page.getAttribute('#tab-queue', 'aria-selected'), 'true', 'ArrowRight selects Queue');
  await page.locator('#panel-queue').waitFor({ state: 'visible' });
  await page.locator('#stats dd[data-state="waiting"]').waitFor();
  await page.locator('#queue-toggle[data-action="pause"]').waitFor();
  await shot('queue');

  await page.click('#queue-toggle');
  await page.locator('#queue-toggle[data-action="resume"]').waitFor();
  await page.locator('#dispatch-state.is-paused').waitFor();
  assertEqual((await stats()).paused, true, 'API paused after Pause');
  let jobId = null;
  try {
    /* Counts refresh by themselves every 5 s: a job queued behind the page's back shows up. */
    const before = Number((await page.textContent('#stats dd[data-state="waiting"]')).replace(/\D/g, ''));
    const sub = await api(cfg, adminToken, 'POST', 'admin/usage/export-async',
      { startDate: '2026-11-01', endDate: '2026-11-02', exportType: 'provider-breakdown', format: 'json' });
    assertEqual(sub.status, 202, `submit behind the page: ${sub.text}`);
    jobId = sub.body.jobId;
    await page.waitForFunction((n) => Number(document.querySelector('#stats dd[data-state="waiting"]').textContent.replace(/\D/g, '')) > n,
      before, { timeout: 8000 });
    await row(page, '#queue-jobs', jobId).waitFor({ timeout: 8000 });
    await shot('queue-paused');
    await page.click('#queue-toggle');
    await page.locator('#queue-toggle[data-action="pause"]').waitFor();
    assertEqual((await stats()).paused, false, 'API paused after Resume');
    await waitJob(cfg, adminToken, jobId, (j) => j.status === 'completed', 60000, 'completed after Resume');
  } finally {
    await pause(false);
  }
  /* The worker list shows every live worker the registry counts. */
  await page.locator('#workers-table tbody tr').first().waitFor({ timeout: 8000 });
  const live = (await stats()).workers;
  assert(live > 0, 'no live worker in the stack');
  await page.waitForFunction((n) => document.querySelectorAll('#workers-table tbody tr').length === n, live,
    { timeout: 8000 });
  await shot('queue-resumed');
});

runner.add('an admin retries a failed job', async ({ page, shot }) => {
  await pause(false);
  /* An SQL error fails a job at once (SPEC §10): hide the table for one job. */
  let jobId;
  psql(cfg, 'ALTER TABLE "LiteLLM_SpendLogs" RENAME TO "LiteLLM_SpendLogs_e2e_hidden"');
  try {
    const sub = await api(cfg, adminToken, 'POST', 'admin/usage/export-async',
      { startDate: '2026-11-01', endDate: '2026-11-30', exportType: 'model-breakdown', format: 'csv' });
    assertEqual(sub.status, 202, `submit: ${sub.text}`);
    jobId = sub.body.jobId;
    await waitJob(cfg, adminToken, jobId, (j) => j.status === 'failed', 90000, 'failed');
  } finally {
    psql(cfg, 'ALTER TABLE "LiteLLM_SpendLogs_e2e_hidden" RENAME TO "LiteLLM_SpendLogs"');
  }
  await signInByLink(page, token(uniqueUser('e2e-admin'), ['admin']), 'queue');
  await page.locator('#panel-queue').waitFor({ state: 'visible' });
  await page.selectOption('#queue-state', 'failed');
  const r = row(page, '#queue-jobs', jobId);
  await r.waitFor();
  assert((await r.textContent()).length > 0, 'failed row empty');
  await shot('failed-jobs');
  await r.getByRole('button', { name: /^Retry job/ }).click();
  await page.locator('#notices').filter({ hasText: 'waiting again' }).waitFor();
  const done = await waitJob(cfg, adminToken, jobId, (j) => j.status === 'completed', 90000, 'completed after Retry');
  assert(done.result && done.result.rowCount > 0, 'retried job wrote no rows');
  await r.waitFor({ state: 'detached', timeout: 8000 });
  await page.selectOption('#queue-state', 'completed');
  await row(page, '#queue-jobs', jobId).waitFor();
  await shot('retried-completed');
});

runner.add('My exports and the queue page through more than 20 jobs', async ({ page, shot }) => {
  /* 21 cancelled exports of one user (one pending at a time: under the limits). */
  const user = uniqueUser('e2e-pages');
  const tok = token(user, ['adminReadonly']);
  const ids = [];
  await pause(true);
  try {
    for (let i = 0; i < 21; i += 1) {
      const sub = await api(cfg, tok, 'POST', 'admin/usage/export-async',
        { startDate: '2026-11-01', endDate: '2026-11-01', exportType: 'provider-breakdown', format: 'csv' });
      assertEqual(sub.status, 202, `submit ${i}: ${sub.text}`);
      ids.push(sub.body.jobId);
      const c = await api(cfg, tok, 'DELETE', `admin/usage/export/${sub.body.jobId}`);
      assertEqual(c.status, 200, `cancel ${i}: ${c.text}`);
    }
  } finally {
    await pause(false);
  }
  await signInByLink(page, tok);
  const mineRows = page.locator('#mine tbody tr');
  await page.locator('#mine .pager-range').filter({ hasText: '1–20 of 21' }).waitFor();
  assertEqual(await mineRows.count(), 20, 'rows on the first page of My exports');
  assertEqual(await mineRows.first().getAttribute('data-job-id'), ids[20], 'newest first');
  await page.locator('#mine').getByRole('button', { name: 'Next' }).click();
  await page.locator('#mine .pager-range').filter({ hasText: '21–21 of 21' }).waitFor();
  assertEqual(await mineRows.count(), 1, 'rows on the second page');
  assertEqual(await mineRows.first().getAttribute('data-job-id'), ids[0], 'oldest last');
  assert(await page.evaluate(() => document.activeElement.dataset.focus === 'pager:prev'),
    'focus not kept on the pager');
  await shot('my-exports-page-2');

  /* The queue's cancelled jobs, as an admin. */
  await signInByLink(page, token(uniqueUser('e2e-admin'), ['admin']), 'queue');
  await page.locator('#panel-queue').waitFor({ state: 'visible' });
  await page.selectOption('#queue-state', 'cancelled');
  const total = (await api(cfg, adminToken, 'GET', 'admin/queue/jobs?state=cancelled&limit=1&offset=0')).body.total;
  assert(total >= 21, `only ${total} cancelled jobs`);
  const qRows = page.locator('#queue-jobs tbody tr');
  await page.locator('#queue-jobs .pager-range').filter({ hasText: `1–20 of ${total}` }).waitFor();
  assertEqual(await qRows.count(), 20, 'rows on the first queue page');
  await page.locator('#queue-jobs').getByRole('button', { name: 'Next' }).click();
  await page.locator('#queue-jobs .pager-range').filter({ hasText: `21–${Math.min(40, total)} of ${total}` }).waitFor();
  assertEqual(await qRows.count(), Math.min(20, total - 20), 'rows on the second queue page');
  await shot('queue-page-2');
});

runner.add('API validation errors appear next to their fields', async ({ page, shot }) => {
  await signInByLink(page, token(uniqueUser('e2e-valid'), ['adminReadonly']));
  /* Caught in the page: start after end. */
  await page.fill('#startDate', '2026-05-02');
  await page.fill('#endDate', '2026-05-01');
  await page.click('#export-submit');
  await page.locator('#err-endDate:not([hidden])').waitFor();
  assertEqual(await page.getAttribute('#endDate', 'aria-invalid'), 'true', 'endDate marked invalid');
  /* Caught by the API only: a filter over 256 bytes (200 two-byte characters). */
  await page.fill('#startDate', '2026-05-01');
  await page.fill('#userId', 'é'.repeat(200));
  const [res] = await Promise.all([
    page.waitForResponse((x) => x.url().includes('export-async')),
    page.click('#export-submit'),
  ]);
  assertEqual(res.status(), 400, 'API status for an over-long filter');
  const body = await res.json();
  assert(body.error.details.some((d) => d.field === 'userId'), `no userId detail: ${JSON.stringify(body)}`);
  await page.locator('#err-userId:not([hidden])').waitFor();
  assert((await page.textContent('#err-userId')).trim().length > 0, 'empty error text');
  assertEqual(await page.getAttribute('#userId', 'aria-invalid'), 'true', 'userId marked invalid');
  assert((await page.getAttribute('#userId', 'aria-describedby')).includes('err-userId'), 'error not tied to the field');
  assert(await page.evaluate(() => document.activeElement.id === 'userId'), 'focus not on the field in error');
  assert(await page.isHidden('#err-endDate'), 'old error still shown');
  await shot('validation');
});

runner.add('the time zone defaults to the browser\'s and date presets follow it', async ({ page, shot }) => {
  /* This page's browser lives in Tokyo. */
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Tokyo' });
  await signInByLink(page, token(uniqueUser('e2e-dates'), ['adminReadonly']));
  assertEqual(await page.inputValue('#timezone'), 'Asia/Tokyo', 'default time zone');

  const today = (tz) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).map((x) => [x.type, x.value]));
    return { y: Number(p.year), m: Number(p.month), d: Number(p.day) };
  };
  const ymd = (y, m, d) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
  for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC']) {
    await page.fill('#timezone', tz);
    await page.locator('#timezone').dispatchEvent('change');
    const { y, m, d } = today(tz);
    const want = {
      last7: [ymd(y, m, d - 6), ymd(y, m, d)],
      thisMonth: [ymd(y, m, 1), ymd(y, m, d)],
      lastMonth: [ymd(y, m - 1, 1), ymd(y, m, 0)],
      thisYear: [ymd(y, 1, 1), ymd(y, m, d)],
    };
    for (const [preset, range] of Object.entries(want)) {
      await page.selectOption('#preset', preset);
      assertEqual([await page.inputValue('#startDate'), await page.inputValue('#endDate')], range, `${preset} in ${tz}`);
    }
  }
  /* The zone goes to the API as typed; the job reports it back. */
  await page.fill('#timezone', 'America/New_York');
  await page.selectOption('#preset', 'lastMonth');
  const { jobId } = await submitForm(page);
  const j = await waitJob(cfg, adminToken, jobId, (x) => x.filters && x.filters.timezone, 10000, 'known');
  assertEqual(j.filters.timezone, 'America/New_York', 'timezone in the job');
  await shot('presets');
});

runner.add('keyboard only, labelled, readable at 360 px', async ({ page, shot }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(`${cfg.baseUrl}/`);
  await page.locator('#signin').waitFor({ state: 'visible' });
  assertEqual(await overflowX(page), 0, 'horizontal scroll on the sign-in screen');
  assertEqual(await unlabelled(page), [], 'unlabelled controls on the sign-in screen');
  await shot('360-signin');
  await tabTo(page, '#token');
  await page.keyboard.insertText(token(uniqueUser('e2e-kbd'), ['admin']));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#panel-exports').waitFor({ state: 'visible' });
  await page.keyboard.press('Tab'); /* focus moved to the page: keep going from there */
  const { jobId } = await submitForm(page, async () => { await tabTo(page, '#export-submit'); await page.keyboard.press('Enter'); });
  await row(page, '#mine', jobId).waitFor();
  await waitJob(cfg, adminToken, jobId, (j) => j.status === 'completed', 90000, 'completed');
  await page.locator(`#mine tr[data-job-id="${jobId}"][data-status="completed"]`).waitFor({ timeout: 10000 });
  assertEqual(await overflowX(page), 0, 'horizontal scroll on the exports screen');
  assertEqual(await unlabelled(page), [], 'unlabelled controls on the exports screen');
  await shot('360-exports');
  /* Reach the Download link by keyboard alone. */
  await tabTo(page, `#mine tr[data-job-id="${jobId}"] a`, 120);
  await page.focus('#tab-exports');
  await page.keyboard.press('ArrowRight');
  await page.locator('#panel-queue').waitFor({ state: 'visible' });
  await page.locator('#stats dd[data-state="waiting"]').waitFor();
  await page.selectOption('#queue-state', 'completed');
  await page.locator('#queue-jobs tr[data-job-id]').first().waitFor();
  assertEqual(await overflowX(page), 0, 'horizontal scroll on the queue screen');
  assertEqual(await unlabelled(page), [], 'unlabelled controls on the queue screen');
  await shot('360-queue');
});

/* ---- run ---- */

const browser = await launch(chromium, { downloadsDir });
const ok = await runner.run(async (name) => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e && e.stack ? e.stack : e)));
  /* The page's own Content-Security-Policy must not block any of its parts. */
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  const shoot = runner.shooter(name, page);
  return {
    page,
    shot: shoot,
    /* An uncaught error in the page fails the case even if its steps passed. */
    async check() {
      if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
    },
    async cleanup() {
      await page.close().catch(() => {});
    },
  };
});
await browser.close();
process.exitCode = ok ? 0 : 1;
