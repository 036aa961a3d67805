"""distillscope: LLM distillation and provenance forensics.

Every verdict carries a p-value from a stated null, an effect size and the samples behind it.
Data flows one way: models -> samples (stored) -> statistics -> evidence -> report.
"""

__version__ = "0.1.0"

from distillscope.errors import DistillscopeError
from distillscope.evidence import Evidence

__all__ = ["DistillscopeError", "Evidence", "__version__"]
