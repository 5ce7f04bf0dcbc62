/**
 * Makes reverse-over-reverse autodiff (Hessian-vector products) exact in TF.js 4.22.
 *
 * The defect: `Engine.runKernelFunc` saves the tensors a gradient needs *while the kernel is
 * still running*, and `Engine.clone` records the saved copy's tape node immediately — so for
 * ops that save their *output* (Exp, Tanh, Sigmoid, Softmax, Max, Pow, Elu, MaxPool, customGrad
 * ops such as logSoftmax) the copy's node lands on the tape *before* the node that produces the
 * output it copies. The tape is then not topologically ordered: `getFilteredNodesXToY` walks it
 * forward, never sees the copy's input as reachable from x, prunes the copy, and every
 * second-order term that flows through a saved output is silently dropped (for exp exactly
 * half of vᵀHv; `sum(exp(x))` even throws — tensorflow/tfjs#3252). First-order gradients do not
 * differentiate through saved tensors and are unaffected.
 *
 * The fix: after each kernel, move the kernel's own node (always the last one pushed) in front
 * of the nodes recorded while it ran. First-order results stay bit-identical because only the
 * order of nodes that the first-order pass prunes anyway changes.
 */
import * as tf from '@tensorflow/tfjs';

interface TapeNode { id: number }
interface EngineInternals {
  state: { activeTape: TapeNode[] | null };
  isTapeOn(): boolean;
  runKernelFunc(kernelParams: unknown): unknown;
  __iblOriginalRunKernelFunc?: (kernelParams: unknown) => unknown;
}

function engineInternals(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/** True while the tape-order fix is installed on the current engine. */
export function isTapeOrderFixInstalled(): boolean {
  return engineInternals().__iblOriginalRunKernelFunc !== undefined;
}

/** Install the fix on TF.js's global engine (idempotent). */
export function installTapeOrderFix(): void {
  const engine = engineInternals();
  if (engine.__iblOriginalRunKernelFunc) return;
  const original = engine.runKernelFunc;
  engine.__iblOriginalRunKernelFunc = original;
  engine.runKernelFunc = function patchedRunKernelFunc(this: EngineInternals, kernelParams: unknown) {
    const tape = this.state.activeTape;
    const recording = tape !== null && this.isTapeOn();
    const lengthBefore = recording ? tape!.length : -1;
    const result = original.call(this, kernelParams);
    if (recording && this.state.activeTape === tape && tape!.length - lengthBefore > 1) {
      const kernelNode = tape!.pop()!;
      tape!.splice(lengthBefore, 0, kernelNode);
    }
    return result;
  };
}

/** Remove the fix (used by tests that show stock TF.js fails). */
export function uninstallTapeOrderFix(): void {
  const engine = engineInternals();
  if (!engine.__iblOriginalRunKernelFunc) return;
  engine.runKernelFunc = engine.__iblOriginalRunKernelFunc;
  delete engine.__iblOriginalRunKernelFunc;
}
