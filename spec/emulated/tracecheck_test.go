package emulated

import (
	"github.com/wsaemu/wsaemu/spec"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// observe runs a scenario on the emulator under a chooser and returns the
// run's observations, as a recording of it would give them.
func observe(t *testing.T, sc *spec.Scenario, cfg spec.RunConfig, ch emu.Chooser) []ObservedStep {
	t.Helper()
	rep := spec.Run(sc, &Emulator{Chooser: ch}, cfg)
	if rep.Err != nil {
		t.Fatalf("%s: %v", sc.File, rep.Err)
	}
	return ObservedFromReport(rep)
}

// sameObservations compares two recordings step by step as text.
func sameObservations(sc *spec.Scenario, a, b []ObservedStep) (int, string, string, bool) {
	if len(a) != len(b) {
		return -1, "", "", false
	}
	for i := range a {
		settle := sc.Steps[i].Call.Name == "settle"
		x, y := describeStep(settle, a[i]), describeStep(settle, b[i])
		if x != y {
			return i, x, y, false
		}
	}
	return 0, "", "", true
}

// A run of the emulator under a random or hostile schedule, recorded as a
// trace, is permitted, and the decisions the search returns reproduce it.
func TestCheckObservedSeededRunsArePermitted(t *testing.T) {
	files := spec.EmbeddedFiles()
	if testing.Short() {
		files = files[:len(files)/4]
	}
	checked, unusual, maxRuns, undefined := 0, 0, 0, 0
	for _, f := range files {
		sc, err := spec.ParseEmbedded(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range spec.Configs(sc) {
			for seed := uint64(1); seed <= 6; seed++ {
				// Uniform draws, then swarm draws (per-seed biases toward
				// the unusual), then the hostile schedule.
				var ch emu.Chooser = emu.SeededChooser(seed * 7919)
				switch {
				case seed == 6:
					ch = emu.HostileChooser()
				case seed > 3:
					ch = emu.SwarmChooser(seed)
				}
				obs := observe(t, sc, cfg, ch)
				tc, err := CheckObserved(sc, cfg, obs)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if !tc.Permitted {
					t.Errorf("%s [%s/%s] seed %d: not permitted at line %d (%s): observed %s; model gave %v (%d runs)",
						f, cfg.Kind, cfg.Profile, seed, tc.Line, tc.Call, tc.Observed, tc.Allowed, tc.Runs)
					continue
				}
				checked++
				maxRuns = max(maxRuns, tc.Runs)
				if tc.Schedule() != "usual" {
					unusual++
				}
				again := observe(t, sc, cfg, emu.ReplayChooser(tc.Choices))
				if tc.Undefined != "" {
					// Compared up to the misuse only: so is the replay.
					undefined++
					obs, again = obs[:tc.UndefinedStep], again[:tc.UndefinedStep]
				}
				if i, x, y, ok := sameObservations(sc, obs, again); !ok {
					t.Errorf("%s [%s/%s] seed %d: replaying %s gives another run at step %d: %s, recorded %s", f, cfg.Kind, cfg.Profile, seed, tc.Schedule(), i, y, x)
				}
			}
		}
	}
	if unusual == 0 {
		t.Errorf("no recorded run needed a schedule other than the usual one: the test shows nothing")
	}
	t.Logf("%d recorded runs permitted, %d of them under an unusual schedule, %d up to a misuse; at most %d probes for one", checked, unusual, undefined, maxRuns)
}

func parseInline(t *testing.T, name, text string) *spec.Scenario {
	t.Helper()
	sc, err := spec.Parse(name, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func stepAt(t *testing.T, sc *spec.Scenario, obs []ObservedStep, call string, nth int) int {
	t.Helper()
	for i, s := range sc.Steps {
		if s.Call.Name == call {
			if nth == 0 {
				return i
			}
			nth--
		}
	}
	t.Fatalf("%s: no step calls %s", sc.File, call)
	return -1
}

// A receive with nothing queued cannot return 0 with five bytes: the
// corrupted trace is rejected at that step, after every schedule was
// tried, and the report shows what the model allows there.
func TestCheckObservedRejectsCorruptedStep(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/wsarecv/pending-event.scenario")
	if err != nil {
		t.Fatal(err)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	obs := observe(t, sc, cfg, emu.UsualChooser())
	i := stepAt(t, sc, obs, "WSARecv", 0)
	obs[i].Outcome = spec.Outcome{Ret: "0", Outs: map[string]string{"bytes": "5", "flags": "0"}}
	tc, err := CheckObserved(sc, cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Permitted {
		t.Fatalf("corrupted trace permitted under %s", tc.Schedule())
	}
	if !tc.Exhausted || tc.Step != i || tc.Line != sc.Steps[i].Line {
		t.Fatalf("want the search exhausted at step %d (line %d), got exhausted=%v step %d line %d", i, sc.Steps[i].Line, tc.Exhausted, tc.Step, tc.Line)
	}
	if !strings.HasPrefix(tc.Observed, "0 bytes=5") {
		t.Errorf("observed: %q", tc.Observed)
	}
	if len(tc.Allowed) == 0 || !strings.HasPrefix(tc.Allowed[0].Text, "SOCKET_ERROR WSA_IO_PENDING") {
		t.Errorf("allowed: %v", tc.Allowed)
	}
	if !strings.Contains(tc.Call, "WSARecv r b1 ov1") {
		t.Errorf("call: %q", tc.Call)
	}

	// A later step corrupted: the earlier ones still match, and the step
	// named is the corrupted one.
	obs = observe(t, sc, cfg, emu.UsualChooser())
	j := stepAt(t, sc, obs, "WSAGetOverlappedResult", 1)
	obs[j].Outcome.Outs["bytes"] = "4"
	tc, err = CheckObserved(sc, cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Permitted || tc.Step != j {
		t.Fatalf("want not permitted at step %d, got permitted=%v step %d", j, tc.Permitted, tc.Step)
	}

	// A completion that never happened, and a verdict that differs, are
	// observations too.
	obs = observe(t, sc, cfg, emu.UsualChooser())
	obs[0].Failed = []int{sc.Steps[0].Expect[0].Line}
	if tc, err = CheckObserved(sc, cfg, obs); err != nil || tc.Permitted || tc.Step != 0 {
		t.Fatalf("a failed expectation the model always passes: permitted=%v step %d err %v", tc.Permitted, tc.Step, err)
	}
	if !strings.Contains(tc.Observed, "expectations failing at line") {
		t.Errorf("observed: %q", tc.Observed)
	}
}

// The trace must belong to the scenario as it is now.
func TestCheckObservedScenarioChanged(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/wsarecv/pending-event.scenario")
	if err != nil {
		t.Fatal(err)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	obs := observe(t, sc, cfg, emu.UsualChooser())
	obs[1].Line++
	if _, err := CheckObserved(sc, cfg, obs); err == nil || !strings.Contains(err.Error(), "scenario changed") {
		t.Fatalf("want a scenario-changed error, got %v", err)
	}
	if _, err := CheckObserved(sc, cfg, append(observe(t, sc, cfg, nil), ObservedStep{Line: 99})); err == nil {
		t.Fatal("want an error for a trace longer than the scenario")
	}

	// A step no schedule can run is the scenario's fault, not the trace's:
	// here a call on a thread still blocked in its previous one.
	bad := parseInline(t, "stuck.scenario", "title stuck\nthread A\nA: SleepEx INFINITE\n  return blocks\nA: SleepEx 0\n  return 0\n")
	_, err = CheckObserved(bad, cfg, []ObservedStep{{Line: 3, Outcome: spec.Outcome{Blocked: true}}, {Line: 5, Outcome: spec.Outcome{Ret: "0"}}})
	if err == nil || !strings.Contains(err.Error(), "stuck.scenario:5") {
		t.Fatalf("want the scenario's error at line 5, got %v", err)
	}
}

// Observations that only a schedule other than the usual one explains are
// found by the search.
func TestCheckObservedFindsUnusualSchedule(t *testing.T) {
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}

	// A send that pended (the usual schedule completes it at once).
	sc, err := spec.ParseEmbedded("scenarios/wsasend/connected.scenario")
	if err != nil {
		t.Fatal(err)
	}
	usual := observe(t, sc, cfg, emu.UsualChooser())
	pend := observe(t, sc, cfg, emu.FuncChooser(func(p emu.Point, n int) int {
		if p == emu.PointPend {
			return 1
		}
		return 0
	}))
	if usual[0].Outcome.Ret != "0" || pend[0].Outcome.Err != "WSA_IO_PENDING" {
		t.Fatalf("set-up: usual %s, pended %s", spec.FormatOutcome(usual[0].Outcome), spec.FormatOutcome(pend[0].Outcome))
	}
	tc, err := CheckObserved(sc, cfg, pend)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Permitted || !strings.Contains(tc.Schedule(), "pend:1/2") {
		t.Fatalf("pended send: permitted=%v schedule %q after %d runs", tc.Permitted, tc.Schedule(), tc.Runs)
	}
	if tc.Runs < 2 {
		t.Errorf("found in %d run(s): the usual schedule should not have matched", tc.Runs)
	}

	// Completion routines run in reverse order: the scenario insists on
	// ov2's routine first, so the usual (FIFO) order fails that
	// expectation, and a trace in which it held needs the other order.
	sc = parseInline(t, "reverse.scenario", `title reverse
thread A
thread B
socket r udp4 bind=127.0.0.1:5000
socket q udp4 bind=127.0.0.1:5001
socket w udp4 bind=127.0.0.1:6000
overlapped ov1
overlapped ov2
routine cr
buffer b1 16
buffer b2 16
buffer one "one"
buffer two "two"

A: WSARecv r b1 ov1 routine=cr
  return SOCKET_ERROR WSA_IO_PENDING
A: WSARecv q b2 ov2 routine=cr
  return SOCKET_ERROR WSA_IO_PENDING
B: WSASendTo w one 127.0.0.1:5000 NULL
  return 0
B: WSASendTo w two 127.0.0.1:5001 NULL
  return 0
A: SleepEx INFINITE alertable
  return WAIT_IO_COMPLETION
  routine cr call 1 ov=ov2
`)
	obs := observe(t, sc, cfg, emu.UsualChooser())
	last := len(obs) - 1
	if len(obs[last].Failed) != 1 {
		t.Fatalf("set-up: the usual order should fail the order expectation, failed %v", obs[last].Failed)
	}
	obs[last].Failed = nil // observed: ov2's routine ran first
	tc, err = CheckObserved(sc, cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Permitted || !strings.Contains(tc.Schedule(), "apc-order:1/2") {
		t.Fatalf("reverse routines: permitted=%v schedule %q after %d runs; stuck at line %d: %v", tc.Permitted, tc.Schedule(), tc.Runs, tc.Line, tc.Allowed)
	}
	rep := spec.Run(sc, &Emulator{Chooser: emu.ReplayChooser(tc.Choices)}, cfg)
	if !rep.Passed() {
		t.Errorf("replaying %s: %v", tc.Schedule(), rep.Failures())
	}

	// The same search is deterministic.
	again, _ := CheckObserved(sc, cfg, obs)
	if again.Schedule() != tc.Schedule() || again.Runs != tc.Runs {
		t.Errorf("two searches differ: %s in %d runs, then %s in %d", tc.Schedule(), tc.Runs, again.Schedule(), again.Runs)
	}
}

// The bound stops a search that cannot succeed early, without claiming
// the search was complete.
func TestCheckObservedBound(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/completion-routine-wsa/any-order.scenario")
	if err != nil {
		t.Fatal(err)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	obs := observe(t, sc, cfg, emu.UsualChooser())
	last := len(obs) - 1
	obs[last].Outcome = spec.Outcome{Ret: "0", Outs: map[string]string{}}
	tc, err := CheckObservedWithin(sc, cfg, obs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Permitted || tc.Runs != 1 {
		t.Fatalf("permitted=%v runs %d", tc.Permitted, tc.Runs)
	}
	full, _ := CheckObserved(sc, cfg, obs)
	if full.Permitted || !full.Exhausted || full.Step != last {
		t.Fatalf("full search: permitted=%v exhausted=%v step %d", full.Permitted, full.Exhausted, full.Step)
	}
	if tc.Exhausted && full.Runs > 1 {
		t.Errorf("a bounded search that stopped early says it was exhaustive")
	}
}

func TestOutcomeTextRoundTrip(t *testing.T) {
	for _, s := range []string{
		"blocked",
		"SOCKET_ERROR WSA_IO_PENDING bytes=untouched flags=untouched",
		"0 bytes=5 flags=0 from=127.0.0.1:6000",
		"(no return)",
		"TRUE",
		"0 from=invalid AddrPort",
		"WAIT_OBJECT_0",
	} {
		o, err := spec.ParseOutcome(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := spec.FormatOutcome(o); got != s {
			t.Errorf("%q read back as %q", s, got)
		}
	}
	if o, err := spec.ParseOutcome("ERROR wait failed: x=1"); err != nil || o.Err != "wait failed: x=1" {
		t.Errorf("backend error: %+v %v", o, err)
	}
	if _, err := spec.ParseOutcome("bytes=5"); err == nil {
		t.Error("an outcome with no return value was read")
	}
	c, err := spec.ParseCompletion("B: SleepEx -> WAIT_IO_COMPLETION")
	if err != nil || c.Thread != "B" || c.Call != "SleepEx" || c.Outcome.Ret != "WAIT_IO_COMPLETION" {
		t.Errorf("completion: %+v %v", c, err)
	}
	cs := []emu.Choice{{Point: emu.PointPend, N: 2, Pick: 1}, {Point: emu.PointSchedule, N: 3, Pick: 2}, {Point: emu.PointAPCOrder, N: 2}}
	back, err := ParseChoices(FormatChoices(cs))
	if err != nil || len(back) != 2 || back[1] != cs[1] {
		t.Errorf("choices: %v %v", back, err)
	}
	if FormatChoices(cs[2:]) != "usual" {
		t.Errorf("all-zero decisions: %q", FormatChoices(cs[2:]))
	}
}

// What the model cannot know: the port an implicit bind picks matches any
// port, as long as the same model port is always the same observed one;
// an out-parameter the model leaves unwritten may hold anything.
func TestCheckObservedOpenValues(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/wsarecv/implicit-bind.scenario")
	if err != nil {
		t.Fatal(err)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	renumber := func(obs []ObservedStep, ports ...string) []ObservedStep {
		n := 0
		for i := range obs {
			for k, v := range obs[i].Outcome.Outs {
				if strings.HasSuffix(v, ":49152") {
					obs[i].Outcome.Outs[k] = strings.TrimSuffix(v, "49152") + ports[min(n, len(ports)-1)]
					n++
				}
			}
		}
		if n < 2 {
			t.Fatalf("set-up: the ephemeral port shows %d times, want 2 or more", n)
		}
		return obs
	}
	obs := renumber(observe(t, sc, cfg, nil), "60864")
	if tc, err := CheckObserved(sc, cfg, obs); err != nil || !tc.Permitted {
		t.Fatalf("another ephemeral port, consistently: permitted=%v err %v (at line %d: %s; model %v)", tc.Permitted, err, tc.Line, tc.Observed, tc.Allowed)
	}
	obs = renumber(observe(t, sc, cfg, nil), "60864", "60865")
	tc, err := CheckObserved(sc, cfg, obs)
	if err != nil || tc.Permitted {
		t.Fatalf("one socket seen at two ports: permitted=%v err %v", tc.Permitted, err)
	}

	// A pending receive: the model leaves bytes unwritten, so a system
	// that writes 0 there is permitted; one that leaves a result the
	// model writes unwritten is not.
	sc, err = spec.ParseEmbedded("scenarios/wsarecv/pending-event.scenario")
	if err != nil {
		t.Fatal(err)
	}
	obs = observe(t, sc, cfg, nil)
	if obs[0].Outcome.Outs["bytes"] != "untouched" {
		t.Fatalf("set-up: bytes=%s", obs[0].Outcome.Outs["bytes"])
	}
	obs[0].Outcome.Outs["bytes"] = "0"
	if tc, err := CheckObserved(sc, cfg, obs); err != nil || !tc.Permitted {
		t.Fatalf("bytes written where the model leaves them: permitted=%v err %v", tc.Permitted, err)
	}
	last := len(obs) - 1
	obs[last].Outcome.Outs["bytes"] = "untouched"
	if tc, err := CheckObserved(sc, cfg, obs); err != nil || tc.Permitted || tc.Step != last {
		t.Fatalf("bytes left unwritten where the model writes them: permitted=%v step %d err %v", tc.Permitted, tc.Step, err)
	}
}

// Once the program does something the pages call undefined (the
// sanitizer reports it), whatever happens from that step on is permitted;
// what happened before still has to match.
func TestCheckObservedStopsAtMisuse(t *testing.T) {
	sc := parseInline(t, "reentry.scenario", `title A blocking call inside an APC that interrupted a blocking call
thread A
thread B
socket r udp4 bind=127.0.0.1:5000
socket q udp4 bind=127.0.0.1:5001
socket w udp4 bind=127.0.0.1:6000
buffer b1 16
buffer b2 16
buffer hello "hello"
apc ap1 does WSARecv q b2 NULL

A: WSARecv r b1 NULL
  return blocks
B: WSASendTo w hello 127.0.0.1:5001 NULL
  return 0
B: QueueUserAPC ap1 A
  return TRUE
settle
  finding wsasendmsg.blocking.apc-reentry-undefined
B: WSASendTo w hello 127.0.0.1:5000 NULL
  return 0
`)
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	obs := observe(t, sc, cfg, nil)
	// What Wine does: the interrupted blocking receive returns
	// WSA_IO_PENDING when the APC has run.
	obs[2].Completions = []spec.Completion{{Thread: "A", Call: "WSARecv", Outcome: spec.Outcome{Ret: "SOCKET_ERROR", Err: "WSA_IO_PENDING", Outs: map[string]string{}}}}
	obs[4].Outcome = spec.Outcome{Ret: "SOCKET_ERROR", Err: "WSAENOTSOCK", Outs: map[string]string{}}
	tc, err := CheckObserved(sc, cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Permitted || tc.UndefinedStep != 2 || !strings.HasPrefix(tc.Undefined, "wsasendmsg.blocking.apc-reentry-undefined") {
		t.Fatalf("permitted=%v undefined %q at step %d", tc.Permitted, tc.Undefined, tc.UndefinedStep)
	}
	obs[1].Outcome = spec.Outcome{Ret: "SOCKET_ERROR", Err: "WSAENOTSOCK", Outs: map[string]string{}}
	if tc, err = CheckObserved(sc, cfg, obs); err != nil || tc.Permitted || tc.Step != 1 {
		t.Fatalf("a step before the misuse corrupted: permitted=%v step %d err %v", tc.Permitted, tc.Step, err)
	}
}
