import test from 'ava';
import { configPage, parseConfigForm } from '../../../hal/esp32/wifi-config.js';

test('the set-up form parses into credentials and an optional provisioning URL', (t) => {
  t.deepEqual(parseConfigForm('ssid=Office+Wi-Fi&password=s%C3%A9cret12&provision='), { ok: true, value: { ssid: 'Office Wi-Fi', password: 'sécret12' } });
  t.deepEqual(parseConfigForm('ssid=Lab&password=&provision=https%3A%2F%2Fprov.example.com%2Fp'), {
    ok: true,
    value: { ssid: 'Lab', password: '', provisionUrl: 'https://prov.example.com/p' },
  });
});

test('bad input is refused with a message for the page', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['ssid=&password=12345678', /network name/],
    [`ssid=${'x'.repeat(33)}`, /network name/],
    ['ssid=a&password=short', /8 to 63/],
    ['ssid=a&provision=ftp%3A%2F%2Fx', /http:\/\//],
    ['ssid=%E0%A4%A', /could not be read/],
  ];
  for (const [body, re] of bad) {
    const r = parseConfigForm(body);
    t.false(r.ok, body);
    if (!r.ok) t.regex(r.error, re);
  }
});

test('the page escapes what it shows', (t) => {
  const page = configPage('xsphone-<1>', 'bad "name"');
  t.true(page.includes('xsphone-&lt;1&gt;'));
  t.true(page.includes('bad &quot;name&quot;'));
  t.regex(page, /<form method="POST"/);
});
