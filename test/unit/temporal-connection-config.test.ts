// TEMPORAL_API_KEY and TEMPORAL_TLS_*: how the variables become connection options, and how a wrong
// one stops the process with a message naming it (and never the secret). The connection itself is
// proven end to end in test/e2e/secured-temporal.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';
import { connectionOptions, describeAccess } from '../../src/temporal/connection';
import { makeCertificates, type TestCertificates } from '../support/tls-front';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});


const optionsFor = (env: Record<string, string>) => connectionOptions('temporal.example:7233', loadConfig(env).temporal.access);

test('nothing set: plaintext, no key (the dev server)', () => {
  expect(optionsFor({})).toEqual({ address: 'temporal.example:7233', tls: false });
  expect(describeAccess(loadConfig({}).temporal.access)).toBe('plaintext');
});

test('an API key alone turns TLS on with the system roots, as Temporal Cloud needs', () => {
  expect(optionsFor({ TEMPORAL_API_KEY: 'cloud-key' })).toEqual({ address: 'temporal.example:7233', tls: {}, apiKey: 'cloud-key' });
});

test('TEMPORAL_TLS=false keeps a key on plaintext (a trusted local hop); TEMPORAL_TLS=true alone is TLS with system roots', () => {
  expect(optionsFor({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).toEqual({ address: 'temporal.example:7233', tls: false, apiKey: 'k' });
  expect(optionsFor({ TEMPORAL_TLS: 'true' })).toEqual({ address: 'temporal.example:7233', tls: {} });
});

test('mTLS: the certificate, key, CA and server name are read once into the TLS options', () => {
  const options = optionsFor({
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  expect(options.tls).toEqual({
    serverNameOverride: 'temporal.internal',
    serverRootCACertificate: readFileSync(certs.caCert),
    clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
  });
  expect(options).not.toHaveProperty('apiKey');
});

test('a certificate without its key (or the other way round) names the missing variable', () => {
  expect(problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert })).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH: is required when TEMPORAL_TLS_CLIENT_CERT_PATH is set');
  expect(problemsOf({ TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey })).toContain('TEMPORAL_TLS_CLIENT_CERT_PATH: is required when TEMPORAL_TLS_CLIENT_KEY_PATH is set');
});

test('a missing or wrong file names the variable and the path, never the content', () => {
  expect(problemsOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nowhere/ca.pem' })).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read /nowhere/ca.pem (ENOENT)');
  // A private key where the certificate belongs, and the other way round.
  const swapped = problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientKey, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientCert });
  expect(swapped).toContain(`TEMPORAL_TLS_CLIENT_CERT_PATH: ${certs.clientKey} is not a PEM certificate`);
  expect(swapped).toContain(`TEMPORAL_TLS_CLIENT_KEY_PATH: ${certs.clientCert} is not a PEM private key`);
  expect(swapped).not.toContain('PRIVATE KEY-----');
});

test('TEMPORAL_TLS=false beside TLS files is a contradiction, named; a non-boolean is refused', () => {
  expect(problemsOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert })).toContain('TEMPORAL_TLS: is false, but TEMPORAL_TLS_SERVER_CA_CERT_PATH configure TLS');
  expect(problemsOf({ TEMPORAL_TLS: 'sometimes' })).toContain('TEMPORAL_TLS: must be "true" or "false"');
});

test('the API key never appears in a configuration error', () => {
  const message = problemsOf({ TEMPORAL_API_KEY: 'very-secret-cloud-key', TEMPORAL_TLS: 'maybe' });
  expect(message).not.toContain('very-secret-cloud-key');
});

test('WORKFLOW_BUNDLE_PATH must name a readable file', () => {
  expect(problemsOf({ WORKFLOW_BUNDLE_PATH: '/nowhere/bundle.js' })).toContain('WORKFLOW_BUNDLE_PATH: no readable file there');
  expect(problemsOf({ WORKFLOW_BUNDLE_PATH: certs.dir })).toContain('WORKFLOW_BUNDLE_PATH');
  const bundle = join(certs.dir, 'bundle.js');
  writeFileSync(bundle, '// a bundle');
  expect(loadConfig({ WORKFLOW_BUNDLE_PATH: bundle }).temporal.workflowBundlePath).toBe(bundle);
});
