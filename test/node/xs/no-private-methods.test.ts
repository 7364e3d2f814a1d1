// XS (xsnap, and the SDK's own xst) keeps the last-constructed instance of a class that has ES private methods or
// accessors (`#m() {}`, `get #x()`) alive until the next one is made: an ended call would keep its Call, its
// transactions and its media engine (~40 KB, see `npm run bench:memory`). Classes made per call use TypeScript
// `private` methods (prototype methods) instead; private `#fields` are fine. This guards the per-call folders.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
// Folders, and files whose classes are made per request (OutgoingRequest), per subscription or per DNS query.
const PER_CALL = ['src/media', 'src/sip/call', 'src/sip/transaction', 'src/sip/ua/user-agent.ts', 'src/sip/services/subscription.ts',
  'src/sip/dns/message.ts'];
const PRIVATE_METHOD = /^\s+(?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?#\w+\s*[(<]/m;

function files(dir: string): string[] {
  if (dir.endsWith('.ts')) return [dir];
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('per-call classes have no ES private methods (XS would keep the last call alive)', (t) => {
  const all = PER_CALL.flatMap(files);
  t.true(all.length > 20, `${all.length} files scanned`);
  const offending = all.filter((f) => PRIVATE_METHOD.test(fs.readFileSync(path.join(root, f), 'utf8')));
  t.deepEqual(offending, []);
});

test('the guard sees a private method and ignores private fields', (t) => {
  t.true(PRIVATE_METHOD.test('class A {\n  #go(): void {}\n}'));
  t.true(PRIVATE_METHOD.test('class A {\n  get #x(): number { return 1; }\n}'));
  t.false(PRIVATE_METHOD.test('class A {\n  #x = 1;\n  readonly #f = (): void => {};\n  private go(): void { this.#f(); }\n}'));
});
