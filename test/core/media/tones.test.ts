import test from 'ava';
import { RING_TONES, TONE_PLANS, ToneGenerator, type Country, type ToneName } from '../../../src/media/tones.js';
import { goertzelCoefficient, goertzelPower } from '../../../src/media/dtmf.js';

function render(g: ToneGenerator, ms: number): Int16Array {
  const out = new Int16Array((ms / 20) * 160);
  for (let o = 0; o < out.length; o += 160) t_fill(g, out, o);
  return out;
}
function t_fill(g: ToneGenerator, out: Int16Array, o: number): void {
  if (!g.fill(out, o, 160)) throw new Error('generator idle');
}

function power(pcm: Int16Array, hz: number, from = 0, n = pcm.length): number {
  return goertzelPower(pcm, from, n, goertzelCoefficient(hz));
}

function zeroCrossings(pcm: Int16Array, from: number, n: number): number {
  let c = 0;
  for (let i = from + 1; i < from + n; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) c++;
  return c;
}

/** Per-20 ms frame: is there sound (more than a quarter of the loudest frame's energy)? */
function onOff(pcm: Int16Array): string {
  const energies: number[] = [];
  for (let o = 0; o < pcm.length; o += 160) {
    let e = 0;
    for (let i = o; i < o + 160; i++) e += pcm[i]! * pcm[i]!;
    energies.push(e);
  }
  const max = Math.max(...energies);
  return energies.map((e) => (max > 0 && e > max / 4 ? '1' : '0')).join('');
}

test('every country has every tone, in the voice band', (t) => {
  const names: ToneName[] = ['dial', 'ringback', 'busy', 'congestion', 'call-waiting', 'ring'];
  for (const country of Object.keys(TONE_PLANS) as Country[]) {
    for (const name of names) {
      const p = TONE_PLANS[country][name];
      t.truthy(p, `${country} ${name}`);
      t.true(p.segments.length >= 1);
      for (const [f1, f2, ms] of p.segments) {
        t.true(f1 === 0 || (f1 >= 300 && f1 <= 650), `${country} ${name} ${f1}`);
        t.true(f2 === 0 || (f2 >= 300 && f2 <= 650));
        t.true(ms > 0);
      }
    }
  }
  t.true(Object.isFrozen(TONE_PLANS.US.busy.segments));
});

test('US dial tone is 350 + 440 Hz, continuous', (t) => {
  const g = new ToneGenerator('US');
  g.play('dial');
  const pcm = render(g, 2000);
  t.is(onOff(pcm), '1'.repeat(100));
  // over 0.2 s (5 Hz resolution)
  const wanted = Math.min(power(pcm, 350, 800, 1600), power(pcm, 440, 800, 1600));
  for (const other of [400, 425, 480, 620]) t.true(power(pcm, other, 800, 1600) * 50 < wanted, `${other} Hz`);
});

test('German dial tone is 425 Hz (zero crossings)', (t) => {
  const g = new ToneGenerator('DE');
  g.play('dial');
  const pcm = render(g, 1000);
  // 425 Hz: 850 crossings per second; count over the last 0.9 s
  const c = zeroCrossings(pcm, 800, 7200);
  t.true(Math.abs(c - 765) <= 2, `crossings ${c}`);
});

test('cadences: US busy, UK ringback, DE congestion, FR ringback', (t) => {
  const cases: Array<[Country, ToneName, number, string]> = [
    ['US', 'busy', 2000, ('1'.repeat(25) + '0'.repeat(25)).repeat(2)],
    ['UK', 'ringback', 3000, '1'.repeat(20) + '0'.repeat(10) + '1'.repeat(20) + '0'.repeat(100)],
    ['DE', 'congestion', 960, ('1'.repeat(12) + '0'.repeat(12)).repeat(2)],
    ['FR', 'ringback', 5000, '1'.repeat(75) + '0'.repeat(175)],
  ];
  for (const [country, name, ms, expected] of cases) {
    const g = new ToneGenerator(country);
    g.play(name);
    t.is(onOff(render(g, ms)), expected, `${country} ${name}`);
  }
});

test('UK busy is a single 400 Hz tone; French busy 440 Hz', (t) => {
  const uk = new ToneGenerator('UK');
  uk.play('busy');
  const a = render(uk, 360);
  t.true(power(a, 400, 0, 2400) > 100 * power(a, 480, 0, 2400));
  const fr = new ToneGenerator('FR');
  fr.play('busy');
  const b = render(fr, 480);
  t.true(power(b, 440, 0, 3200) > 100 * power(b, 400, 0, 3200));
});

test('ring uses the chosen ring tone, else the country cadence', (t) => {
  const g = new ToneGenerator('DE');
  g.play('ring');
  t.is(g.pattern, TONE_PLANS.DE.ring);
  g.setRingTone('chirp');
  g.stop();
  g.play('ring');
  t.is(g.pattern, RING_TONES.chirp);
  const pcm = render(g, 1960);
  const pattern = onOff(pcm);
  t.true(pattern.startsWith('1'.repeat(24)), pattern);
  t.true(pattern.includes('0'.repeat(70)));
  for (const name of Object.keys(RING_TONES)) {
    g.setRingTone(name);
    g.stop();
    g.play('ring');
    const p = onOff(render(g, 6000));
    t.true(p.includes('1') && p.includes('0'), name);
  }
});

test('playing the same tone continues it; stop leaves the frame alone', (t) => {
  const g = new ToneGenerator('US');
  g.play('busy');
  render(g, 400);
  g.play('busy');
  t.is(onOff(render(g, 200)), '1'.repeat(5) + '0'.repeat(5));
  g.play(null);
  const frame = new Int16Array(160).fill(3);
  t.false(g.fill(frame, 0, 160));
  t.true(frame.every((v) => v === 3));
});

test('no clicks: on/off edges are ramped', (t) => {
  const g = new ToneGenerator('US');
  g.play('congestion');
  const pcm = render(g, 1000);
  // the largest step between samples of a 480 + 620 Hz pair at this level stays below the sine slope bound
  let worst = 0;
  for (let i = 1; i < pcm.length; i++) worst = Math.max(worst, Math.abs(pcm[i]! - pcm[i - 1]!));
  let peak = 0;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  const slope = (peak / 2) * 2 * Math.PI * (480 + 620) / 8000;
  t.true(worst <= slope * 1.05, `step ${worst} vs ${slope}`);
});
