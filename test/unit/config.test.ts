import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TIMEOUT_MARGIN_MS, envSchema, loadConfig } from '../../src/config';
import { PROVIDER_MODULES } from '../../src/registry';
import { problemsOf } from '../support/config-problems';

/** 32 bytes of base64, as `openssl rand -base64 32` makes them (a test value, not a secret). */
const WEBHOOK_KEY = Buffer.alloc(32, 7).toString('base64');


describe('configuration', () => {
  test('defaults: dev server ports, local API, no Singapay credentials (npm start then runs the simulator)', () => {
    const config = loadConfig({});
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.env.TEMPORAL_UI_PORT).toBe(8233);
    expect(config.providers).toEqual([]);
    expect(config.policy.statusPollInitialMs).toBe(2_000);
  });

  test('a wrong value names the variable', () => {
    expect(problemsOf({ API_PORT: 'eighty' })).toContain('API_PORT');
    expect(problemsOf({ SINGAPAY_BASE_URL: 'not a url' })).toContain('SINGAPAY_BASE_URL');
    expect(problemsOf({ STATUS_POLL_INITIAL_MS: '-5' })).toContain('STATUS_POLL_INITIAL_MS');
  });

  test('decision timeout and refusal confirmation: defaults, values, and bad values named', () => {
    const defaults = loadConfig({});
    expect(defaults.api.decisionTimeoutMs).toBe(5_000);
    expect(defaults.policy.refusalConfirmMs).toBe(15 * 60_000);
    const set = loadConfig({ DECISION_TIMEOUT_MS: '1500', REFUSAL_CONFIRM_MS: '60000' });
    expect(set.api.decisionTimeoutMs).toBe(1_500);
    expect(set.policy.refusalConfirmMs).toBe(60_000);
    expect(problemsOf({ DECISION_TIMEOUT_MS: '10' })).toContain('DECISION_TIMEOUT_MS');
    expect(problemsOf({ REFUSAL_CONFIRM_MS: 'soon' })).toContain('REFUSAL_CONFIRM_MS');
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

  test('webhooks: the master key is required in production, checked and never echoed; retry timing is read', () => {
    const productionKeys = JSON.stringify([{ keySha256: 'a'.repeat(64), principal: 'ops@example.com', roles: ['admin'] }]);
    expect(problemsOf({ NODE_ENV: 'production', API_KEYS: productionKeys })).toContain('WEBHOOK_SECRET_KEY: is required in production');
    const short = problemsOf({ WEBHOOK_SECRET_KEY: 'c2hvcnQta2V5' });
    expect(short).toContain('WEBHOOK_SECRET_KEY: decodes to 9 bytes');
    expect(short).not.toContain('c2hvcnQta2V5');
    expect(problemsOf({ WEBHOOK_SECRET_KEY: 'not base64!' })).toContain('WEBHOOK_SECRET_KEY');
    expect(problemsOf({ WEBHOOK_RETRY_INITIAL_MS: '5000', WEBHOOK_RETRY_MAX_MS: '1000' })).toContain('WEBHOOK_RETRY_MAX_MS');
    expect(problemsOf({ WEBHOOK_ALLOW_PRIVATE_URLS: 'maybe' })).toContain('WEBHOOK_ALLOW_PRIVATE_URLS');

    const development = loadConfig({});
    expect(development.webhooks).toMatchObject({ developmentKey: true, urlPolicy: { production: false, allowPrivate: true } });
    const configured = loadConfig({ WEBHOOK_SECRET_KEY: WEBHOOK_KEY, WEBHOOK_RETRY_INITIAL_MS: '1000', WEBHOOK_RETRY_WINDOW_MS: '60000' });
    expect(configured.webhooks.masterKey).toEqual(Buffer.from(WEBHOOK_KEY, 'base64'));
    expect(configured.webhooks).toMatchObject({ developmentKey: false, delivery: { initialIntervalMs: 1_000, maxIntervalMs: 3_600_000, retryWindowMs: 60_000, attemptTimeoutMs: 10_000 } });
    const production = loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys, WEBHOOK_SECRET_KEY: WEBHOOK_KEY });
    expect(production.webhooks.urlPolicy).toEqual({ production: true, allowPrivate: false });
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys, WEBHOOK_SECRET_KEY: WEBHOOK_KEY, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhooks.urlPolicy.allowPrivate).toBe(true);
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
    expect(config.providers.find(({ module }) => module.key === 'faspay')?.settings).toMatchObject({ privateKeyPem: readFileSync(fixtureKey, 'utf8') });
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
    const production = { NODE_ENV: 'production', API_KEYS: productionKeys, WEBHOOK_SECRET_KEY: WEBHOOK_KEY };
    expect(loadConfig(production).temporal.codecAdmitsUiOrigin).toBe(false);
    expect(loadConfig({ ...production, CODEC_ALLOW_UI_ORIGIN: 'true' }).temporal.codecAdmitsUiOrigin).toBe(true);
    expect(loadConfig({ CODEC_ALLOW_UI_ORIGIN: 'false' }).temporal.codecAdmitsUiOrigin).toBe(false);
    expect(problemsOf({ CODEC_ALLOW_UI_ORIGIN: 'perhaps' })).toContain('CODEC_ALLOW_UI_ORIGIN');
  });
});

test('.env.example lists every variable of the schema', () => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  const missing = Object.keys(envSchema.shape).filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
  expect(missing).toEqual([]);
});

describe('API_KEYS: one canonical name per person, one set of roles per name', () => {
  const entry = (principal: string, roles: string[], hashDigit = 'a') => ({ keySha256: hashDigit.repeat(64), principal, roles });
  const keys = (...entries: ReturnType<typeof entry>[]) => ({ API_KEYS: JSON.stringify(entries) });

  test('a principal that is not trimmed and lower case refuses to start, naming the entry and the canonical form', () => {
    const upper = problemsOf(keys(entry('Ops@Example.com', ['admin'])));
    expect(upper).toContain('API_KEYS');
    expect(upper).toContain('"Ops@Example.com"');
    expect(upper).toContain('"ops@example.com"');
    expect(problemsOf(keys(entry('ops@example.com ', ['admin'])))).toContain('API_KEYS: entry 1');
    expect(problemsOf(keys(entry('   ', ['admin'])))).toContain('API_KEYS');
  });

  test('one principal with two different role sets refuses to start; two keys with the same roles (rotation) load', () => {
    const twoRoles = problemsOf(keys(entry('ops@example.com', ['approver']), entry('ops@example.com', ['admin'], 'b')));
    expect(twoRoles).toContain('API_KEYS: entry 2');
    expect(twoRoles).toContain('"ops@example.com"');
    expect(twoRoles).toContain('entry 1');
    const rotated = loadConfig(keys(entry('ops@example.com', ['approver', 'requester']), entry('ops@example.com', ['requester', 'approver'], 'b')));
    expect(rotated.api.keys).toHaveLength(2);
  });

  test('no key may act as the approval policy', () => {
    const message = problemsOf(keys(entry('policy', ['approver'])));
    expect(message).toContain('API_KEYS: entry 1');
    expect(message).toContain('"policy"');
    expect(problemsOf(keys(entry('Policy', ['approver'])))).toContain('"policy"');
  });

  test('one key for two principals is ambiguous and refused', () => {
    expect(problemsOf(keys(entry('a@example.com', ['admin']), entry('b@example.com', ['admin'])))).toContain('API_KEYS: entry 2');
  });
});

describe('ACTIVITY_TIMEOUT_MS covers the worst case of one provider call', () => {
  const singapay = {
    SINGAPAY_BASE_URL: 'https://sandbox-payment-b2b.singapay.id',
    SINGAPAY_CLIENT_ID: 'c',
    SINGAPAY_CLIENT_SECRET: 's',
    SINGAPAY_API_KEY: 'k',
    SINGAPAY_ACCOUNT_ID: 'a',
  };
  const faspay = {
    FASPAY_BASE_URL: 'https://sendme-sandbox.faspay.co.id',
    FASPAY_PARTNER_ID: 'p1',
    FASPAY_SOURCE_ACCOUNT: '123456',
    FASPAY_PRIVATE_KEY_PATH: join(__dirname, '..', 'fixtures', 'faspay-test-key.pem'),
  };

  test('the defaults pass with both providers configured', () => {
    const config = loadConfig({ ...singapay, ...faspay });
    expect(config.policy.activityTimeoutMs).toBeGreaterThanOrEqual(4 * 10_000 + ACTIVITY_TIMEOUT_MARGIN_MS);
  });

  test('shorter than the longest attempt (Singapay: token, call, renewed token, call; Faspay: name inquiry, transfer) plus the margin: refused, naming the variables', () => {
    const message = problemsOf({ ...singapay, ACTIVITY_TIMEOUT_MS: '30000' });
    expect(message).toContain('ACTIVITY_TIMEOUT_MS');
    expect(message).toContain('SINGAPAY_TIMEOUT_MS');
    expect(message).toContain(String(4 * 10_000 + ACTIVITY_TIMEOUT_MARGIN_MS));
    const faspaySlow = problemsOf({ ...singapay, ...faspay, SINGAPAY_TIMEOUT_MS: '5000', FASPAY_TIMEOUT_MS: '30000' });
    expect(faspaySlow).toContain('ACTIVITY_TIMEOUT_MS');
    expect(faspaySlow).toContain('FASPAY_TIMEOUT_MS');
    expect(faspaySlow).not.toContain('SINGAPAY_TIMEOUT_MS');
  });

  test('exactly the worst case plus the margin is enough; a provider that is not configured does not count', () => {
    const exact = String(4 * 10_000 + ACTIVITY_TIMEOUT_MARGIN_MS);
    expect(loadConfig({ ...singapay, ACTIVITY_TIMEOUT_MS: exact }).policy.activityTimeoutMs).toBe(Number(exact));
    expect(loadConfig({ ...singapay, FASPAY_TIMEOUT_MS: '60000' }).policy.activityTimeoutMs).toBeGreaterThan(0);
  });

  test('a gross Singapay trigger amount asks the inquiry first: the activity timeout must cover 7 calls', () => {
    expect(loadConfig({ ...singapay, ACTIVITY_TIMEOUT_MS: String(4 * 10_000 + ACTIVITY_TIMEOUT_MARGIN_MS) }).policy.activityTimeoutMs).toBe(45_000);
    const message = problemsOf({ ...singapay, SINGAPAY_TRIGGER_AMOUNT: 'gross', ACTIVITY_TIMEOUT_MS: '60000' });
    expect(message).toContain('ACTIVITY_TIMEOUT_MS');
    expect(message).toContain(String(7 * 10_000 + ACTIVITY_TIMEOUT_MARGIN_MS));
  });
});

describe('the codec endpoint has a listener of its own', () => {
  test('CODEC_PORT 3100 on loopback by default; both settable; never the API port', () => {
    expect(loadConfig({}).codec).toEqual({ host: '127.0.0.1', port: 3100 });
    expect(loadConfig({ CODEC_HOST: '0.0.0.0', CODEC_PORT: '3900' }).codec).toEqual({ host: '0.0.0.0', port: 3900 });
    expect(problemsOf({ CODEC_PORT: 'x' })).toContain('CODEC_PORT');
    expect(problemsOf({ CODEC_PORT: '3000' })).toContain('CODEC_PORT: must differ from API_PORT (3000)');
    expect(problemsOf({ API_PORT: '3100' })).toContain('CODEC_PORT');
  });
});

test('two provider modules claiming one variable stop start-up, naming it', () => {
  const [singapay] = PROVIDER_MODULES;
  const copy = { ...singapay!, key: 'copypay', capabilities: { ewallets: [], bankAccounts: false, virtualAccounts: false, defaultFor: { ewallets: [] } } };
  expect(() => loadConfig({}, [...PROVIDER_MODULES, copy])).toThrow('SINGAPAY_BASE_URL is claimed by both singapay and copypay');
});
