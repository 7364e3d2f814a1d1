import test from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { WavAudioInput, toneSamples } from '../../../hal/host/audio.js';
import { AudioBridge, BridgeAudioOutput, FRAME_BYTES, MIC_QUEUE_FRAMES, SocketAudioInput } from '../../../host-sim/audio-bridge.js';

/** Little-endian bytes of frames whose every sample is the frame's number (1, 2, 3...). */
function numbered(from: number, count: number): Uint8Array {
  const out = new Uint8Array(count * FRAME_BYTES);
  for (let f = 0; f < count; f++) for (let i = 0; i < 160; i++) out[(f * 160 + i) * 2] = from + f;
  return out;
}

test('the microphone side delivers one frame per 20 ms of the HAL clock, silence on under-run', (t) => {
  const clock = new VirtualClock();
  const mic = new SocketAudioInput(clock);
  const got: number[] = [];
  mic.start((f) => got.push(f[0]!));
  mic.push(numbered(1, 2));
  clock.advance(100);
  t.deepEqual(got, [1, 2, 0, 0, 0], 'two frames, then silence while nothing arrives');
  t.is(mic.stats.frames, 2);
  t.is(mic.stats.underruns, 3);
  // Chunks of any size are reassembled into frames; less than a frame waits.
  const three = numbered(7, 3);
  mic.push(three.subarray(0, 100));
  clock.advance(20);
  mic.push(three.subarray(100));
  clock.advance(60);
  t.deepEqual(got.slice(5), [0, 7, 8, 9]);
  mic.stop();
  clock.advance(100);
  t.is(got.length, 9, 'nothing after stop');
});

test('a burst larger than the queue keeps only the newest frames: buffering is bounded', (t) => {
  const clock = new VirtualClock();
  const mic = new SocketAudioInput(clock);
  const got: number[] = [];
  mic.start((f) => got.push(f[0]!));
  mic.push(numbered(1, 50));
  t.is(mic.queued, MIC_QUEUE_FRAMES * 160);
  t.is(mic.stats.droppedSamples, (50 - MIC_QUEUE_FRAMES) * 160);
  clock.advance(20 * (MIC_QUEUE_FRAMES + 2));
  const newest = Array.from({ length: MIC_QUEUE_FRAMES }, (_, i) => 50 - MIC_QUEUE_FRAMES + 1 + i);
  t.deepEqual(got, [...newest, 0, 0]);
  // An odd trailing byte is ignored, an odd sample count is kept for the next push.
  mic.push(Uint8Array.of(0x34, 0x12, 0xff));
  t.is(mic.queued, 1);
});

test('the bridge switches the running input to the client and back, and sends the speaker only while attached', (t) => {
  const clock = new VirtualClock();
  const tone = new WavAudioInput(clock, toneSamples([440], 1000, 0.2));
  const recorded: number[] = [];
  const bridge = new AudioBridge(clock, tone, { play: (f) => recorded.push(f[0]!), stop: () => {} });
  const sources: string[] = [];
  bridge.onChange((s) => sources.push(s));
  const mic: Int16Array[] = [];
  bridge.input.start((f) => mic.push(f.slice()));
  clock.advance(40);
  t.is(mic.length, 2);
  t.true(mic.some((f) => f.some((v) => v !== 0)), 'the default tone plays');

  const sent: Uint8Array[] = [];
  let replaced = 0;
  const link = bridge.attach((b) => (sent.push(b.slice()), true), () => replaced++);
  t.is(bridge.source, 'client');
  link.push(numbered(5, 1));
  clock.advance(40);
  t.deepEqual([...mic[2]!.subarray(0, 3)], [5, 5, 5]);
  t.true(mic[3]!.every((v) => v === 0), 'under-run: silence, not the tone');
  bridge.output.play(Int16Array.from({ length: 160 }, (_, i) => i - 80));
  t.is(sent.length, 1);
  t.is(sent[0]!.length, FRAME_BYTES);
  t.is(new DataView(sent[0]!.buffer).getInt16(0, true), -80);
  t.deepEqual(recorded, [-80], 'the recording output still gets the frame');

  // A second client replaces the first; the first's detach afterwards changes nothing.
  const sent2: Uint8Array[] = [];
  const link2 = bridge.attach((b) => (sent2.push(b.slice()), true), () => {});
  t.is(replaced, 1);
  link.push(numbered(9, 1));
  link.detach();
  t.is(bridge.source, 'client');
  bridge.output.play(new Int16Array(160));
  t.is(sent.length, 1);
  t.is(sent2.length, 1);
  clock.advance(20);
  t.true(mic[4]!.every((v) => v === 0), "the replaced client's audio is ignored");

  link2.detach();
  t.is(bridge.source, 'default');
  bridge.output.play(new Int16Array(160));
  t.is(sent2.length, 1, 'nothing sent once detached');
  clock.advance(40);
  t.true(mic.slice(5).every((f) => f.some((v) => v !== 0)), 'the tone again');
  t.deepEqual(sources, ['client', 'default']);
  bridge.input.stop();
});

test('a slow client loses speaker frames instead of queueing them', (t) => {
  const out = new BridgeAudioOutput();
  let room = 3;
  out.connect(() => room-- > 0);
  for (let i = 0; i < 10; i++) out.play(new Int16Array(160));
  t.deepEqual(out.stats, { frames: 3, dropped: 7 });
});
