// A stand-in for a person at a browser, driving oidc-provider's login and consent
// pages over plain HTTP (with a cookie jar). Used as $BROWSER by most tests:
//   BROWSER="node http-browser.mjs" outbound authorize APP
// BROWSER_MODE: login (default) | deny (abort: access_denied) | forge (first send the
// loopback listener a callback with a wrong state, then log in) | none (do nothing).
// BROWSER_LOG: a file to append a trace to.
import fs from 'node:fs';

const start = process.argv[2];
const mode = process.env.BROWSER_MODE || 'login';
const log = (msg) => { if (process.env.BROWSER_LOG) fs.appendFileSync(process.env.BROWSER_LOG, `${msg}\n`); };
const jar = new Map();

async function request(url, options = {}) {
  const headers = { ...(options.headers || {}) };
  const cookie = [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { ...options, headers, redirect: 'manual' });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  log(`${options.method || 'GET'} ${url} -> ${res.status}`);
  return res;
}

function formAction(html, base) {
  const m = html.match(/<form[^>]*action="([^"]+)"/);
  if (!m) throw new Error(`no form on page: ${html.slice(0, 300)}`);
  return new URL(m[1].replace(/&amp;/g, '&'), base).toString();
}

async function main() {
  if (mode === 'none') return;
  const auth = new URL(start);
  const origin = auth.origin;
  if (mode === 'forge') {
    const redirect = auth.searchParams.get('redirect_uri');
    const forged = new URL(redirect);
    forged.searchParams.set('code', 'forged-code');
    forged.searchParams.set('state', 'forged-state');
    const res = await request(forged.toString());
    log(`forged callback answered ${res.status}`);
  }
  let url = start;
  let method = 'GET';
  let body;
  for (let step = 0; step < 20; step++) {
    const res = await request(url, method === 'POST'
      ? { method, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : {});
    method = 'GET'; body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location'), url).toString();
      if (new URL(url).origin !== origin) {
        // Back to the application: the loopback listener.
        const done = await request(url);
        log(`callback answered ${done.status}: ${(await done.text()).slice(0, 200)}`);
        return;
      }
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${html.slice(0, 300)}`);
    if (mode === 'deny' && /\/interaction\//.test(url)) {
      url = `${url.replace(/\/$/, '')}/abort`;
      continue;
    }
    if (html.includes('name="login"')) {
      url = formAction(html, url); method = 'POST';
      body = new URLSearchParams({ prompt: 'login', login: 'alice', password: 'any' }).toString();
    } else if (html.includes('value="consent"')) {
      url = formAction(html, url); method = 'POST';
      body = new URLSearchParams({ prompt: 'consent' }).toString();
    } else {
      throw new Error(`unexpected page: ${html.slice(0, 300)}`);
    }
  }
  throw new Error('too many steps');
}

main().catch((e) => { log(`error: ${e.stack}`); process.exit(1); });
