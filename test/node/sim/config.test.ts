import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig, validateConfig } from '../../../host-sim/config.js';

test('the embedded default: alice and bob, each other\'s contact, loopback, ring only for their own user', (t) => {
  const c = defaultConfig();
  t.deepEqual(c.phones.map((p) => [p.id, p.sipPort]), [['alice', 5062], ['bob', 5064]]);
  t.deepEqual(c.http, { address: '127.0.0.1', port: 8080 });
  t.deepEqual(c.phones[0]!.settings.contacts, [{ name: 'bob', number: '102', uri: 'sip:bob@127.0.0.1:5064' }]);
  t.is(c.phones[1]!.settings.incoming, 'own-user');
});

test('a valid file is read with its settings validated', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xsphone-config-'));
  const file = join(dir, 'phones.json');
  writeFileSync(file, JSON.stringify({
    http: { port: 9000 },
    phones: [{ id: 'desk1', sipPort: 5300, settings: { accounts: [{ user: 'alice', password: 'alicepw', domain: '127.0.0.1', registrar: 'sip:127.0.0.1:5070' }] } }],
  }));
  const c = loadConfig(file);
  t.is(c.http.port, 9000);
  t.is(c.phones[0]!.settings.accounts[0]!.registrar, 'sip:127.0.0.1:5070');
  t.is(c.phones[0]!.address, '127.0.0.1');
});

test('every problem is reported with its place', (t) => {
  const e = t.throws(() => validateConfig({
    phones: [
      { id: 'a b', sipPort: 99999, settings: { accounts: [{ user: 'x', domain: 'd' }], codecs: ['G729'] } },
      { id: 'ok', settings: {} },
      { id: 'ok', settings: { accounts: [{ user: 'y', domain: 'd' }] } },
    ],
    colour: 1,
  }), { instanceOf: ConfigError })!;
  t.is(e.message, [
    'config has 6 problems:',
    '  colour: is not a known key (use "http" and "phones")',
    '  phones[0].id: must be a name of letters, digits, - or _',
    '  phones[0].sipPort: must be a port number 0-65535',
    '  phones[0].settings.codecs: must be a non-empty list of PCMU and PCMA',
    '  phones[1].settings.accounts: a phone needs at least one account',
    "  phones[2].id: 'ok' is used twice",
  ].join('\n'));
});

test('unreadable and non-JSON files get a clear error', (t) => {
  t.throws(() => loadConfig('/nonexistent/phones.json'), { instanceOf: ConfigError, message: 'cannot read /nonexistent/phones.json: no such file' });
  const dir = mkdtempSync(join(tmpdir(), 'xsphone-config-'));
  writeFileSync(join(dir, 'bad.json'), '{"phones": [');
  t.throws(() => loadConfig(join(dir, 'bad.json')), { instanceOf: ConfigError, message: /bad\.json is not valid JSON/ });
});
