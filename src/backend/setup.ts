/**
 * One call that prepares TF.js for this toolkit: pick the backend, then install the engine and
 * gradient fixes that make Hessian-vector products exact and wasm gradients fast, then verify
 * second-order autodiff against closed forms.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from './selectBackend.ts';
import { installTapeOrderFix } from './tapeOrderFix.ts';
import { registerExtraGradients } from './extraGradients.ts';
import { registerExplicitTransposeMatMulGradient } from './matMulGradient.ts';
import { secondOrderSelfTest } from './selfTest.ts';
import { registerConvAndPoolFixes } from './convKernels.ts';
import { loadNativeAddon } from './native/loadAddon.ts';
import { nativeKernels } from './native/nativeBackend.ts';
import { registerNativeReductionGradients } from './native/reductionGradients.ts';

export interface BackendInfo {
  name: BackendName;
  tfjsVersion: string;
  /** Faster backends that were not chosen, each with the reason (e.g. why `native` is absent). */
  skipped: string[];
  secondOrderSelfTest: string[];
  /** Every engine, gradient and kernel fix in force on this backend (see convKernels.ts for the probes). */
  fixes: string[];
  /** On `native`: the addon, its BLAS and the kernels it replaces (the rest are the stock cpu kernels). */
  native?: { addon: string; blas: string; kernels: string[] };
}

let current: Promise<BackendInfo> | null = null;
let currentRequest: string | undefined;

export async function setupBackend(requested?: string): Promise<BackendInfo> {
  if (current && currentRequest === requested) return current;
  currentRequest = requested;
  current = (async () => {
    const { name, skipped } = await selectBackend(requested);
    await tf.ready();
    installTapeOrderFix();
    registerExtraGradients();
    registerExplicitTransposeMatMulGradient();
    registerNativeReductionGradients();
    const convFixes = registerConvAndPoolFixes();
    const fixes = [
      'engine: tape-order fix (exact reverse-over-reverse)',
      'gradient: comparison kernels (zero)',
      'gradient: BatchMatMul (explicit transposes)',
      ...(name === 'native' ? ['gradient: Sum, Mean (native: onesLike instead of a JS-filled ones)'] : []),
      ...convFixes.map((f) => f.name),
    ];
    const selfTest = secondOrderSelfTest();
    if (!selfTest.passed) {
      throw new Error(`second-order autodiff self-test failed on backend '${name}' (TF.js ${tf.version_core}); ` +
        `Hessian probes would be wrong:\n${selfTest.details.join('\n')}`);
    }
    const info: BackendInfo = { name, tfjsVersion: tf.version_core, skipped, secondOrderSelfTest: selfTest.details, fixes };
    const addon = name === 'native' ? loadNativeAddon() : null;
    if (addon && 'addon' in addon) info.native = { addon: addon.path, blas: addon.addon.blas, kernels: Object.keys(nativeKernels()).sort() };
    return info;
  })();
  try {
    return await current;
  } catch (error) {
    current = null;
    throw error;
  }
}
