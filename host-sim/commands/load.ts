/**
 * `xsphone load`: a fleet of simulated phones as a SIP performance-testing tool (issue 9). Progress once a second on
 * stderr, the report on stdout (and as JSON with --report). SIGINT stops cleanly and still reports; a second SIGINT
 * exits at once.
 */
import { writeFileSync } from 'node:fs';
import { Fleet, RegistrarUnreachable, type FleetProgress } from '../fleet/fleet.js';
import { formatReport } from '../fleet/metrics.js';
import { parseLoadArgs, USAGE, UsageError, type LoadCommand } from '../fleet/options.js';

function progressLine(p: FleetProgress): string {
  return `[${String(p.elapsedS).padStart(4)} s] ${p.phase.padEnd(13)} registered ${p.registered}/${p.phones}  concurrent ${p.concurrent}  attempts ${p.attempts}  answered ${p.answered}  failed ${p.failed}`;
}

export async function main(args: string[]): Promise<number> {
  let command: LoadCommand | null;
  try {
    command = parseLoadArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`xsphone load: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (command === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  const fleet = new Fleet(command.fleet);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      process.stderr.write('\nxsphone load: interrupted twice, exiting without unregistering\n');
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write('\nxsphone load: stopping (hanging up, unregistering; Ctrl-C again to quit at once)\n');
    fleet.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const tty = process.stderr.isTTY;
  const ticker = setInterval(() => process.stderr.write(tty ? `\r${progressLine(fleet.progress())}\x1b[K` : `${progressLine(fleet.progress())}\n`), 1000);
  try {
    try {
      await fleet.open();
    } catch (e) {
      if (!(e instanceof RegistrarUnreachable) && !(e instanceof Error)) throw e;
      process.stderr.write(`xsphone load: ${(e as Error).message}\n`);
      await fleet.close(false);
      return 1;
    }
    await fleet.register();
    if (fleet.metrics.registered === 0 && !fleet.stopping) {
      const report = await fleet.close(false);
      const why = Object.entries(report.registrations.failures).map(([s, n]) => `${n} x ${s}`).join(', ') || 'no answer';
      process.stderr.write(`${tty ? '\n' : ''}xsphone load: no phone registered (${why})\n`);
      process.stdout.write(`${formatReport(report)}\n`);
      if (command.reportFile) writeFileSync(command.reportFile, `${JSON.stringify(report, null, 2)}\n`);
      return 1;
    }
    if (!fleet.stopping) await fleet.call();
    const report = await fleet.close(interrupted);
    if (tty) process.stderr.write('\n');
    process.stdout.write(`${formatReport(report)}\n`);
    if (command.reportFile) writeFileSync(command.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
