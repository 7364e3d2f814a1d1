import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { LocalMixer, mixFrames } from '../../../../src/media/engine/local-mixer.js';
import { MemoryNet } from './memory-network.js';
import { ArrayInput, RecordingOutput, connect, phone, sine, tonePower } from './harness.js';

test('mixFrames: speaker gets both parties, each party the microphone and the other, clipped to 16 bits', (t) => {
  const f = (v: number) => new Int16Array(160).fill(v);
  const toA = f(0);
  const toB = f(0);
  const speaker = f(0);
  mixFrames(f(100), f(20000), f(-3), toA, toB, speaker);
  t.is(speaker[0], 19997);
  t.is(toA[0], 97);
  t.is(toB[0], 20100);
  mixFrames(f(20000), f(20000), f(20000), toA, toB, speaker);
  t.is(speaker[5], 32767);
  t.is(toA[5], 32767);
  mixFrames(f(-20000), f(-20000), f(-20000), toA, toB, speaker);
  t.is(toB[159], -32768);
});

test('three-way conference: B hears the host and C but not itself; the host hears both', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const frames = 60;
  // the host's two calls (no devices of their own) and the two remote parties with their own voices
  const hostB = await phone(net, clock, 1, { address: '192.0.2.1' });
  const hostC = await phone(net, clock, 2, { address: '192.0.2.1' });
  const b = await phone(net, clock, 3, { address: '192.0.2.2', mic: sine(160 * (frames + 40), 500, 6000) });
  const c = await phone(net, clock, 4, { address: '192.0.2.3', mic: sine(160 * (frames + 40), 1300, 6000) });
  connect(hostB, b);
  connect(hostC, c);
  const mic = new ArrayInput(clock, sine(160 * (frames + 40), 300, 6000));
  const speaker = new RecordingOutput();
  const mixer = new LocalMixer(hostB.media, hostC.media, { clock, audioInput: mic, audioOutput: speaker });
  mixer.start();
  t.true(mixer.running);
  clock.advance(frames * 20);
  const ownB = hostB.output.chunks.length;
  t.true(ownB <= 1, 'the calls no longer drive their own devices');
  const from = 160 * 20;
  const n = 160 * 30;
  const power = (x: Int16Array, hz: number) => tonePower(x, from, n, hz);
  const heardB = b.output.samples;
  const heardC = c.output.samples;
  const heardHost = speaker.samples;
  t.true(power(heardB, 300) > 1e6 && power(heardB, 1300) > 1e6, 'B hears the host and C');
  t.true(power(heardB, 500) < 1e3, 'B does not hear itself');
  t.true(power(heardC, 300) > 1e6 && power(heardC, 500) > 1e6, 'C hears the host and B');
  t.true(power(heardC, 1300) < 1e3, 'C does not hear itself');
  t.true(power(heardHost, 500) > 1e6 && power(heardHost, 1300) > 1e6, 'the host hears both');
  t.true(power(heardHost, 300) < 1e3, 'the host does not hear its own microphone');
  // muting the conference: the parties still hear each other
  mixer.muted = true;
  clock.advance(20 * 20);
  const mutedB = b.output.samples;
  const tail = mutedB.length - 160 * 10;
  t.true(tonePower(mutedB, tail, 160 * 10, 300) < 1e3, 'no host microphone while muted');
  t.true(tonePower(mutedB, tail, 160 * 10, 1300) > 1e6, 'C still reaches B');
  mixer.stop();
  t.false(mixer.running);
  hostB.media.attachAudio();
  clock.advance(100);
  t.true(hostB.output.chunks.length > ownB, 'the call that stays drives its devices again');
  for (const p of [hostB, hostC, b, c]) p.media.close();
});
