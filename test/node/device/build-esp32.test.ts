/** `npm run build:esp32` (dist/scripts/build-esp32.js): the missing-SDK message, and what it hands mcconfig. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCRIPT = fileURLToPath(new URL('../../../scripts/build-esp32.js', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

function tmp(t: import('ava').ExecutionContext): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'xsphone-build-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('without $MODDABLE it stops with exit 2 and says what to install', (t) => {
  const out = path.join(tmp(t), 'out');
  const r = run(['--out', out], envWithout('MODDABLE'));
  t.is(r.code, 2);
  t.regex(r.err, /\$MODDABLE is not set/);
  t.regex(r.err, /Install the Moddable SDK/);
  t.regex(r.err, /export MODDABLE=/);
  t.regex(r.err, /ESP-IDF/);
  t.regex(r.err, /Nothing was built/);
  t.false(fs.existsSync(out));
});

test('with $MODDABLE but no mcconfig on PATH it stops with exit 2', (t) => {
  const dir = tmp(t);
  const r = run(['--out', path.join(dir, 'out')], { ...envWithout('MODDABLE'), MODDABLE: dir, PATH: path.join(dir, 'nothing') });
  t.is(r.code, 2);
  t.regex(r.err, /mcconfig is not on PATH/);
});

test('it writes a project manifest mapping every device folder and runs mcconfig without -m', (t) => {
  const dir = tmp(t);
  const out = path.join(dir, 'xsphone');
  // A compiled tree as tsc would leave it.
  for (const f of ['src/phone/phone.js', 'src/sip/parser/scan.js', 'hal/storage.js', 'hal/soft/sha256.js', 'hal/esp32/main.js', 'hal/esp32/net.js', 'hal/host/net.js', 'hal/virtual/clock.js']) {
    fs.mkdirSync(path.dirname(path.join(out, 'js', f)), { recursive: true });
    fs.writeFileSync(path.join(out, 'js', f), 'export {};\n');
  }
  // Modules the SDK's xsl cannot preload, and one that imports such a module.
  fs.writeFileSync(path.join(out, 'js/src/phone/via.js'), "const decoder = new TextDecoder();\nexport const d = () => decoder;\n");
  fs.writeFileSync(path.join(out, 'js/src/phone/user.js'), "import { d } from './via.js';\nexport const u = d;\n");
  fs.writeFileSync(path.join(out, 'js/hal/soft/ed.js'), "const IDENTITY = [0n, 1n, 1n, 0n];\nexport const id = () => IDENTITY;\n");
  fs.writeFileSync(path.join(out, 'js/hal/esp32/crypto.js'), "import { id } from '../soft/ed.js';\nexport { id };\n");
  // A stand-in mcconfig that records its arguments and writes a makefile where mcconfig would.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(dir, 'args.txt');
  fs.writeFileSync(
    path.join(bin, 'mcconfig'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(log)}\nmkdir -p ${JSON.stringify(path.join(out, 'tmp/esp32/release/xsphone'))}\ntouch ${JSON.stringify(path.join(out, 'tmp/esp32/release/xsphone/makefile'))}\n`,
    { mode: 0o755 },
  );
  const r = run(['--out', out, '--skip-tsc'], { ...process.env, MODDABLE: dir, PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  t.is(r.code, 0, r.err);
  const args = fs.readFileSync(log, 'utf8').trim().split('\n');
  t.false(args.includes('-m'));
  t.deepEqual(args.slice(0, 2), ['-p', 'esp32']);
  t.true(args.includes(path.join(out, 'manifest.json')));
  t.regex(args[args.length - 1], /^version=\d+\.\d+\.\d+/);
  t.regex(r.out, /make -f .*makefile build/);

  const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  t.deepEqual(m.include, [path.join(ROOT, 'manifest.json')]);
  t.deepEqual(m.modules, {
    'hal/*': './js/hal/*',
    'hal/esp32/*': './js/hal/esp32/*',
    'hal/soft/*': './js/hal/soft/*',
    'src/phone/*': './js/src/phone/*',
    'src/sip/parser/*': './js/src/sip/parser/*',
  });
  // Everything preloads except the main module, which starts the phone when it runs.
  t.deepEqual(m.preload, ['hal/storage', 'hal/esp32/net', 'hal/soft/sha256', 'src/phone/phone', 'src/sip/parser/scan']);
  t.deepEqual(m.notPreloaded, {
    'hal/esp32/crypto': 'imports hal/soft/ed',
    'hal/esp32/main': 'the boot module (runs the phone when loaded)',
    'hal/soft/ed': 'keeps BigInts in a module-level array (crashes xsl when preloaded)',
    'src/phone/user': 'imports src/phone/via',
    'src/phone/via': 'creates a TextEncoder/TextDecoder at module level',
  });
  t.regex(r.out, /4 module\(s\) stay in RAM/);
});
