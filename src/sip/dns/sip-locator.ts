/**
 * RFC 3263 §4: from a SIP or SIPS URI to an ordered list of (transport, address, port) targets, and a cursor
 * the transaction user advances on transport error, 503 or time-out (§4.3).
 */
import type { Random } from '../../../hal/random.js';
import type { SipUri } from '../uri.js';
import { DnsError, canonicalName, isIpAddress, type RecordOf } from './message.js';
import type { DnsResolver } from './resolver.js';

export type Transport = 'UDP' | 'TCP' | 'TLS';

export interface Target {
  transport: Transport;
  address: string; // numeric
  port: number;
  /** The name whose A/AAAA record gave this address (an SRV target, say), or the address itself. */
  host: string;
  /** The URI's host (or maddr): the identity a TLS certificate must match (RFC 5922 §4), and the SNI name. */
  domain: string;
}

export interface LocatorOptions {
  resolver: DnsResolver;
  random: Random;
  /** Transports this UA can use, most preferred first. Default ['UDP', 'TCP']. */
  transports?: readonly Transport[];
  /** Address records to look up for each name, in the order their addresses are tried. Default ['A', 'AAAA']. */
  addressTypes?: ReadonlyArray<'A' | 'AAAA'>;
}

/** NAPTR service field -> transport (RFC 3263 §4.1, services we can use). */
const NAPTR_SERVICE: ReadonlyMap<string, Transport> = new Map([
  ['sip+d2u', 'UDP'], ['sip+d2t', 'TCP'], ['sips+d2t', 'TLS'],
]);

const SRV_PREFIX: Readonly<Record<Transport, string>> = { UDP: '_sip._udp.', TCP: '_sip._tcp.', TLS: '_sips._tcp.' };

const DEFAULT_PORT: Readonly<Record<Transport, number>> = { UDP: 5060, TCP: 5060, TLS: 5061 };

/** Walks the targets in order; the transaction user calls next() when the current one fails. */
export class TargetCursor implements Iterable<Target> {
  #index = 0;
  constructor(readonly targets: readonly Target[]) {}

  /** The target to use now, or undefined once every target has failed. */
  get current(): Target | undefined {
    return this.targets[this.#index];
  }

  /** Marks the current target failed and moves to the next one (§4.3); undefined when none is left. */
  next(): Target | undefined {
    if (this.#index < this.targets.length) this.#index++;
    return this.current;
  }

  /** Targets not yet tried, the current one included. */
  get remaining(): number {
    return this.targets.length - this.#index;
  }

  /** Yields the current target; asking for another marks it failed, as next() does. */
  *[Symbol.iterator](): Iterator<Target> {
    for (let t = this.current; t; t = this.next()) yield t;
  }
}

export class SipLocator {
  readonly #resolver: DnsResolver;
  readonly #random: Random;
  readonly #transports: readonly Transport[];
  readonly #addressTypes: ReadonlyArray<'A' | 'AAAA'>;
  readonly #rnd = new Uint8Array(4);

  constructor(options: LocatorOptions) {
    this.#resolver = options.resolver;
    this.#random = options.random;
    this.#transports = options.transports ?? ['UDP', 'TCP'];
    this.#addressTypes = options.addressTypes ?? ['A', 'AAAA'];
  }

  /** Resolves uri into a cursor over its targets; rejects with DnsError when none can be found. */
  async locate(uri: SipUri): Promise<TargetCursor> {
    const targets = await this.resolve(uri);
    return new TargetCursor(targets);
  }

  /** The ordered, de-duplicated target list for uri. */
  async resolve(uri: SipUri): Promise<Target[]> {
    const secure = uri.scheme === 'sips';
    if (secure && !this.#transports.includes('TLS')) throw new DnsError('a SIPS URI needs TLS, which is not enabled');
    const maddr = uri.params['maddr'];
    const host = maddr ? maddr.toLowerCase() : uri.host;
    const forced = this.#forcedTransport(uri, secure);
    const numeric = isIpAddress(host);

    // §4.1/§4.2: numeric host or explicit port: no NAPTR/SRV.
    if (numeric || uri.port !== undefined) {
      const transport = forced ?? (secure ? 'TLS' : this.#defaultTransport());
      const port = uri.port ?? DEFAULT_PORT[transport];
      if (numeric) return [{ transport, address: host, port, host, domain: host }];
      return this.#finish(await this.#addresses(host, transport, port), host);
    }

    if (forced) {
      // Transport given, no port: SRV for that transport, then A/AAAA on the default port.
      const viaSrv = await this.#srvTargets(SRV_PREFIX[forced] + host, forced);
      if (viaSrv.length) return this.#finish(viaSrv, host);
      return this.#finish(await this.#addresses(host, forced, DEFAULT_PORT[forced]), host);
    }

    const viaNaptr = await this.#naptrTargets(host, secure);
    if (viaNaptr.length) return this.#finish(viaNaptr, host);

    // No usable NAPTR: an SRV query per transport we support (only TLS for a SIPS URI), in our order.
    const usable = this.#transports.filter((t) => !secure || t === 'TLS');
    const perTransport = await Promise.all(usable.map((t) => this.#srvTargets(SRV_PREFIX[t] + host, t)));
    const viaSrv = perTransport.flat();
    if (viaSrv.length) return this.#finish(viaSrv, host);

    const transport = secure ? 'TLS' : this.#defaultTransport();
    return this.#finish(await this.#addresses(host, transport, DEFAULT_PORT[transport]), host);
  }

  #forcedTransport(uri: SipUri, secure: boolean): Transport | undefined {
    const param = uri.params['transport'];
    if (param === undefined || param === null) return undefined;
    const t = param.toLowerCase();
    let transport: Transport;
    if (t === 'udp') {
      if (secure) throw new DnsError('a SIPS URI cannot use transport=udp');
      transport = 'UDP';
    } else if (t === 'tcp') transport = secure ? 'TLS' : 'TCP';
    else if (t === 'tls') transport = 'TLS';
    else throw new DnsError(`transport=${t} is not supported`);
    if (!this.#transports.includes(transport)) throw new DnsError(`transport ${transport} is not enabled`);
    return transport;
  }

  #defaultTransport(): Transport {
    // §4.1: UDP for a sip URI without NAPTR/SRV; if we do not do UDP, the first transport we do.
    return this.#transports.includes('UDP') ? 'UDP' : this.#transports[0] ?? 'UDP';
  }

  #finish(list: Target[], host: string): Target[] {
    const seen = new Set<string>();
    const out: Target[] = [];
    for (const t of list) {
      const key = `${t.transport} ${t.address} ${t.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      t.domain = host;
      out.push(t);
    }
    if (!out.length) throw new DnsError(`no SIP targets found for ${host}`);
    return out;
  }

  /** NAPTR for host, the usable ones in order/preference, each followed through SRV to addresses. */
  async #naptrTargets(host: string, secure: boolean): Promise<Target[]> {
    // Some resolvers fail NAPTR queries outright: carry on with SRV, whose failure is then the one reported.
    const naptr = await this.#resolver.query(host, 'NAPTR').catch(() => undefined);
    if (!naptr) return [];
    const usable = naptr.records
      .filter((rr) => {
        const transport = NAPTR_SERVICE.get(rr.services.toLowerCase());
        return rr.flags.toLowerCase() === 's' && transport !== undefined && this.#transports.includes(transport) &&
          (!secure || transport === 'TLS');
      })
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const out: Target[] = [];
    // Lower-ranked NAPTRs stay in the list as fall-backs, after every target of the better ones.
    for (const rr of usable) {
      const transport = NAPTR_SERVICE.get(rr.services.toLowerCase())!;
      out.push(...(await this.#srvTargets(canonicalName(rr.replacement), transport)));
    }
    return out;
  }

  /** SRV records for name in RFC 2782 order, each target resolved to its addresses. */
  async #srvTargets(name: string, transport: Transport): Promise<Target[]> {
    const srv = await this.#resolver.query(name, 'SRV').catch(() => undefined);
    if (!srv) return [];
    // A single SRV with target "." says the service is decidedly not available (RFC 2782).
    const records = srv.records.filter((rr) => canonicalName(rr.target) !== '');
    const ordered = orderSrv(records, (n) => this.#randomBelow(n));
    const resolved = await Promise.all(
      ordered.map((rr) => this.#addresses(canonicalName(rr.target), transport, rr.port).catch(() => [] as Target[])),
    );
    return resolved.flat();
  }

  /** A and/or AAAA for a name; a failure of one family is forgiven when the other answers. */
  async #addresses(host: string, transport: Transport, port: number): Promise<Target[]> {
    if (isIpAddress(host)) return [{ transport, address: host, port, host, domain: host }];
    const settled = await Promise.allSettled(this.#addressTypes.map((t) => this.#resolver.query(host, t)));
    const out: Target[] = [];
    let error: unknown;
    for (const s of settled) {
      if (s.status === 'rejected') error ??= s.reason;
      else for (const rr of s.value.records) out.push({ transport, address: rr.address, port, host, domain: host });
    }
    if (!out.length && error) throw error;
    return out;
  }

  /** Uniform integer in [0, n) from the HAL random source, without modulo bias. */
  #randomBelow(n: number): number {
    if (n <= 1) return 0;
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      this.#random.fill(this.#rnd);
      const v = ((this.#rnd[0]! << 24) | (this.#rnd[1]! << 16) | (this.#rnd[2]! << 8) | this.#rnd[3]!) >>> 0;
      if (v < limit) return v % n;
    }
  }
}

/**
 * RFC 2782 ordering: by priority ascending; within a priority, repeatedly pick a record with probability
 * proportional to its weight (zero-weight records first in the list, so they are picked only rarely).
 * randomBelow(n) returns a uniform integer in [0, n).
 */
export function orderSrv(
  records: readonly RecordOf<'SRV'>[], randomBelow: (n: number) => number,
): RecordOf<'SRV'>[] {
  const byPriority = new Map<number, RecordOf<'SRV'>[]>();
  for (const rr of records) {
    const group = byPriority.get(rr.priority);
    if (group) group.push(rr);
    else byPriority.set(rr.priority, [rr]);
  }
  const out: RecordOf<'SRV'>[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = byPriority.get(priority)!;
    const pool = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)];
    while (pool.length) {
      const sum = pool.reduce((s, r) => s + r.weight, 0);
      const pick = randomBelow(sum + 1); // uniform in 0..sum inclusive
      let running = 0;
      let chosen = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        running += pool[i]!.weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      out.push(pool.splice(chosen, 1)[0]!);
    }
  }
  return out;
}
