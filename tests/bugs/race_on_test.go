//go:build race

package bugs

// raceEnabled reports whether the race detector is on.
const raceEnabled = true
