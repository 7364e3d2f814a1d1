// The portability check must reject every way src/ can reach the host, and accept clean code
// (including host names inside comments, strings, templates, regexes, members and locals).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../../scripts/check-portable.js';

const script = fileURLToPath(new URL('../../../scripts/check-portable.js', import.meta.url));

function messages(source: string): string[] {
  return checkSource('f.ts', source).map((p) => `${p.line}:${p.column} ${p.message}`);
}

const offending: Array<[string, string, RegExp]> = [
  ['node: import', `import { readFileSync } from 'node:fs';`, /1:30 imports 'node:fs'/],
  ['bare fs import', `import fs from 'fs';`, /imports 'fs'/],
  ['side-effect import', `import 'dgram';`, /imports 'dgram'/],
  ['type-only import', `import type { Socket } from 'net';`, /imports 'net'/],
  ['re-export', `export { x } from 'os';`, /imports 'os'/],
  ['dynamic import', `const m = await import('child_process');`, /imports 'child_process'/],
  ['Moddable module', `import UDP from 'embedded:io/socket/udp';`, /imports 'embedded:io\/socket\/udp'/],
  ['pins', `import Digital from 'pins/digital';`, /imports 'pins\/digital'/],
  ['Moddable timer', `import Timer from 'timer';`, /imports 'timer'/],
  ['a package', `import { x } from 'some-package';`, /imports 'some-package'/],
  ['require', `const fs = require('fs');`, /host global 'require'/],
  ['Buffer', `const b = Buffer.from('x');`, /host global 'Buffer'/],
  ['process', `if (process.env.X) {}`, /host global 'process'/],
  ['setTimeout', `setTimeout(() => {}, 1);`, /host global 'setTimeout'/],
  ['setInterval', `const h = setInterval(f, 1);`, /host global 'setInterval'/],
  ['setImmediate', `setImmediate(f);`, /host global 'setImmediate'/],
  ['console', `console.log('x');`, /host global 'console'/],
  ['Math.random', `const n = Math.random();`, /uses Math\.random/],
  ['window', `const w = window.innerWidth;`, /host global 'window'/],
  ['document', `document.title = 'x';`, /host global 'document'/],
  ['globalThis access', `const t = globalThis.TextEncoder;`, /host global 'globalThis'/],
  ['__dirname', `const d = __dirname;`, /host global '__dirname'/],
  ['ambient declaration', `declare const process: { env: Record<string, string> };\nprocess.env;`, /declares the host global 'process'/],
  ['triple-slash types', `/// <reference types="node" />\nexport {};`, /triple-slash reference/],
  ['in a template expression', 'const s = `a ${console.log(1)} b`;', /1:16 uses the host global 'console'/],
  ['after a regex', `const r = /["'\`]/g; setTimeout(f);`, /1:21 uses the host global 'setTimeout'/],
];

for (const [title, source, expected] of offending) {
  test(`flags ${title}`, (t) => {
    const found = messages(source);
    t.true(found.some((m) => expected.test(m)), found.join('\n') || '(nothing found)');
  });
}

test('accepts clean code: relative imports, host names in comments, strings, templates, regexes, members and locals', (t) => {
  const clean = `import { parse } from './parser/index.js';
import type { Clock } from '../../hal/clock.js';
export { x } from '../x.js';
// process.exit(); setTimeout(); import fs from 'fs';
/* Buffer.from(require('os')) console.log */
const message = "process.env and console.log and Math.random() in a string";
const other = 'import fs from "node:fs"';
const tpl = \`setTimeout(\${parse('x')}) window document \${\`nested \${1} console\`}\`;
const re = /process|Buffer|\\/\\/console/g;
const ratio = a / b / c; // division, not a regex: setTimeout
interface Events { process: (x: number) => void; console?: string }
const handlers = { process: 1, console: 2 };
class Parser {
  private window = 0;
  process(chunk: Uint8Array): void { this.window += chunk.length; }
  document(): number { return this.window; }
}
function schedule(setTimeout: (f: () => void) => void) { setTimeout(() => {}); }
const window = new Uint8Array(4);
window[0] = 1;
export const random = (rng: { random(): number }) => rng.random();
const m = obj.Math.random; const p = obj.process; const q = obj?.console;`;
  t.deepEqual(messages(clean), []);
});

test('the command exits 1 with file:line:column messages, and 0 on a clean tree', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xsphone-portable-'));
  try {
    fs.mkdirSync(path.join(dir, 'src/sip'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src/sip/ok.ts'), `import { a } from './a.js';\nexport const b = a + 1;\n`);
    const clean = spawnSync(process.execPath, [script, path.join(dir, 'src')], { encoding: 'utf8', cwd: dir });
    t.is(clean.status, 0, clean.stderr);
    t.regex(clean.stdout, /1 file\(s\) in src are platform-free/);

    fs.writeFileSync(path.join(dir, 'src/sip/bad.ts'), `import dgram from 'node:dgram';\n\nconst id = Math.random();\nsetTimeout(() => {}, 5);\n`);
    const bad = spawnSync(process.execPath, [script, path.join(dir, 'src')], { encoding: 'utf8', cwd: dir });
    t.is(bad.status, 1);
    const lines = bad.stderr.trim().split('\n');
    t.regex(lines[0]!, /^src\/sip\/bad\.ts:1:19: imports 'node:dgram'/);
    t.regex(lines[1]!, /^src\/sip\/bad\.ts:3:12: uses Math\.random/);
    t.regex(lines[2]!, /^src\/sip\/bad\.ts:4:1: uses the host global 'setTimeout'/);
    t.regex(lines[3]!, /3 problem\(s\)/);

    const missing = spawnSync(process.execPath, [script, path.join(dir, 'nope')], { encoding: 'utf8', cwd: dir });
    t.is(missing.status, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the project's own src/ passes", (t) => {
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
});
