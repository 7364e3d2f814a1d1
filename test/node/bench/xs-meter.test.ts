// The XS benchmarks' allocation figures come from a patched xsnap worker: check that it builds and
// that its slot and chunk deltas match allocations of known size. Runs in a child process, since
// driving xsnap locks the process down.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MIX } from '../../../bench/messages.js';

const engine = fileURLToPath(new URL('../../xs/xs-engine.js', import.meta.url));
const meter = fileURLToPath(new URL('../../../bench/xsnap-meter.js', import.meta.url));

test('the chunk-reporting worker measures known allocations', (t) => {
  const script = `
    const { startXsWorker } = await import(${JSON.stringify(engine)});
    const { meteredXsnapWorker } = await import(${JSON.stringify(meter)});
    const built = meteredXsnapWorker();
    if (!built.binary) { console.log(JSON.stringify({ error: built.error })); process.exit(0); }
    const w = await startXsWorker({ binary: built.binary });
    await w.evaluate('globalThis.kept = 0; globalThis.f = [() => 0, () => { kept = new Uint8Array(1000); }, () => { kept = [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}]; }];');
    const out = [];
    for (let k = 0; k < 3; k++) {
      await w.evaluate('f[' + k + ']()');
      const b = (await w.evaluate('gc()')).meterUsage;
      const a = (await w.evaluate('f[' + k + ']()')).meterUsage;
      out.push({ slots: a.currentHeapCount - b.currentHeapCount, chunks: a.currentChunksSize - b.currentChunksSize });
    }
    await w.close();
    console.log(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  t.is(result.status, 0, result.stderr);
  const measured = JSON.parse(result.stdout.trim().split('\n').pop()!) as Array<{ slots: number; chunks: number }> | { error: string };
  if (!Array.isArray(measured)) {
    t.fail(`the chunk-reporting xsnap worker did not build: ${measured.error}`);
    return;
  }
  const [idle, buffer, objects] = measured;
  const bufferChunks = buffer!.chunks - idle!.chunks;
  t.true(bufferChunks >= 1000 && bufferChunks <= 1100, `Uint8Array(1000): ${bufferChunks} chunk bytes`);
  const objectSlots = objects!.slots - idle!.slots;
  t.true(objectSlots >= 10 && objectSlots <= 30, `ten empty objects and an array: ${objectSlots} slots`);
});

test('the benchmark mix is well-formed: Content-Length matches, the INVITE is about 900 bytes', (t) => {
  const encoder = new TextEncoder();
  for (const m of MIX) {
    const bytes = encoder.encode(m.text);
    const split = m.text.indexOf('\r\n\r\n');
    t.true(split > 0, m.name);
    const length = Number(/\r\nContent-Length: (\d+)\r\n/.exec(m.text)?.[1]);
    t.is(length, bytes.length - encoder.encode(m.text.slice(0, split + 4)).length, m.name);
  }
  const invite = encoder.encode(MIX[0]!.text).length;
  t.true(invite >= 850 && invite <= 950, `INVITE is ${invite} bytes`);
});
