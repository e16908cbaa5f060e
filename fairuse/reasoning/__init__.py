"""Reasoning beyond single rules: precedent by analogy, stated assumptions, overrides checked.

* :mod:`.analogy` — factor-based comparison with the casebook (after CATO and
  IBP): which way each factor leans here and in the precedent, whether this case
  is at least as strong for the user as a fair precedent (or as weak as an
  unfair one), and when the closest on-point precedents may decide.
* :mod:`.defeaters` — facts that would only defeat an otherwise complete
  conclusion, taken as stated assumptions instead of pulling a verdict to
  ``uncertain``; and conclusions a user stated that the primary facts contradict.

What may decide, and how much, is data in each jurisdiction's ``weighing.yaml``.
"""
