/**
 * Finds the end of a header section in bytes, line by line with the native Uint8Array.indexOf, so the
 * stream parser can resume where it stopped when the next chunk arrives. Enforces the size limits.
 */
import { SipError } from '../errors.js';
import type { ParserLimits } from './limits.js';
import { StartLine } from './start-line.js';

/** Progress through one header section, then what its start line says; reused by the stream parser. */
export class HeadScan extends StartLine {
  /** First byte of the start line. */
  start = 0;
  /** Index of the LF ending the start line, -1 until seen. */
  startLineEnd = -1;
  /** Start of the line not yet examined. */
  pos = 0;
  /** Header fields seen so far (continuation lines are not counted). */
  fields = 0;
  /** First byte of the empty line ending the headers, once found. */
  headerEnd = -1;
  /** First byte of the body, once found. */
  bodyStart = -1;

  reset(start: number): void {
    this.start = start;
    this.pos = start;
    this.startLineEnd = -1;
    this.fields = 0;
    this.headerEnd = -1;
    this.bodyStart = -1;
  }

  /** Moves every position by delta (the bytes were copied elsewhere). */
  shift(delta: number): void {
    this.start += delta;
    this.pos += delta;
    if (this.startLineEnd >= 0) this.startLineEnd += delta;
    if (this.headerEnd >= 0) this.headerEnd += delta;
    if (this.bodyStart >= 0) this.bodyStart += delta;
  }
}

/**
 * Scans bytes[s.pos, end) for the empty line that ends the header section. Returns true when found
 * (s.headerEnd and s.bodyStart set); false when more bytes are needed. Bare LF is accepted as a line end.
 */
export function scanHead(bytes: Uint8Array, end: number, s: HeadScan, limits: Readonly<ParserLimits>): boolean {
  let pos = s.pos;
  for (;;) {
    let nl = pos < end ? bytes.indexOf(10, pos) : -1;
    if (nl >= end) nl = -1;
    if (nl < 0) {
      s.pos = pos;
      if (s.startLineEnd < 0) {
        if (end - s.start > limits.startLineBytes) throw new SipError('start line too long', 513);
      } else if (end - s.startLineEnd - 1 > limits.headerBytes) {
        throw new SipError('header section too large', 513);
      }
      return false;
    }
    if (s.startLineEnd < 0) {
      if (nl + 1 - s.start > limits.startLineBytes) throw new SipError('start line too long', 513);
      s.startLineEnd = nl;
      pos = nl + 1;
      continue;
    }
    if (nl + 1 - s.startLineEnd - 1 > limits.headerBytes) throw new SipError('header section too large', 513);
    const c = bytes[pos]!;
    if (nl === pos || (nl === pos + 1 && c === 13)) {
      s.pos = pos;
      s.headerEnd = pos;
      s.bodyStart = nl + 1;
      return true;
    }
    if (c !== 32 && c !== 9 && ++s.fields > limits.headerCount) throw new SipError('too many header fields', 513);
    pos = nl + 1;
  }
}
