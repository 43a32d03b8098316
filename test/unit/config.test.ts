import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a configuration error');
}

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
