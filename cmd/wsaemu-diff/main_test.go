package main

import (
	"testing"

	"github.com/wsaemu/wsaemu/spec/native"
)

// Issue 11, item 5: a native run whose set-up failed (a declared socket's
// address already in use by another run on a shared machine) ran none of
// its steps; the comparison must report it, never call it agreement.
func TestSetupFailureIsNotAgreement(t *testing.T) {
	file := "../../spec/scenarios/wsasendmsg/flags-windows.scenario"
	msg := "spec/scenarios/wsasendmsg/flags-windows.scenario:14: socket r: bind 127.0.0.1:5000: WSAEADDRINUSE"
	nat := map[string]native.Result{norm(file): {File: norm(file), Kind: "native", Profile: "windows", Error: msg, Failures: []string{msg}}}
	d := compare(file, nat)
	if d.Verdict == vAgree {
		t.Fatalf("a run that stopped in its set-up reads as %q", d.Verdict)
	}
	if len(d.Diffs) == 0 || d.Diffs[0].Call != "(run)" {
		t.Errorf("want a (run) disagreement, got %+v", d.Diffs)
	}
}
