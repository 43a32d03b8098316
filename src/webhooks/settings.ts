// The webhook settings a process runs with (read from WEBHOOK_* by src/config.ts).
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../domain/webhooks';
import { developmentMasterKey } from './secrets';
import type { UrlPolicy } from './url-policy';

export interface WebhookSettings {
  masterKey: Buffer;
  /** True when WEBHOOK_SECRET_KEY is unset and the published development key is in use (never in production). */
  developmentKey: boolean;
  urlPolicy: UrlPolicy;
  delivery: DeliveryPolicy;
  /** After a rotation, how long deliveries also carry a signature under the old secret. */
  secretOverlapMs: number;
}

export const DEFAULT_SECRET_OVERLAP_MS = 24 * 60 * 60_000;

/** Outside production with nothing configured: the development key, private URLs allowed, the default timing. */
export function developmentWebhookSettings(): WebhookSettings {
  return {
    masterKey: developmentMasterKey(),
    developmentKey: true,
    urlPolicy: { production: false, allowPrivate: true },
    delivery: DEFAULT_DELIVERY_POLICY,
    secretOverlapMs: DEFAULT_SECRET_OVERLAP_MS,
  };
}
