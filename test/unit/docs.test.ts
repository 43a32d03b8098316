// The repository's documentation stands alone: no file points outside it (to notes that exist only
// where it was developed), and every relative link in the README and docs/ leads to a file that exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EVENT_TYPES } from '../../src/domain/events';

const ROOT = join(__dirname, '..', '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const textFiles = tracked.filter((file) => /\.(md|ts|js|mjs|cjs|json|ya?ml|html|css|sh|example)$/.test(file) || file.startsWith('.env'));

test("no file refers to the workspace's shared notes, which users of the repository do not have (it carries its own API contract, simulator and provider docs)", () => {
  const outside = new RegExp(['(\\.\\./)+', 'shared/'].join(''));
  const offenders = textFiles.filter((file) => existsSync(join(ROOT, file)) && outside.test(readFileSync(join(ROOT, file), 'utf8')));
  expect(offenders).toEqual([]);
});

test('every relative link in the README and docs/ resolves to a file in the repository', () => {
  const docs = tracked.filter((file) => file === 'README.md' || (file.startsWith('docs/') && file.endsWith('.md')) || /^[A-Z]+\.md$/.test(file));
  const broken: string[] = [];
  for (const file of docs) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
      if (!existsSync(resolve(ROOT, dirname(file), target))) broken.push(`${file} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});

test('docs/webhooks.md lists exactly the event types there are (src/domain/events.ts EVENT_TYPES), the one list receivers read', () => {
  const text = readFileSync(join(ROOT, 'docs', 'webhooks.md'), 'utf8');
  const table = text.slice(text.indexOf('<!-- event-types'), text.indexOf('<!-- /event-types -->'));
  const documented = [...table.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(EVENT_TYPES.map(({ type }) => type).sort());
});
