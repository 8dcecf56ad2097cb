"""Benchmarks: commands that measure the app (bench_pages, bench_reports, bench_writes …) and their
helpers. Not part of the product: production settings do not install this app (it is installed
when DEBUG=1, in tests, or with WENMING_BENCHMARKS=1), and every command refuses a database that is
not a scratch one (benchmarks/scratch.py)."""
