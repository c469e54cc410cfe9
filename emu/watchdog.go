package emu

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The hang watchdog.
//
// An emulated thread may wait only through emulated calls: a wait the
// emulator cannot see (a Go channel, a sync.Mutex, time.Sleep, a real
// system call) blocks the goroutine that holds the right to run, and with
// it the whole machine, since every other thread waits for its turn. The
// model cannot notice that (nothing in it runs), so the goroutine that
// waits for the machine (the driver in Run and Stepper.Call, the adopted
// thread of RunHere while it waits for its turn) watches the wall clock:
// when the running thread has not come back to the emulator for the hang
// timeout, the run ends with a *HangError.
//
// The watchdog sits outside the deterministic model. It reads the wall
// clock only to give up on a run that has stopped moving; it makes no
// decision a run that completes can observe, so seeds and traces are the
// same with it on or off.

// DefaultHangTimeout is the hang timeout of a System built without
// WithHangTimeout.
const DefaultHangTimeout = 10 * time.Second

// WithHangTimeout sets how long, on the wall clock, the running emulated
// thread may stay away from the emulator before the run is abandoned with
// a *HangError. Zero or less turns the watchdog off, which also lets a
// Stepper run its threads as coroutines of the driver, several times
// cheaper per step than goroutines (stepcoro.go).
func WithHangTimeout(d time.Duration) Option {
	return func(s *System) {
		if d < 0 {
			d = 0
		}
		s.hangAfter = d
	}
}

// HangError reports that the running emulated thread stopped calling into
// the emulator for longer than the hang timeout: it blocks on something
// the emulator cannot see. The goroutine is left where it is (Go cannot
// unwind it from outside); the System has stopped and must not be used
// again. Any emulated call the abandoned goroutine makes later fails with
// ErrWrongThread.
type HangError struct {
	Thread string        // the thread that did not come back
	After  time.Duration // the hang timeout that ran out (wall clock)
	Now    time.Duration // the virtual clock at the time
	Stack  string        // the goroutine's stack when it was given up
	Tail   []Event       // the last events of the trace (at most 20)
	Trace  *Trace
}

func (e *HangError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "hang: thread %s has not called into the emulator for %s of wall-clock time; "+
		"it blocks on something the emulator cannot see (a channel, a mutex, time.Sleep, a system call). "+
		"An emulated thread may wait only through emulated calls (WaitForSingleObject, SleepEx, GetQueuedCompletionStatus, ...).",
		e.Thread, e.After)
	if e.Stack != "" {
		fmt.Fprintf(&b, "\n\ngoroutine of thread %s:\n%s", e.Thread, e.Stack)
	}
	if len(e.Tail) > 0 {
		fmt.Fprintf(&b, "\nlast %d trace events (virtual clock %s):\n", len(e.Tail), fmtTime(e.Now))
		for i := range e.Tail {
			b.WriteString("  ")
			e.Tail[i].format(&b)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// hangTickPeriod is how often a waiting driver looks at the running
// thread's progress.
const hangTickPeriod = 50 * time.Millisecond

// hangClock is one process-wide ticker that every waiting driver listens
// to: each tick closes the current channel and installs a new one, so a
// wait pays one atomic load and no timer of its own.
var hangClock struct {
	once sync.Once
	ch   atomic.Pointer[chan struct{}]
}

func hangTick() <-chan struct{} {
	hangClock.once.Do(func() {
		c := make(chan struct{})
		hangClock.ch.Store(&c)
		go func() {
			for {
				time.Sleep(hangTickPeriod)
				n := make(chan struct{})
				close(*hangClock.ch.Swap(&n))
			}
		}()
	})
	return *hangClock.ch.Load()
}

// hangWatch is one waiting goroutine's view of the running thread's
// progress: the last heartbeat it saw and when it first saw it.
type hangWatch struct {
	last  uint64
	since time.Time
}

// beat records that the right to run changed hands. It is an atomic add
// so that a waiting driver may read it.
func (s *System) beat() { s.beats.Add(1) }

// callBeat records that a call returned. With a trace it is a beat: the
// atomic add also orders every trace event the thread wrote before it
// against the driver's reading of the trace tail after a hang. Without a
// trace there is no tail to read, and an atomic add on every call would
// be most of a short call's cost: a beat every 64 calls tells a thread
// that keeps calling from a hung one just as well.
func (s *System) callBeat() {
	if s.trace != nil {
		s.beats.Add(1)
		return
	}
	s.quietCalls++
	if s.quietCalls&63 == 0 {
		s.beats.Add(1)
	}
}

// stalled reports whether the running thread has been away for the hang
// timeout; it records the *HangError when it has.
func (s *System) stalled(w *hangWatch) bool {
	b := s.beats.Load()
	now := time.Now()
	if w.since.IsZero() || b != w.last {
		w.last, w.since = b, now
		return false
	}
	if now.Sub(w.since) < s.hangAfter {
		return false
	}
	t := s.owner.Load()
	if t == nil || t == hungOwner {
		return false
	}
	// Nothing of the System is touched until the right to run is taken
	// from t: from here on t's goroutine, should it ever come back, is
	// refused (running and Caller compare against hungOwner).
	s.owner.Store(hungOwner)
	t.hung = true
	s.current = nil
	e := &HangError{Thread: t.name, After: s.hangAfter, Stack: goroutineStack(t.gid.Load()), Trace: s.trace}
	if s.trace != nil {
		// Ordered after the hung thread's last call by callBeat; without
		// a trace nothing of the System but its owner is read here.
		e.Now = s.now
		from := max(s.trace.Len()-20, 0)
		for i := from; i < s.trace.Len(); i++ {
			e.Tail = append(e.Tail, *s.trace.At(i))
		}
	}
	s.hang = e
	return true
}

// hungOwner takes the right to run from a thread given up as hung: no
// goroutine's id matches its own.
var hungOwner = &Thread{name: "(hung)"}

func init() { hungOwner.gid.Store(-1) }

// awaitDriver is the driver's wait for the machine to hand back the right
// to run. It returns early with s.hang set when the running thread hangs.
func (s *System) awaitDriver() {
	if s.coro {
		s.trampoline()
		return
	}
	if s.hangAfter <= 0 {
		<-s.driverCh
		return
	}
	var w hangWatch
	for {
		select {
		case <-s.driverCh:
			return
		case <-hangTick():
			if s.stalled(&w) {
				return
			}
		}
	}
}

// goroutineStack returns the stack of the goroutine with the given id, as
// runtime.Stack prints it ("" when it cannot be found).
func goroutineStack(id int64) string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := []byte("goroutine " + strconv.FormatInt(id, 10) + " [")
	for len(buf) > 0 {
		end := bytes.Index(buf, []byte("\n\n"))
		block := buf
		if end >= 0 {
			block, buf = buf[:end], buf[end+2:]
		} else {
			buf = nil
		}
		if bytes.HasPrefix(block, head) {
			return string(block) + "\n"
		}
	}
	return ""
}
