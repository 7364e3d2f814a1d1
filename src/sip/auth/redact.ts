/**
 * Strips secrets from text bound for a log: digest responses (an offline guessing target for the password),
 * passwords in parameters, JSON and settings lines, and the password part of sip:/sips: user-info.
 */

const MASK = '***';

// Each pattern keeps the text before the secret in group 1; group 2 is the secret (quotes included, if any).
const PATTERNS: readonly RegExp[] = [
  // Digest response (and rspauth from Authentication-Info), quoted or bare.
  /(\b(?:response|rspauth)\s*=\s*)("[^"\r\n]*"|[^\s,;"]*)/gi,
  // JSON: "password": "..." (also passwd, secret, ha1), escaped quotes inside the value.
  /("(?:password|passwd|secret|ha1)"\s*:\s*)("(?:[^"\\\r\n]|\\.)*")/gi,
  // key=value and key: value (settings, URLs, logs), quoted or up to a separator.
  /(\b(?:password|passwd|secret|ha1)\s*[=:]\s*)("[^"\r\n]*"|[^\s,;&"]*)/gi,
  // Command lines: --password P, --password=P.
  /(--password(?:=|\s+))("[^"]*"|\S+)/gi,
];

const URI_PASSWORD = /(\bsips?:[^:@\s;<>"/]+:)[^@\s;<>"]+(@)/gi;

function mask(_m: string, before: string, secret: string): string {
  return before + (secret.startsWith('"') ? `"${MASK}"` : MASK);
}

/** The text with every credential it may hold replaced by "***". */
export function redact(text: string): string {
  let out = text;
  for (const re of PATTERNS) out = out.replace(re, mask);
  return out.replace(URI_PASSWORD, `$1${MASK}$2`);
}
