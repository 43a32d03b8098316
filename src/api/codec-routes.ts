// The codec endpoint of Temporal's codec-server protocol, so the Web UI can show decrypted payloads
// to those allowed: POST /codec/decode and /codec/encode with { payloads: [{ metadata, data }] }
// (bytes as base64). CORS admits the Web UI's origin.
//
// Who is allowed: a request with a valid API key (any role may read payouts). When admitUiOrigin is
// on (outside production by default, CODEC_ALLOW_UI_ORIGIN), a request from the configured Web UI
// origin is also allowed, because the Web UI has no way to attach our API keys. An Origin header
// proves nothing outside a browser, so that is only safe where nobody untrusted can reach /codec
// (README "Running in production").
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Authenticator } from './auth';
import { problems } from './problem';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const codecBody = z.strictObject({
  payloads: z.array(z.strictObject({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(1000),
});

export interface CodecRouteDeps {
  codec: PayloadCodec | undefined;
  authenticator: Authenticator;
  uiOrigin: string;
  /** Admit requests from uiOrigin without an API key. */
  admitUiOrigin: boolean;
}

export function codecRouter(deps: CodecRouteDeps): Router {
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.header('origin') === deps.uiOrigin) {
      res.setHeader('Access-Control-Allow-Origin', deps.uiOrigin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    const fromUi = deps.admitUiOrigin && req.header('origin') === deps.uiOrigin;
    if (!fromUi && !deps.authenticator.authenticate(req.header('authorization'))) return next(problems.unauthorized());
    if (!deps.codec) return next(problems.notFound('payload encryption is off (PAYLOAD_CODEC_KEYS is not set)'));
    next();
  });

  const handle = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const parsed = codecBody.safeParse(req.body);
    if (!parsed.success) throw problems.validation('expected { payloads: [{ metadata, data }] } with base64 bytes');
    const payloads: Payload[] = parsed.data.payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    }));
    let result: Payload[];
    try {
      result = await deps.codec![direction](payloads);
    } catch {
      throw problems.validation(`the payloads could not be ${direction}d with the configured keys`);
    }
    res.json({
      payloads: result.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    });
  };
  router.post('/decode', handle('decode'));
  router.post('/encode', handle('encode'));
  return router;
}
