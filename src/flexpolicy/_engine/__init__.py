"""Stage 5-6 of the pipeline: compile the IR to a back end and decide.

`semantics` folds the matched rules into a verdict, `context` reads the facts,
`interpreter` is the reference evaluator, and `native` (generated Python) and
`durable` (durable-rules) are the two back ends behind `backend`'s contract.
"""
