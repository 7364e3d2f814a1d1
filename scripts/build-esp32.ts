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

/** The generated project manifest (paths relative to its folder, where js/ is). */
export function projectManifest(jsRoot: string, folders: string[]): { include: string[]; modules: Record<string, string>; preload: string[] } {
  const modules: Record<string, string> = {};
  const preload: string[] = [];
  for (const f of folders) {
    modules[`${f}/*`] = `./js/${f}/*`;
    // main runs the phone when it is loaded; everything else only defines things and goes to flash.
    if (f !== 'hal/esp32') preload.push(`${f}/*`);
  }
  const esp32 = path.join(jsRoot, 'hal', 'esp32');
  if (fs.existsSync(esp32))
    for (const name of fs.readdirSync(esp32).sort())
      if (name.endsWith('.js') && name !== 'main.js') preload.push(`hal/esp32/${name.slice(0, -3)}`);
  return { include: [path.join(ROOT, 'manifest.json')], modules, preload };
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
  fs.writeFileSync(manifest, JSON.stringify(projectManifest(JS, folders), null, 2) + '\n');
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
