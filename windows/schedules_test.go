//go:build !windows || wsaemu

package windows

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// The package's promise is that x/sys-style code runs on the emulator
// under any schedule the Chooser draws, not only the usual one. Each test
// body above asserts what the pages say (accepting every outcome they
// permit, e.g. a send that completes at once or pends); here each runs
// again under seeded choosers, under the hostile chooser, and with the
// sanitizer failing fast on a misuse of the program's records.
func TestBodiesUnderSchedules(t *testing.T) {
	bodies := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"UDPEvent", bodyUDPEventCompletion},
		{"UDPRoutine", bodyUDPRoutineCompletion},
		{"UDPPort", bodyUDPPortCompletion},
		{"TCP", bodyTCPAcceptExConnectEx},
		{"Echo", bodyEchoServer},
		{"Events", bodyEventsAndWaits},
		{"APC", bodyQueueUserAPC},
		{"Errno", bodyErrnoValues},
		{"GoThread", bodyGoThread},
		{"Pipes", bodyPipes},
		{"PipeState", bodyNamedPipeState},
		{"RecvMsg", bodyWSARecvMsg},
		{"CancelIoEx", bodyCancelIoEx},
		{"SkipPort", bodySkipCompletionPort},
		{"ReadFileEx", bodyReadFileExRoutine},
		{"EventSelect", bodyEventSelectAndBlockingCalls},
		{"Accept", bodyAcceptConnect},
		{"TransmitFile", bodyTransmitFileDisconnectEx},
	}
	seeds := 20
	if testing.Short() {
		seeds = 3
	}
	type machine struct {
		name string
		opts []emu.Option
	}
	var machines []machine
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		machines = append(machines, machine{fmt.Sprintf("seed%d", seed), []emu.Option{emu.WithSeed(seed)}})
	}
	machines = append(machines,
		machine{"hostile", []emu.Option{emu.WithChooser(emu.HostileChooser())}},
		machine{"sanitizer", []emu.Option{emu.WithSanitizer(emu.SanitizeFailFast)}},
		machine{"ifs", []emu.Option{emu.WithProviderKind(provider.IFS), emu.WithSeed(3)}},
		machine{"ifs-hostile", []emu.Option{emu.WithProviderKind(provider.IFS), emu.WithChooser(emu.HostileChooser())}},
		machine{"docs", []emu.Option{emu.WithProfile(emu.ProfileDocs), emu.WithSeed(7)}},
	)
	for _, b := range bodies {
		for _, m := range machines {
			t.Run(b.name+"/"+m.name, func(t *testing.T) {
				if err := RunMachine(emu.New(m.opts...), func() { b.fn(t) }); err != nil {
					t.Fatalf("RunMachine: %v", err)
				}
			})
		}
	}
}
