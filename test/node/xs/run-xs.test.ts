// The XS runner itself: it must report failures, load errors, hangs and empty runs as failures,
// and it must hide the host globals the device lacks. Runs the runner as a child process on
// small test files written to a temp folder (outside test/core, so `npm test` never runs them as core tests).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../../xs/run-xs.js', import.meta.url));

function runXs(files: Record<string, string>): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xsphone-xs-runner-'));
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    });
    const result = spawnSync(process.execPath, [runner, '--timeout', '60', ...paths], { encoding: 'utf8', timeout: 90_000 });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function closingLine(output: string): string {
  const lines = output.trimEnd().split('\n');
  return lines[lines.length - 1]!;
}

test('a failing assertion fails the lane and is named', (t) => {
  const { status, output } = runXs({
    'mixed.test.js': `import test from 'ava';
test('adds', (t) => { t.is(1 + 1, 2); });
test('deliberately wrong', (t) => { t.deepEqual({ a: 1, b: undefined }, { a: 1 }); });`,
  });
  t.is(status, 1);
  t.is(closingLine(output), '1 passed, 1 failed');
  t.regex(output, /✘ \[fail\]: .*mixed › deliberately wrong/);
});

test('all passing exits 0; async tests and throws work', (t) => {
  const { status, output } = runXs({
    'ok.test.js': `import test from 'ava';
test('async', async (t) => { const v = await Promise.resolve(new Uint8Array([1, 2])); t.deepEqual(v, new Uint8Array([1, 2])); });
test.serial('throws', (t) => { const e = t.throws(() => { throw new RangeError('too big'); }, { instanceOf: RangeError, message: /big/ }); t.is(e.message, 'too big'); });
test('maps', (t) => { t.deepEqual(new Map([[1, { x: [1] }]]), new Map([[1, { x: [1] }]])); t.notDeepEqual(new Map([[1, 2]]), new Map([[1, 3]])); });`,
  });
  t.is(closingLine(output), '3 passed, 0 failed', output);
  t.is(status, 0);
});

test('the core sees only the globals the device has', (t) => {
  const { status, output } = runXs({
    'globals.test.js': `import test from 'ava';
test('hidden', (t) => {
  for (const name of ['harden', 'Base64', 'print', 'issueCommand', 'performance', 'gc', 'setImmediate', 'resetMeter', 'currentMeterLimit']) {
    t.is(typeof globalThis[name], 'undefined', name);
  }
  t.is(typeof TextEncoder, 'function');
  t.is(typeof TextDecoder, 'function');
  t.is(typeof trace, 'function');
});`,
  });
  t.is(closingLine(output), '1 passed, 0 failed', output);
  t.is(status, 0);
});

test('no tests, a test without assertions, a file that throws on load, and a hang all fail', (t) => {
  const empty = runXs({ 'empty.test.js': `import test from 'ava';` });
  t.is(empty.status, 1);
  t.is(closingLine(empty.output), '0 passed, 0 failed');

  const broken = runXs({
    'noassert.test.js': `import test from 'ava';\ntest('nothing asserted', () => {});`,
    'throws.test.js': `import test from 'ava';\ntest('never registered', (t) => t.pass());\nthrow new Error('load failure');`,
    'hang.test.js': `import test from 'ava';\ntest('waits forever', async (t) => { t.pass(); await new Promise(() => {}); });`,
  });
  t.is(broken.status, 1);
  t.regex(broken.output, /without running any assertions/);
  t.regex(broken.output, /throws could not load in XS Error: load failure/);
  t.regex(broken.output, /never finished/);
  t.is(closingLine(broken.output), '0 passed, 3 failed');
});

test('a core test that imports a Node module cannot be bundled for XS and fails', (t) => {
  const { status, output } = runXs({
    'node.test.js': `import test from 'ava';\nimport fs from 'node:fs';\ntest('fs', (t) => t.truthy(fs));`,
  });
  t.is(status, 1);
  t.regex(output, /cannot bundle for XS/);
});
