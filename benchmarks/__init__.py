"""Scripts that print speed and memory figures: run each as `python -m benchmarks.NAME`, or all
of them, ending with one table, as `python -m benchmarks` (`make bench`)."""
