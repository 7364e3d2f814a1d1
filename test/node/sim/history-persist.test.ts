import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../host-sim/config.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';

test('a simulated phone keeps its call history across restarts in its data folder', async (t) => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'xsphone-data-')), 'bob');
  const { settings } = defaultConfig(0, 0, 0).phones[1]!;
  const first = await SimPhone.start({ id: 'bob', settings, address: '127.0.0.1', sipPort: 0, dataDir });
  first.app.phone.handle({ type: 'incoming', call: 901, line: 0, remote: 'alice', uri: 'sip:alice@127.0.0.1' });
  first.app.phone.handle({ type: 'ended', call: 901 });
  t.is(first.snapshot().history[0]?.kind, 'missed');
  await first.stop();
  const again = await SimPhone.start({ id: 'bob', settings, address: '127.0.0.1', sipPort: 0, dataDir });
  try {
    t.deepEqual(again.snapshot().history.map((h) => [h.kind, h.remote]), [['missed', 'alice']]);
    t.is(again.snapshot().screen.lines[2], '1 missed call');
  } finally {
    await again.stop();
  }
});
