// Starts Moddable XS workers (@agoric/xsnap) and bundles ES modules into scripts they can evaluate.
// xsnap's Node API needs SES, whose lockdown freezes this process's built-ins: only a process that
// does nothing else (the XS test runner, the XS benchmarks) may call startXsWorker.
import { build, type Plugin } from 'esbuild';
import { spawn as spawnProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';

export interface MeterUsage {
  /** Live heap slots after the evaluation (XS counts every new slot; a GC resets it to the live count). */
  currentHeapCount: number;
  /** Deterministic compute count of the evaluation. */
  compute: number;
  /** xsnap's `allocatedSpace` (bytes reserved for the slot and chunk heaps), unless a custom binary says otherwise. */
  allocate: number;
  timestamps: number[];
}

export interface XsWorker {
  evaluate(code: string): Promise<{ meterUsage: MeterUsage }>;
  close(): Promise<void>;
  terminate(): Promise<void>;
}

export interface XsWorkerOptions {
  /** Receives what the script passes to issueCommand(); what it returns (or resolves to) is issueCommand's result (default empty). */
  onCommand?: (bytes: Uint8Array) => Uint8Array | void | Promise<Uint8Array | void>;
  /** Use this xsnap-worker binary instead of the one the package built. */
  binary?: string;
  name?: string;
}

export async function startXsWorker(options: XsWorkerOptions = {}): Promise<XsWorker> {
  await import('@endo/init');
  const { xsnap } = await import('@agoric/xsnap');
  const { onCommand, binary } = options;
  const spawn = binary === undefined
    ? spawnProcess
    : (_bin: string, args: readonly string[], opts: SpawnOptions) => spawnProcess(binary, args, opts);
  return xsnap({
    os: os.type(),
    spawn,
    fs: { ...fsp, createReadStream: fs.createReadStream, tmpName: () => {} },
    name: options.name ?? 'xsphone',
    stdout: 'inherit',
    stderr: 'inherit',
    meteringLimit: 0,
    handleCommand: async (bytes: Uint8Array) => {
      return (await onCommand?.(bytes)) ?? new Uint8Array();
    },
  } as never) as Promise<XsWorker>;
}

/** Bundles `contents` (an ES module importing from `resolveDir`) into one IIFE script for XS. */
export async function bundleForXs(contents: string, resolveDir: string, aliases: Record<string, string> = {},
  stubs: readonly string[] = []): Promise<string> {
  const plugin: Plugin = {
    name: 'xsphone-xs',
    setup(b) {
      for (const [name, target] of Object.entries(aliases)) {
        b.onResolve({ filter: new RegExp(`^${escape(name)}$`) }, () => ({ path: target }));
      }
      if (stubs.length > 0) {
        b.onResolve({ filter: new RegExp(`^(node:)?(${stubs.map(escape).join('|')})$`) },
          (a) => ({ path: a.path, namespace: 'xs-stub' }));
        b.onLoad({ filter: /.*/, namespace: 'xs-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      }
    },
  };
  const result = await build({
    stdin: { contents, resolveDir, sourcefile: 'xs-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [plugin],
  });
  return result.outputFiles[0]!.text;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Script text that removes the globals xsnap adds but the ESP32 build lacks, keeping them in
 * `const <name>` for the code that follows in the same script. The device has TextEncoder,
 * TextDecoder and trace; it has no harden, Base64, print, issueCommand, performance, gc,
 * setImmediate nor xsnap's meter functions.
 */
export function hideHostGlobals(name: string): string {
  const hidden = ['harden', 'Base64', 'print', 'issueCommand', 'performance', 'gc', 'setImmediate',
    'currentMeterLimit', 'resetMeter', 'lockdown'];
  return `const ${name} = {};
for (const key of ${JSON.stringify(hidden)}) {
  if (key in globalThis) { ${name}[key] = globalThis[key]; delete globalThis[key]; }
  if (key in globalThis) throw new Error('cannot hide the host global ' + key);
}
${name}.TextEncoder = TextEncoder;
`;
}
