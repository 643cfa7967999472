"""Scripts that print speed and memory figures: run each as `python -m benchmarks.NAME`."""
