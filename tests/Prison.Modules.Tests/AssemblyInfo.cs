// The tests force garbage collections and look at every load context in the process: running them
// one at a time keeps one test's plugin from showing up in another's checks.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
