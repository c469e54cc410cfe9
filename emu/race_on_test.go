//go:build race

package emu_test

// raceEnabled: the race detector is on, and sync.Pool drops some of what
// it is given, so reuse through it is not certain.
const raceEnabled = true
