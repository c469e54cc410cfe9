//go:build !windows || wsaemu

package windows

import (
	"testing"
)

// Issue 14's promise: a call from a goroutine that is not an emulated
// thread fails with a clear error, not a data race, even while an
// emulated thread runs (here the main thread waits, outside the emulator,
// for the plain goroutine to finish).
func TestCallFromPlainGoroutineFails(t *testing.T) {
	err := Run(func() {
		ev, err := CreateEvent(nil, 1, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- SetEvent(ev) }()
		if err := <-done; err != ERROR_INVALID_THREAD_ID {
			t.Errorf("SetEvent from a plain goroutine = %v, want ERROR_INVALID_THREAD_ID", err)
		}
		if r, _ := WaitForSingleObject(ev, 0); r != uint32(WAIT_TIMEOUT) {
			t.Errorf("the refused SetEvent signalled the event (wait = %#x)", r)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Run from inside a run would wait for ever for itself: it is refused.
func TestRunInsideRunIsRefused(t *testing.T) {
	var inner error
	if err := Run(func() { inner = Run(func() {}) }); err != nil {
		t.Fatal(err)
	}
	if inner == nil {
		t.Error("Run inside Run returned nil")
	}
}
