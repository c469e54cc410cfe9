package emu

import (
	"fmt"
	"strconv"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type waitKind uint8

const (
	waitObjects waitKind = iota // WaitFor*Objects*, SleepEx (no objects)
	waitPort                    // GetQueuedCompletionStatus(Ex)
	waitRequest                 // synchronous I/O: until one request completes
)

// Why a blocked thread was woken.
const (
	wakeNone = iota
	wakeObject
	wakeTimeout
	wakeAPC
	wakePacket
	wakePortClosed
	wakeRequest
)

// waitState is what a blocked (or about to block) thread waits for.
type waitState struct {
	call      string
	kind      waitKind
	n         int
	objs      [wso.MAXIMUM_WAIT_OBJECTS]waitable
	all       bool
	alertable bool

	hasDeadline bool
	deadline    time.Duration

	port *port
	req  *request

	// filled in by whoever wakes the thread
	syncStatus NTStatus
	syncN      uint32
	pkt        packet
	woke       int
	index      int // wakeObject: which object satisfied a wait-any
}

// setTimeout turns a millisecond timeout into a deadline on the virtual
// clock.
func (w *waitState) setTimeout(now time.Duration, ms uint32) {
	w.hasDeadline = ms != INFINITE
	if w.hasDeadline {
		w.deadline = now + time.Duration(ms)*time.Millisecond
	}
}

// canSatisfy reports whether the thread's object wait could be satisfied
// right now and by which index (wait-any: the lowest signalled one).
func (w *waitState) canSatisfy() (int, bool) {
	if w.all {
		for i := 0; i < w.n; i++ {
			if !w.objs[i].isSignalled() {
				return 0, false
			}
		}
		return 0, w.n > 0
	}
	for i := 0; i < w.n; i++ {
		if w.objs[i].isSignalled() {
			return i, true
		}
	}
	return 0, false
}

// satisfy applies a satisfied object wait: acquires the objects (all of
// them for wait-all, the winner for wait-any).
func (s *System) satisfy(t *Thread, idx int) {
	w := &t.w
	if w.all {
		for i := 0; i < w.n; i++ {
			w.objs[i].acquire(s, t)
		}
		return
	}
	w.objs[idx].acquire(s, t)
}

// block registers t's wait and gives up the right to run until woken.
func (s *System) block(t *Thread) {
	w := &t.w
	w.woke = wakeNone
	if w.kind == waitObjects {
		for i := 0; i < w.n; i++ {
			w.objs[i].list().addWaiter(t)
		}
	}
	t.state = stateBlocked
	if s.trace != nil {
		s.emit(Event{Thread: t.id, Kind: EvBlock, Name: w.call, lay: argsBlock,
			args: argVals{b2u(w.alertable), b2u(w.hasDeadline), uint64(w.deadline)}})
	}
	s.yieldFrom(t)
}

// unregisterWait takes a blocked thread off every list it waits on.
func (s *System) unregisterWait(t *Thread) {
	w := &t.w
	switch w.kind {
	case waitObjects:
		for i := 0; i < w.n; i++ {
			w.objs[i].list().removeWaiter(t)
		}
	case waitPort:
		if w.port != nil {
			w.port.removeWaiter(t)
		}
	case waitRequest:
		if w.req != nil && w.req.waiter == t {
			w.req.waiter = nil
		}
	}
}

func (s *System) wakeThread(t *Thread, why int, name string) {
	s.unregisterWait(t)
	t.w.woke = why
	s.makeReady(t, name)
}

func (s *System) timeoutWait(t *Thread) { s.wakeThread(t, wakeTimeout, "timeout") }

// signalled is called when obj may have become signalled: every waiter
// whose wait can now be satisfied is satisfied, in the order they began
// waiting. An auto-reset event is consumed by the first, so later waiters
// stay blocked.
func (s *System) signalled(obj interface{ list() *waitList }) {
	l := obj.list()
	for i := 0; i < len(l.waiters); {
		t := l.waiters[i]
		if idx, ok := t.w.canSatisfy(); ok {
			s.satisfy(t, idx)
			t.w.index = idx
			s.wakeThread(t, wakeObject, "signalled") // removes t from l
			continue
		}
		i++
	}
}

// apcArrived wakes t if it is in an alertable wait and has an APC it may
// run now.
func (s *System) apcArrived(t *Thread) {
	if t.state == stateBlocked && t.w.alertable && t.apcs.HasEligible() {
		s.wakeThread(t, wakeAPC, "apc")
	}
}

// waitForObjects is the one wait every object-waiting call goes through.
// The thread's waitState must hold the objects. It returns a WAIT_* value.
//
// Order of checks, as Windows does it (and as Wine was observed to do): a
// signalled object wins over queued APCs; then, if the wait is alertable,
// queued APCs run and the wait returns WAIT_IO_COMPLETION; then a zero
// timeout returns WAIT_TIMEOUT; otherwise the thread blocks.
func (t *Thread) waitForObjects(ms uint32) uint32 {
	s := t.s
	w := &t.w
	if idx, ok := w.canSatisfy(); ok {
		s.satisfy(t, idx)
		return wso.WAIT_OBJECT_0 + uint32(idx)
	}
	if w.alertable && t.apcs.HasEligible() {
		t.drainAPCs()
		return wso.WAIT_IO_COMPLETION
	}
	if ms == 0 {
		return uint32(wso.WAIT_TIMEOUT)
	}
	w.setTimeout(s.now, ms)
	s.block(t)
	switch w.woke {
	case wakeObject:
		return wso.WAIT_OBJECT_0 + uint32(w.index)
	case wakeAPC:
		t.drainAPCs()
		return wso.WAIT_IO_COMPLETION
	default:
		return uint32(wso.WAIT_TIMEOUT)
	}
}

// resolveWaitables fills t.w.objs from handles. It returns the Win32 error
// for a bad handle or count.
func (t *Thread) resolveWaitables(handles []Handle, all bool) Errno {
	if len(handles) == 0 || len(handles) > wso.MAXIMUM_WAIT_OBJECTS {
		return wso.ERROR_INVALID_PARAMETER
	}
	w := &t.w
	w.n = 0
	for i, h := range handles {
		var wo waitable
		if h == currentProcessPseudoHandle {
			wo = &t.s.process
		} else {
			if h != currentThreadPseudoHandle {
				h &^= 3 // tag bits (see waitObject)
			}
			o, e := t.s.lookup(t, h, 0)
			if e != 0 {
				return e
			}
			var ok bool
			if wo, ok = o.(waitable); !ok {
				return wso.ERROR_INVALID_HANDLE
			}
		}
		if all {
			// A wait-all may not name one object twice.
			for j := 0; j < i; j++ {
				if w.objs[j] == wo {
					return wso.ERROR_INVALID_PARAMETER
				}
			}
		}
		w.objs[i] = wo
		w.n = i + 1
	}
	w.all = all
	return 0
}

// waitObject: how a wait resolves one handle (inlined in
// resolveWaitables). The pseudo handles of the current process ((HANDLE)-1,
// what GetCurrentProcess returns) and thread ((HANDLE)-2) name those
// objects; otherwise the two low bits of the value are tag bits the wait
// ignores, as Windows does (Wine's dlls/kernel32/tests/sync.c,
// test_WaitForSingleObject: an event's handle with 1, 2 or 3 added waits on
// the event, an invalid value stays invalid).

// process is the current process as a waitable object: the one a wait on
// GetCurrentProcess's pseudo handle names. It is signalled when the
// process ends, which no wait made from inside it can see: such a wait
// times out (or never returns).
type process struct{ waiters waitList }

func (p *process) kind() objKind                        { return kindProcess }
func (p *process) close(*System, *Thread, Handle) Errno { return 0 }
func (p *process) list() *waitList                      { return &p.waiters }
func (p *process) isSignalled() bool                    { return false }
func (p *process) acquire(*System, *Thread)             {}

func (t *Thread) clearWait() {
	w := &t.w
	for i := 0; i < w.n; i++ {
		w.objs[i] = nil
	}
	w.n = 0
	w.port = nil
	w.req = nil
}

// awaitRequest blocks t, not alertably, until its own request r, issued
// by call, is finished, and gives r's final status and byte count.
func (t *Thread) awaitRequest(call string, r *request) (NTStatus, uint32) {
	w := &t.w
	w.call, w.kind, w.req, w.alertable, w.hasDeadline = call, waitRequest, r, false, false
	t.s.block(t)
	st, n := w.syncStatus, w.syncN
	t.clearWait()
	return st, n
}

// SleepEx implements SleepEx: the thread waits ms milliseconds of virtual
// time. If alertable, queued APCs run and the call returns
// WAIT_IO_COMPLETION (0xC0) early; otherwise it returns 0. SleepEx(0, FALSE)
// gives other ready threads a turn.
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-sleepex
func (t *Thread) SleepEx(ms uint32, alertable bool) uint32 {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{lay: argsMsAlert, a: argVals{msAlert(ms, alertable)}}
	}
	if t.enterArgs("SleepEx", args) != nil {
		return wso.WAIT_FAILED
	}
	w := &t.w
	w.call, w.kind, w.n, w.all, w.alertable = "SleepEx", waitObjects, 0, false, alertable
	var r uint32
	switch {
	case alertable && t.apcs.HasEligible():
		t.drainAPCs()
		r = wso.WAIT_IO_COMPLETION
	case ms == 0:
		if len(t.s.ready) > 0 {
			t.s.makeReady(t, "")
			t.s.yieldFrom(t)
		}
	default:
		w.setTimeout(t.s.now, ms)
		t.s.block(t)
		if w.woke == wakeAPC {
			t.drainAPCs()
			r = wso.WAIT_IO_COMPLETION
		}
	}
	t.ok("SleepEx", uint64(r))
	return r
}

// Sleep implements Sleep: SleepEx(ms, FALSE).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-sleep
func (t *Thread) Sleep(ms uint32) { t.SleepEx(ms, false) }

// WaitForSingleObjectEx implements WaitForSingleObjectEx. It returns
// WAIT_OBJECT_0, WAIT_TIMEOUT, WAIT_IO_COMPLETION, or WAIT_FAILED with the
// error (ERROR_INVALID_HANDLE for a handle that is not open or not
// waitable).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobjectex
func (t *Thread) WaitForSingleObjectEx(h Handle, ms uint32, alertable bool) (uint32, error) {
	return t.waitCall("WaitForSingleObjectEx", []Handle{h}, false, ms, alertable, false)
}

// WaitForSingleObject implements WaitForSingleObject (never alertable).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobject
func (t *Thread) WaitForSingleObject(h Handle, ms uint32) (uint32, error) {
	return t.waitCall("WaitForSingleObject", []Handle{h}, false, ms, false, false)
}

// WaitForMultipleObjectsEx implements WaitForMultipleObjectsEx: wait for
// any (the lowest signalled index is reported) or all of up to
// MAXIMUM_WAIT_OBJECTS (64) handles. A count of 0 or over 64, or one object
// named twice in a wait-all, fails with ERROR_INVALID_PARAMETER.
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjectsex
func (t *Thread) WaitForMultipleObjectsEx(handles []Handle, waitAll bool, ms uint32, alertable bool) (uint32, error) {
	return t.waitCall("WaitForMultipleObjectsEx", handles, waitAll, ms, alertable, false)
}

// WaitForMultipleObjects implements WaitForMultipleObjects (never
// alertable).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects
func (t *Thread) WaitForMultipleObjects(handles []Handle, waitAll bool, ms uint32) (uint32, error) {
	return t.waitCall("WaitForMultipleObjects", handles, waitAll, ms, false, false)
}

// WSAWaitForMultipleEvents implements WSAWaitForMultipleEvents: like
// WaitForMultipleObjectsEx, with Winsock's error codes: a count of 0 or over
// WSA_MAXIMUM_WAIT_EVENTS (64) gives WSA_INVALID_PARAMETER, a bad handle
// WSA_INVALID_HANDLE, and the result is WSA_WAIT_FAILED.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsawaitformultipleevents
func (t *Thread) WSAWaitForMultipleEvents(events []Handle, waitAll bool, ms uint32, alertable bool) (uint32, error) {
	return t.waitCall("WSAWaitForMultipleEvents", events, waitAll, ms, alertable, true)
}

func (t *Thread) waitCall(name string, handles []Handle, all bool, ms uint32, alertable, _ bool) (uint32, error) {
	var args *callArgs
	switch {
	case t.s.trace == nil:
	case len(handles) <= 3:
		args = &callArgs{lay: argsWait}
		for i, h := range handles {
			args.a[i] = uint64(h)
		}
		args.a[3] = uint64(len(handles)) | b2u(all)<<8 | msAlert(ms, alertable)<<16
	case len(handles) <= 6 && handlesBelow32(handles):
		args = &callArgs{lay: argsWaitPacked}
		for i, h := range handles {
			args.a[i/2] |= uint64(h) << (32 * (i % 2))
		}
		args.a[3] = uint64(len(handles)) | b2u(all)<<8 | msAlert(ms, alertable)<<16
	case len(handles) <= 0xff && evenlySpaced(handles):
		// Objects made one after the other, as a program waiting on many
		// makes them.
		args = &callArgs{lay: argsWaitSeq, a: argVals{uint64(handles[0]), uint64(handles[1] - handles[0])}}
		args.a[3] = uint64(len(handles)) | b2u(all)<<8 | msAlert(ms, alertable)<<16
	default:
		args = &callArgs{text: fmtWaitArgs(handles, all, ms, alertable)}
	}
	if err := t.enterArgs(name, args); err != nil {
		return wso.WAIT_FAILED, err
	}
	if e := t.resolveWaitables(handles, all); e != 0 {
		t.clearWait()
		// WSAWaitForMultipleEvents reports the same numbers under its own
		// names: WSA_INVALID_HANDLE is 6 and WSA_INVALID_PARAMETER is 87.
		return wso.WAIT_FAILED, t.fail(name, uint64(wso.WAIT_FAILED), e)
	}
	w := &t.w
	w.call, w.kind, w.alertable = name, waitObjects, alertable
	r := t.waitForObjects(ms)
	t.clearWait()
	t.ok(name, uint64(r))
	return r, nil
}

// SignalObjectAndWait implements SignalObjectAndWait for events: it sets
// the event hSignal names and then waits on hWait as WaitForSingleObjectEx
// does, in one call. Both handles are checked first: a handle that is not
// an event to signal, or not an object to wait on, fails the call with
// WAIT_FAILED (ERROR_INVALID_HANDLE) and signals nothing. Signalling and
// waiting on one auto-reset event returns WAIT_OBJECT_0 and leaves it
// clear (Wine's dlls/kernel32/tests/sync.c, test_signalandwait).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-signalobjectandwait
func (t *Thread) SignalObjectAndWait(hSignal, hWait Handle, ms uint32, alertable bool) (uint32, error) {
	const name = "SignalObjectAndWait"
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{}
		args.setFmt(argsSignalAndWait, "", uint64(hSignal), uint64(hWait), uint64(ms), b2u(alertable))
	}
	if err := t.enterArgs(name, args); err != nil {
		return wso.WAIT_FAILED, err
	}
	if e := t.resolveWaitables([]Handle{hWait}, false); e != 0 {
		t.clearWait()
		return wso.WAIT_FAILED, t.fail(name, uint64(wso.WAIT_FAILED), e)
	}
	o, e := t.s.lookup(t, hSignal&^3, kindEvent)
	if e != 0 {
		t.clearWait()
		return wso.WAIT_FAILED, t.fail(name, uint64(wso.WAIT_FAILED), e)
	}
	t.s.setEvent(o.(*event))
	w := &t.w
	w.call, w.kind, w.alertable = name, waitObjects, alertable
	r := t.waitForObjects(ms)
	t.clearWait()
	t.ok(name, uint64(r))
	return r, nil
}

func fmtArgs(ms uint32, alertable bool) string {
	if ms == INFINITE {
		return fmt.Sprintf("INFINITE, %v", alertable)
	}
	return fmt.Sprintf("%d, %v", ms, alertable)
}

// handlesBelow32 reports whether every handle fits 32 bits (argsWaitPacked).
func handlesBelow32(hs []Handle) bool {
	for _, h := range hs {
		if uint64(h) >= 1<<32 {
			return false
		}
	}
	return true
}

// evenlySpaced reports whether the handles (two or more) step by the same
// amount from one to the next (argsWaitSeq).
func evenlySpaced(hs []Handle) bool {
	if len(hs) < 2 {
		return false
	}
	d := hs[1] - hs[0]
	for i := 2; i < len(hs); i++ {
		if hs[i]-hs[i-1] != d {
			return false
		}
	}
	return true
}

// fmtWaitArgs renders the arguments of a wait on more handles than an
// event keeps as values, in one buffer (the text of argsWait).
func fmtWaitArgs(handles []Handle, all bool, ms uint32, alertable bool) string {
	b := make([]byte, 0, 8*len(handles)+32)
	b = append(b, '[')
	for i, h := range handles {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendUint(append(b, "0x"...), uint64(h), 16)
	}
	b = strconv.AppendBool(append(b, "], all="...), all)
	b = append(b, ", "...)
	if ms == INFINITE {
		b = append(b, "INFINITE"...)
	} else {
		b = strconv.AppendUint(b, uint64(ms), 10)
	}
	return string(strconv.AppendBool(append(b, ", "...), alertable))
}
