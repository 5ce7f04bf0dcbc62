/**
 * The flatness-versus-learning-rate study as a StudyDefinition: every point is a fully
 * resolved run config; the engine trains them; `flatnessReport` reads only the run folders.
 *
 *   part 'gd'     full-batch GD, each architecture × loss × η on the grid, λ_max tracked every
 *                 `sharpnessEvery` steps on the whole training set (Cohen et al. 2021)
 *   part 'batch'  SGD at fixed η over batch sizes (Keskar et al. 2017)
 *   part 'ratio'  SGD over (η, B) pairs at fixed η/B (Jastrzębski et al. 2020)
 *
 * Every run's curvature probes use the whole training set, so all λ_max and traces are of the
 * same loss.
 */
import { parseRunConfig } from '../runConfig.ts';
import type { StudyKind } from '../study/registry.ts';
import type { StudyDefinition, StudyPoint } from '../study/types.ts';
import type { ClassificationLossKind } from '../../train/loss.ts';
import type { FlatnessConfig } from './config.ts';
import { flatnessReport } from './report.ts';

const lossTag = (loss: ClassificationLossKind) => (loss === 'mse' ? 'mse' : 'ce');

function baseConfig(config: FlatnessConfig, label: string, model: Record<string, unknown>, loss: ClassificationLossKind) {
  return {
    name: label,
    seed: config.seed,
    data: { dataset: config.dataset, trainSize: config.trainSize, testSize: config.testSize },
    model,
    training: { steps: config.stepBudget, loss, stopAtTrainLoss: config.stopAtTrainLoss[loss] },
    probes: {
      every: config.probeEvery, curvatureEvery: config.probeEvery * Math.ceil(config.stepBudget / config.probeEvery),
      trace: { samples: config.traceSamples }, eig: { k: 1 }, gradNorm: true, margin: false, subset: 'all' as const,
    },
  };
}

export function flatnessPoints(config: FlatnessConfig): StudyPoint[] {
  const points: StudyPoint[] = [];
  for (const arch of config.architectures) {
    for (const loss of config.losses) {
      const grid = config.learningRates[loss];
      const indices = arch.gridIndices ?? grid.map((_, i) => i);
      for (const i of indices) {
        const eta = grid[i];
        const label = `gd-${arch.id}-${lossTag(loss)}-eta=${eta}`;
        const raw = baseConfig(config, label, arch.model, loss);
        points.push({
          label,
          tags: { part: 'gd', arch: arch.id, loss, eta, batch: null },
          config: parseRunConfig({ ...raw, optimizer: { kind: 'gd', learningRate: eta }, probes: { ...raw.probes, sharpnessEvery: config.sharpnessEvery } }, label),
        });
      }
    }
  }
  const mlp = config.architectures.find((a) => a.id === 'mlp') ?? config.architectures[0];
  const loss = config.losses[0];
  const sgd = (part: 'batch' | 'ratio', eta: number, batch: number) => {
    const label = `sgd-${part}-${mlp.id}-${lossTag(loss)}-eta=${eta}-B=${batch}`;
    const raw = baseConfig(config, label, mlp.model, loss);
    points.push({
      label,
      tags: { part, arch: mlp.id, loss, eta, batch },
      config: parseRunConfig({
        ...raw,
        training: { ...raw.training, steps: config.sgd.stepBudget },
        probes: { ...raw.probes, curvatureEvery: config.probeEvery * Math.ceil(config.sgd.stepBudget / config.probeEvery) },
        optimizer: { kind: 'sgd', learningRate: eta, batchSize: batch },
      }, label),
    });
  };
  for (const b of config.sgd.batchSizes) sgd('batch', config.sgd.learningRate, b);
  for (const { learningRate, batchSize } of config.sgd.ratioPairs) sgd('ratio', learningRate, batchSize);
  return points;
}

export function flatnessStudy(config: FlatnessConfig): StudyDefinition {
  return {
    kind: 'flatness-vs-lr',
    title: `Flatness versus learning rate and batch size: ${config.dataset}, ${config.trainSize} examples (${config.scale})`,
    points: flatnessPoints(config),
    spec: config,
    report: (collected, outDir) => flatnessReport(collected, outDir, config),
  };
}

export const flatnessStudyKind: StudyKind = {
  fromManifest(manifest) {
    const config = manifest.spec as FlatnessConfig;
    return { ...flatnessStudy(config), points: manifest.points.map((p) => ({ label: p.label, tags: p.tags, config: p.config })) };
  },
};
