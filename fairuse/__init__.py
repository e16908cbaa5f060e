"""fairuse: fair-use and text-and-data-mining assessments from rules that cite their law.

Not legal advice: the rules state the law as of their ruleset's date.
"""

__version__ = "0.1.0"


def __getattr__(name):
    # ``fairuse.triage(df, answers)``, imported only when used so ``import fairuse`` stays light
    if name == "triage":
        import importlib

        return importlib.import_module(".triage", __name__)  # the package is callable: fairuse.triage(df, answers)
    raise AttributeError(f"module 'fairuse' has no attribute {name!r}")
