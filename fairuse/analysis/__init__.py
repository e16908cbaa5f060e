"""The one analysis of a use, computed once and rendered by every output.

``analyse(answers)`` gives an :class:`Analysis`: the verdicts, each fact with its
provenance, each consideration applied, each precedent compared, what would change
each answer and the authorities relied on. See :mod:`.model` for its parts and
:mod:`.build` for how it is made.
"""

from .build import analyse, from_assessment
from .model import Analysis, Change, Cite, Comparison, Consideration, Decisive, Fact, Factor, Result

__all__ = ["Analysis", "Change", "Cite", "Comparison", "Consideration", "Decisive", "Fact", "Factor", "Result",
           "analyse", "from_assessment"]
