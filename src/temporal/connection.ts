// How our processes reach the Temporal frontend: plain on loopback (the dev server), TLS or mTLS for a
// self-hosted cluster, TLS with an API key for Temporal Cloud. The API's client, the worker, the
// search-attribute registration and `npm start` all connect through these options, so one set of
// TEMPORAL_* variables configures every process alike (README "Running in production").
import type { TLSConfig } from '@temporalio/client';

export interface TemporalAccess {
  /** The TLS settings, or false for a plaintext connection. */
  tls: TLSConfig | false;
  /** Sent as `Authorization: Bearer …` on every call (Temporal Cloud API keys). */
  apiKey: string | undefined;
}

export const PLAINTEXT: TemporalAccess = { tls: false, apiKey: undefined };

/** The variables that secure a connection to a remote cluster; a local dev server must not get them. */
export const TEMPORAL_ACCESS_VARIABLES = [
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
}

/** Options for `Connection.connect/lazy` (client) and `NativeConnection.connect` (worker) alike. */
export function connectionOptions(address: string, access: TemporalAccess): TemporalConnectionOptions {
  // tls is always explicit: the SDK turns TLS on by itself when an API key is given, and an operator
  // who set TEMPORAL_TLS=false (an API key over a local, trusted hop) must get exactly that.
  return { address, tls: access.tls, ...(access.apiKey !== undefined && { apiKey: access.apiKey }) };
}

/** One line for the start-up log: how the connection is secured, never the secrets themselves. */
export function describeAccess(access: TemporalAccess): string {
  if (access.tls === false) return access.apiKey ? 'plaintext, API key' : 'plaintext';
  const parts = [access.tls.clientCertPair ? 'mTLS' : 'TLS'];
  if (access.tls.serverRootCACertificate) parts.push('own CA');
  if (access.tls.serverNameOverride) parts.push(`server name ${access.tls.serverNameOverride}`);
  if (access.apiKey) parts.push('API key');
  return parts.join(', ');
}
