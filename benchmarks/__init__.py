"""The performance benchmark behind `make bench` (see benchmarks/run.py)."""
