package emu_test

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// The kernel property test: random programs of kernel calls on a
// step-driven System whose every open decision is drawn by rapid, checked
// step by step against a model of what the pages promise. Identifiers of
// this file start with "kp".

// kpKind is one kind of step of a generated program.
type kpKind uint8

const (
	kpQueueAPC kpKind = iota
	kpSleep
	kpSetEvent
	kpResetEvent
	kpWait
	kpWaitMany
	kpRead
	kpWrite
	kpDequeue
	kpCancelIo
	kpCancelIoEx
	kpResult
	kpResultEx
	kpSettle
	kpExit
	kpNumKinds
)

var kpKindNames = [kpNumKinds]string{"QueueUserAPC", "SleepEx", "SetEvent", "ResetEvent", "WaitForSingleObjectEx",
	"WaitForMultipleObjectsEx", "Read", "Write", "GetQueuedCompletionStatus", "CancelIo", "CancelIoEx",
	"GetOverlappedResult", "GetOverlappedResultEx", "Settle", "ExitThread"}

// kpMech is how an I/O step asks to be told of its completion.
type kpMech uint8

const (
	kpEvent   kpMech = iota // hEvent = a fresh manual-reset event
	kpRoutine               // ReadFileEx / WriteFileEx (hEvent = a fresh event that must stay untouched)
	kpNoEvent               // hEvent = NULL (port pipes: the packet is the notification)
	kpLowBit                // hEvent = event | 1: event, but no packet
	kpNumMechs
)

// The pipes of every program: 0 message / 1 byte without a port, 2 message
// / 3 byte with both ends associated with one port.
const (
	kpPipes    = 4
	kpCapacity = 8
)

func kpPortPipe(p int) bool { return p >= 2 }
func kpMsgPipe(p int) bool  { return p%2 == 0 }

// kpStep is one generated step.
type kpStep struct {
	Kind   kpKind
	Thread int    // the thread making the call
	Target int    // APC target thread, event index, pipe, or operation pick
	MS     uint32 // wait time
	Alert  bool
	Len    int
	Mech   kpMech
	Ex     bool // GetQueuedCompletionStatusEx; CancelIoEx on the write end
	Pick   int  // which operation (CancelIoEx: -1 = NULL)
}

func (s kpStep) String() string {
	return fmt.Sprintf("%s(T%d target=%d ms=%d alert=%v len=%d mech=%d ex=%v pick=%d)",
		kpKindNames[s.Kind], s.Thread, s.Target, s.MS, s.Alert, s.Len, s.Mech, s.Ex, s.Pick)
}

// kpConfig is the drawn set-up of a program.
type kpConfig struct {
	Threads  int
	Profile  emu.Profile
	SkipPort bool // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the port pipes' ends
	// Named makes every pipe a named pipe: the read end an inbound server
	// end (CreateNamedPipe, message read mode on the message pipes), the
	// write end its client (CreateFile): the same promises hold.
	Named bool
	// Coroutines runs the step threads as coroutines (the hang watchdog
	// off, stepcoro.go) instead of goroutines.
	Coroutines bool
}

func kpConfigGen() *rapid.Generator[kpConfig] {
	return rapid.Custom(func(t *rapid.T) kpConfig {
		return kpConfig{
			Threads:  rapid.IntRange(2, 3).Draw(t, "threads"),
			Profile:  emu.Profile(rapid.IntRange(0, 1).Draw(t, "profile")),
			SkipPort: rapid.Bool().Draw(t, "skipPort"),
			Named:    rapid.Bool().Draw(t, "named"),
		}
	})
}

// kpKindWeights makes I/O the most frequent step and thread exit rare.
var kpKindWeights = []kpKind{
	kpRead, kpRead, kpRead, kpRead, kpWrite, kpWrite, kpWrite, kpWrite,
	kpQueueAPC, kpQueueAPC, kpSleep, kpSleep, kpDequeue, kpDequeue, kpSettle, kpSettle,
	kpSetEvent, kpResetEvent, kpWait, kpWaitMany, kpCancelIo, kpCancelIoEx, kpCancelIoEx,
	kpResult, kpResultEx, kpExit,
}

func kpStepGen(threads int) *rapid.Generator[kpStep] {
	return rapid.Custom(func(t *rapid.T) kpStep {
		s := kpStep{
			Kind:   rapid.SampledFrom(kpKindWeights).Draw(t, "kind"),
			Thread: rapid.IntRange(0, threads-1).Draw(t, "thread"),
		}
		switch s.Kind {
		case kpQueueAPC:
			s.Target = rapid.IntRange(0, threads-1).Draw(t, "target")
		case kpSleep, kpWait, kpWaitMany, kpDequeue, kpResultEx:
			s.MS = uint32(rapid.IntRange(0, 3).Draw(t, "ms"))
			s.Alert = rapid.Bool().Draw(t, "alert")
			s.Target = rapid.IntRange(0, 1).Draw(t, "event")
			s.Ex = rapid.Bool().Draw(t, "ex")
			s.Pick = rapid.IntRange(0, 40).Draw(t, "pick")
		case kpSetEvent, kpResetEvent:
			s.Target = rapid.IntRange(0, 1).Draw(t, "event")
		case kpRead, kpWrite:
			s.Target = rapid.IntRange(0, kpPipes-1).Draw(t, "pipe")
			s.Len = rapid.IntRange(1, 6).Draw(t, "len")
			s.Mech = kpMech(rapid.IntRange(0, int(kpNumMechs)-1).Draw(t, "mech"))
		case kpCancelIo, kpCancelIoEx:
			s.Target = rapid.IntRange(0, kpPipes-1).Draw(t, "pipe")
			s.Ex = rapid.Bool().Draw(t, "writeEnd")
			s.Pick = rapid.IntRange(-1, 40).Draw(t, "pick")
		case kpResult:
			s.Pick = rapid.IntRange(0, 40).Draw(t, "pick")
		case kpExit:
			s.Thread = rapid.IntRange(1, threads-1).Draw(t, "exiting") // T0 never exits
		}
		return s
	})
}

// kpIO is the model of one overlapped operation.
type kpIO struct {
	id     int
	write  bool
	pipe   int
	thread int
	mech   kpMech
	ov     *emu.Overlapped
	ev     emu.Handle // the event in hEvent (for kpRoutine: an event nobody may touch)
	buf    []byte     // read buffer, or the data written

	callErr   error   // what the issuing call returned
	refused   bool    // an immediate error: no completion will follow
	afterCall uintptr // Internal right after a refused call
	immediate bool    // ReadFile/WriteFile returned the result at once (TRUE or ERROR_MORE_DATA)
	doneN     uint32

	routineCalls int
	packets      int // dequeued
	signals      int // EvSignal of ev in the trace
	ovID         int // the trace's name for ov
	apcQueued    int // EvAPCQueued for ov in the trace
	posted       int // EvPacketPosted for ov in the trace
}

// kpAPC is the model of one QueueUserAPC.
type kpAPC struct {
	id, target int
	runs       int
}

// kpModel is the state the property checks against.
type kpModel struct {
	cfg  kpConfig
	s    *emu.System
	st   *emu.Stepper
	th   []*emu.Thread
	rd   [kpPipes]emu.Handle
	wr   [kpPipes]emu.Handle
	port emu.Handle
	uev  [2]emu.Handle // events for SetEvent/ResetEvent/waits

	exited  []bool
	inAlert []bool // set by the test around every alertable wait
	apcRan  []int  // APCs (user or completion) run on each thread
	userQ   [][]*kpAPC
	apcs    []*kpAPC
	ios     []*kpIO
	byEvent map[emu.Handle]*kpIO
	byOv    map[int]*kpIO
	written [kpPipes][]*kpIO // accepted writes, in issue order
	counter [kpPipes]byte
	traced  int // trace events already scanned
	bad     []string
}

func (m *kpModel) violate(format string, args ...any) {
	m.bad = append(m.bad, fmt.Sprintf(format, args...))
}

// kpKeyRead and kpKeyWrite are the completion keys of the port pipes' ends.
func kpKey(pipe int, write bool) uintptr {
	k := uintptr(100 + 2*pipe)
	if write {
		k++
	}
	return k
}

// kpFataler is what kpRun needs of a *testing.T or *rapid.T.
type kpFataler interface {
	Fatalf(format string, args ...any)
}

func kpNewModel(tb kpFataler, cfg kpConfig, ch emu.Chooser, extra ...emu.Option) *kpModel {
	opts := append([]emu.Option{emu.WithChooser(ch), emu.WithProfile(cfg.Profile)}, extra...)
	if cfg.Coroutines {
		opts = append(opts, emu.WithHangTimeout(0))
	}
	s := emu.New(opts...)
	st, err := s.Stepper()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	m := &kpModel{cfg: cfg, s: s, st: st, byEvent: map[emu.Handle]*kpIO{}, byOv: map[int]*kpIO{}}
	for i := 0; i < cfg.Threads; i++ {
		m.th = append(m.th, st.NewThread(fmt.Sprintf("T%d", i)))
	}
	m.exited = make([]bool, cfg.Threads)
	m.inAlert = make([]bool, cfg.Threads)
	m.apcRan = make([]int, cfg.Threads)
	m.userQ = make([][]*kpAPC, cfg.Threads)
	var setupErr error
	keep := func(e error) {
		if e != nil && setupErr == nil {
			setupErr = e
		}
	}
	_, err = st.Call(m.th[0], func(t *emu.Thread) {
		var e error
		m.port, e = t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
		keep(e)
		for p := 0; p < kpPipes; p++ {
			mode := emu.PipeByte
			if kpMsgPipe(p) {
				mode = emu.PipeMessage
			}
			if cfg.Named {
				name := fmt.Sprintf(`\\.\pipe\kp%d`, p)
				pipeMode := uint32(emu.PIPE_TYPE_BYTE)
				if mode == emu.PipeMessage {
					pipeMode = emu.PIPE_TYPE_MESSAGE | emu.PIPE_READMODE_MESSAGE
				}
				m.rd[p], e = t.CreateNamedPipe(name, emu.PIPE_ACCESS_INBOUND|emu.FILE_FLAG_OVERLAPPED, pipeMode, 1, kpCapacity, kpCapacity)
				keep(e)
				m.wr[p], e = t.CreateFile(name, emu.GENERIC_WRITE, true)
			} else {
				m.rd[p], m.wr[p], e = t.CreatePipe(emu.PipeOptions{Mode: mode, Capacity: kpCapacity})
			}
			keep(e)
			if kpPortPipe(p) {
				for _, w := range []bool{false, true} {
					h := m.rd[p]
					if w {
						h = m.wr[p]
					}
					_, e = t.CreateIoCompletionPort(h, m.port, kpKey(p, w), 0)
					keep(e)
					if cfg.SkipPort {
						keep(t.SetFileCompletionNotificationModes(h, emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
					}
				}
			}
		}
		m.uev[0], e = t.CreateEvent(true, false)
		keep(e)
		m.uev[1], e = t.CreateEvent(false, false)
		keep(e)
	})
	if err != nil || setupErr != nil {
		tb.Fatalf("set-up: %v %v", err, setupErr)
	}
	return m
}

// alertable brackets an alertable wait on thread i: APCs may run only
// inside it, and the wait must report WAIT_IO_COMPLETION exactly when at
// least one ran.
func (m *kpModel) alertable(i int, alert bool, call string, wait func() bool) {
	before := m.apcRan[i]
	m.inAlert[i] = alert
	ioCompletion := wait()
	m.inAlert[i] = false
	ran := m.apcRan[i] - before
	if !alert && ran > 0 {
		m.violate("%s on T%d (not alertable) ran %d APCs", call, i, ran)
	}
	if alert && ioCompletion != (ran > 0) {
		m.violate("%s on T%d: WAIT_IO_COMPLETION=%v but %d APCs ran in it", call, i, ioCompletion, ran)
	}
}

// apcFor makes the routine of one user APC.
func (m *kpModel) apcFor(a *kpAPC) emu.APCProc {
	return func(t *emu.Thread, param uintptr) {
		a.runs++
		i := a.target
		if t != m.th[i] || param != uintptr(a.id) {
			m.violate("APC %d for T%d ran on %s with param %d", a.id, i, t.Name(), param)
		}
		if !m.inAlert[i] {
			m.violate("APC %d ran on T%d outside an alertable wait", a.id, i)
		}
		if len(m.userQ[i]) == 0 || m.userQ[i][0] != a {
			m.violate("APC %d ran out of QueueUserAPC order on T%d", a.id, i)
		} else {
			m.userQ[i] = m.userQ[i][1:]
		}
		if a.runs > 1 {
			m.violate("APC %d ran %d times", a.id, a.runs)
		}
		m.apcRan[i]++
	}
}

// routineFor makes the completion routine of one ReadFileEx/WriteFileEx.
func (m *kpModel) routineFor(io *kpIO) emu.FileIOCompletionRoutine {
	return func(t *emu.Thread, code, n uint32, ov *emu.Overlapped) {
		io.routineCalls++
		i := io.thread
		if t != m.th[i] || ov != io.ov {
			m.violate("routine of op %d ran on %s with ov %p", io.id, t.Name(), ov)
		}
		if !m.inAlert[i] {
			m.violate("routine of op %d ran outside an alertable wait", io.id)
		}
		if io.routineCalls > 1 {
			m.violate("routine of op %d ran %d times", io.id, io.routineCalls)
		}
		st := kioStatus(io.ov)
		if st == wso.STATUS_PENDING {
			m.violate("routine of op %d ran while Internal is STATUS_PENDING", io.id)
		}
		wantCode, wantN := uint32(0), uint32(io.ov.InternalHigh)
		if st.IsError() {
			wantCode, wantN = uint32(st.Win32Error()), 0
		}
		// A warning's code is open in the windows profile (PointUnsettled:
		// the remarks' 0, or the warning's own code as Wine passes).
		warningCode := st.IsWarning() && m.cfg.Profile == emu.ProfileWindows && code == uint32(st.Win32Error())
		if code != wantCode && !warningCode || n != wantN {
			m.violate("routine of op %d: (code %d, bytes %d), want (%d, %d) for status %s", io.id, code, n, wantCode, wantN, st.Name())
		}
		m.apcRan[i]++
	}
}

// exec runs one step.
func (m *kpModel) exec(step kpStep) {
	i := step.Thread
	if step.Kind == kpSettle {
		m.st.Settle()
		return
	}
	if m.exited[i] || !m.st.Idle(m.th[i]) {
		return // the thread is blocked in an earlier call (or gone)
	}
	var fn func(t *emu.Thread)
	switch step.Kind {
	case kpQueueAPC:
		a := &kpAPC{id: len(m.apcs) + 1, target: step.Target}
		m.apcs = append(m.apcs, a)
		fn = func(t *emu.Thread) {
			h := m.th[a.target].Handle()
			if a.target == i && a.id%2 == 0 {
				h = t.GetCurrentThread()
			}
			err := t.QueueUserAPC(m.apcFor(a), h, uintptr(a.id))
			switch {
			case m.exited[a.target]:
				if err != wso.ERROR_GEN_FAILURE {
					m.violate("QueueUserAPC to exited T%d: %v", a.target, err)
				}
				a.runs = -1 // never to run
			case err != nil:
				m.violate("QueueUserAPC: %v", err)
			default:
				m.userQ[a.target] = append(m.userQ[a.target], a)
			}
		}
	case kpSleep:
		fn = func(t *emu.Thread) {
			m.alertable(i, step.Alert, "SleepEx", func() bool {
				r := t.SleepEx(step.MS, step.Alert)
				if r != 0 && r != wso.WAIT_IO_COMPLETION {
					m.violate("SleepEx returned %#x", r)
				}
				return r == wso.WAIT_IO_COMPLETION
			})
		}
	case kpSetEvent, kpResetEvent:
		fn = func(t *emu.Thread) {
			var err error
			if step.Kind == kpSetEvent {
				err = t.SetEvent(m.uev[step.Target])
			} else {
				err = t.ResetEvent(m.uev[step.Target])
			}
			if err != nil {
				m.violate("%s: %v", kpKindNames[step.Kind], err)
			}
		}
	case kpWait, kpWaitMany:
		fn = func(t *emu.Thread) {
			m.alertable(i, step.Alert, kpKindNames[step.Kind], func() bool {
				var r uint32
				var err error
				if step.Kind == kpWait {
					r, err = t.WaitForSingleObjectEx(m.uev[step.Target], step.MS, step.Alert)
				} else {
					r, err = t.WaitForMultipleObjectsEx(m.uev[:], step.Ex, step.MS, step.Alert)
				}
				if err != nil || (r > 1 && r != uint32(wso.WAIT_TIMEOUT) && r != wso.WAIT_IO_COMPLETION) {
					m.violate("%s returned %#x, %v", kpKindNames[step.Kind], r, err)
				}
				return r == wso.WAIT_IO_COMPLETION
			})
		}
	case kpRead, kpWrite:
		fn = m.ioStep(step)
	case kpDequeue:
		fn = func(t *emu.Thread) {
			if step.Ex {
				m.alertable(i, step.Alert, "GetQueuedCompletionStatusEx", func() bool {
					var entries [3]emu.OverlappedEntry
					var removed uint32
					err := t.GetQueuedCompletionStatusEx(m.port, entries[:], &removed, step.MS, step.Alert)
					for _, e := range entries[:removed] {
						m.packet(e.Overlapped, e.CompletionKey, e.NumberOfBytesTransferred, emu.NTStatus(e.Internal), nil, true)
					}
					if (err == nil) != (removed > 0) {
						m.violate("GetQueuedCompletionStatusEx: err %v with %d removed", err, removed)
					}
					return err == emu.Errno(wso.WAIT_IO_COMPLETION)
				})
				return
			}
			n, key, ov := uint32(0xbad), uintptr(0xbad), &emu.Overlapped{}
			err := t.GetQueuedCompletionStatus(m.port, &n, &key, &ov, step.MS)
			if err == wso.WAIT_TIMEOUT {
				if ov != nil || n != 0xbad || key != 0xbad {
					m.violate("GetQueuedCompletionStatus time-out: ov=%p n=%#x key=%#x", ov, n, key)
				}
				return
			}
			m.packet(ov, key, n, 0, err, false)
		}
	case kpCancelIo, kpCancelIoEx:
		h := m.rd[step.Target]
		if step.Ex {
			h = m.wr[step.Target]
		}
		var target *kpIO
		if step.Kind == kpCancelIoEx && step.Pick >= 0 && step.Pick < len(m.ios) {
			target = m.ios[step.Pick]
		}
		fn = func(t *emu.Thread) {
			if step.Kind == kpCancelIo {
				if err := t.CancelIo(h); err != nil {
					m.violate("CancelIo: %v", err)
				}
				return
			}
			// Is there anything for CancelIoEx to find? (In ProfileDocs a
			// port-bound operation whose packet is queued is complete even
			// though its record still says pending.)
			m.scanTrace()
			outstanding := false
			for _, io := range m.ios {
				if io.refused || !kioPending(io.ov) || io.pipe != step.Target || io.write != step.Ex {
					continue
				}
				if m.deferredIOSB(io) && io.posted > 0 {
					continue
				}
				if target == nil || target == io {
					outstanding = true
				}
			}
			var ov *emu.Overlapped
			if target != nil {
				ov = target.ov
			}
			err := t.CancelIoEx(h, ov)
			if outstanding && err != nil || !outstanding && err != wso.ERROR_NOT_FOUND {
				m.violate("CancelIoEx with outstanding=%v returned %v", outstanding, err)
			}
		}
	case kpResult, kpResultEx:
		if len(m.ios) == 0 {
			return
		}
		io := m.ios[step.Pick%len(m.ios)]
		fn = func(t *emu.Thread) {
			h := m.rd[io.pipe]
			if io.write {
				h = m.wr[io.pipe]
			}
			n := uint32(0xbad)
			if step.Kind == kpResult {
				err := t.GetOverlappedResult(h, io.ov, &n, false)
				m.checkResult(io, err, n, false)
				return
			}
			m.alertable(i, step.Alert, "GetOverlappedResultEx", func() bool {
				err := t.GetOverlappedResultEx(h, io.ov, &n, step.MS, step.Alert)
				switch err {
				case emu.Errno(wso.WAIT_IO_COMPLETION):
					return true
				case wso.WAIT_TIMEOUT:
					// The operation may have completed after the time-out
					// fired and before the thread ran again: nothing to
					// compare.
				default:
					m.checkResult(io, err, n, step.MS != 0)
				}
				return false
			})
		}
	case kpExit:
		fn = func(t *emu.Thread) {
			m.exited[i] = true
			t.ExitThread(7)
		}
	}
	res, err := m.st.Call(m.th[i], m.guard(fn))
	if err != nil {
		m.violate("Stepper.Call: %v", err)
	}
	if step.Kind == kpExit && !res.Exited {
		m.violate("ExitThread: thread did not exit")
	}
}

// guard turns a panic in fn (the emulator's or the model's) into a
// violation with its stack, instead of a silently ended thread.
func (m *kpModel) guard(fn func(t *emu.Thread)) func(t *emu.Thread) {
	return func(t *emu.Thread) {
		defer func() {
			if r := recover(); r != nil {
				if emu.IsUnwind(r) {
					panic(r) // ExitThread on a coroutine thread
				}
				m.violate("panic on %s: %v\n%s", t.Name(), r, debug.Stack())
			}
		}()
		fn(t)
	}
}

// ioStep makes the call of one read or write step and records its model.
func (m *kpModel) ioStep(step kpStep) func(t *emu.Thread) {
	p := step.Target
	io := &kpIO{id: len(m.ios), write: step.Kind == kpWrite, pipe: p, thread: step.Thread, mech: step.Mech, ov: &emu.Overlapped{}}
	if io.mech == kpNoEvent && !kpPortPipe(p) {
		io.mech = kpEvent // without a port, NULL hEvent leaves only the file handle
	}
	io.buf = make([]byte, step.Len)
	if io.write {
		for k := range io.buf {
			io.buf[k] = m.counter[p]
			m.counter[p]++
		}
	}
	m.ios = append(m.ios, io)
	return func(t *emu.Thread) {
		if io.mech != kpNoEvent {
			ev, err := t.CreateEvent(true, false)
			if err != nil {
				m.violate("CreateEvent: %v", err)
			}
			io.ev = ev
			m.byEvent[ev] = io
			io.ov.HEvent = ev
			if io.mech == kpLowBit {
				io.ov.HEvent |= 1
			}
		}
		h := m.rd[p]
		if io.write {
			h = m.wr[p]
		}
		var err error
		done := uint32(0xbad)
		switch {
		case io.mech == kpRoutine && io.write:
			err = t.WriteFileEx(h, io.buf, io.ov, m.routineFor(io))
		case io.mech == kpRoutine:
			err = t.ReadFileEx(h, io.buf, io.ov, m.routineFor(io))
		case io.write:
			err = t.WriteFile(h, io.buf, &done, io.ov)
		default:
			err = t.ReadFile(h, io.buf, &done, io.ov)
		}
		io.callErr = err
		io.afterCall = io.ov.Internal
		st := kioStatus(io.ov)
		switch {
		case io.mech == kpRoutine && kpPortPipe(p):
			// docs/windows-behaviour.md "Completion ports": no routine on a port handle.
			if err != wso.ERROR_INVALID_PARAMETER {
				m.violate("op %d: ReadFileEx/WriteFileEx on a port handle returned %v", io.id, err)
			}
			io.refused = true
		case io.mech == kpRoutine:
			if err != nil {
				m.violate("op %d: %v from ReadFileEx/WriteFileEx", io.id, err)
				io.refused = true
			}
			last := t.GetLastError()
			if st == wso.STATUS_BUFFER_OVERFLOW && last != wso.ERROR_MORE_DATA || st != wso.STATUS_BUFFER_OVERFLOW && last != 0 {
				m.violate("op %d: last error %v after ReadFileEx with Internal %s", io.id, last, st.Name())
			}
		case err == nil || err == wso.ERROR_MORE_DATA:
			io.immediate, io.doneN = true, done
			want := wso.STATUS_SUCCESS
			if err != nil {
				want = wso.STATUS_BUFFER_OVERFLOW
			}
			// Success copies the count out; a warning leaves the zero
			// ReadFile wrote first (the record has the bytes).
			wantDone := uint32(io.ov.InternalHigh)
			if err != nil {
				wantDone = 0
			}
			if st != want || done != wantDone {
				m.violate("op %d returned %v with *done=%d but Internal=%s InternalHigh=%d", io.id, err, done, st.Name(), io.ov.InternalHigh)
			}
		case err == wso.ERROR_IO_PENDING:
			// ReadFile/WriteFile zero the byte count before any work, so a
			// pending call leaves 0 there (their pages' remarks).
			if done != 0 {
				m.violate("op %d: *done = %#x while pending, want 0", io.id, done)
			}
			if st != wso.STATUS_PENDING {
				m.violate("op %d returned ERROR_IO_PENDING with Internal=%s", io.id, st.Name())
			}
		default:
			m.violate("op %d: unexpected error %v", io.id, err)
			io.refused = true
		}
		if !io.refused && io.write {
			m.written[p] = append(m.written[p], io)
		}
	}
}

// packet records one dequeued packet and checks it against its operation.
func (m *kpModel) packet(ov *emu.Overlapped, key uintptr, n uint32, status emu.NTStatus, err error, ex bool) {
	var io *kpIO
	for _, x := range m.ios {
		if x.ov == ov {
			io = x
		}
	}
	if io == nil {
		m.violate("packet for an unknown record %p", ov)
		return
	}
	io.packets++
	if io.packets > 1 {
		m.violate("op %d: %d packets", io.id, io.packets)
	}
	if io.refused || io.mech == kpLowBit || !kpPortPipe(io.pipe) {
		m.violate("op %d (refused=%v mech=%d pipe=%d) posted a packet", io.id, io.refused, io.mech, io.pipe)
	}
	st := kioStatus(io.ov)
	if st == wso.STATUS_PENDING {
		m.violate("op %d: packet while Internal is STATUS_PENDING", io.id)
	}
	if key != kpKey(io.pipe, io.write) || n != uint32(io.ov.InternalHigh) {
		m.violate("op %d: packet key %d bytes %d, want %d and InternalHigh %d", io.id, key, n, kpKey(io.pipe, io.write), io.ov.InternalHigh)
	}
	if ex {
		if status != st {
			m.violate("op %d: entry status %s, record %s", io.id, status.Name(), st.Name())
		}
		return
	}
	var want error
	if !st.IsSuccess() {
		want = st.Win32Error()
	}
	if err != want {
		m.violate("op %d: GetQueuedCompletionStatus error %v for status %s", io.id, err, st.Name())
	}
}

// checkResult compares what GetOverlappedResult(Ex) said with the record.
// waited says whether the call could have waited for the event (or file).
func (m *kpModel) checkResult(io *kpIO, err error, n uint32, waited bool) {
	st := kioStatus(io.ov)
	if st == wso.STATUS_PENDING && waited {
		// GetOverlappedResult takes a signalled event as the end of the
		// operation even if the record still says pending, and reports
		// success with whatever InternalHigh holds (docs/windows-behaviour.md,
		// "WSAGetOverlappedResult", the fWait quirk; Wine sock.c,
		// test_WSAGetOverlappedResult).
		if err != nil || n != uint32(io.ov.InternalHigh) {
			m.violate("op %d: after its wait, result (%v, %d) for a record still pending", io.id, err, n)
		}
		return
	}
	if st == wso.STATUS_PENDING {
		if err != wso.ERROR_IO_INCOMPLETE {
			m.violate("op %d: result %v while pending", io.id, err)
		}
		return
	}
	var want error
	if !st.IsSuccess() {
		want = st.Win32Error()
	}
	if err != want || n != uint32(io.ov.InternalHigh) {
		m.violate("op %d: result (%v, %d), record (%s, %d)", io.id, err, n, st.Name(), io.ov.InternalHigh)
	}
}

// scanTrace counts, since the last scan, the signals of the operations'
// events and the routines queued and packets posted for their records.
func (m *kpModel) scanTrace() {
	for _, io := range m.ios {
		if io.ovID == 0 {
			// The call traced the record already, so this only looks up
			// the number it was given.
			io.ovID = m.s.OverlappedID(io.ov)
			m.byOv[io.ovID] = io
		}
	}
	tr := m.s.Trace()
	for i := m.traced; i < tr.Len(); i++ {
		e := tr.At(i)
		switch e.Kind {
		case emu.EvSignal:
			if io := m.byEvent[e.Handle]; io != nil {
				io.signals++
			}
		case emu.EvAPCQueued:
			if io := m.byOv[e.Ov]; io != nil && e.Ov != 0 {
				io.apcQueued++
			}
		case emu.EvPacketPosted:
			if io := m.byOv[e.Ov]; io != nil && e.Ov != 0 {
				io.posted++
			}
		}
	}
	m.traced = tr.Len()
}

// check applies the step-by-step properties.
func (m *kpModel) check(final bool) {
	m.scanTrace()
	for i, th := range m.th {
		if th.Exited() != m.exited[i] {
			m.violate("T%d exited=%v unexpectedly (exit code %#x: a panic?)", i, th.Exited(), th.ExitCode())
		}
	}
	for _, io := range m.ios {
		m.checkIO(io, final)
	}
	for p := 0; p < kpPipes; p++ {
		m.checkData(p, final)
	}
	if final {
		for _, a := range m.apcs {
			if a.runs == 0 && !m.exited[a.target] {
				m.violate("APC %d to live T%d never ran", a.id, a.target)
			}
		}
	}
}

func (m *kpModel) checkIO(io *kpIO, final bool) {
	pending := kioPending(io.ov)
	st := kioStatus(io.ov)
	evOn := false
	if io.ev != 0 {
		evOn, _ = m.s.EventState(io.ev)
	}
	if io.refused {
		// docs/windows-behaviour.md: an immediate error leaves the record as the call
		// left it (untouched for bad parameters, STATUS_PENDING once the
		// I/O manager had begun) and notifies nobody.
		if io.ov.Internal != io.afterCall || io.signals > 0 || evOn || io.routineCalls > 0 || io.packets > 0 {
			m.violate("refused op %d: Internal=%s signals=%d routine=%d packets=%d", io.id, st.Name(), io.signals, io.routineCalls, io.packets)
		}
		return
	}
	if io.signals > 1 || io.apcQueued > 1 || io.posted > 1 {
		m.violate("op %d: event signalled %d times, %d routines queued, %d packets posted", io.id, io.signals, io.apcQueued, io.posted)
	}
	// Notified exactly when the record stops saying STATUS_PENDING: the
	// routine is queued (to a live thread), the packet posted and the event
	// signalled in the same step as the record is completed. In
	// ProfileDocs an operation that pended on a port-bound handle is the
	// exception (IO-Completion-Ports): it is notified at completion, but
	// its record is written only when its packet is taken.
	notified := !pending
	if m.deferredIOSB(io) {
		notified = io.posted > 0
		if !pending != (io.packets > 0) {
			m.violate("op %d: Internal=%s with %d packets taken (ProfileDocs writes the record at dequeue)", io.id, st.Name(), io.packets)
		}
	}
	if io.mech == kpRoutine && (io.apcQueued > 0) != notified && (pending || !m.exited[io.thread]) {
		m.violate("op %d: routine queued %d times while Internal=%s", io.id, io.apcQueued, st.Name())
	}
	if m.packetExpected(io) && (io.posted > 0) != notified {
		m.violate("op %d: %d packets posted while Internal=%s", io.id, io.posted, st.Name())
	}
	switch io.mech {
	case kpEvent, kpLowBit:
		if evOn != notified {
			m.violate("op %d: event signalled=%v but Internal=%s", io.id, evOn, st.Name())
		}
	case kpRoutine:
		if io.signals > 0 || evOn {
			m.violate("op %d: ReadFileEx/WriteFileEx touched the event in hEvent", io.id)
		}
		if io.routineCalls > 0 && pending {
			m.violate("op %d: routine ran but Internal is still STATUS_PENDING", io.id)
		}
	}
	if io.packets > 0 && pending {
		m.violate("op %d: packet dequeued but Internal is STATUS_PENDING", io.id)
	}
	if pending {
		if final {
			m.violate("op %d still pending after everything was cancelled", io.id)
		}
		return
	}
	// Complete: the status and count must make sense for the operation.
	n := uint32(io.ov.InternalHigh)
	switch st {
	case wso.STATUS_SUCCESS:
		if io.write && n != uint32(len(io.buf)) || !io.write && n > uint32(len(io.buf)) {
			m.violate("op %d: success with %d bytes of %d", io.id, n, len(io.buf))
		}
	case wso.STATUS_BUFFER_OVERFLOW:
		if io.write || !kpMsgPipe(io.pipe) || n != uint32(len(io.buf)) {
			m.violate("op %d: STATUS_BUFFER_OVERFLOW with %d bytes (write=%v pipe=%d)", io.id, n, io.write, io.pipe)
		}
	case wso.STATUS_CANCELLED, wso.STATUS_PIPE_BROKEN:
		if n != 0 {
			m.violate("op %d: %s with %d bytes", io.id, st.Name(), n)
		}
	default:
		m.violate("op %d: unexpected final status %s", io.id, st.Name())
	}
	if io.immediate && io.doneN != n && !(st == wso.STATUS_BUFFER_OVERFLOW && io.doneN == 0) {
		m.violate("op %d: *done=%d but InternalHigh=%d", io.id, io.doneN, n)
	}
	if final {
		m.checkNotifiedOnce(io)
	}
}

// checkNotifiedOnce: after the final drain every completed operation has
// been notified exactly once through the mechanism it asked for.
func (m *kpModel) checkNotifiedOnce(io *kpIO) {
	wantPackets := 0
	if m.packetExpected(io) {
		wantPackets = 1
	}
	if io.packets != wantPackets {
		m.violate("op %d (mech %d, immediate %v, err %v): %d packets, want %d", io.id, io.mech, io.immediate, io.callErr, io.packets, wantPackets)
	}
	switch io.mech {
	case kpEvent, kpLowBit:
		if io.signals != 1 {
			m.violate("op %d: event signalled %d times, want once", io.id, io.signals)
		}
	case kpRoutine:
		if io.routineCalls != 1 && !m.exited[io.thread] {
			m.violate("op %d: routine ran %d times on a live thread", io.id, io.routineCalls)
		}
	}
}

// packetExpected says whether the accepted operation io posts a packet
// when it completes.
func (m *kpModel) packetExpected(io *kpIO) bool {
	if !kpPortPipe(io.pipe) || io.mech == kpLowBit || io.mech == kpRoutine {
		return false
	}
	// SetFileCompletionNotificationModes: no packet for a request that
	// returned success at once; under the windows profile nor for one that
	// returned a warning at once (ERROR_MORE_DATA: Wine's
	// dlls/ntdll/tests/pipe.c, test_completion).
	if m.cfg.SkipPort && io.immediate {
		if io.callErr == nil || m.cfg.Profile == emu.ProfileWindows && io.callErr == wso.ERROR_MORE_DATA {
			return false
		}
	}
	return true
}

// deferredIOSB says whether io's record is written only when its packet is
// taken: ProfileDocs, a port-bound operation that did not report its
// result from the call.
func (m *kpModel) deferredIOSB(io *kpIO) bool {
	return m.cfg.Profile == emu.ProfileDocs && m.packetExpected(io) && !io.immediate
}

// checkData: what the reads of pipe p got, in issue order, is a prefix of
// what was written (byte pipe: of the concatenation; message pipe: of the
// messages, each possibly split by ERROR_MORE_DATA). A write that may have
// been cancelled (its record says cancelled, or not yet final) may have
// given the reader only a prefix of its data: a cancelled write takes back
// what was not read (Wine's dlls/kernel32/tests/pipe.c, test_blocking_rw).
// Written bytes count up per pipe, so the prefix is found by matching.
func (m *kpModel) checkData(p int, final bool) {
	cut := func(w *kpIO) bool {
		st := kioStatus(w.ov)
		return st == wso.STATUS_CANCELLED || st == wso.STATUS_PENDING
	}
	var got []byte // what the reads took, in order
	msg, off := 0, 0
	for _, io := range m.ios {
		if io.write || io.pipe != p || io.refused {
			continue
		}
		st := kioStatus(io.ov)
		if st == wso.STATUS_PENDING {
			if final {
				m.violate("read %d still pending", io.id)
			}
			break // later reads' positions are not known yet
		}
		n := int(io.ov.InternalHigh)
		if n > len(io.buf) {
			m.violate("read %d: %d bytes in a %d-byte buffer", io.id, n, len(io.buf))
			return
		}
		chunk := io.buf[:n]
		if !kpMsgPipe(p) {
			got = append(got, chunk...)
			continue
		}
		if st != wso.STATUS_SUCCESS && st != wso.STATUS_BUFFER_OVERFLOW {
			continue // failed: no data
		}
		// A message whose write was cancelled ends where its reader left
		// it: the next read starts the next message.
		for msg < len(m.written[p]) && cut(m.written[p][msg]) {
			cur := m.written[p][msg].buf
			if off+n <= len(cur) && bytes.Equal(chunk, cur[off:off+n]) {
				break
			}
			msg, off = msg+1, 0
		}
		if msg >= len(m.written[p]) {
			m.violate("message pipe %d: read %d got %v but no message is left", p, io.id, chunk)
			return
		}
		cur := m.written[p][msg].buf
		if off+n > len(cur) || !bytes.Equal(chunk, cur[off:off+n]) {
			m.violate("message pipe %d: read %d got %v, message %d is %v from %d", p, io.id, chunk, msg, cur, off)
			return
		}
		if st == wso.STATUS_SUCCESS {
			if off+n != len(cur) {
				m.violate("message pipe %d: read %d succeeded with part of message %d", p, io.id, msg)
			}
			msg, off = msg+1, 0
		} else {
			if off+n >= len(cur) {
				m.violate("message pipe %d: read %d reported ERROR_MORE_DATA with nothing left", p, io.id)
			}
			off += n
		}
	}
	if kpMsgPipe(p) {
		return
	}
	pos := 0
	for _, w := range m.written[p] {
		rest := got[pos:]
		k := 0
		for k < len(w.buf) && k < len(rest) && rest[k] == w.buf[k] {
			k++
		}
		pos += k
		if pos == len(got) {
			return
		}
		if k < len(w.buf) && !cut(w) {
			break
		}
	}
	if pos != len(got) {
		var stream []byte
		for _, w := range m.written[p] {
			stream = append(stream, w.buf...)
		}
		m.violate("byte pipe %d: reads got %v; it matches what was written only up to %d (writes %v)", p, got, pos, stream)
	}
}

// finish cancels everything outstanding, lets it all complete, drains APC
// queues and the port, and checks the final properties.
func (m *kpModel) finish() {
	m.st.Settle()
	_, _ = m.st.Call(m.th[0], m.guard(func(t *emu.Thread) {
		for p := 0; p < kpPipes; p++ {
			for _, h := range []emu.Handle{m.rd[p], m.wr[p]} {
				if err := t.CancelIoEx(h, nil); err != nil && err != wso.ERROR_NOT_FOUND {
					m.violate("final CancelIoEx: %v", err)
				}
			}
		}
	}))
	m.st.Settle()
	for i, th := range m.th {
		if m.exited[i] {
			continue
		}
		if !m.st.Idle(th) {
			m.violate("T%d still blocked after Settle", i)
			continue
		}
		for k := 0; k < 4 && th.QueuedAPCs() > 0; k++ {
			m.exec(kpStep{Kind: kpSleep, Thread: i, Alert: true})
		}
	}
	for {
		before := 0
		for _, io := range m.ios {
			before += io.packets
		}
		m.exec(kpStep{Kind: kpDequeue, Thread: 0, Ex: true})
		after := 0
		for _, io := range m.ios {
			after += io.packets
		}
		if after == before {
			break
		}
	}
	m.check(true)
}

// kpRun runs one program, on a System built with extra options too, and
// returns the trace; violations are in m.bad.
func kpRun(tb kpFataler, cfg kpConfig, steps []kpStep, ch emu.Chooser, extra ...emu.Option) *kpModel {
	m := kpNewModel(tb, cfg, ch, extra...)
	defer m.s.Stop()
	for k, step := range steps {
		m.exec(step)
		m.check(false)
		if len(m.bad) > 0 {
			m.bad = append(m.bad, fmt.Sprintf("after step %d: %v", k, step))
			return m
		}
	}
	m.finish()
	return m
}

// TestPropertyKernel: for random programs and every schedule rapid draws,
// APCs run exactly once, on their own thread, only in alertable waits,
// user APCs in QueueUserAPC order; alertable waits report
// WAIT_IO_COMPLETION exactly when an APC ran in them; every operation's
// record holds STATUS_PENDING exactly until it is notified and then the
// byte count that every report agrees on; every operation is notified
// exactly once through its mechanism, and an immediate error never; what is
// read from each pipe is a prefix of what was written.
func TestPropertyKernel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := kpConfigGen().Draw(rt, "config")
		steps := rapid.SliceOfN(kpStepGen(cfg.Threads), 10, 80).Draw(rt, "steps")
		m := kpRun(rt, cfg, steps, emu.RapidChooser(rt))
		if len(m.bad) > 0 {
			rt.Fatalf("%d violations:\n%s\ntrace:\n%s", len(m.bad), kpJoin(m.bad), m.s.Trace())
		}
	})
}

// TestPropertyDeterministic: the same program under SeededChooser with the
// same seed produces the same trace, event for event (DESIGN.md, the
// Chooser: a seed names one replayable run), whether the step threads run
// on goroutines or as coroutines (stepcoro.go: how the driver hands over
// the right to run is no part of the model).
func TestPropertyDeterministic(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := kpConfigGen().Draw(rt, "config")
		steps := rapid.SliceOfN(kpStepGen(cfg.Threads), 10, 80).Draw(rt, "steps")
		seed := rapid.Uint64().Draw(rt, "seed")
		m1 := kpRun(rt, cfg, steps, emu.SeededChooser(seed))
		cfg2 := cfg
		cfg2.Coroutines = true
		m2 := kpRun(rt, cfg2, steps, emu.SeededChooser(seed))
		if len(m2.bad) > 0 {
			rt.Fatalf("violations with coroutines under seed %#x:\n%s", seed, kpJoin(m2.bad))
		}
		t1, t2 := m1.s.Trace().String(), m2.s.Trace().String()
		if t1 != t2 {
			rt.Fatalf("two runs of seed %#x differ:\n--- first\n%s\n--- second\n%s", seed, t1, t2)
		}
		if len(m1.bad) > 0 {
			rt.Fatalf("violations under seed %#x:\n%s", seed, kpJoin(m1.bad))
		}
	})
}

func kpJoin(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// ---- bad input

// kbiPool is the handles a bad-input program draws from: nothing valid,
// the special values, stale and wrong-type handles, and live objects of
// every kind.
type kbiPool struct {
	handles []emu.Handle
	ovs     []*emu.Overlapped
}

func (p *kbiPool) handle(t *rapid.T, label string) emu.Handle {
	switch rapid.IntRange(0, 3).Draw(t, label+"-how") {
	case 0:
		return rapid.SampledFrom([]emu.Handle{0, emu.INVALID_HANDLE_VALUE, ^emu.Handle(1), 1, 3, 0x7ffffffc, ^emu.Handle(0) - 4}).Draw(t, label+"-special")
	case 1:
		return emu.Handle(rapid.Uint64Range(0, 256).Draw(t, label+"-small"))
	}
	return rapid.SampledFrom(p.handles).Draw(t, label)
}

func (p *kbiPool) ov(t *rapid.T, label string) *emu.Overlapped {
	return rapid.SampledFrom(p.ovs).Draw(t, label)
}

// TestPropertyBadInputNeverPanics calls every kernel Thread method with
// random handles (0, INVALID_HANDLE_VALUE, the current-thread
// pseudo-handle, closed ones, ones of the wrong type, live ones), nil
// pointers where the API takes pointers, and random lengths and flags.
// DESIGN.md, rules of the house (bad input gets its documented error
// code, never a panic): every call must return (or block in a legitimate
// wait), fail only with a Win32 error code, and never panic.
func TestPropertyBadInputNeverPanics(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := emu.New(emu.WithChooser(emu.RapidChooser(rt)))
		st, _ := s.Stepper()
		defer s.Stop()
		a, b := st.NewThread("A"), st.NewThread("B")
		m := &kpModel{s: s, st: st, th: []*emu.Thread{a, b}}
		pool := &kbiPool{}
		// Live objects of every kind, plus handles that were closed.
		_, _ = st.Call(a, func(t *emu.Thread) {
			ev1, _ := t.CreateEvent(true, false)
			ev2, _ := t.WSACreateEvent()
			rd, wr, _ := t.CreatePipe(emu.PipeOptions{Mode: emu.PipeMessage, Capacity: 8})
			srd, swr, _ := t.CreatePipe(emu.PipeOptions{Synchronous: true})
			port, _ := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
			crd, cwr, _ := t.CreatePipe(emu.PipeOptions{})
			cev, _ := t.CreateEvent(false, true)
			t.CloseHandle(crd)
			t.CloseHandle(cwr)
			t.CloseHandle(cev)
			pool.handles = []emu.Handle{ev1, ev2, rd, wr, srd, swr, port, crd, cwr, cev, a.Handle(), b.Handle(), t.GetCurrentThread()}
		})
		pending := &emu.Overlapped{Internal: uintptr(wso.STATUS_PENDING), HEvent: pool.handles[0]}
		pool.ovs = []*emu.Overlapped{nil, {}, pending, {HEvent: pool.handles[1] | 1}, {HEvent: 0x13}}
		apc := func(*emu.Thread, uintptr) {}
		routine := func(*emu.Thread, uint32, uint32, *emu.Overlapped) {}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for k := 0; k < steps; k++ {
			method := rapid.IntRange(0, 30).Draw(rt, "method")
			h := pool.handle(rt, "h")
			h2 := pool.handle(rt, "h2")
			ov := pool.ov(rt, "ov")
			if ov != nil && ov != pending {
				ov = &emu.Overlapped{HEvent: ov.HEvent} // a fresh record each time
			}
			n := rapid.IntRange(0, 16).Draw(rt, "len")
			ms := rapid.SampledFrom([]uint32{0, 1, 7, emu.INFINITE}).Draw(rt, "ms")
			alert := rapid.Bool().Draw(rt, "alert")
			nilPtr := rapid.Bool().Draw(rt, "nilPtr")
			flags := rapid.Uint8().Draw(rt, "flags")
			count := rapid.IntRange(0, 70).Draw(rt, "count")
			var many []emu.Handle
			for i := 0; i < count; i++ {
				many = append(many, pool.handles[(i*7+int(flags))%len(pool.handles)])
			}
			var errs []error
			call := func(t *emu.Thread) {
				var u32 uint32
				var key uintptr
				var got *emu.Overlapped
				pu32, pkey, pgot := &u32, &key, &got
				var apcFn emu.APCProc = apc
				var rt emu.FileIOCompletionRoutine = routine
				entries := make([]emu.OverlappedEntry, n%4)
				if nilPtr {
					pu32, pkey, pgot, apcFn, rt, entries = nil, nil, nil, nil, nil, nil
				}
				buf := make([]byte, n)
				keep := func(e error) { errs = append(errs, e) }
				switch method {
				case 0:
					keep(t.QueueUserAPC(apcFn, h, 1))
				case 1:
					_, e := t.CreateEvent(alert, nilPtr)
					keep(e)
				case 2:
					keep(t.SetEvent(h))
				case 3:
					keep(t.ResetEvent(h))
				case 4:
					keep(t.WSASetEvent(h))
				case 5:
					keep(t.WSAResetEvent(h))
				case 6:
					keep(t.CloseHandle(h))
				case 7:
					keep(t.WSACloseEvent(h))
				case 8:
					_, e := t.CreateIoCompletionPort(h, h2, uintptr(n), uint32(flags))
					keep(e)
				case 9:
					keep(t.GetQueuedCompletionStatus(h, pu32, pkey, pgot, ms))
				case 10:
					keep(t.GetQueuedCompletionStatusEx(h, entries, pu32, ms, alert))
				case 11:
					keep(t.PostQueuedCompletionStatus(h, uint32(n), uintptr(flags), ov))
				case 12:
					keep(t.SetFileCompletionNotificationModes(h, flags))
				case 13:
					keep(t.GetOverlappedResult(h, ov, pu32, alert))
				case 14:
					keep(t.GetOverlappedResultEx(h, ov, pu32, ms, alert))
				case 15:
					keep(t.CancelIo(h))
				case 16:
					keep(t.CancelIoEx(h, ov))
				case 17:
					r, w, e := t.CreatePipe(emu.PipeOptions{Mode: emu.PipeMode(flags % 4), Capacity: n - 4, Synchronous: alert})
					keep(e)
					if e == nil {
						pool.handles = append(pool.handles, r, w)
					}
				case 18:
					keep(t.ReadFile(h, buf, pu32, ov))
				case 19:
					keep(t.WriteFile(h, buf, pu32, ov))
				case 20:
					keep(t.ReadFileEx(h, buf, ov, rt))
				case 21:
					keep(t.WriteFileEx(h, buf, ov, rt))
				case 22:
					t.SleepEx(ms, alert)
				case 23:
					_, e := t.WaitForSingleObjectEx(h, ms, alert)
					keep(e)
				case 24:
					_, e := t.WaitForSingleObject(h, ms)
					keep(e)
				case 25:
					_, e := t.WaitForMultipleObjectsEx(many, alert, ms, nilPtr)
					keep(e)
				case 26:
					_, e := t.WaitForMultipleObjects(many, alert, ms)
					keep(e)
				case 27:
					_, e := t.WSAWaitForMultipleEvents(many, alert, ms, nilPtr)
					keep(e)
				case 28:
					_, e := t.CreateThread(func(*emu.Thread) {})
					keep(e)
				case 29:
					_, e := t.WSACreateEvent()
					keep(e)
				case 30:
					t.SetLastError(emu.Errno(flags))
					if t.GetLastError() != emu.Errno(flags) || t.WSAGetLastError() != emu.Errno(flags) ||
						t.GetCurrentThreadId() != uint32(t.ID()) || t.GetCurrentThread() != ^emu.Handle(1) {
						m.violate("last error / thread identity calls disagree")
					}
				}
			}
			if !st.Idle(a) {
				break
			}
			res, err := st.Call(a, m.guard(call))
			if err != nil {
				rt.Fatalf("step %d: %v", k, err)
			}
			if !res.Returned {
				// A legitimate wait: wake it up from B, or stop here.
				st.Settle()
				if !st.Idle(a) {
					_, _ = st.Call(b, m.guard(func(t *emu.Thread) {
						for _, x := range pool.handles {
							t.SetEvent(x)
							t.PostQueuedCompletionStatus(x, 0, 0, nil)
							t.WriteFile(x, []byte("unblock!"), nil, &emu.Overlapped{})
							t.ReadFile(x, make([]byte, 64), nil, &emu.Overlapped{})
						}
						t.QueueUserAPC(apc, a.Handle(), 0)
					}))
					st.Settle()
				}
			}
			if len(m.bad) > 0 || a.Exited() || b.Exited() {
				rt.Fatalf("step %d (method %d, h=%#x, h2=%#x, len=%d, ms=%d, nil=%v): %s\nA exited=%v (%#x)\n%s",
					k, method, uint64(h), uint64(h2), n, ms, nilPtr, kpJoin(m.bad), a.Exited(), a.ExitCode(), s.Trace())
			}
			for _, e := range errs {
				if e == nil {
					continue
				}
				// WAIT_IO_COMPLETION (0xC0) is what GetLastError gives after
				// an alertable GetOverlappedResultEx or
				// GetQueuedCompletionStatusEx that ran APCs; it is a wait
				// result rather than a winerror.h code.
				if en, ok := e.(emu.Errno); !ok || !en.Known() && en != emu.Errno(wso.WAIT_IO_COMPLETION) {
					rt.Fatalf("step %d (method %d): error %v (%T) is not a known Win32 error code", k, method, e, e)
				}
			}
		}
	})
}
