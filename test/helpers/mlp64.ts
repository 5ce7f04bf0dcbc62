/**
 * A bias-free ReLU MLP and its softmax cross-entropy in float64, written from the README's
 * forward pass (h₀ = x, h_{l+1} = relu(h_l W_l), logits = h_{L−1} W_{L−1}) — an independent
 * reference for probes that the library computes in float32 TF.js.
 */

/** Kernels row-major, kernel l of shape [widths[l], widths[l+1]]; x row-major [n, widths[0]]. */
export function mlpLogits64(widths: number[], kernels: ArrayLike<number>[], x: ArrayLike<number>, n: number): Float64Array {
  let h = Float64Array.from(x);
  for (let l = 0; l < kernels.length; l++) {
    const [din, dout] = [widths[l], widths[l + 1]];
    const next = new Float64Array(n * dout);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dout; j++) {
        let s = 0;
        for (let k = 0; k < din; k++) s += h[i * din + k] * kernels[l][k * dout + j];
        next[i * dout + j] = l < kernels.length - 1 ? Math.max(0, s) : s;
      }
    }
    h = next;
  }
  return h;
}

/** Per-example margins q_i = z_{y_i} − max_{j≠y_i} z_j from row-major logits [n, k]. */
export function margins64(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): number[] {
  return Array.from(labels, (y, i) => {
    let best = -Infinity;
    for (let j = 0; j < k; j++) if (j !== y) best = Math.max(best, logits[i * k + j]);
    return logits[i * k + y] - best;
  });
}

/** Mean softmax cross-entropy and accuracy (first maximal logit wins) from logits [n, k]. */
export function crossEntropy64(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) if (logits[i * k + j] > max) { max = logits[i * k + j]; arg = j; }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
    loss += max + Math.log(sum) - logits[i * k + labels[i]];
    if (arg === labels[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

/**
 * tr ∇²_θ of the mean cross-entropy of a one-hidden-layer bias-free ReLU net, in closed form.
 * relu'' = 0 away from kinks and z is linear in W₁, so every diagonal second derivative of z
 * vanishes and tr H = (1/n) Σ_i tr(S_i J_i J_iᵀ), S = diag(p) − ppᵀ, with
 *   (J Jᵀ)_{kk'} = ‖h‖² δ_{kk'} + ‖x‖² Σ_j a_j W1_{jk} W1_{jk'}   (a_j = 1[h_j > 0]), so
 *   tr H = (1/n) Σ_i [ ‖h_i‖² (1 − ‖p_i‖²) + ‖x_i‖² Σ_j a_ij (Σ_k p_k W1_jk² − (Σ_k p_k W1_jk)²) ].
 */
export function hessianTraceOneHidden64(widths: [number, number, number], w0: ArrayLike<number>, w1: ArrayLike<number>, x: ArrayLike<number>, n: number): number {
  const [d, m, k] = widths;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const h = new Float64Array(m);
    let xx = 0;
    for (let a = 0; a < d; a++) xx += x[i * d + a] ** 2;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += x[i * d + a] * w0[a * m + j];
      h[j] = Math.max(0, s);
    }
    const z = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let j = 0; j < m; j++) z[c] += h[j] * w1[j * k + c];
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((s, v) => s + v, 0);
    const p = e.map((v) => v / sum);
    const hh = h.reduce((s, v) => s + v * v, 0);
    let term = hh * (1 - p.reduce((s, v) => s + v * v, 0));
    for (let j = 0; j < m; j++) {
      if (!(h[j] > 0)) continue;
      let first = 0;
      let second = 0;
      for (let c = 0; c < k; c++) { first += p[c] * w1[j * k + c]; second += p[c] * w1[j * k + c] ** 2; }
      term += xx * (second - first * first);
    }
    total += term;
  }
  return total / n;
}
