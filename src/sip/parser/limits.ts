/** Size limits the parser enforces so that an endless or oversized message cannot exhaust memory. */
export type ParserLimits = {
  /** Longest start line (Request-Line / Status-Line), CRLF included. Over it: 513. */
  startLineBytes: number;
  /** Largest header section after the start line, blank line included. Over it: 513. */
  headerBytes: number;
  /** Most header fields (folded lines count once). Over it: 513. */
  headerCount: number;
  /** Largest body (Content-Length). Over it: 413. */
  bodyBytes: number;
};

export const DEFAULT_LIMITS: Readonly<ParserLimits> = Object.freeze({
  startLineBytes: 4096,
  headerBytes: 16384,
  headerCount: 128,
  bodyBytes: 65536,
});

/** The defaults overridden by whatever the caller gave. */
export function resolveLimits(limits?: Partial<ParserLimits>): Readonly<ParserLimits> {
  if (limits === undefined) return DEFAULT_LIMITS;
  return {
    startLineBytes: limits.startLineBytes ?? DEFAULT_LIMITS.startLineBytes,
    headerBytes: limits.headerBytes ?? DEFAULT_LIMITS.headerBytes,
    headerCount: limits.headerCount ?? DEFAULT_LIMITS.headerCount,
    bodyBytes: limits.bodyBytes ?? DEFAULT_LIMITS.bodyBytes,
  };
}
