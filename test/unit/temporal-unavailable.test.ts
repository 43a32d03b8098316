// Which Temporal errors the API answers with 503 (Temporal cannot serve the call now) rather than 500.
import { NamespaceNotFoundError, ServiceError } from '@temporalio/client';
import { temporalUnavailable } from '../../src/api/temporal-unavailable';

const grpcError = (code: number, details = '') => Object.assign(new Error(`grpc ${code}`), { code, details, metadata: {} });

test.each([
  ['UNAVAILABLE', grpcError(14), true],
  ['DEADLINE_EXCEEDED', grpcError(4), true],
  ['RESOURCE_EXHAUSTED', grpcError(8), true],
  ['a ServiceError (the client wraps unreachable servers in one)', new ServiceError('Failed to connect'), true],
  // A server whose database is restarting cannot read its namespace cache and says "not found".
  ['namespace not found', new NamespaceNotFoundError('default'), true],
  // The same, as the raw gRPC error a visibility call gets (test:production saw a batch create answer 500 with it).
  ['a raw NOT_FOUND naming the namespace', grpcError(5, 'Namespace default is not found.'), true],
  ['NOT_FOUND of something else', grpcError(5), false],
  ['NOT_FOUND of a workflow', grpcError(5, 'workflow not found for ID: payout-x'), false],
  ['INVALID_ARGUMENT', grpcError(3), false],
  ['a plain error of ours', new Error('bug'), false],
])('%s → %s', (_, err, expected) => {
  expect(temporalUnavailable(err)).toBe(expected);
});
