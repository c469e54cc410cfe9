package emulated

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/trace"
)

func readTraceFile(t testing.TB, f string) *trace.Trace {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return tr
}

func readTraceText(t testing.TB, text string) *trace.Trace {
	t.Helper()
	tr, err := trace.Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The permitted examples of docs/examples are permitted: they are runs of
// the model itself (recorded with check-trace -record -format v1) or
// hand-written runs the pages allow.
func TestFreeExamplesPermitted(t *testing.T) {
	files, _ := filepath.Glob("../../docs/examples/*.jsonl")
	if len(files) < 10 {
		t.Fatalf("%d examples", len(files))
	}
	for _, f := range files {
		fc, err := CheckFree(readTraceFile(t, f), MaxTraceRuns)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if fc.Verdict != "permitted" {
			t.Errorf("%s: %s at line %d: %s; model %v", f, fc.Verdict, fc.Line, fc.Observed, fc.Allowed)
		}
	}
}

// The hand-written traces of docs/examples/rejected are ones Windows
// cannot produce: each is rejected after every schedule was tried, at the
// record that shows it, with the rule named where the checker knows one.
func TestFreeRejected(t *testing.T) {
	for _, c := range []struct {
		file   string
		line   int
		clause string
		model  string
	}{
		// A completion routine ran inside SleepEx(0, FALSE): routines run
		// only in alertable waits.
		{"routine-outside-alertable-wait.jsonl", 7, "lpwsaoverlapped-completion-routine.alertable-only", "no such run"},
		// A packet for a record nothing issued.
		{"packet-never-issued.jsonl", 6, "getqueuedcompletionstatus.dequeue", "FALSE WAIT_TIMEOUT"},
		// Five bytes received, but the datagram went to another port.
		{"bytes-never-sent.jsonl", 8, "", "blocks and never returns"},
		// The bytes found in the buffers are not the bytes sent.
		{"data-never-sent.jsonl", 12, "", "the buffers hold \"hello\""},
		// WSARecv completed at once, yet its event reads unsignalled.
		{"event-never-signalled.jsonl", 8, "wsaoverlapped.hevent.event", "WAIT_OBJECT_0"},
		// The only order that explains the waits is one the timestamps
		// forbid.
		{"interleaving-timestamps-contradict.jsonl", 3, "", "WAIT_TIMEOUT"},
	} {
		fc, err := CheckFree(readTraceFile(t, "../../docs/examples/rejected/"+c.file), MaxTraceRuns)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if fc.Verdict != "not permitted" || fc.Line != c.line || fc.Clause != c.clause {
			t.Errorf("%s: %s at line %d (clause %q), want not permitted at line %d (clause %q)", c.file, fc.Verdict, fc.Line, fc.Clause, c.line, c.clause)
		}
		if len(fc.Allowed) == 0 || !strings.Contains(fc.Allowed[0].Text, c.model) {
			t.Errorf("%s: the model's results %v, want %q", c.file, fc.Allowed, c.model)
		}
		if c.clause != "" {
			if _, ok := spec.Lookup(c.clause); !ok {
				t.Errorf("%s: clause %s is not in the catalog", c.file, c.clause)
			}
		}
	}
}

// Two threads and no timestamps: the trace is explained by one
// interleaving only (B's SetEvent, A's first wait, B's ResetEvent, A's
// second wait), which the search finds although the file lists A first;
// with a budget of one run the answer is undecided, not a verdict.
func TestFreeInterleaving(t *testing.T) {
	tr := readTraceFile(t, "../../docs/examples/interleaving-one-order.jsonl")
	fc, err := CheckFree(tr, MaxTraceRuns)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Verdict != "permitted" {
		t.Fatalf("%s at line %d", fc.Verdict, fc.Line)
	}
	var order []string
	for _, l := range fc.Timeline {
		order = append(order, strings.Fields(l)[0]+" "+strings.Fields(l)[1])
	}
	want := "B SetEvent,A WaitForSingleObjectEx,B ResetEvent,A WaitForSingleObjectEx"
	if strings.Join(order, ",") != want {
		t.Errorf("timeline %v, want %s", order, want)
	}
	// Replaying the printed schedule explains the trace again.
	again, err := ReplayFree(tr, fc.Choices)
	if err != nil || again.Verdict != "permitted" {
		t.Errorf("replay of %s: %v %v", fc.Schedule(), again, err)
	}
	fc, err = CheckFree(tr, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Verdict != "undecided" || fc.Runs != 1 {
		t.Errorf("with one run: %s after %d runs, want undecided after 1", fc.Verdict, fc.Runs)
	}
}

// An object one thread made may be used by another thread whose records
// the file lists first: without timestamps the records of different
// threads may come in any order.
func TestFreeCreationListedLater(t *testing.T) {
	tr := readTraceText(t, `{"format":"wsaemu-trace","version":1}
{"ev":"call","thread":"waiter","fn":"WaitForSingleObject","args":{"h":"e","ms":4294967295},"ret":0}
{"ev":"call","thread":"maker","fn":"CreateEventW","args":{"manual":false,"initial":false},"ret":"e"}
{"ev":"call","thread":"maker","fn":"SetEvent","args":{"h":"e"},"ret":1}
`)
	fc, err := CheckFree(tr, MaxTraceRuns)
	if err != nil || fc.Verdict != "permitted" {
		t.Fatalf("%v %v", fc, err)
	}
}

// A call that had not returned when the recording ended may return in the
// model or not (docs/trace-format.md); a read must name a record.
func TestFreeUnfinishedAndReads(t *testing.T) {
	for _, c := range []struct{ name, last, want string }{
		{"blocked for ever", `{"ev":"call","thread":"a","fn":"WaitForSingleObject","args":{"h":"e","ms":4294967295},"unfinished":true}`, "permitted"},
		{"would have returned", `{"ev":"call","thread":"a","fn":"SetEvent","args":{"h":"e"},"unfinished":true}`, "permitted"},
		{"read of a record", `{"ev":"call","thread":"a","fn":"WSARecv","args":{"s":"s","buffers":[{"len":4}],"ov":"ov1"},"ret":-1,"error":997}
{"ev":"read","thread":"a","ov":"ov1","field":"Internal","value":259}`, "permitted"},
		{"read sees completion too early", `{"ev":"call","thread":"a","fn":"WSARecv","args":{"s":"s","buffers":[{"len":4}],"ov":"ov1"},"ret":-1,"error":997}
{"ev":"read","thread":"a","ov":"ov1","field":"Internal","value":0}`, "not permitted"},
		{"read of an event", `{"ev":"read","thread":"a","ov":"e","field":"Internal","value":0}`, "which no call before used as a record"},
	} {
		tr := readTraceText(t, `{"format":"wsaemu-trace","version":1}
{"ev":"call","thread":"a","fn":"CreateEventW","args":{"manual":true,"initial":false},"ret":"e"}
{"ev":"call","thread":"a","fn":"WSASocketW","args":{"af":2,"type":2,"protocol":17,"flags":1},"ret":"s"}
{"ev":"call","thread":"a","fn":"bind","args":{"s":"s","addr":"127.0.0.1:5000"},"ret":0}
`+c.last+"\n")
		fc, err := CheckFree(tr, MaxTraceRuns)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fc.Verdict
		}
		if !strings.Contains(got, c.want) || (c.want == "permitted" && got != "permitted") {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// A call the checker does not model is reported as unsupported, with its
// line.
func TestFreeUnsupported(t *testing.T) {
	tr := readTraceText(t, `{"format":"wsaemu-trace","version":1}
{"ev":"call","thread":"a","fn":"WSASocketW","args":{"af":2,"type":2,"protocol":17,"flags":1},"ret":"s"}
{"ev":"call","thread":"a","fn":"WSAIoctl","args":{"s":"s","code":1},"ret":0}
`)
	_, err := CheckFree(tr, 10)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Line != 3 || ue.Fn != "WSAIoctl" || !strings.Contains(err.Error(), "unsupported call WSAIoctl") {
		t.Errorf("got %v, want unsupported call WSAIoctl at line 3", err)
	}
}

// Every corpus scenario the format can express, recorded from the
// emulator as a free-form trace (with timestamps and without), is
// permitted: the checker explains the model's own runs.
func TestFreeCorpusRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the corpus twice; -short skips it")
	}
	written := 0
	for _, p := range spec.EmbeddedFiles() {
		sc, err := spec.ParseEmbedded(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg := spec.RunConfig{Kind: sc.Kinds[0], Profile: sc.Profiles[0]}
		for _, stamps := range []bool{true, false} {
			var b bytes.Buffer
			if err := WriteFree(&b, sc, cfg, emu.UsualChooser(), stamps, "test"); err != nil {
				if strings.Contains(err.Error(), "cannot be written") {
					break
				}
				t.Errorf("%s: %v", p, err)
				break
			}
			written++
			fc, err := CheckFree(readTraceText(t, b.String()), MaxTraceRuns)
			if err != nil {
				t.Errorf("%s (stamps %v): %v", p, stamps, err)
				continue
			}
			if fc.Verdict != "permitted" {
				t.Errorf("%s (stamps %v): %s at line %d: %s; model %v\n%s", p, stamps, fc.Verdict, fc.Line, fc.Observed, fc.Allowed, b.String())
			}
		}
	}
	t.Logf("%d traces written from the corpus and permitted", written)
	if written < 200 {
		t.Errorf("only %d traces written from the corpus, want the 212 this test was written with", written)
	}
}

// Seeded runs of the corpus, which take the unusual alternatives of the
// open decisions (a request that pends, a cancel that loses the race, the
// routines' order), recorded without timestamps, are permitted too: the
// search finds the decisions and the interleaving that explain them.
func TestFreeCorpusSeeded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the corpus under several seeds; -short skips it")
	}
	unusual := 0
	for _, p := range spec.EmbeddedFiles() {
		sc, err := spec.ParseEmbedded(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range sc.Kinds {
			for seed := uint64(1); seed <= 4; seed++ {
				cfg := spec.RunConfig{Kind: kind, Profile: sc.Profiles[0]}
				var b bytes.Buffer
				if err := WriteFree(&b, sc, cfg, emu.SeededChooser(seed), false, "test"); err != nil {
					break
				}
				fc, err := CheckFree(readTraceText(t, b.String()), MaxTraceRuns)
				if err != nil {
					t.Errorf("%s %s seed %d: %v", p, kind, seed, err)
					continue
				}
				if fc.Verdict != "permitted" {
					t.Errorf("%s %s seed %d: %s at line %d: %s; model %v\n%s", p, kind, seed, fc.Verdict, fc.Line, fc.Observed, fc.Allowed, b.String())
				}
				for _, c := range fc.Choices {
					if c.Pick != 0 && c.Point != emu.PointSchedule {
						unusual++
						break
					}
				}
			}
		}
	}
	t.Logf("%d seeded traces needed an unusual decision of the model", unusual)
	if unusual == 0 {
		t.Error("no seeded trace needed an unusual decision: the test does not test the search")
	}
}

// bigTrace is a single-threaded UDP echo of n calls: a receive that
// pends, the send that completes it, WSAGetOverlappedResult, repeated.
func bigTrace(n int) string {
	var b strings.Builder
	b.WriteString(`{"format":"wsaemu-trace","version":1,"provider":"ifs"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"WSASocketW","args":{"af":2,"type":2,"protocol":17,"flags":1},"ret":"r"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"bind","args":{"s":"r","addr":"127.0.0.1:5000"},"ret":0}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"socket","args":{"af":2,"type":2,"protocol":17},"ret":"w"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"WSACreateEvent","args":{},"ret":"e"}` + "\n")
	calls := 4
	for i := 0; calls < n; i++ {
		fmt.Fprintf(&b, `{"ev":"call","thread":"main","fn":"WSARecv","args":{"s":"r","buffers":[{"len":16}],"ov":{"id":"ov1","hEvent":"e"}},"ret":-1,"error":997}`+"\n")
		fmt.Fprintf(&b, `{"ev":"call","thread":"main","fn":"WSASendTo","args":{"s":"w","buffers":[{"len":5,"text":"hello"}],"to":"127.0.0.1:5000","ov":null},"ret":0,"out":{"bytes":5}}`+"\n")
		fmt.Fprintf(&b, `{"ev":"call","thread":"main","fn":"WSAGetOverlappedResult","args":{"s":"r","ov":"ov1","wait":false},"ret":1,"out":{"bytes":5,"flags":0}}`+"\n")
		calls += 3
	}
	return b.String()
}

// A 10,000-call trace is checked (the target: under 10 s). The
// time is logged; the bound asserted is ten times the target, so a loaded
// machine does not fail it while a search gone quadratic does.
func TestFree10000Calls(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10,000-call trace; -short skips it")
	}
	tr := readTraceText(t, bigTrace(10000))
	start := time.Now()
	fc, err := CheckFree(tr, MaxTraceRuns)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("10,000 calls: %s in %d run(s), %v", fc.Verdict, fc.Runs, took)
	if fc.Verdict != "permitted" {
		t.Fatalf("%s at line %d: %s", fc.Verdict, fc.Line, fc.Observed)
	}
	if took > 100*time.Second {
		t.Errorf("took %v", took)
	}
}

// bigTwoThreads is a UDP exchange of n calls on two threads without
// timestamps: rx receives (WSARecv pends, WSAGetOverlappedResult waits),
// tx sends. Interleaved, the file lists the records in the order they
// happened; otherwise all of rx's come first, then all of tx's.
func bigTwoThreads(n int, interleaved bool) string {
	var b, rx, tx strings.Builder
	b.WriteString(`{"format":"wsaemu-trace","version":1,"provider":"ifs"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"rx","fn":"WSASocketW","args":{"af":2,"type":2,"protocol":17,"flags":1},"ret":"r"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"rx","fn":"bind","args":{"s":"r","addr":"127.0.0.1:5000"},"ret":0}` + "\n")
	b.WriteString(`{"ev":"call","thread":"tx","fn":"socket","args":{"af":2,"type":2,"protocol":17},"ret":"w"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"rx","fn":"WSACreateEvent","args":{},"ret":"e"}` + "\n")
	calls := 4
	for calls < n {
		r1 := `{"ev":"call","thread":"rx","fn":"WSARecv","args":{"s":"r","buffers":[{"len":16}],"ov":{"id":"ov1","hEvent":"e"}},"ret":-1,"error":997}` + "\n"
		r2 := `{"ev":"call","thread":"rx","fn":"WSAGetOverlappedResult","args":{"s":"r","ov":"ov1","wait":true},"ret":1,"out":{"bytes":5,"flags":0}}` + "\n"
		t1 := `{"ev":"call","thread":"tx","fn":"WSASendTo","args":{"s":"w","buffers":[{"len":5,"text":"hello"}],"to":"127.0.0.1:5000","ov":null},"ret":0,"out":{"bytes":5}}` + "\n"
		if interleaved {
			b.WriteString(r1 + t1 + r2)
		} else {
			rx.WriteString(r1 + r2)
			tx.WriteString(t1)
		}
		calls += 3
	}
	b.WriteString(rx.String())
	b.WriteString(tx.String())
	return b.String()
}

// Two threads, no timestamps, 10,000 calls: the search finds the
// interleaving whether or not the file lists the records in the order
// they happened.
func TestFree10000CallsTwoThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000-call traces; -short skips it")
	}
	for _, interleaved := range []bool{true, false} {
		tr := readTraceText(t, bigTwoThreads(10000, interleaved))
		start := time.Now()
		fc, err := CheckFree(tr, MaxTraceRuns)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("interleaved %v: %s in %d run(s), %v", interleaved, fc.Verdict, fc.Runs, time.Since(start))
		if fc.Verdict != "permitted" {
			t.Errorf("interleaved %v: %s at line %d: %s", interleaved, fc.Verdict, fc.Line, fc.Observed)
		}
	}
}

// A long trace no schedule explains, with an open decision at every
// receive (data already waiting: complete at once or pend), corrupted at
// its end: the search backtracks through thousands of decisions, each
// probe replaying the whole trace, so the budget of records replayed ends
// it, undecided, long before every schedule is tried.
func TestFreeStepsBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"format":"wsaemu-trace","version":1,"provider":"ifs"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"WSASocketW","args":{"af":2,"type":2,"protocol":17,"flags":1},"ret":"r"}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"bind","args":{"s":"r","addr":"127.0.0.1:5000"},"ret":0}` + "\n")
	b.WriteString(`{"ev":"call","thread":"main","fn":"socket","args":{"af":2,"type":2,"protocol":17},"ret":"w"}` + "\n")
	for i := 0; i < 500; i++ {
		b.WriteString(`{"ev":"call","thread":"main","fn":"WSASendTo","args":{"s":"w","buffers":[{"len":5,"text":"hello"}],"to":"127.0.0.1:5000","ov":null},"ret":0,"out":{"bytes":5}}` + "\n")
		n := 5
		if i == 499 {
			n = 4 // the corruption
		}
		fmt.Fprintf(&b, `{"ev":"call","thread":"main","fn":"WSARecv","args":{"s":"r","buffers":[{"len":16}],"ov":"ov1"},"ret":0,"out":{"bytes":%d,"flags":0}}`+"\n", n)
	}
	tr := readTraceText(t, b.String())
	fc, err := CheckFreeWithin(tr, MaxTraceRuns, 20000)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Verdict != "undecided" || fc.Steps < 20000 || fc.Steps > 20000+1100 || fc.Line != 1004 {
		t.Errorf("%s after %d runs and %d steps at line %d, want undecided after 20000 to 21100 steps at line 1004", fc.Verdict, fc.Runs, fc.Steps, fc.Line)
	}
}

func BenchmarkCheckFree10000(b *testing.B) {
	tr := readTraceText(b, bigTrace(10000))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fc, err := CheckFree(tr, MaxTraceRuns); err != nil || fc.Verdict != "permitted" {
			b.Fatal(fc, err)
		}
	}
}
