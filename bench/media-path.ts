// The steady-state duplex audio path the media benchmarks measure, shared by the Node and XS runs:
// two phones' CallMediaEngine over the in-memory network (synchronous delivery), negotiated by the real
// offer/answer code (PCMU, telephone-event, SRTP AES_CM_128_HMAC_SHA1_80 by SDES or plain RTP),
// each with a fake microphone (preallocated frames, delivered through the engine's own device callback)
// and a fake speaker (play() takes a checksum), on a manual clock.
// One step = both phones' frames: each takes its microphone frame, encodes, packetises, protects and
// sends it (the peer receives, unprotects and buffers it during the send), then pulls one frame from
// its jitter buffer, decodes it and plays it. So one step is two full duplex paths.
import type { AudioInput, AudioOutput } from '../hal/audio.js';
import type { Clock, TimerHandle } from '../hal/clock.js';
import type { Random } from '../hal/random.js';
import { CallMediaEngine } from '../src/media/engine/call-media.js';
import { LocalMixer } from '../src/media/engine/local-mixer.js';
import { MediaSession } from '../src/sdp/offer-answer.js';
import { MemoryNet } from '../test/core/media/engine/memory-network.js';

class ManualClock implements Clock {
  ms = 0;
  now(): number {
    return this.ms;
  }
  wallTime(): number {
    return 1_700_000_000_000 + this.ms;
  }
  setTimer(_ms: number, _fn: () => void): TimerHandle {
    throw new Error('the benchmark drives frames itself');
  }
  clearTimer(_handle: TimerHandle): void {}
}

function seeded(seed: number): Random {
  let s = seed >>> 0;
  return {
    fill(d) {
      for (let i = 0; i < d.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        d[i] = s >>> 24;
      }
      return d;
    },
  };
}

const MIC_FRAMES = 50;

/** A microphone whose frames are delivered when the benchmark says so. */
class FakeMic implements AudioInput {
  #onFrame: ((frame: Int16Array) => void) | null = null;
  #k = 0;
  constructor(readonly frames: Int16Array[]) {}
  start(onFrame: (frame: Int16Array) => void): void {
    this.#onFrame = onFrame;
  }
  stop(): void {
    this.#onFrame = null;
  }
  deliver(): void {
    const k = this.#k;
    this.#k = k + 1 === this.frames.length ? 0 : k + 1;
    if (this.#onFrame !== null) this.#onFrame(this.frames[k]!);
  }
}

/** A speaker that keeps a level (sum of |sample| over every 8th sample) of the last frame. */
class FakeSpeaker implements AudioOutput {
  level = 0;
  play(frame: Int16Array): void {
    let level = 0;
    for (let j = 0; j < frame.length; j += 8) level += frame[j]! < 0 ? -frame[j]! : frame[j]!;
    this.level = level;
  }
  stop(): void {}
}

/** One second of a two-tone "voice" as 50 separate frames, so no frame needs a subarray. */
function micFrames(f1: number, f2: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let f = 0; f < MIC_FRAMES; f++) {
    const x = new Int16Array(160);
    for (let i = 0; i < 160; i++) {
      const n = f * 160 + i;
      x[i] = Math.round(5000 * Math.sin((2 * Math.PI * f1 * n) / 8000) + 3000 * Math.sin((2 * Math.PI * f2 * n) / 8000));
    }
    frames.push(x);
  }
  return frames;
}

export interface DuplexPath {
  /** Runs n steps (2n phone-frames). */
  run(n: number): void;
  /** Level of what both phones played in the last step (non-zero once audio flows). */
  readonly level: number;
  readonly a: CallMediaEngine;
  readonly b: CallMediaEngine;
}

export async function createDuplexPath(srtp: boolean): Promise<DuplexPath> {
  const clock = new ManualClock();
  const net = new MemoryNet();
  const ra = seeded(1);
  const rb = seeded(2);
  const micA = new FakeMic(micFrames(440, 1170));
  const micB = new FakeMic(micFrames(350, 2200));
  const speakerA = new FakeSpeaker();
  const speakerB = new FakeSpeaker();
  // Without SRTP, A is a device in hands-free mode: echo suppression on (0 dB coupling), and B's louder tone keeps
  // A's microphone turned down, so the suppressor's level checks and gain ramp run every frame.
  const a = await CallMediaEngine.open({ network: net.host('192.0.2.1'), clock, random: ra, portMin: 20000, portMax: 20100,
    audioInput: micA, audioOutput: speakerA, ...(srtp ? {} : { echoSuppression: { couplingDb: 0 } }) });
  const b = await CallMediaEngine.open({ network: net.host('192.0.2.2'), clock, random: rb, portMin: 20000, portMax: 20100,
    audioInput: micB, audioOutput: speakerB });
  const policy = srtp ? 'mandatory' : 'off';
  const sa = new MediaSession({ address: '192.0.2.1', port: a.localPort, codecs: ['PCMU'], srtp: policy, random: ra });
  const sb = new MediaSession({ address: '192.0.2.2', port: b.localPort, codecs: ['PCMU'], srtp: policy, random: rb });
  const { answer, media } = sb.receiveOffer(sa.createOffer());
  const ma = sa.receiveAnswer(answer);
  if (srtp && !(ma.srtp && media.srtp)) throw new Error('SRTP was not negotiated');
  a.start(ma);
  b.start(media);
  return {
    a,
    b,
    get level() {
      return speakerA.level + speakerB.level;
    },
    run(n: number): void {
      for (let i = 0; i < n; i++) {
        micA.deliver();
        micB.deliver();
        clock.ms += 20;
      }
    },
  };
}

/**
 * A three-way conference on the host phone (LocalMixer over its two calls' engines, plain RTP) with
 * two remote phones. One step = the host's mixed frame (both calls received, mixed, both sent) and
 * each remote's frame.
 */
export async function createConferencePath(): Promise<DuplexPath> {
  const clock = new ManualClock();
  const net = new MemoryNet();
  const random = seeded(3);
  const open = (address: string, mic?: FakeMic, speaker?: FakeSpeaker) => CallMediaEngine.open({
    network: net.host(address), clock, random, portMin: 20000, portMax: 20100,
    ...(mic ? { audioInput: mic } : {}), ...(speaker ? { audioOutput: speaker } : {}),
  });
  const micB = new FakeMic(micFrames(350, 2200));
  const micC = new FakeMic(micFrames(523, 1400));
  const hostMic = new FakeMic(micFrames(440, 1170));
  const hostSpeaker = new FakeSpeaker();
  const speakerB = new FakeSpeaker();
  const toB = await open('192.0.2.1');
  const toC = await open('192.0.2.1');
  const b = await open('192.0.2.2', micB, speakerB);
  const c = await open('192.0.2.3', micC, new FakeSpeaker());
  const pair = (x: CallMediaEngine, xAddress: string, y: CallMediaEngine, yAddress: string) => {
    const sx = new MediaSession({ address: xAddress, port: x.localPort, codecs: ['PCMU'], random });
    const sy = new MediaSession({ address: yAddress, port: y.localPort, codecs: ['PCMU'], random });
    const { answer, media } = sy.receiveOffer(sx.createOffer());
    x.start(sx.receiveAnswer(answer));
    y.start(media);
  };
  toB.detachAudio(); // the mixer will drive them
  toC.detachAudio();
  pair(toB, '192.0.2.1', b, '192.0.2.2');
  pair(toC, '192.0.2.1', c, '192.0.2.3');
  const mixer = new LocalMixer(toB, toC, { clock, audioInput: hostMic, audioOutput: hostSpeaker });
  mixer.start();
  return {
    a: toB,
    b,
    get level() {
      return hostSpeaker.level + speakerB.level;
    },
    run(n: number): void {
      for (let i = 0; i < n; i++) {
        hostMic.deliver();
        micB.deliver();
        micC.deliver();
        clock.ms += 20;
      }
    },
  };
}
