/**
 * `xsphone ota-pack`: builds a signed firmware update (the manifest the phone checks, and the image).
 * The signature is Ed25519 over the manifest's canonical text (src/update/manifest.ts), made with node:crypto.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { base64Encode } from '../../src/media/srtp/base64.js';
import { parseManifest, signedText, MAX_IMAGE_SIZE, type UpdateManifest } from '../../src/update/manifest.js';

const HELP = `usage: xsphone ota-pack --key KEY.pem --version V FIRMWARE -o OUTDIR
       xsphone ota-pack --new-key KEY.pem

Writes OUTDIR/manifest.json (version, size, sha256, image, Ed25519 signature) and the image beside it
(OUTDIR/xsphone-V.bin). Serve both from the URL the phones check for updates.

options:
  --key FILE       Ed25519 private key (PEM, PKCS#8), e.g. from \`openssl genpkey -algorithm ed25519\`
  --version V      version of the image, e.g. 1.4.0 (dotted numbers, optional -suffix)
  -o, --out DIR    output directory (created if missing)
  --image-url URL  put this absolute URL in the manifest instead of the image's file name
  --new-key FILE   create a new private key in FILE (mode 600) and print its public key
  -h, --help       this text

Prints the public key (32 bytes, base64) the phone must be built with.
`;

/** Raw 32-byte Ed25519 public key (the last 32 bytes of the SPKI DER). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function packUpdate(options: { key: KeyObject; version: string; firmware: string; out: string; imageUrl?: string }): UpdateManifest {
  const data = readFileSync(options.firmware);
  if (data.length === 0) throw new Error(`${options.firmware} is empty`);
  if (data.length > MAX_IMAGE_SIZE) throw new Error(`${options.firmware} is larger than ${MAX_IMAGE_SIZE} bytes`);
  const fileName = `xsphone-${options.version}.bin`;
  const fields = {
    version: options.version,
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    image: options.imageUrl ?? fileName,
  };
  const signature = base64Encode(new Uint8Array(sign(null, Buffer.from(signedText(fields)), options.key)));
  const manifest = { ...fields, signature };
  const check = parseManifest(JSON.stringify(manifest));
  if (!check.ok) throw new Error(check.error);
  mkdirSync(options.out, { recursive: true });
  copyFileSync(options.firmware, path.join(options.out, fileName));
  writeFileSync(path.join(options.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return check.manifest;
}

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string', short: 'o' },
        'image-url': { type: 'string' },
        'new-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`ota-pack: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    if (v['new-key']) {
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(v['new-key'], privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      process.stdout.write(`public key: ${base64Encode(rawPublicKey(privateKey))}\n`);
      return 0;
    }
    const firmware = parsed.positionals[0];
    if (!v.key || !v.version || !v.out || !firmware || parsed.positionals.length !== 1) {
      process.stderr.write(`ota-pack: --key, --version, -o and one FIRMWARE file are required\n\n${HELP}`);
      return 2;
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(v.key));
    } catch (e) {
      process.stderr.write(`ota-pack: cannot read the private key ${v.key}: ${(e as Error).message}\n`);
      return 1;
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      process.stderr.write(`ota-pack: ${v.key} is a ${key.asymmetricKeyType} key; updates are signed with Ed25519\n`);
      return 1;
    }
    const m = packUpdate({ key, version: v.version, firmware, out: v.out, ...(v['image-url'] ? { imageUrl: v['image-url'] } : {}) });
    process.stdout.write(`${path.join(v.out, 'manifest.json')}: version ${m.version}, ${m.size} bytes, sha256 ${m.sha256}\npublic key: ${base64Encode(rawPublicKey(key))}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`ota-pack: ${(e as Error).message}\n`);
    return 1;
  }
}
