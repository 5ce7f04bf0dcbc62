/**
 * Conv2DBackpropFilter: the replacement (Conv2D over transposed tensors, convFilterKernel.ts) vs
 * the stock cpu kernel, on wasm and cpu, for two MNIST-sized layers; Conv2DBackpropInput: the
 * replacement (Conv2D of the dilated dy with the flipped filter, convInputKernel.ts) vs the
 * stock kernel of each backend. Not a test. For whole training steps see bench-conv-step.ts.
 *
 *   npx tsx scripts/bench-conv.ts            # both layers, stock cpu kernel timed once each
 *   npx tsx scripts/bench-conv.ts --no-stock # skip the (slow) stock cpu kernel
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterViaConv2D } from '../src/backend/convFilterKernel.ts';
import { conv2DBackpropInputViaConv2D } from '../src/backend/convInputKernel.ts';
import { setupBackend } from '../src/backend/index.ts';

interface Layer { label: string; x: [number, number, number, number]; filter: [number, number, number, number]; stride: number; pad: 'same' | 'valid' }
const layers: Layer[] = [
  { label: 'batch 64, 28×28×1 → 16, 3×3, same', x: [64, 28, 28, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'same' },
  { label: 'batch 64, 14×14×16 → 32, 3×3, same', x: [64, 14, 14, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { label: 'batch 64, 28×28×16 → 32, 3×3, stride 2, same', x: [64, 28, 28, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'same' },
];
const skipStock = process.argv.includes('--no-stock');

// Keep the stock kernels before setupBackend replaces them.
await tf.setBackend('cpu');
const stockCpu = tf.getKernel('Conv2DBackpropFilter', 'cpu');
const stockInput = { cpu: tf.getKernel('Conv2DBackpropInput', 'cpu'), wasm: tf.getKernel('Conv2DBackpropInput', 'wasm') };

function time(fn: () => tf.TensorInfo, repeats: number): { ms: number; values: Float32Array } {
  let values: Float32Array = new Float32Array();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const info = fn();
    const out = tf.engine().makeTensorFromTensorInfo(info);
    values = out.dataSync() as Float32Array;
    best = Math.min(best, performance.now() - t0);
    out.dispose();
  }
  return { ms: best, values };
}

function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

for (const backendName of ['wasm', 'cpu']) {
  await setupBackend(backendName);
  console.log(`\n=== ${backendName}`);
  for (const layer of layers) {
    const x = tf.randomNormal(layer.x, 0, 1, 'float32', 1);
    const y = tf.conv2d(x as tf.Tensor4D, tf.randomNormal(layer.filter, 0, 1, 'float32', 2) as tf.Tensor4D, layer.stride, layer.pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const attrs = { strides: [layer.stride, layer.stride], pad: layer.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: layer.filter } as unknown as tf.NamedAttrMap;
    const args = { inputs: { x, dy }, backend: tf.backend(), attrs };
    const replacement = conv2DBackpropFilterViaConv2D(backendName);
    const ours = time(() => replacement(args) as tf.TensorInfo, 5);
    let line = `${layer.label}: replacement ${ours.ms.toFixed(1)} ms`;
    if (backendName === 'cpu' && !skipStock) {
      const stock = time(() => stockCpu.kernelFunc(args) as tf.TensorInfo, 1);
      line += `, stock cpu kernel ${stock.ms.toFixed(0)} ms (×${(stock.ms / ours.ms).toFixed(0)}), relative difference ${relDiff(ours.values, stock.values).toExponential(1)}`;
    }
    console.log(line);
    const inputAttrs = { ...attrs, inputShape: layer.x } as unknown as tf.NamedAttrMap;
    const filter = tf.randomNormal(layer.filter, 0, 1, 'float32', 4);
    const inputArgs = { inputs: { dy, filter }, backend: tf.backend(), attrs: inputAttrs };
    const stock = stockInput[backendName as 'cpu' | 'wasm'];
    const mine = time(() => conv2DBackpropInputViaConv2D(backendName, undefined)(inputArgs) as tf.TensorInfo, 5);
    const theirs = time(() => stock.kernelFunc(inputArgs) as tf.TensorInfo, backendName === 'cpu' ? 2 : 5);
    console.log(`  Conv2DBackpropInput: replacement ${mine.ms.toFixed(1)} ms, stock ${theirs.ms.toFixed(1)} ms, ` +
      `relative difference ${relDiff(mine.values, theirs.values).toExponential(1)}`);
    tf.dispose([x, y, dy, filter]);
  }
}
