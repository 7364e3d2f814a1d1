import test from 'ava';
import WebSocket from 'ws';
import { defaultConfig } from '../../../host-sim/config.js';
import { startControlServer, type ControlServer } from '../../../host-sim/control-server.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';
import { AudioClient, ControlClient, rms, tonePower } from './control-client.js';

let phones: SimPhone[] = [];
let server: ControlServer;

test.before(async () => {
  const config = defaultConfig(0, 5462, 5464);
  for (const p of config.phones) phones.push(await SimPhone.start({ id: p.id, settings: p.settings, address: p.address, sipPort: p.sipPort }));
  server = await startControlServer(phones, 0);
});

test.after.always(async () => {
  await server?.close();
  await Promise.all(phones.map((p) => p.stop()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The strongest of the candidate frequencies in a signal. */
function dominant(signal: Int16Array, candidates: number[]): number {
  return candidates.reduce((best, f) => (tonePower(signal, f) > tonePower(signal, best) ? f : best));
}

test.serial('a tone sent into alice\'s microphone socket comes out of bob\'s speaker socket during a call, and back', async (t) => {
  const control = await ControlClient.open(server.url);
  t.teardown(() => control.close());
  await control.waitFor((m) => m.type === 'hello', 'hello');
  t.deepEqual(control.messages[0]!.audio, { alice: 'default', bob: 'default' });

  const alice = new AudioClient(server.url, 'alice');
  const bob = new AudioClient(server.url, 'bob');
  t.teardown(() => (alice.close(), bob.close()));
  await Promise.all([alice.opened(), bob.opened()]);
  await control.waitFor((m) => m.type === 'audio' && m.phone === 'alice' && m.source === 'client', 'alice audio taken');
  await control.waitFor((m) => m.type === 'audio' && m.phone === 'bob' && m.source === 'client', 'bob audio taken');
  t.like(alice.hello, { type: 'audio', phone: 'alice', sampleRate: 8000, format: 's16le', frameSamples: 160 });
  alice.sendTone(1000);
  bob.sendTone(600);

  control.send({ op: 'keys', phone: 'alice', keys: ['1', '0', '2', '#'] });
  await control.waitState('bob', (s) => s.calls.some((c) => c.phase === 'incoming'), 'ringing');
  control.send({ op: 'key', phone: 'bob', key: 'soft1' });
  await control.waitState('alice', (s) => s.calls.some((c) => c.phase === 'connected'), 'connected');
  await control.waitState('bob', (s) => s.calls.some((c) => c.phase === 'connected'), 'connected');

  // Let the jitter buffers fill, then listen for a second.
  await sleep(400);
  const [a0, b0] = [alice.heard.length, bob.heard.length];
  await sleep(1000);
  const atBob = bob.since(b0);
  const atAlice = alice.since(a0);
  t.true(atBob.length >= 160 * 30, `bob's speaker sent ${atBob.length / 160} frames in a second`);
  t.true(atAlice.length >= 160 * 30, `alice's speaker sent ${atAlice.length / 160} frames in a second`);
  t.is(dominant(atBob, [440, 600, 1000]), 1000, "bob hears alice's microphone, not the default tone");
  t.is(dominant(atAlice, [440, 600, 1000]), 600, "alice hears bob's microphone");
  // 0.3 of full scale through G.711 and back: about 6950 RMS; well above what silence and glitches would give.
  t.true(rms(atBob) > 4000, `bob hears it loud enough (RMS ${rms(atBob).toFixed(0)})`);
  t.true(rms(atAlice) > 4000, `alice hears it loud enough (RMS ${rms(atAlice).toFixed(0)})`);
  t.true(tonePower(atBob, 1000) > 20 * tonePower(atBob, 440));

  // alice's page goes away: her phone falls back to the default 440 Hz tone, which bob now hears.
  alice.close();
  await control.waitFor((m) => m.type === 'audio' && m.phone === 'alice' && m.source === 'default', 'alice audio back to default');
  await sleep(400);
  const b1 = bob.heard.length;
  await sleep(600);
  t.is(dominant(bob.since(b1), [440, 600, 1000]), 440, 'the default tone again');

  control.send({ op: 'key', phone: 'alice', key: 'soft4' });
  await control.waitState('bob', (s) => s.calls.length === 0, 'hung up');
});

test.serial('a second client takes over a phone\'s audio; unknown phones are refused', async (t) => {
  const first = new AudioClient(server.url, 'bob');
  await first.opened();
  const second = new AudioClient(server.url, 'bob');
  await second.opened();
  t.teardown(() => (first.close(), second.close()));
  for (let i = 0; i < 100 && !first.closed; i++) await sleep(20);
  t.is(first.closed?.code, 4001);
  t.is(phones[1]!.audio.source, 'client');
  // A text frame on the audio socket is answered with an error, the socket stays open.
  second.ws.send('hello?');
  for (let i = 0; i < 100 && second.hello?.type !== 'error'; i++) await sleep(20);
  t.is(second.hello?.type, 'error');
  second.close();
  for (let i = 0; i < 100 && phones[1]!.audio.source !== 'default'; i++) await sleep(20);
  t.is(phones[1]!.audio.source, 'default');

  const nobody = new WebSocket(`${server.url.replace(/^http/, 'ws')}/audio/carol`);
  const status = await new Promise<number | undefined>((resolve) => {
    nobody.once('unexpected-response', (_req, res) => resolve(res.statusCode));
    nobody.once('open', () => resolve(undefined));
    nobody.once('error', () => resolve(-1));
  });
  t.is(status, 404);
});
