package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A pipe write in the docs profile may finish at once or pend (one
// PointPend decision): a scenario accepting both has a tree of two
// schedules, both passing.
const pipeWriteEither = "title A write that may pend\nthread A\npipe p\noverlapped wr\nbuffer hi \"hi\"\n\nA: WriteFile p.w hi wr\n  either\n    return TRUE\n  or\n    return FALSE ERROR_IO_PENDING\n  end\n"

// Issue 16, item 1: "small corpus scenarios complete exhaustively in
// CI". check -exhaustive -complete fails (exit 1) when the tree was not
// finished, naming the scenario and configuration and what cut it (the
// bound or -max-runs), and passes when every schedule ran; without -bound
// it sets none.
func TestCheckCompleteFailsUnfinishedTree(t *testing.T) {
	file := writeFile(t, t.TempDir(), "w.scenario", pipeWriteEither)
	cfg := []string{"-kind", "nonifs", "-profile", "docs"}
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cmdCheck(append(append(args, cfg...), file), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := run("-exhaustive", "-complete"); code != exitOK ||
		!strings.Contains(out, "ok    "+file+" [nonifs/docs] complete: 2 schedules, 2 distinct outcomes\n") ||
		!strings.Contains(out, "1 scenarios, 1 configurations, 2 schedules: 0 incomplete, 0 failing schedule(s)\n") {
		t.Fatalf("whole tree: exit %d\n%s", code, out)
	}
	if code, out := run("-exhaustive", "-complete", "-bound", "0"); code != exitFailed ||
		!strings.Contains(out, "INCOMPLETE "+file+" [nonifs/docs]: -bound 0 left schedules out (1 run)\n") {
		t.Fatalf("-bound 0: exit %d, want %d and the scenario named\n%s", code, exitFailed, out)
	}
	if code, out := run("-exhaustive", "-complete", "-max-runs", "1"); code != exitFailed ||
		!strings.Contains(out, "INCOMPLETE "+file+" [nonifs/docs]: -max-runs 1 stopped the search before the tree was finished\n") {
		t.Fatalf("-max-runs 1: exit %d, want %d and the scenario named\n%s", code, exitFailed, out)
	}
	// Without -complete the same cut is reported but is no failure.
	if code, out := run("-exhaustive", "-bound", "0"); code != exitOK || !strings.Contains(out, "bound hit: yes") {
		t.Fatalf("-exhaustive -bound 0 without -complete: exit %d\n%s", code, out)
	}
	// -complete means nothing without -exhaustive, -list nothing without -complete.
	if code, _ := run("-complete"); code != exitUsage {
		t.Fatalf("-complete alone: exit %d, want %d", code, exitUsage)
	}
	if code, _ := run("-exhaustive", "-list", file); code != exitUsage {
		t.Fatalf("-list without -complete: exit %d, want %d", code, exitUsage)
	}
}

// Issue 16, item 1: "a branch no schedule reaches is reported", and with
// -list a branch that newly no schedule reaches fails CI, as does a
// listed one that a schedule now reaches. A send on a socket cannot fail
// with WSAENOTSOCK (no schedule reaches that branch); the pipe write
// reaches both of its branches.
func TestCheckCompleteListUnreachable(t *testing.T) {
	dir := t.TempDir()
	pipe := writeFile(t, dir, "w.scenario", "profiles docs\n"+pipeWriteEither)
	udp := writeFile(t, dir, "r.scenario", `title A send on a bound socket
profiles windows
kinds ifs
thread A
socket w udp4 bind=127.0.0.1:6000
buffer hello "hello"

A: WSASendTo w hello 127.0.0.1:5000 NULL
  either
    return 0
  or
    return SOCKET_ERROR WSAENOTSOCK
  end
`)
	check := func(list string) (int, string) {
		lf := writeFile(t, dir, "x.list", list)
		var out, errb bytes.Buffer
		code := cmdCheck([]string{"-exhaustive", "-complete", "-q", "-list", lf}, &out, &errb)
		return code, out.String() + errb.String()
	}
	code, out := check("# header\n" + pipe + "\n" + udp + "\n")
	if code != exitFailed || !strings.Contains(out, "UNREACHABLE "+udp+": no schedule in any configuration reaches line 9 branch 2, and ") ||
		!strings.Contains(out, ", 1 unlisted unreachable branch(es), 0 stale list entr(ies)\n") {
		t.Fatalf("unlisted branch: exit %d, want %d and the branch named\n%s", code, exitFailed, out)
	}
	if code, out := check(pipe + "\n" + udp + "  unreachable: line 9 branch 2  # the model does not pend here\n"); code != exitOK {
		t.Fatalf("listed branch: exit %d, want %d\n%s", code, exitOK, out)
	}
	code, out = check(pipe + " unreachable: line 7 branch 2\n" + udp + " unreachable: line 9 branch 2\n")
	if code != exitFailed || !strings.Contains(out, "STALE "+pipe+": ") || !strings.Contains(out, " lists line 7 branch 2 as unreachable, but a schedule reaches it") {
		t.Fatalf("stale entry: exit %d, want %d and the entry named\n%s", code, exitFailed, out)
	}
	for _, bad := range []string{"", "# only a comment\n", pipe + "\n" + pipe + "\n", pipe + " unreachable: line x\n", dir + "\n"} {
		if code, out := check(bad); code != exitUsage {
			t.Fatalf("list %q: exit %d, want %d\n%s", bad, code, exitUsage, out)
		}
	}
}

// The corpus list (spec/exhaustive.list) keeps its promise in CI only if
// it names every corpus scenario: each is listed, or named on a
// "# left out: PATH: reason" line. A new scenario fails here until it
// is one or the other.
func TestExhaustiveListCoversCorpus(t *testing.T) {
	const listFile = "../../spec/exhaustive.list"
	src, err := os.ReadFile(listFile)
	if err != nil {
		t.Fatal(err)
	}
	l, err := readExhaustiveList(bytes.NewReader(src), listFile)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, p := range l.paths {
		named[p] = true
	}
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(line, "# left out: ")
		if !ok {
			continue
		}
		p, reason, _ := strings.Cut(rest, ": ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s: %q is left out without a reason", listFile, p)
		}
		if named[p] {
			t.Errorf("%s: %s is both listed and left out", listFile, p)
		}
		named[p] = true
	}
	var corpus []string
	err = filepath.WalkDir("../../spec/scenarios", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".scenario") {
			corpus = append(corpus, strings.TrimPrefix(filepath.ToSlash(p), "../../"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inCorpus := map[string]bool{}
	for _, p := range corpus {
		inCorpus[p] = true
		if !named[p] {
			t.Errorf("%s names neither %s nor why it is left out: add the path (if check -exhaustive -complete finishes it in well under a second) or a \"# left out: %s: reason\" line", listFile, p, p)
		}
	}
	for p := range named {
		if !inCorpus[p] {
			t.Errorf("%s names %s, which is not a corpus scenario", listFile, p)
		}
	}
}
