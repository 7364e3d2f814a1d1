/**
 * Runs hal/esp32 modules on Node against stand-ins for the Moddable modules they import (modelled on the
 * SDK's behaviour): esbuild bundles the TypeScript with each Moddable specifier replaced by the source
 * given here; the stand-ins reach the test through globalThis.__fake.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export async function loadWithFakes<T>(entry: string, fakes: Record<string, string>): Promise<T> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'moddable-fakes',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (!(args.path in fakes)) return { errors: [{ text: `no stand-in for Moddable module '${args.path}'` }] };
            return { path: args.path, namespace: 'fake' };
          });
          b.onLoad({ filter: /.*/, namespace: 'fake' }, (args) => ({ contents: fakes[args.path], loader: 'js' }));
        },
      },
    ],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xsphone-fake-'));
  const file = path.join(dir, 'bundle.mjs');
  fs.writeFileSync(file, result.outputFiles[0].text);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Timer: callbacks run only when the test calls __fake.timers.tick(). As in the SDK (modules/base/timer/timer.c), a
 * one-shot timer that fired, or a timer cleared before, has no host data left: clearing it throws.
 */
export const FAKE_TIMER = `
const timers = globalThis.__fake.timers ??= { list: [], tick() { for (const t of [...this.list]) if (!t.cleared) { t.cb(t); if (!t.repeat) t.cleared = true; } } };
export default class Timer {
  static set(cb, ms) { const t = { cb, ms, repeat: false, cleared: false }; timers.list.push(t); return t; }
  static repeat(cb, ms) { const t = { cb, ms, repeat: true, cleared: false }; timers.list.push(t); return t; }
  static clear(t) {
    if (!t || typeof t !== 'object') return;
    if (t.cleared) throw new TypeError('invalid host data');
    t.cleared = true;
  }
}`;
