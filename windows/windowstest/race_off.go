//go:build !race && (!windows || wsaemu)

package windowstest

const raceEnabled = false
