// The simulator fault modes the invariant checker needs (src/simulators/common.ts), through our real
// provider clients against both real simulators: status checks lagging behind an accepted trigger,
// a refusal after a lost attempt, the fault log, and signed callbacks handed out for replay.
import { createFaspayProvider } from '../../src/providers/faspay';
import { createSingapayProvider } from '../../src/providers/singapay';
import type { PayoutProvider, TransferOrder } from '../../src/domain/provider-port';
import { startFaspaySimulator, type FaspaySimulator } from '../../src/simulators/faspay';
import { startSingapaySimulator, type SingapaySimulator } from '../../src/simulators/singapay';

let singapay: SingapaySimulator;
let faspay: FaspaySimulator;
const clients: Record<'singapay' | 'faspay', PayoutProvider> = {} as never;
const urls: Record<'singapay' | 'faspay', string> = {} as never;

beforeAll(async () => {
  singapay = await startSingapaySimulator({ port: 0, notificationUrl: 'http://127.0.0.1:9/v1/callbacks/singapay', callbacks: false });
  faspay = await startFaspaySimulator({ port: 0, callbacks: false });
  clients.singapay = createSingapayProvider({ baseUrl: singapay.url, ...singapay.credentials, timeoutMs: 500 });
  clients.faspay = createFaspayProvider({
    baseUrl: faspay.url,
    partnerId: faspay.credentials.partnerId,
    privateKeyPem: faspay.credentials.merchantPrivateKeyPem,
    sourceAccount: faspay.credentials.sourceAccount,
    callbackUrl: 'http://127.0.0.1:9/v1/callbacks/faspay',
    timeoutMs: 500,
  });
  urls.singapay = singapay.url;
  urls.faspay = faspay.url;
});
afterAll(async () => {
  await singapay?.close();
  await faspay?.close();
});

let seq = 0;
function order(provider: 'singapay' | 'faspay', number = '081200000000'): TransferOrder {
  seq += 1;
  const destination = provider === 'singapay' ? ({ type: 'EWALLET', ewallet: 'DANA', customerNumber: number } as const) : ({ type: 'BANK_ACCOUNT', bankCode: '014', accountNumber: number } as const);
  return { reference: `SF-${Date.now().toString(36)}-${seq}`, destination, amount: 10_000, description: 'Fault test', accountName: 'Siti Rahayu' };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
async function control(provider: 'singapay' | 'faspay', method: string, path: string, body?: unknown): Promise<{ status: number; json: Loose }> {
  const res = await fetch(`${urls[provider]}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}
const ledgerOf = async (provider: 'singapay' | 'faspay', reference: string): Promise<Loose[]> =>
  ((await control(provider, 'GET', '/__sim/transactions')).json as Loose[]).filter((t) => t.reference === reference);

describe.each(['singapay', 'faspay'] as const)('%s simulator', (provider) => {
  beforeEach(async () => {
    await control(provider, 'POST', '/__sim/reset');
  });

  test('status-lag: the next status checks of a held transfer say "not found", then it is there again', async () => {
    const client = clients[provider];
    const o = order(provider);
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect((await control(provider, 'POST', '/__sim/faults', { operation: 'status', mode: 'status-lag', count: 2 })).status).toBe(201);
    expect((await client.checkTransferStatus(o)).state).toBe('NOT_FOUND');
    expect((await client.checkTransferStatus(o)).state).toBe('NOT_FOUND');
    expect((await client.checkTransferStatus(o)).state).not.toBe('NOT_FOUND');
    const [row] = await ledgerOf(provider, o.reference);
    expect(row).toMatchObject({ reference: o.reference, triggerCalls: 1 });
    expect((await control(provider, 'GET', '/__sim/faults')).json).toEqual({ pending: [], fired: { 'status status-lag': 2 } });
  });

  test('status-lag is spent only on transfers the simulator holds', async () => {
    const client = clients[provider];
    await control(provider, 'POST', '/__sim/faults', { operation: 'status', mode: 'status-lag', count: 1 });
    const unknown = order(provider);
    expect((await client.checkTransferStatus(unknown)).state).toBe('NOT_FOUND');
    expect((await control(provider, 'GET', '/__sim/faults')).json.pending).toHaveLength(1);
  });

  test('refuse-duplicate after accept-then-timeout: the money moved, the re-sent trigger is refused for funds', async () => {
    const client = clients[provider];
    const o = order(provider);
    // A fault is taken as a call arrives, before its token is checked: get a token the reset left valid first.
    await client.checkTransferStatus(order(provider));
    await control(provider, 'POST', '/__sim/faults', { operation: 'trigger', mode: 'accept-then-timeout', count: 1 });
    await control(provider, 'POST', '/__sim/faults', { operation: 'trigger', mode: 'refuse-duplicate', count: 1 });
    await expect(client.triggerTransfer(o)).rejects.toThrow();
    const again = await client.triggerTransfer(o);
    expect(again).toMatchObject({ outcome: 'REFUSED', failure: { code: 'INSUFFICIENT_BALANCE' } });
    // Without the fault, a third trigger gets the duplicate-reference answer as before.
    expect((await client.triggerTransfer(o)).outcome).toBe('DUPLICATE_REFERENCE');
    const rows = await ledgerOf(provider, o.reference);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ triggerCalls: 3, amount: { value: '10000.00' } });
    expect((await client.checkTransferStatus(o)).state).not.toBe('NOT_FOUND');
  });

  test('refuse-duplicate is spent only on a reference the simulator holds', async () => {
    const client = clients[provider];
    await control(provider, 'POST', '/__sim/faults', { operation: 'any', mode: 'refuse-duplicate', count: 1 });
    const o = order(provider);
    expect((await client.triggerTransfer(o)).outcome).toBe('ACCEPTED');
    expect((await client.triggerTransfer(o)).outcome).toBe('REFUSED');
    expect((await client.triggerTransfer(o)).outcome).toBe('DUPLICATE_REFERENCE');
  });

  test('a mode on an operation it cannot act on is refused', async () => {
    expect((await control(provider, 'POST', '/__sim/faults', { operation: 'inquiry', mode: 'status-lag', count: 1 })).status).toBe(400);
    expect((await control(provider, 'POST', '/__sim/faults', { operation: 'status', mode: 'refuse-duplicate', count: 1 })).status).toBe(400);
  });

  test('a signed callback on request: the exact bytes, signed as of the time asked for, not sent', async () => {
    const o = order(provider);
    expect((await clients[provider].triggerTransfer(o)).outcome).toBe('ACCEPTED');
    const at = new Date(Date.now() - 10 * 60_000);
    const { status, json } = await control(provider, 'POST', `/__sim/transactions/${o.reference}/callback`, { signedAt: at.toISOString() });
    expect(status).toBe(200);
    expect(json.url).toMatch(/\/v1\/callbacks\//);
    expect(json.body).toContain(o.reference);
    const timestamp = json.headers['X-Timestamp'] ?? json.headers['X-TIMESTAMP'];
    expect(Math.abs((/^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Date.parse(timestamp)) - at.getTime())).toBeLessThan(1_000);
    expect((await control(provider, 'POST', '/__sim/transactions/NOPE/callback', {})).status).toBe(404);
  });
});
