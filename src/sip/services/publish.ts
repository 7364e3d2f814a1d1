/**
 * Event state publication (RFC 3903): the phone's own presence sent to the presence server. The entity-tag the
 * server returns is kept; refreshes carry SIP-If-Match and no body before the publication expires; a 412 (the
 * server lost it) starts a fresh one with the full body; removal is Expires: 0.
 */
import type { TimerHandle } from '../../../hal/clock.js';
import type { HeaderInit } from '../build.js';
import { formatUri, type Uri } from '../uri.js';
import type { SipResponse } from '../message.js';
import { refreshDelayMs } from '../ua/registration.js';
import type { UserAgent } from '../ua/user-agent.js';
import { outOfDialogRequest, sendOptions, typed, type ServiceAccount } from './account.js';
import { buildPidf, PIDF_TYPE, type OwnPresence } from './presence.js';

export type PublicationState =
  | { state: 'idle' }
  | { state: 'publishing' }
  | { state: 'published'; etag: string; expires: number }
  | { state: 'failed'; status: number; reason: string }
  | { state: 'removed' };

export interface PublicationOptions {
  event: string;
  contentType: string;
  expires?: number;
  /** Request-URI when not our own AOR (RFC 3903 publishes to the AOR; some servers want their own URI). */
  target?: Uri | string;
  /** Delay before trying again after a failure. Default 60 s. */
  retryMs?: number;
  onState?: (s: PublicationState) => void;
}

type Job = { kind: 'initial' | 'modify'; body: string } | { kind: 'refresh' } | { kind: 'remove' };

export class Publication {
  readonly #ua: UserAgent;
  readonly #account: ServiceAccount;
  readonly #o: PublicationOptions;
  readonly #callId: string;
  readonly #fromTag: string;
  #cseq = 0;
  #expires: number;
  #etag: string | undefined;
  #body: string | undefined;
  #busy = false;
  #next: Job | undefined;
  #timer: TimerHandle | undefined;
  #recovering = false;
  state: PublicationState = { state: 'idle' };

  constructor(ua: UserAgent, account: ServiceAccount, options: PublicationOptions) {
    this.#ua = ua;
    this.#account = account;
    this.#o = options;
    this.#expires = options.expires ?? 3600;
    this.#callId = ua.newCallId();
    this.#fromTag = ua.newTag();
  }

  get etag(): string | undefined {
    return this.#etag;
  }

  /** Publishes a new state (initial, or a modification of the one the server holds). */
  publish(body: string): void {
    this.#body = body;
    this.#run({ kind: this.#etag ? 'modify' : 'initial', body });
  }

  /** Removes the published state (Expires: 0); nothing to do when none is held. */
  remove(): void {
    this.#body = undefined;
    this.#clearTimer();
    if (!this.#etag && !this.#busy) return this.#set({ state: 'removed' });
    this.#run({ kind: 'remove' });
  }

  #run(job: Job): void {
    if (this.#busy) {
      this.#next = job; // the latest wish wins; it goes out when the current one is answered
      return;
    }
    this.#clearTimer();
    if (job.kind !== 'initial' && !this.#etag) {
      if (job.kind === 'remove') return this.#set({ state: 'removed' });
      if (job.kind === 'refresh') return this.#body !== undefined ? this.#run({ kind: 'initial', body: this.#body }) : undefined;
      job = { kind: 'initial', body: job.body };
    }
    const headers: Array<[string, string]> = [['Event', this.#o.event], ['Expires', String(job.kind === 'remove' ? 0 : this.#expires)]];
    if (job.kind !== 'initial') headers.push(['SIP-If-Match', this.#etag!]);
    const body = job.kind === 'initial' || job.kind === 'modify' ? job.body : undefined;
    const req = outOfDialogRequest(this.#ua, this.#account, {
      method: 'PUBLISH', target: this.#o.target ?? this.#account.aor, callId: this.#callId, fromTag: this.#fromTag, cseq: ++this.#cseq,
      headers: headers as HeaderInit, ...(body !== undefined ? { body, contentType: this.#o.contentType } : {}),
    });
    this.#busy = true;
    if (job.kind !== 'remove') this.#set({ state: 'publishing' });
    this.#ua.send(req, {
      onResponse: (r, out) => {
        if (r.status < 200) return;
        this.#cseq = Math.max(this.#cseq, out.request.cseq.seq);
        this.#answered(job, r.status, r.reason, r);
      },
      onFailure: (f) => this.#answered(job, f.status, f.reason, undefined),
    }, sendOptions(this.#ua, this.#account));
  }

  #answered(job: Job, status: number, reason: string, r: SipResponse | undefined): void {
    this.#busy = false;
    const next = this.#next;
    this.#next = undefined;
    if (status < 300) {
      this.#recovering = false;
      if (job.kind === 'remove') {
        this.#etag = undefined;
        this.#set({ state: 'removed' });
      } else {
        this.#etag = r?.header('SIP-ETag') ?? this.#etag;
        const granted = r?.expires ?? this.#expires;
        this.#set({ state: 'published', etag: this.#etag ?? '', expires: granted });
        if (!next) this.#timer = this.#ua.clock.setTimer(refreshDelayMs(granted), () => this.#run({ kind: 'refresh' }));
      }
      if (next) this.#run(next);
      return;
    }
    if (status === 412 && job.kind !== 'remove' && !this.#recovering) {
      // §6: the server no longer knows our entity-tag: publish the whole state afresh.
      this.#etag = undefined;
      this.#recovering = true;
      const body = next && next.kind !== 'refresh' && next.kind !== 'remove' ? next.body : this.#body;
      if (next?.kind === 'remove') return this.#set({ state: 'removed' });
      if (body !== undefined) return this.#run({ kind: 'initial', body });
    }
    const min = r ? typed(r).minExpires : undefined;
    if (status === 423 && min !== undefined && min > this.#expires) {
      this.#expires = min;
      return this.#run(next ?? job);
    }
    if (job.kind === 'remove') {
      this.#etag = undefined;
      return this.#set({ state: 'removed' });
    }
    this.#recovering = false;
    this.#set({ state: 'failed', status, reason });
    if (next) return this.#run(next);
    this.#timer = this.#ua.clock.setTimer(this.#o.retryMs ?? 60_000, () => {
      this.#timer = undefined;
      if (this.#body !== undefined) this.#run({ kind: this.#etag ? 'modify' : 'initial', body: this.#body });
    });
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#ua.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #set(s: PublicationState): void {
    this.state = s;
    this.#o.onState?.(s);
  }
}

/** The phone's own presence: available, on the phone, do not disturb. */
export class PresencePublisher {
  readonly publication: Publication;
  readonly #entity: string;

  constructor(ua: UserAgent, account: ServiceAccount, options: Omit<PublicationOptions, 'event' | 'contentType'> = {}) {
    this.#entity = formatUri(account.aor);
    this.publication = new Publication(ua, account, { ...options, event: 'presence', contentType: PIDF_TYPE });
  }

  set(state: OwnPresence, note?: string): void {
    this.publication.publish(buildPidf(this.#entity, state, note !== undefined ? { note } : {}));
  }

  remove(): void {
    this.publication.remove();
  }
}
