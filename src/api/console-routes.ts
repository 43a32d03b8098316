// The approvals console (/console): static files read once at start, served with a strict CSP, and
// a small config document telling the page where the Temporal Web UI is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import type { ProviderDescription } from '../domain/provider-port';

const DIR = join(__dirname, 'console');
const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

export function consoleRouter(options: { temporalUiUrl: string; namespace: string; providers: readonly ProviderDescription[] }): Router {
  const router = express.Router();
  const content = Object.fromEntries(Object.keys(FILES).map((name) => [name, readFileSync(join(DIR, name))])) as Record<keyof typeof FILES, Buffer>;
  const send = (name: keyof typeof FILES) => (_req: express.Request, res: express.Response) => {
    res.setHeader('Content-Security-Policy', "default-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(FILES[name]).send(content[name]);
  };
  router.get('/', send('index.html'));
  router.get('/app.js', send('app.js'));
  router.get('/style.css', send('style.css'));
  router.get('/config.json', (_req, res) => {
    res.json({ temporalUiUrl: options.temporalUiUrl, namespace: options.namespace, providers: options.providers.map(({ key, name }) => ({ key, name })) });
  });
  return router;
}
