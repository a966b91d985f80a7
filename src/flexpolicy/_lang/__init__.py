"""The policy expression language: lex -> parse -> type-check -> compile or interpret.

Nothing here ever hands policy text to Python's `eval`/`exec`: the parser builds
a syntax tree, the checker resolves every name against the fact models and
produces a typed tree (`_checked`), and only that typed tree is turned into
Python by `flexpolicy._engine.native`.
"""
