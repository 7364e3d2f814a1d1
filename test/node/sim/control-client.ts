/** A scripted control-API client for the simulator tests: JSON messages over /ws with bounded waits. */
import WebSocket from 'ws';
import { toneSamples } from '../../../hal/host/audio.js';

export type Message = { type: string; [key: string]: unknown };
export interface Snapshot {
  id: string;
  screen: { lines: string[]; softKeys: string[] };
  calls: Array<{ id: number; phase: string; remote: string; direction: string; connectedMs?: number }>;
  history: Array<{ kind: string; remote: string; name?: string; duration?: number }>;
}

export class ControlClient {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const w of this.#waiters) w();
    });
  }

  static async open(url: string): Promise<ControlClient> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
    const client = new ControlClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The first message from index `from` on that matches, waiting at most ms. */
  async waitFor(match: (m: Message) => boolean, what: string, ms = 10_000, from = 0): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  /** Waits for a state message of phone whose snapshot satisfies test. */
  async waitState(phone: string, test: (s: Snapshot) => boolean, what: string, ms = 10_000): Promise<Snapshot> {
    const m = await this.waitFor((m) => m.type === 'state' && (m.phone as Snapshot).id === phone && test(m.phone as Snapshot), `${phone}: ${what}`, ms);
    return m.phone as Snapshot;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Power of frequency f in samples at 8 kHz (Goertzel), normalised by length. */
export function tonePower(samples: Int16Array, f: number): number {
  const k = 2 * Math.cos((2 * Math.PI * f) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (samples.length * samples.length);
}

export function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** A scripted "browser": sends a tone as the microphone (20 ms frames on a timer), keeps what the speaker sends. */
export class AudioClient {
  readonly ws: WebSocket;
  readonly heard: Int16Array[] = [];
  hello: Record<string, unknown> | undefined;
  closed: { code: number; reason: string } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(url: string, phone: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/audio/${phone}`);
    this.ws.on('message', (data, binary) => {
      const buf = data as Buffer;
      if (!binary) this.hello = JSON.parse(buf.toString());
      else this.heard.push(new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)));
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  sendTone(hz: number): void {
    const tone = toneSamples([hz], 1000, 0.3);
    let pos = 0;
    this.#timer = setInterval(() => {
      const frame = Buffer.alloc(320);
      for (let i = 0; i < 160; i++) frame.writeInt16LE(tone[(pos + i) % tone.length]!, i * 2);
      pos = (pos + 160) % tone.length;
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
    }, 20);
  }

  /** Everything heard from frame `from` on, as one signal. */
  since(from: number): Int16Array {
    const frames = this.heard.slice(from);
    const out = new Int16Array(frames.length * 160);
    frames.forEach((f, i) => out.set(f, i * 160));
    return out;
  }

  close(): void {
    clearInterval(this.#timer);
    this.ws.close();
  }
}

