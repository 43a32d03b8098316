// The one place where a provider call's error becomes a Temporal failure. Every failure that leaves
// an activity is an ApplicationFailure with a stable type, so the workflow and the Web UI can tell
// them apart, and `nonRetryable` is set only where repeating the call cannot help.
import { ApplicationFailure } from '@temporalio/common';
import { ProviderCallError } from '../src/domain/provider-port';

export const ActivityFailureType = {
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  PROVIDER_RATE_LIMITED: 'PROVIDER_RATE_LIMITED',
  PROVIDER_UNAUTHORIZED: 'PROVIDER_UNAUTHORIZED',
  PROVIDER_MISCONFIGURED: 'PROVIDER_MISCONFIGURED',
  PROVIDER_BAD_ANSWER: 'PROVIDER_BAD_ANSWER',
  PROVIDER_NOT_CONFIGURED: 'PROVIDER_NOT_CONFIGURED',
} as const;

export function toActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ProviderCallError)) {
    // A bug or an unexpected library error: retryable, so a fix and a redeploy can carry on the payout.
    const message = err instanceof Error ? err.message : String(err);
    return ApplicationFailure.retryable(message, 'UNEXPECTED_ERROR');
  }
  // The assumptions a wrong guess would explain this by travel along, for the Web UI and the logs.
  const details = [
    { mayHaveArrived: err.details.mayHaveArrived, httpStatus: err.details.httpStatus, providerCode: err.details.providerCode, assumptions: err.details.assumptions },
  ];
  switch (err.kind) {
    case 'UNAVAILABLE':
      return ApplicationFailure.create({ message: err.message, type: ActivityFailureType.PROVIDER_UNAVAILABLE, details });
    case 'TIMEOUT':
      return ApplicationFailure.create({ message: err.message, type: ActivityFailureType.PROVIDER_TIMEOUT, details });
    case 'RATE_LIMITED':
      return ApplicationFailure.create({
        message: err.message,
        type: ActivityFailureType.PROVIDER_RATE_LIMITED,
        details,
        ...(err.details.retryAfterMs !== undefined && { nextRetryDelay: err.details.retryAfterMs }),
      });
    case 'BAD_ANSWER':
      return ApplicationFailure.create({ message: err.message, type: ActivityFailureType.PROVIDER_BAD_ANSWER, details });
    case 'UNAUTHORIZED':
      // The client already fetched a fresh token once; wrong credentials do not heal by repetition.
      return ApplicationFailure.create({ message: err.message, type: ActivityFailureType.PROVIDER_UNAUTHORIZED, details, nonRetryable: true });
    case 'MISCONFIGURED':
      return ApplicationFailure.create({ message: err.message, type: ActivityFailureType.PROVIDER_MISCONFIGURED, details, nonRetryable: true });
    default: {
      const unknownKind: never = err.kind;
      return ApplicationFailure.retryable(`unknown provider error kind ${String(unknownKind)}`, 'UNEXPECTED_ERROR');
    }
  }
}
