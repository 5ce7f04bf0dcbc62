#!/usr/bin/env node
/**
 * Builds the `native` backend's addon (native/ → native/build/Release/ibl_native.node) during
 * `npm install` / `npm ci` (the root package's "install" script). It must never fail the install:
 * when there is no BLAS, no compiler or no Node headers it prints one line with the reason,
 * records it in native/build/status.json (read by src/backend/native/loadAddon.ts, which then
 * reports it in BackendInfo.skipped) and exits 0; the toolkit then runs on wasm.
 *
 * BLAS: found with pkg-config at build time — `openblas` (Debian: libopenblas-dev), else `cblas`,
 * else `blas` — and linked directly. IBL_NATIVE_BUILD=skip skips the build;
 * IBL_NATIVE_PRETEND_NO_BLAS=1 behaves as on a machine without a BLAS (for testing that path).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const buildDir = join(nativeDir, 'build');
const statusPath = join(buildDir, 'status.json');
const logPath = join(buildDir, 'build.log');

function finish(built, reason, extra = {}) {
  mkdirSync(buildDir, { recursive: true });
  if (!existsSync(logPath) || !built) {
    appendFileSync(logPath, `${new Date().toISOString()} ${built ? 'built' : `not built: ${reason}`}\n`);
  }
  writeFileSync(statusPath, `${JSON.stringify({ built, reason, log: logPath, time: new Date().toISOString(), ...extra }, null, 2)}\n`);
  process.stdout.write(built
    ? `implicit-bias-lab: native backend built (${extra.blas}); log ${logPath}\n`
    : `implicit-bias-lab: native backend not built (${reason}); the toolkit will use wasm. Log: ${logPath}\n`);
  process.exit(0);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

function findBlas() {
  if (process.env.IBL_NATIVE_PRETEND_NO_BLAS === '1') return { reason: 'no BLAS: IBL_NATIVE_PRETEND_NO_BLAS=1 is set' };
  const pc = run('pkg-config', ['--version']);
  if (!pc.ok) return { reason: 'no BLAS found: pkg-config is not installed (apt-get install pkg-config libopenblas-dev)' };
  for (const name of ['openblas', 'cblas', 'blas']) {
    const flags = run('pkg-config', ['--cflags', '--libs', name]);
    if (flags.ok) {
      return {
        name,
        cflags: run('pkg-config', ['--cflags', name]).out.trim(),
        libs: run('pkg-config', ['--libs', name]).out.trim(),
      };
    }
  }
  return { reason: 'no BLAS found by pkg-config (tried openblas, cblas, blas; on Debian/Ubuntu: apt-get install libopenblas-dev)' };
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  return candidates.find((p) => p && existsSync(p));
}

rmSync(join(buildDir, 'Release'), { recursive: true, force: true });
rmSync(logPath, { force: true });
if (process.env.IBL_NATIVE_BUILD === 'skip') finish(false, 'IBL_NATIVE_BUILD=skip is set');
const blas = findBlas();
if (blas.reason) finish(false, blas.reason);
const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, 'node-gyp not found (it ships with npm; set npm_config_node_gyp)');
try {
  createRequire(import.meta.url).resolve('node-addon-api');
} catch {
  finish(false, 'the node-addon-api package is not installed');
}
// Build against local headers when npm names them (npm config nodedir) or Node's own prefix has
// them; otherwise node-gyp would try to download them.
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir
  || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [nodeGyp, 'rebuild', `--directory=${nativeDir}`, '--jobs=2', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const build = run(process.execPath, args, {
  cwd: nativeDir,
  env: { ...process.env, IBL_BLAS_CFLAGS: blas.cflags, IBL_BLAS_LIBS: blas.libs },
});
mkdirSync(buildDir, { recursive: true });
writeFileSync(logPath, `$ node ${args.join(' ')}\nIBL_BLAS_CFLAGS=${blas.cflags}\nIBL_BLAS_LIBS=${blas.libs}\n\n${build.out}`);
if (!build.ok) {
  const lastError = build.out.split('\n').reverse().find((l) => /error/i.test(l))?.trim().slice(0, 200) ?? 'see log';
  finish(false, `compiling the addon failed: ${build.error?.message ?? lastError}`);
}
finish(true, null, { blas: `${blas.name} via pkg-config: ${blas.libs}` });
