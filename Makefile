.PHONY: bench bench-slow

# Every benchmark against its same-run baseline; writes docs/BENCHMARKS.md.
bench:
	scripts/bench.sh

# The same on a slower machine, roughly: the measured processes pinned to one core beside a
# busy loop; writes docs/BENCHMARKS-slow.md.
bench-slow:
	scripts/bench.sh --slow
