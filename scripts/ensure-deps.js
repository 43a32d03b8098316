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
// `npm ci`: exactly the locked versions, or an error. (package.json pins @swc/core and unrs-resolver
// with `overrides` to versions whose every per-platform build the registry serves; with a newer
// one, the lock lacked some of them and `npm ci` refused it.)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('[setup] `npm ci` failed; see the output above. Nothing else was started.');
  process.exit(result.status ?? 1);
}
writeFileSync(stampFile, `${lockHash}\n`);
console.log('[setup] dependencies installed.');
