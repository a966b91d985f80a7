"""Stage 2-4 of the pipeline: located YAML -> validated spec -> checked conditions -> IR.

`located` reads YAML with a line and column for every node, `spec_errors` turns
pydantic complaints into located problems, `templates` and `conditions` check the
text and the expressions, `rules` and `rule_terms` check each rule, and `builder`
assembles the `flexpolicy._ir.PolicyIR` the engines compile.  Nothing here evaluates a rule.
"""
