package bugs

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
	"pgregory.net/rapid"
)

// For every pattern, four things are checked:
//
//  1. search: the buggy form passes under UsualChooser (the bug hides
//     there), and some seed in 1..10000 makes it go wrong, under
//     SeededChooser and under SwarmChooser (HostileChooser is tried first
//     and logged);
//  2. shrink: rapid, drawing every decision through RapidChooser, finds a
//     failing schedule for the buggy form and shrinks it; the minimal list
//     of decisions is logged and replayed;
//  3. fixed: the corrected form passes every seed tried, under both
//     choosers, both provider kinds, and HostileChooser;
//  4. liveness: with hostile decisions for a while and the usual ones
//     afterwards (AfterFaults), every I/O request of the corrected form
//     completes exactly once and no system action is left pending. (Every
//     other run that ends without a deadlock is held to the same rule.)

func TestMain(m *testing.M) {
	flag.Parse()
	// A buggy form is expected to fail under rapid: no fail files in the
	// source tree, a bounded time for shrinking, enough tries that a
	// schedule is found even with -short (rapid stops at the first
	// failure, so more tries cost nothing when one is found early), and a
	// fixed seed so that every run finds and shrinks to the same schedule.
	// Each can still be given on the command line.
	defaults := map[string]string{
		"rapid.nofailfile": "true",
		"rapid.shrinktime": "5s",
		"rapid.checks":     "1000",
		"rapid.seed":       "1",
	}
	flag.Visit(func(f *flag.Flag) { delete(defaults, f.Name) })
	for name, value := range defaults {
		flag.Set(name, value)
	}
	os.Exit(m.Run())
}

const searchSeeds = 10000

// fixedSeeds is how many seeds each corrected form is run under, per
// chooser: all of them normally, fewer under the race detector (which
// makes every run several times slower) and with -short.
func fixedSeeds() uint64 {
	switch {
	case testing.Short():
		return 300
	case raceEnabled:
		return 2000
	}
	return searchSeeds
}

// strict are the options every corrected form runs under: anything the
// emulator can make visible is made visible.
func strict() []emu.Option {
	return []emu.Option{emu.WithPoison(), emu.WithSanitizer(emu.SanitizeReport)}
}

func with(base []emu.Option, more ...emu.Option) []emu.Option {
	return append(append([]emu.Option(nil), base...), more...)
}

// checkLive fails the test if a run that ended without error broke the
// emulator's liveness promise.
func checkLive(t *testing.T, what string, r *Result) {
	t.Helper()
	if r.Err == nil && len(r.Liveness) > 0 {
		t.Errorf("%s: liveness: %s", what, strings.Join(r.Liveness, "; "))
	}
}

func TestPatterns(t *testing.T) {
	for _, p := range Patterns {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			t.Run("search", func(t *testing.T) { testSearch(t, p) })
			t.Run("shrink", func(t *testing.T) { testShrink(t, p) })
			t.Run("fixed", func(t *testing.T) { testFixed(t, p) })
			t.Run("liveness", func(t *testing.T) { testLiveness(t, p) })
		})
	}
}

// testSearch finds a failing seed for the buggy form.
func testSearch(t *testing.T, p Pattern) {
	// The bug hides under what Windows usually does: that is how it got
	// shipped. (The docs say so; this keeps them honest.)
	if r := Run(p.Buggy, strict()...); r.Wrong() {
		t.Errorf("the buggy form already goes wrong under UsualChooser: %s", r.Why())
	}
	if r := Run(p.Buggy, with(p.Options, emu.WithChooser(emu.HostileChooser()))...); r.Wrong() {
		t.Logf("HostileChooser exposes it: %s", r.Why())
	} else {
		t.Logf("HostileChooser does not expose it")
		checkLive(t, "hostile", r)
	}
	choosers := []struct {
		name string
		make func(seed uint64) emu.Chooser
	}{
		{"SeededChooser", func(seed uint64) emu.Chooser { return emu.SeededChooser(seed) }},
		{"SwarmChooser", func(seed uint64) emu.Chooser { return emu.SwarmChooser(seed) }},
	}
	for _, c := range choosers {
		found := uint64(0)
		var why string
		for seed := uint64(1); seed <= searchSeeds; seed++ {
			r := Run(p.Buggy, with(p.Options, emu.WithChooser(c.make(seed)))...)
			checkLive(t, fmt.Sprintf("%s(%d)", c.name, seed), r)
			if r.Wrong() {
				found, why = seed, r.Why()
				// The same seed is the same run, trace and all.
				again := Run(p.Buggy, with(p.Options, emu.WithChooser(c.make(seed)))...)
				if again.Trace.String() != r.Trace.String() {
					t.Errorf("%s(%d): the rerun's trace differs", c.name, seed)
				}
				break
			}
		}
		if found == 0 {
			t.Errorf("%s: no seed in 1..%d exposes the buggy form", c.name, searchSeeds)
			continue
		}
		t.Logf("%s: seed %d exposes it: %s", c.name, found, why)
	}
}

// testShrink lets rapid find and shrink a failing schedule.
func testShrink(t *testing.T, p Pattern) {
	var last []emu.Choice
	var lastWhy string
	prop := func(rt *rapid.T) {
		rec := &emu.Recorder{Inner: emu.RapidChooser(rt)}
		r := Run(p.Buggy, with(p.Options, emu.WithChooser(rec))...)
		if r.Wrong() {
			last, lastWhy = rec.Choices, r.Why()
			rt.Fatalf("%s", r.Why())
		}
	}
	tb := &expectFailure{name: t.Name()}
	rapid.Check(tb, prop)
	if !tb.Failed() {
		t.Fatalf("rapid found no schedule that exposes the buggy form:\n%s", tb.log())
	}
	// The last failing run rapid made is its minimal case. Everything
	// after its last unusual decision is the usual behaviour, so that
	// prefix is the schedule.
	n := 0
	var unusual []string
	for i, c := range last {
		if c.Pick != 0 {
			n = i + 1
			unusual = append(unusual, fmt.Sprintf("#%d %s=%d/%d", i, c.Point, c.Pick, c.N))
		}
	}
	t.Logf("rapid's minimal schedule: %d decisions, %d of them unusual [%s]; it goes wrong with: %s",
		n, len(unusual), strings.Join(unusual, " "), lastWhy)
	r := Run(p.Buggy, with(p.Options, emu.WithChooser(emu.ReplayChooser(last[:n])))...)
	if !r.Wrong() {
		t.Errorf("replaying the minimal schedule does not reproduce the failure")
	}
}

// testFixed runs the corrected form under every seed tried.
func testFixed(t *testing.T, p Pattern) {
	bad := 0
	fail := func(what string, r *Result) {
		t.Helper()
		checkLive(t, what, r)
		if r.Wrong() {
			bad++
			if bad <= 3 {
				t.Errorf("%s: %s", what, r.Why())
			}
		}
	}
	fail("UsualChooser", Run(p.Fixed, strict()...))
	for _, kind := range []provider.Kind{provider.IFS, provider.NonIFS} {
		fail(fmt.Sprintf("%v/HostileChooser", kind), Run(p.Fixed, with(strict(), emu.WithProviderKind(kind), emu.WithChooser(emu.HostileChooser()))...))
	}
	n := fixedSeeds()
	for seed := uint64(1); seed <= n; seed++ {
		fail(fmt.Sprintf("SeededChooser(%d)", seed), Run(p.Fixed, with(strict(), emu.WithChooser(emu.SeededChooser(seed)))...))
		fail(fmt.Sprintf("SwarmChooser(%d)", seed), Run(p.Fixed, with(strict(), emu.WithChooser(emu.SwarmChooser(seed)))...))
		if seed%5 == 0 {
			// The provider the SPI pages describe, on a sample of seeds.
			fail(fmt.Sprintf("nonifs/SeededChooser(%d)", seed), Run(p.Fixed, with(strict(), emu.WithProviderKind(provider.NonIFS), emu.WithChooser(emu.SeededChooser(seed)))...))
		}
		if len(p.Options) > 0 && seed%5 == 0 {
			// The setting the buggy form is searched under (a layered
			// provider, say), on a sample of seeds.
			fail(fmt.Sprintf("options/SwarmChooser(%d)", seed), Run(p.Fixed, with(with(strict(), p.Options...), emu.WithChooser(emu.SwarmChooser(seed)))...))
		}
		if bad > 0 && seed > 100 {
			break
		}
	}
	if bad > 0 {
		t.Errorf("the corrected form went wrong in %d runs", bad)
	}
}

// testLiveness: hostile decisions for the first k, usual ones after; every
// request completes exactly once and nothing is left pending.
func testLiveness(t *testing.T, p Pattern) {
	for _, k := range []int{0, 1, 2, 4, 8, 16, 32, 1 << 20} {
		for seed := uint64(1); seed <= 20; seed++ {
			for _, kind := range []provider.Kind{provider.IFS, provider.NonIFS} {
				c := AfterFaults(emu.SwarmChooser(seed), k)
				r := Run(p.Fixed, with(strict(), emu.WithProviderKind(kind), emu.WithChooser(c))...)
				what := fmt.Sprintf("%v/faults for %d decisions/SwarmChooser(%d)", kind, k, seed)
				if r.Err != nil {
					t.Fatalf("%s: %v", what, r.Err)
				}
				if len(r.Liveness) > 0 {
					t.Fatalf("%s: %s", what, strings.Join(r.Liveness, "; "))
				}
				if r.PendingActions != 0 {
					t.Fatalf("%s: %d system actions pending", what, r.PendingActions)
				}
				if r.Wrong() {
					t.Fatalf("%s: %s", what, r.Why())
				}
			}
		}
	}
	// The check itself must see a request that never completes: a receive
	// left pending when the program ends.
	r := Run(func(t *emu.Thread, v *Verdict) {
		startup(t, v)
		rx, _, _ := udpSocket(t, v)
		var n, fl uint32
		t.WSARecv(rx, buf1(make([]byte, 4)), &n, &fl, &emu.Overlapped{}, nil)
	})
	if len(r.Liveness) == 0 {
		t.Errorf("a receive left pending was not reported")
	}
}

// TestPatternClauses: every clause a pattern names is in the catalogue.
func TestPatternClauses(t *testing.T) {
	for _, p := range Patterns {
		if len(p.Clauses) == 0 {
			t.Errorf("%s names no clause", p.Name)
		}
		for _, id := range p.Clauses {
			if _, ok := spec.Lookup(id); !ok {
				t.Errorf("%s: clause %q is not in the catalogue", p.Name, id)
			}
		}
	}
}

// TestFindingsNameClauses: every finding the buggy forms produce names a
// catalogue clause.
func TestFindingsNameClauses(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Patterns {
		for seed := uint64(1); seed <= 50; seed++ {
			r := Run(p.Buggy, with(strict(), emu.WithChooser(emu.SeededChooser(seed)))...)
			for _, f := range r.Findings {
				seen[f.Clause] = true
				if f.Thread == "" || len(f.Excerpt) == 0 {
					t.Errorf("%s: finding without thread or excerpt: %v", p.Name, f)
				}
			}
		}
	}
	for c := range seen {
		if _, ok := spec.Lookup(c); !ok {
			t.Errorf("a finding names clause %q, which is not in the catalogue", c)
		}
	}
}

// TestSanitizerClausesInCatalogue reads the emulator's source for every
// clause a sanitizer finding can name (each s.finding call) and checks that
// the catalogue has it: a finding must point at a clause a reader can look
// up, including the ones no program here happens to trigger.
func TestSanitizerClausesInCatalogue(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "emu", "*.go"))
	if err != nil || len(files) == 0 {
		t.Skipf("emulator source not found: %v", err)
	}
	call := regexp.MustCompile(`\.finding\(\s*\w+,\s*"([^"]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := spec.Lookup(m[1]); !ok {
				t.Errorf("%s: a sanitizer finding names clause %q, which is not in the catalogue", filepath.Base(f), m[1])
			}
		}
	}
	if n == 0 {
		t.Error("found no sanitizer findings in the emulator's source")
	}
}

// TestFailFast: in fail-fast mode the run stops at the first finding with
// a *emu.SanitizerError naming the clause.
func TestFailFast(t *testing.T) {
	for _, p := range Patterns {
		if p.Name != "reuse" {
			continue
		}
		for seed := uint64(1); seed <= searchSeeds; seed++ {
			r := Run(p.Buggy, emu.WithSanitizer(emu.SanitizeFailFast), emu.WithChooser(emu.SeededChooser(seed)))
			if r.Err == nil {
				continue
			}
			se, ok := r.Err.(*emu.SanitizerError)
			if !ok {
				t.Fatalf("seed %d: %v, want a *emu.SanitizerError", seed, r.Err)
			}
			if se.Finding.Clause != "wsaoverlapped.reuse-while-pending" {
				t.Errorf("seed %d: clause %s", seed, se.Finding.Clause)
			}
			return
		}
		t.Fatal("no seed stopped the run")
	}
}

// expectFailure is a rapid.TB for a property that is supposed to fail:
// it records what rapid reports instead of failing the test.
type expectFailure struct {
	mu     sync.Mutex
	name   string
	failed bool
	lines  []string
}

func (e *expectFailure) Helper()      {}
func (e *expectFailure) Name() string { return e.name }
func (e *expectFailure) Logf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}
func (e *expectFailure) Log(args ...any)                   { e.Logf("%s", fmt.Sprint(args...)) }
func (e *expectFailure) Skipf(format string, args ...any)  { e.Logf("skip: "+format, args...) }
func (e *expectFailure) Skip(args ...any)                  { e.Log(args...) }
func (e *expectFailure) SkipNow()                          {}
func (e *expectFailure) Errorf(format string, args ...any) { e.Logf(format, args...); e.Fail() }
func (e *expectFailure) Error(args ...any)                 { e.Log(args...); e.Fail() }
func (e *expectFailure) Fatalf(format string, args ...any) { e.Errorf(format, args...) }
func (e *expectFailure) Fatal(args ...any)                 { e.Error(args...) }
func (e *expectFailure) FailNow()                          { e.Fail() }
func (e *expectFailure) Fail() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failed = true
}
func (e *expectFailure) Failed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}
func (e *expectFailure) log() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.lines, "\n")
}

// TestREADMECounts: the project README says how many patterns there are,
// and this directory's README has a row for each, naming its pair of
// programs (the promise of the READMEs: every pattern is listed).
func TestREADMECounts(t *testing.T) {
	top, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(top)), " ")
	if want := fmt.Sprintf("%d of them,", len(Patterns)); !strings.Contains(text, want) {
		t.Errorf("README.md should say %q (the number of patterns in Patterns)", want)
	}
	local, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(string(local), "\n") {
		if strings.HasPrefix(l, "| ") && strings.Contains(l, "Buggy` / `") {
			rows++
		}
	}
	if rows != len(Patterns) {
		t.Errorf("tests/bugs/README.md has %d pattern rows, Patterns has %d", rows, len(Patterns))
	}
}
