// Package ccheck tests the C recorder (recorder/c/wsaemu_trace.c) through
// the trace its demo program (recorder/c/demo.c) wrote under Wine, kept in
// recorder/c/testdata/demo-wine.jsonl: it must be a valid trace of format
// version 1 (docs/trace-format.md) that the model permits, and the two
// corruptions below must not be. The C files cannot share a directory with
// Go files (Go refuses C sources without cgo), hence this package.
//
// scripts/wine-recorders-c.sh makes a fresh trace on every `make
// wine-test`; to refresh the sample, copy its recorder-c-demo.jsonl here.
package ccheck

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/trace"
)

const sample = "../c/testdata/demo-wine.jsonl"

func readSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, b []byte) *trace.Trace {
	t.Helper()
	tr, err := trace.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("trace.Read: %v", err)
	}
	if err := tr.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return tr
}

func check(t *testing.T, tr *trace.Trace) *emulated.FreeCheck {
	t.Helper()
	fc, err := emulated.CheckFree(tr, emulated.MaxTraceRuns)
	if err != nil {
		t.Fatalf("CheckFree: %v", err)
	}
	return fc
}

// The recorder's promise (wsaemu_trace.h): a valid version-1 trace whose
// calls are the demo's, with the records the format asks for — a routine
// record before the alertable wait it ran in, the packet a port handed out
// as GetQueuedCompletionStatus's out-parameters — and one the model
// permits (docs/trace-format.md, "What the checker does with a trace").
func TestDemoTracePermitted(t *testing.T) {
	tr := parse(t, readSample(t))
	if tr.Header.Format != trace.FormatName || tr.Header.Version != trace.Version {
		t.Fatalf("header %+v", tr.Header)
	}
	threads := map[string]bool{}
	var fns []string
	for i, e := range tr.Events {
		threads[e.Thread] = true
		if e.Ev == trace.EvCall {
			fns = append(fns, e.Fn)
		}
		if e.Ev == trace.EvRoutine {
			next := tr.Events[i+1]
			if next.Thread != e.Thread || next.Fn != "SleepEx" || string(next.Ret) != "192" {
				t.Errorf("line %d: the routine record is not followed by its thread's SleepEx returning WAIT_IO_COMPLETION (192): %+v", e.Line, next)
			}
		}
	}
	if len(threads) != 2 {
		t.Errorf("%d threads recorded, the demo has 2", len(threads))
	}
	got := strings.Join(fns, " ")
	for _, want := range []string{"WSARecv", "WaitForSingleObject", "WSAGetOverlappedResult", "GetQueuedCompletionStatus", "SleepEx", "WSASendTo"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s call recorded", want)
		}
	}
	fc := check(t, tr)
	if fc.Verdict != "permitted" {
		t.Fatalf("verdict %q at line %d: %s (rule %s)", fc.Verdict, fc.Line, fc.Observed, fc.Rule)
	}
}

// corrupt applies one textual change to exactly one line of the sample.
func corrupt(t *testing.T, b []byte, onLine, old, new string) []byte {
	t.Helper()
	lines := strings.Split(string(b), "\n")
	n := 0
	for i, l := range lines {
		if strings.Contains(l, onLine) && strings.Contains(l, old) {
			lines[i] = strings.Replace(l, old, new, 1)
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the corruption %q → %q matched %d lines, want 1", old, new, n)
	}
	return []byte(strings.Join(lines, "\n"))
}

// A port hands out the completion of the receive of "two" as 3 bytes: a
// packet claiming 4 is one no schedule gives (the same corruption
// scripts/wine-recorders-c.sh makes of a fresh trace).
func TestWrongByteCountRejected(t *testing.T) {
	b := corrupt(t, readSample(t), `"fn":"GetQueuedCompletionStatus"`, `"out":{"bytes":3,`, `"out":{"bytes":4,`)
	fc := check(t, parse(t, b))
	if fc.Verdict != "not permitted" {
		t.Fatalf("verdict %q, want not permitted", fc.Verdict)
	}
	if !strings.Contains(fc.Observed, "GetQueuedCompletionStatus") {
		t.Errorf("the first unexplained record is %q, want the GetQueuedCompletionStatus", fc.Observed)
	}
}

// A completion routine runs only while its thread waits alertably
// (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsarecv,
// "the completion routine ... will be invoked ... when the calling thread
// is in an alertable state"): moved after the SleepEx, the routine record
// belongs to the closesocket after it, which is no wait.
func TestRoutineOutsideAlertableWaitRejected(t *testing.T) {
	lines := strings.Split(string(readSample(t)), "\n")
	r := -1
	for i, l := range lines {
		if strings.Contains(l, `"ev":"routine"`) {
			r = i
		}
	}
	if r < 0 || !strings.Contains(lines[r+1], `"fn":"SleepEx"`) {
		t.Fatalf("no routine record followed by SleepEx in the sample")
	}
	lines[r], lines[r+1] = lines[r+1], lines[r]
	// The routine's t0 would now come before the SleepEx's t1 on one
	// thread; drop it so the trace stays valid and only the placement is
	// wrong.
	lines[r+1] = dropT0(t, lines[r+1])
	fc := check(t, parse(t, []byte(strings.Join(lines, "\n"))))
	if fc.Verdict != "not permitted" {
		t.Fatalf("verdict %q, want not permitted", fc.Verdict)
	}
	// The wait that returned WAIT_IO_COMPLETION with no routine recorded
	// inside it is what no schedule explains.
	if !strings.Contains(fc.Observed, "SleepEx") {
		t.Errorf("the first unexplained record is %q, want the SleepEx", fc.Observed)
	}
}

func dropT0(t *testing.T, l string) string {
	t.Helper()
	i := strings.Index(l, `,"t0":`)
	if i < 0 {
		t.Fatalf("no t0 in %s", l)
	}
	j := strings.Index(l[i+1:], ",")
	return l[:i] + l[i+1+j:]
}
