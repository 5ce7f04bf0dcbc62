/**
 * scipy.optimize.linprog-style adapter over glpk.js (GLPK's simplex compiled to wasm).
 *
 * The simplex method ends at a basic solution computed by solving the basis system in
 * float64, so feasibility residuals are at round-off level rather than at an interior-point
 * tolerance — the property a reference solver needs. The presolver is switched off because
 * with it GLPK reports infeasible/unbounded problems only as "undefined".
 *
 * glpk.js loads its wasm asynchronously, hence `solveLp` (and every LP-based solver) is async;
 * the module instance is created once and reused.
 */
import GLPK, { type LP } from 'glpk.js/node';

type GlpkInstance = Awaited<ReturnType<typeof GLPK>>;
let glpkInstance: Promise<GlpkInstance> | null = null;
function glpk(): Promise<GlpkInstance> {
  glpkInstance ??= GLPK();
  return glpkInstance;
}

/** [lower, upper]; use -Infinity / Infinity (or null) for "no bound". */
export type Bound = readonly [number | null, number | null];

export interface LpProblem {
  /** Objective to minimise: cᵀx. */
  c: readonly number[];
  A_ub?: readonly (readonly number[])[];
  b_ub?: readonly number[];
  A_eq?: readonly (readonly number[])[];
  b_eq?: readonly number[];
  /** One bound for all variables, or one per variable. Default [0, ∞) as in scipy. */
  bounds?: Bound | readonly Bound[];
}

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'undefined';

export interface LpResult {
  status: LpStatus;
  x: number[];
  objective: number;
  /**
   * Marginals ∂(optimal objective)/∂b for each row (scipy's convention): ≤ 0 for A_ub rows
   * of a minimisation; the LP dual certificate is then cᵀx = b_ubᵀ dualUb + b_eqᵀ dualEq
   * + (bound terms), with c − A_ubᵀ dualUb − A_eqᵀ dualEq ≥ 0 on variables at lower bound 0.
   */
  dualUb: number[];
  dualEq: number[];
}

/** Solves min cᵀx s.t. A_ub x ≤ b_ub, A_eq x = b_eq, lower ≤ x ≤ upper. */
export async function solveLp(problem: LpProblem): Promise<LpResult> {
  const g = await glpk();
  const m = problem.c.length;
  const Aub = problem.A_ub ?? [];
  const bub = problem.b_ub ?? [];
  const Aeq = problem.A_eq ?? [];
  const beq = problem.b_eq ?? [];
  if (Aub.length !== bub.length) throw new Error('solveLp: A_ub and b_ub have different numbers of rows');
  if (Aeq.length !== beq.length) throw new Error('solveLp: A_eq and b_eq have different numbers of rows');
  for (const row of [...Aub, ...Aeq]) {
    if (row.length !== m) throw new Error(`solveLp: constraint row of length ${row.length}, expected ${m}`);
  }
  const bounds = expandBounds(problem.bounds, m);
  const name = (j: number): string => `x${j}`;
  const rowVars = (row: readonly number[]) =>
    row.flatMap((coef, j) => (coef !== 0 ? [{ name: name(j), coef }] : []));

  const lp: LP = {
    name: 'lp',
    objective: {
      direction: g.GLP_MIN,
      name: 'obj',
      vars: problem.c.map((coef, j) => ({ name: name(j), coef })),
    },
    subjectTo: [
      ...Aub.map((row, i) => ({ name: `u${i}`, vars: rowVars(row), bnds: { type: g.GLP_UP, ub: bub[i], lb: 0 } })),
      ...Aeq.map((row, i) => ({ name: `e${i}`, vars: rowVars(row), bnds: { type: g.GLP_FX, ub: beq[i], lb: beq[i] } })),
    ],
    bounds: bounds.map(([lo, hi], j) => {
      const hasLo = lo !== null && lo > -Infinity;
      const hasHi = hi !== null && hi < Infinity;
      const type = hasLo && hasHi ? (lo === hi ? g.GLP_FX : g.GLP_DB) : hasLo ? g.GLP_LO : hasHi ? g.GLP_UP : g.GLP_FR;
      return { name: name(j), type, lb: hasLo ? (lo as number) : 0, ub: hasHi ? (hi as number) : 0 };
    }),
  };
  const res = g.solve(lp, { msglev: g.GLP_MSG_OFF, presol: false }).result;
  const status: LpStatus =
    res.status === g.GLP_OPT
      ? 'optimal'
      : res.status === g.GLP_NOFEAS
        ? 'infeasible'
        : res.status === g.GLP_UNBND
          ? 'unbounded'
          : 'undefined';
  const dual = res.dual ?? {};
  return {
    status,
    x: Array.from({ length: m }, (_, j) => res.vars[name(j)] ?? 0),
    objective: res.z,
    dualUb: Aub.map((_, i) => dual[`u${i}`] ?? NaN),
    dualEq: Aeq.map((_, i) => dual[`e${i}`] ?? NaN),
  };
}

function expandBounds(b: LpProblem['bounds'], m: number): Bound[] {
  if (b === undefined) return Array.from({ length: m }, () => [0, Infinity] as const);
  if (b.length === 2 && !Array.isArray(b[0])) {
    const single = b as Bound;
    return Array.from({ length: m }, () => single);
  }
  const per = b as readonly Bound[];
  if (per.length !== m) throw new Error(`solveLp: bounds has ${per.length} entries, expected ${m}`);
  return [...per];
}
