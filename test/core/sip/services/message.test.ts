import test from 'ava';
import { Messaging, type IncomingMessage, type MessageOutcome } from '../../../../src/sip/services/message.js';
import { buildRequest } from '../../../../src/sip/build.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message.js';
import { formatUri } from '../../../../src/sip/uri.js';
import { credentials, digestGate, pair } from './harness.js';

test('MESSAGE both ways: text delivered with sender, 200 reported as delivered', async (t) => {
  const { alice, bob, aliceAccount, bobAccount, run } = await pair();
  const atBob: IncomingMessage[] = [];
  const atAlice: IncomingMessage[] = [];
  const aliceMsg = new Messaging(alice, aliceAccount, { onMessage: (m) => atAlice.push(m) });
  const bobMsg = new Messaging(bob, bobAccount, { onMessage: (m) => atBob.push(m) });
  const outcomes: MessageOutcome[] = [];
  aliceMsg.send('sip:bob@10.0.0.2', 'Hello Bob — ünïcode ✓', (o) => outcomes.push(o));
  await run();
  t.deepEqual(outcomes, [{ delivered: true, status: 200 }]);
  t.is(atBob.length, 1);
  t.is(atBob[0]!.text, 'Hello Bob — ünïcode ✓');
  t.is(atBob[0]!.fromText, 'Alice');
  t.is(atBob[0]!.request.header('Content-Type'), 'text/plain;charset=UTF-8');
  bobMsg.send('alice@10.0.0.1', 'hi back', (o) => outcomes.push(o));
  await run();
  aliceMsg.send('bob', 'by user name at our domain', (o) => outcomes.push(o));
  aliceMsg.send('<not a uri>', 'x', (o) => outcomes.push(o));
  await run();
  // A bare user goes to our own domain (here alice's host, standing in for her proxy).
  t.is(atAlice[1]!.text, 'by user name at our domain');
  t.is(formatUri(atAlice[1]!.request.uri), 'sip:bob@10.0.0.1');
  t.is(atAlice[0]!.text, 'hi back');
  t.is(atAlice[0]!.fromText, 'sip:bob@10.0.0.2');
  t.is(outcomes.length, 4);
  t.deepEqual(outcomes[2], { delivered: false, status: 400, reason: 'Bad Address' }, 'reported at once');
  t.deepEqual(outcomes[3], { delivered: true, status: 200 });
});

test('MESSAGE answers a 401 with digest credentials; 404 is reported as failed with status and reason', async (t) => {
  const { alice, bob, clock, crypto, aliceAccount, run } = await pair();
  const gate = digestGate(bob, clock, crypto, { alice: 'secret' });
  const seen: SipRequest[] = [];
  const texts: string[] = [];
  bob.handle('MESSAGE', (req, tx) => {
    seen.push(req);
    if (!gate(req, tx)) return;
    if (formatUri(req.uri).startsWith('sip:nobody@')) return void bob.respond(tx, req, 404, 'No Such User');
    texts.push(new TextDecoder().decode(req.body));
    bob.respond(tx, req, 202);
  });
  const m = new Messaging(alice, { ...aliceAccount, credentials: credentials(crypto, 'alice', 'secret') });
  const outcomes: MessageOutcome[] = [];
  m.send('sip:bob@10.0.0.2', 'with auth', (o) => outcomes.push(o));
  await run(50);
  t.deepEqual(outcomes, [{ delivered: true, status: 202 }]);
  t.is(seen.length, 2);
  t.falsy(seen[0]!.header('Authorization'));
  t.truthy(seen[1]!.header('Authorization'));
  t.is(seen[1]!.cseq.seq, seen[0]!.cseq.seq + 1);
  t.deepEqual(texts, ['with auth']);
  m.send('sip:nobody@10.0.0.2', 'lost', (o) => outcomes.push(o));
  await run(50);
  t.deepEqual(outcomes[1], { delivered: false, status: 404, reason: 'No Such User' });

  // Wrong password: the second 401 is the outcome, not a loop.
  const wrong = new Messaging(alice, { ...aliceAccount, credentials: credentials(crypto, 'alice', 'nope') });
  seen.length = 0;
  wrong.send('sip:bob@10.0.0.2', 'x', (o) => outcomes.push(o));
  await run(50);
  t.is(outcomes[2]!.status, 401);
  t.false(outcomes[2]!.delivered);
  t.is(seen.length, 2);
});

test('MESSAGE with a body type we cannot show gets 415 with Accept; no response at all is a 408 failure', async (t) => {
  const { alice, bob, bobAccount, aliceAccount, internet, run } = await pair();
  const got: IncomingMessage[] = [];
  new Messaging(bob, bobAccount, { onMessage: (m) => got.push(m) });
  new Messaging(bob, { aor: bobAccount.aor }); // a sender only: does not take MESSAGE away from the receiver
  const responses: SipResponse[] = [];
  const req = buildRequest({
    method: 'MESSAGE', uri: 'sip:bob@10.0.0.2', from: `<sip:alice@10.0.0.1>;tag=${alice.newTag()}`, to: '<sip:bob@10.0.0.2>',
    callId: alice.newCallId(), cseq: 1, body: '<html>hi</html>', contentType: 'text/html',
  });
  alice.send(req, { onResponse: (r) => responses.push(r), onFailure: () => t.fail() });
  await run();
  t.is(responses[0]!.status, 415);
  t.is(responses[0]!.header('Accept'), 'text/plain');
  t.is(got.length, 0);

  const m = new Messaging(alice, aliceAccount);
  internet.drop = (d) => d.to.address === '10.0.0.2';
  const outcomes: MessageOutcome[] = [];
  m.send('sip:bob@10.0.0.2', 'into the void', (o) => outcomes.push(o));
  await run(40_000);
  t.is(outcomes.length, 1);
  t.false(outcomes[0]!.delivered);
  t.deepEqual(outcomes[0], { delivered: false, status: 408, reason: 'Request Timeout' });
});
