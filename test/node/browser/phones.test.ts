import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultConfig } from '../../../host-sim/config.js';
import { startControlServer, type ControlServer } from '../../../host-sim/control-server.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/browser/', import.meta.url));

let phones: SimPhone[] = [];
let server: ControlServer;
let browser: Browser;

test.before(async () => {
  const config = defaultConfig(0, 5262, 5264);
  for (const p of config.phones) phones.push(await SimPhone.start({ id: p.id, settings: p.settings, address: p.address, sipPort: p.sipPort }));
  server = await startControlServer(phones, 0);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    // launch() gives the browser a fresh, temporary user-data dir of its own.
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all(phones.map((p) => p.stop()));
});

const line = (page: Page, phone: string, n: number) => page.locator(`#phone-${phone} .lines .l${n}`);
const press = (page: Page, phone: string, key: string) => page.click(`#phone-${phone} button[data-key="${key}"]`);

test('alice dials bob with the keys, bob answers, both talk with a running timer, hang up, both histories show the call', async (t) => {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.goto(server.url);
  await page.locator('#conn.ok').waitFor({ timeout: 10_000 });
  let step = 0;
  const shot = async (name: string) => page.screenshot({ path: join(ARTIFACTS, `${String(++step).padStart(2, '0')}-${name}.png`) });
  await shot('idle');
  t.is(await line(page, 'alice', 1).textContent(), 'Ready');

  for (const k of ['1', '0', '2']) await press(page, 'alice', k);
  // The screen comes back over the WebSocket after each key: wait for the last one's update before reading it.
  await page.locator('#phone-alice .lines .l1', { hasText: /^102$/ }).waitFor({ timeout: 5_000 }).catch(() => {});
  t.is(await line(page, 'alice', 1).textContent(), '102');
  await shot('alice-dialled');
  await press(page, 'alice', '#');

  await page.locator('#phone-bob .lines .l0', { hasText: 'Incoming: alice' }).waitFor({ timeout: 10_000 });
  await page.locator('#phone-alice .lines .l0', { hasText: 'Ringing bob' }).waitFor({ timeout: 10_000 });
  t.is(await page.locator('#phone-bob .softlabels span').first().textContent(), 'Answer');
  await shot('bob-ringing');

  await press(page, 'bob', 'soft1');
  await page.locator('#phone-bob .lines .l0', { hasText: /^alice 00:0\d$/ }).waitFor({ timeout: 10_000 });
  await page.locator('#phone-alice .lines .l0', { hasText: /^bob \(102\) 00:0\d$/ }).waitFor({ timeout: 10_000 });
  await shot('connected');
  // The timer runs: two seconds later it shows a later time.
  const before = await line(page, 'alice', 0).textContent();
  await page.locator('#phone-alice .lines .l0', { hasText: /^bob \(102\) 00:0[3-9]$/ }).waitFor({ timeout: 6000 });
  await page.locator('#phone-bob .lines .l0', { hasText: /^alice 00:0[3-9]$/ }).waitFor({ timeout: 6000 });
  t.not(await line(page, 'alice', 0).textContent(), before);
  await shot('talking');

  await press(page, 'alice', 'soft4'); // End
  await page.locator('#phone-alice .lines .l1', { hasText: 'Ready' }).waitFor({ timeout: 10_000 });
  await page.locator('#phone-bob .lines .l1', { hasText: 'Ready' }).waitFor({ timeout: 10_000 });
  await shot('hung-up');

  await page.click('#phone-alice .history summary');
  await page.click('#phone-bob .history summary');
  t.regex((await page.locator('#phone-alice .history li').first().textContent())!, /^dialled bob [2-9]s$/);
  t.regex((await page.locator('#phone-bob .history li').first().textContent())!, /^received alice [2-9]s$/);
  await shot('histories');
});
