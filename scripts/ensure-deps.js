#!/usr/bin/env node
// Runs before `npm start` and `npm test`, so that either works as the very first command on a fresh
// clone. Uses only Node built-ins: nothing else can be assumed to exist yet.
//
// node_modules is (re)installed when it is missing or was installed from a different lock file than
// the one checked out. We compare a hash of package-lock.json stored at install time rather than file
// times, because git sets every file's time to the checkout time.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const lockFile = join(root, 'package-lock.json');
const stampFile = join(root, 'node_modules', '.payouts-lock-sha256');

const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const installedHash = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : null;

if (installedHash === lockHash) process.exit(0);

console.log(
  installedHash === null
    ? '[setup] no install from this package-lock.json yet: installing dependencies (once)…'
    : '[setup] package-lock.json changed since the last install: reinstalling…',
);
// `npm install` rather than `npm ci`: it installs exactly the locked versions too, but `npm ci`
// refuses a lock that lacks optional per-platform builds (of @swc/core, say) that a registry mirror
// does not serve, while `npm install` skips them as the optional packages they are.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('[setup] `npm install` failed; see the output above. Nothing else was started.');
  process.exit(result.status ?? 1);
}
writeFileSync(stampFile, `${lockHash}\n`);
console.log('[setup] dependencies installed.');
