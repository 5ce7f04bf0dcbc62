/**
 * Start-up check that second-order autodiff is exact on this engine. If a TF.js upgrade changes
 * the engine internals that `tapeOrderFix` relies on, this fails loudly instead of letting
 * every Hessian number in a run be silently wrong.
 *
 * Checks, against closed forms:
 *   d²/dx² exp(x) at x = 0.5 is e^0.5 = 1.6487… (stock TF.js 4.22 throws here);
 *   vᵀ∇² logSumExp(x) v = Σ pᵢvᵢ² − (Σ pᵢvᵢ)², p = softmax(x) (stock TF.js gets it wrong).
 */
import * as tf from '@tensorflow/tfjs';

function hvpScalarFunction(f: (x: tf.Tensor) => tf.Scalar, x0: number[], v: number[]): number[] {
  return tf.tidy(() => {
    const x = tf.tensor1d(x0);
    const direction = tf.tensor1d(v);
    const engine = tf.engine();
    const { value, grads } = engine.gradients(() => {
      const inner = engine.gradients(() => f(x), [x], undefined, true);
      return tf.sum(tf.mul(inner.grads[0], direction)) as tf.Scalar;
    }, [x], undefined, true);
    value.dispose();
    return Array.from(grads[0].dataSync());
  });
}

export interface SelfTestResult { passed: boolean; details: string[] }

export function secondOrderSelfTest(): SelfTestResult {
  const details: string[] = [];
  let passed = true;
  const check = (label: string, got: number, want: number) => {
    const rel = Math.abs(got - want) / Math.max(Math.abs(want), 1e-12);
    const ok = Number.isFinite(got) && rel < 1e-4;
    passed &&= ok;
    details.push(`${ok ? 'ok' : 'FAIL'} ${label}: got ${got}, expected ${want} (relative error ${rel.toExponential(2)})`);
  };
  try {
    check('d²/dx² exp(x) at 0.5', hvpScalarFunction((x) => tf.sum(tf.exp(x)), [0.5], [1])[0], Math.exp(0.5));
    const x0 = [0.3, -1.2, 2.0];
    const v = [1, -0.5, 0.25];
    const z = Math.log(x0.reduce((s, a) => s + Math.exp(a), 0));
    const p = x0.map((a) => Math.exp(a - z));
    const pv = p.reduce((s, pi, i) => s + pi * v[i], 0);
    const quad = p.reduce((s, pi, i) => s + pi * v[i] * v[i], 0) - pv * pv;
    const hv = hvpScalarFunction((x) => tf.logSumExp(x) as tf.Scalar, x0, v);
    check('vᵀ∇²logSumExp v', hv.reduce((s, h, i) => s + h * v[i], 0), quad);
  } catch (error) {
    passed = false;
    details.push(`FAIL: second differentiation threw: ${(error as Error).message}`);
  }
  return { passed, details };
}
