package main

import (
	"bytes"
	"strings"
	"testing"
)

// explore -resets reaches the resets the network may inject (issue 12:
// "a reset injected by the Chooser at any point of a connection's life"):
// a TCP scenario written for a connection that never resets fails under
// some schedule with WSAECONNRESET, and the replay command it prints
// carries -resets, so the schedule replays to the same failure.
func TestExploreResetsReachesAReset(t *testing.T) {
	const file = "../../spec/scenarios/tcp/close-graceful.scenario"
	var out, errb bytes.Buffer
	if code := run([]string{"explore", "-resets", "-mode", "seeded", "-seeds", "20", "-kind", "ifs", "-profile", "windows", file}, &out, &errb); code != exitFailed {
		t.Fatalf("explore -resets: exit %d, want %d\n%s%s", code, exitFailed, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "WSAECONNRESET") {
		t.Fatalf("no schedule ended in a reset:\n%s", out.String())
	}
	i := strings.Index(out.String(), "replay: wsaemu replay -resets ")
	if i < 0 {
		t.Fatalf("the replay command does not carry -resets:\n%s", out.String())
	}
	cmd := strings.Fields(strings.SplitN(out.String()[i+len("replay: wsaemu "):], "\n", 2)[0])
	cmd[len(cmd)-1] = file
	var rout, rerr bytes.Buffer
	if code := run(cmd, &rout, &rerr); code != exitFailed || !strings.Contains(rout.String(), "err=WSAECONNRESET") {
		t.Fatalf("%v: exit %d, want %d with a reset taken\n%s%s", cmd, code, exitFailed, rout.String(), rerr.String())
	}
	// Without -resets the same scenario never meets one.
	out.Reset()
	run([]string{"explore", "-mode", "seeded", "-seeds", "20", "-kind", "ifs", "-profile", "windows", file}, &out, &errb)
	if strings.Contains(out.String(), "WSAECONNRESET") {
		t.Fatalf("a reset without -resets:\n%s", out.String())
	}
}
