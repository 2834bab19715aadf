/*
 * lib.mjs - what the browser tests share: the stack's variables, tokens,
 * direct API and database calls (to set up and to check what the page
 * shows), a CSV reader, the Chromium launcher and a small test runner that
 * prints "ok"/"FAIL" per case and a last line "N passed, N failed".
 */

import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');

/* ---- the stack ---- */

/* Parse the `export K='v'` lines tests/lib/stack.sh writes to $STACK_DIR/env. */
export function readStackEnv(file) {
  const out = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if (v.startsWith("'")) {
      /* 'a'\''b' -> a'b, as _stack_q writes it */
      v = v.replace(/'\\''/g, '\u0000').replace(/^'|'$/g, '').replace(/\u0000/g, "'");
    } else if (v.startsWith('"')) {
      v = v.slice(1, -1);
    }
    out[m[1]] = v;
  }
  return out;
}

/* BASE_URL, JWT_SECRET, DATABASE_ADMIN_URL...: the environment wins over $STACK_DIR/env. */
export function stackConfig() {
  let env = {};
  if (process.env.STACK_DIR) env = readStackEnv(join(process.env.STACK_DIR, 'env'));
  const pick = (k) => process.env[k] || env[k] || '';
  const cfg = {
    baseUrl: pick('BASE_URL').replace(/\/+$/, ''),
    jwtSecret: pick('JWT_SECRET'),
    adminDbUrl: pick('DATABASE_ADMIN_URL'),
  };
  for (const [k, v] of Object.entries({ BASE_URL: cfg.baseUrl, JWT_SECRET: cfg.jwtSecret,
    DATABASE_ADMIN_URL: cfg.adminDbUrl })) {
    if (!v) throw new Error(`${k} is not set: give STACK_DIR (a running stack) or the variables`);
  }
  return cfg;
}

/* ---- tokens ---- */

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/* An HS256 JWT with userId, email, roles, exp (SPEC §4). */
export function mintToken(secret, { userId, email = `${userId}@example.com`, roles = [], ttl = 3600 }) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const body = b64url(JSON.stringify({ userId, email, roles, iat: now, exp: now + ttl }));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

export function uniqueUser(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/* ---- direct API calls (setup and cross-checks, never what is under test) ---- */

export async function api(cfg, token, method, path, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${cfg.baseUrl}/api/v1/${path}`, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, body: json, text };
}

/* Poll a job until pred(job) holds; returns the job or throws after timeoutMs. */
export async function waitJob(cfg, token, jobId, pred, timeoutMs = 60000, what = 'the expected state') {
  const end = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < end) {
    const r = await api(cfg, token, 'GET', `admin/usage/export-status/${jobId}`);
    if (r.status === 200) {
      last = r.body;
      if (pred(last)) return last;
    }
    await sleep(250);
  }
  throw new Error(`job ${jobId} did not reach ${what} in ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* ---- the database (admin role) ---- */

/* Run SQL with psql as the admin role; rows of tab-separated fields. */
export function psql(cfg, sql) {
  const out = execFileSync('psql', ['-X', '-qAt', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql, cfg.adminDbUrl],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* ---- CSV (RFC 4180) ---- */

export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 1; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 1; }
    else field += c;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length) throw new Error('CSV: last record does not end with CRLF');
  return rows;
}

/* ---- the browser ---- */

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/*
 * Debian's Chromium with a fresh profile directory, removed by close().
 * Each test opens its own page (so its own sessionStorage).
 */
export async function launch(chromium, { executablePath = process.env.CHROMIUM || '/usr/bin/chromium', downloadsDir } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'exportq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    downloadsPath: downloadsDir,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/* ---- the runner ---- */

export class Runner {
  constructor({ outDir, filter }) {
    this.outDir = outDir;
    this.shotDir = join(outDir, 'screenshots');
    rmSync(this.shotDir, { recursive: true, force: true }); /* no stale pictures of an older run */
    mkdirSync(this.shotDir, { recursive: true });
    this.filter = filter;
    this.cases = [];
    this.passed = 0;
    this.failed = 0;
  }

  add(name, fn, timeoutMs = 180000) {
    this.cases.push({ name, fn, timeoutMs });
  }

  /* Save a screenshot of page as <test>-<step>.png under screenshots/. */
  shooter(testName, page) {
    const slug = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return async (step, p = page) => {
      const file = join(this.shotDir, `${slug}--${step}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    };
  }

  async run(makeCtx) {
    for (const c of this.cases) {
      if (this.filter && !c.name.includes(this.filter)) continue;
      const t0 = Date.now();
      const ctx = await makeCtx(c.name);
      let timer;
      try {
        await Promise.race([
          c.fn(ctx),
          new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs); }),
        ]);
        if (ctx.check) await ctx.check();
        this.passed += 1;
        console.log(`ok   ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        this.failed += 1;
        console.log(`FAIL ${c.name}: ${e && e.stack ? e.stack : e}`);
        if (ctx.page && !ctx.page.isClosed()) {
          await ctx.shot('failure').catch(() => {});
        }
      } finally {
        clearTimeout(timer);
        await ctx.cleanup().catch(() => {});
      }
    }
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 && this.passed > 0;
  }
}

/* ---- assertions ---- */

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
