/**
 * hessianVectorProduct seeds the outer backward pass with v on the concatenated inner gradient.
 * It must give, bit for bit, what differentiating the scalar Σ_i ⟨∇_i L, v_i⟩ gives (the
 * textbook form, written out here), on every backend; and a parameter the loss does not touch
 * gets a zero block without disturbing the others.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../src/backend/index.ts';
import { hessianVectorProduct, type LossFunction } from '../src/probes/hvp.ts';
import { createMlp } from '../src/models/mlp.ts';
import { softmaxCrossEntropy, oneHotFloat } from '../src/train/loss.ts';
import { createRng } from '../src/util/rng.ts';
import { seededValues } from './helpers/float64.ts';
import { nativeAvailable } from './helpers/native.ts';

/** Hv as ∇_θ Σ_i sum(∇_i L ⊙ v_i), the scalar form. */
function scalarFormHvp(loss: LossFunction, params: tf.Tensor[], v: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => {
    const engine = tf.engine();
    const { grads } = engine.gradients(() => {
      const inner = engine.gradients(() => loss(params), params, undefined, true);
      let directional: tf.Tensor = tf.scalar(0);
      inner.grads.forEach((g, i) => { if (g) directional = tf.add(directional, tf.sum(tf.mul(g, v[i]))); });
      return directional as tf.Scalar;
    }, params, undefined, true);
    return grads.map((g, i) => g ?? tf.zerosLike(params[i]));
  });
}

const backends = ['cpu', 'wasm', ...(nativeAvailable('HVP seeding on native') ? ['native'] : [])];
for (const backend of backends) {
  describe(`exact HVP seeded with v on ${backend}`, () => {
    it('equals the scalar ⟨∇L, v⟩ form bit for bit (ReLU MLP, cross-entropy)', async () => {
      await setupBackend(backend);
      const model = createMlp({ widths: [6, 9, 7, 4] });
      const params = model.init(createRng(3));
      const n = 11;
      const x = tf.tensor2d(Float32Array.from(seededValues(n * 6, 4)), [n, 6]);
      const y = oneHotFloat(Int32Array.from({ length: n }, (_, i) => (i * 3) % 4), 4);
      const v = params.map((p, i) => tf.tensor(Float32Array.from(seededValues(p.size, 10 + i)), p.shape));
      const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(model.apply(ps, x) as tf.Tensor2D, y);
      const got = hessianVectorProduct(loss, params, v);
      const want = scalarFormHvp(loss, params, v);
      expect(got.map((t) => t.shape)).toEqual(params.map((p) => p.shape));
      expect(got.map((t) => Array.from(t.dataSync()))).toEqual(want.map((t) => Array.from(t.dataSync())));
      expect(got.some((t) => t.dataSync().some((value) => value !== 0))).toBe(true);
      tf.dispose([...got, ...want, ...params, ...v, x, y]);
    });

    it('gives a zero block to a parameter the loss does not touch, and the same others', async () => {
      await setupBackend(backend);
      const a = tf.tensor1d([0.5, -1.25, 2]);
      const unused = tf.tensor2d([[1, 2], [3, 4]]);
      const b = tf.tensor1d([0.75, 0.1, -0.3]);
      const va = tf.tensor1d([1, -2, 0.5]);
      const vu = tf.tensor2d([[9, 9], [9, 9]]);
      const vb = tf.tensor1d([0.25, 1, -1]);
      // L = Σ exp(a ⊙ b): Hessian blocks in closed form.
      const loss = ([pa, , pb]: tf.Tensor[]) => tf.sum(tf.exp(tf.mul(pa, pb))) as tf.Scalar;
      const got = hessianVectorProduct(loss, [a, unused, b], [va, vu, vb]);
      expect(Array.from(got[1].dataSync())).toEqual([0, 0, 0, 0]);
      const av = a.arraySync(), bv = b.arraySync(), vav = va.arraySync(), vbv = vb.arraySync();
      // ∂²/∂a_k² = b_k² e, ∂²/∂a_k∂b_k = (1 + a_k b_k) e, ∂²/∂b_k² = a_k² e, with e = exp(a_k b_k).
      const hva = av.map((ak, k) => { const e = Math.exp(ak * bv[k]); return bv[k] ** 2 * e * vav[k] + (1 + ak * bv[k]) * e * vbv[k]; });
      const hvb = av.map((ak, k) => { const e = Math.exp(ak * bv[k]); return (1 + ak * bv[k]) * e * vav[k] + ak ** 2 * e * vbv[k]; });
      Array.from(got[0].dataSync()).forEach((value, k) => expect(value).toBeCloseTo(hva[k], 4));
      Array.from(got[2].dataSync()).forEach((value, k) => expect(value).toBeCloseTo(hvb[k], 4));
      const want = scalarFormHvp(loss, [a, unused, b], [va, vu, vb]);
      expect(got.map((t) => Array.from(t.dataSync()))).toEqual(want.map((t) => Array.from(t.dataSync())));
      tf.dispose([...got, ...want, a, unused, b, va, vu, vb]);
    });

    it('refuses a v whose shapes differ from the parameters (even with equal sizes)', async () => {
      await setupBackend(backend);
      const a = tf.tensor2d([[1, 2], [3, 4]]);
      const loss = ([p]: tf.Tensor[]) => tf.sum(tf.square(p)) as tf.Scalar;
      const bad = tf.tensor1d([1, 1, 1, 1]);
      expect(() => hessianVectorProduct(loss, [a], [bad])).toThrow(/one tensor per parameter, of its shape/);
      expect(() => hessianVectorProduct(loss, [a], [])).toThrow(/one tensor per parameter/);
      tf.dispose([a, bad]);
    });
  });
}
