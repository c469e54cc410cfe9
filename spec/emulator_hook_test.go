package spec_test

import (
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// The emulator backend for spec's own tests (see export_test.go).
func init() {
	spec.NewEmulator = func() spec.Backend { return &emulated.Emulator{} }
}
