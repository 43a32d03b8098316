// Messages of the spending-limit workflow (one per scope and Jakarta day; workflows/spending-limit.ts).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ScopeKind } from '../src/domain/approval-policy';

export interface ReserveSpendingInput {
  /** Each holder (a payout, or a row of a batch) and its amount; a holder already here is not counted twice. */
  holds: { holder: string; amount: number }[];
  /** The limit of the payout's terms (a configuration change applies to payouts created after it). */
  limit: number;
}

export type ReserveSpendingAnswer = { ok: true } | { ok: false; limit: number; used: number; remaining: number; requested: number };

export interface ReleaseSpendingInput {
  holders: string[];
}

export interface SpendingSummary {
  kind: ScopeKind;
  day: string;
  /** Reserved and not released, in whole rupiah. */
  used: number;
  holders: number;
}

export const reserveSpendingUpdate = defineUpdate<ReserveSpendingAnswer, [ReserveSpendingInput]>('reserveSpending');
export const releaseSpendingUpdate = defineUpdate<number, [ReleaseSpendingInput]>('releaseSpending');
export const getSpendingQuery = defineQuery<SpendingSummary>('getSpending');
