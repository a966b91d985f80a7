"""Policy analysis: exact checks with an SMT solver, and wording checks."""
