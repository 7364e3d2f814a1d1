// An in-memory UDP network for media tests and the media benchmark: hosts by address, datagrams
// delivered synchronously (or after a delay on a clock), optional NAT per host and a drop filter.
// Synchronous delivery copies into the receiving socket's own buffer and passes a cached exact-length
// view, and `from` is the sender's (preallocated) endpoint, so a packet costs no allocation here.
import type { Clock } from '../../../../hal/clock.js';
import type {
  ConnectOptions, Endpoint, Listener, ListenOptions, Network, StreamSocket, UdpOptions, UdpSocket,
} from '../../../../hal/net.js';
import { ExactViews } from '../../../../src/media/engine/exact-views.js';

export interface HostOptions {
  /** Packets from this host appear to come from this address, ports shifted by portOffset (a NAT). */
  nat?: { address: string; portOffset: number };
}

class MemorySocket implements UdpSocket {
  readonly local: Endpoint;
  /** Where its packets appear to come from (the NAT's side when behind one). */
  readonly apparent: Endpoint;
  readonly rx = new Uint8Array(2048);
  readonly views = new ExactViews(8);
  closed = false;
  sent = 0;
  received = 0;

  constructor(
    readonly net: MemoryNet,
    local: Endpoint,
    apparent: Endpoint,
    readonly options: UdpOptions,
  ) {
    this.local = local;
    this.apparent = apparent;
  }

  send(data: Uint8Array, address: string, port: number): void {
    if (this.closed) return;
    this.sent++;
    this.net.route(this, data, address, port);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.unbind(this);
  }
}

export interface Datagram {
  from: Endpoint;
  to: Endpoint;
  bytes: Uint8Array;
}

export class MemoryNet {
  /** address -> port -> socket, by the apparent endpoint (a host behind a NAT is reachable only through it). */
  readonly #bound = new Map<string, Map<number, MemorySocket>>();
  #clock: Clock | undefined;
  /** Delay of each datagram, ms (0: delivered during send). */
  delayMs = 0;
  /** Return true to drop a datagram (tests of loss, foreign sources). */
  drop: ((d: Datagram) => boolean) | undefined;
  /** Every datagram routed, copied, when record is on. */
  readonly log: Datagram[] = [];
  record = false;
  undeliverable = 0;
  /** Changes a datagram in flight (the receiver's copy), e.g. to corrupt it. */
  rewrite: ((bytes: Uint8Array, from: Endpoint) => void) | undefined;

  constructor(clock?: Clock) {
    this.#clock = clock;
  }

  host(address: string, options: HostOptions = {}): Network {
    return new MemoryHost(this, address, options);
  }

  bind(socket: MemorySocket): void {
    {
      const e = socket.apparent;
      let ports = this.#bound.get(e.address);
      if (!ports) this.#bound.set(e.address, (ports = new Map()));
      if (ports.has(e.port) && ports.get(e.port) !== socket) throw Object.assign(new Error(`EADDRINUSE ${e.address}:${e.port}`), { code: 'EADDRINUSE' });
      ports.set(e.port, socket);
    }
  }

  isBound(address: string, port: number): boolean {
    return this.#bound.get(address)?.has(port) ?? false;
  }

  unbind(socket: MemorySocket): void {
    {
      const e = socket.apparent;
      const ports = this.#bound.get(e.address);
      if (ports?.get(e.port) === socket) ports.delete(e.port);
    }
  }

  route(from: MemorySocket, data: Uint8Array, address: string, port: number): void {
    if (this.record || this.drop) {
      const d: Datagram = { from: from.apparent, to: { address, port }, bytes: data.slice() };
      if (this.record) this.log.push(d);
      if (this.drop && this.drop(d)) return;
    }
    const ports = this.#bound.get(address);
    const to = ports === undefined ? undefined : ports.get(port);
    if (to === undefined || to.closed) {
      this.undeliverable++;
      return;
    }
    if (this.delayMs > 0 && this.#clock) {
      this.#later(this.#clock, from, to, data.slice());
      return;
    }
    to.rx.set(data);
    to.received++;
    const view = to.views.of(to.rx, data.length);
    if (this.rewrite) this.rewrite(view, from.apparent);
    to.options.onMessage(view, from.apparent);
  }

  // Its own function: XS gives a function's captured variables heap slots on every call, closure made or not.
  #later(clock: Clock, from: MemorySocket, to: MemorySocket, copy: Uint8Array): void {
    clock.setTimer(this.delayMs, () => {
      if (!to.closed) {
        to.received++;
        to.options.onMessage(copy, from.apparent);
      }
    });
  }
}

class MemoryHost implements Network {
  #nextPort = 40000;
  constructor(
    readonly net: MemoryNet,
    readonly address: string,
    readonly options: HostOptions,
  ) {}

  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    let port = options.port ?? 0;
    if (port === 0) while (this.net.isBound(this.address, (port = this.#nextPort++)));
    const local = { address: this.address, port };
    const nat = this.options.nat;
    const apparent = nat ? { address: nat.address, port: port + nat.portOffset } : local;
    const socket = new MemorySocket(this.net, local, apparent, options);
    this.net.bind(socket);
    return socket;
  }

  connect(_options: ConnectOptions): StreamSocket {
    throw new Error('memory network: no streams');
  }

  async listen(_options: ListenOptions): Promise<Listener> {
    throw new Error('memory network: no streams');
  }

  localAddresses(): string[] {
    return [this.address];
  }
}
