/**
 * An in-memory network on a VirtualClock for transport tests: hosts with addresses, UDP sockets, TCP listeners
 * and connections. Every delivery is a clock timer (latency ms, FIFO), so tests step it with clock.advance().
 */
import type { VirtualClock } from '../../../../hal/virtual/clock.js';
import type {
  ConnectOptions, Endpoint, Listener, ListenOptions, Network, StreamHandlers, StreamSocket, UdpOptions, UdpSocket,
} from '../../../../hal/net.js';

const key = (address: string, port: number): string => `${address} ${port}`;

export interface Datagram {
  at: number;
  from: Endpoint;
  to: Endpoint;
  data: Uint8Array;
}

export class FakeInternet {
  readonly udp = new Map<string, FakeUdp>();
  readonly listeners = new Map<string, FakeListenerImpl>();
  readonly datagrams: Datagram[] = [];
  readonly streams: FakeStream[] = [];
  /** Drop the next n datagrams (loss). */
  dropNext = 0;
  /** Drop datagrams this returns true for (targeted loss). */
  drop: ((d: Datagram) => boolean) | undefined;
  #ephemeral = 40000;
  /** UDP through NATs: private address -> its NAT; public "address port" -> the private endpoint it maps. */
  readonly #nats = new Map<string, { publicAddress: string; remap: boolean; out: Map<string, number> }>();
  readonly #natIn = new Map<string, Endpoint>();
  #natPort = 61000;

  constructor(readonly clock: VirtualClock, readonly latency = 1) {}

  host(...addresses: string[]): FakeNetwork {
    return new FakeNetwork(this, addresses);
  }

  ephemeralPort(): number {
    return this.#ephemeral++;
  }

  later(fn: () => void): void {
    this.clock.setTimer(this.latency, fn);
  }

  findUdp(address: string, port: number): FakeUdp | undefined {
    return this.udp.get(key(address, port));
  }

  /**
   * Puts a host address behind a NAT (UDP only): what it sends leaves from publicAddress on a mapped port, and
   * only datagrams to a mapped port come in; nothing from outside reaches the private address itself. The
   * mapping is endpoint-independent, or a new port for every datagram with `remap` (a hostile NAT).
   */
  nat(privateAddress: string, publicAddress: string, remap = false): void {
    this.#nats.set(privateAddress, { publicAddress, remap, out: new Map() });
  }

  /** The source a datagram from `from` shows outside its NAT (itself when not behind one). */
  natOut(from: Endpoint): Endpoint {
    const nat = this.#nats.get(from.address);
    if (!nat) return from;
    let port = nat.out.get(key(from.address, from.port));
    if (port === undefined || nat.remap) {
      port = this.#natPort++;
      nat.out.set(key(from.address, from.port), port);
      this.#natIn.set(key(nat.publicAddress, port), from);
    }
    return { address: nat.publicAddress, port };
  }

  /** Where a datagram from `from` to `to` arrives: through a NAT's mapping, or null when a NAT drops it. */
  natIn(from: Endpoint, to: Endpoint): Endpoint | null {
    const mapped = this.#natIn.get(key(to.address, to.port));
    if (mapped) return mapped;
    for (const [priv, nat] of this.#nats) if (nat.publicAddress === to.address || (priv === to.address && from.address !== priv)) return null;
    return to;
  }

  findListener(address: string, port: number): FakeListenerImpl | undefined {
    return this.listeners.get(key(address, port));
  }

  /** Keys a bound socket answers to: each host address for the wildcard 0.0.0.0. */
  static keys(net: FakeNetwork, address: string, port: number): string[] {
    return (address === '0.0.0.0' ? net.addresses : [address]).map((a) => key(a, port));
  }
}

export class FakeUdp implements UdpSocket {
  closed = false;
  constructor(readonly net: FakeNetwork, readonly local: Endpoint, readonly options: UdpOptions) {}
  send(data: Uint8Array, address: string, port: number): void {
    if (this.closed) throw new Error('socket closed');
    const inet = this.net.internet;
    const from = inet.natOut({ address: this.local.address === '0.0.0.0' ? this.net.addresses[0]! : this.local.address, port: this.local.port });
    const copy = data.slice();
    const d = { at: inet.clock.now(), from, to: { address, port }, data: copy };
    inet.datagrams.push(d);
    if (inet.dropNext > 0) {
      inet.dropNext--;
      return;
    }
    if (inet.drop?.(d)) return;
    inet.later(() => {
      const to = inet.natIn(from, d.to);
      const dest = to && inet.findUdp(to.address, to.port);
      if (dest && !dest.closed) dest.options.onMessage(copy, from);
    });
  }
  close(): void {
    this.closed = true;
    for (const k of FakeInternet.keys(this.net, this.local.address, this.local.port)) this.net.internet.udp.delete(k);
  }
}

/** One end of a connection. */
export class FakeStream implements StreamSocket {
  peer!: FakeStream;
  handlers: StreamHandlers | undefined;
  closed = false;
  /** Everything written on this end, in order. */
  written: Uint8Array[] = [];
  constructor(readonly internet: FakeInternet, readonly local: Endpoint, readonly remote: Endpoint) {}
  write(data: Uint8Array): void {
    if (this.closed) throw new Error('connection closed');
    const copy = data.slice();
    this.written.push(copy);
    const peer = this.peer;
    this.internet.later(() => {
      if (!peer.closed) peer.handlers?.onData(copy);
    });
  }
  /** Like a host socket, both ends hear onClose (the closing end too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    this.internet.later(() => {
      this.handlers?.onClose();
      if (!peer || peer.closed) return;
      peer.closed = true;
      peer.handlers?.onClose();
    });
  }
  /** A TCP reset: both ends see an error. */
  reset(): void {
    for (const end of [this, this.peer]) {
      if (end.closed) continue;
      end.closed = true;
      this.internet.later(() => end.handlers?.onClose(new Error('connection reset')));
    }
  }
  get text(): string {
    return this.written.map((b) => new TextDecoder().decode(b)).join('');
  }
}

export class FakeListenerImpl implements Listener {
  constructor(readonly net: FakeNetwork, readonly local: Endpoint, readonly options: ListenOptions) {}
  close(): void {
    for (const k of FakeInternet.keys(this.net, this.local.address, this.local.port)) this.net.internet.listeners.delete(k);
  }
}

export class FakeNetwork implements Network {
  constructor(readonly internet: FakeInternet, readonly addresses: string[]) {}

  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    const port = options.port || this.internet.ephemeralPort();
    const address = options.address ?? '0.0.0.0';
    const keys = FakeInternet.keys(this, address, port);
    if (keys.some((k) => this.internet.udp.has(k))) throw new Error('address in use');
    const s = new FakeUdp(this, { address, port }, options);
    for (const k of keys) this.internet.udp.set(k, s);
    return s;
  }

  connect(options: ConnectOptions): StreamSocket {
    const inet = this.internet;
    const local = { address: this.addresses[0]!, port: inet.ephemeralPort() };
    const client = new FakeStream(inet, local, { address: options.address, port: options.port });
    client.handlers = options;
    inet.later(() => {
      if (client.closed) return;
      const listener = inet.findListener(options.address, options.port);
      if (!listener) {
        client.closed = true;
        options.onClose(new Error(`connection refused by ${options.address}:${options.port}`));
        return;
      }
      const server = new FakeStream(inet, { address: options.address, port: options.port }, local);
      client.peer = server;
      server.peer = client;
      inet.streams.push(client);
      server.handlers = listener.options.onConnection(server);
      server.handlers.onConnect?.();
      options.onConnect?.();
    });
    return client;
  }

  async listen(options: ListenOptions): Promise<Listener> {
    const port = options.port || this.internet.ephemeralPort();
    const address = options.address ?? '0.0.0.0';
    const keys = FakeInternet.keys(this, address, port);
    if (keys.some((k) => this.internet.listeners.has(k))) throw new Error('address in use');
    const l = new FakeListenerImpl(this, { address, port }, options);
    for (const k of keys) this.internet.listeners.set(k, l);
    return l;
  }

  localAddresses(): string[] {
    return this.addresses;
  }
}
