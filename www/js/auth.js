/*
 * auth.js - the access token: where it comes from (a pasted value, or a
 * one-time `#token=...` link as `./dev up` prints), where it is kept
 * (sessionStorage: this tab only, gone when it closes) and what its payload
 * says.  The browser cannot check the HS256 signature and does not try:
 * claims only decide what to show; the API's 401/403 are the final word.
 */

const STORAGE_KEY = 'exportq.token';

/* Decode one base64url segment to a string (UTF-8); null on bad input. */
function b64urlDecode(seg) {
  if (!/^[A-Za-z0-9_-]*$/.test(seg)) return null;
  let s = seg.replace(/-/g, '+').replace(/_/g, '/');
  while (s.length % 4) s += '=';
  try {
    const bin = atob(s);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/*
 * The claims of a JWT as {userId, email, roles, exp, isAdmin, canExport},
 * or null when the text is not a JWT with a JSON object payload.
 * userId wins over sub, as on the server (SPEC §10).
 */
export function parseToken(token) {
  if (typeof token !== 'string') return null;
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return null;
  const json = b64urlDecode(parts[1]);
  if (json === null) return null;
  let p;
  try { p = JSON.parse(json); } catch { return null; }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return null;
  const roles = Array.isArray(p.roles) ? p.roles.filter((r) => typeof r === 'string') : [];
  const userId = typeof p.userId === 'string' && p.userId ? p.userId
    : typeof p.sub === 'string' ? p.sub : '';
  return {
    userId,
    email: typeof p.email === 'string' ? p.email : '',
    roles,
    exp: typeof p.exp === 'number' ? p.exp : null,
    isAdmin: roles.includes('admin'),
    canExport: roles.includes('admin') || roles.includes('adminReadonly'),
  };
}

/* True when the claims carry an expiry in the past (or none at all). */
export function isExpired(claims, nowMs = Date.now()) {
  return !claims || claims.exp === null || claims.exp * 1000 <= nowMs;
}

/*
 * A token handed over in the address (#token=...): taken once and removed
 * from the address bar and history, so it is not bookmarked or shared by
 * copying the URL.  Other fragment parts (#queue) are kept.
 */
export function takeTokenFromFragment(loc = window.location, hist = window.history) {
  const frag = loc.hash.replace(/^#/, '');
  if (!frag) return null;
  const params = new URLSearchParams(frag);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = [...params].map(([k, v]) => (v === '' ? encodeURIComponent(k)
    : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
  hist.replaceState(hist.state, '', loc.pathname + loc.search + (rest ? `#${rest}` : ''));
  return token.trim() || null;
}

export function loadToken() {
  try { return sessionStorage.getItem(STORAGE_KEY); } catch { return null; }
}

export function saveToken(token) {
  try { sessionStorage.setItem(STORAGE_KEY, token); } catch { /* private mode: kept in memory only */ }
}

export function clearToken() {
  try { sessionStorage.removeItem(STORAGE_KEY); } catch { /* nothing stored */ }
}
