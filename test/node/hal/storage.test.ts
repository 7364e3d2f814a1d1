import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStorage } from '../../../hal/host/storage.js';
import { valueFor } from './fixtures/storage-writer.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('read, write, overwrite, remove, names', (t) => {
  const s = new FileStorage(path.join(tempDir(t), 'nested', 'dir'));
  t.is(s.read('settings'), undefined);
  t.deepEqual(s.names(), []);
  s.write('settings', '{"a":1}');
  s.write('history', 'ünïcødé ☎');
  t.is(s.read('settings'), '{"a":1}');
  t.is(s.read('history'), 'ünïcødé ☎');
  s.write('settings', '');
  t.is(s.read('settings'), '');
  t.deepEqual(s.names(), ['history', 'settings']);
  s.remove('settings');
  s.remove('settings'); // removing a missing record is fine
  t.is(s.read('settings'), undefined);
  t.deepEqual(s.names(), ['history']);
  t.is(new FileStorage(s.dir).read('history'), 'ünïcødé ☎', 'persists across instances');
});

test('record names are validated', (t) => {
  const s = new FileStorage(tempDir(t));
  for (const bad of ['', '../etc', 'a/b', '.hidden', 'x.tmp', 'name with space', 'sixteen-chars-xx', 'é']) {
    t.throws(() => s.write(bad, 'v'), { message: /invalid record name/ }, bad);
    t.throws(() => s.read(bad), { message: /invalid record name/ }, bad);
  }
  t.notThrows(() => s.write('fifteen_chars-x', 'v'));
});

test('stale temp files are cleaned at start and never listed', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, '.settings.123.0.tmp'), '{"half":');
  writeFileSync(path.join(dir, 'settings'), 'old');
  const s = new FileStorage(dir);
  t.deepEqual(readdirSync(dir), ['settings']);
  t.deepEqual(s.names(), ['settings']);
  t.is(s.read('settings'), 'old');
});

const writer = fileURLToPath(new URL('./fixtures/storage-writer.js', import.meta.url));

interface Run {
  lastDone: number;
  stderr: string;
}

/** Starts the writer, kills it with SIGKILL delayMs after its first completed write, reports the last write it completed. */
function runAndKill(dir: string, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let armed = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer never completed a write: ${stderr}`));
    }, 10_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself: ${stderr}`));
      const done = out.split('\n').filter((l) => l !== '');
      resolve({ lastDone: done.length ? Number(done[done.length - 1]) : -1, stderr });
    });
  });
}

test('SIGKILL at random moments never leaves the record corrupt or lost', async (t) => {
  const dir = tempDir(t);
  const kills = 50;
  const deadline = Date.now() + 90_000;
  let midWrite = 0;
  let lastDone = -1;
  let runs = 0;
  for (let i = 0; i < kills && Date.now() < deadline; i++) {
    const delay = Math.floor(Math.random() * 40);
    const run = await runAndKill(dir, delay);
    runs++;
    if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) midWrite++;
    const s = new FileStorage(dir); // cleans what the killed writer left
    t.deepEqual(readdirSync(dir), ['settings'], 'only the record remains');
    const text = s.read('settings');
    if (text === undefined) return t.fail(`record lost after kill ${i}`);
    let seq: number;
    try {
      seq = (JSON.parse(text) as { seq: number }).seq;
    } catch {
      return t.fail(`record corrupt after kill ${i}: ${text.length} bytes, starts ${JSON.stringify(text.slice(0, 40))}`);
    }
    if (text !== valueFor(seq)) return t.fail(`record after kill ${i} is not a complete value (seq ${seq})`);
    // Every write the writer reported complete is durable: the record is that one or the one after it.
    if (!(seq === run.lastDone || seq === run.lastDone + 1)) return t.fail(`kill ${i}: record seq ${seq}, last completed ${run.lastDone}`);
    if (seq < lastDone) return t.fail(`kill ${i}: record went back from ${lastDone} to ${seq}`);
    lastDone = run.lastDone;
  }
  t.log(`${runs} kills, ${midWrite} left a half-written temp file, last seq ${lastDone}`);
  t.true(runs >= 20, `only ${runs} kills before the time bound`);
  t.true(midWrite > 0, 'at least one kill landed in the middle of a write');
});
