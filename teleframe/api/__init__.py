"""HTTP resources. Each resource is a package with `resources.py` and `schemas.py`."""
