// Tests share one PostgreSQL sandbox and some set SHIPPYAR_PG_BINDIR, a process-wide variable: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
