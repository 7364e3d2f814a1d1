import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultConfig } from '../../../host-sim/config.js';
import { startControlServer, type ControlServer } from '../../../host-sim/control-server.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/browser-blf/', import.meta.url));
const PORTS = { alice: 5362, bob: 5364 } as const;

let phones: SimPhone[] = [];
let server: ControlServer;
let browser: Browser;

test.before(async () => {
  const config = defaultConfig(0, PORTS.alice, PORTS.bob);
  for (const p of config.phones) {
    // Each phone has the other on a BLF key; peer-to-peer, each phone notifies its own dialog state.
    const other = p.id === 'alice' ? 'bob' : 'alice';
    const settings = { ...p.settings, blf: [{ label: other, uri: `sip:${other}@127.0.0.1:${PORTS[other]}` }] };
    phones.push(await SimPhone.start({ id: p.id, settings, address: p.address, sipPort: p.sipPort }));
  }
  server = await startControlServer(phones, 0);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all(phones.map((p) => p.stop()));
});

/** A computed style of the first element a selector finds (the test is compiled without the DOM library). */
const style = (page: Page, selector: string, prop: string) =>
  page.locator(selector).first().evaluate(
    (el, p) => (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el)[p]!, prop);
const lamp = (page: Page, phone: string, state: string) => page.locator(`#phone-${phone} .blf-key[data-key="blf1"][data-state="${state}"]`);

test('BLF lamps on the web phones: idle, ringing, busy and idle again; the BLF key places the call', async (t) => {
  const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
  await page.goto(server.url);
  await page.locator('#conn.ok').waitFor({ timeout: 10_000 });
  let step = 0;
  const shot = async (name: string) => page.screenshot({ path: join(ARTIFACTS, `${String(++step).padStart(2, '0')}-${name}.png`) });

  await lamp(page, 'alice', 'idle').waitFor({ timeout: 10_000 });
  await lamp(page, 'bob', 'idle').waitFor({ timeout: 10_000 });
  t.is(await page.locator('#phone-alice .blf-key').textContent(), 'bob');
  await shot('lamps-idle');

  await page.click('#phone-alice .blf-key[data-key="blf1"]'); // alice calls bob with his BLF key
  await page.locator('#phone-bob .lines .l0', { hasText: 'Incoming: alice' }).waitFor({ timeout: 10_000 });
  await lamp(page, 'alice', 'ringing').waitFor({ timeout: 10_000 });
  await lamp(page, 'bob', 'busy').waitFor({ timeout: 10_000 });
  // Ringing blinks: the lamp's animation runs.
  t.is(await style(page, '#phone-alice .blf-key .lamp', 'animationName'), 'blf-blink');
  await shot('bob-ringing');

  await page.click('#phone-bob button[data-key="soft1"]'); // Answer
  await lamp(page, 'alice', 'busy').waitFor({ timeout: 10_000 });
  await lamp(page, 'bob', 'busy').waitFor({ timeout: 10_000 });
  t.is(await style(page, '#phone-bob .blf-key .lamp', 'backgroundColor'), 'rgb(255, 48, 48)');
  await shot('both-busy');

  await page.click('#phone-alice button[data-key="soft4"]'); // End
  await lamp(page, 'alice', 'idle').waitFor({ timeout: 10_000 });
  await lamp(page, 'bob', 'idle').waitFor({ timeout: 10_000 });
  t.is(await style(page, '#phone-bob .blf-key .lamp', 'backgroundColor'), 'rgb(46, 204, 64)');
  await shot('lamps-idle-again');
});
