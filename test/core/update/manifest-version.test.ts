import test from 'ava';
import { parseHttpUrl, resolveUrl } from '../../../hal/http.js';
import { createSoftSha256 } from '../../../hal/soft/sha256-stream.js';
import { hexOf, parseManifest, signedText } from '../../../src/update/manifest.js';
import { compareVersions } from '../../../src/update/version.js';

test('versions compare numerically, pre-releases before releases', (t) => {
  t.true(compareVersions('1.10.0', '1.9.9') > 0);
  t.true(compareVersions('1.2', '1.2.0') === 0);
  t.true(compareVersions('1.2.0-rc1', '1.2.0') < 0);
  t.true(compareVersions('1.2.0', '1.2.0-rc1') > 0);
  t.true(compareVersions('1.2.0-rc1', '1.2.0-rc2') < 0);
  t.true(compareVersions('2', '10') < 0);
  t.is(compareVersions('3.1.4', '3.1.4'), 0);
});

const SIG = 'A'.repeat(86) + '==';
const HASH = 'ab'.repeat(32);

test('a well-formed manifest parses; the signed text lists every field', (t) => {
  const r = parseManifest(JSON.stringify({ version: '1.2.3', size: 10, sha256: HASH, image: 'fw.bin', signature: SIG }));
  t.true(r.ok);
  if (!r.ok) return;
  t.is(signedText(r.manifest), `xsphone-update-v1\nversion=1.2.3\nsize=10\nsha256=${HASH}\nimage=fw.bin\n`);
});

test('malformed manifests are rejected with a reason', (t) => {
  const good = { version: '1.2.3', size: 10, sha256: HASH, image: 'fw.bin', signature: SIG };
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, version: 'one' }, /version/],
    [{ ...good, size: -1 }, /size/],
    [{ ...good, size: 1.5 }, /size/],
    [{ ...good, sha256: HASH.toUpperCase() }, /sha256/],
    [{ ...good, image: '' }, /image/],
    [{ ...good, signature: 'abc' }, /signature/],
    [{ ...good, signature: undefined }, /not signed/],
    [[1, 2], /not a JSON object/],
  ];
  for (const [m, re] of cases) {
    const r = parseManifest(JSON.stringify(m));
    t.false(r.ok);
    if (!r.ok) t.regex(r.error, re);
  }
});

test('the soft streaming SHA-256 matches the FIPS 180-2 vector in any chunking', (t) => {
  const msg = new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
  for (const step of [1, 7, 56, 64]) {
    const d = createSoftSha256();
    for (let i = 0; i < msg.length; i += step) d.update(msg.subarray(i, i + step));
    t.is(hexOf(d.final()), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  }
});

test('http URLs split and resolve', (t) => {
  t.deepEqual(parseHttpUrl('https://u.example.com/a/b.json?x=1'), { secure: true, host: 'u.example.com', port: 443, path: '/a/b.json?x=1' });
  t.deepEqual(parseHttpUrl('http://127.0.0.1:8080'), { secure: false, host: '127.0.0.1', port: 8080, path: '/' });
  t.deepEqual(parseHttpUrl('http://[::1]:81/x'), { secure: false, host: '::1', port: 81, path: '/x' });
  t.is(parseHttpUrl('ftp://x/y'), undefined);
  t.is(parseHttpUrl('http://x:99999/'), undefined);
  t.is(resolveUrl('https://h.example/p/manifest.json', 'fw.bin'), 'https://h.example/p/fw.bin');
  t.is(resolveUrl('https://h.example/p/manifest.json', '/fw.bin'), 'https://h.example/fw.bin');
  t.is(resolveUrl('https://h.example/p/manifest.json', 'http://o.example/fw.bin'), 'http://o.example/fw.bin');
  t.is(resolveUrl('https://h.example', 'fw.bin'), 'https://h.example/fw.bin');
});
