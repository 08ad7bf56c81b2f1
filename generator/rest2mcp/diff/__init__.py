"""The surface diff: what changed for the model between two versions of an API's tools."""
