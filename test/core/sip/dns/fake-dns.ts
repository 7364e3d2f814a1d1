/** Test doubles for the DNS tests: a Network whose UDP/TCP peers are DNS servers answering from a table. */
import type { Clock } from '../../../../hal/clock.js';
import type {
  ConnectOptions, Endpoint, Listener, ListenOptions, Network, StreamSocket, UdpOptions, UdpSocket,
} from '../../../../hal/net.js';
import type { Random } from '../../../../hal/random.js';
import type { VirtualClock } from '../../../../hal/virtual/clock.js';
import {
  CLASS_IN, RCODE, TYPE_CODE, canonicalName, decodeMessage, encodeMessage,
  type DnsMessage, type RecordTypeName, type ResourceRecord,
} from '../../../../src/sip/dns/message.js';

export { SeededRandom } from '../../../../hal/virtual/random.js';

export interface ServerBehaviour {
  /** Records the server knows. */
  zone: ResourceRecord[];
  /** Reply delay, ms of virtual time. Default 5. */
  delayMs?: number;
  /** Return true to drop this query (n counts queries seen by this server, from 1). */
  drop?: (n: number, q: DnsMessage) => boolean;
  /** Force an rcode (e.g. SERVFAIL) instead of answering. */
  rcode?: number;
  /** Answer UDP with TC and no records when the answer has more than this many records. */
  udpLimit?: number;
  /** Refuse TCP connections. */
  tcpRefused?: boolean;
  /** Reply from a different source port (should be ignored by the resolver). */
  wrongPort?: boolean;
}

export interface SentQuery {
  at: number;
  id: number;
  server: string; // address:port
  name: string;
  type: number;
  tcp: boolean;
}

/** Builds the reply a simple authoritative server would give, with CNAME chasing and SOA for negatives. */
export function answer(zone: ResourceRecord[], query: DnsMessage): DnsMessage {
  const q = query.questions[0]!;
  const answers: ResourceRecord[] = [];
  let name = canonicalName(q.name);
  for (let hops = 0; hops < 8; hops++) {
    const direct = zone.filter((rr) => canonicalName(rr.name) === name && code(rr) === q.type);
    if (direct.length) {
      answers.push(...direct);
      break;
    }
    const cname = zone.find((rr) => canonicalName(rr.name) === name && rr.type === 'CNAME');
    if (!cname || cname.type !== 'CNAME') break;
    answers.push(cname);
    name = canonicalName(cname.target);
  }
  const exists = zone.some((rr) => canonicalName(rr.name) === name);
  const soa = zone.filter((rr) => rr.type === 'SOA');
  return {
    id: query.id, qr: true, opcode: 0, aa: true, tc: false, rd: query.rd, ra: true,
    rcode: answers.length || exists ? RCODE.NOERROR : RCODE.NXDOMAIN,
    questions: query.questions, answers, authority: answers.some((a) => code(a) === q.type) ? [] : soa, additional: [],
  };
}

function code(rr: ResourceRecord): number {
  return rr.type === 'OTHER' ? rr.code : TYPE_CODE[rr.type as RecordTypeName];
}

export class FakeDnsNetwork implements Network {
  readonly sent: SentQuery[] = [];
  readonly servers = new Map<string, ServerBehaviour>();
  readonly #seen = new Map<string, number>();
  #sockets: UdpOptions[] = [];
  constructor(readonly clock: Clock) {}

  serve(address: string, port: number, behaviour: ServerBehaviour): this {
    this.servers.set(`${address}:${port}`, behaviour);
    return this;
  }

  /** Delivers a datagram to every open socket, as if from `from` (spoofing tests). */
  inject(data: Uint8Array, from: Endpoint): void {
    for (const s of this.#sockets) s.onMessage(data, from);
  }

  openUdp(options: UdpOptions): Promise<UdpSocket> {
    this.#sockets.push(options);
    const local = { address: '127.0.0.1', port: 40000 + this.#sockets.length };
    return Promise.resolve({
      local,
      send: (data: Uint8Array, address: string, port: number) => {
        const key = `${address}:${port}`;
        const query = decodeMessage(data);
        const q = query.questions[0]!;
        this.sent.push({ at: this.clock.now(), id: query.id, server: key, name: q.name, type: q.type, tcp: false });
        const b = this.servers.get(key);
        if (!b) return;
        const n = (this.#seen.get(key) ?? 0) + 1;
        this.#seen.set(key, n);
        if (b.drop?.(n, query)) return;
        const reply = this.#reply(b, query, false);
        this.clock.setTimer(b.delayMs ?? 5, () =>
          options.onMessage(encodeMessage(reply), { address, port: b.wrongPort ? port + 1 : port }));
      },
      close: () => {
        this.#sockets = this.#sockets.filter((s) => s !== options);
      },
    });
  }

  #reply(b: ServerBehaviour, query: DnsMessage, tcp: boolean): DnsMessage {
    if (b.rcode !== undefined) {
      return { ...answer([], query), rcode: b.rcode, authority: [] };
    }
    const reply = answer(b.zone, query);
    if (!tcp && b.udpLimit !== undefined && reply.answers.length > b.udpLimit) {
      return { ...reply, tc: true, answers: reply.answers.slice(0, b.udpLimit) };
    }
    return reply;
  }

  connect(options: ConnectOptions): StreamSocket {
    const key = `${options.address}:${options.port}`;
    const b = this.servers.get(key);
    let open = true;
    const sock: StreamSocket = {
      local: { address: '127.0.0.1', port: 50000 },
      remote: { address: options.address, port: options.port },
      write: (data: Uint8Array) => {
        const query = decodeMessage(data.subarray(2));
        const q = query.questions[0]!;
        this.sent.push({ at: this.clock.now(), id: query.id, server: key, name: q.name, type: q.type, tcp: true });
        const body = encodeMessage(this.#reply(b!, query, true));
        const framed = new Uint8Array(body.length + 2);
        framed[0] = body.length >> 8;
        framed[1] = body.length & 0xff;
        framed.set(body, 2);
        // Delivered in two pieces, as TCP may.
        this.clock.setTimer(b!.delayMs ?? 5, () => {
          if (open) options.onData(framed.subarray(0, 3));
          if (open) options.onData(framed.subarray(3));
        });
      },
      close: () => {
        open = false;
      },
    };
    this.clock.setTimer(1, () => {
      if (!b || b.tcpRefused) options.onClose(new Error('connection refused'));
      else options.onConnect?.();
    });
    return sock;
  }

  listen(_options: ListenOptions): Promise<Listener> {
    return Promise.reject(new Error('not in this fake'));
  }

  localAddresses(): string[] {
    return ['127.0.0.1'];
  }
}

/** Runs the virtual clock until promise settles (or limitMs passes), letting microtasks run between timers. */
export async function drive<T>(clock: VirtualClock, promise: Promise<T>, limitMs = 60_000): Promise<T> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  const start = clock.now();
  for (let i = 0; i < 10_000; i++) {
    for (let k = 0; k < 20; k++) await Promise.resolve();
    if (settled) return promise;
    const due = clock.nextDue;
    if (due === undefined || due - start > limitMs) break;
    clock.advance(due - clock.now());
  }
  for (let k = 0; k < 20; k++) await Promise.resolve();
  if (settled) return promise;
  throw new Error(`promise did not settle within ${limitMs} ms of virtual time`);
}

/** The rejection of a promise driven on the clock (t.throwsAsync is not in the XS lane's ava shim). */
export async function failure(clock: VirtualClock, promise: Promise<unknown>): Promise<Error> {
  try {
    await drive(clock, promise);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

export const rr = {
  a: (name: string, address: string, ttl = 300): ResourceRecord => ({ name, class: CLASS_IN, ttl, type: 'A', address }),
  aaaa: (name: string, address: string, ttl = 300): ResourceRecord =>
    ({ name, class: CLASS_IN, ttl, type: 'AAAA', address }),
  cname: (name: string, target: string, ttl = 300): ResourceRecord =>
    ({ name, class: CLASS_IN, ttl, type: 'CNAME', target }),
  srv: (name: string, priority: number, weight: number, port: number, target: string, ttl = 300): ResourceRecord =>
    ({ name, class: CLASS_IN, ttl, type: 'SRV', priority, weight, port, target }),
  naptr: (name: string, order: number, preference: number, services: string, replacement: string, ttl = 300): ResourceRecord =>
    ({ name, class: CLASS_IN, ttl, type: 'NAPTR', order, preference, flags: 's', services, regexp: '', replacement }),
  soa: (name: string, minimum: number, ttl = 3600): ResourceRecord => ({
    name, class: CLASS_IN, ttl, type: 'SOA', mname: `ns.${name}`, rname: `hostmaster.${name}`,
    serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum,
  }),
};
