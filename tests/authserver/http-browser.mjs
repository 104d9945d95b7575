// A stand-in for a person at a browser, driving oidc-provider's login and consent
// pages over plain HTTP (with a cookie jar). Used as $BROWSER by most tests:
//   BROWSER="node http-browser.mjs" outbound authorize APP
// BROWSER_MODE: login (default) | deny (abort: access_denied) | forge (first send the
// loopback listener a callback with a wrong state, then log in) | none (do nothing) |
// print (print the final redirect URL instead of visiting it, for --manual) |
// forge_iss (send the listener the right state with a foreign `iss`) |
// replay (log in, then send the same callback again: it must find nobody listening).
// Device flow: give it verification_uri_complete; it confirms, logs in and consents.
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

// The first form of a page: its action and its inputs (hidden ones included).
function firstForm(html, base) {
  const open = html.match(/<form[^>]*>/i);
  if (!open) return null;
  const action = (open[0].match(/action="([^"]*)"/i) || [null, base])[1].replace(/&amp;/g, '&');
  const rest = html.slice(open.index);
  const body = rest.slice(0, (rest.search(/<\/form>/i) + 1 || rest.length + 1) - 1);
  const fields = {};
  for (const tag of body.match(/<input[^>]*>/gi) || []) {
    const name = (tag.match(/name="([^"]*)"/i) || [])[1];
    if (!name) continue;
    fields[name] = ((tag.match(/value="([^"]*)"/i) || [])[1] || '').replace(/&amp;/g, '&');
  }
  return { action: new URL(action, base).toString(), fields };
}

async function main() {
  if (mode === 'none') return;
  const auth = new URL(start);
  const origin = auth.origin;
  if (mode === 'forge_iss') {
    const forged = new URL(auth.searchParams.get('redirect_uri'));
    forged.searchParams.set('code', 'forged-code');
    forged.searchParams.set('state', auth.searchParams.get('state'));
    forged.searchParams.set('iss', 'https://evil.example');
    const res = await request(forged.toString());
    log(`forged iss callback answered ${res.status}`);
    return;
  }
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
        // Back to the application: the loopback listener (or, for --manual, print it).
        if (mode === 'print') { process.stdout.write(`${url}\n`); return; }
        const done = await request(url);
        log(`callback answered ${done.status}: ${(await done.text()).slice(0, 200)}`);
        if (mode === 'replay') {
          await new Promise((r) => setTimeout(r, 300));
          try {
            const again = await request(url);
            log(`replay answered ${again.status}`);
          } catch (e) {
            log(`replay refused: ${e.cause ? e.cause.code : e.message}`);
          }
        }
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
    const form = firstForm(html, url);
    if (!form) {
      // A page without a form: the device flow's "you may close this window".
      log(`done: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
      return;
    }
    if ('login' in form.fields) Object.assign(form.fields, { login: 'alice', password: 'any' });
    url = form.action; method = 'POST';
    body = new URLSearchParams(form.fields).toString();
  }
  throw new Error('too many steps');
}

main().catch((e) => { log(`error: ${e.stack}`); process.exit(1); });
