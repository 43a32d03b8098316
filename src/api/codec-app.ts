// The codec endpoint's own HTTP listener (CODEC_PORT, CODEC_HOST: loopback by default). It is kept
// off the public API port because that port must be reachable by providers for their callbacks, and
// the codec decrypts payloads for whoever it admits, including, where CODEC_ALLOW_UI_ORIGIN allows
// it, anyone who merely sends the Web UI's Origin header. Here it serves /codec and nothing else.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from '../logging';
import type { Authenticator } from './auth';
import { codecRouter } from './codec-routes';
import { problemHandler, problems } from './problem';

export interface CodecAppDeps {
  /** The payload codec the Temporal client uses. */
  codec: PayloadCodec;
  authenticator: Authenticator;
  /** The Web UI's origin, admitted by CORS. */
  uiOrigin: string;
  /** Admit requests from uiOrigin without an API key. */
  admitUiOrigin: boolean;
  logger: Logger;
}

export function createCodecApp(deps: CodecAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The codec endpoint takes up to 1000 payloads at once: a larger limit than the API's 64 KiB.
  app.use('/codec', express.json({ limit: '4mb' }), codecRouter(deps));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(problems.notFound(`no route for ${req.method} ${req.path} (this listener serves the codec endpoint only)`));
  });
  app.use(problemHandler((_req, err) => deps.logger.error({ err }, 'codec endpoint: unhandled error')));
  return app;
}
