package spec

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"testing"
)

// The ledger convention (issue 11 item 2): every line names an existing
// scenario that restates its Wine test, or a feature from the fixed list.
func TestLedgerBuiltInIsValid(t *testing.T) {
	lines, errs := LoadLedger()
	for _, e := range errs {
		t.Error(e)
	}
	if len(LedgerFiles()) == 0 {
		t.Fatal("no ledger file is built in")
	}
	s := SummarizeLedger(lines)
	if s.Held+s.Left != s.Examined || s.Deviations > s.Held {
		t.Errorf("summary does not add up: %+v", s)
	}
}

func TestLedgerRejectsBadLines(t *testing.T) {
	bad := []struct{ line, want string }{
		{"dlls/kernel32/tests/sync.c | test_events | sets it", "4 fields"},
		{"kernel32/sync.c | test_events | sets it | needs tcp", "wine file"},
		{"dlls/kernel32/tests/sync.c | events | sets it | needs tcp", "test function"},
		{"dlls/kernel32/tests/sync.c | test-x | sets it | needs tcp", "test function"},
		{"dlls/kernel32/tests/sync.c | test_events |  | needs tcp", "empty"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | needs sockets", "unknown feature"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | needs other:", "unknown feature"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | covered wine/x.scenario", "unknown status"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | scenario", "status"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | scenario wine/x.txt", "scenario path"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | deviation ../x.scenario", "scenario path"},
		{"dlls/kernel32/tests/sync.c | test_events | sets it | scenario scenarios/wine/x.scenario", "scenario path"},
	}
	for _, b := range bad {
		lines, errs := ParseLedger("t.ledger", strings.NewReader("# comment\n\n"+b.line+"\n"))
		if len(lines) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), b.want) || !strings.HasPrefix(errs[0].Error(), "t.ledger:3: ") {
			t.Errorf("%q: lines %v, errors %v; want one error at t.ledger:3 mentioning %q", b.line, lines, errs, b.want)
		}
	}
	good := "dlls/kernel32/tests/sync.c | test_events | sets it | needs other:fibers\n" +
		"dlls/kernel32/tests/pipe.c | test_CreateNamedPipe | busy | needs named-pipe\n" +
		"dlls/kernel32/tests/pipe.c | test_x | y | deviation wine/kernel/a.scenario\n"
	lines, errs := ParseLedger("g.ledger", strings.NewReader(good))
	if len(errs) != 0 || len(lines) != 3 || lines[0].Feature != "other:fibers" || lines[2].Scenario != "wine/kernel/a.scenario" || lines[2].Status != LedgerDeviation {
		t.Errorf("good lines: %+v %v", lines, errs)
	}
}

// A line whose scenario is missing, or lacks the matching source header,
// is an error naming the ledger line.
func TestLedgerChecksScenarios(t *testing.T) {
	open := func(p string) (*Scenario, error) {
		switch p {
		case "wine/ok.scenario":
			return &Scenario{File: "scenarios/" + p, Sources: []string{"dlls/kernel32/tests/sync.c test_events"}}, nil
		case "pipes/plain.scenario":
			return &Scenario{File: "scenarios/" + p}, nil
		}
		return nil, fs.ErrNotExist
	}
	text := "dlls/kernel32/tests/sync.c | test_events | a | scenario wine/ok.scenario\n" +
		"dlls/kernel32/tests/sync.c | test_events | b | scenario wine/gone.scenario\n" +
		"dlls/kernel32/tests/sync.c | test_events | c | scenario pipes/plain.scenario\n" +
		"dlls/kernel32/tests/sync.c | test_mutex | d | deviation wine/ok.scenario\n"
	lines, errs := ParseLedger("k.ledger", strings.NewReader(text))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	errs = CheckLedger(lines, open)
	want := []string{"k.ledger:2: scenario wine/gone.scenario", "k.ledger:3: scenario pipes/plain.scenario has no header line \"source dlls/kernel32/tests/sync.c test_events\"", "k.ledger:4: scenario wine/ok.scenario has no header line \"source dlls/kernel32/tests/sync.c test_mutex\""}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want it to start %q", i, errs[i], w)
		}
	}
	if !errors.Is(errs[0], fs.ErrNotExist) && !strings.Contains(errs[0].Error(), "not exist") {
		t.Errorf("missing scenario error should say so: %v", errs[0])
	}
	// The built-in corpus: a path that is not there fails too.
	_, err := ParseEmbedded(path.Join("scenarios", "wine/no-such.scenario"))
	if err == nil {
		t.Error("ParseEmbedded found a scenario that does not exist")
	}
}

// Every scenario that restates a Wine test counts in the ledger.
func TestEveryWineScenarioInLedger(t *testing.T) {
	lines, _ := LoadLedger()
	var scs []*Scenario
	for _, p := range EmbeddedFiles() {
		sc, err := ParseEmbedded(p)
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
	}
	for _, p := range UnledgeredSources(scs, lines) {
		t.Errorf("%s has a source header but no line of spec/wine/*.ledger names it", p)
	}
	// And the check itself notices one.
	fake := &Scenario{File: "scenarios/wine/x.scenario", Sources: []string{"dlls/a.c test_a"}}
	if got := UnledgeredSources([]*Scenario{fake}, nil); len(got) != 1 || got[0] != "wine/x.scenario" {
		t.Errorf("UnledgeredSources = %v", got)
	}
}

func TestSummarizeLedger(t *testing.T) {
	lines := []LedgerLine{
		{WineFile: "f", Status: LedgerScenario, Scenario: "a"},
		{WineFile: "f", Status: LedgerScenario, Scenario: "a"},
		{WineFile: "g", Status: LedgerDeviation, Scenario: "b"},
		{WineFile: "g", Status: LedgerNeeds, Feature: "tcp"},
		{WineFile: "g", Status: LedgerNeeds, Feature: "named-pipe"},
		{WineFile: "g", Status: LedgerNeeds, Feature: "named-pipe"},
	}
	s := SummarizeLedger(lines)
	if s.Examined != 6 || s.Held != 3 || s.Deviations != 1 || s.Left != 3 || s.Scenarios != 2 {
		t.Errorf("%+v", s)
	}
	if len(s.ByFeature) != 2 || s.ByFeature[0] != (FeatureCount{"named-pipe", 2}) || s.ByFeature[1] != (FeatureCount{"tcp", 1}) {
		t.Errorf("by feature %+v", s.ByFeature)
	}
}
