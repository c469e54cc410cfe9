package main

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// exhaustiveDirs are corpus directories small enough for a test and with
// schedules to search: threads, pends, cancels.
var exhaustiveDirs = []string{"../../spec/scenarios/wsarecv", "../../spec/scenarios/cancel", "../../spec/scenarios/sleepex"}

func runCheck(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cmdCheck(append(args, exhaustiveDirs...), &out, &errb); code != 0 {
		t.Fatalf("check %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String()
}

var exhaustiveSummary = regexp.MustCompile(`^(\d+) schedules \((\d+) sleep-blocked\), (\d+) failing schedule\(s\)$`)

// splitSummary returns the report's lines but the last, and the numbers
// the last one sums.
func splitSummary(t *testing.T, out string) ([]string, [3]int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	m := exhaustiveSummary.FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("no summary line at the end of:\n%s", out)
	}
	var n [3]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return lines[:len(lines)-1], n
}

// The promise for exhaustive runs on every core: the report is the
// same for any number of workers.
func TestCheckExhaustiveSameForAnyWorkers(t *testing.T) {
	one := runCheck(t, "-exhaustive", "-bound", "2", "-workers", "1")
	if _, n := splitSummary(t, one); n[0] < 20 {
		t.Fatalf("only %d schedules: the directories test too little", n[0])
	}
	for _, w := range []string{"2", "5"} {
		if got := runCheck(t, "-exhaustive", "-bound", "2", "-workers", w); got != one {
			t.Errorf("-workers %s gives another report than -workers 1:\n%s\nwant:\n%s", w, got, one)
		}
	}
}

// And beyond one machine: n shards together print the whole run's lines,
// each once, and their summaries add up to the whole run's.
func TestCheckExhaustiveShardsCoverTheRun(t *testing.T) {
	whole, wn := splitSummary(t, runCheck(t, "-exhaustive", "-bound", "2"))
	var got []string
	var sum [3]int
	for i := range 3 {
		lines, n := splitSummary(t, runCheck(t, "-exhaustive", "-bound", "2", "-shard", strconv.Itoa(i)+"/3"))
		if len(lines) == 0 {
			t.Errorf("shard %d/3 has no scenarios", i)
		}
		got = append(got, lines...)
		for k := range sum {
			sum[k] += n[k]
		}
	}
	sort.Strings(got)
	sort.Strings(whole)
	if strings.Join(got, "\n") != strings.Join(whole, "\n") {
		t.Errorf("the shards' lines differ from the whole run's")
	}
	if sum != wn {
		t.Errorf("the shards' summaries add up to %v, the whole run's is %v", sum, wn)
	}
}

// Bad work flags are usage errors with the reason.
func TestCheckExhaustiveWorkFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-exhaustive", "-workers", "0"}, "-workers must be at least 1"},
		{[]string{"-exhaustive", "-shard", "3/3"}, "-shard must be i/n"},
		{[]string{"-workers", "2"}, "-workers only applies with -exhaustive"},
		{[]string{"-shard", "0/2"}, "-shard only applies with -exhaustive"},
		{[]string{"-exhaustive", "-complete", "-shard", "x"}, "-shard must be i/n"},
	} {
		var out, errb bytes.Buffer
		code := cmdCheck(append(c.args, exhaustiveDirs[0]), &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("check %v: exit %d, %q; want exit %d and %q", c.args, code, errb.String(), exitUsage, c.want)
		}
	}
}
