// What an operator sees of a finished payout in the Temporal Web UI, read through the Temporal
// client: search attributes (no personal data), static summary and details, and the one-line
// summaries of activities and timers.
import { defaultPayloadConverter } from '@temporalio/common';
import { payoutWorkflowId } from '../../src/api/payouts';
import { PAYOUT_AMOUNT, PAYOUT_DESTINATION_TYPE, PAYOUT_PROVIDER, PAYOUT_REQUESTED_BY, PAYOUT_STATUS } from '../../workflows/search-attributes';
import { call, ewalletPayout, KEYS, startStack, uniqueReference, waitForStatus, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

test('a finished payout carries search attributes, static summary and details, and activity and timer summaries', async () => {
  const reference = uniqueReference('webui');
  const customerNumber = '081234561111';
  await call(stack, 'POST', '/v1/payouts', { body: ewalletPayout(reference, customerNumber, '25000.00') });
  await waitForStatus(stack, reference, 'AWAITING_APPROVAL');
  await call(stack, 'POST', `/v1/payouts/${reference}/approve`, { key: KEYS.approver, body: {} });
  await waitForStatus(stack, reference, 'SUCCEEDED');

  const handle = stack.client.workflow.getHandle(payoutWorkflowId(reference));
  const description = await handle.describe();
  const attributes = description.typedSearchAttributes;
  expect(attributes.get(PAYOUT_STATUS)).toBe('SUCCEEDED');
  expect(attributes.get(PAYOUT_PROVIDER)).toBe('singapay');
  expect(attributes.get(PAYOUT_DESTINATION_TYPE)).toBe('EWALLET');
  expect(attributes.get(PAYOUT_AMOUNT)).toBe(25_000);
  expect(attributes.get(PAYOUT_REQUESTED_BY)).toBe('requester@local');
  // Search attributes are never encrypted: no account number in them.
  expect(JSON.stringify(description.raw.workflowExecutionInfo?.searchAttributes)).not.toContain(customerNumber);

  const summary = await description.staticSummary();
  expect(summary).toContain(`Payout ${reference}: IDR 25000.00 to DANA ********1111 via singapay`);
  expect(summary).not.toContain(customerNumber);
  expect(await description.staticDetails()).toContain('Requested by: requester@local');

  const history = await handle.fetchHistory();
  const summaries = (history.events ?? [])
    .map((e) => e.userMetadata?.summary)
    .filter((p): p is NonNullable<typeof p> => !!p)
    .map((p) => defaultPayloadConverter.fromPayload<string>(p));
  expect(summaries).toEqual(
    expect.arrayContaining([
      'Account inquiry at Singapay',
      expect.stringMatching(/^Approval deadline /),
      expect.stringMatching(/^Transfer of IDR 25000 to Singapay under reference /),
      expect.stringMatching(/^Status check #1 in \d+ s$/),
      'Status check #1 at Singapay',
    ]),
  );
});
