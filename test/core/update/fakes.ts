/** In-memory stand-ins for the HTTP client, the OTA slots and Ed25519, for the platform-free update and provisioning tests. */
import type { Crypto, DigestAlgorithm } from '../../../hal/crypto.js';
import type { HttpClient, HttpGetHandlers, HttpRequest } from '../../../hal/http.js';
import type { Ota, OtaImageInfo, OtaWrite } from '../../../hal/ota.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';

export type Route =
  | { status: number; body: Uint8Array | string; chunk?: number; /** Claim this Content-Length (default: the body's). */ size?: number; /** Stop after this many bytes with an error (connection lost). */ cutAt?: number }
  | { unreachable: true };

/** Serves routes by exact URL, asynchronously, in chunks; unknown URLs are 404. */
export class FakeHttp implements HttpClient {
  readonly routes = new Map<string, Route>();
  readonly requested: string[] = [];

  get(url: string, h: HttpGetHandlers): HttpRequest {
    this.requested.push(url);
    let aborted = false;
    let done = false;
    const finish = (e?: Error) => {
      if (done) return;
      done = true;
      h.onDone(e);
    };
    const route = this.routes.get(url) ?? { status: 404, body: 'not found' };
    void (async () => {
      await Promise.resolve();
      if ('unreachable' in route) return finish(new Error(`${url}: connection refused`));
      const body = typeof route.body === 'string' ? new TextEncoder().encode(route.body) : route.body;
      if (aborted) return;
      h.onHead?.({ status: route.status, size: route.size ?? body.length });
      const step = route.chunk ?? 1000;
      const end = route.cutAt ?? body.length;
      for (let off = 0; off < end; off += step) {
        await Promise.resolve();
        if (aborted) return;
        h.onChunk?.(body.slice(off, Math.min(end, off + step)));
      }
      await Promise.resolve();
      if (aborted) return;
      finish(route.cutAt !== undefined ? new Error('connection reset') : undefined);
    })();
    return {
      abort: () => {
        aborted = true;
        finish(new Error('aborted'));
      },
    };
  }
}

/** OTA slots in memory, modelling what a boot loader keeps. */
export class MemoryOta implements Ota {
  confirmed: { version: string; image?: Uint8Array };
  trial: { version: string; image: Uint8Array } | undefined;
  staged: { version: string; image: Uint8Array } | undefined;
  onTrial = false;
  restarts = 0;
  cancels = 0;
  markedGood = 0;
  writing = false;

  constructor(version: string) {
    this.confirmed = { version };
  }

  running(): OtaImageInfo {
    return this.onTrial && this.trial ? { version: this.trial.version, confirmed: false } : { version: this.confirmed.version, confirmed: true };
  }

  begin(size: number, version: string): OtaWrite {
    if (this.writing) throw new Error('busy');
    this.writing = true;
    this.staged = undefined;
    const buf = new Uint8Array(size);
    let n = 0;
    let open = true;
    return {
      write: (chunk) => {
        if (!open) throw new Error('closed');
        if (n + chunk.length > size) throw new Error('too large');
        buf.set(chunk, n);
        n += chunk.length;
      },
      complete: () => {
        if (n !== size) throw new Error('incomplete');
        open = false;
        this.writing = false;
        this.staged = { version, image: buf };
      },
      cancel: () => {
        open = false;
        this.writing = false;
        this.cancels++;
      },
    };
  }

  activate(): void {
    if (!this.staged) throw new Error('nothing staged');
    this.trial = this.staged;
    this.staged = undefined;
  }

  /** Boots: an activated image runs on trial once; a trial not marked good falls back. */
  restart(): void {
    this.restarts++;
    if (this.onTrial) {
      this.onTrial = false;
      this.trial = undefined;
    } else if (this.trial) this.onTrial = true;
  }

  markGood(): void {
    if (!this.onTrial || !this.trial) return;
    this.markedGood++;
    this.confirmed = { version: this.trial.version, image: this.trial.image };
    this.trial = undefined;
    this.onTrial = false;
  }
}

/**
 * SoftCrypto with a stand-in for Ed25519 (real Ed25519 is checked in the node tests): a "signature" is
 * SHA-256(key || message) twice. Enough to tell signed, unsigned and wrongly signed apart.
 */
export class FakeSigCrypto extends SoftCrypto implements Crypto {
  override ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const expect = fakeSign(this, publicKey, message);
    return signature.length === 64 && expect.every((b, i) => b === signature[i]);
  }
}

export function fakeSign(crypto: { digest(a: DigestAlgorithm, d: Uint8Array): Uint8Array }, key: Uint8Array, message: Uint8Array): Uint8Array {
  const both = new Uint8Array(key.length + message.length);
  both.set(key);
  both.set(message, key.length);
  const h = crypto.digest('SHA-256', both);
  const sig = new Uint8Array(64);
  sig.set(h);
  sig.set(h, 32);
  return sig;
}
