package emu

import (
	"github.com/wsaemu/wsaemu/apcqueue"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// apc is what one queued APC will run: a user routine, a file I/O
// completion routine or a Winsock completion routine, with its arguments.
type apc struct {
	user  APCProc
	param uintptr

	file FileIOCompletionRoutine
	wsa  WSACompletionRoutine
	prov func(context uintptr) // a provider's APC, queued by WPUQueueApc
	ov   *Overlapped
	err  uint32
	n    uint32
	flag uint32
}

// apcPicker lets the Chooser pick which eligible APC runs next.
type apcPicker struct{ s *System }

func (p *apcPicker) Pick(n int) int { return p.s.choose(PointAPCOrder, n) }

// Nest implements apcqueue.NestPicker: a completion routine of a socket
// whose routine is already running further up the stack is held back (the
// WSARecv page: one socket's routines never nest); Wine was seen to run it
// nested. No Windows observation settles it, so the windows profile asks
// the Chooser (PointUnsettled); the docs profile keeps the page's rule.
func (p *apcPicker) Nest() bool {
	return p.s.profile == ProfileWindows && p.s.choose(PointUnsettled, 2) == 1
}

// queueAPC puts an APC on t's queue and wakes t if it is in an alertable
// wait. key, when non-zero, is the socket whose completion routines must
// not nest. It reports false if t has exited.
func (s *System) queueAPC(t *Thread, kind apcqueue.Kind, key uintptr, a apc) bool {
	seq, ok := t.apcs.Push(kind, key, a)
	if !ok {
		return false
	}
	if s.trace != nil {
		// Only when tracing: OverlappedID would otherwise remember every
		// record for ever, and the event costs time on the hot path.
		s.emit(Event{Thread: t.id, Kind: EvAPCQueued, Name: kind.String(), N: seq, Ov: s.OverlappedID(a.ov)})
	}
	s.apcArrived(t)
	return true
}

// drainAPCs runs every APC the thread may run now, including ones queued
// while draining, and returns how many ran.
func (t *Thread) drainAPCs() int {
	return t.apcs.Drain(&t.s.picker, t.runAPC)
}

func (t *Thread) runOneAPC(e apcqueue.Entry[apc]) {
	s := t.s
	s.progressed()
	a := &e.Payload
	if s.trace != nil {
		s.emit(Event{Thread: t.id, Kind: EvAPCRun, Name: e.Kind.String(), N: e.Seq, Result: uint64(t.apcs.Depth()), Ov: s.OverlappedID(a.ov), Old: uint64(a.err), New: uint64(a.n)})
	}
	switch {
	case a.user != nil:
		a.user(t, a.param)
	case a.file != nil:
		a.file(t, a.err, a.n, a.ov)
	case a.wsa != nil:
		a.wsa(a.err, a.n, a.ov, a.flag)
	case a.prov != nil:
		a.prov(a.param)
	}
	if s.trace != nil {
		s.emit(Event{Thread: t.id, Kind: EvAPCDone, N: e.Seq})
	}
}

// QueueUserAPC implements QueueUserAPC: queue fn(param) to the thread
// behind h (a thread handle, or GetCurrentThread's pseudo-handle). The APC
// runs when that thread next makes an alertable wait; user APCs run in the
// order they were queued. A handle that is not a thread fails with
// ERROR_INVALID_HANDLE; a thread that has exited with ERROR_GEN_FAILURE.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc
func (t *Thread) QueueUserAPC(fn APCProc, h Handle, param uintptr) error {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{lay: argsHH, a: argVals{uint64(h), uint64(param)}}
	}
	if err := t.enterArgs("QueueUserAPC", args); err != nil {
		return err
	}
	if fn == nil {
		return t.fail("QueueUserAPC", 0, wso.ERROR_INVALID_PARAMETER)
	}
	o, e := t.s.lookup(t, h, kindThread)
	if e != 0 {
		return t.fail("QueueUserAPC", 0, e)
	}
	target := o.(*Thread)
	if !t.s.queueAPC(target, apcqueue.User, 0, apc{user: fn, param: param}) {
		return t.fail("QueueUserAPC", 0, wso.ERROR_GEN_FAILURE)
	}
	t.ok("QueueUserAPC", 1)
	return nil
}
