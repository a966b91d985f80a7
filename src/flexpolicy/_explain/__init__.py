"""Stage 7 of the pipeline: what a decision saw, and the words for it.

Above the engines and `flexpolicy.decision`: a decision asks for its trace,
rationale, alternatives and levers here, on first read.  What was seen is kept
apart from how it is worded:

- `record`: what one decision saw, as data (values, each rule's conditions);
- `words`: the vocabulary, shared with `flexpolicy doc` and the terminal;
- `phrases`: a decision's conditions in words, from its record;
- `trace`, `rationale`, `levers`, `counterfactual` (with `redecide`): each part of
  an explanation, read from the record and worded by `phrases`;
- `evaluation`: the one object a decision holds, which hands each part the record;
- `cache`: the per-policy answers to static questions; `outputs`: fast models.
"""
