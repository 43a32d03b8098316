// Worker tuning from configuration: only what is set is passed on, so the SDK's defaults (documented
// in README "Running in production" and measured in BENCHMARKS.md) apply to everything else — but for
// the sticky queue's timeout, which has a default of ours (config.ts WORKER_STICKY_QUEUE_TIMEOUT_MS).
import type { WorkerOptions } from '@temporalio/worker';

export interface WorkerTuning {
  /** Workflows kept in memory between their tasks (sticky cache); 0 turns the cache off. */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentLocalActivityExecutions?: number;
  /** Concurrent long polls for workflow tasks and for activity tasks. */
  workflowTaskPollers?: number;
  activityTaskPollers?: number;
  /** One V8 context shared by all workflows (the SDK default) or one context per workflow. */
  reuseV8Context?: boolean;
  /** How long a cached workflow's task waits for its worker before any worker may take it. */
  stickyQueueTimeoutMs?: number;
}

export function workerTuningOptions(tuning: WorkerTuning): Partial<WorkerOptions> {
  const options: Partial<WorkerOptions> = {};
  if (tuning.maxCachedWorkflows !== undefined) options.maxCachedWorkflows = tuning.maxCachedWorkflows;
  if (tuning.maxConcurrentWorkflowTaskExecutions !== undefined) options.maxConcurrentWorkflowTaskExecutions = tuning.maxConcurrentWorkflowTaskExecutions;
  if (tuning.maxConcurrentActivityTaskExecutions !== undefined) options.maxConcurrentActivityTaskExecutions = tuning.maxConcurrentActivityTaskExecutions;
  if (tuning.maxConcurrentLocalActivityExecutions !== undefined) options.maxConcurrentLocalActivityExecutions = tuning.maxConcurrentLocalActivityExecutions;
  if (tuning.workflowTaskPollers !== undefined) options.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: tuning.workflowTaskPollers };
  if (tuning.activityTaskPollers !== undefined) options.activityTaskPollerBehavior = { type: 'simple-maximum', maximum: tuning.activityTaskPollers };
  if (tuning.reuseV8Context !== undefined) options.reuseV8Context = tuning.reuseV8Context;
  if (tuning.stickyQueueTimeoutMs !== undefined) options.stickyQueueScheduleToStartTimeout = tuning.stickyQueueTimeoutMs;
  return options;
}
