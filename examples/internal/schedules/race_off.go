//go:build !race && (!windows || wsaemu)

package schedules

const raceEnabled = false
