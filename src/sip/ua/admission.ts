/**
 * Which out-of-dialog requests reach the user agent at all. SIP scanners (sipvicious's "friendly-scanner" and
 * kin) are dropped without an answer, and a flood is cut by token buckets — one per source address and one for
 * everyone — so the phone stays responsive to its registrar and its user. Trusted sources (the registrar or
 * outbound proxy) always pass. Dropping happens before any transaction exists: no state, no reply.
 */
import type { Clock } from '../../../hal/clock.js';
import type { SipRequest } from '../message.js';
import type { Source } from '../transport/types.js';

/** User-Agent values of well-known scanners (lower case substrings). */
const SCANNERS: readonly string[] = ['friendly-scanner', 'sipvicious', 'sipcli', 'sip-scan', 'sipsak', 'vaxsipuseragent', 'iwar', 'sundayddr', 'pplsip', 'sipscan'];

export interface AdmissionOptions {
  /** Requests per second one source may send (sustained), and its burst. Defaults 10 and 20. */
  perSourceRate?: number;
  perSourceBurst?: number;
  /** Requests per second all untrusted sources together may send, and the burst. Defaults 30 and 60. */
  globalRate?: number;
  globalBurst?: number;
  /** Drop requests whose User-Agent names a known scanner. Default true. */
  dropScanners?: boolean;
  /** Sources tracked at most (the oldest is forgotten). Default 64. */
  maxSources?: number;
}

class Bucket {
  tokens: number;
  at: number;
  constructor(readonly rate: number, readonly burst: number, now: number) {
    this.tokens = burst;
    this.at = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export type AdmissionVerdict = 'pass' | 'scanner' | 'flood';

export class Admission {
  readonly #clock: Clock;
  readonly #o: Required<AdmissionOptions>;
  readonly #sources = new Map<string, Bucket>();
  readonly #global: Bucket;
  readonly #trusted = new Set<string>();
  /** Counts of what was dropped, for logs and tests. */
  readonly dropped = { scanner: 0, flood: 0 };

  constructor(clock: Clock, options: AdmissionOptions = {}) {
    this.#clock = clock;
    this.#o = {
      perSourceRate: options.perSourceRate ?? 10, perSourceBurst: options.perSourceBurst ?? 20,
      globalRate: options.globalRate ?? 30, globalBurst: options.globalBurst ?? 60,
      dropScanners: options.dropScanners ?? true, maxSources: options.maxSources ?? 64,
    };
    this.#global = new Bucket(this.#o.globalRate, this.#o.globalBurst, clock.now());
  }

  /** Marks an address as the registrar's or proxy's: its requests always pass. */
  trust(address: string): void {
    this.#trusted.add(address);
  }

  isTrusted(address: string): boolean {
    return this.#trusted.has(address);
  }

  check(request: SipRequest, source: Source): AdmissionVerdict {
    if (this.#trusted.has(source.address)) return 'pass';
    if (this.#o.dropScanners) {
      const ua = request.header('User-Agent')?.toLowerCase();
      if (ua !== undefined && SCANNERS.some((s) => ua.includes(s))) {
        this.dropped.scanner++;
        return 'scanner';
      }
    }
    const now = this.#clock.now();
    let b = this.#sources.get(source.address);
    if (!b) {
      if (this.#sources.size >= this.#o.maxSources) this.#sources.delete(this.#sources.keys().next().value!);
      b = new Bucket(this.#o.perSourceRate, this.#o.perSourceBurst, now);
      this.#sources.set(source.address, b);
    }
    if (!b.take(now) || !this.#global.take(now)) {
      this.dropped.flood++;
      return 'flood';
    }
    return 'pass';
  }
}
