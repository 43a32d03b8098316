// Provider-agnostic activities: each does exactly one provider call through the adapter the
// registry holds for the payout's provider, and never loops or retries itself (Temporal does).
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { ProviderKey } from '../src/domain/payout';
import type { AccountInquiryResult, PayoutProvider, ProviderClients, TransferOrder, TransferStatusResult, TriggerResult } from '../src/domain/provider-port';
import { ActivityFailureType, toActivityFailure } from './failures';

export interface ActivityDeps {
  /** The configured providers' clients by key (src/providers/catalog.ts builds them). */
  providers: ProviderClients;
}

/** The trigger's answer, plus which attempt produced it: an answer after a lost attempt needs care. */
export type TriggerOutcome = TriggerResult & { attempt: number };

export function createActivities(deps: ActivityDeps) {
  const providerFor = (key: ProviderKey): PayoutProvider => {
    const provider = deps.providers[key];
    if (!provider) {
      throw ApplicationFailure.nonRetryable(`provider ${key} is not configured on this worker`, ActivityFailureType.PROVIDER_NOT_CONFIGURED);
    }
    return provider;
  };

  return {
    async inquireAccount(provider: ProviderKey, order: TransferOrder): Promise<AccountInquiryResult> {
      try {
        return await providerFor(provider).inquireAccount(order);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    async triggerTransfer(provider: ProviderKey, order: TransferOrder): Promise<TriggerOutcome> {
      try {
        const result = await providerFor(provider).triggerTransfer(order);
        return { ...result, attempt: Context.current().info.attempt };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    async checkTransferStatus(provider: ProviderKey, order: TransferOrder, providerReference?: string): Promise<TransferStatusResult> {
      try {
        return await providerFor(provider).checkTransferStatus(order, providerReference);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** The merchant's available balance at the provider, or null when the provider has no balance call. */
    async checkAvailableBalance(provider: ProviderKey): Promise<number | null> {
      const adapter = providerFor(provider);
      if (!adapter.availableBalance) return null;
      try {
        return await adapter.availableBalance();
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export type PayoutActivities = ReturnType<typeof createActivities>;
