/**
 * 0-based adapter over `quadprog` (Goldfarb–Idnani dual active-set method for strictly
 * convex QPs, a port of R's quadprog). Goldfarb–Idnani is exact in the sense that it stops
 * at a vertex of the active set and solves the KKT system there, so on small dense problems
 * its KKT residuals are at round-off level — which is what a reference solver needs.
 */
import quadprog from 'quadprog';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface QpProblem {
  /** Symmetric positive definite m × m matrix H. */
  H: readonly (readonly number[])[];
  /** Linear term c (length m). */
  c: readonly number[];
  A_eq?: readonly (readonly number[])[];
  b_eq?: readonly number[];
  A_ge?: readonly (readonly number[])[];
  b_ge?: readonly number[];
}

export interface QpResult {
  status: 'optimal' | 'infeasible';
  /** Minimiser (NaN-filled if infeasible). */
  x: number[];
  /** ½xᵀHx + cᵀx at x. */
  objective: number;
  /**
   * Lagrange multipliers with the sign convention Hx + c = A_eqᵀ μ_eq + A_geᵀ μ_ge,
   * μ_ge ≥ 0 (μ_eq free).
   */
  multipliersEq: number[];
  multipliersGe: number[];
  message: string;
}

/**
 * Solves min ½xᵀHx + cᵀx s.t. A_eq x = b_eq, A_ge x ≥ b_ge (H positive definite).
 *
 * Returns status 'infeasible' when quadprog reports inconsistent constraints.
 * @throws Error if H is not positive definite or shapes disagree.
 */
export function solveQp(problem: QpProblem): QpResult {
  const { H, c } = problem;
  const m = c.length;
  const Aeq = problem.A_eq ?? [];
  const beq = problem.b_eq ?? [];
  const Age = problem.A_ge ?? [];
  const bge = problem.b_ge ?? [];
  if (H.length !== m || H.some((r) => r.length !== m)) throw new Error(`solveQp: H must be ${m} × ${m}`);
  if (Aeq.length !== beq.length) throw new Error('solveQp: A_eq and b_eq have different numbers of rows');
  if (Age.length !== bge.length) throw new Error('solveQp: A_ge and b_ge have different numbers of rows');
  for (const row of [...Aeq, ...Age]) {
    if (row.length !== m) throw new Error(`solveQp: constraint row of length ${row.length}, expected ${m}`);
  }
  const q = Aeq.length + Age.length;

  if (q === 0) {
    // quadprog cannot represent an empty constraint matrix; the answer is H⁻¹(−c).
    const chol = new CholeskyDecomposition(new Matrix(H as number[][]));
    if (!chol.isPositiveDefinite()) throw new Error('solveQp: H is not positive definite');
    const x = chol.solve(Matrix.columnVector(c.map((v) => -v))).to1DArray();
    return { status: 'optimal', x, objective: qpObjective(H, c, x), multipliersEq: [], multipliersGe: [], message: '' };
  }

  // quadprog: min ½bᵀDb − dᵀb s.t. Aᵀb ≥ b0, 1-based, constraints are *columns* of Amat.
  const Dmat: number[][] = [[]];
  const dvec: number[] = [0];
  const Amat: number[][] = [[]];
  for (let i = 0; i < m; i++) {
    Dmat.push([0, ...H[i]]);
    dvec.push(-c[i]);
    Amat.push([0, ...Aeq.map((r) => r[i]), ...Age.map((r) => r[i])]);
  }
  const bvec = [0, ...beq, ...bge];
  const res = quadprog.solveQP(Dmat, dvec, Amat, bvec, Aeq.length);
  if (res.message.includes('positive definite')) throw new Error('solveQp: H is not positive definite');
  if (res.message.includes('inconsistent')) {
    return {
      status: 'infeasible',
      x: new Array<number>(m).fill(NaN),
      objective: NaN,
      multipliersEq: new Array<number>(Aeq.length).fill(NaN),
      multipliersGe: new Array<number>(Age.length).fill(NaN),
      message: res.message,
    };
  }
  if (res.message) throw new Error(`solveQp: quadprog failed: ${res.message}`);
  const x = res.solution.slice(1, m + 1);
  const lag = res.Lagrangian.slice(1, q + 1);
  // Goldfarb–Idnani turns an equality a x = b into the inequality ±(a x − b) ≥ 0 that is
  // violated at the unconstrained minimiser, negating column i of Amat *in place*; its
  // multiplier is for that flipped row. Undo the flip so μ_eq follows the documented sign.
  for (let i = 0; i < Aeq.length; i++) {
    const j = Aeq[i].findIndex((v) => v !== 0);
    if (j >= 0 && Math.sign(Amat[j + 1][i + 1]) !== Math.sign(Aeq[i][j])) lag[i] = -lag[i];
  }
  return {
    status: 'optimal',
    x,
    objective: qpObjective(H, c, x),
    multipliersEq: lag.slice(0, Aeq.length),
    multipliersGe: lag.slice(Aeq.length),
    message: '',
  };
}

function qpObjective(H: QpProblem['H'], c: readonly number[], x: readonly number[]): number {
  let v = 0;
  for (let i = 0; i < x.length; i++) {
    let hx = 0;
    for (let j = 0; j < x.length; j++) hx += H[i][j] * x[j];
    v += 0.5 * x[i] * hx + c[i] * x[i];
  }
  return v;
}
