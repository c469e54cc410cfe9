package spec

import "github.com/wsaemu/wsaemu/emu"

// EmulatorForTests is what this package's own tests need of the
// emulator's backend (spec/emulated): a Backend whose runs leave a trace,
// for the timelines. That backend imports spec, so the package's internal
// tests cannot import it; emulator_hook_test.go (package spec_test, built
// into the same test binary) sets NewEmulator before any test runs. The
// seam goes away when the timelines move to a package of their own.
type EmulatorForTests interface {
	Backend
	Threads() ([]string, []int)
	System() *emu.System
}

// NewEmulator makes a fresh emulator backend.
var NewEmulator func() EmulatorForTests
