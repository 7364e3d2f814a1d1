/**
 * The dialog event package (RFC 4235) for busy-lamp-field keys: dialog-info+xml documents (full and partial)
 * reduced to what a lamp shows — idle, ringing (an incoming call not yet answered: pick-up possible) or busy.
 */
import type { UserAgent } from '../ua/user-agent.js';
import type { Uri } from '../uri.js';
import type { ServiceAccount } from './account.js';
import { Subscription, type Notification } from './subscription.js';
import { childOf, childrenOf, parseXml, type XmlElement } from './xml.js';

export const DIALOG_INFO_TYPE = 'application/dialog-info+xml';

export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

export interface Participant {
  identity?: string;
  display?: string;
  target?: string;
}

export interface DialogInfoDialog {
  id: string;
  state: DialogState;
  direction?: 'initiator' | 'recipient';
  callId?: string;
  localTag?: string;
  remoteTag?: string;
  /** Terminated: why (cancelled, rejected, replaced, local-bye, remote-bye, error, timeout). */
  event?: string;
  code?: number;
  local?: Participant;
  remote?: Participant;
}

export interface DialogInfo {
  entity: string;
  version: number;
  full: boolean;
  dialogs: DialogInfoDialog[];
}

const STATES: ReadonlySet<string> = new Set(['trying', 'proceeding', 'early', 'confirmed', 'terminated']);

function participant(el: XmlElement | undefined): Participant | undefined {
  if (!el) return undefined;
  const p: Participant = {};
  const id = childOf(el, 'identity');
  const identity = id?.text.trim();
  if (identity) p.identity = identity;
  if (id?.attrs['display']) p.display = id.attrs['display'];
  const target = childOf(el, 'target')?.attrs['uri'];
  if (target) p.target = target;
  return p;
}

/** Parses a dialog-info document; throws Error when it is not one. */
export function parseDialogInfo(xml: string): DialogInfo {
  const root = parseXml(xml);
  if (root.name !== 'dialog-info') throw new Error(`not a dialog-info document: <${root.name}>`);
  const info: DialogInfo = {
    entity: root.attrs['entity'] ?? '',
    version: Number(root.attrs['version'] ?? 0) || 0,
    full: (root.attrs['state'] ?? 'full') !== 'partial',
    dialogs: [],
  };
  for (const d of childrenOf(root, 'dialog')) {
    const stateEl = childOf(d, 'state');
    const state = stateEl?.text.trim().toLowerCase() ?? '';
    if (!STATES.has(state)) continue;
    const out: DialogInfoDialog = { id: d.attrs['id'] ?? '', state: state as DialogState };
    const dir = d.attrs['direction'];
    if (dir === 'initiator' || dir === 'recipient') out.direction = dir;
    if (d.attrs['call-id']) out.callId = d.attrs['call-id'];
    if (d.attrs['local-tag']) out.localTag = d.attrs['local-tag'];
    if (d.attrs['remote-tag']) out.remoteTag = d.attrs['remote-tag'];
    if (stateEl?.attrs['event']) out.event = stateEl.attrs['event'];
    if (stateEl?.attrs['code']) out.code = Number(stateEl.attrs['code']);
    const local = participant(childOf(d, 'local'));
    const remote = participant(childOf(d, 'remote'));
    if (local) out.local = local;
    if (remote) out.remote = remote;
    info.dialogs.push(out);
  }
  return info;
}

export type LampState = 'idle' | 'ringing' | 'busy';

/**
 * The lamp for a set of dialogs: ringing when any incoming dialog is not yet answered (early/proceeding/trying as
 * recipient), else busy when any dialog is under way (confirmed, or an outgoing call being set up), else idle.
 */
export function lampState(dialogs: readonly DialogInfoDialog[]): LampState {
  let busy = false;
  for (const d of dialogs) {
    if (d.state === 'terminated') continue;
    if (d.state !== 'confirmed' && d.direction === 'recipient') return 'ringing';
    busy = true;
  }
  return busy ? 'busy' : 'idle';
}

/** Keeps one entity's dialogs across full and partial documents (RFC 4235 §4.1: versions, partial merges). */
export class DialogInfoState {
  #version = -1;
  readonly #dialogs = new Map<string, DialogInfoDialog>();
  entity = '';

  /** Applies a document; false when it is stale (an older version) and was ignored. */
  apply(info: DialogInfo): boolean {
    if (info.version <= this.#version && this.#version >= 0 && !info.full) return false;
    this.#version = info.version;
    this.entity = info.entity;
    if (info.full) this.#dialogs.clear();
    for (const d of info.dialogs) {
      if (d.state === 'terminated') this.#dialogs.delete(d.id);
      else this.#dialogs.set(d.id, d);
    }
    return true;
  }

  get dialogs(): DialogInfoDialog[] {
    return [...this.#dialogs.values()];
  }

  get lamp(): LampState {
    return lampState(this.dialogs);
  }

  /** The incoming call ringing there (for directed pick-up), if any. */
  get ringing(): DialogInfoDialog | undefined {
    return this.dialogs.find((d) => d.state !== 'confirmed' && d.direction === 'recipient');
  }

  reset(): void {
    this.#version = -1;
    this.#dialogs.clear();
  }
}

export interface BlfOptions {
  target: Uri | string;
  expires?: number;
  onLamp: (lamp: LampState, state: DialogInfoState) => void;
}

/** One busy-lamp-field key: a dialog subscription to a colleague. */
export class BusyLamp {
  readonly subscription: Subscription;
  readonly state = new DialogInfoState();
  #lamp: LampState | undefined;
  readonly #o: BlfOptions;

  constructor(ua: UserAgent, account: ServiceAccount, options: BlfOptions) {
    this.#o = options;
    this.subscription = new Subscription(ua, account, {
      event: 'dialog', accept: [DIALOG_INFO_TYPE], target: options.target, expires: options.expires ?? 600,
      onNotify: (n) => this.#notified(n),
      onEnd: () => this.#set('idle'),
    });
    this.subscription.subscribe();
  }

  get lamp(): LampState {
    return this.#lamp ?? 'idle';
  }

  #notified(n: Notification): void {
    if (n.body && n.contentType === DIALOG_INFO_TYPE) {
      try {
        this.state.apply(parseDialogInfo(n.body));
      } catch {
        return; // a document we cannot read changes nothing
      }
    }
    this.#set(n.state.state === 'terminated' ? 'idle' : this.state.lamp);
  }

  #set(lamp: LampState): void {
    if (lamp === this.#lamp) return;
    this.#lamp = lamp;
    this.#o.onLamp(lamp, this.state);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}
