#!/usr/bin/env node
// Runs before `npm test`: the console's browser test drives Debian's Chromium through
// playwright-core (a browser download of Playwright's own cannot work offline). Installs the
// `chromium` package when it is missing and this user can; otherwise says what to do.
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!hasApt || !root) {
  console.warn(
    `[setup] no Chromium at ${path}; the browser test will fail. Install Debian's "chromium" package ` +
      '(sudo apt-get install chromium) or set CHROMIUM_PATH.',
  );
  process.exit(0);
}
console.log("[setup] installing Debian's chromium package for the browser test (once)…");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
  const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (run.status !== 0) {
    console.warn(`[setup] apt-get ${args.join(' ')} failed; the browser test will fail.`);
    process.exit(0);
  }
}
console.log('[setup] chromium installed.');
