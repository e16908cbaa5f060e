"""fairuse: fair-use and text-and-data-mining assessments from rules that cite their law.

Not legal advice: the rules state the law as of their ruleset's date.
"""

__version__ = "0.1.0"
