/**
 * The scenario of `npm run bench:memory`, evaluated inside XS (bench/memory-xs.ts bundles it). Two roles, one per
 * xsnap worker: 'phone' is the phone under test alone in its heap (PhoneApp with SIP calls, registering with digest
 * auth, then calling the peer); 'peers' holds the registrar and the peer phone that answers. The workers' networks
 * are bridged through the Node side: datagrams for an address not on this worker leave through `send` (issueCommand)
 * and arrive through `poll`, once per 10 ms step of each worker's VirtualClock. Platform-free: it runs in XS.
 */
import type { ConnectOptions, Endpoint, Listener, ListenOptions, Network, StreamSocket, UdpOptions, UdpSocket } from '../hal/net.js';
import type { Random } from '../hal/random.js';
import { SeededRandom } from '../hal/virtual/random.js';
import { SoftCrypto } from '../hal/soft/crypto.js';
import { VirtualClock } from '../hal/virtual/clock.js';
import { PhoneApp, type AppEvent } from '../src/phone/app.js';
import { validateSettings, type Settings } from '../src/phone/settings.js';
import { createSipCalls } from '../src/phone/sip-calls.js';
import { DigestVerifier } from '../src/sip/auth/verify.js';
import { parseAuth } from '../src/sip/headers/auth.js';
import { sipCodec, SipTransport } from '../src/sip/transport/index.js';
import { UserAgent } from '../src/sip/ua/user-agent.js';
import { formatUri } from '../src/sip/uri.js';

export const PHONE = '10.0.0.1';
export const PEER = '10.0.0.2';
export const REGISTRAR = '10.0.0.9';
const STEP_MS = 10;


/** Datagram frames between workers: from (4+2), to (4+2), length (2), data; IPv4 only. */
const HEADER = 14;

function putAddress(out: Uint8Array, at: number, address: string, port: number): void {
  const parts = address.split('.');
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
  out[at + 4] = port >> 8;
  out[at + 5] = port & 0xff;
}

function getAddress(bytes: Uint8Array, at: number): Endpoint {
  return { address: `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`, port: (bytes[at + 4]! << 8) | bytes[at + 5]! };
}

interface Outgoing { from: Endpoint; to: Endpoint; data: Uint8Array }

/** The hosts of one worker: local datagrams are delivered here (1 ms later), the others queued for the bridge. */
export class Bridge {
  readonly #sockets = new Map<string, BridgeUdp>();
  #outbox: Outgoing[] = [];
  #nextPort = 40000;
  /** RTP datagrams (version 2, even port >= 16384) that left and arrived at this worker: counters only. */
  rtpSent = 0;
  rtpReceived = 0;

  constructor(readonly clock: VirtualClock) {}

  host(address: string): Network {
    return new BridgeNetwork(this, address);
  }

  bind(socket: BridgeUdp, address: string): void {
    const key = `${address} ${socket.local.port}`;
    if (this.#sockets.has(key)) throw new Error('address in use');
    this.#sockets.set(key, socket);
  }

  unbind(address: string, port: number): void {
    this.#sockets.delete(`${address} ${port}`);
  }

  ephemeralPort(): number {
    return this.#nextPort++;
  }

  send(from: Endpoint, data: Uint8Array, address: string, port: number): void {
    const local = this.#sockets.get(`${address} ${port}`);
    const copy = data.slice();
    if (local) {
      this.clock.setTimer(1, () => local.receive(copy, from));
      return;
    }
    if (isRtp(copy, port)) this.rtpSent++;
    this.#outbox.push({ from, to: { address, port }, data: copy });
  }

  /** The queued datagrams as one frame buffer, or undefined; the queue is emptied. */
  takeOutgoing(): Uint8Array | undefined {
    if (this.#outbox.length === 0) return undefined;
    let size = 0;
    for (const d of this.#outbox) size += HEADER + d.data.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const d of this.#outbox) {
      putAddress(out, at, d.from.address, d.from.port);
      putAddress(out, at + 6, d.to.address, d.to.port);
      out[at + 12] = d.data.length >> 8;
      out[at + 13] = d.data.length & 0xff;
      out.set(d.data, at + HEADER);
      at += HEADER + d.data.length;
    }
    this.#outbox = [];
    return out;
  }

  /** Delivers a frame buffer from the other worker; each datagram gets its own buffer, as a socket read does. */
  deliver(bytes: Uint8Array): void {
    let at = 0;
    while (at + HEADER <= bytes.length) {
      const from = getAddress(bytes, at);
      const to = getAddress(bytes, at + 6);
      const length = (bytes[at + 12]! << 8) | bytes[at + 13]!;
      const data = bytes.slice(at + HEADER, at + HEADER + length);
      at += HEADER + length;
      if (isRtp(data, to.port)) this.rtpReceived++;
      this.#sockets.get(`${to.address} ${to.port}`)?.receive(data, from);
    }
  }
}

function isRtp(data: Uint8Array, port: number): boolean {
  return port >= 16384 && port % 2 === 0 && data.length >= 12 && (data[0]! & 0xc0) === 0x80;
}

class BridgeUdp implements UdpSocket {
  #closed = false;
  constructor(readonly bridge: Bridge, readonly address: string, readonly local: Endpoint, readonly options: UdpOptions) {}
  send(data: Uint8Array, address: string, port: number): void {
    if (this.#closed) throw new Error('socket closed');
    this.bridge.send({ address: this.address, port: this.local.port }, data, address, port);
  }
  receive(data: Uint8Array, from: Endpoint): void {
    if (!this.#closed) this.options.onMessage(data, from);
  }
  close(): void {
    this.#closed = true;
    this.bridge.unbind(this.address, this.local.port);
  }
}

/** One host: UDP only (the scenario is SIP over UDP); a TCP listener that never accepts, connects that fail. */
class BridgeNetwork implements Network {
  constructor(readonly bridge: Bridge, readonly address: string) {}
  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    const port = options.port || this.bridge.ephemeralPort();
    const socket = new BridgeUdp(this.bridge, this.address, { address: options.address ?? '0.0.0.0', port }, options);
    this.bridge.bind(socket, this.address);
    return socket;
  }
  connect(options: ConnectOptions): StreamSocket {
    const local = { address: this.address, port: this.bridge.ephemeralPort() };
    this.bridge.clock.setTimer(1, () => options.onClose(new Error('no TCP in this scenario')));
    return { local, remote: { address: options.address, port: options.port }, write() {}, close() {} };
  }
  async listen(options: ListenOptions): Promise<Listener> {
    return { local: { address: options.address ?? '0.0.0.0', port: options.port || this.bridge.ephemeralPort() }, close() {} };
  }
  localAddresses(): string[] {
    return [this.address];
  }
}

function settings(input: unknown): Settings {
  const v = validateSettings(input);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.value;
}

type Command = (bytes: ArrayBuffer) => ArrayBuffer | Uint8Array | undefined;

const REPORT = 1;
const POLL = 2;
const SEND = 3;

/** What the Node side calls in a worker (globalThis.bench); answers go back through issueCommand. */
export class MemoryBench {
  readonly clock = new VirtualClock();
  readonly bridge = new Bridge(this.clock);
  #app: PhoneApp | undefined;
  #peer: PhoneApp | undefined;
  #registrar: UserAgent | undefined;
  #events: string[] = [];
  readonly #command: Command;

  constructor(command: Command) {
    this.#command = command;
  }

  #post(kind: number, body: Uint8Array): ArrayBuffer | Uint8Array | undefined {
    const out = new Uint8Array(body.length + 1);
    out[0] = kind;
    out.set(body, 1);
    return this.#command(out.buffer);
  }

  report(value: unknown): void {
    this.#post(REPORT, new TextEncoder().encode(JSON.stringify(value)));
  }

  #event(who: string, e: AppEvent): void {
    // Only the last few, as short strings: the log must not grow the measured heap.
    this.#events.push(`${who}:${e.type}`);
    if (this.#events.length > 8) this.#events.shift();
  }

  /** The phone under test: one account on the registrar, with a password (digest auth). */
  async startPhone(): Promise<void> {
    this.#app = await PhoneApp.start({
      hal: { clock: this.clock, random: new SeededRandom(1), crypto: new SoftCrypto(), network: this.bridge.host(PHONE) },
      settings: settings({ accounts: [{ user: 'alice', domain: 'lab', password: 'alicepw', registrar: `sip:${REGISTRAR}`, expires: 3600 }] }),
      address: PHONE, sipPort: 5060, calls: createSipCalls, onEvent: (e) => this.#event('phone', e),
    });
  }

  /** The registrar (digest-authenticated REGISTER) and the peer phone, which answers every call after 200 ms. */
  async startPeers(): Promise<void> {
    const clock = this.clock;
    const crypto = new SoftCrypto();
    const random = new SeededRandom(7);
    const transport = await SipTransport.open({ network: this.bridge.host(REGISTRAR), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
    const registrar = new UserAgent({ clock, random, crypto, transport, host: REGISTRAR });
    const verifier = new DigestVerifier({ crypto, random, clock, realm: 'lab', passwordFor: (u) => (u === 'alice' ? 'alicepw' : undefined) });
    registrar.handle('REGISTER', (req, tx) => {
      const cred = req.header('Authorization');
      if (!cred || !verifier.verify(parseAuth(cred), { method: 'REGISTER', uri: formatUri(req.uri) }).ok) {
        return void registrar.respond(tx, req, 401, undefined, { headers: { 'WWW-Authenticate': verifier.challenge() } });
      }
      const c = req.contact;
      const contact = c === '*' ? '*' : `<${formatUri(c[0]!.uri)}>`;
      registrar.respond(tx, req, 200, undefined, { headers: { Contact: `${contact};expires=${req.expires ?? 3600}` } });
    });
    this.#registrar = registrar;
    const peer = await PhoneApp.start({
      hal: { clock, random: new SeededRandom(2), crypto, network: this.bridge.host(PEER) },
      settings: settings({ accounts: [{ user: 'bob', domain: 'lab', password: '' }], incoming: 'any' }),
      address: PEER, sipPort: 5060, calls: createSipCalls,
      onEvent: (e) => {
        this.#event('peer', e);
        if (e.type === 'incoming') clock.setTimer(200, () => peer.press('soft1'));
      },
    });
    this.#peer = peer;
  }

  /**
   * Runs n steps of 10 ms: takes what the other worker sent (the Node side runs the other worker's step while this
   * one waits in POLL), moves the clock, lets promise jobs run, sends. One evaluation runs many steps: xsnap keeps a
   * little memory per evaluation (see memory-xs.ts), which the phone's figures must not include.
   */
  async step(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const inbound = this.#post(POLL, new Uint8Array(0));
      if (inbound && inbound.byteLength > 0) this.bridge.deliver(inbound instanceof Uint8Array ? inbound : new Uint8Array(inbound));
      this.clock.advance(STEP_MS);
      for (let k = 0; k < 5; k++) await Promise.resolve();
      const out = this.bridge.takeOutgoing();
      if (out) this.#post(SEND, out);
    }
  }

  /** Steps until the phone is registered / in a connected call / without calls (checked every 100 ms), at most maxMs; then reports. */
  async until(what: 'registered' | 'connected' | 'idle', maxMs: number): Promise<void> {
    const done = (): boolean => {
      const app = this.#app!;
      if (what === 'registered') return app.screen().status.registration === 'Registered';
      if (what === 'connected') return app.phone.calls[0]?.phase === 'connected';
      return app.phone.calls.length === 0;
    };
    for (let t = 0; t < maxMs && !done(); t += 100) await this.step(10);
    this.status();
  }

  /** The phone under test (for experiments that look inside). */
  get app(): PhoneApp | undefined {
    return this.#app;
  }

  dial(target: string): void {
    this.#app!.phone.dial(target);
  }

  hangup(): void {
    this.#app!.press('soft4');
  }

  /** State of this worker's phone, for the Node side's checks. */
  status(): void {
    const app = this.#app ?? this.#peer;
    this.report({
      registration: this.#app?.screen().status.registration ?? '',
      calls: app ? app.phone.calls.map((c) => c.phase) : [],
      rtpSent: this.bridge.rtpSent,
      rtpReceived: this.bridge.rtpReceived,
      events: this.#events.slice(),
      registrar: this.#registrar !== undefined,
    });
  }
}
