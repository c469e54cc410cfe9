package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runTraceCmd runs "wsaemu run ARGS" from the repository's root.
func runTraceCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cmdRun(args, &out, &errb)
	return code, out.String(), errb.String()
}

// Issue 15, item 4: "wsaemu run -trace FILE draws a recorded trace (text,
// HTML, Perfetto) the same way it draws a scenario". Two example traces
// of docs/examples, one with one thread and field reads, one with two
// threads whose only explaining order the check has to find.
func TestRunTraceExamples(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	t.Chdir("../..")
	cases := []struct {
		file    string
		threads []string
		// steps, in order, as the lanes show them (the explaining order).
		steps []string
		lines []int // the trace lines the steps are marked with, in order
	}{
		{"docs/examples/udp-event.jsonl", []string{"main"},
			[]string{"▶ WSARecv r", "▶ WSASendTo w", "▶ WaitForSingleObjectEx e1 1000", "▶ WSAGetOverlappedResult r ov1"},
			[]int{2, 4, 7, 8, 9, 10, 11, 12, 13, 14}},
		// Only B's SetEvent before A's first wait and B's ResetEvent
		// before its second explains the trace: the lanes show that
		// order, not the file's.
		{"docs/examples/interleaving-one-order.jsonl", []string{"A", "B"},
			[]string{"▶ SetEvent e", "▶ WaitForSingleObjectEx e 0", "▶ ResetEvent e", "▶ WaitForSingleObjectEx e 0"},
			[]int{5, 3, 6, 4}},
	}
	for _, c := range cases {
		code, out, errs := runTraceCmd(t, "-trace", c.file)
		if code != exitOK {
			t.Fatalf("%s: exit %d, want 0: %s", c.file, code, errs)
		}
		head := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "     │ ") {
				head = l
				break
			}
		}
		if got := strings.Fields(strings.ReplaceAll(head, "│", " ")); strings.Join(got, " ") != strings.Join(append(append([]string(nil), c.threads...), "sys"), " ") {
			t.Errorf("%s: lanes %q, want one per recorded thread %v and sys", c.file, got, c.threads)
		}
		at := 0
		for _, s := range c.steps {
			i := strings.Index(out[at:], s)
			if i < 0 {
				t.Errorf("%s: step %q missing or out of order in\n%s", c.file, s, out)
				break
			}
			at += i + len(s)
		}
		at = 0
		for _, l := range c.lines {
			m := "trace line " + strconv.Itoa(l) + ":"
			i := strings.Index(out[at:], m)
			if i < 0 {
				t.Errorf("%s: %q missing or out of order", c.file, m)
				break
			}
			at += i + len(m)
		}
		if strings.Contains(out, "not explained") || !strings.Contains(out, "✓ permitted: the schedule ") {
			t.Errorf("%s: want every record observed and the permitted answer:\n%s", c.file, out)
		}

		code, out, errs = runTraceCmd(t, "-format", "html", "-trace", c.file)
		if code != exitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg") || !strings.Contains(out, "<title>recorded trace "+c.file+"</title>") {
			t.Errorf("%s: -format html: exit %d, stderr %q, page starts %.200q", c.file, code, errs, out)
		}
		for _, th := range c.threads {
			if !strings.Contains(out, ">"+th+"<") {
				t.Errorf("%s: -format html: no lane named %s", c.file, th)
			}
		}

		code, out, errs = runTraceCmd(t, "-format", "perfetto", "-trace", c.file)
		var ct struct {
			TraceEvents []struct {
				Name string         `json:"name"`
				Ph   string         `json:"ph"`
				Args map[string]any `json:"args"`
			} `json:"traceEvents"`
		}
		if code != exitOK || json.Unmarshal([]byte(out), &ct) != nil {
			t.Fatalf("%s: -format perfetto: exit %d, stderr %q, not valid JSON: %.200q", c.file, code, errs, out)
		}
		named := map[string]bool{}
		for _, e := range ct.TraceEvents {
			if e.Name == "thread_name" {
				named[e.Args["name"].(string)] = true
			}
		}
		for _, th := range c.threads {
			if !named[th] {
				t.Errorf("%s: -format perfetto: no thread named %s (names: %v)", c.file, th, named)
			}
		}
	}
}

// A trace no schedule explains is drawn up to its first unexplained
// record, and the answer says so with check-trace's exit code (1): here a
// completion routine recorded inside SleepEx(0, FALSE), which
// lpwsaoverlapped-completion-routine.alertable-only forbids.
func TestRunTraceRejected(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	t.Chdir("../..")
	const file = "docs/examples/rejected/routine-outside-alertable-wait.jsonl"
	code, out, _ := runTraceCmd(t, "-trace", file)
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	for _, want := range []string{
		"▶ SleepEx 0",
		"✗ line 7: the record on this line is not what the model does here",
		"trace line 8: not explained",
		"✗ NOT permitted: drawn up to " + file + ":7, the first record no schedule tried explains: main: routine cr",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "▶ closesocket") {
		t.Errorf("drawn past the first unexplained record:\n%s", out)
	}
	// The pictures are data: the answer goes to stderr, the exit code is
	// the same.
	code, out, errs := runTraceCmd(t, "-format", "perfetto", "-trace", file)
	if code != exitFailed || !json.Valid([]byte(out)) || !strings.Contains(errs, "NOT permitted") {
		t.Errorf("-format perfetto: exit %d, valid JSON %v, stderr %q", code, json.Valid([]byte(out)), errs)
	}
}

// run -h documents -trace; flags that the trace itself answers are
// refused with it.
func TestRunTraceUsage(t *testing.T) {
	code, _, errs := runTraceCmd(t, "-h")
	if code != exitOK || !strings.Contains(errs, "-trace") || !strings.Contains(errs, "With -trace FILE, draw a recorded trace") {
		t.Errorf("run -h: exit %d, does not document -trace:\n%s", code, errs)
	}
	for _, args := range [][]string{
		{"-trace", "x.jsonl", "-kind", "ifs"},
		{"-trace", "x.jsonl", "-format", "json"},
		{"-trace", "x.jsonl", "other.scenario"},
	} {
		if code, _, _ := runTraceCmd(t, args...); code != exitUsage {
			t.Errorf("run %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errs := runTraceCmd(t, "-trace", "no-such.jsonl"); code != exitScenario {
		t.Errorf("run -trace no-such.jsonl: exit %d (%s), want %d", code, errs, exitScenario)
	}
}

// Every permitted example of docs/examples draws, in each picture, with
// no record left unexplained; every rejected one draws and says so.
func TestRunTraceAllExamples(t *testing.T) {
	t.Chdir("../..")
	ok, _ := filepath.Glob("docs/examples/*.jsonl")
	bad, _ := filepath.Glob("docs/examples/rejected/*.jsonl")
	if len(ok) < 10 || len(bad) < 5 {
		t.Fatalf("%d permitted and %d rejected examples found, want the 14 and 6 docs/examples holds", len(ok), len(bad))
	}
	for _, f := range append(ok, bad...) {
		want := exitOK
		if strings.Contains(f, "rejected") {
			want = exitFailed
		}
		code, out, errs := runTraceCmd(t, "-trace", f)
		if code != want || strings.Contains(out, "not explained") != (want != exitOK) {
			t.Errorf("%s: exit %d (want %d), stderr %q:\n%s", f, code, want, errs, out)
		}
		for _, format := range []string{"html", "perfetto"} {
			code, out, errs := runTraceCmd(t, "-format", format, "-trace", f)
			if code != want || (format == "perfetto" && !json.Valid([]byte(out))) || (format == "html" && !strings.HasSuffix(strings.TrimSpace(out), "</html>")) {
				t.Errorf("%s: -format %s: exit %d (want %d), stderr %q", f, format, code, want, errs)
			}
		}
	}
}
