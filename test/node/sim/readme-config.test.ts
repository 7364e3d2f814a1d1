import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../../../host-sim/config.js';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/** The first ```json block of a README section. */
function jsonIn(section: string): unknown {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section "${section}"`);
  const end = text.indexOf('\n## ', start + 1);
  const m = /```json\n([\s\S]*?)```/.exec(text.slice(start, end < 0 ? undefined : end));
  if (!m) throw new Error(`README section "${section}" has no JSON example`);
  return JSON.parse(m[1]!);
}

test('the README\'s two-accounts-on-a-PBX example is a valid configuration for the shared Kamailio', (t) => {
  const config = validateConfig(jsonIn('Simulator configuration'), 'README example');
  t.deepEqual(config.phones.map((p) => p.id), ['alice', 'bob']);
  const passwords: Record<string, string> = { alice: 'alicepw', bob: 'bobpw' }; // ../shared/peers/README.md
  for (const p of config.phones) {
    const a = p.settings.accounts[0]!;
    t.is(a.user, p.id);
    t.is(a.password, passwords[p.id]);
    t.is(a.registrar, 'sip:127.0.0.1:5070');
    t.is(p.settings.incoming, 'registrar-only');
    const other = p.id === 'alice' ? 'bob' : 'alice';
    t.is(p.settings.contacts[0]!.uri, `sip:${other}@127.0.0.1:5070`, 'calls go through Kamailio');
  }
  t.is(config.phones[1]!.audioOut, 'bob-hears.wav');
});
