"""`make bench`: the benchmarks (issue #8), run as `python -m bench [--quick] [--only 1,4]`.

Modules: `run` (the entry point, see its docstring), one module per benchmark
(`collection`, `scaling`, `browsing`, `many`, with `peer` and `floor`),
`common` (timed child processes, the simulator as a server process),
`report` (docs/BENCHMARKS.md). Children run as `python -m bench.<module>`
from the project root, so the package imports itself without path edits.
"""
