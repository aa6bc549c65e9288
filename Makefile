.PHONY: bench bench-slow dist

# Every benchmark against its same-run baseline; writes docs/BENCHMARKS.md.
bench:
	scripts/bench.sh

# The same on a slower machine, roughly: the measured processes pinned to one core beside a
# busy loop; writes docs/BENCHMARKS-slow.md.
bench-slow:
	scripts/bench.sh --slow

# The installable desktop app (release build): the .deb, and the .AppImage when its tools can
# be had; prints where they are. scripts/dist-check.sh installs the .deb and screenshots it.
dist:
	scripts/dist.sh
