/**
 * Checkpoints in the ibl-checkpoint/1 format: a directory with
 *   model.json — {"format":"ibl-checkpoint/1","architecture":{…},"tensors":[{name,shape,offset},…]}
 *   params.bin — little-endian float32, each tensor row-major at its byte offset.
 * Training checkpoints add optimizer.bin (same layout, described in training-state.json) so an
 * interrupted run resumes exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types.ts';
import { modelFromArchitecture } from '../models/fromArchitecture.ts';
import { replaceDirectoryAtomic, recoverDirectory } from '../util/atomicWrite.ts';
import type { OptimizerState } from '../optim/types.ts';
import { createLazyModel, isLazyModel } from '../models/lazy.ts';
import { classificationLossKinds, type ClassificationLossKind } from './loss.ts';

export const checkpointFormat = 'ibl-checkpoint/1';
/** θ₀ of a lazy model (architecture kind 'lazy'), laid out like params.bin. */
export const initialParamsFile = 'initial-params.bin';

export interface TensorEntry { name: string; shape: number[]; offset: number }

function packTensors(named: { name: string; tensor: tf.Tensor }[]): { entries: TensorEntry[]; bytes: Uint8Array } {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    entries.push({ name, shape: [...tensor.shape], offset });
    offset += tensor.size * 4;
  }
  const buffer = new ArrayBuffer(offset);
  const view = new DataView(buffer);
  named.forEach(({ tensor }, k) => {
    const values = tensor.dataSync();
    let at = entries[k].offset;
    for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i], true);
  });
  return { entries, bytes: new Uint8Array(buffer) };
}

function unpackTensors(entries: TensorEntry[], bytes: Uint8Array, file: string): tf.Tensor[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return entries.map((entry) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.offset + size * 4 > bytes.byteLength) {
      throw new Error(`${file}: tensor '${entry.name}' with shape [${entry.shape}] needs bytes ${entry.offset}..${entry.offset + size * 4} but the file has ${bytes.byteLength}`);
    }
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(entry.offset + 4 * i, true);
    return tf.tensor(values, entry.shape);
  });
}

export interface TrainingState {
  step: number;
  optimizer: { slot: string; index: number; shape: number[]; offset: number }[];
  /** Anything else the trainer needs to continue identically. */
  extra?: Record<string, unknown>;
}

/** Metadata stored next to the architecture: the loss the model was trained on (probes use it). */
export interface CheckpointMetadata { loss?: ClassificationLossKind }

export function saveCheckpoint(dir: string, model: Model, params: tf.Tensor[], training?: { step: number; optimizerState: OptimizerState; extra?: Record<string, unknown> }, metadata: CheckpointMetadata = {}): void {
  replaceDirectoryAtomic(dir, (tmp) => {
    const { entries, bytes } = packTensors(model.paramSpecs.map((spec, i) => ({ name: spec.name, tensor: params[i] })));
    fs.writeFileSync(path.join(tmp, 'model.json'), `${JSON.stringify({ format: checkpointFormat, architecture: model.architecture, ...(metadata.loss ? { loss: metadata.loss } : {}), tensors: entries })}\n`);
    fs.writeFileSync(path.join(tmp, 'params.bin'), bytes);
    // The lazy model's centre θ₀ is part of its definition: same tensor layout as params.bin.
    if (isLazyModel(model)) fs.writeFileSync(path.join(tmp, initialParamsFile), packTensors(model.paramSpecs.map((spec, i) => ({ name: spec.name, tensor: model.initialParams[i] }))).bytes);
    if (training) {
      const named = Object.entries(training.optimizerState).flatMap(([slot, list]) => list.map((tensor, index) => ({ name: `${slot}/${index}`, tensor })));
      const packed = packTensors(named);
      fs.writeFileSync(path.join(tmp, 'optimizer.bin'), packed.bytes);
      const state: TrainingState = {
        step: training.step,
        optimizer: packed.entries.map((e) => {
          const cut = e.name.lastIndexOf('/');
          return { slot: e.name.slice(0, cut), index: Number(e.name.slice(cut + 1)), shape: e.shape, offset: e.offset };
        }),
        extra: training.extra,
      };
      fs.writeFileSync(path.join(tmp, 'training-state.json'), `${JSON.stringify(state, null, 2)}\n`);
    }
  });
}

export interface LoadedCheckpoint {
  model: Model;
  /** The training loss recorded in model.json (absent in older checkpoints: cross-entropy). */
  loss?: ClassificationLossKind;
  params: tf.Tensor[];
  training?: { step: number; optimizerState: OptimizerState; extra?: Record<string, unknown> };
}

function readJson(file: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${file}: missing (a checkpoint directory needs model.json and params.bin)`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  recoverDirectory(dir);
  const modelFile = path.join(dir, 'model.json');
  const paramsFile = path.join(dir, 'params.bin');
  const meta = readJson(modelFile) as { format?: unknown; architecture?: Record<string, unknown>; tensors?: TensorEntry[]; loss?: unknown };
  if (meta.loss !== undefined && !(classificationLossKinds as readonly unknown[]).includes(meta.loss)) {
    throw new Error(`${modelFile}: loss is '${String(meta.loss)}', expected one of ${classificationLossKinds.join(', ')}`);
  }
  const loss = meta.loss as ClassificationLossKind | undefined;
  if (meta.format !== checkpointFormat) throw new Error(`${modelFile}: format is '${String(meta.format)}', expected '${checkpointFormat}'`);
  if (!meta.architecture || typeof meta.architecture !== 'object') throw new Error(`${modelFile}: missing 'architecture'`);
  const lazy = meta.architecture.kind === 'lazy';
  if (lazy && (typeof meta.architecture.base !== 'object' || meta.architecture.base === null || !(Number(meta.architecture.scale) > 0))) {
    throw new Error(`${modelFile}: a 'lazy' architecture needs a positive 'scale' and a 'base' architecture`);
  }
  let model = modelFromArchitecture(lazy ? meta.architecture.base as Record<string, unknown> : meta.architecture, modelFile);
  const tensors = meta.tensors;
  if (!Array.isArray(tensors)) throw new Error(`${modelFile}: missing 'tensors' list`);
  tensors.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string') {
      throw new Error(`${modelFile}: tensors[${i}] must be an object {name, shape, offset}`);
    }
    if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${modelFile}: tensor '${entry.name}' has shape ${JSON.stringify(entry.shape)}, expected a list of non-negative integers`);
    }
  });
  if (tensors.length !== model.paramSpecs.length) {
    throw new Error(`${modelFile}: architecture '${String(meta.architecture.kind)}' has ${model.paramSpecs.length} tensors, the tensors list has ${tensors.length}`);
  }
  model.paramSpecs.forEach((spec, i) => {
    const entry = tensors[i];
    if (entry.name !== spec.name) throw new Error(`${modelFile}: tensor ${i} is named '${entry.name}', expected '${spec.name}'`);
    if (entry.shape.join(',') !== spec.shape.join(',')) {
      throw new Error(`${modelFile}: tensor '${spec.name}' has shape [${entry.shape}], the architecture needs [${spec.shape}]`);
    }
    if (!Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset % 4 !== 0) {
      throw new Error(`${modelFile}: tensor '${spec.name}' has invalid offset ${entry.offset} (a non-negative multiple of 4)`);
    }
  });
  if (!fs.existsSync(paramsFile)) throw new Error(`${paramsFile}: missing (a checkpoint directory needs model.json and params.bin)`);
  const bytes = fs.readFileSync(paramsFile);
  const ranges = tensors.map((e) => ({ name: e.name, start: e.offset, end: e.offset + e.shape.reduce((a, b) => a * b, 1) * 4 }));
  for (const r of ranges) {
    if (r.end > bytes.byteLength) {
      throw new Error(`${paramsFile}: tensor '${r.name}' at offset ${r.start} needs bytes ${r.start}..${r.end}, past the end of the file (${bytes.byteLength} bytes)`);
    }
  }
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw new Error(`${modelFile}: tensors '${sorted[i - 1].name}' (bytes ${sorted[i - 1].start}..${sorted[i - 1].end}) and '${sorted[i].name}' (from ${sorted[i].start}) overlap`);
    }
  }
  const expected = ranges.reduce((end, r) => Math.max(end, r.end), 0);
  if (bytes.byteLength !== expected) {
    throw new Error(`${paramsFile}: has ${bytes.byteLength} bytes, the tensor shapes in model.json need ${expected} (size mismatch: wrong shapes or a truncated/padded file)`);
  }
  const params = unpackTensors(tensors, bytes, paramsFile);
  if (lazy) {
    const initialFile = path.join(dir, initialParamsFile);
    if (!fs.existsSync(initialFile)) throw new Error(`${initialFile}: missing (a 'lazy' checkpoint stores its centre θ₀ there)`);
    const initialBytes = fs.readFileSync(initialFile);
    if (initialBytes.byteLength !== expected) throw new Error(`${initialFile}: has ${initialBytes.byteLength} bytes, expected ${expected} (the layout of params.bin)`);
    model = createLazyModel(model, unpackTensors(tensors, initialBytes, initialFile), Number(meta.architecture.scale));
  }
  const stateFile = path.join(dir, 'training-state.json');
  if (!fs.existsSync(stateFile)) return { model, params, ...(loss ? { loss } : {}) };
  const state = readJson(stateFile) as TrainingState;
  const optimizerFile = path.join(dir, 'optimizer.bin');
  if (!fs.existsSync(optimizerFile)) throw new Error(`${optimizerFile}: missing (training-state.json refers to it)`);
  const optimizerBytes = fs.readFileSync(optimizerFile);
  const optimizerTensors = unpackTensors(state.optimizer.map((o) => ({ name: `${o.slot}/${o.index}`, shape: o.shape, offset: o.offset })), optimizerBytes, path.join(dir, 'optimizer.bin'));
  const optimizerState: OptimizerState = {};
  state.optimizer.forEach((o, k) => { (optimizerState[o.slot] ??= [])[o.index] = optimizerTensors[k]; });
  return { model, params, ...(loss ? { loss } : {}), training: { step: state.step, optimizerState, extra: state.extra } };
}
