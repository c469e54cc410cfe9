package emu

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"

	"github.com/petermattis/goid"

	"github.com/wsaemu/wsaemu/apcqueue"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type threadState uint8

const (
	stateReady   threadState = iota // may run; waiting to be picked
	stateRunning                    // holds the right to run
	stateBlocked                    // in a wait
	stateIdle                       // step mode: waiting for its next command
	stateExited
)

func (s threadState) String() string {
	return [...]string{"ready", "running", "blocked", "idle", "exited"}[s]
}

// Thread is one emulated thread. Its methods are the Win32 and Winsock
// calls, made on this thread; they may only be called from code running as
// this thread.
type Thread struct {
	s       *System
	id      int
	name    string
	handle  Handle
	state   threadState
	wake    chan struct{}
	started bool
	gid     atomic.Int64 // the id of the goroutine that runs the thread (adopt.go)
	adopted bool         // runs on RunHere's caller's goroutine
	co      *stepCoro    // a step thread's coroutine (stepcoro.go); nil: a goroutine
	pooled  bool         // runs on a GoroutinePool's goroutine (step mode)
	// coroDone: the thread's pooled coroutine has finished with it (its
	// step loop returned), so System.Release may recycle it.
	coroDone bool
	hung     bool // given up by the hang watchdog

	fn  func(*Thread) // goroutine mode: the thread's code
	cmd func(*Thread) // step mode: the command to run next

	apcs   apcqueue.Queue[apc]
	runAPC func(apcqueue.Entry[apc])

	w        waitState
	lastErr  Errno
	exitCode uint32
	exiting  bool       // ExitThread was called: the goroutine is unwinding
	reqs     reqList    // I/O requests this thread issued that are not complete
	syncOv   Overlapped // the record used for synchronous I/O without one
	calls    int        // step mode: commands finished
	ws2      ws2Thread  // the ws2 layer's per-thread state

	waitList // threads waiting for this one to exit
}

func (t *Thread) kind() objKind { return kindThread }

// close implements object: closing a thread handle does not end the
// thread.
func (t *Thread) close(s *System, _ *Thread, h Handle) Errno {
	s.handles.remove(h)
	return 0
}

func (t *Thread) list() *waitList          { return &t.waitList }
func (t *Thread) isSignalled() bool        { return t.state == stateExited }
func (t *Thread) acquire(*System, *Thread) {}
func (t *Thread) tid() int                 { return tidOf(t) }
func tidOf(t *Thread) int {
	if t == nil {
		return 0
	}
	return t.id
}

// ID is the thread's identifier (1, 2, ... in creation order).
func (t *Thread) ID() int { return t.id }

// Name is the name the thread was created with.
func (t *Thread) Name() string { return t.name }

// Handle is the thread's handle, as CreateThread returns it.
func (t *Thread) Handle() Handle { return t.handle }

// System is the machine the thread belongs to.
func (t *Thread) System() *System { return t.s }

// Exited reports whether the thread has ended.
func (t *Thread) Exited() bool { return t.state == stateExited }

// Blocked reports whether the thread is blocked in a wait.
func (t *Thread) Blocked() bool { return t.state == stateBlocked }

// APCDepth is the number of APCs currently running on the thread, one
// inside another (0 outside any APC).
func (t *Thread) APCDepth() int { return t.apcs.Depth() }

// QueuedAPCs is the number of APCs queued to the thread and not yet run.
func (t *Thread) QueuedAPCs() int { return t.apcs.Len() }

// ExitCode is the code the thread ended with (STILL_ACTIVE, 259, while it
// runs).
func (t *Thread) ExitCode() uint32 {
	if t.state != stateExited {
		return 259
	}
	return t.exitCode
}

func (s *System) newThread(name string, fn func(*Thread)) *Thread {
	s.nextTID++
	var t *Thread
	if s.coro && s.pool != nil {
		t = s.pool.thread()
	}
	if t != nil {
		// A released System's thread: made new in the same memory. Its
		// runAPC is bound to t itself, so it stays as it is; its waiter
		// list and APC queue keep their memory.
		runAPC, waiters, apcs := t.runAPC, t.waitList.emptied(), t.apcs
		apcs.Reset()
		*t = Thread{s: s, id: s.nextTID, name: name, fn: fn, runAPC: runAPC, waitList: waiters, apcs: apcs}
	} else {
		t = &Thread{s: s, id: s.nextTID, name: name, fn: fn}
	}
	if !s.coro {
		t.wake = make(chan struct{}, 1) // a coroutine is resumed instead
	}
	if t.name == "" {
		t.name = defaultThreadName(t.id)
	}
	if t.runAPC == nil {
		t.runAPC = t.runOneAPC
	}
	t.handle = s.handles.add(t)
	s.progressed()
	s.threads = append(s.threads, t)
	s.emit(Event{Thread: s.current.tid(), Kind: EvThreadStart, Name: t.name, Handle: t.handle, N: uint64(t.id)})
	return t
}

// defaultThreadNames are the names of unnamed threads with small ids,
// made once.
var defaultThreadNames = func() (n [64]string) {
	for i := range n {
		n[i] = "T" + strconv.Itoa(i)
	}
	return n
}()

// defaultThreadName is the name of an unnamed thread: "T" and its id.
func defaultThreadName(id int) string {
	if id >= 0 && id < len(defaultThreadNames) {
		return defaultThreadNames[id]
	}
	return "T" + strconv.Itoa(id)
}

// Go creates a thread that runs fn, for the goroutine driver; Run starts
// the machine. It may be called before Run (from the driver) or from a
// running thread (as CreateThread). fn gets its own Thread; when fn returns
// the thread exits with code 0.
func (s *System) Go(name string, fn func(t *Thread)) (*Thread, error) {
	if s.mode == modeStep {
		return nil, fmt.Errorf("emu: Go on a System driven by a Stepper")
	}
	if s.killed {
		return nil, fmt.Errorf("emu: System has stopped")
	}
	s.mode = modeGoroutine
	t := s.newThread(name, fn)
	t.started = true
	go t.goroutineMain()
	s.makeReady(t, "created")
	return t, nil
}

// CreateThread implements CreateThread: it starts a new thread running fn
// and returns its handle. https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-createthread
func (t *Thread) CreateThread(fn func(t *Thread)) (Handle, error) {
	if err := t.enter("CreateThread", ""); err != nil {
		return 0, err
	}
	nt, err := t.s.Go("", fn)
	if err != nil {
		return 0, t.fail("CreateThread", 0, wso.ERROR_INVALID_PARAMETER)
	}
	t.ok("CreateThread", uint64(nt.handle))
	return nt.handle, nil
}

func (t *Thread) goroutineMain() {
	t.gid.Store(goid.Get())
	<-t.wake
	if t.s.killed {
		t.s.driverCh <- struct{}{}
		return
	}
	finished := false
	defer func() {
		if finished {
			return
		}
		r := recover()
		if r != nil && t.s.killed {
			r = nil
		}
		if r != nil {
			// The thread's own code panicked: record it, end the thread
			// and let the rest of the machine carry on. Run reports it.
			t.s.panics = append(t.s.panics, &PanicError{Thread: t.name, Value: r, Stack: string(debug.Stack())})
			t.finish(0xC0000005)
			return
		}
		if t.exiting && !t.s.killed {
			// Unwound by ExitThread: the thread's deferred functions have
			// run while it still held the right to run; now it ends.
			t.finish(t.exitCode)
			return
		}
		if !t.running() {
			return // given up as hung: nobody waits for this goroutine
		}
		if !t.s.killed {
			// The thread's own code called runtime.Goexit (testing's
			// FailNow does): the thread ends as if its function had
			// returned, and the machine carries on.
			t.finish(0)
			return
		}
		// Unwound by the System stopping: acknowledge to the driver.
		t.s.driverCh <- struct{}{}
	}()
	// QueueUserAPC: APCs queued before the thread began running are
	// called before the thread's own code.
	if t.apcs.HasEligible() {
		t.drainAPCs()
	}
	t.fn(t)
	finished = true
	if !t.running() {
		return // given up as hung (watchdog.go): the System is no longer ours
	}
	t.finish(0)
}

// finish ends the thread and hands the right to run to whoever is next. The
// goroutine must end right after.
func (t *Thread) finish(code uint32) {
	t.s.exitThread(t, code)
	t.s.handTo(t.s.pickNext())
}

// ExitThread implements ExitThread: the calling thread ends with the given
// code; the call does not return.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-exitthread
func (t *Thread) ExitThread(code uint32) {
	var args *callArgs
	if t.s.trace != nil && t.running() {
		args = &callArgs{}
		args.setFmt(argsCode, "", uint64(code))
	}
	if err := t.enterArgs("ExitThread", args); err != nil {
		return
	}
	// The goroutine unwinds first, still holding the right to run, and
	// goroutineMain or stepMain ends the thread once it has.
	t.exiting, t.exitCode = true, code
	if t.adopted || t.co != nil {
		panic(exitTurn{})
	}
	runtime.Goexit()
}

// threadExitNotifier is something above the kernel that is told when a
// thread exits (as a Windows driver registers a thread-notify routine):
// the ws2 layer, for the requests a non-IFS provider keeps itself.
type threadExitNotifier interface {
	threadExiting(t *Thread)
}

// exitThread does the kernel's side of a thread ending: queued APCs are
// dropped, I/O the thread issued is cancelled or left pending as its
// device says, the exit notifiers are told, and waiters on the thread are
// released.
func (s *System) exitThread(t *Thread, code uint32) {
	t.exitCode = code
	t.apcs.Close(func(e apcqueue.Entry[apc]) {
		s.emit(Event{Thread: t.id, Kind: EvAPCDropped, Name: e.Kind.String(), N: e.Seq, Ov: s.OverlappedID(e.Payload.ov)})
	})
	for r := t.reqs.head; r != nil; {
		next := r.threadNext
		if r.file != nil && r.file.dev.cancelAtThreadExit(s, r) {
			s.cancelRequest(r)
		}
		r = next
	}
	for _, n := range s.exitNotify {
		n.threadExiting(t)
	}
	if t.state == stateBlocked {
		s.unregisterWait(t)
	}
	t.state = stateExited
	s.progressed()
	s.removeReady(t)
	s.emit(Event{Thread: t.id, Kind: EvThreadExit, Result: uint64(code)})
	s.signalled(t)
}

// Stop ends the machine: every thread that has not exited is unwound (its
// goroutine ends; deferred functions run, but any call they make that would
// block returns at once). Stop is for the driver, after Run or between
// steps. It is safe to call more than once.
func (s *System) Stop() {
	if s.killed {
		return
	}
	s.killed = true
	for _, t := range s.threads {
		if t.state == stateExited || !t.started || t.adopted || t.hung {
			continue
		}
		s.setCurrent(t)
		if t.co != nil {
			t.co.next()
			s.baton = nil
			continue
		}
		t.wake <- struct{}{}
		<-s.driverCh
	}
	s.setCurrent(nil)
}

// enter starts an emulated call: it checks that t is the running thread,
// traces the call, and (in goroutine mode, when another thread is ready)
// offers the Chooser a chance to switch threads first.
func (t *Thread) enter(name, args string) error {
	if args == "" {
		return t.enterArgs(name, nil)
	}
	a := callArgs{text: args}
	return t.enterArgs(name, &a)
}

// enterArgs is enter with the call's arguments kept as values, rendered
// only when the trace is shown (nil: none, as without a trace).
func (t *Thread) enterArgs(name string, args *callArgs) error {
	s := t.s
	if !t.running() {
		// Nothing else may be touched here: the caller may be another
		// goroutine, racing with the thread that does run.
		return ErrWrongThread
	}
	if t.state != stateRunning {
		s.note(s.current, "wrong thread: %s called on thread %s, which is not the one running", name, t.name)
		return ErrWrongThread
	}
	s.step(t)
	if s.trace != nil {
		e := Event{Thread: t.id, Kind: EvCall, Name: name}
		if args != nil {
			e.Text, e.lay, e.args = args.text, args.lay, args.a
		}
		s.emit(e)
	}
	if s.mode == modeGoroutine && len(s.ready) > 0 && !s.killed {
		if s.tc != nil {
			s.tc.Candidates(t, s.ready)
		}
		if s.xp != nil {
			s.xp.preemptPoint(t)
		}
		if s.choose(PointPreempt, 2) == 1 {
			s.makeReady(t, "preempted")
			s.yieldFrom(t)
		}
	}
	if s.xp != nil {
		s.xp.call(t, name)
	}
	return nil
}

// running reports whether t holds the right to run, race-free from any
// goroutine: s.owner is written at every hand-off (setCurrent) with an
// atomic store. Code that runs as t (its goroutine function, a step
// command, a routine or APC running on it) sees t; the driver and every
// other goroutine see another thread or nil. The one case it cannot tell
// apart is a foreign goroutine calling while t itself runs: that is a data
// race in the caller's program, which -race reports.
func (t *Thread) running() bool {
	return t.s.owner.Load() == t && t.gid.Load() == goid.Get()
}

// ok traces a successful return and clears nothing (Win32 calls leave the
// last error alone on success unless documented otherwise).
func (t *Thread) ok(name string, result uint64) {
	if t.s.trace != nil {
		t.s.emit(Event{Thread: t.id, Kind: EvReturn, Name: name, Result: result})
	}
	t.s.callBeat() // after the event, which a hang report may read
}

// fail records err as the thread's last error, traces the return and
// gives err back as an error value.
func (t *Thread) fail(name string, result uint64, err Errno) error {
	t.lastErr = err
	t.s.emit(Event{Thread: t.id, Kind: EvReturn, Name: name, Result: result, Err: err})
	t.s.callBeat()
	switch err {
	case wso.ERROR_IO_PENDING:
		return errIOPending
	case wso.ERROR_IO_INCOMPLETE:
		return errIOIncomplete
	case wso.WAIT_TIMEOUT:
		return errWaitTimeout
	}
	if b, ok := boxedErrnos[err]; ok {
		return b
	}
	return err
}

// boxedErrnos holds every error code of wsaoverlapped of 256 or more
// (smaller ones box without allocating) as an error value made once, for
// fail to return: a failing call then allocates nothing. It is only read
// after init.
var boxedErrnos = func() map[Errno]error {
	m := map[Errno]error{}
	for _, e := range []Errno{
		wso.WAIT_TIMEOUT, wso.ERROR_MR_MID_NOT_FOUND, wso.ERROR_PIPE_CONNECTED, wso.ERROR_PIPE_LISTENING,
		wso.ERROR_HANDLES_CLOSED, wso.ERROR_ABANDONED_WAIT_0, wso.ERROR_OPERATION_ABORTED,
		wso.ERROR_IO_INCOMPLETE, wso.ERROR_IO_PENDING, wso.ERROR_NOACCESS, wso.ERROR_POSSIBLE_DEADLOCK,
		wso.ERROR_NOT_FOUND, wso.ERROR_CONNECTION_REFUSED, wso.ERROR_GRACEFUL_DISCONNECT,
		wso.ERROR_NETWORK_UNREACHABLE, wso.ERROR_HOST_UNREACHABLE, wso.ERROR_PORT_UNREACHABLE,
		wso.ERROR_CONNECTION_ABORTED, wso.ERROR_INVALID_THREAD_ID, wso.ERROR_TIMEOUT,
		wso.ERROR_INVALID_USER_BUFFER, wso.WSAEINTR, wso.WSAEBADF, wso.WSAEACCES, wso.WSAEFAULT,
		wso.WSAEINVAL, wso.WSAEMFILE, wso.WSAEWOULDBLOCK, wso.WSAEINPROGRESS, wso.WSAEALREADY,
		wso.WSAENOTSOCK, wso.WSAEDESTADDRREQ, wso.WSAEMSGSIZE, wso.WSAEPROTOTYPE, wso.WSAENOPROTOOPT,
		wso.WSAEPROTONOSUPPORT, wso.WSAESOCKTNOSUPPORT, wso.WSAEOPNOTSUPP, wso.WSAEPFNOSUPPORT,
		wso.WSAEAFNOSUPPORT, wso.WSAEADDRINUSE, wso.WSAEADDRNOTAVAIL, wso.WSAENETDOWN, wso.WSAENETUNREACH,
		wso.WSAENETRESET, wso.WSAECONNABORTED, wso.WSAECONNRESET, wso.WSAENOBUFS, wso.WSAEISCONN,
		wso.WSAENOTCONN, wso.WSAESHUTDOWN, wso.WSAETOOMANYREFS, wso.WSAETIMEDOUT, wso.WSAECONNREFUSED,
		wso.WSAELOOP, wso.WSAENAMETOOLONG, wso.WSAEHOSTDOWN, wso.WSAEHOSTUNREACH, wso.WSAENOTEMPTY,
		wso.WSAEPROCLIM, wso.WSAEUSERS, wso.WSAEDQUOT, wso.WSAESTALE, wso.WSAEREMOTE, wso.WSASYSNOTREADY,
		wso.WSAVERNOTSUPPORTED, wso.WSANOTINITIALISED, wso.WSAEDISCON, wso.WSAENOMORE, wso.WSAECANCELLED,
		wso.WSAEINVALIDPROCTABLE, wso.WSAEINVALIDPROVIDER, wso.WSAEPROVIDERFAILEDINIT,
		wso.WSASYSCALLFAILURE, wso.WSASERVICE_NOT_FOUND, wso.WSATYPE_NOT_FOUND, wso.WSA_E_NO_MORE,
		wso.WSA_E_CANCELLED, wso.WSAEREFUSED, wso.WSAHOST_NOT_FOUND, wso.WSATRY_AGAIN, wso.WSANO_RECOVERY,
		wso.WSANO_DATA, wso.WSA_QOS_RECEIVERS, wso.WSA_QOS_SENDERS, wso.WSA_QOS_NO_SENDERS,
		wso.WSA_QOS_NO_RECEIVERS, wso.WSA_QOS_REQUEST_CONFIRMED, wso.WSA_QOS_ADMISSION_FAILURE,
		wso.WSA_QOS_POLICY_FAILURE, wso.WSA_QOS_BAD_STYLE, wso.WSA_QOS_BAD_OBJECT,
		wso.WSA_QOS_TRAFFIC_CTRL_ERROR, wso.WSA_QOS_GENERIC_ERROR, wso.WSA_QOS_ESERVICETYPE,
		wso.WSA_QOS_EFLOWSPEC, wso.WSA_QOS_EPROVSPECBUF, wso.WSA_QOS_EFILTERSTYLE,
		wso.WSA_QOS_EFILTERTYPE, wso.WSA_QOS_EFILTERCOUNT, wso.WSA_QOS_EOBJLENGTH, wso.WSA_QOS_EFLOWCOUNT,
		wso.WSA_QOS_EUNKOWNPSOBJ, wso.WSA_QOS_EPOLICYOBJ, wso.WSA_QOS_EFLOWDESC, wso.WSA_QOS_EPSFLOWSPEC,
		wso.WSA_QOS_EPSFILTERSPEC, wso.WSA_QOS_ESDMODEOBJ, wso.WSA_QOS_ESHAPERATEOBJ,
		wso.WSA_QOS_RESERVED_PETYPE, wso.WSA_SECURE_HOST_NOT_FOUND, wso.WSA_IPSEC_NAME_POLICY_ERROR,
	} {
		m[e] = e
	}
	return m
}()

// The results every overlapped call or result query may give, boxed once:
// turning an Errno of 256 or more into an error value allocates, and these
// are returned on the hot path.
var (
	errIOPending    error = wso.ERROR_IO_PENDING
	errIOIncomplete error = wso.ERROR_IO_INCOMPLETE
	errWaitTimeout  error = wso.WAIT_TIMEOUT
)

// GetLastError implements GetLastError: the calling thread's last error.
// Called from anything but t's own running code it returns
// ERROR_INVALID_THREAD_ID (it has no error result to carry ErrWrongThread).
// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-getlasterror
func (t *Thread) GetLastError() Errno {
	if !t.running() {
		return wso.ERROR_INVALID_THREAD_ID
	}
	return t.lastErr
}

// SetLastError implements SetLastError. Called from anything but t's own
// running code it does nothing.
// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-setlasterror
func (t *Thread) SetLastError(e Errno) {
	if t.running() {
		t.lastErr = e
	}
}

// WSAGetLastError implements WSAGetLastError: on Windows it reads the same
// per-thread value as GetLastError (and is refused the same way).
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-wsagetlasterror
func (t *Thread) WSAGetLastError() Errno { return t.GetLastError() }

// GetCurrentThread implements GetCurrentThread: the pseudo-handle (-2)
// that means "the calling thread" wherever a thread handle is taken.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getcurrentthread
func (t *Thread) GetCurrentThread() Handle { return currentThreadPseudoHandle }

// GetCurrentThreadId implements GetCurrentThreadId.
func (t *Thread) GetCurrentThreadId() uint32 { return uint32(t.id) }

func (s *System) describeWait(t *Thread) string {
	w := &t.w
	d := "forever"
	if w.hasDeadline {
		d = "until " + fmtTime(w.deadline)
	}
	return fmt.Sprintf("%s blocked in %s (alertable=%v) %s", t.name, w.call, w.alertable, d)
}
