/**
 * Presence (RFC 3856) as a watcher, and PIDF documents (RFC 3863) with the RPID activities (RFC 4480) phones use:
 * parse what others publish, build what we publish.
 */
import type { UserAgent } from '../ua/user-agent.js';
import type { Uri } from '../uri.js';
import type { ServiceAccount } from './account.js';
import { Subscription, type Notification } from './subscription.js';
import { childOf, childText, childrenOf, escapeXml, parseXml, type XmlElement } from './xml.js';

export const PIDF_TYPE = 'application/pidf+xml';

export interface PresenceTuple {
  id: string;
  basic?: 'open' | 'closed';
  contact?: string;
  note?: string;
}

export interface Presence {
  entity: string;
  /** open when any tuple is open, closed when all that say are closed. */
  basic?: 'open' | 'closed';
  tuples: PresenceTuple[];
  notes: string[];
  /** RPID activities (local names: on-the-phone, busy, away, meeting, ...). */
  activities: string[];
}

function collectActivities(el: XmlElement, out: string[]): void {
  for (const c of el.children) {
    if (c.name === 'activities') {
      for (const a of c.children) if (a.name !== 'note' && a.name !== 'other' && !out.includes(a.name)) out.push(a.name);
      const other = childText(c, 'other');
      if (other && !out.includes(other)) out.push(other);
    } else collectActivities(c, out);
  }
}

export function parsePidf(xml: string): Presence {
  const root = parseXml(xml);
  if (root.name !== 'presence') throw new Error(`not a PIDF document: <${root.name}>`);
  const p: Presence = { entity: root.attrs['entity'] ?? '', tuples: [], notes: [], activities: [] };
  for (const t of childrenOf(root, 'tuple')) {
    const tuple: PresenceTuple = { id: t.attrs['id'] ?? '' };
    const basic = childText(childOf(t, 'status'), 'basic')?.toLowerCase();
    if (basic === 'open' || basic === 'closed') tuple.basic = basic;
    const contact = childText(t, 'contact');
    if (contact) tuple.contact = contact;
    const note = childText(t, 'note');
    if (note) tuple.note = note;
    p.tuples.push(tuple);
    if (note) p.notes.push(note);
  }
  for (const n of childrenOf(root, 'note')) if (n.text.trim()) p.notes.push(n.text.trim());
  for (const person of childrenOf(root, 'person')) {
    const note = childText(person, 'note');
    if (note) p.notes.push(note);
  }
  collectActivities(root, p.activities);
  if (p.tuples.some((t) => t.basic === 'open')) p.basic = 'open';
  else if (p.tuples.some((t) => t.basic === 'closed')) p.basic = 'closed';
  return p;
}

/** What a phone shows for a watched user. */
export type PresenceStatus = 'available' | 'on-the-phone' | 'busy' | 'away' | 'offline' | 'unknown';

export function presenceStatus(p: Presence | undefined): PresenceStatus {
  if (!p || p.basic === undefined) return 'unknown';
  if (p.basic === 'closed') return 'offline';
  const a = p.activities;
  if (a.includes('on-the-phone')) return 'on-the-phone';
  if (a.includes('busy') || a.includes('meeting') || a.includes('appointment')) return 'busy';
  if (a.includes('away') || a.includes('vacation') || a.includes('sleeping') || a.includes('meal')) return 'away';
  return 'available';
}

/** Our own state, as the phone publishes it. */
export type OwnPresence = 'available' | 'on-the-phone' | 'do-not-disturb' | 'offline';

/** A PIDF document with one tuple and, for on-the-phone / do-not-disturb, an RPID person activity. */
export function buildPidf(entity: string, state: OwnPresence, options: { tupleId?: string; contact?: string; note?: string } = {}): string {
  const basic = state === 'offline' ? 'closed' : 'open';
  const activity = state === 'on-the-phone' ? 'on-the-phone' : state === 'do-not-disturb' ? 'busy' : undefined;
  const note = options.note ?? (state === 'do-not-disturb' ? 'Do not disturb' : undefined);
  let x = '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    + `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${escapeXml(entity)}">\r\n`
    + `<tuple id="${escapeXml(options.tupleId ?? 't1')}"><status><basic>${basic}</basic></status>`;
  if (options.contact) x += `<contact>${escapeXml(options.contact)}</contact>`;
  x += '</tuple>\r\n';
  if (activity || note) {
    x += '<dm:person id="p1">';
    if (activity) x += `<rpid:activities><rpid:${activity}/></rpid:activities>`;
    if (note) x += `<dm:note>${escapeXml(note)}</dm:note>`;
    x += '</dm:person>\r\n';
  }
  if (note) x += `<note>${escapeXml(note)}</note>\r\n`;
  return x + '</presence>\r\n';
}

export interface WatcherOptions {
  target: Uri | string;
  expires?: number;
  onPresence: (status: PresenceStatus, presence: Presence | undefined) => void;
}

/** Watches one presentity. */
export class PresenceWatcher {
  readonly subscription: Subscription;
  presence: Presence | undefined;

  constructor(ua: UserAgent, account: ServiceAccount, o: WatcherOptions) {
    this.subscription = new Subscription(ua, account, {
      event: 'presence', accept: [PIDF_TYPE], target: o.target, expires: o.expires ?? 3600,
      onNotify: (n: Notification) => {
        if (n.state.state === 'terminated') this.presence = undefined;
        else if (n.body && n.contentType === PIDF_TYPE) {
          try {
            this.presence = parsePidf(n.body);
          } catch {
            return;
          }
        } else if (n.state.state === 'pending') this.presence = undefined;
        o.onPresence(presenceStatus(this.presence), this.presence);
      },
      onEnd: () => o.onPresence('unknown', undefined),
    });
    this.subscription.subscribe();
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}
