/** The `xsphone` command line: one subcommand per job, each in host-sim/commands/. */
type Command = { describe: string; load: () => Promise<{ main(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  start: { describe: 'run phones in a web page (alice and bob by default)', load: () => import('./commands/start.js') },
  sim: { describe: 'run one headless phone, printing JSON events', load: () => import('./commands/sim.js') },
  parse: { describe: 'check captured SIP messages and print one JSON line per file', load: () => import('./commands/parse.js') },
  load: { describe: 'run a fleet of phones as a SIP load test (register, call, RTP, report)', load: () => import('./commands/load.js') },
  'ota-pack': { describe: 'build a signed firmware update (manifest + image)', load: () => import('./commands/ota-pack.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.describe}`);
  return `usage: xsphone <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`xsphone <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`xsphone: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).main(rest);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
