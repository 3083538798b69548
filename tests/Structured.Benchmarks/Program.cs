using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Structured.Benchmarks.TrieWalkBenchmarks).Assembly).Run(args);
