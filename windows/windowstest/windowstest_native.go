//go:build windows && !wsaemu

package windowstest

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// On Windows without the wsaemu tag the body runs once, on real Winsock:
// there is no schedule to choose, and the options change nothing.

// TB is what a body reports to (see the emulated build).
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

// Option changes how Run and Rapid run the body on the emulator.
type Option func()

func Seeds(int) Option                   { return func() {} }
func FirstSeed(uint64) Option            { return func() {} }
func NoUsual() Option                    { return func() {} }
func NoHostile() Option                  { return func() {} }
func Sanitizer(emu.SanitizerMode) Option { return func() {} }
func Machine(...emu.Option) Option       { return func() {} }

// Run calls body once.
func Run(t *testing.T, body func(t TB), _ ...Option) { t.Helper(); body(t) }

// Rapid calls body once.
func Rapid(t *testing.T, body func(t TB), _ ...Option) { t.Helper(); body(t) }
