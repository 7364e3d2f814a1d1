/**
 * A phone that runs one OTA update against a test's HTTP server, for the power-loss tests. Prints one line
 * per step ("step NAME [bytes]") and, when its step matches PAUSE_AT, prints "paused" and blocks right
 * there (synchronously, so a SIGKILL lands exactly at that point).
 * Usage: node updater-child.js DIR MANIFEST_URL PUBLIC_KEY_BASE64 [PAUSE_AT]
 *   PAUSE_AT: checking | downloading:N (first chunk report at or after N bytes) | verifying | installing |
 *             before-complete | before-activate | after-activate | before-restart | boot-trial | after-mark-good
 *   When DIR's next boot is a trial, the child boots it and marks it good (steps boot-trial, after-mark-good).
 */
import { writeSync } from 'node:fs';
import { HostCrypto } from '../../../hal/host/crypto.js';
import { withHostDigest } from '../../../hal/host/digest-stream.js';
import { HostHttpClient } from '../../../hal/host/http.js';
import { FileOta } from '../../../hal/host/ota.js';
import type { Ota } from '../../../hal/ota.js';
import { base64Decode } from '../../../src/media/srtp/base64.js';
import { Updater } from '../../../src/update/updater.js';

const [dir, manifestUrl, keyB64, pauseAt = ''] = process.argv.slice(2);
const FACTORY = '1.0.0';

function say(line: string): void {
  writeSync(1, line + '\n');
}

function step(name: string, bytes?: number): void {
  say(`step ${name}${bytes === undefined ? '' : ' ' + bytes}`);
  const [p, n] = pauseAt.split(':');
  const hit = p === name && (n === undefined || (bytes !== undefined && bytes >= Number(n)));
  if (hit) {
    say('paused');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    say('pause timed out');
    process.exit(3);
  }
}

const ota = new FileOta({
  dir,
  factoryVersion: FACTORY,
  onRestart: () => {
    step('restart');
    process.exit(0);
  },
});
say(`booted ${ota.running().version} ${ota.running().confirmed ? 'confirmed' : 'trial'}`);

if (!ota.running().confirmed) {
  step('boot-trial');
  ota.markGood();
  step('after-mark-good');
  process.exit(0);
}

// The OTA HAL with a step report (and pause point) around each call that changes the slots.
const traced: Ota = {
  running: () => ota.running(),
  begin: (size, version) => {
    const w = ota.begin(size, version);
    return {
      write: (c) => w.write(c),
      complete: () => {
        step('before-complete');
        w.complete();
      },
      cancel: () => w.cancel(),
    };
  },
  activate: () => {
    step('before-activate');
    ota.activate();
    step('after-activate');
  },
  restart: () => {
    step('before-restart');
    ota.restart();
  },
  markGood: () => ota.markGood(),
};

const updater = new Updater({
  http: new HostHttpClient(),
  ota: traced,
  crypto: withHostDigest(new HostCrypto()),
  manifestUrl,
  publicKey: base64Decode(keyB64)!,
  onProgress: (p) => step(p.phase, p.phase === 'downloading' ? p.received : undefined),
});
const result = await updater.run();
say(`result ${JSON.stringify(result)}`);
