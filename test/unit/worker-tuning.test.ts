import { ConfigError, loadConfig } from '../../src/config';
import { workerTuningOptions } from '../../src/temporal/worker-tuning';

test('worker tuning: nothing set leaves every SDK default alone but the sticky queue timeout, 3 s (under the API decision wait of 5 s)', () => {
  const config = loadConfig({});
  expect(workerTuningOptions(config.worker)).toEqual({ stickyQueueScheduleToStartTimeout: 3_000 });
  expect(config.worker.stickyQueueTimeoutMs!).toBeLessThan(config.api.decisionTimeoutMs);
});

test('worker tuning: each variable reaches its worker option', () => {
  const config = loadConfig({
    WORKER_MAX_CACHED_WORKFLOWS: '500',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
    WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '60',
    WORKER_WORKFLOW_TASK_POLLERS: '4',
    WORKER_ACTIVITY_TASK_POLLERS: '3',
    WORKER_REUSE_V8_CONTEXT: 'false',
    WORKER_STICKY_QUEUE_TIMEOUT_MS: '2000',
  });
  expect(workerTuningOptions(config.worker)).toEqual({
    maxCachedWorkflows: 500,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentActivityTaskExecutions: 50,
    maxConcurrentLocalActivityExecutions: 60,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 3 },
    reuseV8Context: false,
    stickyQueueScheduleToStartTimeout: 2_000,
  });
});

test.each([
  ['WORKER_REUSE_V8_CONTEXT', 'sometimes'],
  ['WORKER_MAX_CACHED_WORKFLOWS', '-1'],
  ['WORKER_WORKFLOW_TASK_POLLERS', '1'],
  ['WORKER_STICKY_QUEUE_TIMEOUT_MS', '500'],
])('a bad %s (%s) is refused with a message naming it', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ [name]: value })).toThrow(name);
});
