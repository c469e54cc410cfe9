package emulated_test

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// reuseScenarios are corpus scenarios of very different sizes and kinds:
// the largest (70 sockets, 64 events, 27 records and 25 buffers, two
// 1 MiB buffers), and small ones with routines, APCs, WSARecvMsg records,
// AFD polls, ports, pipes and sanitizer findings. Each leaves something
// of its own in a reused Emulator (declarations, records, buffers,
// machines, WSABUF arrays by call number, lent handle arrays, findings'
// texts) for the next to trip on.
var reuseScenarios = []string{
	"readiness/select-large-set",
	"wine/kernel/wait-any-64-objects",
	"afd/poll-send-buffer-full",
	"tcp/send-pends",
	"afd/poll-two-entries",
	"completion-routine-wsa/reissue-from-routine",
	"completion-routine-wsa/any-order",
	"wsarecvmsg/pending",
	"wsarecvmsg/pktinfo",
	"iocp/ex-removes-several",
	"iocp/fifo",
	"wsasend/routine",
	"pipes/named-pipe-duplex-echo",
	"apc/nested-alertable-wait",
	"wsaoverlapped/release-while-pending",
	"wsagetoverlappedresult/invalid-event",
}

// runText is everything a run shows: the report step by step, what the
// run left in every declared object, and the trace, event by event.
func runText(sc *spec.Scenario, em *emulated.Emulator, rep *spec.Report) string {
	var b strings.Builder
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, "%d %d-%d %+v %v %q %v %v\n", s.Step.Line, s.TraceFrom, s.TraceTo, s.Result, s.Outcome, spec.FormatOutcome(s.Outcome), s.Completions, s.Failures)
	}
	fmt.Fprintf(&b, "%d steps, findings %q expected %q liveness %q err %v\n", len(rep.Steps), rep.Findings, rep.Expected, rep.Liveness, rep.Err)
	for _, d := range sc.Decls {
		switch d.Kind {
		case "buffer":
			v, err := em.Buffer(d.Name)
			h := fnv.New64a()
			h.Write(v)
			fmt.Fprintf(&b, "%s %d %d %#x %v\n", d.Name, len(v), cap(v), h.Sum64(), err)
		case "overlapped":
			v, err := em.Overlapped(d.Name)
			m, merr := em.Msg(d.Name)
			fmt.Fprintf(&b, "%s %+v %v %+v %v\n", d.Name, v, err, m, merr)
		case "routine", "apc":
			v, err := em.Routine(d.Name)
			fmt.Fprintf(&b, "%s %+v %v\n", d.Name, v, err)
		case "event":
			v, err := em.EventSignalled(d.Name)
			fmt.Fprintf(&b, "%s %v %v\n", d.Name, v, err)
		case "thread":
			v, err := em.Blocked(d.Name)
			fmt.Fprintf(&b, "%s blocked %v %v\n", d.Name, v, err)
		}
	}
	names, ids := em.Threads()
	fmt.Fprintf(&b, "threads %v %v\n", names, ids)
	if tr := em.System().Trace(); tr != nil {
		for i := 0; i < tr.Len(); i++ {
			ev := tr.At(i)
			fmt.Fprintf(&b, "%+v\n", ev)
		}
	}
	return b.String()
}

func parseCorpus(t *testing.T, names []string) []*spec.Scenario {
	t.Helper()
	var out []*spec.Scenario
	for _, n := range names {
		sc, err := spec.ParseFile("../scenarios/" + n + ".scenario")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sc)
	}
	return out
}

// A reused Emulator (and a reused Report, spec.RunInto) must run a
// scenario exactly as new ones do, whatever ran on them before: for
// every ordered pair (A, B) of scenarios of different sizes, B run on the
// Emulator and Report that just ran A gives the report, the objects'
// state and the trace B gives on new ones. This checks what the Emulator
// keeps by declaration index (objects, records, buffers' memory), by
// thread (machines), by call number (WSABUF arrays), its lent arrays and
// the name index of large scenarios, and what the Report keeps by step
// (out-parameter maps).
func TestReusedEmulatorAfterAnotherScenario(t *testing.T) {
	scs := parseCorpus(t, reuseScenarios)
	pool := emu.NewGoroutinePool()
	defer pool.Close()
	// What each scenario gives on new objects, under one configuration
	// and schedule: its own first configuration, seed 3.
	cfgOf := func(sc *spec.Scenario) spec.RunConfig {
		c := spec.Configs(sc)[0]
		c.Seed, c.Seeded = 3, true
		return c
	}
	want := make([]string, len(scs))
	for i, sc := range scs {
		em := &emulated.Emulator{}
		want[i] = runText(sc, em, spec.Run(sc, em, cfgOf(sc)))
	}
	pairs := 0
	for i, a := range scs {
		for j, b := range scs {
			if i == j {
				continue
			}
			em := &emulated.Emulator{Pool: pool}
			rep := spec.RunInto(nil, a, em, cfgOf(a))
			if got := runText(a, em, rep); got != want[i] {
				t.Fatalf("%s on a new Emulator (pooled threads) differs from a plain one:\n%s", a.File, firstDiff(want[i], got))
			}
			rep = spec.RunInto(rep, b, em, cfgOf(b))
			if got := runText(b, em, rep); got != want[j] {
				t.Fatalf("%s after %s on the same Emulator and Report differs from a new run:\n%s", b.File, a.File, firstDiff(want[j], got))
			}
			// And back: A again after B.
			rep = spec.RunInto(rep, a, em, cfgOf(a))
			if got := runText(a, em, rep); got != want[i] {
				t.Fatalf("%s after %s after %s differs from a new run:\n%s", a.File, b.File, a.File, firstDiff(want[i], got))
			}
			em.Close()
			pairs++
		}
	}
	t.Logf("%d pairs of %d scenarios", pairs, len(scs))
}

// firstDiff shows the first line where two run texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for k := 0; k < len(w) || k < len(g); k++ {
		var a, b string
		if k < len(w) {
			a = w[k]
		}
		if k < len(g) {
			b = g[k]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", k+1, a, b)
		}
	}
	return "(no difference)"
}

// The scenarios the reuse test pairs are in the corpus, and are of
// different sizes: the test would prove little over look-alikes.
func TestReuseScenariosDiffer(t *testing.T) {
	scs := parseCorpus(t, reuseScenarios)
	sizes := map[int]bool{}
	for _, sc := range scs {
		sizes[len(sc.Decls)] = true
	}
	var ks []int
	for k := range sizes {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	if len(ks) < 6 || ks[len(ks)-1] < 64 || ks[0] > 8 {
		t.Fatalf("declaration counts %v: want a spread from a few to more than 64", ks)
	}
}

// Two scenarios with their buffer at the same declaration index, the
// second's larger (so the reused object's memory is made again) and with
// fewer calls that take WSABUF arrays: the first run again must receive
// into its buffer as it now is, not into an array kept from its last run.
const (
	reuseRecvScenario = `title receive into a buffer
thread A
socket r udp4 bind=127.0.0.1:5000
socket w udp4 bind=127.0.0.1:6000
buffer b 16
buffer hello "hello"

A: WSASendTo w hello 127.0.0.1:5000 NULL
  return 0
A: WSARecv r b NULL
  return 0
  bytes=5
  buffer b "hello"
`
	reuseBigScenario = `title a larger buffer at the same place
thread A
socket r udp4 bind=127.0.0.1:5000
socket w udp4 bind=127.0.0.1:6000
buffer b 4096

A: SleepEx 0
  return 0
`
)

func TestReusedEmulatorRemakesWSABUFArrays(t *testing.T) {
	var scs []*spec.Scenario
	for i, text := range []string{reuseRecvScenario, reuseBigScenario} {
		sc, err := spec.Parse(fmt.Sprintf("reuse%d.scenario", i), strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	fresh := &emulated.Emulator{}
	want := runText(scs[0], fresh, spec.Run(scs[0], fresh, cfg))
	em := &emulated.Emulator{}
	var rep *spec.Report
	for _, sc := range []*spec.Scenario{scs[0], scs[1], scs[0]} {
		rep = spec.RunInto(rep, sc, em, cfg)
		if !rep.Passed() {
			t.Fatalf("%s: %v", sc.File, rep.Failures())
		}
	}
	if got := runText(scs[0], em, rep); got != want {
		t.Fatalf("run again after the larger buffer:\n%s", firstDiff(want, got))
	}
}
