/** Calls: INVITE sessions on the UA core (RFC 3261 §13–15, RFC 3262, 3311, 4028), the media interface, the call manager. */
export { Call } from './call.js';
export type { CallContext, CallEvent, CallListener, CallState, EndCause, InDialogHandler, OutgoingCallInit } from './call.js';
export { CallManager } from './calls.js';
export type { Acceptance, CallManagerOptions, Line } from './calls.js';
export { DefaultCallMedia, MediaError } from './media.js';
export type { Body, CallMedia } from './media.js';
export { DEFAULT_SESSION_TIMER, answerSessionTimer, expiryDelayMs, refreshDelayMs, sessionTimerOfAnswer, supportsTimer } from './session-timer.js';
export type { SessionInterval, SessionTimerConfig } from './session-timer.js';
export { ReliableProvisional } from './reliable-provisional.js';
export { buildCancel, glareBackoffMs } from './rules.js';
