package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// exploreOut runs explore with args and returns stdout and the exit code.
func exploreOut(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"explore"}, args...), &out, &errb)
	if code != exitOK && code != exitFailed {
		t.Fatalf("explore %v: exit %d\n%s", args, code, errb.String())
	}
	return out.String(), code
}

// Issue 16: "the output identical for any worker count". The work items
// of a run with failures (a group stops at its first failing seed) and
// shrunk schedules give the same report, byte for byte, on 1, 2, 3 and 8
// workers.
func TestExploreOutputSameForAnyWorkerCount(t *testing.T) {
	for _, dir := range []string{"../../tests/bugs/scenarios", "../../spec/scenarios/wsasend"} {
		want, wcode := exploreOut(t, "-workers", "1", "-seeds", "15", dir)
		if !strings.Contains(want, " runs, ") {
			t.Fatalf("%s: no summary:\n%s", dir, want)
		}
		for _, w := range []string{"2", "3", "8"} {
			got, code := exploreOut(t, "-workers", w, "-seeds", "15", dir)
			if got != want || code != wcode {
				t.Errorf("%s: -workers %s (exit %d) differs from -workers 1 (exit %d):\n--- 1\n%s\n--- %s\n%s", dir, w, code, wcode, want, w, got)
			}
		}
	}
}

// Issue 16: "-shard i/n splits a run deterministically so that n machines
// cover it, and wsaemu merge joins their JSON results": the shards'
// merge prints what the unsharded run prints, failures included (each
// group of the bugs corpus fails at some seed; a shard that does not hold
// that seed runs on to its own first failure, which merge discards).
func TestExploreShardsMergeToTheWholeRun(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{"../../tests/bugs/scenarios", "../../spec/scenarios/getoverlappedresult"} {
		whole, wcode := exploreOut(t, "-seeds", "12", "-shrink=false", src)
		for _, n := range []int{1, 2, 3, 5} {
			var files []string
			covered := 0
			for i := 0; i < n; i++ {
				f := filepath.Join(dir, "shard"+strconv.Itoa(i)+".json")
				exploreOut(t, "-seeds", "12", "-shrink=false", "-shard", shardID{i, n}.String(), "-json", f, src)
				files = append(files, f)
				var r exploreReport
				b, err := os.ReadFile(f)
				if err != nil || json.Unmarshal(b, &r) != nil {
					t.Fatalf("shard %d/%d: unreadable -json: %v", i, n, err)
				}
				if r.Shard != (shardID{i, n}) || r.Params.Seeds != 12 {
					t.Fatalf("shard %d/%d: the file says shard %s, seeds %d", i, n, r.Shard, r.Params.Seeds)
				}
				covered += r.Runs
			}
			var out, errb bytes.Buffer
			code := run(append([]string{"merge"}, files...), &out, &errb)
			if out.String() != whole || code != wcode {
				t.Errorf("%s, %d shards: merge (exit %d) differs from the whole run (exit %d):\n--- whole\n%s\n--- merged\n%s%s", src, n, code, wcode, whole, out.String(), errb.String())
			}
			if wcode == exitOK && !strings.HasPrefix(whole, strconv.Itoa(covered)+" runs") {
				t.Errorf("%s, %d shards: the shards ran %d items together; the whole run: %s", src, n, covered, whole)
			}
		}
	}
}

// merge refuses what is not one split run covered once: a shard twice, a
// shard missing, shards of different splits or different flags.
func TestMergeRefusesOverlapsAndGaps(t *testing.T) {
	dir := t.TempDir()
	src := "../../spec/scenarios/wsasend"
	mk := func(name, shard string, extra ...string) string {
		f := filepath.Join(dir, name)
		exploreOut(t, append([]string{"-seeds", "3", "-shard", shard, "-json", f}, append(extra, src)...)...)
		return f
	}
	a, b, c := mk("a", "0/2"), mk("b", "1/2"), mk("c", "0/3")
	other := mk("d", "1/2", "-start", "9")
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{a, a, b}, "shard 0/2 given twice"},
		{[]string{a}, "shard(s) 1/2 missing"},
		{[]string{a, c}, "not shards of one split"},
		{[]string{a, other}, "different flags"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"merge"}, tc.files...), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("merge %v: exit %d, stderr %q; want exit %d and %q", tc.files, code, errb.String(), exitUsage, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"merge", a, b}, &out, &errb); code != exitOK {
		t.Errorf("merge of both halves: exit %d: %s", code, errb.String())
	}
}

// Issue 16 item 5: a failing seed's decision list is shrunk to the fewest
// unusual decisions before it is reported. The scenario expects only its
// third send to complete at once; seed 1 also pends earlier sends. The
// shrunk list has one unusual decision (the third send pends), and its
// replay fails the same way.
func TestExploreShrinksToOneDecision(t *testing.T) {
	const file = "testdata/explore/three.scenario"
	out, code := exploreOut(t, "-mode", "seeded", "-seeds", "1", "-kind", "nonifs", "-profile", "windows", file)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFailed, out)
	}
	i := strings.Index(out, "shrunk: ")
	if i < 0 {
		t.Fatalf("no shrunk schedule:\n%s", out)
	}
	line := strings.SplitN(out[i:], "\n", 2)[0]
	if !strings.HasPrefix(line, "shrunk: 1 unusual decision(s) of 3 (the seed made 4 of 5)") {
		t.Errorf("shrunk line: %q", line)
	}
	if !strings.Contains(line, `-choices "pend:0/2 pend:0/2 pend:1/2"`) {
		t.Errorf("shrunk list: %q, want the third send alone pending", line)
	}
	if !strings.Contains(out, "timeline of the shrunk schedule:") || !strings.Contains(out, "choice pend: 1 of 2") {
		t.Errorf("no timeline of the shrunk schedule:\n%s", out)
	}
	// Replay the shrunk list: the same failure.
	var rout, rerr bytes.Buffer
	rc := run([]string{"replay", "-choices", "pend:0/2 pend:0/2 pend:1/2", "-kind", "nonifs", "-profile", "windows", file}, &rout, &rerr)
	if rc != exitFailed || !strings.Contains(rerr.String(), "three.scenario:22: the call: want return 0, got SOCKET_ERROR WSA_IO_PENDING") {
		t.Errorf("replay of the shrunk list: exit %d, stderr %q", rc, rerr.String())
	}
}

// shrinkChoices on its own: the failure needs decision 3 to take
// alternative 1 and nothing else; a recorded list with many unusual
// decisions shrinks to exactly that one, the tail dropped.
func TestShrinkChoicesMinimal(t *testing.T) {
	want := []string{"boom"}
	replay := func(cs []emu.Choice) ([]string, []emu.Choice) {
		made := make([]emu.Choice, 8)
		for i := range made {
			made[i] = emu.Choice{Point: emu.PointPend, N: 2}
			if i < len(cs) {
				made[i].Pick = cs[i].Pick
			}
		}
		if made[3].Pick == 1 {
			return want, made
		}
		return nil, made
	}
	full := make([]emu.Choice, 8)
	for i := range full {
		full[i] = emu.Choice{Point: emu.PointPend, N: 2, Pick: i % 2}
	}
	got, ok := shrinkChoices(replay, want, full)
	if !ok {
		t.Fatal("the full list was not accepted as failing")
	}
	wantList := make([]emu.Choice, 4)
	for i := range wantList {
		wantList[i] = emu.Choice{Point: emu.PointPend, N: 2}
	}
	wantList[3].Pick = 1
	if !slices.Equal(got, wantList) {
		t.Errorf("shrunk to %v, want %v", got, wantList)
	}
	// A list that does not fail as wanted is reported, not shrunk.
	if _, ok := shrinkChoices(replay, []string{"other"}, full); ok {
		t.Error("a list failing differently was accepted")
	}
}
