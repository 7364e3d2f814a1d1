#!/usr/bin/env node
// Entry point of the `xsphone` command: runs the compiled simulator CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/host-sim/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('xsphone: not built yet; run `npm run build` in the xsphone folder first.\n');
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
