// A copy of @agoric/xsnap's worker that also reports XS's chunk-heap figure. xsnap reports live
// heap slots (`currentHeapCount`) but not the chunk heap (string, array and buffer bytes), and
// its `allocate` is only the space reserved for both heaps (it moves when a heap grows, not per
// allocation). XS keeps `currentChunksSize` beside `currentHeapCount`: both grow with every
// allocation and fall back to the live size at a garbage collection, so across a gc() and an
// evaluation that does not collect, their deltas are what that evaluation allocated.
// Built once from the package's own sources into node_modules/.cache (re-using its object files,
// so only the two patched files compile); needs `make` and `cc`, as installing xsnap did.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xsnapDir = path.join(root, 'node_modules/@agoric/xsnap');
const native = path.join(xsnapDir, 'xsnap-native/xsnap');
const cache = path.join(root, 'node_modules/.cache/xsphone/xsnap-meter');
const binary = path.join(cache, 'build/bin/lin/release/xsnap-worker');

const ORIGINAL_FORMAT = '"\\"allocate\\":%u,"';
const ORIGINAL_ARGS = 'meterIndex, the->allocatedSpace, tsbuf);';

const HEAP_GETTER = 'extern xsIntegerValue fxGetCurrentHeapCount(xsMachine* the);';
const GETTER = `
txSize fxGetCurrentChunksSize(txMachine* the)
{
\treturn the->currentChunksSize;
}
`;

/** The worker's meter report gains currentChunksSize, read through a getter added to the platform file. */
function patch(worker: string, platform: string): { worker: string; platform: string } {
  if (!worker.includes(ORIGINAL_FORMAT) || !worker.includes(ORIGINAL_ARGS) || !worker.includes(HEAP_GETTER)) {
    throw new Error('xsnap-worker.c does not have the expected meter report (another xsnap version?)');
  }
  return {
    worker: worker
      .replace(HEAP_GETTER, `${HEAP_GETTER}\nextern xsIntegerValue fxGetCurrentChunksSize(xsMachine* the);`)
      .replace(ORIGINAL_FORMAT, `${ORIGINAL_FORMAT}\n\t\t\t\t  "\\"currentChunksSize\\":%u,"`)
      .replace(ORIGINAL_ARGS, 'meterIndex, the->allocatedSpace, (unsigned)fxGetCurrentChunksSize(the), tsbuf);'),
    platform: `${platform}${GETTER}`,
  };
}

/** Path of the chunk-reporting xsnap worker, building it if needed; or the reason it cannot be. */
export function meteredXsnapWorker(): { binary: string } | { error: string } {
  const sources = path.join(native, 'sources');
  try {
    const patched = patch(fs.readFileSync(path.join(sources, 'xsnap-worker.c'), 'utf8'),
      fs.readFileSync(path.join(sources, 'xsnapPlatform.c'), 'utf8'));
    const stamp = path.join(cache, 'patched.c');
    const stampText = patched.worker + patched.platform;
    if (fs.existsSync(binary) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === stampText) return { binary };
    if (process.platform !== 'linux') return { error: 'only built on Linux' };

    // Built beside the cache and renamed into place, so concurrent runs never see half a build.
    const work = `${cache}.${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, 'makefiles/lin'), { recursive: true });
    // Copies keep their times, so make sees the package's object files as up to date and
    // compiles only the two patched files.
    fs.cpSync(path.join(native, 'sources'), path.join(work, 'sources'), { recursive: true, preserveTimestamps: true });
    fs.cpSync(path.join(native, 'makefiles/lin/xsnap-worker.mk'), path.join(work, 'makefiles/lin/xsnap-worker.mk'),
      { preserveTimestamps: true });
    const objects = path.join(native, 'build/tmp/lin/release/xsnap-worker');
    if (fs.existsSync(objects)) {
      fs.cpSync(objects, path.join(work, 'build/tmp/lin/release/xsnap-worker'), { recursive: true, preserveTimestamps: true });
    }
    fs.writeFileSync(path.join(work, 'sources/xsnap-worker.c'), patched.worker);
    fs.writeFileSync(path.join(work, 'sources/xsnapPlatform.c'), patched.platform);
    const version = (JSON.parse(fs.readFileSync(path.join(xsnapDir, 'package.json'), 'utf8')) as { version: string }).version;
    const make = spawnSync('make', ['-f', 'xsnap-worker.mk', 'GOAL=release', `MODDABLE=${path.join(xsnapDir, 'moddable')}`,
      `XSNAP_VERSION=${version}`, 'CC=cc "-D__has_builtin(x)=1"'], { cwd: path.join(work, 'makefiles/lin'), encoding: 'utf8' });
    if (make.status !== 0 || !fs.existsSync(path.join(work, 'build/bin/lin/release/xsnap-worker'))) {
      fs.rmSync(work, { recursive: true, force: true });
      return { error: `make failed: ${(make.stderr || make.error?.message || '').trim().split('\n').slice(-3).join(' ')}` };
    }
    fs.writeFileSync(path.join(work, 'patched.c'), stampText);
    fs.rmSync(cache, { recursive: true, force: true });
    fs.renameSync(work, cache);
    return { binary };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
