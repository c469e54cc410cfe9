//go:build !windows || wsaemu

package windows

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/wsaemu/wsaemu/emu"
)

// The two uses of the machine's thread API that the lead's RunHere and
// Caller will replace; everything else in the package goes through them.

// runHere runs fn as the machine's first emulated thread and then runs the
// machine until every thread has exited. For now fn runs on a goroutine
// of its own (System.Go); with System.RunHere it will run on the calling
// goroutine.
func runHere(sys *emu.System, fn func(t *emu.Thread)) error {
	if _, err := sys.Go("main", fn); err != nil {
		return err
	}
	return sys.Run()
}

// caller is the emulated thread the calling goroutine runs as. For now it
// is the machine's running thread, which a plain goroutine cannot be told
// apart from while a thread runs (System.Caller will make it exact); when
// no thread runs it is an error.
func caller(sys *emu.System) (*emu.Thread, error) {
	if t := sys.CurrentThread(); t != nil {
		return t, nil
	}
	return nil, emu.ErrWrongThread
}

// machine is the running System and the package's state for it.
type machine struct {
	sys *emu.System
	io  ioState
	// connectEx is LoadConnectEx's answer, asked once per machine.
	connectEx struct {
		done bool
		err  error
	}
}

var (
	// active is the machine that runs now; nil when none runs.
	active atomic.Pointer[machine]
	// runMu lets one machine run at a time: the package's calls have no
	// System argument, so they find their machine here.
	runMu sync.Mutex
)

// errNoThread is the error of a call made when no machine runs or from a
// goroutine that is not an emulated thread: ERROR_INVALID_THREAD_ID.
var errNoThread error = ERROR_INVALID_THREAD_ID

// cur returns the running machine and the calling emulated thread, or
// ERROR_INVALID_THREAD_ID.
func cur() (*machine, *emu.Thread, error) {
	m := active.Load()
	if m == nil {
		return nil, nil, errNoThread
	}
	t, err := caller(m.sys)
	if err != nil {
		return nil, nil, errNoThread
	}
	return m, t, nil
}

// Run builds a machine with the default options (emu.New()) and runs body
// as its first emulated thread; it returns when every emulated thread has
// exited. The error is the machine's: a *emu.DeadlockError when every
// remaining thread waits for ever, a *emu.LivelockError, a
// *emu.SanitizerError, or the panics of threads (*emu.PanicError).
// On Windows, Run calls body and returns nil.
func Run(body func()) error {
	return RunMachine(emu.New(), body)
}

// RunMachine is Run on a machine the caller built (a seed, a chooser, the
// sanitizer, a profile: see package emu's options). The machine must be
// new. Only one machine runs at a time: a second RunMachine waits for the
// first to end. Emulated side only; the test harness builds on it.
func RunMachine(sys *emu.System, body func()) error {
	if sys == nil || body == nil {
		return errors.New("windows: RunMachine needs a System and a body")
	}
	runMu.Lock()
	defer runMu.Unlock()
	m := &machine{sys: sys}
	active.Store(m)
	defer active.Store(nil)
	return runHere(sys, threadBody(body))
}

// threadBody runs f as an emulated thread's code. A runtime.Goexit in f
// (t.Fatal, t.FailNow or t.SkipNow of a test, called on the thread) ends
// the emulated thread as ExitThread(1) would, so the machine carries on
// and Run returns, instead of waiting for a thread that has gone. A panic
// passes through to the machine, which reports it; a thread the machine
// unwinds itself (blocked when the run stopped) is left to the machine.
func threadBody(f func()) func(*emu.Thread) {
	return func(t *emu.Thread) {
		done := false
		defer func() {
			if done {
				return
			}
			if r := recover(); r != nil {
				panic(r)
			}
			if !t.Blocked() && !t.Exited() {
				t.ExitThread(1)
			}
		}()
		f()
		done = true
	}
}

// Machine is the System that runs now, nil when none does. Emulated side
// only: a test reads its trace or findings after a run through it, or
// inspects it from an emulated thread.
func Machine() *emu.System {
	if m := active.Load(); m != nil {
		return m.sys
	}
	return nil
}

// Go starts f as a new emulated thread of the running machine. It must be
// called from an emulated thread; from anywhere else it panics, like a go
// statement that cannot start (there is no error result to carry the
// refusal). On Windows it is a plain go statement.
func Go(f func()) {
	m, _, err := cur()
	if err != nil {
		panic("windows.Go: not called from an emulated thread (ERROR_INVALID_THREAD_ID)")
	}
	if _, err := m.sys.Go("", threadBody(f)); err != nil {
		panic("windows.Go: " + err.Error())
	}
}
