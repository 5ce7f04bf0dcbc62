/** Minimal typing for the CommonJS `quadprog` package (Goldfarb–Idnani dual QP; 1-based arrays). */
declare module 'quadprog' {
  interface QuadprogResult {
    solution: number[];
    Lagrangian: number[];
    value: number[];
    unconstrained_solution: number[];
    iterations: number[];
    iact: number[];
    message: string;
  }
  const quadprog: {
    /**
     * min ½ bᵀDb − dᵀb s.t. Aᵀb ≥ b0, the first `meq` as equalities. Index 0 of every array
     * is unused. Mutates Dmat and dvec.
     */
    solveQP(
      Dmat: number[][],
      dvec: number[],
      Amat: number[][],
      bvec: number[],
      meq?: number,
      factorized?: number[],
    ): QuadprogResult;
  };
  export = quadprog;
}
