package emu_test

// Completion routines (LPWSAOVERLAPPED_COMPLETION_ROUTINE, seed 000;
// LPOVERLAPPED_COMPLETION_ROUTINE, seed 001; the routine rules of WSASendMsg,
// seed 002, and WSASend/WSARecv) and the choice of completion mechanism:
// routine, event, polling, completion port.

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// apcOrderLast is a Chooser that makes every operation pend and, whenever
// an alertable wait has several completion routines to run, picks the
// newest first.
func apcOrderLast() emu.Option {
	return emu.WithChooser(emu.FuncChooser(func(p emu.Point, n int) int {
		switch p {
		case emu.PointPend:
			return 1
		case emu.PointAPCOrder:
			return n - 1
		}
		return 0
	}))
}

// LPWSAOVERLAPPED_COMPLETION_ROUTINE: the system calls the routine "when ...
// the calling thread is in an alertable state (by using the SleepEx, ...
// WaitForSingleObjectEx, or WaitForMultipleObjectsEx function with the
// fAlertable parameter set to TRUE)". WSASendMsg: "The completion routine
// will not be invoked until the thread is in an alertable wait state".
// WPUQueueApc: the APC goes to "the specified thread", the one that issued
// the call. So: no run in non-alertable waits of the issuer, none in
// another thread's alertable wait, and a run (WAIT_IO_COMPLETION) in the
// issuer's alertable SleepEx or WSAWaitForMultipleEvents.
func TestRoutineOnlyInIssuersAlertableWait(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			B := f.thread("B")
			ev := f.event(f.A)
			var log routineLog
			f.do(f.A, func(th *emu.Thread) {
				err := th.WSASendMsg(f.tx, msgTo(f.rxAddr, "r"), 0, nil, &emu.Overlapped{}, log.routine(th, "send", nil))
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("WSASendMsg: %v", err)
				}
			})
			f.settle()
			// Non-alertable waits of the issuing thread.
			f.do(f.A, func(th *emu.Thread) {
				th.SleepEx(0, false)
				th.WaitForSingleObject(ev, 0)
				th.WaitForSingleObjectEx(ev, 0, false)
				th.WSAWaitForMultipleEvents([]emu.Handle{ev}, false, 0, false)
			})
			// A non-alertable wait that blocks and times out on the
			// virtual clock.
			f.begin(f.A, func(th *emu.Thread) {
				if r := th.SleepEx(50, false); r != 0 {
					t.Errorf("SleepEx(50, FALSE) = %#x", r)
				}
			})
			f.settle()
			// Another thread's alertable wait.
			f.do(B, func(th *emu.Thread) {
				if r := th.SleepEx(0, true); r == wso.WAIT_IO_COMPLETION {
					t.Error("another thread's alertable wait ran APCs")
				}
			})
			if len(log.calls) != 0 {
				t.Fatalf("routine ran outside an alertable wait of its thread: %v", log.tags())
			}
			if f.A.QueuedAPCs() != 1 {
				t.Errorf("A has %d APCs queued, want the routine's", f.A.QueuedAPCs())
			}
			f.do(f.A, func(th *emu.Thread) {
				if r := th.SleepEx(0, true); r != wso.WAIT_IO_COMPLETION {
					t.Errorf("alertable SleepEx = %#x, want WAIT_IO_COMPLETION", r)
				}
			})
			if c, ok := log.get("send"); !ok || c.thread != f.A.ID() || c.depth < 1 {
				t.Errorf("routine call %+v", c)
			}
			// WSAWaitForMultipleEvents(fAlertable=TRUE) is an alertable
			// wait as well: WSA_WAIT_IO_COMPLETION.
			f.do(f.A, func(th *emu.Thread) {
				var fl uint32
				err := th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &emu.Overlapped{}, log.routine(th, "recv", nil))
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("WSARecv: %v", err)
				}
			})
			f.settle()
			f.do(f.A, func(th *emu.Thread) {
				r, err := th.WSAWaitForMultipleEvents([]emu.Handle{ev}, false, 0, true)
				if err != nil || r != wso.WAIT_IO_COMPLETION {
					t.Errorf("alertable WSAWaitForMultipleEvents = %#x, %v", r, err)
				}
			})
			if !slices.Equal(log.tags(), []string{"send", "recv"}) {
				t.Errorf("routines %v", log.tags())
			}
		}
	})
}

// LPOVERLAPPED_COMPLETION_ROUTINE, Remarks: "The system may call the waiting
// completion routines in any order. They may or may not be called in the
// order the I/O functions are completed." WSASendMsg: "However, the posted
// buffers are guaranteed to be sent in the same order they are specified";
// LPFN_WSARECVMSG: receive buffers are "filled in the same order in which
// they are specified". With a Chooser that runs the newest routine first,
// the routines run in reverse, while the datagrams go out, and the receive
// buffers fill, in issue order. All waiting routines run in the one wait.
func TestRoutineAnyOrder(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, apcOrderLast())
		var log routineLog
		rb := make([][]byte, 3)
		f.do(f.A, func(th *emu.Thread) {
			for i := range rb {
				rb[i] = make([]byte, 4)
				var fl uint32
				tag := "recv" + string(rune('1'+i))
				wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: rb[i]}}, nil, &fl, &emu.Overlapped{}, log.routine(th, tag, nil)), wso.WSA_IO_PENDING)
			}
			for i := range 3 {
				tag := "send" + string(rune('1'+i))
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, string(rune('1'+i))), 0, nil, &emu.Overlapped{}, log.routine(th, tag, nil)), wso.WSA_IO_PENDING)
			}
		})
		f.settle()
		f.do(f.A, func(th *emu.Thread) {
			if r := th.SleepEx(0, true); r != wso.WAIT_IO_COMPLETION {
				t.Errorf("SleepEx = %#x", r)
			}
		})
		got := log.tags()
		if len(got) != 6 {
			t.Fatalf("one alertable wait ran %v, want all six routines", got)
		}
		var sends, recvs []string
		for _, g := range got {
			if g[:4] == "send" {
				sends = append(sends, g)
			} else {
				recvs = append(recvs, g)
			}
		}
		if !slices.Equal(sends, []string{"send3", "send2", "send1"}) {
			t.Errorf("send routines ran %v, want the Chooser's order (newest first)", sends)
		}
		for i, b := range rb {
			if string(b[:1]) != string(rune('1'+i)) {
				t.Errorf("receive %d got %q: buffers not filled in posting order", i+1, b[:1])
			}
		}
		for _, tag := range []string{"recv1", "recv2", "recv3"} {
			if c, ok := log.get(tag); !ok || c.err != 0 || c.n != 1 {
				t.Errorf("%s: %+v", tag, c)
			}
		}
		if !slices.Equal(recvs, []string{"recv3", "recv2", "recv1"}) {
			t.Errorf("receive routines ran %v, want the Chooser's order (newest first)", recvs)
		}
	})
}

// WSASendMsg (and WSASend, WSARecv), Remarks: the providers "guarantee
// that, for a given socket, I/O completion routines will not be nested".
// A routine for socket rx that waits alertably while another routine for
// rx is queued does not run that one inside; it runs once the first has
// returned, within the same outer wait. A routine for another socket
// (rx2) is not covered by that guarantee and does run inside
// (LPOVERLAPPED_COMPLETION_ROUTINE: "If the completion routine does
// additional asynchronous I/O and alertable waits, the stack may grow").
func TestRoutineNoNestingPerSocket(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		rx2, rx2Addr := f.udp4(f.A)
		var log routineLog
		innerWait := func(th *emu.Thread) { th.SleepEx(0, true) }
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			b := func() []emu.WSABUF { return []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}} }
			wantErr(t, "WSARecv 1", th.WSARecv(f.rx, b(), nil, &fl, &emu.Overlapped{}, log.routine(th, "rx-1", innerWait)), wso.WSA_IO_PENDING)
			wantErr(t, "WSARecv 2", th.WSARecv(f.rx, b(), nil, &fl, &emu.Overlapped{}, log.routine(th, "rx-2", nil)), wso.WSA_IO_PENDING)
			wantErr(t, "WSARecv 3", th.WSARecv(rx2, b(), nil, &fl, &emu.Overlapped{}, log.routine(th, "rx2", nil)), wso.WSA_IO_PENDING)
		})
		f.sendTo(f.A, f.tx, f.rxAddr, "a")
		f.sendTo(f.A, f.tx, f.rxAddr, "b")
		f.sendTo(f.A, f.tx, rx2Addr, "c")
		f.do(f.A, func(th *emu.Thread) {
			if r := th.SleepEx(0, true); r != wso.WAIT_IO_COMPLETION {
				t.Errorf("SleepEx = %#x", r)
			}
		})
		if len(log.calls) != 3 {
			t.Fatalf("routines %v", log.tags())
		}
		first, _ := log.get("rx-1")
		second, _ := log.get("rx-2")
		other, _ := log.get("rx2")
		if slices.Contains(first.inside, "rx-2") {
			t.Errorf("rx-2 ran nested inside rx-1 (same socket): %v", log.tags())
		}
		if !slices.Contains(first.inside, "rx2") || other.depth != first.depth+1 {
			t.Errorf("rx2 (another socket) did not nest inside rx-1: inside=%v depths %d/%d", first.inside, first.depth, other.depth)
		}
		if second.depth != first.depth {
			t.Errorf("rx-2 depth %d, want %d (after rx-1 returned, in the same wait)", second.depth, first.depth)
		}
		if i, j := slices.Index(log.tags(), "rx-1"), slices.Index(log.tags(), "rx-2"); i > j {
			t.Errorf("order %v", log.tags())
		}
	})
}

// WSASendMsg, Remarks: "The WSASendMsg function using overlapped I/O can be
// called from within the completion routine of a previous WSARecv,
// WSARecvFrom, WSARecvMsg, WSASend, WSASendMsg, or WSASendTo function" and
// "The transport providers allow an application to invoke send and receive
// operations from within the context of the socket I/O completion routine".
// An echo loop driven entirely from routines: each receive routine sends
// the datagram back with WSASendMsg and posts the next receive.
func TestRoutineIssuesIO(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			var log routineLog
			var echoed []string
			buf := make([]byte, 8)
			var from netip.AddrPort
			var fromlen int32
			var post func(th *emu.Thread)
			var onRecv emu.WSACompletionRoutine
			post = func(th *emu.Thread) {
				var fl uint32
				fromlen = 16
				err := th.WSARecvFrom(f.rx, []emu.WSABUF{{Len: 8, Buf: buf}}, nil, &fl, &from, &fromlen, &emu.Overlapped{}, onRecv)
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("WSARecvFrom from a routine: %v", err)
				}
			}
			f.do(f.A, func(th *emu.Thread) {
				onRecv = log.routine(th, "recv", func(th *emu.Thread) {
					c := log.calls[len(log.calls)-1]
					data := string(buf[:c.n])
					echoed = append(echoed, data)
					err := th.WSASendMsg(f.rx, msgTo(from, "echo:"+data), 0, nil, &emu.Overlapped{}, log.routine(th, "sent", nil))
					if err != nil && err != wso.WSA_IO_PENDING {
						t.Errorf("WSASendMsg from a routine: %v", err)
					}
					if len(echoed) < 3 {
						post(th)
					}
				})
				post(th)
			})
			for _, m := range []string{"one", "two", "six"} {
				f.sendTo(f.A, f.tx, f.rxAddr, m)
				f.settle()
				f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
				f.settle()
				f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
			}
			if !slices.Equal(echoed, []string{"one", "two", "six"}) {
				t.Errorf("pend=%v: echoed %v (routines %v)", pend, echoed, log.tags())
			}
			for _, want := range []string{"echo:one", "echo:two", "echo:six"} {
				if got, _, err := f.recvNow(f.A, f.tx, 16); got != want {
					t.Errorf("pend=%v: echo %q (%v), want %q", pend, got, err, want)
				}
			}
		}
	})
}

// WSASendMsg: "Currently there are no flag values defined and the dwFlags
// parameter will be zero" for a send's routine; cbTransferred "indicates
// the number of bytes sent". Checked for WSASend, WSASendTo and WSASendMsg,
// immediate and pending, with MSG_DONTROUTE passed in.
func TestRoutineSendFlagsZero(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			var log routineLog
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "connect", th.Connect(f.tx, &f.rxAddr, 16), 0)
				for _, err := range []error{
					th.WSASend(f.tx, bufs("a"), nil, provider.MSG_DONTROUTE, &emu.Overlapped{}, log.routine(th, "WSASend", nil)),
					th.WSASendTo(f.tx, bufs("bb"), nil, provider.MSG_DONTROUTE, &f.rxAddr, 16, &emu.Overlapped{}, log.routine(th, "WSASendTo", nil)),
					th.WSASendMsg(f.tx, msgTo(f.rxAddr, "ccc"), provider.MSG_DONTROUTE, nil, &emu.Overlapped{}, log.routine(th, "WSASendMsg", nil)),
				} {
					if err != nil && err != wso.WSA_IO_PENDING {
						t.Errorf("send: %v", err)
					}
				}
			})
			f.settle()
			f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
			if len(log.calls) != 3 {
				t.Fatalf("routines %v", log.tags())
			}
			for i, c := range log.calls {
				if c.flags != 0 || c.err != 0 || c.n != uint32(i+1) {
					t.Errorf("pend=%v %s: dwError %d cbTransferred %d dwFlags %#x, want 0, %d, 0", pend, c.tag, c.err, c.n, c.flags, i+1)
				}
			}
		}
	})
}

// LPWSAOVERLAPPED_COMPLETION_ROUTINE, cbTransferred: "If an error occurs,
// this parameter is zero"; LPWSPCLOSESOCKET: pending operations fail "with
// the error status WSA_OPERATION_ABORTED" and "Whatever completion action
// was specified ... is performed (for example, ... completion routine"; the
// routine is called "when the asynchronous ... operation is completed or
// canceled". Covered for CancelIoEx and for closesocket.
func TestRoutineOnCancelAndClose(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		var log routineLog
		cov := &emu.Overlapped{}
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, cov, log.routine(th, "cancelled", nil)), wso.WSA_IO_PENDING)
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &emu.Overlapped{}, log.routine(th, "closed", nil)), wso.WSA_IO_PENDING)
			wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(f.rx), cov), 0)
			wantErr(t, "closesocket", th.Closesocket(f.rx), 0)
		})
		if len(log.calls) != 0 {
			t.Error("routines ran before an alertable wait")
		}
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		for _, tag := range []string{"cancelled", "closed"} {
			c, ok := log.get(tag)
			if !ok {
				t.Errorf("%s: routine not called", tag)
				continue
			}
			if c.err != uint32(wso.WSA_OPERATION_ABORTED) || c.n != 0 {
				t.Errorf("%s: dwError %d cbTransferred %d, want 995 and 0", tag, c.err, c.n)
			}
		}
	})
}

// LPWSAOVERLAPPED_COMPLETION_ROUTINE, lpOverlapped: "The system doesn't use
// the WSAOVERLAPPED structure after the completion routine is called, so
// the completion routine can deallocate the memory". The record as the
// routine saw it stays exactly so through later I/O on the socket (other
// records), a cancel, closesocket and settling; the trace shows no write to
// it after the routine ran.
func TestRoutineRecordUntouchedAfter(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		var log routineLog
		ov := &emu.Overlapped{HEvent: emu.Handle(0x5150)}
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ov, log.routine(th, "r", nil)), wso.WSA_IO_PENDING)
		})
		f.sendTo(f.A, f.tx, f.rxAddr, "data")
		f.settle()
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		c, ok := log.get("r")
		if !ok {
			t.Fatal("routine not called")
		}
		after := f.mark()
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			other := &emu.Overlapped{}
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, other, nil), wso.WSA_IO_PENDING)
			th.WSASendMsg(f.rx, msgTo(f.txAddr, "x"), 0, nil, &emu.Overlapped{}, nil)
			th.CancelIoEx(emu.Handle(f.rx), nil)
			th.Closesocket(f.rx)
		})
		f.settle()
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		if got := ov.Snapshot(); got != c.snapshot {
			t.Errorf("record changed after its routine ran: %+v, routine saw %+v", got, c.snapshot)
		}
		if w := f.fieldWrites(ov, after); len(w) != 0 {
			t.Errorf("writes to the record after its routine: %v", w)
		}
		if c.snapshot.LoadInternal() == 0x103 {
			t.Error("routine saw the record still in progress")
		}
	})
}

// docs/windows-behaviour.md, Completion ports: "A completion routine on a socket
// associated with a port: WSARecv fails at once with WSAEINVAL and the
// routine is never called." No packet is posted for it either (an
// immediate error queues nothing).
func TestRoutineOnPortSocket(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		p := f.port(f.A, f.rx, 1)
		q := f.port(f.A, f.tx, 2)
		called := false
		rt := func(uint32, uint32, *emu.Overlapped, uint32) { called = true }
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv with a routine", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &emu.Overlapped{}, rt), wso.WSAEINVAL)
			wantErr(t, "WSASendMsg with a routine", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, nil, &emu.Overlapped{}, rt), wso.WSAEINVAL)
		})
		f.settle()
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		if called {
			t.Error("routine called")
		}
		if pk, ok := f.dequeue(f.A, q); ok {
			t.Errorf("packet posted for a refused send: %+v", pk)
		}
		// Nothing was sent either: the receiver's queue is empty.
		if n := f.queued(f.A, f.rx); n != 0 {
			t.Errorf("refused send transmitted %d bytes", n)
		}
		if pk, ok := f.dequeue(f.A, p); ok {
			t.Errorf("packet posted for a refused receive: %+v", pk)
		}
	})
}

// mechanism names one way of being told about completion.
type mechanism string

const (
	mechRoutine mechanism = "routine"
	mechEvent   mechanism = "event"
	mechPoll    mechanism = "poll"
	mechPort    mechanism = "port"
)

// WSASendMsg, Overlapped Socket I/O: with lpCompletionRoutine NULL, "the
// hEvent parameter of lpOverlapped is signaled when the overlapped
// operation completes if it contains a valid event object handle"; with a
// routine, the routine runs in an alertable wait; with neither, the
// application polls WSAGetOverlappedResult; WPUCompleteOverlappedRequest
// "queues a completion status report to the completion port associated
// with the socket if a completion port is associated". Return value: "When
// zero is returned, the specified completion routine is called when the
// calling thread is in the alertable state", and docs/windows-behaviour.md: "An
// immediately successful overlapped operation still queues its completion
// routine / signals its event; with a completion port ... it still posts a
// packet". Each mechanism, immediate and pending, for WSASendMsg and
// WSARecv.
func TestMechanisms(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, mech := range []mechanism{mechRoutine, mechEvent, mechPoll, mechPort} {
			for _, pend := range []bool{false, true} {
				for _, op := range []string{"WSASendMsg", "WSARecv"} {
					name := string(mech) + "/" + op
					if pend {
						name += "/pending"
					} else {
						name += "/immediate"
					}
					t.Run(name, func(t *testing.T) {
						var opts []emu.Option
						if pend {
							opts = append(opts, pendAlways())
						}
						f := newSM(t, kind, profile, opts...)
						s := f.tx
						if op == "WSARecv" {
							s = f.rx
							// Data already queued: the receive can complete at once.
							f.sendTo(f.A, f.tx, f.rxAddr, "mech")
						}
						ov := &emu.Overlapped{}
						var ev, p emu.Handle
						var log routineLog
						var rt emu.WSACompletionRoutine
						switch mech {
						case mechEvent:
							ev = f.event(f.A)
							ov.HEvent = ev
						case mechPort:
							p = f.port(f.A, s, 0x99)
						}
						var err error
						f.do(f.A, func(th *emu.Thread) {
							if mech == mechRoutine {
								rt = log.routine(th, "r", nil)
							}
							if op == "WSARecv" {
								var fl uint32
								err = th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: make([]byte, 8)}}, nil, &fl, ov, rt)
							} else {
								err = th.WSASendMsg(s, msgTo(f.rxAddr, "mech"), 0, nil, ov, rt)
							}
						})
						if pend {
							wantErr(t, op, err, wso.WSA_IO_PENDING)
							f.settle()
						} else {
							wantErr(t, op, err, 0)
						}
						switch mech {
						case mechRoutine:
							if len(log.calls) != 0 {
								t.Error("routine ran before an alertable wait")
							}
							f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
							if c, ok := log.get("r"); !ok || c.err != 0 || c.n != 4 || c.ov != ov {
								t.Errorf("routine %+v (called=%v)", c, ok)
							}
						case mechEvent:
							if !f.signalled(ev) {
								t.Error("event not signalled")
							}
						case mechPort:
							pk, ok := f.dequeue(f.A, p)
							if !ok || pk.err != nil || pk.key != 0x99 || pk.ov != ov || pk.n != 4 {
								t.Errorf("packet %+v (ok=%v)", pk, ok)
							}
							if pk, ok := f.dequeue(f.A, p); ok {
								t.Errorf("second packet %+v", pk)
							}
						}
						if mech != mechRoutine {
							if res := f.getResult(f.A, s, ov); res.err != nil || res.n != 4 {
								t.Errorf("result %+v", res)
							}
						}
					})
				}
			}
		}
	})
}

// WSARecv, Return value: "Any other error code indicates that the
// overlapped operation was not successfully initiated and no completion
// indication will occur" (docs/windows-behaviour.md: "Immediate errors ... queue no
// completion (no event, no routine, no packet)"). One failing call per
// mechanism: an unbound receive (WSAEINVAL) and a send with a bad flag
// (WSAEOPNOTSUPP). Neither leaves a request behind that CancelIoEx could
// find.
func TestMechanismsImmediateError(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, mech := range []mechanism{mechRoutine, mechEvent, mechPort} {
			f := newSM(t, kind, profile)
			u := f.unbound(f.A, provider.AF_INET)
			var ev emu.Handle
			var ports []emu.Handle
			var log routineLog
			ovs := []*emu.Overlapped{{}, {}}
			switch mech {
			case mechEvent:
				ev = f.event(f.A)
				ovs[0].HEvent, ovs[1].HEvent = ev, ev
			case mechPort:
				ports = []emu.Handle{f.port(f.A, u, 1), f.port(f.A, f.tx, 2)}
			}
			f.do(f.A, func(th *emu.Thread) {
				var rt emu.WSACompletionRoutine
				if mech == mechRoutine {
					rt = log.routine(th, "never", nil)
				}
				var fl uint32
				wantErr(t, "WSARecv unbound", th.WSARecv(u, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ovs[0], rt), wso.WSAEINVAL)
				wantErr(t, "WSASendMsg MSG_OOB", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_OOB, nil, ovs[1], rt), wso.WSAEOPNOTSUPP)
			})
			f.settle()
			f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
			if len(log.calls) != 0 {
				t.Errorf("%s: routine called after an immediate error", mech)
			}
			if ev != 0 && f.signalled(ev) {
				t.Errorf("%s: event signalled after an immediate error", mech)
			}
			for _, p := range ports {
				if pk, ok := f.dequeue(f.A, p); ok {
					t.Errorf("%s: packet after an immediate error: %+v", mech, pk)
				}
			}
			// Nothing was left outstanding either: there is nothing to
			// cancel (CancelIoEx: ERROR_NOT_FOUND).
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "CancelIoEx(u, NULL) after a refused receive", th.CancelIoEx(emu.Handle(u), nil), wso.ERROR_NOT_FOUND)
				wantErr(t, "CancelIoEx(tx, ov) after a refused send", th.CancelIoEx(emu.Handle(f.tx), ovs[1]), wso.ERROR_NOT_FOUND)
			})
		}
	})
}

// WSARecv, Note on blocking calls: "Winsock performs an alertable wait in
// this situation, which can be interrupted by an asynchronous procedure
// call (APC) scheduled on the same thread." A user APC and a completion
// routine queued to a thread blocked in a non-overlapped WSARecv both run
// there; the receive keeps waiting, and returns the datagram once it comes
// (docs/windows-behaviour.md lists "assuming completion routines ... never [run]
// inside another Winsock call's alertable wait" as a bug pattern).
func TestBlockingRecvIsAlertable(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B := f.thread("B")
		rx2, rx2Addr := f.udp4(f.A)
		var log routineLog
		var userRan []int
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(rx2, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &emu.Overlapped{}, log.routine(th, "routine", nil)), wso.WSA_IO_PENDING)
		})
		var got string
		var err error
		f.begin(f.A, func(th *emu.Thread) {
			b := make([]byte, 8)
			var n, fl uint32
			err = th.WSARecv(f.rx, []emu.WSABUF{{Len: 8, Buf: b}}, &n, &fl, nil, nil)
			got = string(b[:n])
		})
		f.do(B, func(th *emu.Thread) {
			wantErr(t, "QueueUserAPC", th.QueueUserAPC(func(th *emu.Thread, _ uintptr) { userRan = append(userRan, th.ID()) }, f.A.Handle(), 0), 0)
		})
		if !slices.Equal(userRan, []int{f.A.ID()}) {
			t.Errorf("user APC ran on %v, want once on A inside its blocking receive", userRan)
		}
		f.sendTo(B, f.tx, rx2Addr, "cr")
		if c, ok := log.get("routine"); !ok || c.thread != f.A.ID() {
			t.Errorf("completion routine did not run in the blocking receive's wait: %+v", c)
		}
		if f.idle(f.A) {
			t.Fatal("blocking WSARecv returned after an APC, want it to keep waiting")
		}
		f.sendTo(B, f.tx, f.rxAddr, "payload")
		if !f.idle(f.A) {
			t.Fatal("blocking WSARecv did not return with the datagram")
		}
		if err != nil || got != "payload" {
			t.Errorf("blocking WSARecv: %q, %v", got, err)
		}
	})
}

// echoRun runs, goroutine-driven (System.Go and Run), a client that sends
// n datagrams with overlapped WSASendMsg and completion routines and reads
// each echo with a blocking WSARecv (an alertable wait, in which the
// routines may run), and a server thread that receives with an event
// (WSAWaitForMultipleEvents, then WSAGetOverlappedResult) and echoes back.
// It returns the trace text.
func echoRun(t *testing.T, kind provider.Kind, profile emu.Profile, seed uint64, n int) string {
	s := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithSeed(seed))
	srvAddr := netip.MustParseAddrPort("127.0.0.1:7000")
	_, err := s.Go("client", func(th *emu.Thread) {
		var d emu.WSAData
		wantErr(t, "WSAStartup", th.WSAStartup(0x0202, &d), 0)
		srv, _ := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, 0)
		wantErr(t, "bind server", th.Bind(srv, &srvAddr, 16), 0)
		cli, _ := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, 0)
		la := netip.AddrPortFrom(lo4, 0)
		wantErr(t, "bind client", th.Bind(cli, &la, 16), 0)
		done, _ := th.CreateEvent(true, false)
		th.CreateThread(func(th *emu.Thread) {
			ev, _ := th.WSACreateEvent()
			for range n {
				ov := &emu.Overlapped{HEvent: ev}
				b := make([]byte, 16)
				var from netip.AddrPort
				fromlen := int32(16)
				var fl uint32
				err := th.WSARecvFrom(srv, []emu.WSABUF{{Len: 16, Buf: b}}, nil, &fl, &from, &fromlen, ov, nil)
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("server WSARecvFrom: %v", err)
					return
				}
				th.WSAWaitForMultipleEvents([]emu.Handle{ev}, false, emu.INFINITE, false)
				var got, flags uint32
				if err := th.WSAGetOverlappedResult(srv, ov, &got, false, &flags); err != nil {
					t.Errorf("server result: %v", err)
					return
				}
				var sent uint32
				th.WSASendTo(srv, []emu.WSABUF{{Len: got, Buf: b}}, &sent, 0, &from, 16, nil, nil)
			}
			th.SetEvent(done)
		})
		routines := 0
		for i := range n {
			msg := string(rune('a'+i%26)) + "-echo"
			err := th.WSASendMsg(cli, msgTo(srvAddr, msg), 0, nil, &emu.Overlapped{}, func(e, c uint32, _ *emu.Overlapped, _ uint32) {
				if e != 0 || c != uint32(len(msg)) {
					t.Errorf("send routine %d: %d %d", i, e, c)
				}
				routines++
			})
			if err != nil && err != wso.WSA_IO_PENDING {
				t.Errorf("WSASendMsg: %v", err)
			}
			b := make([]byte, 16)
			var got, fl uint32
			if err := th.WSARecv(cli, []emu.WSABUF{{Len: 16, Buf: b}}, &got, &fl, nil, nil); err != nil || string(b[:got]) != msg {
				t.Errorf("echo %d: %q %v", i, b[:got], err)
			}
		}
		th.WaitForSingleObject(done, emu.INFINITE)
		for routines < n {
			if th.SleepEx(emu.INFINITE, true) != wso.WAIT_IO_COMPLETION {
				break
			}
		}
		if routines != n {
			t.Errorf("%d of %d send routines ran", routines, n)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return s.Trace().String()
}

// The same suite driven by goroutines instead of steps, under a seeded
// Chooser (every open decision, pend, routine order, scheduling and
// preemption, drawn from the seed): the protocol holds on every schedule
// tried, and a seed names one run (DESIGN.md: "A seeded PRNG chooser makes
// runs replayable from a seed").
func TestGoroutineDrivenEcho(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for seed := uint64(1); seed <= 8; seed++ {
			a := echoRun(t, kind, profile, seed, 6)
			if b := echoRun(t, kind, profile, seed, 6); a != b {
				t.Errorf("seed %d: two runs gave different traces", seed)
			}
		}
	})
}
