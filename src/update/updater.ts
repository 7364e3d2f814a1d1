/**
 * Over-the-air update: fetch the signed manifest, check the signature against the phone's key, compare
 * versions, stream the image into the inactive slot while hashing it, check size and SHA-256, then
 * activate (boots on trial) and restart. Any failure cancels the slot write: the running image is
 * never touched, and a half-written slot is never activated.
 */
import type { Crypto, StreamingDigest } from '../../hal/crypto.js';
import type { HttpClient, HttpGetOptions, HttpRequest } from '../../hal/http.js';
import { resolveUrl } from '../../hal/http.js';
import type { Ota, OtaWrite } from '../../hal/ota.js';
import { createSoftSha256 } from '../../hal/soft/sha256-stream.js';
import { base64Decode } from '../media/srtp/base64.js';
import { fetchText } from './fetch-text.js';
import { hexOf, parseManifest, signedText, type UpdateManifest } from './manifest.js';
import { compareVersions } from './version.js';

export type UpdatePhase = 'idle' | 'checking' | 'up-to-date' | 'downloading' | 'verifying' | 'installing' | 'restarting' | 'failed';

/** What the screen shows while an update runs. */
export interface UpdateProgress {
  readonly phase: UpdatePhase;
  /** Version being installed, once known. */
  readonly version?: string;
  readonly received: number;
  readonly total: number;
  /** One line for the screen, e.g. "Updating to 1.2.0: 45%". */
  readonly message: string;
}

export type UpdateResult =
  | { readonly status: 'up-to-date'; readonly version: string }
  | { readonly status: 'installed'; readonly version: string }
  | { readonly status: 'failed'; readonly error: string };

export interface UpdaterOptions {
  http: HttpClient;
  ota: Ota;
  crypto: Crypto;
  /** HTTPS URL of the update manifest (JSON). */
  manifestUrl: string;
  /** The Ed25519 public key updates must be signed with (32 bytes). */
  publicKey: Uint8Array;
  onProgress?(progress: UpdateProgress): void;
  httpOptions?: HttpGetOptions;
}

const MAX_MANIFEST_BYTES = 4096;

class UpdateError extends Error {}

export class Updater {
  #progress: UpdateProgress = { phase: 'idle', received: 0, total: 0, message: '' };
  #busy = false;

  constructor(private readonly options: UpdaterOptions) {}

  get progress(): UpdateProgress {
    return this.#progress;
  }

  /** Fetches and checks the manifest; resolves with it when it offers a newer version than the running one. */
  async check(): Promise<UpdateManifest | undefined> {
    const o = this.options;
    this.#report({ phase: 'checking', received: 0, total: 0, message: 'Checking for updates' });
    let res;
    try {
      res = await fetchText(o.http, o.manifestUrl, MAX_MANIFEST_BYTES, o.httpOptions);
    } catch (e) {
      throw new UpdateError(`update server unreachable: ${(e as Error).message}`);
    }
    if (res.status !== 200) throw new UpdateError(`update manifest: HTTP ${res.status} from ${o.manifestUrl}`);
    const parsed = parseManifest(res.text);
    if (!parsed.ok) throw new UpdateError(parsed.error);
    const m = parsed.manifest;
    // Nothing newer: no need for the (slow on the device) signature check of a manifest we will not act on.
    if (compareVersions(m.version, o.ota.running().version) <= 0) return undefined;
    if (!this.#signatureValid(m)) throw new UpdateError('the update\'s signature does not match this phone\'s key');
    return m;
  }

  /** Checks, downloads, verifies and installs; on success the device restarts into the new image (on trial). */
  async run(): Promise<UpdateResult> {
    if (this.#busy) return { status: 'failed', error: 'an update is already running' };
    this.#busy = true;
    try {
      const o = this.options;
      if (!o.ota.running().confirmed) throw new UpdateError('the running version is still on trial');
      const m = await this.check();
      const running = o.ota.running().version;
      if (!m) {
        this.#report({ phase: 'up-to-date', received: 0, total: 0, message: `Up to date (${running})` });
        return { status: 'up-to-date', version: running };
      }
      await this.#download(m, resolveUrl(o.manifestUrl, m.image));
      this.#report({ phase: 'restarting', version: m.version, received: m.size, total: m.size, message: `Restarting into ${m.version}` });
      o.ota.restart();
      return { status: 'installed', version: m.version };
    } catch (e) {
      const error = e instanceof UpdateError ? e.message : `update failed: ${(e as Error).message}`;
      this.#report({ phase: 'failed', received: this.#progress.received, total: this.#progress.total, message: `Update failed: ${error}`, ...(this.#progress.version ? { version: this.#progress.version } : {}) });
      return { status: 'failed', error };
    } finally {
      this.#busy = false;
    }
  }

  #signatureValid(m: UpdateManifest): boolean {
    const sig = base64Decode(m.signature);
    if (!sig || this.options.publicKey.length !== 32) return false;
    try {
      return this.options.crypto.ed25519Verify(this.options.publicKey, new TextEncoder().encode(signedText(m)), sig);
    } catch (e) {
      throw new UpdateError(`cannot check the update's signature: ${(e as Error).message}`);
    }
  }

  #download(m: UpdateManifest, url: string): Promise<void> {
    const o = this.options;
    const slot: OtaWrite = o.ota.begin(m.size, m.version);
    const digest: StreamingDigest = o.crypto.createDigest?.('SHA-256') ?? createSoftSha256();
    let received = 0;
    let lastPercent = -1;
    let failure: UpdateError | undefined;
    const progress = () => {
      const percent = Math.floor((received * 100) / m.size);
      if (percent === lastPercent) return;
      lastPercent = percent;
      this.#report({ phase: 'downloading', version: m.version, received, total: m.size, message: `Updating to ${m.version}: ${percent}%` });
    };
    progress();
    return new Promise<void>((resolve, reject) => {
      let req: HttpRequest | undefined;
      const fail = (message: string) => {
        if (!failure) failure = new UpdateError(message);
        req?.abort();
      };
      req = o.http.get(
        url,
        {
          onHead: (head) => {
            if (head.status !== 200) fail(`update image: HTTP ${head.status} from ${url}`);
            else if (head.size !== undefined && head.size !== m.size) fail(`update image is ${head.size} bytes, the manifest says ${m.size}`);
          },
          onChunk: (chunk) => {
            if (failure) return;
            if (received + chunk.length > m.size) return fail(`update image is larger than the ${m.size} bytes the manifest says`);
            try {
              slot.write(chunk);
            } catch (e) {
              return fail(`writing the update failed: ${(e as Error).message}`);
            }
            digest.update(chunk);
            received += chunk.length;
            progress();
          },
          onDone: (error) => {
            try {
              if (failure) throw failure;
              if (error) throw new UpdateError(`update download failed: ${error.message}`);
              if (received !== m.size) throw new UpdateError(`update image truncated: ${received} of ${m.size} bytes`);
              this.#report({ phase: 'verifying', version: m.version, received, total: m.size, message: `Verifying ${m.version}` });
              if (hexOf(digest.final()) !== m.sha256) throw new UpdateError('update image is corrupt (SHA-256 does not match the signed manifest)');
              this.#report({ phase: 'installing', version: m.version, received, total: m.size, message: `Installing ${m.version}` });
              slot.complete();
              o.ota.activate();
              resolve();
            } catch (e) {
              slot.cancel();
              reject(e instanceof UpdateError ? e : new UpdateError(`installing the update failed: ${(e as Error).message}`));
            }
          },
        },
        o.httpOptions,
      );
      // A client that reported synchronously from get() could not be aborted yet.
      if (failure) req.abort();
    });
  }

  #report(p: UpdateProgress): void {
    this.#progress = p;
    this.options.onProgress?.(p);
  }
}
