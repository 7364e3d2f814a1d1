/**
 * A userspace UDP relay that impairs traffic (this kernel has no netem): loss, delay, jitter and reordering,
 * seeded so a run can be repeated. Clients send to the relay; it forwards to the target from one socket per
 * client, so replies find their way back. Loopback only.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface Impairment {
  /** Probability 0..1 that a datagram is dropped. */
  loss?: number;
  /** Base one-way delay, ms. */
  delayMs?: number;
  /** Uniform jitter added to the delay: ±jitterMs. */
  jitterMs?: number;
  /** Seed for the pseudo-random choices. */
  seed?: number;
  /** Only impair datagrams this returns true for (e.g. RTP only); others pass at once. */
  match?: (data: Buffer) => boolean;
}

export interface RelayStats {
  forwarded: number;
  dropped: number;
  /** Delays applied, ms, for checking what the relay did. */
  delays: number[];
}

export class UdpRelay {
  readonly stats: RelayStats = { forwarded: 0, dropped: 0, delays: [] };
  #front: Socket;
  #clients = new Map<string, Socket>();
  #seed: number;
  #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(front: Socket, readonly target: { address: string; port: number }, readonly impairment: Impairment) {
    this.#front = front;
    this.#seed = (impairment.seed ?? 1) >>> 0 || 1;
  }

  /** Starts a relay on 127.0.0.1:port (0: any free port) towards target. */
  static async start(target: { address: string; port: number }, impairment: Impairment = {}, port = 0): Promise<UdpRelay> {
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(port, '127.0.0.1', () => resolve());
    });
    const relay = new UdpRelay(front, target, impairment);
    front.on('message', (data, rinfo) => relay.#fromClient(data, rinfo.address, rinfo.port));
    return relay;
  }

  get port(): number {
    return this.#front.address().port;
  }

  #random(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed / 0x1_0000_0000;
  }

  #fromClient(data: Buffer, address: string, port: number): void {
    const key = `${address}:${port}`;
    let back = this.#clients.get(key);
    if (!back) {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      socket.on('message', (reply) => this.#pass(reply, () => this.#front.send(reply, port, address)));
      socket.on('error', () => {});
      this.#clients.set(key, socket);
      back = socket;
    }
    const out = back;
    this.#pass(data, () => out.send(data, this.target.port, this.target.address));
  }

  #pass(data: Buffer, send: () => void): void {
    if (this.#closed) return;
    const i = this.impairment;
    if (i.match && !i.match(data)) {
      this.stats.forwarded++;
      send();
      return;
    }
    if (i.loss && this.#random() < i.loss) {
      this.stats.dropped++;
      return;
    }
    const delay = Math.max(0, (i.delayMs ?? 0) + (i.jitterMs ? (this.#random() * 2 - 1) * i.jitterMs : 0));
    this.stats.forwarded++;
    if (delay === 0) return send();
    this.stats.delays.push(delay);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) send();
    }, delay);
    this.#timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#front.close();
    for (const s of this.#clients.values()) s.close();
  }
}
