/** The screen model of a small desk-phone display: a status bar, four text lines and four soft-key labels. */
import type { LampState } from './call-control.js';
import type { Phone, PhoneCall } from './phone.js';

export interface Screen {
  status: { line: string; registration: string; time: string; icons: string[] };
  lines: [string, string, string, string];
  softKeys: [string, string, string, string];
  /** The busy-lamp-field keys beside the display, in key order (blf1 ...). */
  lamps: Array<{ label: string; state: LampState }>;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function clockText(wallMs: number, offsetMinutes: number): string {
  const d = new Date(wallMs + offsetMinutes * 60_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

const REG_TEXT: Record<string, string> = { none: 'Direct', registering: 'Registering', registered: 'Registered', failed: 'Not registered' };

function callLine(call: PhoneCall, now: number): string {
  const who = call.name ? `${call.name} (${call.remote})` : call.remote;
  switch (call.phase) {
    case 'calling':
      return `Calling ${who}`;
    case 'ringback':
    case 'early-media':
      return `Ringing ${who}`;
    case 'incoming':
      return `Incoming: ${who}`;
    case 'connected':
      return `${who} ${formatDuration(now - (call.connectedAt ?? now))}${call.remoteHeld ? ' (held by other side)' : ''}`;
    case 'held':
      return `On hold: ${who} ${formatDuration(now - (call.connectedAt ?? now))}`;
  }
}

/** Renders the phone's state; `now` is the clock time, `wall` the wall time. */
export function renderScreen(phone: Phone, now: number, wall: number, utcOffsetMinutes = 0): Screen {
  const line = phone.lines[phone.line]!;
  const icons: string[] = [];
  if (phone.settings.dnd) icons.push('DND');
  if (phone.settings.forward.always) icons.push('FWD');
  if (phone.lines.some((l) => l.mwi.waiting)) icons.push(`MWI ${phone.lines.reduce((n, l) => n + l.mwi.newMessages, 0)}`);
  if (phone.focused?.muted) icons.push('MUTE');
  const status = { line: line.label, registration: REG_TEXT[line.registration]!, time: clockText(wall, utcOffsetMinutes), icons };
  const lines: [string, string, string, string] = ['', '', '', ''];
  let softKeys: [string, string, string, string] = ['Redial', 'History', phone.settings.dnd ? 'DND off' : 'DND', 'Voicemail'];

  const d = phone.dialing;
  const f = phone.focused;
  const ringing = phone.calls.find((c) => c.phase === 'incoming');
  if (d) {
    lines[0] = d.purpose === 'transfer' ? 'Transfer to:' : d.purpose === 'conference' ? 'Add to conference:' : 'Dial:';
    lines[1] = d.digits || '_';
    softKeys = d.purpose === 'transfer' ? ['Transfer', 'Delete', 'Consult', 'Cancel'] : ['Call', 'Delete', '', 'Cancel'];
  } else if (f || ringing) {
    const shown = phone.calls.filter((c) => c !== ringing).slice(0, 2);
    shown.sort((a, b) => (a.id === phone.focus ? -1 : b.id === phone.focus ? 1 : 0));
    let i = 0;
    for (const c of shown) lines[i++] = callLine(c, now);
    if (ringing) lines[i++] = callLine(ringing, now);
    if (ringing && (!f || f === ringing)) softKeys = ['Answer', 'Reject', phone.settings.forward.busy ? 'Forward' : '', ''];
    else if (ringing) softKeys = ['Answer', 'Reject', '', 'End'];
    else if (f!.phase === 'connected' || f!.phase === 'held') {
      const other = phone.calls.length > 1;
      softKeys = [f!.phase === 'held' ? 'Resume' : 'Hold', 'Transfer', other ? (f!.inConference ? 'Split' : 'Conf') : '', 'End'];
    } else softKeys = ['', '', '', 'End'];
  } else if (phone.browsing !== undefined) {
    const entries = phone.history.entries;
    if (entries.length === 0) lines[0] = 'No calls yet';
    const start = Math.max(0, Math.min(phone.browsing - 1, entries.length - 4));
    for (let i = 0; i < 4 && start + i < entries.length; i++) {
      const e = entries[start + i]!;
      const mark = start + i === phone.browsing ? '>' : ' ';
      lines[i] = `${mark}${e.kind === 'missed' ? 'Missed' : e.kind === 'received' ? 'In' : 'Out'} ${e.name ?? e.remote}${e.duration ? ` ${formatDuration(e.duration * 1000)}` : ''}`;
    }
    softKeys = ['Call', '', '', 'Back'];
  } else {
    lines[0] = line.label;
    lines[1] = line.registration === 'failed' ? 'Not registered' : 'Ready';
    const missed = phone.history.entries.filter((e) => e.kind === 'missed').length;
    if (missed) lines[2] = `${missed} missed call${missed > 1 ? 's' : ''}`;
    if (line.mwi.waiting) lines[3] = `Voicemail: ${line.mwi.newMessages} new`;
  }
  if (phone.notice) lines[3] = phone.notice;
  const lamps = phone.lamps.map((l) => ({ label: l.label, state: l.state }));
  return { status, lines, softKeys, lamps };
}
