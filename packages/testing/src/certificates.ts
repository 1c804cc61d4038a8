import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureCommands } from './system-packages.js';

const run = promisify(execFile);

export interface CertificateFiles {
  /** PEM certificate. */
  readonly certificatePath: string;
  /** PEM private key (unencrypted). */
  readonly keyPath: string;
}

export interface TestCertificateAuthority extends CertificateFiles {
  readonly certificatePem: string;
  /** A server certificate for these host names and IP addresses, signed by this CA. */
  issue(names: readonly string[]): Promise<CertificateFiles>;
  /** Removes the CA's files. */
  remove(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A throwaway certificate authority (openssl), for serving registries over TLS under their real
 * host names. Trust it with `trustInDockerEngine`, skopeo's `certDir`, or a client's `ca` option.
 */
export async function createTestCertificateAuthority(): Promise<TestCertificateAuthority> {
  ensureCommands([{ command: 'openssl', debianPackage: 'openssl' }]);
  const dir = await mkdtemp(join(tmpdir(), 'rk-ca-'));
  const certificatePath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  await run('openssl', [
    'req', '-x509', ...EC_KEY, '-keyout', keyPath, '-out', certificatePath, '-days', '3',
    '-subj', '/CN=registrykit test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return certificateAuthorityFrom({ certificatePath, keyPath }, () => rm(dir, { recursive: true, force: true }));
}

/**
 * Issues certificates from an existing CA's files, e.g. the run's CA that the test harness made
 * (and that Node trusts through NODE_EXTRA_CA_CERTS). Certificates are written in a directory
 * next to the CA's files, so removing the CA's directory removes them too even when a test
 * forgets `remove`, which removes only them.
 */
export async function loadTestCertificateAuthority(files: CertificateFiles): Promise<TestCertificateAuthority> {
  ensureCommands([{ command: 'openssl', debianPackage: 'openssl' }]);
  const scratch = await mkdtemp(join(dirname(files.certificatePath), 'issued-'));
  return certificateAuthorityFrom(files, () => rm(scratch, { recursive: true, force: true }), scratch);
}

async function certificateAuthorityFrom(files: CertificateFiles, remove: () => Promise<void>, issueDir?: string): Promise<TestCertificateAuthority> {
  const { certificatePath, keyPath } = files;
  const dir = issueDir ?? dirname(certificatePath);
  let issued = 0;
  return {
    certificatePath,
    keyPath,
    certificatePem: await readFile(certificatePath, 'utf8'),
    async issue(names) {
      const base = join(dir, `server-${process.pid}-${++issued}`);
      const alternativeNames = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
      await writeFile(
        `${base}.ext`,
        `subjectAltName=${alternativeNames}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
      );
      await run('openssl', ['req', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0] ?? 'localhost'}`]);
      // A random serial per certificate: several processes may issue from one CA at once.
      await run('openssl', [
        'x509', '-req', '-in', `${base}.csr`, '-CA', certificatePath, '-CAkey', keyPath, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
        '-out', `${base}.crt`, '-days', '3', '-extfile', `${base}.ext`,
      ]);
      return { certificatePath: `${base}.crt`, keyPath: `${base}.key` };
    },
    remove,
  };
}

/** A self-signed certificate and key, e.g. for signing registry tokens. */
export async function createSelfSignedCertificate(commonName: string): Promise<CertificateFiles & { readonly remove: () => Promise<void> }> {
  ensureCommands([{ command: 'openssl', debianPackage: 'openssl' }]);
  const dir = await mkdtemp(join(tmpdir(), 'rk-cert-'));
  const certificatePath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', keyPath, '-out', certificatePath, '-days', '3', '-subj', `/CN=${commonName}`]);
  return { certificatePath, keyPath, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Makes the Docker engine trust `caPem` for `registryHost` (`host` or `host:port`), through
 * `/etc/docker/certs.d`, which the engine reads on every connection. Needs root. Returns a cleanup.
 */
export async function trustInDockerEngine(registryHost: string, caPem: string): Promise<() => Promise<void>> {
  const dir = join('/etc/docker/certs.d', registryHost);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), caPem);
  return () => rm(dir, { recursive: true, force: true });
}

/** A directory holding `ca.crt`, the form skopeo's `--cert-dir` wants. */
export async function certificateDirectory(caPem: string): Promise<{ readonly path: string; readonly remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'rk-certdir-'));
  await writeFile(join(path, 'ca.crt'), caPem);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
