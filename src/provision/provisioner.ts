/**
 * Zero-touch provisioning as desk phones do it: at boot and then daily, fetch `<url>/xsphone.json`
 * (common to every phone) and `<url>/<mac>.json` (this phone), lay them over the current settings
 * (device file wins over common file, both over what is saved), validate the whole and save it in one
 * atomic write. Anything wrong (unreachable, bad JSON, invalid settings) leaves the saved settings as
 * they were and is reported in words for the screen.
 */
import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { HttpClient, HttpGetOptions } from '../../hal/http.js';
import { validateSettings, type Settings } from '../phone/settings.js';
import type { SettingsStore } from '../phone/settings-store.js';
import { fetchText } from '../update/fetch-text.js';
import { mergeConfig } from './merge.js';
import { chooseProvisionUrl, macFileStem, type ProvisionSource } from './url.js';

export const COMMON_FILE = 'xsphone.json';
export const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_FILE_BYTES = 16 * 1024;

export type ProvisionResult =
  | { readonly status: 'applied'; readonly settings: Settings; readonly message: string }
  | { readonly status: 'unchanged'; readonly message: string }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'no-server'; readonly message: string };

export interface ProvisionerOptions {
  http: HttpClient;
  clock: Clock;
  store: SettingsStore;
  /** This phone's MAC address (any common notation). */
  mac: string;
  /** The configured provisioning URL, read at every run (settings, CLI). */
  configuredUrl(): string | undefined;
  /** DHCP option 66 from the network, when the platform knows it. */
  dhcpOption66?(): string | undefined;
  /** Told after every run; `applied` carries the saved settings for the running phone. */
  onResult?(result: ProvisionResult): void;
  httpOptions?: HttpGetOptions;
  /** Re-run interval (default one day). */
  intervalMs?: number;
}

type FileOutcome = { kind: 'ok'; value: unknown } | { kind: 'missing' } | { kind: 'error'; message: string };

class ProvisionError extends Error {}

export class Provisioner {
  #timer: TimerHandle | undefined;
  #running: Promise<ProvisionResult> | undefined;
  #last: ProvisionResult | undefined;

  constructor(private readonly options: ProvisionerOptions) {}

  get last(): ProvisionResult | undefined {
    return this.#last;
  }

  /** Runs now (boot) and then every interval, re-arming from the clock. */
  start(): void {
    if (this.#timer !== undefined) return;
    const tick = () => {
      this.#timer = this.options.clock.setTimer(this.options.intervalMs ?? DAY_MS, tick);
      void this.run();
    };
    tick();
  }

  stop(): void {
    if (this.#timer !== undefined) this.options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** One provisioning run; concurrent calls share the run in progress. */
  run(): Promise<ProvisionResult> {
    if (!this.#running) {
      this.#running = this.#run().then((r) => {
        this.#running = undefined;
        this.#last = r;
        this.options.onResult?.(r);
        return r;
      });
    }
    return this.#running;
  }

  async #run(): Promise<ProvisionResult> {
    const o = this.options;
    const where = chooseProvisionUrl(o.configuredUrl(), o.dhcpOption66?.());
    if (!where) return { status: 'no-server', message: 'No provisioning server configured' };
    const mac = macFileStem(o.mac);
    const files = [COMMON_FILE, ...(mac ? [`${mac}.json`] : [])];
    try {
      const outcomes: FileOutcome[] = [];
      for (const name of files) outcomes.push(await this.#fetch(`${where.url}/${name}`, name));
      for (let i = 0; i < outcomes.length; i++) {
        const out = outcomes[i];
        if (out.kind === 'error') throw new ProvisionError(out.message);
      }
      if (outcomes.every((x) => x.kind === 'missing'))
        throw new ProvisionError(`no configuration at ${where.url} (${files.join(' and ')} not found)`);
      const current = o.store.load().settings;
      let merged: unknown = current;
      for (const out of outcomes) if (out.kind === 'ok') merged = mergeConfig(merged, out.value);
      const v = validateSettings(merged);
      if (!v.ok) throw new ProvisionError(`invalid settings from ${describe(where.source, where.url)}: ${v.errors.slice(0, 3).join('; ')}`);
      // Unchanged settings are not rewritten: a daily run must not wear the flash.
      if (JSON.stringify(v.value) === JSON.stringify(current)) return { status: 'unchanged', message: `Settings up to date (${where.url})` };
      const saved = o.store.save(v.value);
      if (!saved.ok) throw new ProvisionError(saved.errors[0]);
      return { status: 'applied', settings: saved.value, message: `Provisioned from ${where.url}` };
    } catch (e) {
      if (!(e instanceof ProvisionError)) throw e;
      return { status: 'failed', message: `Provisioning failed: ${e.message}; settings unchanged` };
    }
  }

  async #fetch(url: string, name: string): Promise<FileOutcome> {
    let res;
    try {
      res = await fetchText(this.options.http, url, MAX_FILE_BYTES, this.options.httpOptions);
    } catch (e) {
      return { kind: 'error', message: `${name}: server unreachable (${(e as Error).message})` };
    }
    if (res.status === 404) return { kind: 'missing' };
    if (res.status !== 200) return { kind: 'error', message: `${name}: HTTP ${res.status}` };
    try {
      const value: unknown = JSON.parse(res.text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'error', message: `${name}: not a JSON object` };
      return { kind: 'ok', value };
    } catch (e) {
      return { kind: 'error', message: `${name}: not valid JSON (${(e as Error).message})` };
    }
  }
}

function describe(source: ProvisionSource, url: string): string {
  return source === 'dhcp' ? `${url} (DHCP option 66)` : url;
}
