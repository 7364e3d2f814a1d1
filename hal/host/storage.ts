import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isRecordName } from '../storage.js';
import type { Storage } from '../storage.js';

const TEMP_SUFFIX = '.tmp';

function isNotFound(e: unknown): boolean {
  return (e as { code?: string }).code === 'ENOENT';
}

/**
 * The HAL storage on Node: one directory, one UTF-8 file per record. A write goes to a temp file in the
 * same directory, is fsynced, renamed over the record, and the directory is fsynced: a crash at any
 * moment leaves the old or the new value. One FileStorage per directory at a time (it owns the temp files).
 */
export class FileStorage implements Storage {
  readonly dir: string;
  #seq = 0;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    mkdirSync(this.dir, { recursive: true });
    // Temp files left by a crash mid-write are incomplete by definition.
    for (const f of readdirSync(this.dir)) {
      if (f.startsWith('.') && f.endsWith(TEMP_SUFFIX)) {
        try {
          unlinkSync(path.join(this.dir, f));
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
  }

  #file(name: string): string {
    if (!isRecordName(name)) {
      throw new Error(`storage: invalid record name ${JSON.stringify(name)} (1-15 characters of A-Z a-z 0-9 _ -)`);
    }
    return path.join(this.dir, name);
  }

  read(name: string): string | undefined {
    const file = this.#file(name);
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  write(name: string, value: string): void {
    const file = this.#file(name);
    // Record names never start with '.', so temp names cannot collide with records.
    const temp = path.join(this.dir, `.${name}.${process.pid}.${this.#seq++}${TEMP_SUFFIX}`);
    const bytes = Buffer.from(value, 'utf8');
    const fd = openSync(temp, 'w', 0o600);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      unlinkSync(temp);
      throw e;
    }
    closeSync(fd);
    renameSync(temp, file);
    this.#syncDir();
  }

  remove(name: string): void {
    const file = this.#file(name);
    try {
      unlinkSync(file);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.#syncDir();
  }

  names(): string[] {
    return readdirSync(this.dir).filter(isRecordName).sort();
  }

  /** Makes the rename itself durable (the directory entry), not only the file's data. */
  #syncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
