"""The facts' own value types and checks: bounded numbers, labels, consistency.

Below the models (`flexpolicy.models` builds on them) and above the diagnostics.
"""
