// The inspectors' and supervisors' path through qledgerd in a real browser (Debian's headless
// Chromium driven by playwright-core). Run by run.sh, which prepares the ledger and the daemon.
// Environment: QLEDGER_URL, E2E_ARTIFACTS, E2E_USCC (registered), E2E_BAD_USCC (wrong check
// character), E2E_INSPECTOR / E2E_SUPERVISOR ("user:password").
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = process.env.QLEDGER_URL;
const artifacts = process.env.E2E_ARTIFACTS;
const goodUscc = process.env.E2E_USCC;
const badUscc = process.env.E2E_BAD_USCC;
const [inspector, inspectorPassword] = process.env.E2E_INSPECTOR.split(':');
const [supervisor, supervisorPassword] = process.env.E2E_SUPERVISOR.split(':');
mkdirSync(artifacts, { recursive: true });

// Today in Asia/Shanghai (UTC+8, no DST), as the daemon's dashboard counts it.
const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const hasChinese = (text) => /[\u4e00-\u9fff]/.test(text);

let page;
let shot = 0;
async function screenshot(name) {
  shot += 1;
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Clicks the submit button of the page's main form and waits for the resulting document.
async function submitMain() {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.locator('main form button[type=submit]').first().click(),
  ]);
  return response;
}

async function login(user, password) {
  await page.goto(`${base}/login`);
  check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'pages are zh-CN first');
  await page.fill('#username', user);
  await page.fill('#password', password);
  const response = await submitMain();
  check(response.status() === 200, `login of ${user}: ${response.status()}`);
  check(new URL(page.url()).pathname === '/dashboard', `login of ${user} lands on ${page.url()}`);
}

// The product pass rate row of the dashboard: rate, numerator, denominator, and the numerator link.
async function productFigure() {
  const row = page.locator('#fig-product_pass_rate');
  const link = row.locator('.numerator a');
  return {
    rate: (await row.locator('.rate').textContent()).trim(),
    numerator: Number((await row.locator('.numerator').textContent()).trim()),
    denominator: Number((await row.locator('.denominator').textContent()).trim()),
    link: (await link.count()) > 0 ? await link.getAttribute('href') : '',
  };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],
  headless: true,
});
try {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
    javaScriptEnabled: false, // the pages must work without scripts
  });
  page = await context.newPage();

  // 1. The inspector logs in and sees this month's figures.
  await page.goto(`${base}/login`);
  await screenshot('login');
  await login(inspector, inspectorPassword);
  const before = await productFigure();
  await screenshot('dashboard-before');

  // 2. Records a sampling inspection with a wrong credit code: refused, error in Chinese.
  await page.goto(`${base}/record/inspection.recorded`);
  const sampleNo = `E2E-${Date.now()}`;
  await page.fill('[name="f.sample_no"]', sampleNo);
  await page.selectOption('[name="f.regime"]', 'product');
  await page.selectOption('[name="f.plan_level"]', 'county');
  await page.fill('[name="f.category"]', '茶叶');
  await page.fill('[name="f.uscc"]', badUscc);
  await page.fill('[name="f.sampling_date"]', today);
  await page.fill('[name="f.result_date"]', today);
  await page.fill('[name="f.lab"]', '六安市产品质量监督检验所');
  await page.selectOption('[name="f.conclusion"]', 'pass');
  let response = await submitMain();
  check(response.status() === 422, `wrong credit code: expected 422, got ${response.status()}`);
  const field = page.locator('.field.bad', { has: page.locator('[name="f.uscc"]') });
  check((await field.count()) === 1, 'the credit code field is marked');
  const error = (await field.locator('.err').first().textContent()).trim();
  check(hasChinese(error), `the field error is in Chinese: "${error}"`);
  check((await page.inputValue('[name="f.uscc"]')) === badUscc, 'the input is kept');
  check((await page.inputValue('[name="f.sample_no"]')) === sampleNo, 'other input is kept');
  await screenshot('field-error');

  // 3. Corrects it: saved, shown on its event page.
  await page.fill('[name="f.uscc"]', goodUscc);
  response = await submitMain();
  check(response.status() === 200, `corrected form: ${response.status()}`);
  const match = new URL(page.url()).pathname.match(/^\/events\/(\d+)$/);
  check(match, `a saved event redirects to its page, not ${page.url()}`);
  const seq = match[1];
  check((await page.locator('main').textContent()).includes(sampleNo), 'the event page shows it');
  await screenshot('event-page');

  // 4. It appears in the event list.
  await page.goto(`${base}/events?kind=inspection.recorded`);
  const listed = page.locator(`main table a[href="/events/${seq}"]`);
  check((await listed.count()) === 1, `event ${seq} is listed`);
  await screenshot('event-list');

  // 5. And in the dashboard figure: one more passing batch this month.
  await page.goto(`${base}/dashboard`);
  const after = await productFigure();
  check(after.numerator === before.numerator + 1, `numerator ${before.numerator} → ${after.numerator}`);
  check(after.denominator === before.denominator + 1,
        `denominator ${before.denominator} → ${after.denominator}`);
  const expectedRate = `${((100 * after.numerator) / after.denominator).toFixed(1)}%`;
  check(after.rate === expectedRate, `rate ${after.rate}, expected ${expectedRate}`);
  check(after.link.split('=')[1].split(',').includes(seq), `the count links to event ${seq}`);
  check((await page.locator('#fig-product_pass_rate svg.bar').count()) === 1, 'the bar is drawn');
  await screenshot('dashboard-after');
  await page.goto(`${base}${after.link}`);
  check((await page.locator(`main table a[href="/events/${seq}"]`).count()) === 1,
        'the numerator link lists the new event');
  await screenshot('figure-events');
  await page.goto(`${base}/dashboard?lang=en`);
  check((await page.textContent('h1')).includes('Dashboard'), 'English switch');
  await screenshot('dashboard-english');
  await page.goto(`${base}/dashboard?lang=zh`);

  // 6. A supervisor logs in and verifies the whole ledger.
  await Promise.all([page.waitForNavigation(), page.click('header form button[type=submit]')]);
  check(new URL(page.url()).pathname === '/login', 'logged out');
  await login(supervisor, supervisorPassword);
  await page.goto(`${base}/supervisor`);
  response = await submitMain();
  check(response.status() === 200, `verification: ${response.status()}`);
  const verdict = (await page.locator('main .ok').textContent()).trim();
  check(verdict.startsWith('核验通过'), `verification verdict: "${verdict}"`);
  await screenshot('verified');
  console.log(`e2e: recorded event ${seq}; product pass rate ${before.rate || '—'} → ${after.rate}; ` +
              `ledger verified; screenshots in ${artifacts}`);
} catch (e) {
  if (page) await screenshot('failure').catch(() => {});
  console.error(`e2e FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
