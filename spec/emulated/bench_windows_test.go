//go:build windows

package emulated_test

import (
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/native"
)

// On Windows (and under Wine) the cycle is timed on the real ws2_32 too.
// Quiet is turned off (a negative pause is none): the benchmark's steps do
// not read state that arrives after a call returns, and the two result
// queries wait for the completions themselves.
func init() {
	benchBackends = append(benchBackends, benchBackend{"native", func() spec.Backend { return &native.Backend{Quiet: -1} }})
}
