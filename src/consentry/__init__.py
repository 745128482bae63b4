"""consentry: countermeasures against intimate image abuse."""

import os

# PDQ's matrices are small: a multi-threaded BLAS only adds thread hand-offs, and in a
# server whose worker threads hash concurrently it oversubscribes the cores (measured:
# image scans 3x slower). Set before numpy loads; an operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
