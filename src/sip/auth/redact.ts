/**
 * Strips secrets from text bound for a log: digest responses (an offline guessing target for the password),
 * passwords in parameters, JSON and settings lines, and the password part of sip:/sips: user-info.
 */

import type { LogSink } from '../../log.js';

const MASK = '***';

// Each pattern keeps the text before the secret in group 1; group 2 is the secret (quotes included, if any).
// Sources only: a global RegExp carries lastIndex, and module-level objects are read-only on the device.
const PATTERNS: readonly string[] = [
  // Digest response (and rspauth from Authentication-Info), quoted or bare.
  String.raw`(\b(?:response|rspauth)\s*=\s*)("[^"\r\n]*"|[^\s,;"]*)`,
  // JSON: "password": "..." (also passwd, secret, ha1), escaped quotes inside the value.
  String.raw`("(?:password|passwd|secret|ha1)"\s*:\s*)("(?:[^"\\\r\n]|\\.)*")`,
  // key=value and key: value (settings, URLs, logs), quoted or up to a separator.
  String.raw`(\b(?:password|passwd|secret|ha1)\s*[=:]\s*)("[^"\r\n]*"|[^\s,;&"]*)`,
  // Command lines: --password P, --password=P.
  String.raw`(--password(?:=|\s+))("[^"]*"|\S+)`,
];

const URI_PASSWORD = String.raw`(\bsips?:[^:@\s;<>"/]+:)[^@\s;<>"]+(@)`;

function mask(_m: string, before: string, secret: string): string {
  return before + (secret.startsWith('"') ? `"${MASK}"` : MASK);
}

/** The text with every credential it may hold replaced by "***". */
export function redact(text: string): string {
  let out = text;
  for (const source of PATTERNS) out = out.replace(new RegExp(source, 'gi'), mask);
  return out.replace(new RegExp(URI_PASSWORD, 'gi'), `$1${MASK}$2`);
}

/** Wraps a log sink so every message passes through redact() first. */
export function redactingSink(sink: LogSink): LogSink {
  return (level, area, message) => sink(level, area, redact(message));
}
