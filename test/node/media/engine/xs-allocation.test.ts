// The issue-5 allocation target as a test: the media benchmark's XS half (bench/media-xs.ts) runs the
// duplex path (SRTP, plain, and a 3-way conference through the mixer) in xsnap and must report 0 heap slots and 0 chunk bytes after warm-up.
// In a child process, since driving xsnap locks the process down.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('../../../../bench/media-xs.js', import.meta.url));

test('in XS the steady-state duplex media path allocates nothing (slots and chunk bytes)', (t) => {
  const result = spawnSync(process.execPath, [bench], { encoding: 'utf8', timeout: 180_000 });
  t.is(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  const allocation = lines.filter((l) => / allocated over /.test(l));
  t.log(allocation.join('\n'));
  t.is(allocation.length, 3, result.stdout);
  for (const line of allocation) t.regex(line, /^PASS .*: 0 heap slots, 0 chunk bytes/);
  const flows = lines.filter((l) => /audio flows both ways/.test(l));
  t.is(flows.length, 3);
  for (const line of flows) t.regex(line, /^PASS /);
});
