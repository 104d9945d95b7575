// A real headless Chromium (Debian's, driven by playwright-core) that logs in and
// consents on oidc-provider's pages, or on LemonLDAP::NG's portal (its login form's
// `user` and `password`, then its consent page's Accept). Used as $BROWSER:
//   BROWSER="node chromium-browser.mjs" outbound authorize APP
// BROWSER_LOG: a file to append a trace to. BROWSER_USER, BROWSER_PASSWORD: who logs
// in to LemonLDAP::NG (its Demo users: dwho/dwho, rtyler/rtyler; dwho by default).
// BROWSER_MODE=print: nothing listens at the redirect URI (`authorize --manual`); the
// address the browser was sent to is printed on stdout, as a person would copy it
// from the address bar of the error page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const start = process.argv[2];
const log = (msg) => { if (process.env.BROWSER_LOG) fs.appendFileSync(process.env.BROWSER_LOG, `${msg}\n`); };

async function main() {
  const origin = new URL(start).origin;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'outbound-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    // The provider's pages import a web font from the internet; never wait for it.
    await page.route((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), (route) => route.abort());
    // In print mode the browser's navigation to the redirect URI fails (nothing
    // listens there): its address is what the person copies.
    const print = process.env.BROWSER_MODE === 'print';
    let landed = null;
    page.on('request', (r) => {
      if (!landed && r.isNavigationRequest() && new URL(r.url()).origin !== origin) landed = r.url();
    });
    const submit = async (selector) => {
      try {
        await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
      } catch (e) {
        if (!(print && landed)) throw e;
      }
    };
    await page.goto(start, { waitUntil: 'domcontentloaded', timeout: 20000 });
    for (let step = 0; step < 10; step++) {
      if (print && landed) {
        log(`landed on ${new URL(landed).origin}`);
        process.stdout.write(`${landed}\n`);
        return;
      }
      const here = new URL(page.url());
      log(`at ${here.origin}${here.pathname}`);
      if (here.origin !== origin) {
        log(`callback page: ${(await page.textContent('body')) || ''}`.slice(0, 200));
        return;
      }
      const login = page.locator('input[name="login"]');
      if (await login.count()) {
        await login.fill('alice');
        await page.fill('input[name="password"]', 'any');
        await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('button[type="submit"]')]);
        continue;
      }
      // LemonLDAP::NG: the login form (Demo backend), then its consent page.
      const user = page.locator('form#lform input[name="user"]');
      if (await user.count()) {
        await user.fill(process.env.BROWSER_USER || 'dwho');
        await page.fill('form#lform input[name="password"]', process.env.BROWSER_PASSWORD || 'dwho');
        await submit('form#lform button[type="submit"]');
        continue;
      }
      const accept = page.locator('form.confirm input[name="confirm"]');
      if (await accept.count()) {
        await submit('form.confirm button.positive');
        continue;
      }
      const consent = page.locator('input[value="consent"]');
      if (await consent.count()) {
        await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('button[type="submit"]')]);
        continue;
      }
      await page.waitForTimeout(200);
    }
    throw new Error(`did not reach the callback: ${page.url()}`);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { log(`error: ${e.stack}`); process.exit(1); });
