/**
 * A throw-away PKI for TLS tests, made with the openssl command line in a temporary folder: a trusted CA, a
 * server certificate for 127.0.0.1 and localhost, one for another host name, an expired one, and a certificate
 * from a CA nobody trusts. Keys are EC P-256 (fast to make).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** The trusted CA's certificate (PEM file): the bundle the phone is configured with. */
  ca: string;
  /** Valid for IP 127.0.0.1 and DNS localhost, signed by the trusted CA. */
  server: CertFiles;
  /** Signed by the trusted CA, but for wrong.example only. */
  wrongName: CertFiles;
  /** Signed by the trusted CA for 127.0.0.1, but its validity ended in the past. */
  expired: CertFiles;
  /** For 127.0.0.1, signed by a CA that is not in the bundle. */
  untrusted: CertFiles;
  /** The untrusted CA's certificate. */
  untrustedCa: string;
  read(path: string): string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
    '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/** A leaf certificate signed by caName with the given subjectAltName; `validity` picks x509 -days or ca dates. */
function makeLeaf(dir: string, name: string, caName: string, cn: string, san: string, expired = false): CertFiles {
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  const ext = `${name}.ext`;
  writeFileSync(join(dir, ext), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`);
  if (!expired) {
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial',
      '-days', '30', '-extfile', ext, '-out', `${name}.crt`);
  } else {
    // `openssl ca` is the one 3.0 command that takes explicit start and end dates.
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'ca.cnf'), [
      '[ca]', 'default_ca=test', '[test]', `dir=${dir}`, 'database=$dir/index.txt', 'new_certs_dir=$dir',
      `certificate=$dir/${caName}.crt`, `private_key=$dir/${caName}.key`, 'serial=$dir/ca.serial', 'default_md=sha256',
      'policy=any', 'email_in_dn=no', 'unique_subject=no', 'copy_extensions=none', '[any]', 'commonName=supplied', '',
    ].join('\n'));
    writeFileSync(join(dir, 'ca.serial'), '1000\n');
    openssl(dir, 'ca', '-batch', '-config', 'ca.cnf', '-in', `${name}.csr`, '-out', `${name}.crt`, '-notext',
      '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', ext);
  }
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'xsphone-ca-'));
  makeCa(dir, 'ca', 'xsphone test CA');
  makeCa(dir, 'rogue-ca', 'rogue CA');
  const server = makeLeaf(dir, 'server', 'ca', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost');
  const wrongName = makeLeaf(dir, 'wrong-name', 'ca', 'wrong.example', 'DNS:wrong.example');
  const untrusted = makeLeaf(dir, 'untrusted', 'rogue-ca', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost');
  const expired = makeLeaf(dir, 'expired', 'ca', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost', true);
  return {
    dir, ca: join(dir, 'ca.crt'), untrustedCa: join(dir, 'rogue-ca.crt'), server, wrongName, expired, untrusted,
    read: (path) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
