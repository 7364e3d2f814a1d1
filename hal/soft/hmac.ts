import type { Hasher } from './hash.js';

/**
 * HMAC (RFC 2104) with the padded-key states computed once, so each MAC costs two hash passes
 * over the message plus one block, and allocates nothing.
 */
export class Hmac<H extends Hasher = Hasher> {
  readonly digestSize: number;
  private readonly inner: H;
  private readonly outer: H;
  private readonly work: H;
  private readonly innerDigest: Uint8Array;

  constructor(create: () => H, key: Uint8Array) {
    this.work = create();
    this.inner = create();
    this.outer = create();
    const blockSize = this.work.blockSize;
    this.digestSize = this.work.digestSize;
    this.innerDigest = new Uint8Array(this.digestSize);
    let k = key;
    if (k.length > blockSize) {
      k = new Uint8Array(this.digestSize);
      this.work.reset().update(key).digestInto(k);
    }
    const pad = new Uint8Array(blockSize);
    for (let i = 0; i < blockSize; i++) pad[i] = (i < k.length ? k[i] : 0) ^ 0x36;
    this.inner.reset().update(pad);
    for (let i = 0; i < blockSize; i++) pad[i] ^= 0x36 ^ 0x5c;
    this.outer.reset().update(pad);
    this.work.copyFrom(this.inner);
  }

  /** Begins a new MAC (finish() also leaves the object ready for the next one). */
  start(): this {
    this.work.copyFrom(this.inner);
    return this;
  }

  update(data: Uint8Array, offset = 0, length = data.length - offset): this {
    this.work.update(data, offset, length);
    return this;
  }

  /** Writes the full-length tag at out[outOffset..]. */
  finish(out: Uint8Array, outOffset = 0): void {
    const work = this.work;
    work.digestInto(this.innerDigest, 0);
    work.copyFrom(this.outer);
    work.update(this.innerDigest, 0, this.digestSize);
    work.digestInto(out, outOffset);
    work.copyFrom(this.inner);
  }

  /** One-shot convenience (allocates the result). */
  mac(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.digestSize);
    this.start().update(data).finish(out);
    return out;
  }
}
