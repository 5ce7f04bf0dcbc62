/**
 * `ibl probe` on a checkpoint written by `ibl run` reproduces the run's last recorded probe
 * values (loss, accuracy, norms, margins exactly; trace and λ_max exactly with the recorded
 * probe seed), and both agree with a float64 recomputation from the checkpoint's bytes (loss,
 * accuracy, ‖θ‖₂, margins, and the Hessian trace in closed form); malformed checkpoints are
 * rejected with a message naming the problem.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupBackend } from '../src/backend/index.ts';
import { createMlp } from '../src/models/mlp.ts';
import { loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint.ts';
import { parseRunConfig } from '../src/experiments/runConfig.ts';
import { loadDataForRun } from '../src/experiments/loadData.ts';
import { writeIdx } from '../src/data/idx.ts';
import { createRng } from '../src/util/rng.ts';
import { crossEntropy64, hessianTraceOneHidden64, margins64, mlpLogits64 } from './helpers/mlp64.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const ibl = (args: string[], cwd: string) => spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

const config = {
  name: 'probe-me', seed: 5,
  data: { dataset: 'digits', trainSize: 200 },
  model: { hidden: [16] },
  optimizer: { kind: 'gd', learningRate: 0.5 },
  training: { steps: 20 },
  probes: { every: 10, trace: { samples: 4 }, eig: { k: 2 }, gradNorm: true },
};

describe('ibl probe', () => {
  it('reproduces the last probe record of an ibl run (and prints λ_max next to 2/η from the run config)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-probe-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const run = ibl(['run', 'c.json', '--out', 'run'], dir);
    expect(run.status, run.stderr).toBe(0);
    const metrics = fs.readFileSync(path.join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = metrics[metrics.length - 1];
    expect(last.step).toBe(20);
    expect(last.stabilityThreshold).toBe(4);
    expect(last.sharpness).toBeGreaterThan(0);
    // The training set the run used, exported as IDX (digits pixels are k/255 exactly).
    const { train } = loadDataForRun(parseRunConfig(config));
    writeIdx(path.join(dir, 'img.idx'), { dtype: 'uint8', dims: [train.n, 8, 8], data: Uint8Array.from(train.x, (v) => Math.round(v * 255)) });
    writeIdx(path.join(dir, 'lab.idx'), { dtype: 'uint8', dims: [train.n], data: Uint8Array.from(train.y) });
    const probe = ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx',
      '--seed', String(last.probeSeed), '--samples', '4', '--top-k', '2', '--json'], dir);
    expect(probe.status, probe.stderr).toBe(0);
    const r = JSON.parse(probe.stdout);
    expect(r.n).toBe(200);
    expect(r.params).toBe(64 * 16 + 16 * 10);
    expect(r.loss).toBe(last.trainLoss);
    expect(r.accuracy).toBe(last.trainAccuracy);
    expect(r.norms.l2).toBe(last.paramNormL2);
    expect(r.norms.perLayerFrobenius).toHaveLength(2);
    expect(r.norms.perLayerSpectral).toHaveLength(2);
    expect(r.norms.productSpectral).toBeCloseTo(r.norms.perLayerSpectral[0] * r.norms.perLayerSpectral[1], 10);
    expect(r.margin.minUnnormalized).toBe(last.minMargin);
    expect(r.margin.normalized).toBe(last.normalizedMargin);
    expect(r.margin.quantiles.length).toBeGreaterThan(3);
    expect(r.hessianTrace).toMatchObject({ estimate: last.hessianTrace, stderr: last.hessianTraceStderr, samples: 4, method: 'hutchinson', hvp: 'exact' });
    expect(r.topEigenvalues).toEqual(last.topEigenvalues);
    expect(r.sharpness).toEqual({ lambdaMax: last.sharpness, learningRate: 0.5, stabilityThreshold: 4 });
    expect(r.gradNormSquared).toBe(last.gradNormSquared);
    expect(r.gradNorm).toBeCloseTo(Math.sqrt(last.gradNormSquared), 12);
    // A different seed gives a different trace estimate, within a few standard errors.
    const other = JSON.parse(ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--probes', 'trace', '--trace-samples', '100', '--json'], dir).stdout);
    expect(Math.abs(other.hessianTrace.estimate - last.hessianTrace)).toBeLessThan(3 * Math.hypot(other.hessianTrace.stderr, last.hessianTraceStderr));
    // --subset picks examples for the curvature probes (probes.subset), --samples the Hutchinson
    // probe count (probes.trace.samples); --trace-samples is an alias, both at once an error.
    const subset = JSON.parse(ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--probes', 'trace', '--subset', '50', '--samples', '3', '--json'], dir).stdout);
    expect([subset.n, subset.curvatureExamples, subset.hessianTrace.samples]).toEqual([200, 50, 3]);
    const both = ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--samples', '3', '--trace-samples', '3'], dir);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/--samples and --trace-samples are the same option/);

    // Independently of the library: the parameters from params.bin's bytes (little-endian
    // float32 at model.json's offsets), the pixels as the IDX bytes / 255, everything in float64.
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'checkpoint', 'model.json'), 'utf8'));
    expect(meta.architecture.widths).toEqual([64, 16, 10]);
    const bytes = fs.readFileSync(path.join(dir, 'run', 'checkpoint', 'params.bin'));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [w0, w1] = meta.tensors.map((t: { shape: number[]; offset: number }) =>
      Float64Array.from({ length: t.shape[0] * t.shape[1] }, (_, i) => view.getFloat32(t.offset + 4 * i, true)));
    const x = Float64Array.from(train.x, (v) => Math.round(v * 255) / 255);
    const logits = mlpLogits64([64, 16, 10], [w0, w1], x, train.n);
    const { loss, accuracy } = crossEntropy64(logits, train.y, 10);
    const q = margins64(logits, train.y, 10);
    const squaredNorm = [...w0, ...w1].reduce((s, v) => s + v * v, 0);
    const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
    expect(rel(r.loss, loss)).toBeLessThan(1e-5);
    expect(r.accuracy).toBe(accuracy);
    expect(rel(r.norms.l2, Math.sqrt(squaredNorm))).toBeLessThan(1e-6);
    expect(rel(r.margin.minUnnormalized, Math.min(...q))).toBeLessThan(1e-4);
    expect(rel(r.margin.normalized, Math.min(...q) / squaredNorm)).toBeLessThan(1e-4); // ‖θ‖₂^L with L = 2
    // Hutchinson with 100 probes against the closed-form trace: within 4 standard errors.
    const exactTrace = hessianTraceOneHidden64([64, 16, 10], w0, w1, x, train.n);
    expect(other.hessianTrace.samples).toBe(100);
    expect(Math.abs(other.hessianTrace.estimate - exactTrace)).toBeLessThan(4 * other.hessianTrace.stderr);
    expect(other.hessianTrace.stderr).toBeLessThan(0.05 * exactTrace); // measured: 27.42 ± 0.92 vs exact 26.98
    // The human-readable table.
    const table = ibl(['probe', '--checkpoint', 'run/checkpoint', '--images', 'img.idx', '--labels', 'lab.idx', '--probes', 'eig,norms'], dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/λ_max vs 2\/η/);
    expect(table.stdout).toMatch(/per-layer spectral/);
  });

  it('rejects an unknown probe name and missing arguments', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-probe-'));
    const bad = ibl(['probe', '--checkpoint', 'x', '--images', 'a', '--labels', 'b', '--probes', 'trace,curvature'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("unknown probe 'curvature'");
    expect(ibl(['probe', '--checkpoint', 'x'], dir).status).toBe(2);
  });
});

describe('malformed checkpoints are rejected with a message naming the problem', () => {
  let good: string;
  beforeAll(async () => {
    await setupBackend();
    good = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-ckpt-'));
    const model = createMlp({ widths: [4, 3, 2] });
    saveCheckpoint(path.join(good, 'c'), model, model.init(createRng(1)));
  });
  const variant = (edit: (dir: string, meta: any) => void): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibl-bad-'));
    fs.cpSync(path.join(good, 'c'), dir, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    edit(dir, meta);
    if (fs.existsSync(path.join(dir, 'model.json'))) fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta));
    return dir;
  };

  it('a good checkpoint loads', () => {
    expect(loadCheckpoint(path.join(good, 'c')).params).toHaveLength(2);
  });
  it('missing params.bin / model.json', () => {
    expect(() => loadCheckpoint(variant((d) => fs.rmSync(path.join(d, 'params.bin'))))).toThrow(/params\.bin: missing/);
    expect(() => loadCheckpoint(variant((d) => fs.rmSync(path.join(d, 'model.json'))))).toThrow(/model\.json: missing/);
  });
  it('an offset past the end of params.bin names the tensor', () => {
    expect(() => loadCheckpoint(variant((_, m) => { m.tensors[1].offset = 400; }))).toThrow(/tensor 'dense1\/kernel' at offset 400 .*past the end of the file \(72 bytes\)/);
  });
  it('overlapping tensors', () => {
    expect(() => loadCheckpoint(variant((_, m) => { m.tensors[1].offset = 40; }))).toThrow(/'dense0\/kernel' .* and 'dense1\/kernel' .* overlap/);
  });
  it('a shape that disagrees with the architecture, and a file size that disagrees with the shapes', () => {
    expect(() => loadCheckpoint(variant((_, m) => { m.tensors[0].shape = [3, 4]; }))).toThrow(/'dense0\/kernel' has shape \[3,4\], the architecture needs \[4,3\]/);
    expect(() => loadCheckpoint(variant((d) => fs.appendFileSync(path.join(d, 'params.bin'), Buffer.alloc(8))))).toThrow(/has 80 bytes, the tensor shapes in model\.json need 72/);
    expect(() => loadCheckpoint(variant((d) => fs.truncateSync(path.join(d, 'params.bin'), 60)))).toThrow(/past the end of the file \(60 bytes\)/);
  });
  it('an unknown architecture kind, a wrong format, a malformed tensors entry', () => {
    expect(() => loadCheckpoint(variant((_, m) => { m.architecture.kind = 'transformer'; }))).toThrow(/unknown architecture kind 'transformer'/);
    expect(() => loadCheckpoint(variant((_, m) => { m.format = 'ibl-checkpoint/9'; }))).toThrow(/format is 'ibl-checkpoint\/9'/);
    expect(() => loadCheckpoint(variant((_, m) => { m.tensors[0].shape = 'big'; }))).toThrow(/tensor 'dense0\/kernel' has shape "big"/);
  });
  it('ibl probe prints the problem and exits 1', () => {
    const dir = variant((_, m) => { m.tensors[1].offset = 400; });
    const r = ibl(['probe', '--checkpoint', dir, '--images', path.join(root, 'data/digits-images-idx3-ubyte.gz'), '--labels', path.join(root, 'data/digits-labels-idx1-ubyte.gz')], os.tmpdir());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ibl: .*params\.bin: tensor 'dense1\/kernel' at offset 400/);
  });
});
