/**
 * One direction's SRTP as the RTP session sees it, switchable during a call: a re-INVITE may turn SRTP
 * on or off or bring new keys, while the RTP session (with its SSRC, sequence and statistics) lives
 * for the whole call. Without a context, packets pass through unchanged.
 */
import type { PacketProtector } from '../rtp-session.js';
import { SrtpContext } from '../srtp/context.js';
import type { SrtpPrimitives } from '../srtp/primitives.js';
import type { SrtpKeys } from '../srtp/suite.js';

export class SrtpSlot implements PacketProtector {
  #context: SrtpContext | null = null;
  #keys: SrtpKeys | null = null;

  get active(): boolean {
    return this.#context !== null;
  }

  /** Uses keys from now on (undefined: plain RTP). Unchanged keys keep the context, with its rollover and replay state. */
  set(keys: SrtpKeys | undefined, primitives: SrtpPrimitives | undefined): void {
    if (!keys) {
      this.#context = null;
      this.#keys = null;
      return;
    }
    if (this.#keys && sameKeys(this.#keys, keys)) return;
    this.#context = primitives ? new SrtpContext(keys, primitives) : new SrtpContext(keys);
    this.#keys = keys;
  }

  get rtpOverhead(): number {
    return this.#context ? this.#context.rtpOverhead : 0;
  }
  get rtcpOverhead(): number {
    return this.#context ? this.#context.rtcpOverhead : 0;
  }
  protectRtp(buf: Uint8Array, length: number): number {
    return this.#context ? this.#context.protectRtp(buf, length) : length;
  }
  unprotectRtp(buf: Uint8Array, length: number): number {
    return this.#context ? this.#context.unprotectRtp(buf, length) : length;
  }
  protectRtcp(buf: Uint8Array, length: number): number {
    return this.#context ? this.#context.protectRtcp(buf, length) : length;
  }
  unprotectRtcp(buf: Uint8Array, length: number): number {
    return this.#context ? this.#context.unprotectRtcp(buf, length) : length;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameKeys(a: SrtpKeys, b: SrtpKeys): boolean {
  return a.suite === b.suite && sameBytes(a.masterKey, b.masterKey) && sameBytes(a.masterSalt, b.masterSalt) && sameBytes(a.mki, b.mki);
}
