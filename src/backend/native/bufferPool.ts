/**
 * Recycled output buffers for the `native` backend. A fresh large Float32Array per op costs a
 * malloc, page faults on first touch and later GC work (issue 9 measured ~0.5 ms of every
 * batch-128 SGD step; here the MLP epoch's CPU time fell from 0.72–0.89 to 0.56–0.59 s); here a buffer of a tensor the backend really frees goes to a free list keyed by
 * length and is handed to the next kernel output of that length.
 *
 * Only buffers this pool allocated are ever recycled, and only when nobody can see them any more.
 * For each owned ArrayBuffer the pool counts the backend data entries whose values lie in it
 * (one for a kernel's output; more when a stock kernel returns a view of its input, as the cpu
 * Slice and SplitV do); a buffer goes back to the free list when the last of them is deleted.
 * Tensors sharing one data entry (reshape, identity) are covered by the backend's own reference
 * count: an entry is deleted only when its last tensor is disposed. An owned buffer leaves the
 * pool for good (plain GC from then on) when any of its values may be seen outside the backend:
 * when read (readSync / read — dataSync() hands the user the live array).
 * Recycled buffers of ≥ 64 KiB hold stale values, as Buffer.allocUnsafeSlow's did before (every
 * native kernel writes all of its output; those that accumulate zero-fill first); smaller ones
 * (from 4 KiB) are zero-filled when handed out, like the new Float32Array they replace.
 * IBL_NATIVE_POOL=0 turns recycling off; IBL_NATIVE_POOL_MB bounds the bytes held in the free
 * lists (default 256).
 */

/** An owned buffer: the full array, how many data entries hold it (or views of it), whether free. */
interface Owned { array: Float32Array; entries: number; free: boolean }

/** Outputs of at least this many bytes are uninitialised (Buffer.allocUnsafeSlow or recycled). */
export const minPooledBytes = 65536;
/**
 * Smaller outputs, down to this size, are recycled too but zero-filled, as new Float32Arrays are:
 * the exact HVP's [1000, 10] logits-sized tensors, each a fresh external allocation, were what
 * triggered most of its garbage collections. Below this, plain new arrays.
 */
export const minRecycledBytes = 4096;

export interface PoolStats { enabled: boolean; freeBytes: number; maxFreeBytes: number; allocated: number; reused: number; released: number; escaped: number }

export class BufferPool {
  private readonly owned = new WeakMap<ArrayBuffer, Owned>();
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  private allocated = 0;
  private reused = 0;
  private released = 0;
  private escaped = 0;

  constructor(private enabledFlag: boolean, private maxFree: number) {}

  get enabled(): boolean { return this.enabledFlag; }

  /** Turns recycling on or off and sets the bound (tests; IBL_NATIVE_POOL / _MB at start-up). Drops the free lists. */
  configure(options: { enabled?: boolean; maxFreeBytes?: number }): void {
    this.clear();
    if (options.enabled !== undefined) this.enabledFlag = options.enabled;
    if (options.maxFreeBytes !== undefined) this.maxFree = options.maxFreeBytes;
  }

  /** A Float32Array of length n: uninitialised from 64 KiB on, zero-filled below. */
  allocate(n: number): Float32Array {
    const bytes = n * 4;
    if (bytes < minRecycledBytes) return new Float32Array(n);
    const recycled = this.enabledFlag ? this.free.get(n)?.pop() : undefined;
    if (recycled) {
      this.freeBytes -= recycled.byteLength;
      this.owned.set(recycled.buffer as ArrayBuffer, { array: recycled, entries: 0, free: false });
      this.reused++;
      return bytes < minPooledBytes ? recycled.fill(0) : recycled;
    }
    const array = bytes < minPooledBytes ? new Float32Array(n) : new Float32Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, n);
    if (this.enabledFlag) this.owned.set(array.buffer as ArrayBuffer, { array, entries: 0, free: false });
    this.allocated++;
    return array;
  }

  /** `values` (an owned array or a view into one) is being stored as a data entry's values (backend write / move). */
  attached(values: unknown): void {
    const o = this.ownerOf(values);
    if (!o) return;
    if (o.free) throw new Error('native buffer pool: a recycled buffer was stored as a tensor while in the free list (a kernel kept an array of a disposed tensor)');
    o.entries++;
  }

  /** `values` may now be seen outside the backend (read by the user or a stock kernel). */
  exposed(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer && this.owned.has(buffer)) {
      this.owned.delete(buffer);
      this.escaped++;
    }
  }

  /** The data entry holding `values` was deleted. */
  release(values: unknown): void {
    const o = this.ownerOf(values);
    if (!o || o.free || --o.entries > 0) return;
    const buffer = o.array.buffer as ArrayBuffer;
    if (!this.enabledFlag || this.freeBytes + o.array.byteLength > this.maxFree) {
      this.owned.delete(buffer);
      return;
    }
    o.free = true;
    let list = this.free.get(o.array.length);
    if (!list) { list = []; this.free.set(o.array.length, list); }
    list.push(o.array);
    this.freeBytes += o.array.byteLength;
    this.released++;
  }

  /** Drops every free buffer (GC takes them). */
  clear(): void {
    for (const list of this.free.values()) for (const a of list) this.owned.delete(a.buffer as ArrayBuffer);
    this.free.clear();
    this.freeBytes = 0;
  }

  stats(): PoolStats {
    return { enabled: this.enabledFlag, freeBytes: this.freeBytes, maxFreeBytes: this.maxFree, allocated: this.allocated, reused: this.reused, released: this.released, escaped: this.escaped };
  }

  private ownerOf(values: unknown): Owned | undefined {
    const buffer = bufferOf(values);
    return buffer ? this.owned.get(buffer) : undefined;
  }
}

function bufferOf(values: unknown): ArrayBuffer | null {
  return ArrayBuffer.isView(values) ? values.buffer as ArrayBuffer : null;
}

export const outputPool = new BufferPool(
  process.env.IBL_NATIVE_POOL !== '0',
  Number(process.env.IBL_NATIVE_POOL_MB ?? 256) * 2 ** 20,
);
