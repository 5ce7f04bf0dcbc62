import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { runExperiment } from '../src/experiments/runExperiment.ts';
const variants = JSON.parse(process.argv[2]) as Record<string, unknown>[];
for (const v of variants) {
  const raw = {
    seed: 0, data: { dataset: 'digits', trainSize: 50, testSize: 200 },
    model: { kind: 'mlp', hidden: [128], ...(v.model as object) },
    optimizer: { kind: 'gd', learningRate: (v.lr as number) ?? 0.5 },
    training: { steps: (v.steps as number) ?? 400, divergenceLoss: 1e30 },
    probes: { every: (v.steps as number) ?? 400, trace: false, margin: false, movement: true, tangentKernel: { subset: 50 }, linearisation: true, kernelPredictor: { testSubset: 100 } },
  };
  const t = Date.now();
  const s = await runExperiment(parseRunConfig(raw), { outDir: `/tmp/initscale/try-${JSON.stringify(v).replace(/[^a-z0-9.]+/gi, '_')}`, fresh: true });
  const f = s.final as Record<string, number>;
  console.log(JSON.stringify(v), s.status, `${((Date.now() - t) / 1000).toFixed(1)}s`, ['trainLoss', 'testAccuracy', 'relativeMovement', 'kernelChange', 'linearisationRelativeTest', 'kernelPredictorRelativeTest', 'kernelPredictorTestAccuracy'].map((k) => `${k}=${typeof f[k] === 'number' ? f[k].toPrecision(3) : f[k]}`).join(' '));
}
