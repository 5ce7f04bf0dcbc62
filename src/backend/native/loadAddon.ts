/**
 * Finds and loads the `native` backend's addon (native/build/Release/ibl_native.node, built by
 * scripts/build-native.mjs during `npm install`). When it is absent the reason comes from the
 * build's status file (no BLAS, no compiler, … and the build log's path), so that a forced
 * `IBL_BACKEND=native` and `BackendInfo.skipped` can say what is missing.
 * IBL_NATIVE_ADDON=<path> loads the addon from elsewhere (a missing path simulates a machine
 * where it was not built).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/src/addon.cc); every array is used in place, never retained. */
export interface NativeAddon {
  batchMatMul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, aOffsets: Int32Array, bOffsets: Int32Array): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array | Uint8Array,
    shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void;
  stridedCopy(x: Float32Array, out: Float32Array, shape: Int32Array, strides: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array): void;
  addN(xs: Float32Array[], out: Float32Array): void;
  axpy(x: Float32Array, y: Float32Array, alpha: number, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, r: number, inner: number): void;
  conv2d(geometry: Int32Array, x: Float32Array, w: Float32Array, y: Float32Array): void;
  conv2dBackpropInput(geometry: Int32Array, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  conv2dBackpropFilter(geometry: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  pool(kind: number, geometry: Int32Array, x: Float32Array, y: Float32Array): void;
  maxPoolGrad(geometry: Int32Array, dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  avgPoolGrad(geometry: Int32Array, dy: Float32Array, dx: Float32Array): void;
  setBlasThreads(maxThreads: number, matMulMinFlopsForAllThreads: number, convMinFlopsForAllThreads: number, splitMatMul: boolean): void;
  batchNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, rows: number, channels: number, epsilon: number): void;
  batchNormGrad(dy: Float32Array, x: Float32Array, gamma: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
    rows: number, channels: number, epsilon: number): void;
  reluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void;
  blas: string;
}

export type AddonLoad = { addon: NativeAddon; path: string } | { reason: string };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const defaultAddonPath = join(repoRoot, 'native', 'build', 'Release', 'ibl_native.node');
const statusPath = join(repoRoot, 'native', 'build', 'status.json');

function buildStatusReason(): string {
  if (!existsSync(statusPath)) {
    return 'the native addon was never built (run `node scripts/build-native.mjs`, which `npm install` runs)';
  }
  try {
    const status = JSON.parse(readFileSync(statusPath, 'utf8')) as { built: boolean; reason: string | null; log: string };
    return status.built
      ? `the build reported success but the addon file is missing (build log: ${status.log})`
      : `the native addon was not built: ${status.reason} (build log: ${status.log})`;
  } catch (error) {
    return `the native addon was not built and ${statusPath} is unreadable (${(error as Error).message})`;
  }
}

const requiredFunctions = ['batchMatMul', 'binary', 'stridedCopy', 'unary', 'select', 'addN', 'axpy', 'reduce', 'conv2d',
  'conv2dBackpropInput', 'conv2dBackpropFilter', 'pool', 'maxPoolGrad', 'avgPoolGrad', 'setBlasThreads', 'batchNorm', 'batchNormGrad', 'reluGrad'] as const;

let cached: AddonLoad | null = null;
let cachedPath: string | null = null;

export function loadNativeAddon(): AddonLoad {
  const override = process.env.IBL_NATIVE_ADDON;
  const path = override && override !== '' ? resolve(override) : defaultAddonPath;
  if (cached && cachedPath === path) return cached;
  cachedPath = path;
  if (!existsSync(path)) {
    cached = { reason: override ? `no addon at ${path} (IBL_NATIVE_ADDON)` : buildStatusReason() };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const missing = requiredFunctions.filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] !== 'function');
    cached = missing.length === 0
      ? { addon, path }
      : { reason: `the native addon at ${path} is stale (no ${missing.join(', ')}); rebuild it with \`node scripts/build-native.mjs\`` };
  } catch (error) {
    // A dlopen failure: typically the BLAS shared library is gone (libopenblas0 uninstalled).
    cached = { reason: `the native addon at ${path} failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
  return cached;
}
