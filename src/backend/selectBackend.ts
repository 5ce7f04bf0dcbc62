/**
 * Chooses the fastest TF.js backend that loads on this machine:
 *   tensorflow (@tensorflow/tfjs-node, native libtensorflow; optional, its install downloads a
 *   binary) → native (the cpu backend with C++/BLAS kernels from native/, built by `npm install`
 *   when a compiler and a BLAS are there; src/backend/native/) → wasm (@tensorflow/tfjs-backend-wasm, the .wasm ships in the npm package; ~30× the
 *   cpu backend's matMul) → cpu (pure JS).
 * `IBL_BACKEND=tensorflow|native|wasm|cpu` forces one and fails loudly when it cannot load.
 *
 * Note: in Node the wasm backend runs one thread (`setThreadsCount` has no effect), so the
 * second core is for parallel runs, not for speeding up one.
 */
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddon } from './native/loadAddon.ts';
import { registerNativeBackend } from './native/nativeBackend.ts';

export const backendNames = ['tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

async function tryTensorflow(): Promise<string | null> {
  try {
    // The specifier is a variable so that bundlers and tsc do not require the optional package.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
  } catch (error) {
    return `@tensorflow/tfjs-node is not installed or failed to load (${(error as Error).message.split('\n')[0]}); ` +
      'it is an optional dependency whose install downloads libtensorflow, so it is absent on machines without internet access';
  }
  return (await tf.setBackend('tensorflow')) ? null : 'tf.setBackend("tensorflow") returned false';
}

async function tryNative(): Promise<string | null> {
  const load = loadNativeAddon();
  if ('reason' in load) return load.reason;
  try {
    registerNativeBackend(load.addon);
  } catch (error) {
    return `registering the native backend failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return (await tf.setBackend('native')) ? null : 'tf.setBackend("native") returned false';
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return `@tensorflow/tfjs-backend-wasm failed to load: ${(error as Error).message}`;
  }
  return (await tf.setBackend('wasm')) ? null : 'tf.setBackend("wasm") returned false (the .wasm binary did not initialise)';
}

async function tryCpu(): Promise<string | null> {
  return (await tf.setBackend('cpu')) ? null : 'tf.setBackend("cpu") returned false';
}

const loaders: Record<BackendName, () => Promise<string | null>> = {
  tensorflow: tryTensorflow,
  native: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
};

/** Parse IBL_BACKEND (or an explicit request); undefined means "best available". */
export function requestedBackend(explicit?: string): BackendName | undefined {
  const raw = explicit ?? process.env.IBL_BACKEND;
  if (raw === undefined || raw === '' || raw === 'auto') return undefined;
  if (!(backendNames as readonly string[]).includes(raw)) {
    throw new Error(`IBL_BACKEND=${raw} is not a backend; choose one of ${backendNames.join(', ')} (or leave it unset for the best available)`);
  }
  return raw as BackendName;
}

/** Activate a backend; returns its name and why faster ones were skipped. */
export async function selectBackend(explicit?: string): Promise<{ name: BackendName; skipped: string[] }> {
  const forced = requestedBackend(explicit);
  if (forced) {
    const failure = await loaders[forced]();
    if (failure) throw new Error(`backend '${forced}' was requested (IBL_BACKEND or --backend) but is not available: ${failure}`);
    return { name: forced, skipped: [] };
  }
  const skipped: string[] = [];
  for (const name of backendNames) {
    const failure = await loaders[name]();
    if (!failure) return { name, skipped };
    skipped.push(`${name}: ${failure}`);
  }
  throw new Error(`no TF.js backend could be loaded:\n${skipped.join('\n')}`);
}
