/**
 * REFER's event plumbing against SIPp (test/interop/sipp/refer-uac.xml): an out-of-dialog REFER (click-to-dial)
 * answered 202, then NOTIFYs with message/sipfrag 100 / 180 / 200 ending the implicit subscription.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { handleOutOfDialogRefers, type ReferRequest } from '../../src/sip/services/refer.js';
import { formatUri } from '../../src/sip/uri.js';
import { closeUserAgent, hostUserAgent } from './host-ua.js';

const SCENARIOS = fileURLToPath(new URL('../../../test/interop/sipp/', import.meta.url));
const trace = process.env['SIPP_TRACE'] ? ['-trace_msg', '-trace_err'] : [];

test('out-of-dialog REFER from SIPp: 202, NOTIFY sipfrag 100 Trying, 180 Ringing, 200 OK with terminated', async (t) => {
  const ua = await hostUserAgent();
  try {
    const refers: ReferRequest[] = [];
    handleOutOfDialogRefers(ua, 'phone', (r, source) => {
      t.is(source.address, '127.0.0.1');
      refers.push(r);
      setTimeout(() => r.report(180, 'Ringing'), 100);
      setTimeout(() => r.report(200, 'OK'), 300);
    });
    const port = ua.transport.localPort('UDP')!;
    const child = spawn('sipp', ['-sf', `${SCENARIOS}refer-uac.xml`, '-s', 'phone', '-i', '127.0.0.1', '-p', '15197', '-m', '1',
      '-timeout', '15s', '-timeout_error', '-nostdin', ...trace, `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
    let output = '';
    child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(kill);
    t.is(code, 0, output.slice(-2000));
    t.is(refers.length, 1);
    t.is(formatUri(refers[0]!.target), 'sip:carol@127.0.0.1:5070');
    t.is(formatUri(refers[0]!.referredBy!.uri), 'sip:pbx@127.0.0.1:15197');
  } finally {
    closeUserAgent(ua);
  }
});
