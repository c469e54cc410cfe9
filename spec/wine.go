package spec

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The Wine assertion ledger (issue 11): every Windows-verified assertion of
// Wine's conformance tests that was examined is one line of a file
// spec/wine/*.ledger, either pointing at the scenario that checks it or
// naming the feature the emulator still lacks to express it. A line reads
//
//	<wine file> | <test function> | <what Windows does> | <status>
//
// where status is "scenario PATH", "deviation PATH" (the assertion is
// todo_wine in Wine: Windows does it, Wine does not; PATH still checks it)
// or "needs FEATURE" (FEATURE from LedgerFeatures, or "other:WORD"). PATH
// is relative to spec/scenarios, and that scenario's header must carry
// "source <wine file> <test function>".
//
//go:embed wine/*.ledger
var ledgerFS embed.FS

// LedgerFeatures are the words a "needs" status may name (besides
// "other:WORD"): the features the scenario format or the emulator lacks.
var LedgerFeatures = []string{
	"tcp", "acceptex", "connectex", "transmitfile", "eventselect", "poll",
	"select", "afd", "named-pipe", "duplicate-handle", "peek-named-pipe",
	"getpeername", "null-pointer-args", "wsamsg-outputs", "multicast",
	"raw-sockets", "ipx", "async-select", "nonblocking-connect",
	"socket-options",
}

// Ledger statuses.
const (
	LedgerScenario  = "scenario"
	LedgerDeviation = "deviation"
	LedgerNeeds     = "needs"
)

// LedgerLine is one examined assertion.
type LedgerLine struct {
	Ledger    string `json:"ledger"` // the ledger file, e.g. wine/kernel.ledger
	Line      int    `json:"line"`
	WineFile  string `json:"wine_file"` // e.g. dlls/kernel32/tests/sync.c
	Function  string `json:"function"`  // e.g. test_WaitForMultipleObjects
	Assertion string `json:"assertion"` // what Windows does, in our words
	Status    string `json:"status"`    // scenario, deviation or needs
	// Scenario is the checking scenario (relative to spec/scenarios) for
	// scenario and deviation lines; Feature the missing feature for needs.
	Scenario string `json:"scenario,omitempty"`
	Feature  string `json:"feature,omitempty"`
}

func (l LedgerLine) where() string { return fmt.Sprintf("%s:%d", l.Ledger, l.Line) }

// ValidFeature says whether a "needs" word is allowed.
func ValidFeature(f string) bool {
	if w, ok := strings.CutPrefix(f, "other:"); ok {
		return w != "" && !strings.ContainsAny(w, " \t|")
	}
	for _, x := range LedgerFeatures {
		if f == x {
			return true
		}
	}
	return false
}

// IsWineTestFunction says whether name can be a Wine test function: a C
// identifier with "test" in it (test_WSARecv, or a helper such as
// read_pipe_test that the test entry point calls with its own checks).
func IsWineTestFunction(name string) bool {
	if !strings.Contains(name, "test") {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ParseLedger reads one ledger file; name labels its lines and errors.
// It checks the syntax of each line (fields, status, feature word); the
// scenarios named are checked by CheckLedger.
func ParseLedger(name string, r io.Reader) ([]LedgerLine, []error) {
	var out []LedgerLine
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, a...)))
		}
		f := strings.Split(text, " | ")
		if len(f) != 4 {
			bad("want 4 fields separated by \" | \" (wine file | test function | assertion | status), got %d", len(f))
			continue
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		l := LedgerLine{Ledger: name, Line: n, WineFile: f[0], Function: f[1], Assertion: f[2]}
		switch {
		case !strings.HasPrefix(l.WineFile, "dlls/") || strings.ContainsAny(l.WineFile, " \t"):
			bad("wine file %q: want a path in the Wine tree such as dlls/kernel32/tests/sync.c", l.WineFile)
			continue
		case !IsWineTestFunction(l.Function):
			bad("test function %q: want a C test function such as test_WaitForMultipleObjects", l.Function)
			continue
		case l.Assertion == "":
			bad("the assertion (third field) is empty")
			continue
		}
		st := strings.Fields(f[3])
		if len(st) != 2 {
			bad("status %q: want \"scenario PATH\", \"deviation PATH\" or \"needs FEATURE\"", f[3])
			continue
		}
		l.Status = st[0]
		switch st[0] {
		case LedgerScenario, LedgerDeviation:
			p := st[1]
			if !strings.HasSuffix(p, Ext) || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "..") || strings.HasPrefix(p, "scenarios/") {
				bad("scenario path %q: want a %s file relative to spec/scenarios, e.g. wine/kernel/event-wait.scenario", p, Ext)
				continue
			}
			l.Scenario = p
		case LedgerNeeds:
			if !ValidFeature(st[1]) {
				bad("unknown feature %q (want one of %s, or other:WORD)", st[1], strings.Join(LedgerFeatures, ", "))
				continue
			}
			l.Feature = st[1]
		default:
			bad("unknown status %q (want scenario, deviation or needs)", st[0])
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s:%d: %v", name, n+1, err))
	}
	return out, errs
}

// CheckLedger checks that every scenario a line names exists (open returns
// it, parsed, given its path relative to spec/scenarios) and restates that
// line's test: its header has "source <wine file> <test function>".
func CheckLedger(lines []LedgerLine, open func(p string) (*Scenario, error)) []error {
	var errs []error
	cache := map[string]*Scenario{}
	failed := map[string]error{}
	for _, l := range lines {
		if l.Scenario == "" {
			continue
		}
		sc, ok := cache[l.Scenario]
		if !ok {
			if err, bad := failed[l.Scenario]; bad {
				errs = append(errs, fmt.Errorf("%s: scenario %s: %v", l.where(), l.Scenario, err))
				continue
			}
			var err error
			sc, err = open(l.Scenario)
			if err != nil {
				failed[l.Scenario] = err
				errs = append(errs, fmt.Errorf("%s: scenario %s: %v", l.where(), l.Scenario, err))
				continue
			}
			cache[l.Scenario] = sc
		}
		want := l.WineFile + " " + l.Function
		found := false
		for _, s := range sc.Sources {
			if s == want {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s: scenario %s has no header line \"source %s\"", l.where(), l.Scenario, want))
		}
	}
	return errs
}

// LedgerFiles lists the ledger files built into the binary.
func LedgerFiles() []string {
	m, _ := fs.Glob(ledgerFS, "wine/*.ledger")
	sort.Strings(m)
	return m
}

// LoadLedger reads and checks every built-in ledger against the built-in
// corpus. The lines come back in file order even when some are bad.
func LoadLedger() ([]LedgerLine, []error) {
	var all []LedgerLine
	var errs []error
	for _, f := range LedgerFiles() {
		b, err := ledgerFS.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lines, e := ParseLedger(f, strings.NewReader(string(b)))
		all = append(all, lines...)
		errs = append(errs, e...)
	}
	errs = append(errs, CheckLedger(all, func(p string) (*Scenario, error) {
		return ParseEmbedded(path.Join("scenarios", p))
	})...)
	return all, errs
}

// FeatureCount is how many examined assertions wait for one feature.
type FeatureCount struct {
	Feature string `json:"feature"`
	Count   int    `json:"count"`
}

// LedgerSummary counts the ledger: how many Windows-verified assertions
// the corpus holds (scenario and deviation lines) and how many are left,
// per missing feature.
type LedgerSummary struct {
	Examined   int            `json:"examined"`
	Held       int            `json:"held"`       // checked by a scenario (includes Deviations)
	Deviations int            `json:"deviations"` // of Held: todo_wine in Wine
	Left       int            `json:"left"`       // waiting for a feature
	Scenarios  int            `json:"scenarios"`  // distinct scenarios named
	ByFeature  []FeatureCount `json:"by_feature"` // of Left, most first, then by name
	ByFile     []FeatureCount `json:"by_file"`    // examined per Wine file (Feature holds the file)
}

// SummarizeLedger counts lines.
func SummarizeLedger(lines []LedgerLine) LedgerSummary {
	var s LedgerSummary
	feat := map[string]int{}
	file := map[string]int{}
	scen := map[string]bool{}
	for _, l := range lines {
		s.Examined++
		file[l.WineFile]++
		switch l.Status {
		case LedgerNeeds:
			s.Left++
			feat[l.Feature]++
		case LedgerDeviation:
			s.Deviations++
			fallthrough
		default:
			s.Held++
			scen[l.Scenario] = true
		}
	}
	s.Scenarios = len(scen)
	s.ByFeature = sortedCounts(feat, true)
	s.ByFile = sortedCounts(file, false)
	return s
}

func sortedCounts(m map[string]int, byCount bool) []FeatureCount {
	out := []FeatureCount{}
	for k, v := range m {
		out = append(out, FeatureCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if byCount && out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Feature < out[j].Feature
	})
	return out
}

// UnledgeredSources lists the scenarios (paths relative to spec/scenarios)
// that carry a source header but that no ledger line names: every
// scenario restating a Wine test must count in the ledger.
func UnledgeredSources(scs []*Scenario, lines []LedgerLine) []string {
	named := map[string]bool{}
	for _, l := range lines {
		if l.Scenario != "" {
			named[l.Scenario] = true
		}
	}
	var out []string
	for _, sc := range scs {
		if len(sc.Sources) == 0 {
			continue
		}
		p := strings.TrimPrefix(path.Clean(sc.File), "scenarios/")
		if !named[p] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
