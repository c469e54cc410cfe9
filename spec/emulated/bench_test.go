package emulated_test

// The same scenario loop timed on every backend this build has (issue 5,
// item 6): one loopback UDP overlapped cycle — a receive that pends, a
// send, and the two results asked with WSAGetOverlappedResult (fWait) —
// driven step by step through the spec.Backend interface, exactly as a
// scenario runs. The emulator runs it everywhere; a Windows build
// (bench_windows_test.go) also runs it on the real ws2_32, so the ratio
// comes from one test binary run under Wine:
//
//	go test -run '^$' -bench Cycle ./spec/emulated            # emulator
//	GOOS=windows GOARCH=amd64 go test -c -o spec.test.exe ./spec/emulated
//	wine64 spec.test.exe -test.run '^$' -test.bench Cycle     # both
//
// The emulator's figure includes what a scenario run always pays: the
// trace of every event and the sanitizer. Its machine is rebuilt outside
// the timer every benchCycleBatch cycles (about 200,000 trace events),
// the old machine's trace handing its room to the new one (Release).

import (
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// benchCycleScenario declares the loop's objects; its four steps are the
// cycle.
const benchCycleScenario = `title One loopback UDP overlapped cycle
thread A
event er manual
event es manual
socket r udp4 bind=127.0.0.1:5000
socket w udp4 bind=127.0.0.1:6000
overlapped ovr event=er
overlapped ovs event=es
buffer b1 64
buffer payload "0123456789abcdef0123456789abcdef"

A: WSARecv r b1 ovr
  return SOCKET_ERROR WSA_IO_PENDING
A: WSASendTo w payload 127.0.0.1:5000 ovs
  return 0|SOCKET_ERROR
A: WSAGetOverlappedResult w ovs wait
  return TRUE
  bytes=32
A: WSAGetOverlappedResult r ovr wait
  return TRUE
  bytes=32
`

// benchBackend is a backend the cycle is timed on.
type benchBackend struct {
	name string
	make func() spec.Backend
}

// benchBackends: the emulator; bench_windows_test.go adds the native one.
var benchBackends = []benchBackend{
	{"emulator", func() spec.Backend { return &emulated.Emulator{} }},
	{"emulator-quiet", func() spec.Backend { return &emulated.Emulator{Quiet: true} }},
}

// benchCycleBatch is how many cycles run on one machine before it is
// rebuilt (outside the timer).
const benchCycleBatch = 4096

func BenchmarkCycle(b *testing.B) {
	sc, err := spec.Parse("cycle.scenario", strings.NewReader(benchCycleScenario))
	if err != nil {
		b.Fatal(err)
	}
	for _, bb := range benchBackends {
		b.Run(bb.name, func(b *testing.B) { benchCycle(b, sc, bb.make) })
	}
}

func benchCycle(b *testing.B, sc *spec.Scenario, mk func() spec.Backend) {
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	var be spec.Backend
	start := func() {
		if be != nil {
			be.Close()
			// The next machine's trace takes over this one's room, as a
			// program running machine after machine would do.
			if em, ok := be.(*emulated.Emulator); ok && em.System().Trace() != nil {
				em.System().Trace().Release()
			}
		}
		be = mk()
		if err := be.Start(cfg, sc.Decls); err != nil {
			b.Fatal(err)
		}
		benchOneCycle(b, be, sc) // warm up: the first cycle binds and allocates
	}
	start()
	defer func() { be.Close() }()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%benchCycleBatch == 0 {
			b.StopTimer()
			start()
			b.StartTimer()
		}
		benchOneCycle(b, be, sc)
	}
}

// benchOneCycle runs the four steps and checks each outcome's return
// value (and the bytes of the two results), so a backend that stopped
// doing the cycle cannot look fast.
func benchOneCycle(b *testing.B, be spec.Backend, sc *spec.Scenario) {
	const anything = 1 << 40
	want := [...]uint64{spec.SocketError, anything, 1, 1}
	for i, st := range sc.Steps {
		out, err := be.Do(st.Thread, st.Call.Op)
		if err != nil {
			b.Fatal(err)
		}
		switch {
		case out.Blocked:
			b.Fatalf("step %d (%s) blocked", i+1, st.Call.Name)
		case want[i] != anything && out.Ret != want[i]:
			b.Fatalf("step %d (%s): returned %d (error %d), want %d", i+1, st.Call.Name, out.Ret, out.Err, want[i])
		case i >= 2 && out.Outs.Bytes != 32:
			b.Fatalf("step %d (%s): bytes=%d, want 32", i+1, st.Call.Name, out.Outs.Bytes)
		}
	}
	be.Completed()
}

// BenchmarkRun: one whole scenario run (machine built, objects declared,
// the four steps and their checks, machine stopped), as explore makes
// them by the thousand: the per-run costs the Cycle benchmark leaves out.
func BenchmarkRun(b *testing.B) {
	sc, err := spec.Parse("cycle.scenario", strings.NewReader(benchCycleScenario))
	if err != nil {
		b.Fatal(err)
	}
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if rep := spec.Run(sc, &emulated.Emulator{}, cfg); rep.Err != nil || !rep.Passed() {
			b.Fatalf("run failed: %v", rep.Err)
		}
	}
}

// BenchmarkRunReused: whole runs as explore makes them, on one Emulator
// and one Report kept from run to run (spec.RunInto), its threads on a
// pool of goroutines: what a run costs once everything the driver keeps
// is warm. allocs/op is the run's allocations, the emulator's machine's
// included; the driver's own part (the Emulator, the runner, rendering,
// expectations) is meant to make none of them.
func BenchmarkRunReused(b *testing.B) {
	for _, name := range []string{"wsasend/routine", "readiness/select-large-set", "wine/kernel/wait-any-64-objects", "afd/poll-two-entries", "iocp/ex-removes-several"} {
		sc, err := spec.ParseFile("../scenarios/" + name + ".scenario")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			pool := emu.NewGoroutinePool()
			defer pool.Close()
			em := &emulated.Emulator{Pool: pool}
			cfg := spec.Configs(sc)[0]
			cfg.Seed, cfg.Seeded = 1, true
			rep := spec.RunInto(nil, sc, em, cfg)
			b.ReportAllocs()
			for b.Loop() {
				if rep = spec.RunInto(rep, sc, em, cfg); !rep.Passed() {
					b.Fatalf("%v", rep.Failures())
				}
			}
		})
	}
}
