// The ProviderCallError a provider client throws, for tests that look at its kind, code and the
// assumptions it names. Each fails the test when something else (or nothing) was thrown.
import { ProviderCallError } from '../../src/domain/provider-port';

export async function callError(promise: Promise<unknown>): Promise<ProviderCallError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderCallError);
  return err as ProviderCallError;
}

export function thrownCallError(fn: () => unknown): ProviderCallError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderCallError);
    return err as ProviderCallError;
  }
  throw new Error('expected a ProviderCallError');
}
