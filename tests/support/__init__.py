"""Test support shared by the tests and the benchmarks (never shipped: hero_app and hero_core do not import it)."""
