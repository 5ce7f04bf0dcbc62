/**
 * The `native` TF.js backend: TF.js's MathBackendCPU (tensors are typed arrays in JS memory)
 * registered under the name 'native', with every stock cpu kernel copied and the hot ones replaced
 * by kernels of the addon in native/ working on the same Float32Arrays (no copies). What is not
 * listed here runs the stock cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { NativeCpuBackend } from './nativeCpuBackend.ts';
import type { NativeAddon } from './loadAddon.ts';
import { nativeBackendName, stockCpuKernelConfigs, type KernelArgs, type NativeKernel } from './kernelUtil.ts';
import { batchMatMul, fusedMatMul } from './matMulKernels.ts';
import { addN, binaryKernel, binaryKernelNames, onesLike, select, transpose, unaryKernel, unaryKernelNames } from './elementwiseKernels.ts';
import { reduceKernel, reduceKernelNames } from './reduceKernels.ts';
import { avgPool, avgPoolGrad, conv2d, conv2dBackpropFilter, conv2dBackpropInput, maxPool, maxPoolGrad } from './convPoolKernels.ts';
import { scaledAddKernel, scaledAddKernelName } from './scaledAdd.ts';
import { gatherV2 } from './gatherKernel.ts';
import { concat } from './concatKernel.ts';
import { zerosLike } from './elementwiseKernels.ts';
import { batchNormGradKernel, batchNormKernel } from './batchNorm.ts';
import { batchNormGradKernelName, batchNormKernelName } from './batchNormOp.ts';
import { registerNativeReluGradient, reluGradKernel, reluGradKernelName } from './reluGradient.ts';

export function nativeKernels(): Record<string, NativeKernel> {
  const kernels: Record<string, NativeKernel> = {
    BatchMatMul: batchMatMul, _FusedMatMul: fusedMatMul, Select: select, AddN: addN, Transpose: transpose, OnesLike: onesLike,
    Conv2D: conv2d, Conv2DBackpropInput: conv2dBackpropInput, Conv2DBackpropFilter: conv2dBackpropFilter,
    MaxPool: maxPool, AvgPool: avgPool, MaxPoolGrad: maxPoolGrad, AvgPoolGrad: avgPoolGrad,
    [scaledAddKernelName]: scaledAddKernel,
    GatherV2: gatherV2,
    Concat: concat,
    ZerosLike: zerosLike,
    [batchNormKernelName]: batchNormKernel, [batchNormGradKernelName]: batchNormGradKernel,
    [reluGradKernelName]: reluGradKernel,
  };
  for (const name of binaryKernelNames) kernels[name] = binaryKernel(name);
  for (const name of unaryKernelNames) kernels[name] = unaryKernel(name);
  for (const name of reduceKernelNames) kernels[name] = reduceKernel(name);
  return kernels;
}

/**
 * BLAS threads. A matMul of ≥ 5·10⁷ flops (a batch-128 MLP step's products, 0.7–1·10⁸) runs as
 * two single-threaded halves, the second on a thread started for the call: on a quiet machine
 * that took the MLP epoch from 1.64× PyTorch (one thread) to 1.22× (median of 5 interleaved
 * rounds, README "Speed against PyTorch"). OpenBLAS's own threads (IBL_NATIVE_MATMUL_SPLIT=0) spin
 * between calls and compete with the JS thread; on a busy machine they lost most. The conv
 * kernels' im2col GEMMs keep 3·10⁸ (a lower shared threshold slowed the resnet step). On a busy
 * machine any second thread loses: IBL_NATIVE_BLAS_THREADS=1 caps the count.
 * IBL_NATIVE_MIN_FLOPS_ALL_THREADS (older name) sets both thresholds unless the per-kernel variable
 * is given.
 */
export const defaultMatMulMinFlops = 5e7;
export const defaultConvMinFlops = 3e8;

export interface BlasThreadSettings { maxThreads: number; matMulMinFlops: number; convMinFlops: number; splitMatMul: boolean }

export function blasThreadSettings(env: Record<string, string | undefined>): BlasThreadSettings {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a non-negative number`);
    return value;
  };
  const maxThreads = read('IBL_NATIVE_BLAS_THREADS', 0);
  if (!Number.isInteger(maxThreads)) throw new Error(`IBL_NATIVE_BLAS_THREADS=${env.IBL_NATIVE_BLAS_THREADS}: expected a whole number`);
  const split = env.IBL_NATIVE_MATMUL_SPLIT ?? '1';
  if (split !== '0' && split !== '1' && split !== '') throw new Error(`IBL_NATIVE_MATMUL_SPLIT=${split}: expected 0 or 1`);
  return {
    maxThreads,
    matMulMinFlops: read('IBL_NATIVE_MATMUL_MIN_FLOPS_ALL_THREADS', read('IBL_NATIVE_MIN_FLOPS_ALL_THREADS', defaultMatMulMinFlops)),
    convMinFlops: read('IBL_NATIVE_CONV_MIN_FLOPS_ALL_THREADS', read('IBL_NATIVE_MIN_FLOPS_ALL_THREADS', defaultConvMinFlops)),
    splitMatMul: split !== '0',
  };
}

let registered: string[] | null = null;

/** Registers the backend and its kernels (once per process); returns the native kernels' names. */
export function registerNativeBackend(addon: NativeAddon): string[] {
  if (registered) return registered;
  const threads = blasThreadSettings(process.env);
  addon.setBlasThreads(threads.maxThreads, threads.matMulMinFlops, threads.convMinFlops, threads.splitMatMul);
  tf.registerBackend(nativeBackendName, () => new NativeCpuBackend(), 0);
  for (const config of stockCpuKernelConfigs()) {
    tf.registerKernel({ ...config, backendName: nativeBackendName });
  }
  const kernels = nativeKernels();
  for (const [kernelName, kernel] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, nativeBackendName)) tf.unregisterKernel(kernelName, nativeBackendName);
    tf.registerKernel({
      kernelName, backendName: nativeBackendName,
      kernelFunc: ((args: KernelArgs) => kernel(args, addon)) as unknown as tf.KernelFunc,
    });
  }
  registerNativeReluGradient();
  registered = Object.keys(kernels).sort();
  return registered;
}
