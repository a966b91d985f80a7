"""What every stage reports with: the codes, each declared once, and did-you-mean.

The lowest layer: it imports nothing else of flexpolicy, so the loader, the type
checker, the facts, the engines and the analysis can all name a code or suggest a
spelling without importing the layer that first needed one.  The one diagnostic
type, `Problem`, sits just above it in `flexpolicy.errors`, because it is public.
"""
