/**
 * Incremental hashes with a reusable state: update/digestInto allocate nothing, so HMAC and SRTP
 * can run per packet without garbage. copyFrom() lets HMAC keep precomputed padded-key states.
 */
export interface Hasher {
  readonly blockSize: number;
  readonly digestSize: number;
  reset(): this;
  update(data: Uint8Array, offset?: number, length?: number): this;
  /** Writes the digest at out[outOffset..] and resets the hasher for the next message. */
  digestInto(out: Uint8Array, outOffset?: number): void;
  /** Takes over the complete state (chaining value, pending bytes, length) of another hasher of the same kind. */
  copyFrom(other: this): void;
}

/**
 * Merkle–Damgård hashes: MD5, SHA-1, SHA-256 (64-byte blocks, 8-byte length) and SHA-512
 * (128-byte blocks, 16-byte length), state kept as 32-bit words (SHA-512: high, low pairs).
 */
export abstract class BlockHasher implements Hasher {
  readonly blockSize: number;
  readonly digestSize: number;
  protected readonly h: Int32Array;
  private readonly block: Uint8Array;
  private fill = 0;
  private total = 0;

  protected constructor(
    stateWords: number,
    digestSize: number,
    private readonly littleEndian: boolean,
    blockSize = 64,
  ) {
    this.blockSize = blockSize;
    this.block = new Uint8Array(blockSize);
    this.h = new Int32Array(stateWords);
    this.digestSize = digestSize;
    this.reset();
  }

  protected abstract initState(): void;
  protected abstract compress(data: Uint8Array, offset: number): void;

  reset(): this {
    this.initState();
    this.fill = 0;
    this.total = 0;
    return this;
  }

  update(data: Uint8Array, offset = 0, length = data.length - offset): this {
    const block = this.block;
    const size = this.blockSize;
    let pos = offset;
    const end = offset + length;
    this.total += length;
    let fill = this.fill;
    if (fill > 0) {
      while (fill < size && pos < end) block[fill++] = data[pos++];
      if (fill < size) {
        this.fill = fill;
        return this;
      }
      this.compress(block, 0);
      fill = 0;
    }
    while (end - pos >= size) {
      this.compress(data, pos);
      pos += size;
    }
    while (pos < end) block[fill++] = data[pos++];
    this.fill = fill;
    return this;
  }

  digestInto(out: Uint8Array, outOffset = 0): void {
    const block = this.block;
    const size = this.blockSize;
    // The length field is 8 bytes for 64-byte blocks, 16 for 128-byte ones; we fill only its low 8.
    const lengthAt = size - 8;
    const room = size - size / 8;
    let fill = this.fill;
    const total = this.total;
    block[fill++] = 0x80;
    if (fill > room) {
      block.fill(0, fill, size);
      this.compress(block, 0);
      fill = 0;
    }
    block.fill(0, fill, lengthAt);
    const lo = (total * 8) >>> 0;
    const hi = Math.floor(total / 0x20000000) >>> 0;
    if (this.littleEndian) {
      writeLE(block, lengthAt, lo);
      writeLE(block, lengthAt + 4, hi);
    } else {
      writeBE(block, lengthAt, hi);
      writeBE(block, lengthAt + 4, lo);
    }
    this.compress(block, 0);
    const h = this.h;
    const words = this.digestSize >> 2;
    for (let i = 0; i < words; i++) {
      if (this.littleEndian) writeLE(out, outOffset + 4 * i, h[i]);
      else writeBE(out, outOffset + 4 * i, h[i]);
    }
    this.reset();
  }

  copyFrom(other: this): void {
    this.h.set(other.h);
    this.block.set(other.block);
    this.fill = other.fill;
    this.total = other.total;
  }

  /** One-shot convenience (allocates the result). */
  digest(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.digestSize);
    this.reset().update(data).digestInto(out);
    return out;
  }
}

export function writeBE(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}

export function writeLE(out: Uint8Array, off: number, v: number): void {
  out[off] = v;
  out[off + 1] = v >>> 8;
  out[off + 2] = v >>> 16;
  out[off + 3] = v >>> 24;
}
