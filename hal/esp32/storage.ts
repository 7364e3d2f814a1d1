/**
 * Storage on the device. Settings: Preference (NVS), through ChunkedRecordStorage (values ≤ 4,000 bytes,
 * names ≤ 15 characters, atomic by a commit key). Larger records (call history): littlefs files, written
 * to a temporary name and renamed over the old file (littlefs renames atomically).
 */
import config from 'mc/config';
import Preference from 'preference';
import { Directory, File, Iterator } from 'file';
import type { Storage } from '../storage.js';
import { isRecordName } from '../storage.js';
import { ChunkedRecordStorage, type KeyValueStore } from './chunked-records.js';

export function preferenceStorage(): Storage {
  const kv: KeyValueStore = {
    set: (d, k, v) => Preference.set(d, k, v),
    get: (d, k) => Preference.get(d, k),
    delete: (d, k) => Preference.delete(d, k),
    keys: (d) => Preference.keys(d),
  };
  return new ChunkedRecordStorage(kv);
}

const SUFFIX = '.rec';
const TEMP = '.tmp';

export class FileRecordStorage implements Storage {
  readonly #dir: string;

  /** `dir` is below the file system root (config.file.root), e.g. "xsphone/". */
  constructor(dir = 'xsphone/') {
    this.#dir = (config.file.root as string) + dir;
    try {
      Directory.create(this.#dir);
    } catch {
      // exists already
    }
    // Leftover temporary files of a write cut short by a power loss.
    for (const name of this.#list()) if (name.endsWith(TEMP)) File.delete(this.#dir + name);
  }

  read(name: string): string | undefined {
    const path = this.#path(name);
    if (!File.exists(path)) return undefined;
    const f = new File(path);
    try {
      return f.read(String);
    } finally {
      f.close();
    }
  }

  write(name: string, value: string): void {
    const path = this.#path(name);
    const temp = path + TEMP;
    if (File.exists(temp)) File.delete(temp);
    const f = new File(temp, true);
    try {
      f.write(value);
    } finally {
      f.close();
    }
    // lfs_rename replaces an existing file atomically: a power cut leaves the old or the new record.
    if (!File.rename(temp, path)) throw new Error(`storage: could not rename ${temp} to ${path}`);
  }

  remove(name: string): void {
    const path = this.#path(name);
    if (File.exists(path)) File.delete(path);
  }

  names(): string[] {
    return this.#list()
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length));
  }

  #path(name: string): string {
    if (!isRecordName(name)) throw new Error(`storage: '${name}' is not a record name (1-15 of A-Z a-z 0-9 _ -)`);
    return this.#dir + name + SUFFIX;
  }

  #list(): string[] {
    const out: string[] = [];
    let it: Iterator;
    try {
      it = new Iterator(this.#dir);
    } catch {
      return out;
    }
    for (let e = it.next(); e; e = it.next()) if (e.length !== undefined) out.push(e.name);
    return out;
  }
}

/** Routes records: the big ones (history) to files, everything else to preferences. */
export class DeviceStorage implements Storage {
  constructor(
    private readonly small: Storage,
    private readonly large: Storage,
    private readonly largeNames: readonly string[] = ['history', 'contacts'],
  ) {}
  #pick(name: string): Storage {
    return this.largeNames.includes(name) ? this.large : this.small;
  }
  read(name: string) {
    return this.#pick(name).read(name);
  }
  write(name: string, value: string) {
    this.#pick(name).write(name, value);
  }
  remove(name: string) {
    this.#pick(name).remove(name);
  }
  names() {
    return [...this.small.names(), ...this.large.names()];
  }
}
