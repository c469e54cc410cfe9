//go:build !windows || wsaemu

package windows

// RecordTrace is the native side's switch for recording a real run as a
// trace (docs/trace-format.md) to path. Under the emulator it does
// nothing and returns nil: the emulator's runs are recorded by the
// emulator itself (wsaemu run -trace).
func RecordTrace(path string) error { return nil }
