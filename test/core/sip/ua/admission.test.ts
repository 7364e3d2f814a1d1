import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import { buildRequest } from '../../../../src/sip/build.js';
import type { SipResponse } from '../../../../src/sip/message.js';
import { sipCodec, SipTransport } from '../../../../src/sip/transport/index.js';
import { Admission } from '../../../../src/sip/ua/admission.js';
import { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { FakeInternet } from '../transport/fake-network.js';
import { SeededRandom } from '../transport/helpers.js';

async function setup() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const make = async (address: string, seed: number) => {
    const random = new SeededRandom(seed);
    const transport = await SipTransport.open({ network: internet.host(address), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
    return new UserAgent({ clock, random, crypto: new SoftCrypto(), transport, host: address });
  };
  const phone = await make('10.0.0.1', 1);
  phone.admission = new Admission(clock, { perSourceRate: 5, perSourceBurst: 10, globalRate: 20, globalBurst: 30 });
  return { clock, internet, phone, scanner: await make('10.0.0.66', 2), friend: await make('10.0.0.2', 3), registrar: await make('10.0.0.9', 4) };
}

function options(ua: UserAgent, userAgent?: string) {
  return buildRequest({
    method: 'OPTIONS', uri: 'sip:100@10.0.0.1', from: `<sip:x@${ua.host}>;tag=${ua.newTag()}`, to: '<sip:100@10.0.0.1>',
    callId: ua.newCallId(), cseq: 1, headers: userAgent ? { 'User-Agent': userAgent } : {},
  });
}

test('a scanner gets no answer at all, not even a provisional one', async (t) => {
  const { clock, internet, phone, scanner } = await setup();
  const got: SipResponse[] = [];
  scanner.send(options(scanner, 'friendly-scanner'), { onResponse: (r) => got.push(r), onFailure: () => {} });
  clock.advance(40_000);
  t.deepEqual(got, []);
  t.is(internet.datagrams.filter((d) => d.from.address === '10.0.0.1').length, 0);
  t.is(phone.admission!.dropped.scanner, 11); // the OPTIONS and each of its Timer E retransmissions
});

test('a flood from one source is cut to its rate; a well-behaved peer and the registrar still get answers', async (t) => {
  const { clock, phone, scanner, friend, registrar } = await setup();
  phone.admission!.trust('10.0.0.9');
  let answered = 0;
  for (let i = 0; i < 200; i++) scanner.send(options(scanner), { onResponse: (r) => r.status === 200 && answered++, onFailure: () => {} });
  const friendGot: number[] = [];
  const regGot: number[] = [];
  clock.advance(5);
  friend.send(options(friend), { onResponse: (r) => friendGot.push(r.status), onFailure: () => {} });
  for (let i = 0; i < 50; i++) registrar.send(options(registrar), { onResponse: (r) => regGot.push(r.status), onFailure: () => {} });
  clock.advance(100);
  t.true(answered <= 11, `${answered} flood requests answered`);
  t.true(phone.admission!.dropped.flood >= 189);
  t.deepEqual(friendGot, [200]);
  t.is(regGot.length, 50);
});
