/**
 * Installing the tape-order fix is idempotent and reversible, and the flag reports it; the fix
 * itself is checked against float64 second differences in test/hvp-ops.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { installTapeOrderFix, isTapeOrderFixInstalled, uninstallTapeOrderFix } from '../../src/backend/tapeOrderFix.ts';
import { hessianVectorProduct } from '../../src/probes/hvp.ts';

beforeAll(async () => { await setupBackend(); });

/** d²/dθ² Σ exp(θ) at θ = 0.5 along v = 1: e^0.5 = 1.6487…; stock TF.js 4.22 gets half of it. */
const secondDerivative = () => tf.tidy(() => hessianVectorProduct(([t]) => tf.sum(tf.exp(t)) as tf.Scalar, [tf.tensor1d([0.5])], [tf.tensor1d([1])])[0].dataSync()[0]);

describe('tape-order fix installation', () => {
  it('is reported, idempotent, and removable', () => {
    expect(isTapeOrderFixInstalled()).toBe(true);
    const engine = tf.engine() as unknown as { runKernelFunc: unknown };
    const patched = engine.runKernelFunc;
    installTapeOrderFix();
    expect(engine.runKernelFunc).toBe(patched); // a second install does not wrap twice
    expect(secondDerivative()).toBeCloseTo(Math.exp(0.5), 4);
    uninstallTapeOrderFix();
    expect(isTapeOrderFixInstalled()).toBe(false);
    expect(engine.runKernelFunc).not.toBe(patched);
    uninstallTapeOrderFix(); // no-op when not installed
    expect(isTapeOrderFixInstalled()).toBe(false);
    installTapeOrderFix();
    expect(isTapeOrderFixInstalled()).toBe(true);
    expect(secondDerivative()).toBeCloseTo(Math.exp(0.5), 4);
  });
});
