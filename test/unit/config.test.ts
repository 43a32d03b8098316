import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema, loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';


describe('configuration', () => {
  test('defaults: dev server ports, local API, no Singapay credentials (npm start then runs the simulator)', () => {
    const config = loadConfig({});
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.env.TEMPORAL_UI_PORT).toBe(8233);
    expect(config.singapay).toBeUndefined();
    expect(config.policy.statusPollInitialMs).toBe(2_000);
  });

  test('a wrong value names the variable', () => {
    expect(problemsOf({ API_PORT: 'eighty' })).toContain('API_PORT');
    expect(problemsOf({ SINGAPAY_BASE_URL: 'not a url' })).toContain('SINGAPAY_BASE_URL');
    expect(problemsOf({ STATUS_POLL_INITIAL_MS: '-5' })).toContain('STATUS_POLL_INITIAL_MS');
  });

  test('Singapay settings come all together or not at all', () => {
    const message = problemsOf({ SINGAPAY_BASE_URL: 'https://sandbox-payment-b2b.singapay.id' });
    expect(message).toContain('SINGAPAY_CLIENT_SECRET');
    expect(message).toContain('SINGAPAY_ACCOUNT_ID');
  });

  test('production without API keys refuses to start; malformed keys are named', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContain('API_KEYS');
    expect(problemsOf({ API_KEYS: '[{"keySha256":"abc","principal":"x","roles":["admin"]}]' })).toContain('API_KEYS');
  });

  test('the message carries no secret values', () => {
    const message = problemsOf({ SINGAPAY_CLIENT_SECRET: 'super-secret-value' });
    expect(message).not.toContain('super-secret-value');
  });
});

describe('keys and switches for containers', () => {
  const fixtureKey = join(__dirname, '..', 'fixtures', 'faspay-test-key.pem');
  const faspay = { FASPAY_BASE_URL: 'https://sendme-sandbox.faspay.co.id', FASPAY_PARTNER_ID: 'p1', FASPAY_SOURCE_ACCOUNT: '123456' };
  const productionKeys = JSON.stringify([{ keySha256: 'a'.repeat(64), principal: 'ops@example.com', roles: ['admin'] }]);

  test('the Faspay private key can come from a file (a mounted secret), read once', () => {
    const config = loadConfig({ ...faspay, FASPAY_PRIVATE_KEY_PATH: fixtureKey });
    expect(config.faspay?.privateKeyPem).toBe(readFileSync(fixtureKey, 'utf8'));
  });

  test('the key given both ways, a missing key, or a file that is no key: each named', () => {
    expect(problemsOf({ ...faspay, FASPAY_PRIVATE_KEY: readFileSync(fixtureKey, 'utf8'), FASPAY_PRIVATE_KEY_PATH: fixtureKey })).toContain(
      'FASPAY_PRIVATE_KEY: and FASPAY_PRIVATE_KEY_PATH are both set',
    );
    expect(problemsOf(faspay)).toContain('FASPAY_PRIVATE_KEY: is required when FASPAY_BASE_URL, FASPAY_PARTNER_ID, FASPAY_SOURCE_ACCOUNT is set (or FASPAY_PRIVATE_KEY_PATH)');
    const notAKey = problemsOf({ ...faspay, FASPAY_PRIVATE_KEY_PATH: join(__dirname, 'config.test.ts') });
    expect(notAKey).toContain('FASPAY_PRIVATE_KEY_PATH:');
    expect(notAKey).toContain('is not an RSA private key in PEM form');
    expect(problemsOf({ FASPAY_CALLBACK_PUBLIC_KEY_PATH: '/nowhere/key.pem' })).toContain('FASPAY_CALLBACK_PUBLIC_KEY_PATH: cannot read /nowhere/key.pem (ENOENT)');
  });

  test('the codec endpoint admits the Web UI origin by default outside production only; CODEC_ALLOW_UI_ORIGIN decides when set', () => {
    expect(loadConfig({}).temporal.codecAdmitsUiOrigin).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys }).temporal.codecAdmitsUiOrigin).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys, CODEC_ALLOW_UI_ORIGIN: 'true' }).temporal.codecAdmitsUiOrigin).toBe(true);
    expect(loadConfig({ CODEC_ALLOW_UI_ORIGIN: 'false' }).temporal.codecAdmitsUiOrigin).toBe(false);
    expect(problemsOf({ CODEC_ALLOW_UI_ORIGIN: 'perhaps' })).toContain('CODEC_ALLOW_UI_ORIGIN');
  });
});

test('.env.example lists every variable of the schema', () => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  const missing = Object.keys(envSchema.shape).filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
  expect(missing).toEqual([]);
});
