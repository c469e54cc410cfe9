package main

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkExplore times explore itself over the whole corpus (loading
// the files, every scenario, configuration and mode, the determinism
// re-runs, the report), as `wsaemu explore -seeds 20 -workers W
// spec/scenarios` does it. One op is one such explore; runs/s is issue
// 16's figure (target 100,000 on the project's 2-core machine), and
// allocs/run and B/run are the allocations of one run, setup included.
func BenchmarkExplore(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			args := []string{"explore", "-seeds", "20", "-workers", strconv.Itoa(w), "../../spec/scenarios"}
			runs := 0
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			for b.Loop() {
				var out, errb bytes.Buffer
				if code := run(args, &out, &errb); code != exitOK {
					b.Fatalf("explore: exit %d\n%s%s", code, out.String(), errb.String())
				}
				n, err := strconv.Atoi(strings.Fields(out.String())[0])
				if err != nil {
					b.Fatalf("explore: no run count in %q", out.String())
				}
				runs += n
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(runs)/elapsed.Seconds(), "runs/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(runs), "allocs/run")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(runs), "B/run")
		})
	}
}
