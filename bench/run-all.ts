// `npm run bench`: runs every benchmark, each in its own process (the XS ones lock theirs down),
// then repeats their PASS/MISS verdicts. `run-all.js WORD` runs those whose file name contains WORD. Exits non-zero only when a benchmark itself fails to run;
// a missed target is reported, not fatal. Add new benchmarks to BENCHMARKS.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const ALL: ReadonlyArray<{ name: string; file: string }> = [
  { name: 'parser (Node)', file: 'parser.js' },
  { name: 'parser (XS)', file: 'xs-parser.js' },
  { name: 'media path (Node)', file: 'media.js' },
  { name: 'media path (XS)', file: 'media-xs.js' },
  { name: 'phone memory (XS)', file: 'memory-xs.js' },
  { name: 'call set-up (Kamailio, xsphone vs baresip)', file: 'calls.js' },
  { name: 'fleet vs SIPp (Kamailio)', file: 'fleet.js' },
];

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const filter = process.argv[2] ?? '';
const BENCHMARKS = ALL.filter((b) => b.file.includes(filter));
if (BENCHMARKS.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(2);
}
const verdicts: string[] = [];
let broken = 0;
for (const bench of BENCHMARKS) {
  console.log(`\n=== ${bench.name}: ${bench.file}\n`);
  const { code, output } = await run(bench.file);
  if (code !== 0) {
    broken++;
    verdicts.push(`FAIL  ${bench.name}: exited with ${code}`);
  }
  for (const line of output.split('\n')) if (/^(PASS|MISS) /.test(line)) verdicts.push(`${line}  [${bench.name}]`);
}
console.log('\n=== Summary\n');
for (const line of verdicts) console.log(line);
process.exitCode = broken > 0 ? 1 : 0;
