// The webhook receiver over https (test:production needs it: production delivers to https only).
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { startReceiver } from '../../src/webhooks/receiver';
import { makeServerCertificate } from '../support/tls-front';

test('with a certificate, the receiver serves https at an https URL, verified against its CA', async () => {
  const certificate = makeServerCertificate('IP:127.0.0.1');
  const receiver = await startReceiver({ tls: { cert: readFileSync(certificate.serverCert, 'utf8'), key: readFileSync(certificate.serverKey, 'utf8') } });
  try {
    expect(receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webhooks$/);
    const post = (ca?: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request(receiver.url, { method: 'POST', ...(ca && { ca }) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
    // Trusting the CA: the TLS handshake succeeds and the receiver refuses the unsigned delivery.
    expect(await post(readFileSync(certificate.caCert))).toBe(401);
    // Without the CA, the certificate is not trusted.
    await expect(post()).rejects.toThrow(/self-signed|unable to verify|certificate/);
  } finally {
    await receiver.stop();
  }
});
