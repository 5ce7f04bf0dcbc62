/**
 * The conv kernels of the Zhang quick preset's resnet-cnn (stride-2 stem, stages [16, 32], batch
 * 100) one at a time on the native backend, each with the algorithm conv.cc picks (auto) and with
 * im2col + sgemm forced: minimum and median wall time over --reps calls. The minimum is the
 * number to compare on a shared machine (other jobs only ever add time). Not a test.
 *
 *   npx tsx scripts/bench-zhang-conv-kernels.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { setupBackend } from '../src/backend/setup.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '40' } } });
await setupBackend('native');
const reps = Number(values.reps);
type Shape4 = [number, number, number, number];
interface Layer { label: string; x: Shape4; filter: Shape4; stride: number }
const layers: Layer[] = [
  { label: 'stem 1→16 3×3 s2', x: [100, 28, 28, 1], filter: [3, 3, 1, 16], stride: 2 },
  { label: 'stage-2 16→32 3×3 s2', x: [100, 14, 14, 16], filter: [3, 3, 16, 32], stride: 2 },
  { label: 'shortcut 16→32 1×1 s2', x: [100, 14, 14, 16], filter: [1, 1, 16, 32], stride: 2 },
  { label: 'stage-1 16→16 3×3 s1', x: [100, 14, 14, 16], filter: [3, 3, 16, 16], stride: 1 },
  { label: 'stage-2 32→32 3×3 s1', x: [100, 7, 7, 32], filter: [3, 3, 32, 32], stride: 1 },
];
const stats = (ms: number[]) => { ms.sort((a, b) => a - b); return `min ${ms[0].toFixed(2)} median ${ms[ms.length >> 1].toFixed(2)}`; };
function timeKernel(run: () => tf.Tensor): string {
  for (let i = 0; i < 3; i++) tf.dispose(run());
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = run();
    out.dataSync();
    ms.push(performance.now() - t0);
    out.dispose();
  }
  return stats(ms);
}
for (const layer of layers) {
  const x = tf.randomNormal(layer.x);
  const w = tf.randomNormal(layer.filter);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, layer.stride, 'same');
  const dy = tf.randomNormal(y.shape);
  const attrs = { strides: [layer.stride, layer.stride], pad: 'same', dataFormat: 'NHWC' };
  for (const algorithm of ['auto', 'im2col']) {
    if (algorithm === 'auto') delete process.env.IBL_NATIVE_CONV; else process.env.IBL_NATIVE_CONV = algorithm;
    const forward = timeKernel(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, layer.stride, 'same'));
    const input = layer.x[3] === 1 ? 'not needed' : timeKernel(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: layer.x }) as tf.Tensor);
    const filter = timeKernel(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: layer.filter }) as tf.Tensor);
    process.stdout.write(`${layer.label.padEnd(24)} ${algorithm.padEnd(6)} forward ${forward} | input grad ${input} | filter grad ${filter} (ms)\n`);
  }
  delete process.env.IBL_NATIVE_CONV;
  tf.dispose([x, w, y, dy]);
}
