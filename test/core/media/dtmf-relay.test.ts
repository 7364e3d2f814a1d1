import test from 'ava';
import { formatDtmfRelay, parseDtmfBody } from '../../../src/media/dtmf-relay.js';

test('formats application/dtmf-relay', (t) => {
  t.is(formatDtmfRelay('5', 100), 'Signal=5\r\nDuration=100\r\n');
  t.is(formatDtmfRelay('#'), 'Signal=#\r\nDuration=160\r\n');
  t.is(formatDtmfRelay('a', 250), 'Signal=A\r\nDuration=250\r\n');
  t.throws(() => formatDtmfRelay('x'), { instanceOf: RangeError });
});

test('parses dtmf-relay and dtmf bodies', (t) => {
  t.deepEqual(parseDtmfBody('application/dtmf-relay', 'Signal=5\r\nDuration=100\r\n'), { digit: '5', durationMs: 100 });
  t.deepEqual(parseDtmfBody('Application/DTMF-Relay; charset=x', 'signal= *\nduration=250'), { digit: '*', durationMs: 250 });
  t.deepEqual(parseDtmfBody('application/dtmf-relay', 'Signal=11\r\n'), { digit: '#', durationMs: 160 });
  t.deepEqual(parseDtmfBody('application/dtmf', '7\r\n'), { digit: '7', durationMs: 160 });
  t.is(parseDtmfBody('application/dtmf-relay', 'Signal=16\r\nDuration=100'), null);
  t.is(parseDtmfBody('application/dtmf-relay', 'Duration=100'), null);
  t.is(parseDtmfBody('text/plain', 'Signal=5'), null);
  t.is(parseDtmfBody('application/dtmf', '55'), null);
});
