import test from 'ava';
import { MediaSession, NegotiationError } from '../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import { SdpError } from '../../../src/sdp/sdp.js';
import { serializeSdp } from '../../../src/sdp/serialize.js';
import * as F from './fixtures.js';

/** Deterministic mutations of the fixtures: parsing and answering either succeed or fail with our own errors. */
test('mutated peer bodies never crash the parser or the answerer', (t) => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabet = ' =:/\r\n0123456789aAmMcCoOtTvVsSIPN.-_|;~\u00e9\u0000';
  const bodies = Object.values(F).filter((x): x is string => typeof x === 'string');
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 600; i++) {
    let text = bodies[rnd(bodies.length)];
    const edits = 1 + rnd(4);
    for (let e = 0; e < edits; e++) {
      const at = rnd(text.length);
      switch (rnd(3)) {
        case 0:
          text = text.slice(0, at) + text.slice(at + 1 + rnd(8));
          break;
        case 1:
          text = text.slice(0, at) + alphabet[rnd(alphabet.length)] + text.slice(at);
          break;
        default:
          text = text.slice(0, at) + text.slice(rnd(text.length));
      }
    }
    try {
      const sdp = parseSdp(text);
      parsed++;
      t.deepEqual(parseSdp(serializeSdp(sdp)), sdp);
      const random = { fill: (d: Uint8Array) => d.fill(7) };
      try {
        new MediaSession({ address: '192.0.2.1', port: 4000, codecs: ['PCMU', 'PCMA'], srtp: 'optional', random }).receiveOffer(sdp);
      } catch (err) {
        if (!(err instanceof NegotiationError) && !(err instanceof SdpError)) throw err;
      }
    } catch (err) {
      if (!(err instanceof SdpError)) {
        t.fail(`${String(err)} for:\n${text}`);
        return;
      }
      rejected++;
    }
  }
  t.true(parsed > 50, `parsed ${parsed}`);
  t.true(rejected > 50, `rejected ${rejected}`);
});
