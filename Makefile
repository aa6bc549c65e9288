.PHONY: bench

# Every benchmark against its same-run baseline; writes docs/BENCHMARKS.md.
bench:
	scripts/bench.sh
