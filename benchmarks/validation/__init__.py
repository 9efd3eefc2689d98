"""Validation benchmark helpers: real datasets, synthetic-data generators, train-on-plan harness.

See benchmarks/bench_validation.py for the command and what it measures.
"""
