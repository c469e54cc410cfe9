//go:build !windows || wsaemu

// Package schedules runs an example's exchange on the emulator under the
// schedules its tests need: the usual one, the hostile one, and numbered
// seeds of the seeded and swarm choosers, on machines with an IFS and with
// a non-IFS provider, with the sanitizer failing fast, poisoned
// out-parameters and byte streams delivered in pieces. It is the examples'
// own small harness until the windowstest package takes its place.
package schedules

import (
	"fmt"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/windows"
)

// Machine names a machine configuration.
type Machine struct {
	Name string
	Kind provider.Kind
}

// Machines are the provider kinds every schedule runs on: Windows' own
// providers are IFS ones; a non-IFS provider is what a machine with a
// non-IFS layered provider shows a program.
var Machines = []Machine{{"ifs", provider.IFS}, {"nonifs", provider.NonIFS}}

// Chooser names one schedule.
type Chooser struct {
	Name string
	New  func() emu.Chooser
}

// Usual is the schedule Windows usually shows.
var Usual = Chooser{"usual", emu.UsualChooser}

// Hostile takes the unusual alternative at every point.
var Hostile = Chooser{"hostile", emu.HostileChooser}

// Seeded is seed n of the seeded chooser.
func Seeded(n uint64) Chooser {
	return Chooser{fmt.Sprintf("seeded/%d", n), func() emu.Chooser { return emu.SeededChooser(n) }}
}

// Swarm is seed n of the swarm chooser.
func Swarm(n uint64) Chooser {
	return Chooser{fmt.Sprintf("swarm/%d", n), func() emu.Chooser { return emu.SwarmChooser(n) }}
}

// Run runs body as the first emulated thread of a new machine of kind m
// under chooser c, with the sanitizer failing fast, poison and stream
// splits on. It returns the machine's error (a deadlock, a sanitizer
// finding, a livelock) or else body's, and the trace as text, so a rerun
// can be compared with it.
func Run(m Machine, c Chooser, body func() error) (err error, trace string) {
	sys := emu.New(emu.WithProviderKind(m.Kind), emu.WithChooser(c.New()),
		emu.WithSanitizer(emu.SanitizeFailFast), emu.WithPoison(), emu.WithSplits())
	var berr error
	if rerr := windows.RunMachine(sys, func() { berr = body() }); rerr != nil {
		err = rerr
	} else {
		err = berr
	}
	if tr := sys.Trace(); tr != nil {
		trace = tr.String()
	}
	return err, trace
}
