package timeline

import (
	"bytes"
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wsaemu/wsaemu/emu"
)

// TestTimelineRoutineArgs checks the promise of issue 9 that a timeline
// names each completion routine's record and shows its arguments under
// both provider kinds: over the whole corpus, every completion-routine APC
// the timelines draw is labelled with the routine the scenario declared,
// the record it completes and the dwError and byte count the routine
// really got (as the emulator recorded them when it called it).
func TestTimelineRoutineArgs(t *testing.T) {
	checked := map[string]int{}
	for _, f := range spec.EmbeddedFiles() {
		sc, err := spec.ParseEmbedded(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range spec.Configs(sc) {
			em := &emulated.Emulator{}
			rep := spec.Run(sc, em, cfg)
			if rep.Err != nil {
				continue
			}
			evs := traceEvents(em.System().Trace())
			nm := nameRun(rep, evs)
			got := map[string][]string{}
			for i := range evs {
				e := &evs[i]
				if e.Kind != emu.EvAPCRun || e.Name != "Completion" {
					continue
				}
				a := nm.apcOf(e.Thread, e.N)
				if a.name == "" || !a.args {
					t.Errorf("%s [%s/%s]: %s: routine APC without a name or arguments: %q", f, cfg.Kind, cfg.Profile, e, nm.apcWhat(e))
					continue
				}
				got[a.name] = append(got[a.name], fmt.Sprintf("ov=%s err=%d bytes=%d", nm.ovName(a.ov), a.err, a.bytes))
			}
			for _, d := range sc.Decls {
				if d.Kind != "routine" {
					continue
				}
				calls, _ := em.Routine(d.Name)
				var want []string
				for _, c := range calls {
					ov, _, _ := strings.Cut(c.Ov, " (does failed")
					want = append(want, fmt.Sprintf("ov=%s err=%d bytes=%d", ov, c.Err, c.Bytes))
				}
				if strings.Join(got[d.Name], "; ") != strings.Join(want, "; ") {
					t.Errorf("%s [%s/%s]: routine %s: the timeline shows\n  %s\nthe routine got\n  %s", f, cfg.Kind, cfg.Profile, d.Name, strings.Join(got[d.Name], "; "), strings.Join(want, "; "))
				}
				checked[cfg.Kind] += len(want)
			}
		}
	}
	// Both kinds must have been exercised, or the test proves nothing.
	if checked["nonifs"] == 0 || checked["ifs"] == 0 {
		t.Fatalf("routine calls checked per kind: %v", checked)
	}
}

// TestLanesNames runs the scenario of issue 9's report through the text
// timeline under both kinds: the event is "signal event ev", the routine's
// line names it, its record and its arguments, and the blocked SleepEx
// returns one named value.
func TestLanesNames(t *testing.T) {
	src := `title names
thread A
event ev manual
socket r udp4 bind=127.0.0.1:5000
socket w udp4
overlapped first event=ev
overlapped rec
routine cr1
buffer b1 16
buffer b2 16
buffer hello "hello"
A: WSARecv r b1 first
  return SOCKET_ERROR WSA_IO_PENDING
A: WSARecv r b2 rec routine=cr1
  return SOCKET_ERROR WSA_IO_PENDING
A: WSASendTo w hello 127.0.0.1:5000 NULL
  return 0
A: closesocket r
  return 0
A: SleepEx INFINITE alertable
  return WAIT_IO_COMPLETION
  routine cr1 last err=WSA_OPERATION_ABORTED bytes=0 ov=rec
`
	sc, err := spec.Parse("names.scenario", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"nonifs", "ifs"} {
		em := &emulated.Emulator{}
		rep := spec.Run(sc, em, spec.RunConfig{Kind: kind, Profile: "windows"})
		if !rep.Passed() {
			t.Fatalf("%s: %v", kind, rep.Failures())
		}
		var b bytes.Buffer
		names, ids := em.Threads()
		Lanes(&b, rep, em.System().Trace(), names, ids, 200)
		out := b.String()
		for _, want := range []string{
			"signal event ev",
			"queued: routine cr1 for rec",
			"⤷ routine cr1 for rec runs (depth 1): err=WSA_OPERATION_ABORTED bytes=0",
			"◀ WAIT_IO_COMPLETION (0xC0)",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the timeline lacks %q:\n%s", kind, want, out)
			}
		}
		for _, bad := range []string{"0x8", "ov1.", "ov2", "→ 192", "APC #"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: the timeline shows the trace's name %q instead of the scenario's:\n%s", kind, bad, out)
			}
		}
	}
}

// TestLanesWidth: every line of a text timeline fits the width asked for,
// down to 40 columns, with up to three threads.
func TestLanesWidth(t *testing.T) {
	for _, f := range spec.TourFiles() {
		sc, err := spec.ParseEmbedded(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{40, 80, 132} {
			em := &emulated.Emulator{}
			rep := spec.Run(sc, em, spec.Configs(sc)[0])
			var b bytes.Buffer
			names, ids := em.Threads()
			Lanes(&b, rep, em.System().Trace(), names, ids, width)
			for _, l := range strings.Split(b.String(), "\n") {
				if utf8.RuneCountInString(l) > width {
					t.Errorf("%s at %d columns: a line of %d: %q", f, width, utf8.RuneCountInString(l), l)
				}
			}
		}
	}
}

// TestLanesLegend: the "choice" and "settle" lines are explained once,
// under the lanes, when the run has them.
func TestLanesLegend(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/tour/05-cancel-pending-read.scenario")
	if err != nil {
		t.Fatal(err)
	}
	em := &emulated.Emulator{}
	rep := spec.Run(sc, em, spec.Configs(sc)[0])
	var b bytes.Buffer
	names, ids := em.Threads()
	Lanes(&b, rep, em.System().Trace(), names, ids, 100)
	out := b.String()
	for _, want := range []string{"choice cancel: 0 of 2", "choice POINT: k of n", "cancel: does a cancel take effect", "settle — a step of the scenario"} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want %q exactly once:\n%s", want, out)
		}
	}
}

// TestTraceNames: the raw trace's header says which numbers are which
// declared objects, pipe ends included (the message-pipe stop of the tour:
// records rd, wr, rd2 on pipe m).
func TestTraceNames(t *testing.T) {
	sc, err := spec.ParseEmbedded("scenarios/tour/03-more-data-routine.scenario")
	if err != nil {
		t.Fatal(err)
	}
	em := &emulated.Emulator{}
	rep := spec.Run(sc, em, spec.RunConfig{Kind: "nonifs", Profile: "windows"})
	got := strings.Join(TraceNames(rep, em.System().Trace()), "\n")
	for _, want := range []string{"records: ov1=rd ov2=wr ov3=rd2", "=m.r ", "=m.w", "=A"} {
		if !strings.Contains(got+" ", want) {
			t.Errorf("TraceNames lacks %q:\n%s", want, got)
		}
	}
}
