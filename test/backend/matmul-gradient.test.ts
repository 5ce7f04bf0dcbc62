/**
 * The explicit-transpose BatchMatMul gradient (src/backend/matMulGradient.ts) for every
 * (transposeA, transposeB) pair, rank 2 and batched rank 3, against float64 loops:
 * for L = Σ G ⊙ (op(A)·op(B)), ∂L/∂op(A) = G·op(B)ᵀ and ∂L/∂op(B) = op(A)ᵀ·G, transposed back
 * when the flag is set. The second derivative through it (an HVP) is checked the same way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { hessianVectorProduct } from '../../src/probes/hvp.ts';
import { seededValues } from '../helpers/float64.ts';

// The override is what the wasm (and cpu) backends use; on `native` the stock rule stays.
beforeAll(async () => { await setupBackend('wasm'); });

type M = number[][];
const T = (x: M): M => x[0].map((_, j) => x.map((r) => r[j]));
const mm = (x: M, y: M): M => x.map((r) => y[0].map((_, j) => r.reduce((s, v, k) => s + v * y[k][j], 0)));
const mat = (rows: number, cols: number, seed: number): M => {
  const v = Array.from(seededValues(rows * cols, seed), (x) => Math.fround(x));
  return Array.from({ length: rows }, (_, i) => v.slice(i * cols, i * cols + cols));
};
const close = (got: ArrayLike<number>, want: M) => want.flat().forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));

describe('BatchMatMul gradient with explicit transposes', () => {
  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`rank 2, transposeA=${tA}, transposeB=${tB}: first and second derivatives`, () => {
      // op(A) is 2×3, op(B) is 3×4.
      const opA = mat(2, 3, 1);
      const opB = mat(3, 4, 2);
      const G = mat(2, 4, 3);
      const A = tA ? T(opA) : opA;
      const B = tB ? T(opB) : opB;
      const loss = ([a, b]: tf.Tensor[]) => tf.sum(tf.mul(tf.tensor2d(G), tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, tA, tB))) as tf.Scalar;
      const params = [tf.tensor2d(A), tf.tensor2d(B)];
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss([a, b]))(params);
      const dOpA = mm(G, T(opB));
      const dOpB = mm(T(opA), G);
      close(grads[0].dataSync(), tA ? T(dOpA) : dOpA);
      close(grads[1].dataSync(), tB ? T(dOpB) : dOpB);
      // L is bilinear: H(vA, vB) = (∂/∂A of ⟨G, op(vA)op(B) + op(A)op(vB)⟩ …) = the gradients of
      // ⟨G, op(A)op(vB)⟩ w.r.t. A and of ⟨G, op(vA)op(B)⟩ w.r.t. B.
      const vOpA = mat(2, 3, 4);
      const vOpB = mat(3, 4, 5);
      const v = [tf.tensor2d(tA ? T(vOpA) : vOpA), tf.tensor2d(tB ? T(vOpB) : vOpB)];
      const hv = hessianVectorProduct(loss, params, v);
      const hA = mm(G, T(vOpB));
      const hB = mm(T(vOpA), G);
      close(hv[0].dataSync(), tA ? T(hA) : hA);
      close(hv[1].dataSync(), tB ? T(hB) : hB);
      tf.dispose([...params, ...grads, ...v, ...hv]);
    });
  }

  it('rank 3 with the same batch size gives the per-batch gradients', () => {
    const A = [mat(2, 3, 6), mat(2, 3, 7)];
    const B = [mat(3, 2, 8), mat(3, 2, 9)];
    const G = [mat(2, 2, 10), mat(2, 2, 11)];
    const a = tf.tensor3d(A);
    const b = tf.tensor3d(B);
    const g = tf.tensor3d(G);
    const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(g, tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D))))([a, b]);
    close(dA.dataSync(), [0, 1].flatMap((k) => mm(G[k], T(B[k]))));
    close(dB.dataSync(), [0, 1].flatMap((k) => mm(T(A[k]), G[k])));
    tf.dispose([a, b, g, dA, dB]);
  });
});
