/**
 * A stub resolver over the HAL UDP socket (ESP32's lwIP resolver has no SRV or NAPTR): retransmission with
 * back-off across the configured servers, replies matched by id, source and question, a bounded TTL cache
 * (positive and RFC 2308 negative), and a retry over TCP when a UDP reply comes back truncated.
 */
import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { Endpoint, Network, StreamSocket, UdpSocket } from '../../../hal/net.js';
import type { Random } from '../../../hal/random.js';
import { silent, type Logger } from '../../log.js';
import {
  CLASS_IN, DnsError, RCODE, TYPE_CODE, canonicalName, decodeMessage, encodeQuery,
  type DnsMessage, type RecordOf, type RecordTypeName, type ResourceRecord,
} from './message.js';

export interface ResolverOptions {
  network: Network;
  clock: Clock;
  random: Random;
  /** Name servers, tried in order (numeric addresses). */
  servers: readonly Endpoint[];
  /** Wait for the first try at each server; doubled every round. Default 1000 ms. */
  timeoutMs?: number;
  /** Upper bound for one wait. Default 4000 ms. */
  maxTimeoutMs?: number;
  /** Rounds over the whole server list before giving up. Default 3. */
  attempts?: number;
  /** Most names kept in the cache. Default 64. */
  cacheSize?: number;
  /** Caps on cached TTLs, seconds. Defaults 86400 and 300 (negative answers: short, so a fixed zone is seen soon). */
  maxTtl?: number;
  maxNegativeTtl?: number;
  /** Repeat a truncated UDP query over TCP. Default true. */
  tcpFallback?: boolean;
  /** Local address for the UDP socket (e.g. "::" to reach IPv6 servers). Default: the platform's choice. */
  localAddress?: string;
  logger?: Logger;
}

/** The outcome of one lookup: the records of the asked type for the name, after following CNAMEs. */
export interface DnsResult<T extends RecordTypeName = RecordTypeName> {
  /** The name the records belong to (the end of the CNAME chain), canonical. */
  name: string;
  records: RecordOf<T>[];
  /** Set when the name does not exist (NXDOMAIN) or has no record of this type (NODATA). */
  negative?: 'NXDOMAIN' | 'NODATA';
  /** The answer came from a truncated reply that TCP could not complete: possibly incomplete, not cached. */
  partial?: boolean;
}

interface CacheEntry {
  expires: number; // clock ms
  result: DnsResult;
}

interface Waiter {
  server: Endpoint;
  name: string; // canonical
  code: number;
  done(reply: DnsMessage | undefined): void;
}

const MAX_CNAME = 8;

export class DnsResolver {
  readonly #o: Required<Omit<ResolverOptions, 'logger' | 'localAddress'>> & { localAddress?: string };
  readonly #log: Logger;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<DnsResult>>();
  readonly #waiting = new Map<number, Waiter>();
  readonly #idBuf = new Uint8Array(2);
  #socket: Promise<UdpSocket> | undefined;
  #closed = false;

  constructor(options: ResolverOptions) {
    if (options.servers.length === 0) throw new DnsError('no DNS servers configured');
    this.#o = {
      timeoutMs: 1000, maxTimeoutMs: 4000, attempts: 3, cacheSize: 64, maxTtl: 86400, maxNegativeTtl: 300,
      tcpFallback: true, ...options,
    };
    this.#log = options.logger ?? silent;
  }

  /** Records of one type for a name; rejects with DnsError when no server gave a usable answer. */
  query<T extends RecordTypeName>(name: string, type: T): Promise<DnsResult<T>> {
    return this.#query(canonicalName(name), type, 0) as unknown as Promise<DnsResult<T>>;
  }

  /** Forgets every cached answer. */
  flush(): void {
    this.#cache.clear();
  }

  /** Number of names in the cache (expired ones included until they are touched or pushed out). */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Closes the socket; queries in progress fail. */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#waiting.values()]) w.done(undefined);
    this.#waiting.clear();
    const s = this.#socket;
    this.#socket = undefined;
    s?.then((sock) => sock.close(), () => {});
  }

  async #query(name: string, type: RecordTypeName, depth: number): Promise<DnsResult> {
    const key = `${type} ${name}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      if (cached.expires > this.#o.clock.now()) {
        this.#cache.set(key, cached); // most recently used goes last
        return cached.result;
      }
    }
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#lookup(name, type, depth, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #lookup(name: string, type: RecordTypeName, depth: number, key: string): Promise<DnsResult> {
    const reply = await this.#exchangeAny(name, TYPE_CODE[type]);
    const { result, ttl, chainEnd } = interpret(reply, name, type);
    if (chainEnd !== undefined) {
      // The server gave only a CNAME: look up where it points (bounded, since chains can loop).
      if (depth >= MAX_CNAME) throw new DnsError(`CNAME chain too long resolving ${name}`);
      return this.#query(chainEnd, type, depth + 1);
    }
    if (ttl !== undefined && !result.partial) {
      const cap = result.negative ? this.#o.maxNegativeTtl : this.#o.maxTtl;
      this.#store(key, result, Math.min(ttl, cap));
    }
    return result;
  }

  #store(key: string, result: DnsResult, ttl: number): void {
    if (ttl <= 0) return;
    const now = this.#o.clock.now();
    this.#cache.delete(key);
    this.#cache.set(key, { expires: now + ttl * 1000, result });
    if (this.#cache.size <= this.#o.cacheSize) return;
    for (const [k, e] of this.#cache) if (e.expires <= now) this.#cache.delete(k);
    // Still full: drop the least recently used (the Map's first keys).
    for (const k of this.#cache.keys()) {
      if (this.#cache.size <= this.#o.cacheSize) break;
      this.#cache.delete(k);
    }
  }

  /** Tries each server in turn, round after round with doubled waits, until one gives a usable reply. */
  async #exchangeAny(name: string, code: number): Promise<DnsMessage> {
    const o = this.#o;
    let wait = o.timeoutMs;
    let failure = 'timed out';
    for (let round = 0; round < o.attempts; round++) {
      for (const server of o.servers) {
        if (this.#closed) throw new DnsError('DNS resolver closed');
        const reply = await this.#exchangeUdp(server, name, code, wait);
        if (!reply) continue;
        if (reply.rcode !== RCODE.NOERROR && reply.rcode !== RCODE.NXDOMAIN) {
          failure = `answered rcode ${reply.rcode}`;
          this.#log.debug(`${server.address}:${server.port} answered rcode ${reply.rcode} for ${name}`);
          continue;
        }
        if (reply.tc && o.tcpFallback) {
          const full = await this.#exchangeTcp(server, name, code, wait * 2).catch((e: unknown) => {
            this.#log.debug(`TCP retry to ${server.address}:${server.port} failed: ${(e as Error).message}`);
            return undefined;
          });
          if (full && !full.tc && (full.rcode === RCODE.NOERROR || full.rcode === RCODE.NXDOMAIN)) return full;
        }
        return reply;
      }
      wait = Math.min(wait * 2, o.maxTimeoutMs);
    }
    throw new DnsError(`DNS query for ${name} type ${code} ${failure} (${o.servers.length} server(s), ${o.attempts} round(s))`);
  }

  #openSocket(): Promise<UdpSocket> {
    if (this.#socket) return this.#socket;
    const opening = this.#o.network.openUdp({
      ...(this.#o.localAddress !== undefined ? { address: this.#o.localAddress } : {}),
      onMessage: (data, from) => this.#onMessage(data, from),
      onError: (e) => this.#log.warn(`DNS socket error: ${e.message}`),
    });
    this.#socket = opening;
    // A failed open is not remembered: the next query tries again (the network may be back).
    opening.catch(() => {
      if (this.#socket === opening) this.#socket = undefined;
    });
    return opening.catch((e: unknown) => {
      throw new DnsError(`cannot open the DNS socket: ${(e as Error).message}`);
    });
  }

  #newId(): number {
    for (;;) {
      this.#o.random.fill(this.#idBuf);
      const id = (this.#idBuf[0]! << 8) | this.#idBuf[1]!;
      if (!this.#waiting.has(id)) return id;
    }
  }

  async #exchangeUdp(server: Endpoint, name: string, code: number, wait: number): Promise<DnsMessage | undefined> {
    const sock = await this.#openSocket();
    const id = this.#newId();
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (reply: DnsMessage | undefined) => {
        if (this.#waiting.get(id) !== waiter) return;
        this.#waiting.delete(id);
        if (timer !== undefined) this.#o.clock.clearTimer(timer);
        resolve(reply);
      };
      const waiter: Waiter = { server, name, code, done };
      this.#waiting.set(id, waiter);
      timer = this.#o.clock.setTimer(wait, () => {
        this.#log.debug(`no reply from ${server.address}:${server.port} for ${name} within ${wait} ms`);
        done(undefined);
      });
      try {
        sock.send(encodeQuery(id, name, code), server.address, server.port);
      } catch (e) {
        this.#log.debug(`DNS send to ${server.address}:${server.port} failed: ${(e as Error).message}`);
        done(undefined);
      }
    });
  }

  #onMessage(data: Uint8Array, from: Endpoint): void {
    if (data.length < 12) return;
    const id = (data[0]! << 8) | data[1]!;
    const w = this.#waiting.get(id);
    if (!w || w.server.port !== from.port || !sameAddress(w.server.address, from.address)) return;
    let reply: DnsMessage;
    try {
      reply = decodeMessage(data);
    } catch (e) {
      // Garbage with a matching id: keep waiting for the real reply (or the time-out).
      this.#log.debug(`bad DNS reply from ${from.address}: ${(e as Error).message}`);
      return;
    }
    if (!matches(reply, w.name, w.code)) return;
    w.done(reply);
  }

  /** RFC 1035 §4.2.2: the same query over TCP with a two-byte length prefix. */
  #exchangeTcp(server: Endpoint, name: string, code: number, wait: number): Promise<DnsMessage> {
    const id = this.#newId();
    const query = encodeQuery(id, name, code);
    return new Promise((resolve, reject) => {
      let buf = new Uint8Array(0);
      let settled = false;
      let sock: StreamSocket | undefined;
      const finish = (err: Error | undefined, reply?: DnsMessage) => {
        if (settled) return;
        settled = true;
        this.#o.clock.clearTimer(timer);
        try {
          sock?.close();
        } catch {
          // already closed
        }
        if (err) reject(err);
        else resolve(reply!);
      };
      const timer = this.#o.clock.setTimer(wait, () => finish(new DnsError(`DNS over TCP to ${server.address} timed out`)));
      sock = this.#o.network.connect({
        address: server.address,
        port: server.port,
        onConnect: () => {
          const framed = new Uint8Array(query.length + 2);
          framed[0] = query.length >> 8;
          framed[1] = query.length & 0xff;
          framed.set(query, 2);
          sock?.write(framed);
        },
        onData: (chunk) => {
          const joined = new Uint8Array(buf.length + chunk.length);
          joined.set(buf);
          joined.set(chunk, buf.length);
          buf = joined;
          if (buf.length < 2) return;
          const len = (buf[0]! << 8) | buf[1]!;
          if (buf.length < len + 2) return;
          try {
            const reply = decodeMessage(buf.subarray(2, 2 + len));
            if (reply.id !== id || !matches(reply, name, code)) throw new DnsError('DNS over TCP: reply does not match the query');
            finish(undefined, reply);
          } catch (e) {
            finish(e as Error);
          }
        },
        onClose: (e) => finish(e ?? new DnsError('DNS over TCP: connection closed before the reply')),
      });
    });
  }
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  const strip = (x: string) => (x.toLowerCase().startsWith('::ffff:') && x.includes('.') ? x.slice(7) : x.toLowerCase());
  return strip(a) === strip(b);
}

function matches(reply: DnsMessage, name: string, code: number): boolean {
  const q = reply.questions[0];
  return reply.qr && reply.questions.length === 1 && q !== undefined && q.type === code && q.class === CLASS_IN &&
    canonicalName(q.name) === name;
}

/**
 * Reads the answer for name/type out of a reply: the records (following CNAMEs inside the reply), the TTL to
 * cache it for, or chainEnd when the reply stops at a CNAME whose target it does not cover.
 */
export function interpret(
  reply: DnsMessage, name: string, type: RecordTypeName,
): { result: DnsResult; ttl: number | undefined; chainEnd?: string } {
  let current = name;
  let ttl = Infinity;
  for (let hops = 0; hops <= MAX_CNAME; hops++) {
    const records = reply.answers.filter(
      (rr): rr is ResourceRecord => rr.type === type && rr.class === CLASS_IN && canonicalName(rr.name) === current,
    );
    if (records.length) {
      for (const rr of records) ttl = Math.min(ttl, rr.ttl);
      return { result: { name: current, records: records as DnsResult['records'], ...(reply.tc ? { partial: true } : {}) }, ttl };
    }
    const cname = reply.answers.find(
      (rr): rr is RecordOf<'CNAME'> => rr.type === 'CNAME' && canonicalName(rr.name) === current,
    );
    if (!cname || type === 'CNAME') break;
    ttl = Math.min(ttl, cname.ttl);
    current = canonicalName(cname.target);
  }
  const negative = reply.rcode === RCODE.NXDOMAIN ? 'NXDOMAIN' : 'NODATA';
  if (current !== name && negative === 'NODATA' && !reply.authority.some((rr) => rr.type === 'SOA')) {
    return { result: { name: current, records: [] }, ttl: undefined, chainEnd: current };
  }
  // RFC 2308 §5: a negative answer lives as long as min(SOA TTL, SOA MINIMUM); without an SOA it is not cached.
  const soa = reply.authority.find((rr): rr is RecordOf<'SOA'> => rr.type === 'SOA');
  const negTtl = soa ? Math.min(ttl, soa.ttl, soa.minimum) : undefined;
  return {
    result: { name: current, records: [], negative, ...(reply.tc ? { partial: true } : {}) },
    ttl: negTtl,
  };
}
