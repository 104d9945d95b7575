// A real headless Chromium (Debian's, driven by playwright-core) that logs in and
// consents on oidc-provider's pages. Used as $BROWSER:
//   BROWSER="node chromium-browser.mjs" outbound authorize APP
// BROWSER_LOG: a file to append a trace to.
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
    await page.goto(start, { waitUntil: 'domcontentloaded', timeout: 20000 });
    for (let step = 0; step < 10; step++) {
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
