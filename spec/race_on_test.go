//go:build race

package spec

// raceEnabled: the race detector makes sync.Pool drop a share of what it
// is given, so tests of what a pool keeps do not hold under it.
const raceEnabled = true
