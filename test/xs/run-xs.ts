// The XS lane: runs the core test files inside the real Moddable XS engine (xsnap), with only the
// globals the ESP32 build has. Usage: node dist/test/xs/run-xs.js [--workers N] [--timeout SECONDS] [FILE.test.js ...]
// Without files it runs every dist/test/core/**/*.test.js. Prints one line per test, then exactly
// "N passed, N failed"; exits 1 when a test fails, a file cannot load, or no test ran.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestEvent } from './ava-shim.js';
import { bundleForXs, hideHostGlobals, startXsWorker } from './xs-engine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const shim = path.join(here, 'ava-shim.js');

type Event = TestEvent | { type: 'load-error'; file: string; error: string } | { type: 'done' };

interface Options { files: string[]; workers: number; timeoutSeconds: number }

function parseArgs(argv: string[]): Options {
  const options: Options = { files: [], workers: Math.min(4, os.cpus().length), timeoutSeconds: 900 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--workers') options.workers = Number(argv[++i]);
    else if (arg === '--timeout') options.timeoutSeconds = Number(argv[++i]);
    else options.files.push(path.resolve(arg));
  }
  if (options.files.length === 0) options.files = findTests(path.join(root, 'dist/test/core'));
  return options;
}

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function displayName(file: string): string {
  const core = path.join(root, 'dist/test/core') + path.sep;
  return (file.startsWith(core) ? file.slice(core.length) : path.relative(process.cwd(), file)).replace(/\.test\.js$/, '');
}

/** One script holding several test files; the files' tests run one after another. */
async function composeScript(files: string[]): Promise<{ script: string; loadErrors: Event[] }> {
  const parts: string[] = [];
  const loadErrors: Event[] = [];
  for (const file of files) {
    const name = displayName(file);
    const entry = `import { takeRegistered, runFile } from ${JSON.stringify(shim)};
import ${JSON.stringify(file)};
const tests = takeRegistered();
__xsphoneFiles.push({ name: ${JSON.stringify(name)}, run: (host) => runFile(${JSON.stringify(name)}, tests, host) });`;
    try {
      const bundle = await bundleForXs(entry, root, { ava: shim });
      parts.push(`try {\n${bundle}\n} catch (error) { __xsphoneLoadError(${JSON.stringify(name)}, error); }`);
    } catch (error) {
      loadErrors.push({ type: 'load-error', file: name, error: `cannot bundle for XS: ${(error as Error).message}` });
    }
  }
  const script = `"use strict";
(function () {
${hideHostGlobals('__host')}
const __send = (event) => __host.issueCommand(new __host.TextEncoder().encode(JSON.stringify(event)).buffer);
const __xsphoneLoadError = (file, error) => __send({ type: 'load-error', file,
  error: String(error && error.stack || error) });
const __xsphoneFiles = [];
${parts.join('\n')}
const runner = { now: () => __host.performance.now(), report: __send };
(async () => {
  for (const file of __xsphoneFiles) await file.run(runner);
  __send({ type: 'done' });
})().catch((error) => __xsphoneLoadError('(runner)', error));
})();
`;
  return { script, loadErrors };
}

class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;
  readonly failures: string[] = [];

  record(event: Event): void {
    switch (event.type) {
      case 'pass':
        this.passed++;
        console.log(`  ✔ ${event.file} › ${event.title} (${event.ms.toFixed(1)}ms)`);
        for (const line of event.logs) console.log(`    ℹ ${line}`);
        break;
      case 'fail':
        this.failed++;
        console.log(`  ✘ [fail]: ${event.file} › ${event.title} ${firstLine(event.error)}`);
        for (const line of event.logs) console.log(`    ℹ ${line}`);
        this.failures.push(`${event.file} › ${event.title}\n${indent(event.error)}`);
        break;
      case 'skip':
        this.skipped++;
        console.log(`  - [skip]: ${event.file} › ${event.title}`);
        break;
      case 'load-error':
        this.failed++;
        console.log(`  ✘ [fail]: ${event.file} could not load in XS ${firstLine(event.error)}`);
        this.failures.push(`${event.file} (loading)\n${indent(event.error)}`);
        break;
      case 'done':
        break;
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    ${line}`).join('\n');
}

/** Runs one group of files in its own XS worker; resolves with a failure text if it did not finish. */
async function runGroup(files: string[], tally: Tally, timeoutSeconds: number): Promise<void> {
  const { script, loadErrors } = await composeScript(files);
  for (const event of loadErrors) tally.record(event);
  let done = false;
  let last = '(no test reported)';
  const decoder = new TextDecoder();
  const worker = await startXsWorker({
    name: 'xsphone-test',
    onCommand: (bytes) => {
      const event = JSON.parse(decoder.decode(bytes)) as Event;
      if (event.type === 'done') done = true;
      else last = `${event.file}${'title' in event ? ` › ${event.title}` : ''}`;
      tally.record(event);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
  });
  try {
    const outcome = await Promise.race([worker.evaluate(script).then(() => 'ok' as const), timeout]);
    if (outcome === 'timeout') {
      await worker.terminate().catch(() => {});
      tally.record({ type: 'load-error', file: files.map(displayName).join(', '),
        error: `XS worker timed out after ${timeoutSeconds} s; last result: ${last}` });
      return;
    }
    if (!done) {
      tally.record({ type: 'load-error', file: files.map(displayName).join(', '),
        error: `tests never finished (a promise that never settles?); last result: ${last}` });
    }
    await worker.close();
  } catch (error) {
    await worker.terminate().catch(() => {});
    tally.record({ type: 'load-error', file: files.map(displayName).join(', '),
      error: `XS worker failed: ${(error as Error).message}; last result: ${last}` });
  } finally {
    clearTimeout(timer);
  }
}

/** Spreads files over the workers by size, largest first, so the groups take similar time. */
function partition(files: string[], count: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(count, files.length)) }, () => ({ size: 0, files: [] as string[] }));
  const sized = files.map((file) => ({ file, size: fs.statSync(file).size })).sort((a, b) => b.size - a.size);
  for (const { file, size } of sized) {
    const group = groups.reduce((min, g) => (g.size < min.size ? g : min));
    group.files.push(file);
    group.size += size;
  }
  return groups.map((g) => g.files.sort()).filter((g) => g.length > 0);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const tally = new Tally();
  console.log(`XS lane: ${options.files.length} test file(s) in Moddable XS (xsnap)`);
  if (options.files.length > 0) {
    await Promise.all(partition(options.files, options.workers).map((g) => runGroup(g, tally, options.timeoutSeconds)));
  }
  if (tally.failures.length > 0) {
    console.log('\n  Failures in XS:\n');
    for (const failure of tally.failures) console.log(`  ${failure}\n`);
  }
  if (tally.skipped > 0) console.log(`${tally.skipped} skipped`);
  console.log(`XS lane took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (tally.passed + tally.failed === 0) console.log('XS lane: no test ran');
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed > 0 || tally.passed === 0 ? 1 : 0;
}

process.exitCode = await main();
