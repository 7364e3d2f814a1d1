import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Ota, OtaImageInfo, OtaWrite } from '../ota.js';
import { FileStorage } from './storage.js';

type Slot = 'a' | 'b';

interface Image {
  readonly slot: Slot;
  readonly version: string;
  readonly size: number;
  /** SHA-256 of the slot file, hex (absent for the factory image). */
  readonly sha256?: string;
}

/** What a boot loader keeps: the confirmed image, a completed image waiting, and an image on trial. */
interface OtaState {
  confirmed: Image;
  staged?: Image;
  trial?: Image & { booted: boolean };
}

const STATE = 'ota-state';

export interface FileOtaOptions {
  /** Directory holding the slot files and the boot state. */
  dir: string;
  /** Version of the image that runs when no update was ever confirmed (slot a, no file). */
  factoryVersion: string;
  /** What restart() does on the host (the simulator re-creates the phone); default: nothing. */
  onRestart?: () => void;
}

function other(slot: Slot): Slot {
  return slot === 'a' ? 'b' : 'a';
}

function slotFile(dir: string, slot: Slot): string {
  return path.join(dir, `slot-${slot}.bin`);
}

/** An image is bootable when its slot file has the size and SHA-256 recorded when it was completed (as a boot loader checks). */
function intact(dir: string, image: Image): boolean {
  try {
    const file = slotFile(dir, image.slot);
    if (statSync(file).size !== image.size) return false;
    return createHash('sha256').update(readFileSync(file)).digest('hex') === image.sha256;
  } catch {
    return false;
  }
}

function loadState(text: string | undefined, factoryVersion: string): OtaState {
  return text ? (JSON.parse(text) as OtaState) : { confirmed: { slot: 'a', version: factoryVersion, size: 0 } };
}

/**
 * OTA slots on files, for the simulator: two slot files and a boot state written atomically (FileStorage).
 * Constructing a FileOta is a boot: it starts a freshly activated image on trial, or rolls back an image
 * that was on trial and never marked good. A process killed at any point leaves a bootable state.
 */
export class FileOta implements Ota {
  readonly #dir: string;
  readonly #store: FileStorage;
  readonly #onRestart: (() => void) | undefined;
  #state: OtaState;
  #running: Image;
  #writing = false;
  /** Version that was on trial at the previous boot and got rolled back, if any (for the screen). */
  readonly rolledBack: string | undefined;

  constructor(options: FileOtaOptions) {
    this.#dir = path.resolve(options.dir);
    this.#store = new FileStorage(this.#dir);
    this.#onRestart = options.onRestart;
    const state = loadState(this.#store.read(STATE), options.factoryVersion);
    const trial = state.trial;
    let rolledBack: string | undefined;
    if (trial && !trial.booted && intact(this.#dir, trial)) {
      trial.booted = true;
      this.#running = trial;
    } else {
      // Booted once already without markGood (failed health check, crash), or the image is damaged.
      if (trial) rolledBack = trial.version;
      delete state.trial;
      this.#running = state.confirmed;
    }
    this.#state = state;
    this.rolledBack = rolledBack;
    this.#save();
  }

  /** Path of a slot's image file. */
  slotFile(slot: Slot): string {
    return slotFile(this.#dir, slot);
  }

  /** The running image's slot file, or undefined for the factory image (which has none). */
  runningFile(): string | undefined {
    return this.#running.size > 0 ? this.slotFile(this.#running.slot) : undefined;
  }

  /** What the next boot will run, read without booting (for tests and the simulator's status page). */
  static nextBoot(options: Pick<FileOtaOptions, 'dir' | 'factoryVersion'>): { version: string; file: string | undefined; trial: boolean } {
    const dir = path.resolve(options.dir);
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, STATE), 'utf8');
    } catch {
      text = undefined;
    }
    const state = loadState(text, options.factoryVersion);
    const t = state.trial;
    const img = t && !t.booted && intact(dir, t) ? t : state.confirmed;
    return { version: img.version, file: img.size > 0 ? slotFile(dir, img.slot) : undefined, trial: img === t };
  }

  running(): OtaImageInfo {
    return { version: this.#running.version, confirmed: this.#running === this.#state.confirmed };
  }

  begin(size: number, version: string): OtaWrite {
    if (!Number.isInteger(size) || size <= 0) throw new Error(`OTA: invalid image size ${size}`);
    if (this.#writing) throw new Error('OTA: an update is already being written');
    if (this.#running !== this.#state.confirmed) throw new Error('OTA: the running image is on trial; mark it good before another update');
    const slot = other(this.#state.confirmed.slot);
    // Forget anything that points at the slot before overwriting it.
    if (this.#state.staged || this.#state.trial) {
      delete this.#state.staged;
      delete this.#state.trial;
      this.#save();
    }
    const fd = openSync(this.slotFile(slot), 'w');
    this.#writing = true;
    let written = 0;
    let open = true;
    const hash = createHash('sha256');
    const finish = () => {
      if (!open) return;
      open = false;
      this.#writing = false;
      closeSync(fd);
    };
    const fail = (message: string): never => {
      finish();
      throw new Error(`OTA: ${message}`);
    };
    return {
      write: (chunk) => {
        if (!open) fail('write after complete or cancel');
        if (written + chunk.length > size) fail(`image larger than announced (${written + chunk.length} > ${size} bytes)`);
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off, written + off);
        hash.update(chunk);
        written += chunk.length;
      },
      complete: () => {
        if (!open) fail('complete after complete or cancel');
        if (written !== size) fail(`image incomplete: ${written} of ${size} bytes`);
        fsyncSync(fd);
        finish();
        this.#state.staged = { slot, version, size, sha256: hash.digest('hex') };
        this.#save();
      },
      cancel: () => {
        finish();
      },
    };
  }

  activate(): void {
    const staged = this.#state.staged;
    if (!staged) throw new Error('OTA: no completed image to activate');
    if (!intact(this.#dir, staged)) throw new Error('OTA: the completed image is damaged');
    delete this.#state.staged;
    this.#state.trial = { ...staged, booted: false };
    this.#save();
  }

  restart(): void {
    this.#onRestart?.();
  }

  markGood(): void {
    const t = this.#state.trial;
    if (this.#running !== t || !t) return; // already confirmed
    const { booted: _, ...image } = t;
    this.#state.confirmed = image;
    delete this.#state.trial;
    this.#running = this.#state.confirmed;
    this.#save();
  }

  #save(): void {
    this.#store.write(STATE, JSON.stringify(this.#state));
  }
}
