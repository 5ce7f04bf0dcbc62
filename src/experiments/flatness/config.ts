/**
 * The flatness-versus-learning-rate study (`ibl reproduce flatness-vs-lr`) as plain data:
 * which data, architectures, losses, learning-rate grids, batch sizes and budgets. Two presets:
 *
 *   quick — 500 UCI digits (embedded), tanh MLP [64, 64] and CNN [8, 16]; sized by measurement
 *           to finish in under ten minutes on two cores (wasm): MLP ~16 ms and CNN ~47 ms per
 *           full-batch step on 500 examples, λ_max tracking ~18 steps' worth every 20 steps.
 *   paper — 5,000 Fashion-MNIST images (Cohen et al. use a 5,000-image CIFAR-10 subset and
 *           width-200 tanh MLPs), MLP [200, 200] and CNN [16, 32] + dense 64, 8 learning rates,
 *           5,000-step budgets: days of wasm time — a Slurm job array (--executor slurm).
 *
 * Why tanh and the squared loss lead: at this scale they show the edge of stability clearly
 * (λ_max sharpens to 2/η and hovers there); cross-entropy sharpness falls as the loss goes to
 * 0 (shared/notes measurements), and bias-free ReLU nets catapult to below 2/η.
 */
import type { ClassificationLossKind } from '../../train/loss.ts';

import type { ExecutionConfig } from '../study/executionConfig.ts';
export const flatnessScales = ['quick', 'paper'] as const;
export type FlatnessScale = (typeof flatnessScales)[number];

export interface FlatnessArchitecture {
  id: 'mlp' | 'cnn';
  /** A run config's `model` section. */
  model: Record<string, unknown>;
  /** Indices into the loss's learning-rate grid this architecture is trained at (all if absent). */
  gridIndices?: number[];
}

export interface FlatnessConfig {
  /** Where the points run (flags of the same names win); see study/executionConfig.ts. */
  execution?: ExecutionConfig;
  scale: FlatnessScale;
  dataset: 'digits' | 'fashion-mnist';
  trainSize: number;
  testSize: number;
  seed: number;
  architectures: FlatnessArchitecture[];
  losses: ClassificationLossKind[];
  /** Full-batch GD learning rates (log grid) per loss. */
  learningRates: Record<ClassificationLossKind, number[]>;
  stepBudget: number;
  /** Stop a run at this training loss (compare solutions at equal loss), per loss. */
  stopAtTrainLoss: Record<ClassificationLossKind, number>;
  /** λ_max every this many steps in GD runs (warm-started Lanczos on the whole training set). */
  sharpnessEvery: number;
  probeEvery: number;
  traceSamples: number;
  /** SGD: batch sizes at fixed η, and (η, B) pairs at fixed η/B — MLP, first loss. */
  sgd: { learningRate: number; batchSizes: number[]; ratioPairs: { learningRate: number; batchSize: number }[]; stepBudget: number };
}

export function flatnessPreset(scale: FlatnessScale): FlatnessConfig {
  if (scale === 'quick') {
    return {
      scale, dataset: 'digits', trainSize: 500, testSize: 497, seed: 0,
      architectures: [
        { id: 'mlp', model: { kind: 'mlp', hidden: [64, 64], activation: 'tanh', init: 'lecun' } },
        { id: 'cnn', model: { kind: 'cnn', channels: [8, 16], dense: [], pool: 'avg' }, gridIndices: [1, 2, 3] },
      ],
      losses: ['mse', 'cross-entropy'],
      learningRates: { mse: [0.01, 0.02, 0.04, 0.08, 0.16], 'cross-entropy': [0.05, 0.1, 0.2, 0.4, 0.8] },
      stepBudget: 600,
      stopAtTrainLoss: { mse: 0.005, 'cross-entropy': 0.005 },
      sharpnessEvery: 20,
      probeEvery: 100,
      traceSamples: 10,
      sgd: {
        learningRate: 0.04, batchSizes: [16, 64, 256],
        ratioPairs: [{ learningRate: 0.01, batchSize: 16 }, { learningRate: 0.02, batchSize: 32 }, { learningRate: 0.08, batchSize: 128 }],
        stepBudget: 600,
      },
    };
  }
  return {
    scale, dataset: 'fashion-mnist', trainSize: 5000, testSize: 2000, seed: 0,
    architectures: [
      { id: 'mlp', model: { kind: 'mlp', hidden: [200, 200], activation: 'tanh', init: 'lecun' } },
      { id: 'cnn', model: { kind: 'cnn', channels: [16, 32], dense: [64], pool: 'avg' } },
    ],
    losses: ['mse', 'cross-entropy'],
    learningRates: {
      mse: [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64],
      'cross-entropy': [0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56],
    },
    stepBudget: 5000,
    stopAtTrainLoss: { mse: 0.001, 'cross-entropy': 0.001 },
    sharpnessEvery: 25,
    probeEvery: 250,
    traceSamples: 20,
    sgd: {
      learningRate: 0.04, batchSizes: [32, 128, 512, 2048],
      ratioPairs: [{ learningRate: 0.01, batchSize: 32 }, { learningRate: 0.02, batchSize: 64 }, { learningRate: 0.08, batchSize: 256 }, { learningRate: 0.16, batchSize: 512 }],
      stepBudget: 10000,
    },
  };
}
