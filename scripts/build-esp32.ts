// `npm run build:esp32`: compiles the TypeScript for the device (tsconfig.esp32.json into build/xsphone/js),
// writes build/xsphone/manifest.json (includes ./manifest.json and adds one `modules` and one `preload` entry
// per compiled folder, each named as its folder so the sources' relative `./x.js` imports resolve in XS:
// XS drops the .js and resolves against the importing module's name), and runs mcconfig on it for ESP32.
// It never passes -m: the generated makefile's `all` target runs `pkill` by process name, which must not
// happen on a shared machine; the command to build and flash is printed instead.
// Without $MODDABLE (or mcconfig on PATH) it stops with exit code 2 and says what to install.
// Usage: node dist/scripts/build-esp32.js [--debug] [--target esp32/SUBPLATFORM] [--out DIR] [--skip-tsc]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_OUT = path.join(ROOT, 'build', 'xsphone');
const MAIN = 'hal/esp32/main';

export const MISSING_SDK = `build:esp32 needs the Moddable SDK and ESP-IDF, which are not set up here.
  1. Install the Moddable SDK (https://github.com/Moddable-OpenSource/moddable, see
     documentation/Moddable SDK - Getting Started.md) and build its tools.
  2. export MODDABLE=/path/to/moddable and add $MODDABLE/build/bin/lin/release to PATH (for mcconfig).
  3. Install ESP-IDF as that guide's ESP32 section says and run \`source $IDF_PATH/export.sh\`.
Nothing was built. The simulator needs none of this: npx xsphone --help
`;

/** Module folders of the device build: every compiled folder under src/ and hal/ except host-only ones. */
export function deviceFolders(jsRoot: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const dir = path.join(jsRoot, rel);
    if (!fs.existsSync(dir)) return;
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.js'))) out.push(rel);
    for (const e of entries) if (e.isDirectory()) walk(path.posix.join(rel, e.name));
  };
  walk('src');
  walk('hal');
  return out.filter((d) => !/^hal\/(host|virtual)(\/|$)/.test(d)).sort();
}

/**
 * Module-level code that cannot be preloaded (run on the build machine inside xsl, kept in flash): host
 * objects such as `new TextDecoder()` (the device installs TextEncoder/TextDecoder natively when it
 * starts, so preloading reports "get TextDecoder: undefined variable"), and arrays of BigInts (xsl
 * crashes). Found by running the SDK's xsl on this project. A module doing that, and every module that
 * imports it directly or indirectly, is left out of the preload list (loaded into RAM at run time instead).
 */
const NOT_PRELOADABLE: Array<[RegExp, string]> = [
  [/^(?:export\s+)?(?:const|let|var)\s+[\w$]+\s*=\s*new\s+(?:TextDecoder|TextEncoder)\b/m, 'creates a TextEncoder/TextDecoder at module level'],
  // Found by running the SDK's xsl: an array holding BigInts in a preloaded module crashes it
  // (`const IDENTITY = [0n, 1n, 1n, 0n]` alone is enough; BigInts in plain constants or objects are fine).
  [/^(?:export\s+)?(?:const|let|var)\s+[\w$]+\s*=\s*\[[^\n]*\b\d+n\b/m, 'keeps BigInts in a module-level array (crashes xsl when preloaded)'],
];
const IMPORT = /^\s*(?:import|export)\b[^'"]*?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Modules (by name, e.g. "src/sip/transport/via") that cannot be preloaded, with the reason. */
export function unpreloadable(jsRoot: string, names: string[]): Map<string, string> {
  const imports = new Map<string, string[]>();
  const out = new Map<string, string>();
  for (const name of names) {
    const text = fs.readFileSync(path.join(jsRoot, `${name}.js`), 'utf8');
    const hit = NOT_PRELOADABLE.find(([re]) => re.test(text));
    if (hit) out.set(name, hit[1]);
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) deps.push(path.posix.join(path.posix.dirname(name), m[1]).replace(/\.js$/, ''));
    imports.set(name, deps);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, deps] of imports) {
      if (out.has(name)) continue;
      const bad = deps.find((d) => out.has(d));
      if (bad) {
        out.set(name, `imports ${bad}`);
        changed = true;
      }
    }
  }
  return out;
}

/** The generated project manifest (paths relative to its folder, where js/ is). */
export function projectManifest(
  jsRoot: string,
  folders: string[],
): { include: string[]; modules: Record<string, string>; preload: string[]; notPreloaded: Record<string, string> } {
  const modules: Record<string, string> = {};
  const names: string[] = [];
  for (const f of folders) {
    modules[`${f}/*`] = `./js/${f}/*`;
    for (const file of fs.readdirSync(path.join(jsRoot, f)).sort()) if (file.endsWith('.js')) names.push(`${f}/${file.slice(0, -3)}`);
  }
  const skip = unpreloadable(jsRoot, names);
  // main starts the phone when it runs: never preloaded.
  skip.set(MAIN, 'the boot module (runs the phone when loaded)');
  // Each module by name: a "hal/*" pattern would also match hal/esp32/main.
  const preload = names.filter((n) => !skip.has(n));
  return { include: [path.join(ROOT, 'manifest.json')], modules, preload, notPreloaded: Object.fromEntries([...skip].sort()) };
}

function run(cmd: string, args: string[], cwd = ROOT): number {
  process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(`${cmd}: ${r.error.message}\n`);
    return 127;
  }
  return r.status ?? 1;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

export function main(argv: string[]): number {
  const debug = argv.includes('--debug');
  const skipTsc = argv.includes('--skip-tsc');
  const t = argv.indexOf('--target');
  const target = t >= 0 ? argv[t + 1] : 'esp32';
  const o = argv.indexOf('--out');
  const OUT = o >= 0 && argv[o + 1] ? path.resolve(argv[o + 1]) : DEFAULT_OUT;
  const JS = path.join(OUT, 'js');
  if (!target || !/^esp32(\/[\w-]+)?$/.test(target)) {
    process.stderr.write(`build:esp32: --target must be esp32 or esp32/SUBPLATFORM, not ${target}\n`);
    return 2;
  }
  if (!process.env.MODDABLE) {
    process.stderr.write(`build:esp32: $MODDABLE is not set.\n${MISSING_SDK}`);
    return 2;
  }
  if (!fs.existsSync(process.env.MODDABLE)) {
    process.stderr.write(`build:esp32: $MODDABLE is ${process.env.MODDABLE}, which does not exist.\n${MISSING_SDK}`);
    return 2;
  }
  if (!onPath('mcconfig')) {
    process.stderr.write(`build:esp32: mcconfig is not on PATH.\n${MISSING_SDK}`);
    return 2;
  }
  if (!skipTsc) {
    fs.rmSync(JS, { recursive: true, force: true });
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const code = run(process.execPath, [tsc, '-p', 'tsconfig.esp32.json', '--noEmit', 'false', '--outDir', JS]);
    if (code !== 0) {
      process.stderr.write('build:esp32: the TypeScript does not compile for the device (see above)\n');
      return 1;
    }
  }
  const folders = deviceFolders(JS);
  if (!folders.includes('hal/esp32')) {
    process.stderr.write(`build:esp32: no compiled device code in ${JS}\n`);
    return 1;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const manifest = path.join(OUT, 'manifest.json');
  const project = projectManifest(JS, folders);
  fs.writeFileSync(manifest, JSON.stringify(project, null, 2) + '\n');
  const left = Object.keys(project.notPreloaded).length - 1;
  if (left > 0)
    process.stdout.write(`note: ${left} module(s) stay in RAM instead of flash (see "notPreloaded" in ${manifest}):\n${Object.entries(project.notPreloaded).filter(([n]) => n !== MAIN).map(([n, why]) => `  ${n}: ${why}`).join('\n')}\n`);
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const args = [...(debug ? ['-d'] : []), '-p', target, '-o', OUT, '-t', 'build', manifest, `version=${version}`];
  const code = run('mcconfig', args);
  if (code !== 0) {
    process.stderr.write(`build:esp32: mcconfig failed (exit ${code})\n`);
    return 1;
  }
  const makefile = findMakefile(path.join(OUT, 'tmp'));
  process.stdout.write(
    makefile
      ? `\nmcconfig wrote ${makefile}.\nBuild the firmware:  make -f ${makefile} build   (the OTA image is xs_esp32.bin in the bin folder it prints)\nFlash it:            make -f ${makefile} deploy  (stops serial2xsbug by name: not on a shared machine)\n`
      : `\nmcconfig finished; its makefile is under ${path.join(OUT, 'tmp')}\n`,
  );
  return 0;
}

function findMakefile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name === 'makefile') return path.join(e.parentPath, e.name);
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
