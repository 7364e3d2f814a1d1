import test from 'ava';
import { DialogInfoState, lampState, parseDialogInfo } from '../../../../src/sip/services/dialog-info.js';
import { formatMessageSummary, mwiOf, parseMessageSummary } from '../../../../src/sip/services/message-summary.js';
import { buildPidf, parsePidf, presenceStatus } from '../../../../src/sip/services/presence.js';
import { parseSipfrag } from '../../../../src/sip/services/refer.js';
import { parseXml } from '../../../../src/sip/services/xml.js';
import { dtmfOfInfo } from '../../../../src/sip/services/info.js';
import { buildRequest } from '../../../../src/sip/build.js';

test('message-summary: the RFC 3842 example and variants', (t) => {
  const s = parseMessageSummary('Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 2/8 (0/2)\r\n');
  t.true(s.waiting);
  t.is(s.account, 'sip:alice@vmail.example.com');
  t.deepEqual(s.classes['voice-message'], { new: 2, old: 8, newUrgent: 0, oldUrgent: 2 });
  t.deepEqual(mwiOf(s), { waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 0 });
  // §5.2 style body with message headers after the blank line, other classes, lower-case names, LF only.
  const s2 = parseMessageSummary('messages-waiting: NO\nfax-message: 0/1\nvoice-message: 0/3 (0/1)\n\nTo: <sip:alice@example.com>\nVoice-Message: 9/9\n');
  t.false(s2.waiting);
  t.deepEqual(s2.classes['fax-message'], { new: 0, old: 1, newUrgent: 0, oldUrgent: 0 });
  t.deepEqual(mwiOf(s2), { waiting: false, newMessages: 0, oldMessages: 3, urgentNew: 0 });
  // No Messages-Waiting line: inferred from new messages. Garbage lines skipped.
  t.true(parseMessageSummary('Voice-Message: 1/0\r\nJunk\r\nX-Foo: bar\r\n').waiting);
  t.false(parseMessageSummary('').waiting);
  const round = parseMessageSummary(formatMessageSummary(s));
  t.deepEqual(round, s);
});

const RFC4235_TRYING = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="0" state="full" entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710"
          local-tag="1928301774" direction="initiator">
    <state>trying</state>
  </dialog>
</dialog-info>`;

const RFC4235_CONFIRMED = `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="partial" entity="sip:alice@example.com">
  <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774" remote-tag="456887766" direction="initiator">
    <state>confirmed</state>
    <duration>274</duration>
    <local>
      <identity display="Alice">sip:alice@example.com</identity>
      <target uri="sip:alice@pc33.example.com"><param pname="+sip.rendering" pval="yes"/></target>
    </local>
    <remote>
      <identity display="Bob">sip:bob@example.org</identity>
      <target uri="sip:bobster@phone21.example.org"/>
    </remote>
  </dialog>
</dialog-info>`;

test('dialog-info: RFC 4235 examples parse to dialogs; lamps tell idle, ringing and busy apart', (t) => {
  const a = parseDialogInfo(RFC4235_TRYING);
  t.is(a.entity, 'sip:alice@example.com');
  t.true(a.full);
  t.is(a.version, 0);
  t.deepEqual(a.dialogs, [{ id: 'as7d900as8', state: 'trying', direction: 'initiator', callId: 'a84b4c76e66710', localTag: '1928301774' }]);
  const b = parseDialogInfo(RFC4235_CONFIRMED);
  t.false(b.full);
  t.is(b.dialogs[0]!.state, 'confirmed');
  t.deepEqual(b.dialogs[0]!.remote, { identity: 'sip:bob@example.org', display: 'Bob', target: 'sip:bobster@phone21.example.org' });
  t.is(b.dialogs[0]!.local!.target, 'sip:alice@pc33.example.com');

  const s = new DialogInfoState();
  t.is(s.lamp, 'idle');
  t.true(s.apply(a));
  t.is(s.lamp, 'busy', 'placing a call');
  t.true(s.apply(b));
  t.is(s.lamp, 'busy');
  // Prefixed namespace, early + recipient = ringing (pick-up possible).
  const ringing = parseDialogInfo(`<d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info" version="2" state="partial" entity="sip:alice@example.com">
    <d:dialog id="zxcvbnm3" call-id="x1" direction="recipient"><d:state event="x">early</d:state>
    <d:remote><d:identity display="Carol &amp; Co">sip:carol@example.com</d:identity></d:remote></d:dialog></d:dialog-info>`);
  t.true(s.apply(ringing));
  t.is(s.lamp, 'ringing');
  t.is(s.ringing!.remote!.display, 'Carol & Co');
  // A stale partial document is ignored.
  t.false(s.apply({ ...ringing, version: 1, dialogs: [] }));
  // Both calls end.
  t.true(s.apply(parseDialogInfo(`<dialog-info version="3" state="partial" entity="sip:alice@example.com">
    <dialog id="as7d900as8"><state event="remote-bye">terminated</state></dialog>
    <dialog id="zxcvbnm3"><state event="cancelled" code="487">terminated</state></dialog></dialog-info>`)));
  t.is(s.lamp, 'idle');
  // A full document with no dialogs is idle; recipient confirmed is busy; initiator early is busy.
  t.is(lampState([]), 'idle');
  t.is(lampState([{ id: '1', state: 'confirmed', direction: 'recipient' }]), 'busy');
  t.is(lampState([{ id: '1', state: 'early', direction: 'initiator' }]), 'busy');
  t.is(lampState([{ id: '1', state: 'proceeding', direction: 'recipient' }, { id: '2', state: 'confirmed' }]), 'ringing');
  t.throws(() => parseDialogInfo('<presence/>'), { message: /not a dialog-info/ });
  t.throws(() => parseDialogInfo('<dialog-info><dialog>'), { instanceOf: Error });
});

const RFC3863_EXAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf"
    xmlns:myex="http://id.example.com/presence/"
    entity="pres:someone@example.com">
  <impp:tuple id="bs35r9">
    <impp:status>
      <impp:basic>open</impp:basic>
      <myex:location>home</myex:location>
    </impp:status>
    <impp:contact priority="0.8">im:someone@mobilecarrier.net</impp:contact>
    <impp:note xml:lang="en">Don't Disturb Please!</impp:note>
    <impp:timestamp>2001-10-27T16:49:29Z</impp:timestamp>
  </impp:tuple>
  <impp:tuple id="eg92n8">
    <impp:status>
      <impp:basic>closed</impp:basic>
    </impp:status>
    <impp:contact priority="1.0">mailto:someone@example.com</impp:contact>
  </impp:tuple>
  <impp:note>I'll be in Tokyo next week</impp:note>
</impp:presence>`;

test('PIDF: the RFC 3863 example, RPID activities, and what we build parses back', (t) => {
  const p = parsePidf(RFC3863_EXAMPLE);
  t.is(p.entity, 'pres:someone@example.com');
  t.is(p.basic, 'open');
  t.deepEqual(p.tuples.map((x) => [x.id, x.basic, x.contact]), [
    ['bs35r9', 'open', 'im:someone@mobilecarrier.net'], ['eg92n8', 'closed', 'mailto:someone@example.com'],
  ]);
  t.deepEqual(p.notes, ["Don't Disturb Please!", "I'll be in Tokyo next week"]);
  t.is(presenceStatus(p), 'available');
  const rpid = parsePidf(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.com">
    <tuple id="t1"><status><basic>open</basic></status></tuple>
    <dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person></presence>`);
  t.deepEqual(rpid.activities, ['on-the-phone']);
  t.is(presenceStatus(rpid), 'on-the-phone');
  t.is(presenceStatus(parsePidf('<presence entity="x"><tuple id="a"><status><basic>closed</basic></status></tuple></presence>')), 'offline');
  t.is(presenceStatus(parsePidf('<presence entity="x"/>')), 'unknown');
  t.is(presenceStatus(parsePidf(`<presence><tuple id="a"><status><basic>open</basic></status></tuple>
    <person><activities><away/></activities></person></presence>`)), 'away');

  for (const [state, status] of [['available', 'available'], ['on-the-phone', 'on-the-phone'], ['do-not-disturb', 'busy'], ['offline', 'offline']] as const) {
    const doc = buildPidf('sip:alice@example.com', state, { contact: 'sip:alice@10.0.0.1' });
    const back = parsePidf(doc);
    t.is(back.entity, 'sip:alice@example.com');
    t.is(presenceStatus(back), status, state);
  }
  t.deepEqual(parsePidf(buildPidf('sip:a&b@x', 'do-not-disturb')).notes, ['Do not disturb', 'Do not disturb']);
  t.is(parsePidf(buildPidf('sip:a&b@x', 'available')).entity, 'sip:a&b@x');
});

test('xml reader: comments, CDATA, entities, self-closing, attributes in both quotes; errors on broken documents', (t) => {
  const r = parseXml(`<?xml version="1.0"?><!-- c --><a x='1' y="a&gt;b"><b/><!--x--><c><![CDATA[<raw>]]>&#65;&#x42;</c></a>`);
  t.is(r.name, 'a');
  t.deepEqual(r.attrs, { x: '1', y: 'a>b' });
  t.deepEqual(r.children.map((c) => c.name), ['b', 'c']);
  t.is(r.children[1]!.text, '<raw>AB');
  t.throws(() => parseXml(''), { message: /no root/ });
  t.throws(() => parseXml('<a></b>'), { message: /unexpected/ });
  t.throws(() => parseXml('<a/><b/>'), { message: /more than one root/ });
  t.throws(() => parseXml('<a'), { message: /unterminated/ });
});

test('sipfrag status lines and INFO DTMF bodies', (t) => {
  t.deepEqual(parseSipfrag('SIP/2.0 100 Trying\r\n'), { status: 100, reason: 'Trying' });
  t.deepEqual(parseSipfrag('SIP/2.0 200 OK\r\nContact: <sip:x>\r\n'), { status: 200, reason: 'OK' });
  t.deepEqual(parseSipfrag('SIP/2.0 503'), { status: 503, reason: '' });
  t.is(parseSipfrag('INVITE sip:x SIP/2.0'), undefined);
  const info = (body: string, type: string) => buildRequest({ method: 'INFO', uri: 'sip:x@y', from: '<sip:a@b>;tag=1', to: '<sip:x@y>', callId: 'c', cseq: 2, body, contentType: type });
  t.deepEqual(dtmfOfInfo(info('Signal=5\r\nDuration=250\r\n', 'application/dtmf-relay')), { digit: '5', durationMs: 250 });
  t.deepEqual(dtmfOfInfo(info('#', 'application/dtmf')), { digit: '#', durationMs: 160 });
  t.is(dtmfOfInfo(info('hello', 'text/plain')), null);
});
