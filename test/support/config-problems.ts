import { ConfigError, loadConfig } from '../../src/config';

/** The message a configuration with problems stops with (fails the test when it loads fine). */
export function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a configuration error');
}
