// Which Temporal errors mean "Temporal could not serve this call now" (the API answers 503 with
// Retry-After), as opposed to a fault of ours (500). One definition for every route.
import { isGrpcServiceError, NamespaceNotFoundError, ServiceError } from '@temporalio/client';

/** DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const UNAVAILABLE_CODES = [4, 8, 14];

/** gRPC status NOT_FOUND. */
const GRPC_NOT_FOUND = 5;

export function temporalUnavailable(err: unknown): boolean {
  // The namespace exists (prepare-namespace made it before any API started), but while the server's
  // database restarts the server cannot read its namespace cache and says it is not found
  // (test:production saw it during a PostgreSQL immediate shutdown).
  if (err instanceof NamespaceNotFoundError) return true;
  // Also when wrapped by the client.
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : undefined;
  if (grpc && UNAVAILABLE_CODES.includes(grpc.code)) return true;
  // The same, unwrapped: a raw gRPC NOT_FOUND naming the namespace (a visibility call right after a restart).
  if (grpc && grpc.code === GRPC_NOT_FOUND && /^Namespace .+ is not found/i.test(grpc.details ?? '')) return true;
  return err instanceof ServiceError;
}
