/**
 * A UDP relay for call tests, like test/support/udp-relay.ts but with each direction impaired and counted on its
 * own (one Impairer serves this relay and the media proxy), an optional rewrite of what passes (to keep SIP requests and routes on the relay), and for RTP the RFC 3550
 * interarrival jitter of what it delivered, to compare with what the phones report. Clients send to the relay;
 * it forwards to the target from one socket per client, so replies come back the same way. Loopback only.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface DirectionImpairment {
  /** Probability 0..1 that a datagram is dropped. */
  loss?: number;
  delayMs?: number;
  /** Uniform jitter added to the delay: ±jitterMs. */
  jitterMs?: number;
  /** Only datagrams this returns true for are impaired (default: all). */
  match?: (data: Buffer) => boolean;
}

export interface DirectionStats {
  /** Datagrams that matched the impairment (e.g. RTP packets), and how many of them were dropped. */
  matched: number;
  dropped: number;
  /** Every datagram delivered. */
  forwarded: number;
  /** RFC 3550 A.8 interarrival jitter of delivered RTP (8 kHz clock), ms; -1 before two packets. */
  jitterMs: number;
  /** Mean absolute one-way delay variation applied, ms. */
  delays: number[];
}

export type Direction = 'up' | 'down';

export interface RelayOptions {
  /** client -> target. */
  up?: DirectionImpairment;
  /** target -> client. */
  down?: DirectionImpairment;
  seed?: number;
  /** Local port (0: any). */
  port?: number;
  rewrite?: (data: Buffer, direction: Direction) => Buffer;
}

/** True for an RTP packet (version 2, not an RTCP packet type). */
export function isRtp(d: Buffer): boolean {
  return d.length >= 12 && d[0]! >> 6 === 2 && !(d[1]! >= 200 && d[1]! <= 204);
}

/** True for an RTP audio packet with a static G.711 payload type (0 or 8). */
export function isG711(d: Buffer): boolean {
  return isRtp(d) && ((d[1]! & 0x7f) === 0 || (d[1]! & 0x7f) === 8);
}

class Jitter {
  #transit: number | undefined;
  #j = 0;
  #n = 0;
  observe(data: Buffer): void {
    if (!isG711(data)) return;
    const ts = data.readUInt32BE(4);
    const arrival = (performance.now() * 8) >>> 0;
    const transit = (arrival - ts) | 0;
    if (this.#transit !== undefined) {
      const d = Math.abs((transit - this.#transit) | 0);
      this.#j += (d - this.#j) / 16;
    }
    this.#transit = transit;
    this.#n++;
  }
  get ms(): number {
    return this.#n < 2 ? -1 : this.#j / 8;
  }
}

/** What both relays do to a datagram: per-direction loss and delay (seeded), counted, and the jitter of what passed. */
class Impairer {
  readonly stats: Record<Direction, DirectionStats>;
  #seed: number;
  #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  #jitter = { up: new Jitter(), down: new Jitter() };

  constructor(readonly options: { up?: DirectionImpairment; down?: DirectionImpairment; seed?: number }) {
    this.#seed = (options.seed ?? 1) >>> 0 || 1;
    const blank = (): DirectionStats => ({ matched: 0, dropped: 0, forwarded: 0, jitterMs: -1, delays: [] });
    this.stats = { up: blank(), down: blank() };
  }

  get closed(): boolean {
    return this.#closed;
  }

  #random(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed / 0x1_0000_0000;
  }

  pass(data: Buffer, dir: Direction, send: (d: Buffer) => void): void {
    if (this.#closed) return;
    const s = this.stats[dir];
    const deliver = () => {
      if (this.#closed) return;
      s.forwarded++;
      this.#jitter[dir].observe(data);
      s.jitterMs = this.#jitter[dir].ms;
      send(data);
    };
    const i = this.options[dir];
    if (!i || (i.match && !i.match(data))) return deliver();
    s.matched++;
    if (i.loss && this.#random() < i.loss) {
      s.dropped++;
      return;
    }
    const delay = Math.max(0, (i.delayMs ?? 0) + (i.jitterMs ? (this.#random() * 2 - 1) * i.jitterMs : 0));
    if (delay === 0) return deliver();
    s.delays.push(delay);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      deliver();
    }, delay);
    this.#timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
  }
}

export class CallRelay {
  readonly stats: Record<Direction, DirectionStats>;
  #front: Socket;
  #clients = new Map<string, Socket>();
  #impair: Impairer;

  private constructor(front: Socket, readonly target: { address: string; port: number }, readonly options: RelayOptions) {
    this.#front = front;
    this.#impair = new Impairer(options);
    this.stats = this.#impair.stats;
  }

  static async start(target: { address: string; port: number }, options: RelayOptions = {}): Promise<CallRelay> {
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const relay = new CallRelay(front, target, options);
    front.on('message', (data, rinfo) => relay.#fromClient(data, rinfo.address, rinfo.port));
    return relay;
  }

  get port(): number {
    return this.#front.address().port;
  }

  /** Moves the target (e.g. once the port it should reach is known). */
  retarget(port: number): void {
    (this.target as { port: number }).port = port;
  }

  #fromClient(data: Buffer, address: string, port: number): void {
    const key = `${address}:${port}`;
    let back = this.#clients.get(key);
    if (!back) {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      socket.on('message', (reply) => this.#pass(reply, 'down', (d) => this.#front.send(d, port, address)));
      socket.on('error', () => {});
      this.#clients.set(key, socket);
      back = socket;
    }
    const out = back;
    this.#pass(data, 'up', (d) => out.send(d, this.target.port, this.target.address));
  }

  #pass(input: Buffer, dir: Direction, send: (d: Buffer) => void): void {
    if (this.#impair.closed) return;
    this.#impair.pass(this.options.rewrite ? this.options.rewrite(input, dir) : input, dir, send);
  }

  close(): void {
    this.#impair.close();
    this.#front.close();
    for (const s of this.#clients.values()) s.close();
  }
}

/**
 * Rewrites for a relay in front of a SIP proxy: requests that name the relay (Request-URI, Route) name the proxy
 * on the way up, and the proxy's Record-Route names the relay on the way down, so that every request of the call
 * crosses the relay. Authorization headers are left alone (their digest covers the URI as the phone wrote it).
 */
export function proxyRewrite(relayPort: number, proxyPort: number): (data: Buffer, dir: Direction) => Buffer {
  const relay = `127.0.0.1:${relayPort}`;
  const proxy = `127.0.0.1:${proxyPort}`;
  return (data, dir) => {
    const text = data.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return data;
    const [from, to] = dir === 'up' ? [relay, proxy] : [proxy, relay];
    const lines = text.slice(0, end).split('\r\n');
    let changed = false;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const isRoute = /^(Route|Record-Route):/i.test(l);
      const isRequestLine = i === 0 && dir === 'up' && !l.startsWith('SIP/2.0') && !l.startsWith('REGISTER ');
      if ((isRoute || isRequestLine) && l.includes(from)) {
        lines[i] = l.split(from).join(to);
        changed = true;
      }
    }
    if (!changed) return data;
    return Buffer.from(lines.join('\r\n') + text.slice(end), 'latin1');
  };
}

/**
 * A media proxy in the manner of rtpproxy: side A's phone is told the far end is at `a` (this proxy's port a), side
 * B's at `b`. What arrives at a is sent from b to B's address, what arrives at b is sent from a to A's, so each phone
 * sees its peer's packets come from exactly the address it was given (symmetric RTP stays locked). 'up' is A -> B.
 * Each side's address is given (from its SDP) or learnt from the first packet it sends.
 */
export class MediaProxy {
  readonly stats: Record<Direction, DirectionStats>;
  #a: Socket;
  #b: Socket;
  #toA: { address: string; port: number } | undefined;
  #toB: { address: string; port: number } | undefined;
  #impair: Impairer;

  private constructor(a: Socket, b: Socket, readonly options: { up?: DirectionImpairment; down?: DirectionImpairment; seed?: number }) {
    this.#a = a;
    this.#b = b;
    this.#impair = new Impairer(options);
    this.stats = this.#impair.stats;
    a.on('message', (d, r) => {
      this.#toA ??= { address: r.address, port: r.port };
      this.#impair.pass(d, 'up', (x) => this.#toB && this.#b.send(x, this.#toB.port, this.#toB.address));
    });
    b.on('message', (d, r) => {
      this.#toB ??= { address: r.address, port: r.port };
      this.#impair.pass(d, 'down', (x) => this.#toA && this.#a.send(x, this.#toA.port, this.#toA.address));
    });
  }

  static async start(ports: { a: number; b: number }, options: { up?: DirectionImpairment; down?: DirectionImpairment; seed?: number } = {}): Promise<MediaProxy> {
    const bind = async (port: number) => {
      const s = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port, '127.0.0.1', () => resolve());
      });
      s.on('error', () => {});
      return s;
    };
    return new MediaProxy(await bind(ports.a), await bind(ports.b), options);
  }

  get a(): number {
    return this.#a.address().port;
  }

  get b(): number {
    return this.#b.address().port;
  }

  /** Where side A's phone receives (from its SDP). */
  set sideA(port: number) {
    this.#toA = { address: '127.0.0.1', port };
  }

  set sideB(port: number) {
    this.#toB = { address: '127.0.0.1', port };
  }

  close(): void {
    this.#impair.close();
    this.#a.close();
    this.#b.close();
  }
}
