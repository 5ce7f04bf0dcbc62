/**
 * The cpu backend class registered as `native`: MathBackendCPU, telling the output buffer pool
 * (bufferPool.ts) when a kernel's output array becomes a tensor's values, when it is read (it
 * may then be held by the user and must never be recycled), and when its data entry is deleted.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type * as tf from '@tensorflow/tfjs';
import { outputPool } from './bufferPool.ts';

type DataId = object;

export class NativeCpuBackend extends MathBackendCPU {
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): DataId {
    outputPool.attached(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    outputPool.attached(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    if (this.data.has(dataId)) outputPool.exposed(this.data.get(dataId).values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) outputPool.release(values);
    return released;
  }
}
