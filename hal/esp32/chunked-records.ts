/**
 * Records on a small key-value store with per-value limits (ESP32 Preference/NVS: keys and domains ≤ 15
 * characters, values ≤ 4,000 bytes), platform-free so it is tested in the core lane. A record larger than
 * one value is split into chunks; a write is atomic through two generations and a commit key:
 *   1. the chunks of the new value go into the generation not committed now (domains "xr<g>c<i>"),
 *   2. one set() of the commit key (domain "xrc", key = record name, value "<g>:<count>") switches,
 *   3. the other generation's chunks are deleted.
 * NVS commits each set() atomically, so a power cut leaves the old commit (old chunks intact) or the new.
 */
import type { Storage } from '../storage.js';
import { isRecordName } from '../storage.js';

/** The part of Moddable's Preference this needs. */
export interface KeyValueStore {
  set(domain: string, key: string, value: ArrayBuffer | string): void;
  get(domain: string, key: string): unknown;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

export const CHUNK_BYTES = 4000;
export const MAX_CHUNKS = 16;
const COMMIT = 'xrc';

function chunkDomain(gen: number, i: number): string {
  return `xr${gen}c${i}`;
}

function parseCommit(v: unknown): { gen: number; count: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([01]):(\d{1,2})$/.exec(v);
  if (!m) return undefined;
  const count = Number(m[2]);
  return count <= MAX_CHUNKS ? { gen: Number(m[1]), count } : undefined;
}

export class ChunkedRecordStorage implements Storage {
  constructor(private readonly kv: KeyValueStore) {}

  read(name: string): string | undefined {
    check(name);
    const c = parseCommit(this.kv.get(COMMIT, name));
    if (!c) return undefined;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < c.count; i++) {
      const v = this.kv.get(chunkDomain(c.gen, i), name);
      if (!(v instanceof ArrayBuffer)) throw new Error(`storage: record '${name}' is damaged (chunk ${i} of ${c.count} missing)`);
      parts.push(new Uint8Array(v));
      total += v.byteLength;
    }
    const all = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    return new TextDecoder().decode(all);
  }

  write(name: string, value: string): void {
    check(name);
    const bytes = new TextEncoder().encode(value);
    const count = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
    if (count > MAX_CHUNKS) throw new Error(`storage: record '${name}' is ${bytes.length} bytes; at most ${MAX_CHUNKS * CHUNK_BYTES} fit in preferences`);
    const old = parseCommit(this.kv.get(COMMIT, name));
    const gen = old ? 1 - old.gen : 0;
    for (let i = 0; i < count; i++) {
      const piece = bytes.slice(i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES));
      this.kv.set(chunkDomain(gen, i), name, piece.buffer);
    }
    this.kv.set(COMMIT, name, `${gen}:${count}`);
    this.#deleteChunks(1 - gen, name);
    // Leftovers of a longer earlier value in this generation.
    for (let i = count; i < MAX_CHUNKS; i++) this.kv.delete(chunkDomain(gen, i), name);
  }

  remove(name: string): void {
    check(name);
    this.kv.delete(COMMIT, name);
    this.#deleteChunks(0, name);
    this.#deleteChunks(1, name);
  }

  names(): string[] {
    return this.kv.keys(COMMIT).filter((k) => parseCommit(this.kv.get(COMMIT, k)) !== undefined);
  }

  #deleteChunks(gen: number, name: string): void {
    for (let i = 0; i < MAX_CHUNKS; i++) this.kv.delete(chunkDomain(gen, i), name);
  }
}

function check(name: string): void {
  if (!isRecordName(name)) throw new Error(`storage: '${name}' is not a record name (1-15 of A-Z a-z 0-9 _ -)`);
}
