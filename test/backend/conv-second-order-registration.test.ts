/**
 * The second-order conv/pool gradient configs are registered once (by setupBackend), a second
 * registration adds nothing, and the test hook removes exactly them and puts them back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend/setup.ts';
import { registerConvSecondOrderGradients, secondOrderConvKernelNames, withoutConvSecondOrderGradients } from '../../src/backend/convSecondOrder.ts';

beforeAll(async () => { await setupBackend(); });

describe('second-order conv gradient registration', () => {
  it('is idempotent and reversible by the test hook', () => {
    expect(secondOrderConvKernelNames).toEqual(['Conv2DBackpropFilter', 'AvgPoolGrad', 'MaxPoolGrad', 'EluGrad']);
    const before = secondOrderConvKernelNames.map((k) => tf.getGradient(k));
    before.forEach((g) => expect(g).toBeDefined());
    // Already registered by setupBackend: nothing new, and the configs are the same objects.
    expect(registerConvSecondOrderGradients()).toEqual([]);
    secondOrderConvKernelNames.forEach((k, i) => expect(tf.getGradient(k)).toBe(before[i]));
    const inside = withoutConvSecondOrderGradients(() => secondOrderConvKernelNames.map((k) => tf.getGradient(k)));
    inside.forEach((g) => expect(g).toBeUndefined());
    secondOrderConvKernelNames.forEach((k, i) => expect(tf.getGradient(k)).toBe(before[i]));
  });
});
