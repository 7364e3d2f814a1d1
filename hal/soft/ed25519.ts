import { Sha512 } from './sha512.js';

/**
 * Ed25519 signature verification (RFC 8032 §5.1.7) on BigInt arithmetic: slow (tens of ms in V8,
 * seconds in XS) but only run once per firmware image. Cofactorless check, [S]B - [k]A == R
 * compared as encodings, which is what OpenSSL does, so the two agree on every signature.
 */

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
/** d = -121665/121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
const D2 = (2n * D) % P;
/** A square root of -1 mod p: 2^((p-1)/4). */
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
const BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;

/** Extended homogeneous coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, xy = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

// Points are made when used, not kept in module-level arrays: an array of BigInts in a preloaded module crashes
// the Moddable linker (xsl), and this module must preload into flash with the rest.
const base = (): Point => [BASE_X, BASE_Y, 1n, (BASE_X * BASE_Y) % P];
const identity = (): Point => [0n, 1n, 1n, 0n];

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** RFC 8032 §5.1.4 addition for a = -1. */
function add(p: Point, q: Point): Point {
  const a = mod((p[1] - p[0]) * (q[1] - q[0]));
  const b = mod((p[1] + p[0]) * (q[1] + q[0]));
  const c = mod(p[3] * D2 * q[3]);
  const d = mod(2n * p[2] * q[2]);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function double(p: Point): Point {
  const a = mod(p[0] * p[0]);
  const b = mod(p[1] * p[1]);
  const c = mod(2n * p[2] * p[2]);
  const h = a + b;
  const xy = p[0] + p[1];
  const e = h - mod(xy * xy);
  const g = a - b;
  const f = c + g;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function negate(p: Point): Point {
  return [mod(-p[0]), p[1], p[2], mod(-p[3])];
}

/** [s]P + [t]Q with one shared chain of doublings (Straus–Shamir). */
function doubleScalarMult(s: bigint, p: Point, t: bigint, q: Point): Point {
  const pq = add(p, q);
  let r = identity();
  const bits = Math.max(s.toString(2).length, t.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    r = double(r);
    const sb = (s >> BigInt(i)) & 1n;
    const tb = (t >> BigInt(i)) & 1n;
    if (sb && tb) r = add(r, pq);
    else if (sb) r = add(r, p);
    else if (tb) r = add(r, q);
  }
  return r;
}

function littleEndian(bytes: Uint8Array, from: number, to: number): bigint {
  let v = 0n;
  for (let i = to - 1; i >= from; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** §5.1.3 point decoding; undefined when the bytes are not a curve point. */
function decodePoint(bytes: Uint8Array, offset: number): Point | undefined {
  const b = bytes.subarray(offset, offset + 32);
  const sign = b[31] >> 7;
  const y = littleEndian(b, 0, 32) & ((1n << 255n) - 1n);
  if (y >= P) return undefined;
  const yy = (y * y) % P;
  const u = mod(yy - 1n);
  const v = mod(D * yy + 1n);
  const v3 = (v * v * v) % P;
  let x = (u * v3 % P) * pow(u * v3 * v3 % P * v % P, (P - 5n) / 8n) % P;
  const vxx = (v * x * x) % P;
  if (vxx !== u) {
    if (vxx !== mod(-u)) return undefined;
    x = (x * SQRT_M1) % P;
  }
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return [x, y, 1n, (x * y) % P];
}

function encodePoint(p: Point): Uint8Array {
  const zi = pow(p[2], P - 2n);
  const x = (p[0] * zi) % P;
  let y = (p[1] * zi) % P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(y & 0xffn);
    y >>= 8n;
  }
  out[31] |= Number(x & 1n) << 7;
  return out;
}

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const a = decodePoint(publicKey, 0);
  if (!a) return false;
  if (!decodePoint(signature, 0)) return false;
  const s = littleEndian(signature, 32, 64);
  if (s >= L) return false;
  const h = new Sha512();
  h.update(signature, 0, 32).update(publicKey).update(message);
  const digest = new Uint8Array(64);
  h.digestInto(digest);
  const k = littleEndian(digest, 0, 64) % L;
  const check = encodePoint(doubleScalarMult(s, base(), k, negate(a)));
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= check[i] ^ signature[i];
  return diff === 0;
}

/** Curve constants exposed for the self-check test (they are written out, not computed). */
export const ED25519_CONSTANTS = { P, L, D, SQRT_M1, BASE_X, BASE_Y } as const;
