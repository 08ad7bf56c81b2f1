"""`rest2mcp lint`: what in a document makes its tools hard for a model to use, with a fix for each.

`rules.py` holds the rules (a pure function of an Analysis); `codes.py` the registry of their codes,
from which the README's lint table is generated.
"""
