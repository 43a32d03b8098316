// Entry point: the Faspay simulator on its own. It prints one JSON line: its URL, partner id, source
// account, and the PATHS of the merchant private key it uses (for the worker's client) and of its own
// public key (for verifying its callbacks). The private key itself is never printed. The key and the
// ids are kept in FASPAY_SIMULATOR_DIR (default .data/faspay-simulator) and reused on the next start,
// so a configured worker keeps working across restarts; FASPAY_PARTNER_ID / FASPAY_SOURCE_ACCOUNT
// override the ids.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFaspaySimulator } from '../simulators/faspay';

function fail(message: string): never {
  console.error(`Invalid configuration:\n  - ${message}`);
  process.exit(1);
}

function readIds(file: string): { partnerId?: string; sourceAccount?: string } {
  if (!existsSync(file)) return {};
  try {
    const ids = JSON.parse(readFileSync(file, 'utf8')) as { partnerId?: unknown; sourceAccount?: unknown };
    return {
      ...(typeof ids.partnerId === 'string' && { partnerId: ids.partnerId }),
      ...(typeof ids.sourceAccount === 'string' && { sourceAccount: ids.sourceAccount }),
    };
  } catch {
    return {};
  }
}

async function main() {
  const env = process.env;
  const port = Number(env.FASPAY_SIMULATOR_PORT ?? 4020);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('FASPAY_SIMULATOR_PORT: must be a port number');
  const dir = resolve(env.FASPAY_SIMULATOR_DIR ?? '.data/faspay-simulator');
  const keyFile = join(dir, 'merchant-private-key.pem');
  const simulatorKeyFile = join(dir, 'simulator-public-key.pem');
  const idsFile = join(dir, 'ids.json');
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  let merchantPublicKeyPem: string | undefined;
  if (existsSync(keyFile)) {
    try {
      merchantPublicKeyPem = createPublicKey(createPrivateKey(readFileSync(keyFile, 'utf8'))).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      fail(`${keyFile}: not a readable private key (delete it to generate a new one)`);
    }
  }
  const stored = readIds(idsFile);
  const partnerId = env.FASPAY_PARTNER_ID || stored.partnerId;
  const sourceAccount = env.FASPAY_SOURCE_ACCOUNT || stored.sourceAccount;
  const simulator = await startFaspaySimulator({
    port,
    host: env.FASPAY_SIMULATOR_HOST ?? '127.0.0.1',
    ...(merchantPublicKeyPem && { merchantPublicKeyPem }),
    ...(partnerId && { partnerId }),
    ...(sourceAccount && { sourceAccount }),
    log: (line) => console.log(`[faspay-sim] ${line}`),
  });
  const { credentials } = simulator;
  if (credentials.merchantPrivateKeyPem) writeFileSync(keyFile, credentials.merchantPrivateKeyPem, { mode: 0o600 });
  writeFileSync(simulatorKeyFile, simulator.simulatorPublicKeyPem);
  writeFileSync(idsFile, `${JSON.stringify({ partnerId: credentials.partnerId, sourceAccount: credentials.sourceAccount })}\n`);

  console.log(
    JSON.stringify({
      faspaySimulator: simulator.url,
      partnerId: credentials.partnerId,
      sourceAccount: credentials.sourceAccount,
      merchantPrivateKeyFile: keyFile,
      simulatorPublicKeyFile: simulatorKeyFile,
    }),
  );
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
