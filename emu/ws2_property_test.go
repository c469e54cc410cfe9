package emu_test

// The Winsock property test (issue 3, item 7): random programs of
// overlapped Winsock calls on a step-driven System whose every open
// decision (immediate or pending, which thread or system action goes next,
// routine order, whether a cancel is still under way) is drawn by rapid,
// run under both provider kinds and both profiles, and checked after every
// step against a model of what the pages promise:
//
//   - each operation completes exactly once, through exactly the mechanism
//     it asked for: its event is signalled once, its completion routine is
//     called once with its record and result, or (neither) a result query
//     sees it done, and the answers never change afterwards;
//   - nothing at all follows an immediate error (record, event, routine);
//   - routines run only on the issuing thread, only inside an alertable
//     wait of that thread, never nested for one socket, and an alertable
//     wait reports WAIT_IO_COMPLETION when they ran;
//   - what each socket receives is what was sent to it, in the order sent,
//     one datagram per receive, truncation reported (WSAEMSGSIZE, MSG_TRUNC)
//     exactly when the buffer was short, with the right sender;
//   - the WSAOVERLAPPED field protocol of the provider kind, from the
//     trace's field events: non-IFS, Internal = WSS_OPERATION_IN_PROGRESS
//     exactly while outstanding and OffsetHigh, Offset, InternalHigh,
//     Internal written in that order at completion; IFS, Internal holds
//     STATUS_PENDING and then an NTSTATUS, InternalHigh before Internal,
//     and Offset/OffsetHigh never written;
//   - cancellation, closesocket, shutdown and thread exit end operations
//     only as the pages (and the profile) allow, still exactly once;
//   - the sanitizer finds nothing (every operation has its own record, and
//     fWait=TRUE is only used for event operations);
//   - the same program under the same SeededChooser gives the same trace.
//
// Identifiers of this file start with "wp".

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime/debug"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// wpKind is one kind of step of a generated program.
type wpKind uint8

const (
	wpRecv     wpKind = iota // WSARecv / WSARecvFrom
	wpSend                   // WSASendTo / WSASend
	wpSettle                 // the network and deferred completions act
	wpSleep                  // SleepEx, alertable or not
	wpWait                   // WSAWaitForMultipleEvents, alertable or not
	wpResult                 // WSAGetOverlappedResult
	wpCancel                 // CancelIoEx
	wpClose                  // closesocket
	wpShutdown               // shutdown
	wpExit                   // ExitThread
	wpAwait                  // an alertable SleepEx for as long as it takes a routine to come
	wpNumKinds
)

var wpKindNames = [wpNumKinds]string{"Recv", "Send", "Settle", "SleepEx", "WSAWaitForMultipleEvents",
	"WSAGetOverlappedResult", "CancelIoEx", "closesocket", "shutdown", "ExitThread", "SleepEx(INFINITE, TRUE)"}

// wpMech is how an operation asks to be told of its completion.
type wpMech uint8

const (
	wpEvent   wpMech = iota // hEvent = a fresh manual-reset event
	wpRoutine               // a completion routine (hEvent = a decoy event nobody may touch)
	wpPoll                  // neither: hEvent = NULL, the caller polls WSAGetOverlappedResult
	wpNumMechs
)

var wpMechNames = [wpNumMechs]string{"event", "routine", "poll"}

// wpStep is one generated step.
type wpStep struct {
	Kind   wpKind
	Thread int
	Sock   int    // the socket that issues, is cancelled, closed or shut down
	Dst    int    // send: the destination socket
	Len    int    // send: datagram length; recv: buffer length; wait: number of events
	Mech   wpMech // recv, send
	Alt    bool   // recv: WSARecvFrom; send: WSASend; sleep, wait: alertable; result: fWait
	Nest   bool   // routine: it makes an alertable wait of its own; wait: wait for all
	MS     uint32 // sleep, wait; routine: how long its own alertable wait lasts
	Pick   int    // result, cancel (-1: every operation), wait: which operation(s)
	How    int32  // shutdown
}

func (s wpStep) String() string {
	return fmt.Sprintf("%s(T%d sock=%d dst=%d len=%d mech=%s alt=%v nest=%v ms=%d pick=%d how=%d)",
		wpKindNames[s.Kind], s.Thread, s.Sock, s.Dst, s.Len, wpMechNames[s.Mech], s.Alt, s.Nest, s.MS, s.Pick, s.How)
}

// wpConfig is the drawn set-up of a program.
type wpConfig struct {
	Kind      provider.Kind
	Profile   emu.Profile
	Threads   int
	Socks     int
	Connected bool // the last socket is connected to socket 0 (and sends with WSASend)
	Layered   bool // a layered provider above an IFS base (Kind is NonIFS: the layer's)
}

func wpConfigGen(kind provider.Kind) *rapid.Generator[wpConfig] {
	return rapid.Custom(func(t *rapid.T) wpConfig {
		return wpConfig{
			Kind:      kind,
			Profile:   emu.Profile(rapid.IntRange(0, 1).Draw(t, "profile")),
			Threads:   rapid.IntRange(2, 3).Draw(t, "threads"),
			Socks:     rapid.IntRange(2, 3).Draw(t, "socks"),
			Connected: rapid.Bool().Draw(t, "connected"),
		}
	})
}

// wpKindWeights makes I/O the most frequent step; close, shutdown and
// thread exit are rare, since they end a socket or a thread for good.
// (rapid favours the first entries of a list it samples from, so the
// common steps come first.)
var wpKindWeights = []wpKind{
	wpSend, wpRecv, wpAwait, wpSend, wpRecv, wpSettle, wpSend, wpRecv, wpAwait,
	wpSend, wpRecv, wpSettle, wpResult, wpSleep, wpWait, wpCancel, wpAwait, wpResult,
	wpSleep, wpWait, wpSettle, wpCancel, wpResult, wpSend, wpRecv,
	wpClose, wpShutdown, wpExit,
}

func wpStepGen(cfg wpConfig) *rapid.Generator[wpStep] {
	return rapid.Custom(func(t *rapid.T) wpStep {
		s := wpStep{
			Kind:   rapid.SampledFrom(wpKindWeights).Draw(t, "kind"),
			Thread: rapid.IntRange(0, 5).Draw(t, "thread") % cfg.Threads,
		}
		switch s.Kind {
		case wpRecv, wpSend:
			s.Sock = rapid.IntRange(0, cfg.Socks-1).Draw(t, "sock")
			s.Dst = rapid.IntRange(0, cfg.Socks-1).Draw(t, "dst")
			s.Len = rapid.IntRange(1, 8).Draw(t, "len")
			s.Mech = wpMech(rapid.IntRange(0, int(wpNumMechs)-1).Draw(t, "mech"))
			if s.Kind == wpRecv {
				s.Alt = rapid.Bool().Draw(t, "recvfrom")
			} else {
				// WSASend on a socket that is not connected fails at once
				// (WSAENOTCONN): now and then, to see nothing follows.
				s.Alt = rapid.IntRange(0, 5).Draw(t, "wsasend") == 0
			}
			s.Nest = rapid.Bool().Draw(t, "nest")
			s.MS = uint32(rapid.IntRange(0, 1).Draw(t, "nestms"))
		case wpSleep, wpWait:
			s.MS = uint32(rapid.IntRange(0, 2).Draw(t, "ms"))
			s.Alt = rapid.Bool().Draw(t, "alertable")
			s.Nest = rapid.Bool().Draw(t, "all")
			s.Len = rapid.IntRange(1, 3).Draw(t, "events")
			s.Pick = rapid.IntRange(0, 60).Draw(t, "pick")
		case wpResult:
			s.Pick = rapid.IntRange(0, 60).Draw(t, "pick")
			s.Alt = rapid.Bool().Draw(t, "wait")
		case wpCancel:
			s.Sock = rapid.IntRange(0, cfg.Socks-1).Draw(t, "sock")
			if rapid.IntRange(0, 3).Draw(t, "all") > 0 {
				s.Pick = rapid.IntRange(0, 60).Draw(t, "pick")
			} else {
				s.Pick = -1 // every operation on the socket
			}
		case wpClose:
			s.Sock = rapid.IntRange(0, cfg.Socks-1).Draw(t, "sock")
		case wpShutdown:
			s.Sock = rapid.IntRange(0, cfg.Socks-1).Draw(t, "sock")
			s.How = int32(rapid.IntRange(0, 2).Draw(t, "how"))
		case wpExit:
			s.Thread = rapid.IntRange(1, cfg.Threads-1).Draw(t, "exiting") // T0 never exits
		}
		return s
	})
}

// Sentinels: what a record's fields and the out-parameters hold before a
// call, to see who writes them.
const (
	wpInternal0     = 0x5EED0001
	wpInternalHigh0 = 0x5EED0002
	wpOffset0       = 0x5EED0003
	wpOffsetHigh0   = 0x5EED0004
	wpOut0          = 0xA5A5A5A5
)

// wpSock is the model of one socket.
type wpSock struct {
	h         emu.SOCKET
	addr      netip.AddrPort
	closed    bool
	shutRecv  bool
	shutSend  bool
	connected bool       // to socket 0
	arrived   []*wpDgram // datagrams queued for it, in arrival order
	resets    int        // sends from it to a port where nothing was bound
	depth     [3]int     // its completion routines on each thread's stack
}

// wpDgram is one datagram that reached a socket's queue.
type wpDgram struct {
	data []byte
	from int // sending socket
	send *wpOp
}

// wpOp is the model of one overlapped operation.
type wpOp struct {
	id   int
	send bool
	// dstWaiting: a send found a receive outstanding on its destination
	// when it was issued.
	dstWaiting bool
	alt        bool // WSARecvFrom / WSASend
	sock       int
	dst        int // send: destination socket
	thread     int
	mech       wpMech
	nest       bool
	nestMS     uint32
	ov         *emu.Overlapped
	ev         emu.Handle // the event in hEvent (routine: a decoy)
	buf        []byte     // receive buffer, or the datagram sent

	n, flags uint32 // lpNumberOfBytes*, lpFlags
	from     netip.AddrPort
	fromlen  int32

	callErr   error
	accepted  bool // the call started the operation (0, WSA_IO_PENDING or, for a receive, WSAEMSGSIZE)
	refused   bool // an immediate error: nothing may follow
	immediate bool // the call reported the result itself

	ovID      int
	writes    []fieldWrite // from the trace
	signals   int          // EvSignal of ev
	resets    int          // EvReset of ev
	completes int          // EvComplete for ov

	routineCalls int
	resultDone   bool // a result query has reported it done

	cancelReq bool // a cancel (CancelIoEx, closesocket, thread exit under the docs profile) was asked while it was outstanding
	shutSeen  bool // shutdown(SD_RECEIVE) while it was outstanding
	resetSeen bool // its socket sent to an unbound port while it was outstanding
}

// wpOutcome is an operation's result as its record holds it, whatever the
// provider kind.
type wpOutcome struct {
	done  bool
	err   emu.Errno // the WSA error (0: success)
	bytes uint32
	trunc bool
}

// wpModel is the state the properties are checked against.
type wpModel struct {
	cfg   wpConfig
	s     *emu.System
	st    *emu.Stepper
	th    []*emu.Thread
	socks []*wpSock

	exited      []bool
	inAlert     []int // alertable waits of each thread in progress (nested ones count)
	routinesRan []int // completion routines run on each thread
	ops         []*wpOp
	byEvent     map[emu.Handle]*wpOp
	byOv        map[int]*wpOp
	sends       int
	traced      int
	bad         []string
}

func (m *wpModel) violate(format string, args ...any) {
	m.bad = append(m.bad, fmt.Sprintf(format, args...))
}

func (m *wpModel) ifs() bool { return m.cfg.Kind == provider.IFS }

// wpNewModel builds the System and, on T0, starts Winsock and makes the
// sockets, each bound to 127.0.0.1 and an ephemeral port.
func wpNewModel(tb kpFataler, cfg wpConfig, ch emu.Chooser) *wpModel {
	opts := []emu.Option{emu.WithChooser(ch), emu.WithSanitizer(emu.SanitizeReport),
		emu.WithProviderKind(cfg.Kind), emu.WithProfile(cfg.Profile)}
	if cfg.Layered {
		opts = append(opts, emu.WithLayeredProvider())
	}
	s := emu.New(opts...)
	st, err := s.Stepper()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	m := &wpModel{cfg: cfg, s: s, st: st, byEvent: map[emu.Handle]*wpOp{}, byOv: map[int]*wpOp{}}
	for i := 0; i < cfg.Threads; i++ {
		m.th = append(m.th, st.NewThread(fmt.Sprintf("T%d", i)))
	}
	m.exited = make([]bool, cfg.Threads)
	m.inAlert = make([]int, cfg.Threads)
	m.routinesRan = make([]int, cfg.Threads)
	var setupErr error
	keep := func(e error) {
		if e != nil && setupErr == nil {
			setupErr = e
		}
	}
	_, err = st.Call(m.th[0], func(t *emu.Thread) {
		var d emu.WSAData
		keep(t.WSAStartup(0x0202, &d))
		for i := 0; i < cfg.Socks; i++ {
			h, e := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			keep(e)
			a := netip.AddrPortFrom(lo4, 0)
			keep(t.Bind(h, &a, provider.SizeofSockaddrInet4))
			got, e := t.Getsockname(h)
			keep(e)
			m.socks = append(m.socks, &wpSock{h: h, addr: got})
		}
		if cfg.Connected {
			last := m.socks[cfg.Socks-1]
			keep(t.Connect(last.h, &m.socks[0].addr, provider.SizeofSockaddrInet4))
			last.connected = true
		}
	})
	if err != nil || setupErr != nil {
		tb.Fatalf("set-up: %v %v", err, setupErr)
	}
	m.traced = s.Trace().Len()
	return m
}

// outcome reads op's record the way its provider kind writes it.
func (m *wpModel) outcome(op *wpOp) wpOutcome {
	ov := op.ov
	in := ov.LoadInternal()
	if m.ifs() {
		st := emu.NTStatus(in)
		if st == wso.STATUS_PENDING {
			return wpOutcome{}
		}
		o := wpOutcome{done: true, bytes: uint32(ov.LoadInternalHigh()), trunc: st == wso.STATUS_BUFFER_OVERFLOW}
		if !st.IsSuccess() {
			o.err = st.WSAError()
		}
		return o
	}
	if in == wso.WSS_OPERATION_IN_PROGRESS {
		return wpOutcome{}
	}
	err := emu.Errno(ov.LoadOffsetHigh())
	return wpOutcome{done: true, err: err, bytes: uint32(ov.LoadInternalHigh()), trunc: err == wso.WSAEMSGSIZE}
}

// outstanding reports whether op was started and has not completed.
func (m *wpModel) outstanding(op *wpOp) bool { return op.accepted && !m.outcome(op).done }

// routinePending reports whether thread i has a routine operation still
// in progress.
func (m *wpModel) routinePending(i int) bool {
	for _, op := range m.ops {
		if op.thread == i && op.mech == wpRoutine && m.outstanding(op) {
			return true
		}
	}
	return false
}

// alertable brackets a wait on thread i. Routines may run only inside an
// alertable one; an alertable wait in which a routine ran reports
// WAIT_IO_COMPLETION, and an outermost one reports it only then.
func (m *wpModel) alertable(i int, alert bool, call string, wait func() (ioCompletion bool)) {
	before := m.routinesRan[i]
	nested := m.inAlert[i] > 0
	if alert {
		m.inAlert[i]++
	}
	ioc := wait()
	if alert {
		m.inAlert[i]--
	}
	ran := m.routinesRan[i] - before
	switch {
	case !alert && ran > 0:
		m.violate("%s on T%d (not alertable) ran %d routines", call, i, ran)
	case ran > 0 && !ioc:
		m.violate("%s on T%d ran %d routines but did not report WAIT_IO_COMPLETION", call, i, ran)
	case ioc && ran == 0 && !nested:
		m.violate("%s on T%d reported WAIT_IO_COMPLETION but no routine ran", call, i)
	case ioc && !alert:
		m.violate("%s on T%d (not alertable) reported WAIT_IO_COMPLETION", call, i)
	}
}

// routineFor makes the completion routine of one operation: it checks
// where and when it runs and what it is given, and may make an alertable
// wait of its own (I/O calls are allowed inside a routine), inside which
// routines of other sockets may run but never one of the same socket.
func (m *wpModel) routineFor(op *wpOp) emu.WSACompletionRoutine {
	return func(dwError, cb uint32, ov *emu.Overlapped, dwFlags uint32) {
		i := op.thread
		t := m.s.CurrentThread()
		op.routineCalls++
		m.routinesRan[i]++
		if t != m.th[i] {
			m.violate("routine of op %d (issued on T%d) ran on %s", op.id, i, t.Name())
		}
		if m.inAlert[i] == 0 {
			m.violate("routine of op %d ran outside an alertable wait of T%d", op.id, i)
		}
		if op.routineCalls > 1 {
			m.violate("routine of op %d called %d times", op.id, op.routineCalls)
		}
		if ov != op.ov {
			m.violate("routine of op %d got another record", op.id)
		}
		// Nesting is a matter of one thread's stack: a routine of the
		// same socket may run on another thread meanwhile.
		k := m.socks[op.sock]
		k.depth[i]++
		defer func() { k.depth[i]-- }()
		// The WSARecv page: one socket's routines never nest. Through
		// Windows' own provider (IFS) in the windows profile that is an
		// open question (Wine nests them; PointUnsettled), so only the
		// other configurations promise it.
		if k.depth[i] > 1 && !(m.ifs() && m.cfg.Profile == emu.ProfileWindows) {
			m.violate("routine of op %d runs nested inside another routine of socket %d on T%d", op.id, op.sock, i)
		}
		out := m.outcome(op)
		if !out.done {
			m.violate("routine of op %d ran while its record says it is still in progress", op.id)
		}
		wantFlags := uint32(0)
		// Windows' ws2_32 calls an IFS socket's routine with dwFlags 0
		// (Wine dlls/ws2_32/tests/sock.c, test_ip_pktinfo).
		if out.trunc && !op.send && !(m.ifs() && m.cfg.Profile == emu.ProfileWindows) {
			wantFlags = provider.MSG_TRUNC
		}
		if dwError != uint32(out.err) || cb != out.bytes || dwFlags != wantFlags {
			m.violate("routine of op %d: (err %d, bytes %d, flags %#x), record says (%d, %d, %#x)",
				op.id, dwError, cb, dwFlags, out.err, out.bytes, wantFlags)
		}
		if op.nest && t == m.th[i] {
			// With a time-out, the thread may block inside the routine
			// until the next Settle, while the other threads go on.
			m.alertable(i, true, "SleepEx in a routine", func() bool {
				return t.SleepEx(op.nestMS, true) == wso.WAIT_IO_COMPLETION
			})
		}
	}
}

// guard turns a panic in fn (the emulator's or the model's) into a
// violation with its stack.
func (m *wpModel) guard(fn func(t *emu.Thread)) func(t *emu.Thread) {
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

// exec runs one step.
func (m *wpModel) exec(step wpStep) {
	i := step.Thread
	if step.Kind == wpSettle {
		m.st.Settle()
		return
	}
	if m.exited[i] || !m.st.Idle(m.th[i]) {
		return // the thread is gone, or blocked in an earlier call
	}
	var fn func(t *emu.Thread)
	switch step.Kind {
	case wpRecv, wpSend:
		if m.socks[step.Sock].closed {
			return // no more operations on a closed socket
		}
		fn = m.ioStep(step)
	case wpSleep, wpAwait:
		ms, alert := step.MS, step.Alt
		if step.Kind == wpAwait {
			ms, alert = 2, true
			if i != 0 && m.routinePending(i) {
				// An alertable wait for ever ends when one of the
				// thread's routines is queued, which the final cancel
				// makes sure of. (T0 never waits for ever: it makes that
				// cancel.)
				ms = emu.INFINITE
			}
		}
		fn = func(t *emu.Thread) {
			m.alertable(i, alert, "SleepEx", func() bool {
				r := t.SleepEx(ms, alert)
				if r != 0 && r != wso.WAIT_IO_COMPLETION {
					m.violate("SleepEx returned %#x", r)
				}
				return r == wso.WAIT_IO_COMPLETION
			})
		}
	case wpWait:
		fn = m.waitStep(step)
	case wpResult:
		fn = m.resultStep(step)
	case wpCancel:
		fn = m.cancelStep(step)
	case wpClose:
		k := m.socks[step.Sock]
		if k.closed {
			return
		}
		fn = func(t *emu.Thread) {
			for _, op := range m.ops {
				if op.sock == step.Sock && m.outstanding(op) {
					op.cancelReq = true
				}
			}
			if err := t.Closesocket(k.h); err != nil {
				m.violate("closesocket: %v", err)
			}
			k.closed = true
			// LPWSPCLOSESOCKET: every pending operation, whichever thread
			// issued it, is completed by the close (cancelled, or with the
			// result it already had).
			for _, op := range m.ops {
				if op.sock == step.Sock && m.outstanding(op) {
					m.violate("op %d still in progress after closesocket", op.id)
				}
			}
		}
	case wpShutdown:
		k := m.socks[step.Sock]
		if k.closed {
			return
		}
		fn = func(t *emu.Thread) {
			if step.How != provider.SD_SEND {
				for _, op := range m.ops {
					if !op.send && op.sock == step.Sock && m.outstanding(op) {
						op.shutSeen = true
					}
				}
			}
			if err := t.Shutdown(k.h, step.How); err != nil {
				m.violate("shutdown: %v", err)
			}
			k.shutRecv = k.shutRecv || step.How != provider.SD_SEND
			k.shutSend = k.shutSend || step.How != provider.SD_RECEIVE
		}
	case wpExit:
		fn = func(t *emu.Thread) {
			for _, op := range m.ops {
				if op.thread == i && m.outstanding(op) && m.cfg.Profile == emu.ProfileDocs {
					op.cancelReq = true
				}
			}
			m.exited[i] = true
			t.ExitThread(7)
		}
	}
	var stillPending []*wpOp
	if step.Kind == wpExit && m.cfg.Profile == emu.ProfileWindows {
		for _, op := range m.ops {
			if op.thread == i && m.outstanding(op) {
				stillPending = append(stillPending, op)
			}
		}
	}
	res, err := m.st.Call(m.th[i], m.guard(fn))
	if err != nil {
		m.violate("Stepper.Call: %v", err)
	}
	if step.Kind == wpExit {
		if !res.Exited {
			m.violate("ExitThread: T%d did not exit", i)
		}
		// docs/windows-behaviour.md, Thread exit: current Windows does not cancel
		// socket I/O when its thread exits; it completes normally later.
		for _, op := range stillPending {
			if !m.outstanding(op) {
				m.violate("windows profile: op %d ended when its thread exited", op.id)
			}
		}
	}
}

// ioStep issues one overlapped receive or send, each with its own record,
// buffers and event, and records what the call returned.
func (m *wpModel) ioStep(step wpStep) func(t *emu.Thread) {
	op := &wpOp{id: len(m.ops), send: step.Kind == wpSend, alt: step.Alt, sock: step.Sock, dst: step.Dst,
		thread: step.Thread, mech: step.Mech, nest: step.Nest && step.Mech == wpRoutine, nestMS: step.MS,
		n: wpOut0, fromlen: provider.SizeofSockaddrInet4}
	op.ov = &emu.Overlapped{Internal: wpInternal0, InternalHigh: wpInternalHigh0, Offset: wpOffset0, OffsetHigh: wpOffsetHigh0}
	k := m.socks[op.sock]
	if op.send && k.connected {
		// The connected socket sends to its peer with WSASend.
		op.alt, op.dst = true, 0
	}
	op.buf = make([]byte, step.Len)
	if op.send {
		m.sends++
		for j := range op.buf {
			op.buf[j] = byte(m.sends*31 + j)
		}
		op.buf[0] = byte(m.sends)
	}
	m.ops = append(m.ops, op)
	return func(t *emu.Thread) {
		if op.mech != wpPoll {
			ev, err := t.WSACreateEvent()
			if err != nil {
				m.violate("WSACreateEvent: %v", err)
			}
			op.ev = ev
			op.ov.HEvent = ev
			m.byEvent[ev] = op
		}
		if op.send && m.socks[op.dst].closed {
			// Nothing is bound where it sends: the port-unreachable report
			// may end a receive of this socket within the call.
			for _, r := range m.ops {
				if !r.send && r.sock == op.sock && m.outstanding(r) {
					r.resetSeen = true
				}
			}
		}
		if op.send {
			op.dstWaiting = m.recvWaiting(op.dst)
		}
		var routine emu.WSACompletionRoutine
		if op.mech == wpRoutine {
			routine = m.routineFor(op)
		}
		bufs := []emu.WSABUF{{Len: uint32(len(op.buf)), Buf: op.buf}}
		var err error
		switch {
		case op.send && op.alt:
			err = t.WSASend(k.h, bufs, &op.n, 0, op.ov, routine)
		case op.send:
			dst := m.socks[op.dst].addr
			err = t.WSASendTo(k.h, bufs, &op.n, 0, &dst, provider.SizeofSockaddrInet4, op.ov, routine)
		case op.alt:
			err = t.WSARecvFrom(k.h, bufs, &op.n, &op.flags, &op.from, &op.fromlen, op.ov, routine)
		default:
			err = t.WSARecv(k.h, bufs, &op.n, &op.flags, op.ov, routine)
		}
		m.issued(op, err)
	}
}

// issued classifies what an issuing call returned and, for an accepted
// send, records where its datagram went: it leaves within the call,
// whether or not the completion is reported then.
func (m *wpModel) issued(op *wpOp, err error) {
	op.callErr = err
	op.ovID = m.s.OverlappedID(op.ov)
	m.byOv[op.ovID] = op
	k := m.socks[op.sock]
	switch {
	case err == nil, err == wso.WSAEMSGSIZE && !op.send:
		// WSARecv: a truncated datagram is a completed operation that
		// reports WSAEMSGSIZE (a warning: the record is filled and the
		// completion is notified).
		op.accepted, op.immediate = true, true
	case err == wso.WSA_IO_PENDING:
		op.accepted = true
	default:
		op.refused = true
	}
	// The immediate errors this program can provoke, and only those.
	var want error
	switch {
	case op.send && k.shutSend:
		want = wso.WSAESHUTDOWN
	case op.send && op.alt && !k.connected:
		want = wso.WSAENOTCONN
	case !op.send && k.shutRecv:
		want = wso.WSAESHUTDOWN
	}
	switch {
	case want != nil && err != want:
		m.violate("op %d: %v, want %v", op.id, err, want)
	case want == nil && op.refused && !(err == wso.WSAECONNRESET && !op.send && k.resets > 0):
		m.violate("op %d: unexpected immediate error %v", op.id, err)
	}
	if op.refused {
		return
	}
	out := m.outcome(op)
	// An immediate success writes the byte count; a call that returns an
	// error (a truncated datagram's WSAEMSGSIZE too) leaves it alone, as
	// Wine's ws2_32 was observed to do. The record has the count either
	// way.
	wantN := out.bytes
	if err != nil {
		wantN = wpOut0
	}
	if op.immediate && (!out.done || op.n != wantN) {
		m.violate("op %d returned %v with *lpNumberOfBytes=%#x, record done=%v bytes=%d", op.id, err, op.n, out.done, out.bytes)
	}
	if !op.immediate && op.n != wpOut0 {
		m.violate("op %d: *lpNumberOfBytes written (%#x) although the call returned WSA_IO_PENDING", op.id, op.n)
	}
	if !op.send {
		return
	}
	d := m.socks[op.dst]
	switch {
	case d.closed:
		// Nothing is bound there: the port-unreachable report comes back
		// to the sender as WSAECONNRESET on a receive.
		k.resets++
	case d.shutRecv && !(m.cfg.Profile == emu.ProfileWindows && op.dstWaiting), d.connected && op.sock != 0:
		// Dropped: the receiver shut down receiving (under the windows
		// profile a receive pending since before the shutdown still takes
		// it: Wine's sock.c, test_shutdown), or is connected to another
		// peer.
	default:
		d.arrived = append(d.arrived, &wpDgram{data: op.buf, from: op.sock, send: op})
	}
}

// recvWaiting says whether a receive on socket i is outstanding.
func (m *wpModel) recvWaiting(i int) bool {
	for _, op := range m.ops {
		if !op.send && op.sock == i && m.outstanding(op) {
			return true
		}
	}
	return false
}

// waitStep waits, alertably or not, for up to three operations' events.
func (m *wpModel) waitStep(step wpStep) func(t *emu.Thread) {
	var evOps []*wpOp
	for _, op := range m.ops {
		if op.mech == wpEvent && op.ev != 0 {
			evOps = append(evOps, op)
		}
	}
	i := step.Thread
	if len(evOps) == 0 {
		return func(t *emu.Thread) {
			m.alertable(i, step.Alt, "SleepEx", func() bool { return t.SleepEx(step.MS, step.Alt) == wso.WAIT_IO_COMPLETION })
		}
	}
	var waited []*wpOp
	for j := 0; j < step.Len && j < len(evOps); j++ {
		waited = append(waited, evOps[(step.Pick+j)%len(evOps)])
	}
	events := make([]emu.Handle, len(waited))
	for j, op := range waited {
		events[j] = op.ev
	}
	return func(t *emu.Thread) {
		m.alertable(i, step.Alt, "WSAWaitForMultipleEvents", func() bool {
			r, err := t.WSAWaitForMultipleEvents(events, step.Nest, step.MS, step.Alt)
			switch {
			case err != nil:
				m.violate("WSAWaitForMultipleEvents: %v", err)
			case r < uint32(len(events)):
				// The events are manual-reset and nobody resets them: the
				// ones that satisfied the wait are still signalled, and
				// signalled only because their operations completed.
				check := waited[r : r+1]
				if step.Nest {
					check = waited
				}
				for _, op := range check {
					if on, _ := m.s.EventState(op.ev); !on || !m.outcome(op).done {
						m.violate("WSAWaitForMultipleEvents returned %d (all=%v) but op %d's event=%v done=%v", r, step.Nest, op.id, on, m.outcome(op).done)
					}
				}
			case r == wso.WSA_WAIT_IO_COMPLETION, r == wso.WSA_WAIT_TIMEOUT:
			default:
				m.violate("WSAWaitForMultipleEvents returned %#x", r)
			}
			return r == wso.WSA_WAIT_IO_COMPLETION
		})
	}
}

// resultStep queries one operation's result. fWait is TRUE only for an
// event operation whose completion is sure to come: one already complete,
// or a pending send (its datagram left; only the report is deferred).
func (m *wpModel) resultStep(step wpStep) func(t *emu.Thread) {
	var cands []*wpOp
	for _, op := range m.ops {
		if op.accepted && (!step.Alt || op.mech == wpEvent && (op.send || !m.outstanding(op))) {
			cands = append(cands, op)
		}
	}
	if len(cands) == 0 {
		return func(*emu.Thread) {}
	}
	op := cands[step.Pick%len(cands)]
	wait := step.Alt
	return func(t *emu.Thread) {
		m.queryResult(t, op, wait)
	}
}

// queryResult calls WSAGetOverlappedResult for op and checks the answer
// against the record, as its provider kind reports it.
func (m *wpModel) queryResult(t *emu.Thread, op *wpOp, wait bool) {
	k := m.socks[op.sock]
	closed := k.closed
	n, fl := uint32(wpOut0), uint32(wpOut0)
	err := t.WSAGetOverlappedResult(k.h, op.ov, &n, wait, &fl)
	if closed {
		// docs/windows-behaviour.md: ws2_32 checks its socket table first.
		if err != wso.WSAENOTSOCK || n != wpOut0 || fl != wpOut0 {
			m.violate("op %d: result on a closed socket (%v, %#x, %#x), want WSAENOTSOCK and nothing written", op.id, err, n, fl)
		}
		return
	}
	out := m.outcome(op)
	if !out.done {
		if wait || err != wso.WSA_IO_INCOMPLETE || n != wpOut0 || fl != wpOut0 {
			m.violate("op %d in progress: result (%v, %#x, %#x) with wait=%v", op.id, err, n, fl, wait)
		}
		if op.resultDone {
			m.violate("op %d: a result query saw it done, and now in progress again", op.id)
		}
		return
	}
	op.resultDone = true
	var want error
	if out.err != 0 {
		want = out.err
	}
	wantN, wantFl := out.bytes, uint32(wpOffset0)
	if !m.ifs() {
		// LPWSPGETOVERLAPPEDRESULT: the flags come from Offset; on failure
		// the byte count is not written.
		wantFl = op.ov.LoadOffset()
		if out.err != 0 {
			wantN = wpOut0
		}
	}
	if err != want || n != wantN || fl != wantFl {
		m.violate("op %d: result (%v, %#x, %#x), want (%v, %#x, %#x)", op.id, err, n, fl, want, wantN, wantFl)
	}
}

// cancelStep cancels one operation (or all) on a socket with CancelIoEx.
// It fails with ERROR_NOT_FOUND exactly when no operation it names is
// still outstanding.
func (m *wpModel) cancelStep(step wpStep) func(t *emu.Thread) {
	k := m.socks[step.Sock]
	if k.closed {
		return func(*emu.Thread) {}
	}
	var target *wpOp
	if step.Pick >= 0 && len(m.ops) > 0 {
		target = m.ops[step.Pick%len(m.ops)]
	}
	return func(t *emu.Thread) {
		var ov *emu.Overlapped
		if target != nil {
			ov = target.ov
		}
		var matched []*wpOp
		for _, op := range m.ops {
			if op.sock == step.Sock && (target == nil || op == target) && m.outstanding(op) {
				matched = append(matched, op)
			}
		}
		err := t.CancelIoEx(emu.Handle(k.h), ov)
		if len(matched) > 0 && err != nil || len(matched) == 0 && err != wso.ERROR_NOT_FOUND {
			m.violate("CancelIoEx(sock %d, op %v) with %d outstanding: %v", step.Sock, target != nil, len(matched), err)
		}
		for _, op := range matched {
			op.cancelReq = true
		}
	}
}

// scanTrace takes, from the trace events since the last scan, the field
// writes of every record and the signals, resets and completions of every
// operation.
func (m *wpModel) scanTrace() {
	tr := m.s.Trace()
	for i := m.traced; i < tr.Len(); i++ {
		e := tr.At(i)
		switch e.Kind {
		case emu.EvField:
			if op := m.byOv[e.Ov]; op != nil && e.Ov != 0 {
				op.writes = append(op.writes, fieldWrite{e.Name, e.Old, e.New})
			}
		case emu.EvSignal, emu.EvReset:
			if op := m.byEvent[e.Handle]; op != nil {
				if e.Kind == emu.EvSignal {
					op.signals++
				} else {
					op.resets++
				}
			}
		case emu.EvComplete:
			if op := m.byOv[e.Ov]; op != nil && e.Ov != 0 {
				op.completes++
			}
		}
	}
	m.traced = tr.Len()
}

// check applies the step-by-step properties.
func (m *wpModel) check(final bool) {
	m.scanTrace()
	if f := m.s.Findings(); len(f) > 0 {
		for _, x := range f {
			m.violate("sanitizer: %s", x)
		}
	}
	for i, th := range m.th {
		if th.Exited() != m.exited[i] {
			m.violate("T%d exited=%v unexpectedly (exit code %#x: a panic?)", i, th.Exited(), th.ExitCode())
		}
	}
	for _, op := range m.ops {
		m.checkOp(op, final)
	}
	for r := range m.socks {
		m.checkData(r, final)
	}
}

// wpProtocol is the order in which each provider kind writes a record's
// fields: at the start, then at completion.
var (
	wpNonIFSWrites = []string{"Internal", "OffsetHigh", "Offset", "InternalHigh", "Internal"}
	wpIFSWrites    = []string{"Internal", "InternalHigh", "Internal"}
)

func (m *wpModel) checkOp(op *wpOp, final bool) {
	ov := op.ov.Snapshot()
	evOn := false
	if op.ev != 0 {
		evOn, _ = m.s.EventState(op.ev)
	}
	if op.refused {
		// docs/windows-behaviour.md: an immediate error queues no completion of any
		// kind, and leaves the record as the call found it (an IFS record
		// keeps the STATUS_PENDING ws2_32 wrote before asking the
		// provider).
		w := names(op.writes)
		okWrites := len(w) == 0 || m.ifs() && len(w) == 1 && w[0] == "Internal" && ov.Internal == uintptr(wso.STATUS_PENDING)
		untouched := ov.InternalHigh == wpInternalHigh0 && ov.Offset == wpOffset0 && ov.OffsetHigh == wpOffsetHigh0 &&
			(len(w) > 0 || ov.Internal == wpInternal0)
		if !okWrites || !untouched || op.signals+op.resets > 0 || evOn || op.routineCalls > 0 || op.completes > 0 || op.n != wpOut0 {
			m.violate("refused op %d (%v): writes %v record %+v signals=%d resets=%d routine=%d completes=%d n=%#x",
				op.id, op.callErr, w, ov, op.signals, op.resets, op.routineCalls, op.completes, op.n)
		}
		return
	}
	if !op.accepted {
		return // not issued (the step was skipped)
	}
	// The field protocol, from the trace's field events.
	proto := wpNonIFSWrites
	if m.ifs() {
		proto = wpIFSWrites
	}
	w := names(op.writes)
	done := len(w) == len(proto)
	if (len(w) != 1 && !done) || fmt.Sprint(w) != fmt.Sprint(proto[:len(w)]) {
		m.violate("op %d: field writes %v, want %v (start) or %v (complete)", op.id, w, proto[:1], proto)
		return
	}
	first := op.writes[0]
	if first.New != uint64(wso.WSS_OPERATION_IN_PROGRESS) || first.Old != wpInternal0 {
		m.violate("op %d: Internal began %#x -> %#x, want the sentinel -> 0x103", op.id, first.Old, first.New)
	}
	last := op.writes[len(op.writes)-1]
	if done && last.New == uint64(wso.WSS_OPERATION_IN_PROGRESS) {
		m.violate("op %d: completed with Internal = 0x103", op.id)
	}
	if uint64(ov.Internal) != last.New {
		m.violate("op %d: Internal %#x, but the trace's last write was %#x", op.id, ov.Internal, last.New)
	}
	out := m.outcome(op)
	if out.done != done {
		m.violate("op %d: record done=%v but %d field writes", op.id, out.done, len(w))
	}
	if m.ifs() && (ov.Offset != wpOffset0 || ov.OffsetHigh != wpOffsetHigh0) {
		m.violate("IFS op %d: Offset %#x OffsetHigh %#x written", op.id, ov.Offset, ov.OffsetHigh)
	}
	if !done && ov.InternalHigh != wpInternalHigh0 {
		m.violate("op %d: InternalHigh %#x written while in progress", op.id, ov.InternalHigh)
	}
	if op.immediate && !done {
		m.violate("op %d: the call reported its result but the record is in progress", op.id)
	}
	// Exactly its mechanism, exactly once.
	if op.completes > 1 {
		m.violate("op %d completed %d times", op.id, op.completes)
	}
	switch op.mech {
	case wpEvent:
		if op.signals != b2i(done) || op.resets != 0 || evOn != done {
			m.violate("op %d: event signalled %d times, reset %d times, state %v, done=%v", op.id, op.signals, op.resets, evOn, done)
		}
	case wpRoutine:
		if op.signals+op.resets > 0 || evOn {
			m.violate("op %d: the event in hEvent of a routine operation was touched", op.id)
		}
		if op.routineCalls > 0 && !done {
			m.violate("op %d: routine called while the record is in progress", op.id)
		}
	}
	if op.mech != wpRoutine && op.routineCalls > 0 {
		m.violate("op %d (%s) had a routine called", op.id, wpMechNames[op.mech])
	}
	if !done {
		if final {
			m.violate("op %d still in progress after everything was cancelled", op.id)
		}
		return
	}
	// The result must make sense for the operation.
	if !m.ifs() {
		wantFl := uint32(0)
		if out.trunc {
			wantFl = provider.MSG_TRUNC
		}
		if ov.Offset != wantFl {
			m.violate("non-IFS op %d: Offset %#x, want %#x", op.id, ov.Offset, wantFl)
		}
	} else if st := emu.NTStatus(ov.Internal); wpStatusFor(out.err) != st {
		m.violate("IFS op %d: Internal %s for WSA error %v", op.id, st.Name(), out.err)
	}
	switch {
	case op.send:
		if out.err != 0 || out.bytes != uint32(len(op.buf)) {
			m.violate("send op %d: (%v, %d bytes) of %d", op.id, out.err, out.bytes, len(op.buf))
		}
	case out.err == 0:
		if out.bytes == 0 || out.bytes > uint32(len(op.buf)) {
			m.violate("recv op %d: success with %d bytes in a %d-byte buffer", op.id, out.bytes, len(op.buf))
		}
	case out.err == wso.WSAEMSGSIZE:
		if out.bytes != uint32(len(op.buf)) {
			m.violate("recv op %d: truncated with %d bytes in a %d-byte buffer", op.id, out.bytes, len(op.buf))
		}
	case out.err == wso.WSA_OPERATION_ABORTED && op.cancelReq,
		out.err == wso.WSAESHUTDOWN && op.shutSeen,
		out.err == wso.WSAECONNRESET && op.resetSeen:
		if out.bytes != 0 {
			m.violate("recv op %d: %v with %d bytes", op.id, out.err, out.bytes)
		}
	default:
		m.violate("recv op %d: ended with %v (cancel asked=%v, shutdown=%v, reset=%v)", op.id, out.err, op.cancelReq, op.shutSeen, op.resetSeen)
	}
	if final {
		switch op.mech {
		case wpRoutine:
			if op.routineCalls != 1 && !m.exited[op.thread] {
				m.violate("op %d: routine called %d times on a live thread", op.id, op.routineCalls)
			}
		case wpPoll:
			if !op.resultDone && !m.socks[op.sock].closed {
				m.violate("op %d: no result query saw it done", op.id)
			}
		}
	}
}

// wpStatusFor is the NTSTATUS an IFS record holds for each result this
// program can produce.
func wpStatusFor(e emu.Errno) emu.NTStatus {
	switch e {
	case 0:
		return wso.STATUS_SUCCESS
	case wso.WSAEMSGSIZE:
		return wso.STATUS_BUFFER_OVERFLOW
	case wso.WSA_OPERATION_ABORTED:
		return wso.STATUS_CANCELLED
	case wso.WSAESHUTDOWN:
		return wso.STATUS_PIPE_DISCONNECTED
	case wso.WSAECONNRESET:
		return wso.STATUS_PORT_UNREACHABLE
	}
	return 0xFFFFFFFF
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkData: the receives on socket r that got a datagram, taken in the
// order they were issued (which is the order they take datagrams: waiting
// receives are served first come, first served), got exactly the datagrams
// that reached r, in the order they were sent, one per receive, cut to the
// buffer with the truncation reported, from the right sender.
func (m *wpModel) checkData(r int, final bool) {
	k := m.socks[r]
	next := 0
	var recvs []*wpOp
	for _, op := range m.ops {
		if !op.send && op.sock == r && op.accepted {
			recvs = append(recvs, op)
		}
	}
	for j, op := range recvs {
		out := m.outcome(op)
		if !out.done {
			// Still in progress: it holds the next datagram already if a
			// later receive has one (its completion is only deferred).
			later := false
			for _, x := range recvs[j+1:] {
				if o := m.outcome(x); o.done && (o.err == 0 || o.trunc) {
					later = true
				}
			}
			if !later {
				return
			}
			next++
			continue
		}
		if out.err != 0 && !out.trunc {
			continue // ended without data
		}
		if next >= len(k.arrived) {
			m.violate("socket %d: recv op %d got %d bytes, but only %d datagrams were sent to it", r, op.id, out.bytes, len(k.arrived))
			return
		}
		d := k.arrived[next]
		next++
		wantN, trunc := len(d.data), false
		if wantN > len(op.buf) {
			wantN, trunc = len(op.buf), true
		}
		if int(out.bytes) != wantN || out.trunc != trunc || !bytes.Equal(op.buf[:wantN], d.data[:wantN]) {
			m.violate("socket %d: recv op %d (buffer %d) got %v truncated=%v, want datagram %v of send op %d",
				r, op.id, len(op.buf), op.buf[:min(int(out.bytes), len(op.buf))], out.trunc, d.data, d.send.id)
			return
		}
		if op.alt && (op.from != m.socks[d.from].addr || op.fromlen != provider.SizeofSockaddrInet4) {
			m.violate("socket %d: recv op %d: from %v (len %d), want %v", r, op.id, op.from, op.fromlen, m.socks[d.from].addr)
		}
	}
	_ = final
}

// finish lets everything settle, cancels what is left, lets the live
// threads run their routines, asks for every result once more, and checks
// the final properties.
func (m *wpModel) finish() {
	m.st.Settle()
	if !m.st.Idle(m.th[0]) {
		m.violate("T0 still blocked after Settle")
		return
	}
	for r, k := range m.socks {
		if !k.closed {
			m.exec(wpStep{Kind: wpCancel, Thread: 0, Sock: r, Pick: -1})
		}
	}
	// Let the live threads run their routines (a routine may itself wait
	// a little, alertably, until the next Settle).
	for round := 0; ; round++ {
		m.st.Settle()
		busy := false
		for i, th := range m.th {
			if m.exited[i] || !m.st.Idle(th) || th.QueuedAPCs() == 0 {
				continue
			}
			busy = true
			m.exec(wpStep{Kind: wpSleep, Thread: i, Alt: true})
		}
		if !busy {
			break
		}
		if round == 20 {
			m.violate("routines still queued after %d rounds", round)
			return
		}
	}
	for i, th := range m.th {
		if !m.exited[i] && !m.st.Idle(th) {
			m.violate("T%d still blocked after everything was cancelled", i)
			return
		}
	}
	if _, err := m.st.Call(m.th[0], m.guard(func(t *emu.Thread) {
		for _, op := range m.ops {
			if op.accepted {
				m.queryResult(t, op, false)
			}
		}
	})); err != nil {
		m.violate("final result queries: %v", err)
	}
	m.check(true)
}

// wpRun runs one program; violations are in m.bad.
func wpRun(tb kpFataler, cfg wpConfig, steps []wpStep, ch emu.Chooser) *wpModel {
	m := wpNewModel(tb, cfg, ch)
	defer m.s.Stop()
	for j, step := range steps {
		m.exec(step)
		m.check(false)
		if len(m.bad) > 0 {
			m.bad = append(m.bad, fmt.Sprintf("after step %d: %v", j, step))
			return m
		}
	}
	m.finish()
	return m
}

func wpDraw(rt *rapid.T, kind provider.Kind) (wpConfig, []wpStep) {
	cfg := wpConfigGen(kind).Draw(rt, "config")
	steps := rapid.SliceOfN(wpStepGen(cfg), 20, 80).Draw(rt, "steps")
	return cfg, steps
}

// TestPropertyWinsock: for random programs of overlapped Winsock calls
// and every schedule rapid draws, under each provider kind (and a drawn
// profile), the properties listed at the top of this file hold after
// every step and at the end.
func TestPropertyWinsock(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(kind.String(), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				cfg, steps := wpDraw(rt, kind)
				m := wpRun(rt, cfg, steps, emu.RapidChooser(rt))
				if len(m.bad) > 0 {
					rt.Fatalf("%d violations (%s, %s):\n%s\ntrace:\n%s", len(m.bad), cfg.Kind, cfg.Profile, kpJoin(m.bad), m.s.Trace())
				}
			})
		})
	}
}

// TestPropertyWinsockDeterministic: the same program under SeededChooser
// with the same seed gives the same trace, byte for byte (DESIGN.md: a
// seed names one replayable run), and the properties hold in it.
func TestPropertyWinsockDeterministic(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(kind.String(), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				cfg, steps := wpDraw(rt, kind)
				seed := rapid.Uint64().Draw(rt, "seed")
				m1 := wpRun(rt, cfg, steps, emu.SeededChooser(seed))
				m2 := wpRun(rt, cfg, steps, emu.SeededChooser(seed))
				t1, t2 := m1.s.Trace().String(), m2.s.Trace().String()
				if t1 != t2 {
					rt.Fatalf("two runs of seed %#x differ:\n--- first\n%s\n--- second\n%s", seed, t1, t2)
				}
				if len(m1.bad) > 0 {
					rt.Fatalf("violations under seed %#x:\n%s", seed, kpJoin(m1.bad))
				}
			})
		})
	}
}
