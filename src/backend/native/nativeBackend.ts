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

let registered: string[] | null = null;

/** Registers the backend and its kernels (once per process); returns the native kernels' names. */
export function registerNativeBackend(addon: NativeAddon): string[] {
  if (registered) return registered;
  // BLAS threads: both cores only for products of ≥ 3·10⁸ flops (the 1,000-example gradient's
  // layers); a batch-128 step's products run on one, since a spinning BLAS worker competes with
  // the JS thread (measured; README "Native backend"). IBL_NATIVE_BLAS_THREADS caps the count.
  addon.setBlasThreads(Number(process.env.IBL_NATIVE_BLAS_THREADS ?? 0), Number(process.env.IBL_NATIVE_MIN_FLOPS_ALL_THREADS ?? 3e8));
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
