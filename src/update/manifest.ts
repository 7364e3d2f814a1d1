/**
 * The signed update manifest: what `xsphone ota-pack` writes and the phone checks before it downloads.
 * The Ed25519 signature covers a canonical text of every field the phone acts on, so nothing in the
 * JSON can be changed (version, size, hash, image location) without breaking it.
 */
import { base64Decode } from '../media/srtp/base64.js';

export interface UpdateManifest {
  /** Dotted version, e.g. "1.4.2" (a "-suffix" marks a pre-release). */
  readonly version: string;
  /** Image size in bytes. */
  readonly size: number;
  /** SHA-256 of the image, 64 lowercase hex digits. */
  readonly sha256: string;
  /** Where the image is: a URL, or a name relative to the manifest's URL. */
  readonly image: string;
  /** Ed25519 signature of signedText(...), base64 (64 bytes). */
  readonly signature: string;
}

export type ManifestResult = { ok: true; manifest: UpdateManifest } | { ok: false; error: string };

const SIGNED_PREFIX = 'xsphone-update-v1';
const VERSION_RE = /^\d{1,5}(\.\d{1,5}){0,3}(-[0-9A-Za-z.]{1,32})?$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
/** Largest image the phone accepts: an ESP32 OTA slot is at most a few MB. */
export const MAX_IMAGE_SIZE = 16 * 1024 * 1024;

/** The exact bytes the signature covers (one field per line, in a fixed order). */
export function signedText(m: Pick<UpdateManifest, 'version' | 'size' | 'sha256' | 'image'>): string {
  return `${SIGNED_PREFIX}\nversion=${m.version}\nsize=${m.size}\nsha256=${m.sha256}\nimage=${m.image}\n`;
}

/** Parses and checks the shape of a manifest (not its signature). */
export function parseManifest(text: string): ManifestResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the update manifest is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'the update manifest is not a JSON object' };
  const o = json as Record<string, unknown>;
  const { version, size, sha256, image, signature } = o;
  if (typeof version !== 'string' || !VERSION_RE.test(version)) return { ok: false, error: 'the update manifest has no valid "version"' };
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0 || size > MAX_IMAGE_SIZE)
    return { ok: false, error: `the update manifest has no valid "size" (1 to ${MAX_IMAGE_SIZE} bytes)` };
  if (typeof sha256 !== 'string' || !HEX64_RE.test(sha256)) return { ok: false, error: 'the update manifest has no valid "sha256" (64 lowercase hex digits)' };
  if (typeof image !== 'string' || image.length === 0 || image.length > 512 || /[\s]/.test(image))
    return { ok: false, error: 'the update manifest has no valid "image"' };
  if (signature === undefined) return { ok: false, error: 'the update is not signed' };
  if (typeof signature !== 'string' || base64Decode(signature)?.length !== 64)
    return { ok: false, error: 'the update manifest\'s "signature" is not a 64-byte base64 Ed25519 signature' };
  return { ok: true, manifest: { version, size, sha256, image, signature } };
}

export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}
