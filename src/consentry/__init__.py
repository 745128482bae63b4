"""consentry: countermeasures against intimate image abuse."""

__version__ = "0.1.0"
