// The Recorder keeps what the checks need and no more: the fields they read, and a run of identical
// GET answers as its first and last (so a long run's memory stays small without weakening a rule).
// It spreads its calls over every API instance, in turn, and records which one each call went to,
// with the stack's keys when it has its own (two real HTTP servers stand for two API instances).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Recorder } from './observe';
import { KEYS, keyOf, type PayoutDocument, type PayoutPlan } from './model';

const plan: PayoutPlan = {
  index: 0,
  reference: 'OBS-1',
  provider: 'singapay',
  explicitProvider: false,
  destination: { type: 'EWALLET', ewallet: 'DANA', customerNumber: '081200000000' },
  amount: 10_000,
  requester: 'requester',
  approvalTimeoutMs: 10_000,
  actions: [],
};

const doc = (statuses: string[]): PayoutDocument & { inquiry: unknown } => ({
  status: statuses[statuses.length - 1]!,
  timeline: statuses.map((status, i) => ({ status, at: new Date(1_000 * i).toISOString() })),
  inquiry: { accountName: 'not needed by any check' },
});

test('a run of identical GETs is kept as its first and last; other documents as they come', () => {
  const recorder = new Recorder('http://127.0.0.1:1');
  const record = recorder.track(plan, undefined);
  const get = (at: number, statuses: string[]) => recorder.snapshot('OBS-1', { source: 'get', sentAt: at, answeredAt: at + 5, doc: doc(statuses) });
  for (let at = 100; at <= 500; at += 100) get(at, ['VALIDATING', 'AWAITING_APPROVAL']);
  recorder.snapshot('OBS-1', { source: 'approve', sentAt: 550, answeredAt: 560, doc: doc(['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']) });
  get(600, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(700, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(800, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING']);
  get(900, ['VALIDATING', 'AWAITING_APPROVAL', 'PROCESSING', 'SUCCEEDED']);
  expect(record.snapshots.map((s) => [s.source, s.sentAt, s.doc.status])).toEqual([
    ['get', 100, 'AWAITING_APPROVAL'],
    ['get', 500, 'AWAITING_APPROVAL'],
    ['approve', 550, 'PROCESSING'],
    ['get', 600, 'PROCESSING'],
    ['get', 800, 'PROCESSING'],
    ['get', 900, 'SUCCEEDED'],
  ]);
  expect(recorder.lastStatus('OBS-1')).toBe('SUCCEEDED');
  expect(record.snapshots[0]!.doc).not.toHaveProperty('inquiry');
});

describe('API instances and keys', () => {
  const servers: Server[] = [];
  const seen: { server: number; path: string; authorization?: string }[] = [];
  const urls: string[] = [];
  beforeAll(async () => {
    for (const n of [0, 1]) {
      const server = createServer((req, res) => {
        seen.push({ server: n, path: req.url ?? '', ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }) });
        res.writeHead(n === 0 ? 404 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ title: n === 0 ? 'Not Found' : 'Unavailable' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  test('keyOf: the stack\'s key for a principal when it has its own, else the development key', () => {
    expect(keyOf(undefined, 'admin')).toBe(KEYS.admin.key);
    expect(keyOf({}, 'approver')).toBe('dev-approver');
    const apiKeys = { requester: 'pk_req', approver: 'pk_appr', admin: 'pk_admin' };
    expect(keyOf({ apiKeys }, 'approver')).toBe('pk_appr');
    expect(keyOf(new Recorder('http://127.0.0.1:1', apiKeys), 'admin')).toBe('pk_admin');
  });

  test('calls take the instances in turn; each answer records its instance; reads send the stack\'s approver key', async () => {
    seen.length = 0;
    const recorder = new Recorder(urls, { requester: 'pk_req', approver: 'pk_appr', admin: 'pk_admin' });
    recorder.track(plan, undefined);
    for (let i = 0; i < 4; i += 1) await recorder.read('OBS-1');
    expect(seen.map((s) => s.server)).toEqual([0, 1, 0, 1]);
    expect(new Set(seen.map((s) => s.authorization))).toEqual(new Set(['Bearer pk_appr']));
    expect(recorder.answers.map((a) => [a.instance, a.status])).toEqual([
      [urls[0], 404],
      [urls[1], 503],
      [urls[0], 404],
      [urls[1], 503],
    ]);
    const call = await recorder.call('GET', '/v1/payouts', { route: 'GET /v1/payouts' });
    expect(call.instance).toBe(urls[0]);
  });

  test('one instance given as a string, as before: every call goes there, with the development key; no answer still names the instance', async () => {
    seen.length = 0;
    const recorder = new Recorder(urls[1]!);
    recorder.track(plan, undefined);
    await recorder.read('OBS-1');
    await recorder.read('OBS-1');
    expect(seen.map((s) => [s.server, s.authorization])).toEqual([
      [1, 'Bearer dev-approver'],
      [1, 'Bearer dev-approver'],
    ]);
    const refused = new Recorder(['http://127.0.0.1:1']);
    await refused.call('GET', '/v1/payouts', { route: 'GET /v1/payouts' });
    expect(refused.answers[0]).toMatchObject({ status: 0, instance: 'http://127.0.0.1:1' });
    expect(() => new Recorder([])).toThrow(/at least one API instance/);
  });
});
