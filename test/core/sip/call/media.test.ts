import test from 'ava';
import { MediaSession } from '../../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../../src/sdp/parse.js';
import { serializeSdp } from '../../../../src/sdp/serialize.js';
import { DefaultCallMedia, MediaError } from '../../../../src/sip/call/media.js';
import type { MediaType } from '../../../../src/sip/message.js';
import { SeededRandom } from '../transport/helpers.js';

const SDP: MediaType = { type: 'application', subtype: 'sdp', params: {} };
const enc = (s: string) => new TextEncoder().encode(s);
const origin = (s: string) => /o=.*/.exec(s)![0];

function peer() {
  return new MediaSession({ address: '10.0.0.2', port: 5000, codecs: ['PCMU'], random: new SeededRandom(2) });
}

test('offer, answer, start and stop reach the media callback; a refresh repeats the agreed SDP', (t) => {
  const seen: Array<string | undefined> = [];
  const m = new DefaultCallMedia({ address: '10.0.0.1', port: 4000, codecs: ['PCMU', 'PCMA'], random: new SeededRandom(1) }, (x) => seen.push(x?.codec));
  const offer = m.createOffer(false);
  t.is(offer.type, 'application/sdp');
  const answer = serializeSdp(peer().receiveOffer(parseSdp(offer.body)).answer);
  m.takeAnswer(enc(answer), SDP);
  t.is(m.current!.remotePort, 5000);
  m.start();
  m.stop();
  m.stop();
  t.deepEqual(seen, ['PCMU', undefined]);
  t.is(origin(m.refreshOffer(false).body), origin(offer.body));
});

test('a rolled-back hold offer is not repeated by a refresh', (t) => {
  const m = new DefaultCallMedia({ address: '10.0.0.1', port: 4000, codecs: ['PCMU'], random: new SeededRandom(1) });
  const offer = m.createOffer(false);
  m.takeAnswer(enc(serializeSdp(peer().receiveOffer(parseSdp(offer.body)).answer)), SDP);
  t.regex(m.createOffer(true).body, /a=sendonly/);
  m.rollback();
  const refresh = m.refreshOffer(false).body;
  t.regex(refresh, /a=sendrecv/);
});

test('refusals carry the status a UAS answers with: 488 for SDP, 415 for other bodies', (t) => {
  const m = new DefaultCallMedia({ address: '10.0.0.1', port: 4000, codecs: ['PCMA'], random: new SeededRandom(1) });
  const pcmuOnly = serializeSdp(peer().createOffer());
  const e1 = t.throws(() => m.answerOffer(enc(pcmuOnly), SDP, false), { instanceOf: MediaError });
  t.is(e1!.status, 488);
  const e2 = t.throws(() => m.answerOffer(enc('hello'), { type: 'text', subtype: 'plain', params: {} }, false), { instanceOf: MediaError });
  t.is(e2!.status, 415);
  const e3 = t.throws(() => m.answerOffer(enc('v=0\r\ngarbage'), SDP, false), { instanceOf: MediaError });
  t.is(e3!.status, 488);
});

test('an offer inside a multipart/mixed body is found and answered', (t) => {
  const m = new DefaultCallMedia({ address: '10.0.0.1', port: 4000, codecs: ['PCMU'], random: new SeededRandom(1) });
  const sdp = serializeSdp(peer().createOffer());
  const body = `--xyz\r\nContent-Type: application/isup\r\n\r\nabc\r\n--xyz\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--xyz--\r\n`;
  const answer = m.answerOffer(enc(body), { type: 'multipart', subtype: 'mixed', params: { boundary: 'xyz' } }, false);
  t.regex(answer.body, /m=audio 4000 RTP\/AVP 0/);
  t.is(m.current!.remotePort, 5000);
  const e = t.throws(() => m.answerOffer(enc('--q\r\n\r\nx\r\n--q--\r\n'), { type: 'multipart', subtype: 'mixed', params: { boundary: 'q' } }, false), { instanceOf: MediaError });
  t.is(e!.status, 415);
});
