package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 16, item 1: check -exhaustive reports, per scenario and
// configuration, the schedules, sleep-blocked runs, distinct outcomes and
// whether the bound was hit, and prints each failing schedule as a replay
// -choices command that fails the same way. A pipe write in the docs
// profile may pend (PointPend), so a scenario expecting it to finish at
// once has exactly one failing schedule of two.
func TestCheckExhaustiveReportAndReplay(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.scenario")
	src := "title A write assumed to finish at once\nthread A\npipe p\noverlapped wr\nbuffer hi \"hi\"\n\nA: WriteFile p.w hi wr\n  return TRUE\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cmdCheck([]string{"-exhaustive", "-kind", "nonifs", "-profile", "docs", file}, &out, &errb)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFailed, errb.String())
	}
	want := "FAIL  " + file + " [nonifs/docs] exhaustive: 2 schedules, 0 sleep-blocked, 2 distinct outcomes, bound hit: no, unreachable branches: none"
	if !strings.Contains(out.String(), want+"\n") {
		t.Fatalf("report:\n%s\nwant the line\n%s", out.String(), want)
	}
	const pre = "      replay: wsaemu replay "
	var replay string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, pre) {
			replay = strings.TrimPrefix(l, pre)
		}
	}
	if replay != `-choices "pend:1/2" -kind nonifs -profile docs `+file {
		t.Fatalf("replay command %q", replay)
	}
	out.Reset()
	errb.Reset()
	if code := cmdReplay([]string{"-choices", "pend:1/2", "-kind", "nonifs", "-profile", "docs", file}, &out, &errb); code != exitFailed || !strings.Contains(errb.String(), "want return TRUE, got FALSE ERROR_IO_PENDING") {
		t.Fatalf("replay: exit %d, stderr %q; want the same failure", code, errb.String())
	}
	// -v lists the step's two results (it completed at once, or pended).
	out.Reset()
	cmdCheck([]string{"-exhaustive", "-v", "-kind", "nonifs", "-profile", "docs", file}, &out, &errb)
	if !strings.Contains(out.String(), "      line 7: 2 results: FALSE ERROR_IO_PENDING bytes=0 | TRUE bytes=2\n") {
		t.Fatalf("-v:\n%s", out.String())
	}
	// -bound 0 runs the usual schedule only and says the bound cut.
	out.Reset()
	cmdCheck([]string{"-exhaustive", "-bound", "0", "-kind", "nonifs", "-profile", "docs", file}, &out, &errb)
	if !strings.Contains(out.String(), "exhaustive: 1 schedules, 0 sleep-blocked, 1 distinct outcomes, bound hit: yes,") {
		t.Fatalf("-bound 0:\n%s", out.String())
	}
}
