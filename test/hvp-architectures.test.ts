/**
 * Exact HVPs of several MLP-family architectures against float64 references (mixed second
 * differences of a plain-JS forward pass), on the wasm, cpu and (when built) native backends; the
 * finite-difference HVP agrees with the exact one on the smooth models only.
 * (Conv nets with average/max pooling join this file once the conv second-order kernels land.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import type { Model } from '../src/models/types.ts';
import { classificationObjective, objectiveHessian } from '../src/probes/objective.ts';
import { flatten } from '../src/probes/operator.ts';
import { toTensorData } from '../src/train/tensorData.ts';
import { createRng } from '../src/util/rng.ts';
import { hessianVectorProductFloat64, relativeError, seededValues } from './helpers/float64.ts';
import { syntheticDataset } from './helpers/data.ts';
import { createResidualMlp, mlpLoss64, residualLoss64 } from './helpers/models.ts';
import { nativeAvailable } from './helpers/native.ts';

const n = 12;
const cases: { label: string; smooth: boolean; model: () => Model; loss64: (x: Float32Array, y: Int32Array) => (t: Float64Array) => number }[] = [
  { label: 'ReLU MLP', smooth: false, model: () => createMlp({ widths: [5, 8, 6, 3] }), loss64: (x, y) => mlpLoss64([5, 8, 6, 3], 'relu', x, y) },
  { label: 'tanh MLP', smooth: true, model: () => createMlp({ widths: [5, 8, 6, 3], activation: 'tanh' }), loss64: (x, y) => mlpLoss64([5, 8, 6, 3], 'tanh', x, y) },
  { label: 'residual tanh MLP', smooth: true, model: () => createResidualMlp(5, 7, 3, 2, 'tanh'), loss64: (x, y) => residualLoss64(5, 7, 3, 2, 'tanh', x, y) },
  { label: 'residual ReLU MLP', smooth: false, model: () => createResidualMlp(5, 7, 3, 2, 'relu'), loss64: (x, y) => residualLoss64(5, 7, 3, 2, 'relu', x, y) },
];

const backends = ['wasm', 'cpu', ...(nativeAvailable('exact HVP against float64 on native') ? ['native'] as const : [])] as const;
for (const backend of backends) {
  describe(`exact HVP against float64 on ${backend}`, () => {
    beforeAll(async () => {
      const info = await setupBackend(backend);
      expect(info.name).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
    });
    for (const c of cases) {
      it(`${c.label}: exact HVP to 1e-4 relative${c.smooth ? '; finite difference to 1e-3' : ''}`, () => {
        const model = c.model();
        const ds = syntheticDataset(n, 5, 3, 31, 2);
        const data = toTensorData(ds);
        const params = model.init(createRng(4));
        const theta = flatten(params);
        const v = seededValues(theta.length, 77);
        const got = objectiveHessian(classificationObjective(model, data, 5), params).apply(v);
        const want = hessianVectorProductFloat64(c.loss64(ds.x, ds.y), theta, v, 1e-5, 1e-5);
        expect(relativeError(got, want)).toBeLessThan(1e-4);
        if (c.smooth) {
          const fd = objectiveHessian(classificationObjective(model, data, 5), params, { method: 'finite-difference', epsilon: 3e-3 });
          expect(fd.method).toBe('finite-difference');
          expect(relativeError(fd.apply(v), got)).toBeLessThan(1e-3);
        }
        tf.dispose(params);
      });
    }
  });
}
