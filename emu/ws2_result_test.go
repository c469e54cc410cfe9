package emu_test

// LPWSPGETOVERLAPPEDRESULT (seed 003), WSAGetOverlappedResult, the
// WSAOVERLAPPED record (seed 004) and WPUCompleteOverlappedRequest: how
// results are read back, when the event is reset and signalled, and which
// fields each provider kind writes in which order.
//
// Where the kinds differ, each is held to its own documented behaviour:
// a non-IFS provider follows the SPI pages' "typical implementation"
// (Internal = WSS_OPERATION_IN_PROGRESS, OffsetHigh = error, Offset = flags,
// then InternalHigh and Internal from WPUCompleteOverlappedRequest); an IFS
// provider keeps an NTSTATUS in Internal and never writes Offset or
// OffsetHigh (docs/windows-behaviour.md, "Two provider kinds").

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// pendingRecv issues an overlapped WSARecv on th into a fresh 16-byte buffer
// and checks that it pends.
func (f *smFix) pendingRecv(th *emu.Thread, ov *emu.Overlapped, routine emu.WSACompletionRoutine) []byte {
	f.t.Helper()
	b := make([]byte, 16)
	f.do(th, func(th *emu.Thread) {
		var fl uint32
		wantErr(f.t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 16, Buf: b}}, nil, &fl, ov, routine), wso.WSA_IO_PENDING)
	})
	return b
}

// LPWSPGETOVERLAPPEDRESULT, fWait: "If FALSE and the operation is still
// pending, the function returns FALSE and lpErrno is WSA_IO_INCOMPLETE";
// Return value: "On failure, the value pointed to by lpcbTransfer will not
// be updated."
func TestResultIncomplete(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		for _, hEvent := range []bool{true, false} {
			ov := &emu.Overlapped{}
			if hEvent {
				ov.HEvent = f.event(f.A)
			}
			f.pendingRecv(f.A, ov, nil)
			res := f.getResult(f.A, f.rx, ov)
			wantErr(t, "fWait=FALSE while pending", res.err, wso.WSA_IO_INCOMPLETE)
			if res.n != sentinel || res.flags != sentinel {
				t.Errorf("out-parameters written while incomplete: %+v", res)
			}
			f.sendTo(f.A, f.tx, f.rxAddr, "done")
			if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 4 || res.flags != 0 {
				t.Errorf("after completion: %+v, want TRUE, 4 bytes, flags 0", res)
			}
		}
	})
}

// LPWSPGETOVERLAPPEDRESULT, fWait: "If TRUE, the function does not return
// until the operation has been completed", and Remarks: it decides "by
// blocking and waiting for the event object to be in the signaled state".
// docs/windows-behaviour.md: that wait is not alertable (an APC queued meanwhile does
// not run and does not end the call).
func TestResultWaitBlocks(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B := f.thread("B")
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		b := f.pendingRecv(f.A, ov, nil)
		var res result
		f.begin(f.A, func(th *emu.Thread) {
			res.err = th.WSAGetOverlappedResult(f.rx, ov, &res.n, true, &res.flags)
		})
		ran := false
		f.do(B, func(th *emu.Thread) {
			wantErr(t, "QueueUserAPC", th.QueueUserAPC(func(*emu.Thread, uintptr) { ran = true }, f.A.Handle(), 0), 0)
		})
		if f.idle(f.A) || ran {
			t.Fatalf("the fWait=TRUE wait ended or ran an APC (idle=%v ran=%v)", f.idle(f.A), ran)
		}
		f.sendTo(B, f.tx, f.rxAddr, "wake")
		if !f.idle(f.A) {
			t.Fatal("WSAGetOverlappedResult still blocked after completion")
		}
		if res.err != nil || res.n != 4 || string(b[:4]) != "wake" {
			t.Errorf("result %+v buffer %q", res, b[:4])
		}
		if ran {
			t.Error("APC ran in the non-alertable fWait wait")
		}
	})
}

// WSAGetOverlappedResult, WSA_INVALID_HANDLE: "The hEvent parameter of the
// WSAOVERLAPPED structure does not contain a valid event object handle"
// (fWait=TRUE needs one). For hEvent NULL the kinds differ: a non-IFS
// provider has nothing to wait on (WSA_INVALID_HANDLE); for an IFS socket
// ws2_32 waits on the socket handle itself, which the I/O manager signals
// on completion, as kernel32's GetOverlappedResult does.
func TestResultWaitBadEvent(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		ov := &emu.Overlapped{HEvent: emu.Handle(0x7770)}
		f.pendingRecv(f.A, ov, nil)
		var res result
		f.do(f.A, func(th *emu.Thread) {
			res.err = th.WSAGetOverlappedResult(f.rx, ov, &res.n, true, &res.flags)
		})
		wantErr(t, "fWait=TRUE with a bogus hEvent", res.err, wso.WSA_INVALID_HANDLE)

		// Finish the first receive, so that the next one is the socket's
		// only outstanding operation (waiting on the handle cannot tell
		// two apart).
		f.sendTo(f.A, f.tx, f.rxAddr, "one")
		nov := &emu.Overlapped{}
		f.pendingRecv(f.A, nov, nil)
		if f.ifs() {
			f.begin(f.A, func(th *emu.Thread) {
				res.err = th.WSAGetOverlappedResult(f.rx, nov, &res.n, true, &res.flags)
			})
			f.sendTo(f.thread("B"), f.tx, f.rxAddr, "two!")
			if !f.idle(f.A) || res.err != nil || res.n != 4 {
				t.Errorf("IFS, hEvent NULL, fWait=TRUE: idle=%v %+v", f.idle(f.A), res)
			}
		} else {
			f.do(f.A, func(th *emu.Thread) {
				res.err = th.WSAGetOverlappedResult(f.rx, nov, &res.n, true, &res.flags)
			})
			wantErr(t, "non-IFS, hEvent NULL, fWait=TRUE", res.err, wso.WSA_INVALID_HANDLE)
		}
	})
}

// LPWSPGETOVERLAPPEDRESULT, Remarks: "The results reported ... are those of
// the specified socket's last overlapped operation to which the specified
// WSAOverlapped structure was provided". One record used for a receive,
// then a send, then a receive again reports each in turn.
func TestResultLastOperation(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		f.pendingRecv(f.A, ov, nil)
		f.sendTo(f.A, f.tx, f.rxAddr, "abc")
		if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 3 {
			t.Errorf("first (receive): %+v", res)
		}
		f.do(f.A, func(th *emu.Thread) {
			err := th.WSASendTo(f.rx, bufs("fivee"), nil, 0, &f.txAddr, 16, ov, nil)
			if err != nil && err != wso.WSA_IO_PENDING {
				t.Errorf("WSASendTo: %v", err)
			}
		})
		f.settle()
		if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 5 {
			t.Errorf("second (send): %+v", res)
		}
		f.pendingRecv(f.A, ov, nil)
		wantErr(t, "third (receive) pending", f.getResult(f.A, f.rx, ov).err, wso.WSA_IO_INCOMPLETE)
		f.sendTo(f.A, f.tx, f.rxAddr, "ab")
		if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 2 {
			t.Errorf("third (receive): %+v", res)
		}
	})
}

// LPWSPGETOVERLAPPEDRESULT, lpdwFlags: "If the overlapped operation was
// initiated through LPWSPRecv or LPWSPRecvFrom, this parameter will contain
// the results value for lpFlags parameter." A non-IFS provider keeps them
// in Offset (MSG_TRUNC for a truncated datagram, and the failure is
// WSAEMSGSIZE with *lpcbTransfer untouched). An IFS provider never writes
// Offset, so the flags read back are whatever Offset held, and the warning
// status STATUS_BUFFER_OVERFLOW gives WSAEMSGSIZE with *lpcbTransfer = the
// buffer size (docs/windows-behaviour.md, truncated datagram; Internal 0x80000005,
// InternalHigh = buffer size).
func TestResultRecvFlags(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, via := range []string{"WSARecv", "WSARecvFrom"} {
			f := newSM(t, kind, profile)
			ov := &emu.Overlapped{Offset: 0x4000, OffsetHigh: sentinel}
			b := make([]byte, 4)
			var from netip.AddrPort
			fromlen := int32(16)
			f.do(f.A, func(th *emu.Thread) {
				var fl uint32
				wb := []emu.WSABUF{{Len: 4, Buf: b}}
				var err error
				if via == "WSARecv" {
					err = th.WSARecv(f.rx, wb, nil, &fl, ov, nil)
				} else {
					err = th.WSARecvFrom(f.rx, wb, nil, &fl, &from, &fromlen, ov, nil)
				}
				wantErr(t, via, err, wso.WSA_IO_PENDING)
			})
			f.sendTo(f.A, f.tx, f.rxAddr, "truncated")
			res := f.getResult(f.A, f.rx, ov)
			wantErr(t, via+" truncated", res.err, wso.WSAEMSGSIZE)
			if string(b) != "trun" {
				t.Errorf("%s: buffer %q", via, b)
			}
			if via == "WSARecvFrom" && from != f.txAddr {
				t.Errorf("WSARecvFrom: from = %v, want %v", from, f.txAddr)
			}
			if f.ifs() {
				if res.n != 4 || res.flags != 0x4000 {
					t.Errorf("IFS %s: %+v, want 4 bytes and Offset's own value as flags", via, res)
				}
				if st := emu.NTStatus(ov.LoadInternal()); st != wso.STATUS_BUFFER_OVERFLOW || ov.LoadInternalHigh() != 4 {
					t.Errorf("IFS record: Internal %#x InternalHigh %d", uint64(ov.LoadInternal()), ov.LoadInternalHigh())
				}
			} else {
				if res.n != sentinel || res.flags != provider.MSG_TRUNC {
					t.Errorf("non-IFS %s: %+v, want *lpcbTransfer untouched and MSG_TRUNC", via, res)
				}
				if ov.LoadOffsetHigh() != uint32(wso.WSAEMSGSIZE) || ov.LoadOffset() != provider.MSG_TRUNC {
					t.Errorf("non-IFS record: OffsetHigh %d Offset %#x", ov.LoadOffsetHigh(), ov.LoadOffset())
				}
			}
			// A datagram that fits: TRUE, no flags (non-IFS writes 0 to Offset).
			f.do(f.A, func(th *emu.Thread) {
				var fl uint32
				wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: b}}, nil, &fl, ov, nil), wso.WSA_IO_PENDING)
			})
			f.sendTo(f.A, f.tx, f.rxAddr, "fit")
			res = f.getResult(f.A, f.rx, ov)
			wantFlags := uint32(0)
			if f.ifs() {
				wantFlags = 0x4000
			}
			if res.err != nil || res.n != 3 || res.flags != wantFlags {
				t.Errorf("%s fitting datagram: %+v, want 3 bytes, flags %#x", via, res, wantFlags)
			}
		}
	})
}

// WSAGetOverlappedResult on a socket that closesocket has released:
// LPWSPCLOSESOCKET, Remarks: "further references to s should fail with the
// error WSAENOTSOCK"; docs/windows-behaviour.md: ws2_32 checks its socket table before
// reading Internal, so this holds for a finished record too.
func TestResultAfterClose(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		done := &emu.Overlapped{}
		f.pendingRecv(f.A, done, nil)
		f.sendTo(f.A, f.tx, f.rxAddr, "x")
		pending := &emu.Overlapped{HEvent: f.event(f.A)}
		f.pendingRecv(f.A, pending, nil)
		f.do(f.A, func(th *emu.Thread) { wantErr(t, "closesocket", th.Closesocket(f.rx), 0) })
		for name, ov := range map[string]*emu.Overlapped{"finished": done, "aborted": pending} {
			res := f.getResult(f.A, f.rx, ov)
			wantErr(t, name+" record after closesocket", res.err, wso.WSAENOTSOCK)
			if res.n != sentinel {
				t.Errorf("%s: *lpcbTransfer written: %#x", name, res.n)
			}
		}
	})
}

// LPWSPGETOVERLAPPEDRESULT, Remarks: "When an I/O operation is pending, the
// function that started the operation resets the hEvent member ... to the
// nonsignaled state. Then, when the pending operation has been completed,
// the system sets the event object to the signaled state." An event the
// application left signalled is reset by a receive (or send) that pends,
// and signalled again at completion.
func TestResultStartResetsEvent(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		f.do(f.A, func(th *emu.Thread) { wantErr(t, "WSASetEvent", th.WSASetEvent(ev), 0) })
		f.pendingRecv(f.A, ov, nil)
		if f.signalled(ev) {
			t.Error("receive pended but left the event signalled")
		}
		f.sendTo(f.A, f.tx, f.rxAddr, "x")
		f.settle()
		if !f.signalled(ev) {
			t.Error("event not signalled at completion")
		}
		// The same for a send that pends.
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "y"), 0, nil, ov, nil), wso.WSA_IO_PENDING)
		})
		if f.signalled(ev) {
			t.Error("send pended but left the event signalled")
		}
		f.settle()
		if !f.signalled(ev) {
			t.Error("event not signalled at send completion")
		}
	})
}

// The application signals the event itself while the operation is still
// pending, then calls WSAGetOverlappedResult with fWait=TRUE. The kinds
// answer differently, each as its source says:
//   - non-IFS (LPWSPGETOVERLAPPEDRESULT, "typical implementation"): the
//     provider "checks Internal" again after the wait; still in progress, so
//     the call fails with WSA_IO_INCOMPLETE.
//   - IFS (docs/windows-behaviour.md): "fWait=TRUE with the event already signalled
//     returns TRUE without re-reading Internal (Windows quirk)".
//
// Either way the operation itself completes normally afterwards.
func TestResultAppSignalledEvent(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		f.pendingRecv(f.A, ov, nil)
		var res result
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "WSASetEvent", th.WSASetEvent(ev), 0)
			res.n, res.flags = sentinel, sentinel
			res.err = th.WSAGetOverlappedResult(f.rx, ov, &res.n, true, &res.flags)
		})
		if f.ifs() {
			wantErr(t, "IFS quirk: fWait=TRUE, event set by the app", res.err, 0)
		} else {
			wantErr(t, "non-IFS: fWait=TRUE, event set by the app", res.err, wso.WSA_IO_INCOMPLETE)
			if res.n != sentinel {
				t.Errorf("non-IFS: *lpcbTransfer written on failure: %#x", res.n)
			}
		}
		if ov.LoadInternal() != 0x103 {
			t.Errorf("Internal = %#x, want still pending (0x103)", uint64(ov.LoadInternal()))
		}
		f.sendTo(f.A, f.tx, f.rxAddr, "real")
		if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 4 {
			t.Errorf("after the real completion: %+v", res)
		}
	})
}

// fieldOrderCase is one way of completing an operation whose field writes
// are checked.
type fieldOrderCase struct {
	name string
	// run issues the operation on ov and drives it to completion; it
	// returns the mark the field writes of the completion start from.
	run func(t *testing.T, f *smFix, ov *emu.Overlapped) (completion int)
}

// WPUCompleteOverlappedRequest, Remarks: it "sets the InternalHigh member
// ... to the count of bytes transferred. Then, it sets the Internal member
// ..."; "the InternalHigh value (byte count) is guaranteed to be set by the
// time Internal is set". LPWSPGETOVERLAPPEDRESULT, typical implementation:
// at the start "the service provider sets Internal to
// WSS_OPERATION_IN_PROGRESS"; at completion it "sets OffsetHigh to the
// Windows Sockets 2 error code ..., sets Offset to the flags ..., and calls
// WPUCompleteOverlappedRequest". The trace's field writes show exactly
// that order for a non-IFS provider. An IFS provider writes Internal
// (STATUS_PENDING) at the start and InternalHigh then Internal at the end,
// and never Offset or OffsetHigh (WSAOVERLAPPED: Offset/OffsetHigh
// "Reserved for use by service providers"; docs/windows-behaviour.md). The
// completion is announced (event, routine, packet) only once the status
// block is written; under the docs profile an IFS handle bound to a port
// has its status block written when the packet is taken (emu's
// ProfileDifferences, I/O Completion Ports page).
func TestFieldWriteOrder(t *testing.T) {
	cases := []fieldOrderCase{
		{"recv-event", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			ov.HEvent = f.event(f.A)
			f.pendingRecv(f.A, ov, nil)
			m := f.mark()
			f.sendTo(f.A, f.tx, f.rxAddr, "abc")
			return m
		}},
		{"recv-poll", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			f.pendingRecv(f.A, ov, nil)
			m := f.mark()
			f.sendTo(f.A, f.tx, f.rxAddr, "abc")
			return m
		}},
		{"recv-routine", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			f.pendingRecv(f.A, ov, func(uint32, uint32, *emu.Overlapped, uint32) {})
			m := f.mark()
			f.sendTo(f.A, f.tx, f.rxAddr, "abc")
			f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
			return m
		}},
		{"recv-port", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			p := f.port(f.A, f.rx, 7)
			f.pendingRecv(f.A, ov, nil)
			m := f.mark()
			f.sendTo(f.A, f.tx, f.rxAddr, "abc")
			if _, ok := f.dequeue(f.A, p); !ok {
				t.Error("no packet")
			}
			return m
		}},
		{"recv-truncated", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			f.do(f.A, func(th *emu.Thread) {
				var fl uint32
				wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 2, Buf: make([]byte, 2)}}, nil, &fl, ov, nil), wso.WSA_IO_PENDING)
			})
			m := f.mark()
			f.sendTo(f.A, f.tx, f.rxAddr, "abc")
			return m
		}},
		{"recv-cancelled", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			f.pendingRecv(f.A, ov, nil)
			m := f.mark()
			f.do(f.A, func(th *emu.Thread) { wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(f.rx), ov), 0) })
			return m
		}},
		{"send-pending", func(t *testing.T, f *smFix, ov *emu.Overlapped) int {
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "abc"), 0, nil, ov, nil), wso.WSA_IO_PENDING)
			})
			m := f.mark()
			f.settle()
			return m
		}},
	}
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var opts []emu.Option
				if c.name == "send-pending" {
					opts = append(opts, pendAlways())
				}
				f := newSM(t, kind, profile, opts...)
				ov := &emu.Overlapped{Offset: sentinel, OffsetHigh: sentinel}
				start := f.mark()
				m := c.run(t, f, ov)
				begin := names(f.fieldWritesIn(ov, start, m))
				end := f.fieldWrites(ov, m)
				if !slices.Equal(begin, []string{"Internal"}) {
					t.Errorf("writes at issue: %v, want [Internal]", begin)
				}
				if f.ifs() {
					if !slices.Equal(names(end), []string{"InternalHigh", "Internal"}) {
						t.Errorf("IFS writes at completion: %v, want [InternalHigh Internal]", names(end))
					}
					if ov.Offset != sentinel || ov.OffsetHigh != sentinel {
						t.Errorf("IFS wrote Offset/OffsetHigh: %#x/%#x", ov.Offset, ov.OffsetHigh)
					}
				} else {
					if !slices.Equal(names(end), []string{"OffsetHigh", "Offset", "InternalHigh", "Internal"}) {
						t.Errorf("non-IFS writes at completion: %v, want [OffsetHigh Offset InternalHigh Internal]", names(end))
					}
				}
				if len(end) > 0 && end[len(end)-1].New == 0x103 {
					t.Error("Internal left at the in-progress value")
				}
				// The completion notice comes after the status block is
				// written: WPUCompleteOverlappedRequest (non-IFS, not for
				// routines) or the I/O manager's completion (IFS).
				var evs []emu.Event
				for i := m; i < f.s.Trace().Len(); i++ {
					evs = append(evs, *f.s.Trace().At(i))
				}
				id := f.s.OverlappedID(ov)
				lastField, completeAt, wpu := -1, -1, 0
				for i, e := range evs {
					if e.Kind == emu.EvField && e.Ov == id {
						lastField = i
					}
					if e.Kind == emu.EvComplete && e.Ov == id {
						completeAt = i
						if e.Name == "WPUCompleteOverlappedRequest" {
							wpu++
						}
					}
				}
				routine := c.name == "recv-routine"
				if f.ifs() && profile == emu.ProfileDocs && c.name == "recv-port" {
					// The docs profile follows the I/O Completion Ports
					// page for an IFS handle bound to a port: the status
					// block is written when the packet is taken, so the
					// writes come after the completion and with the
					// dequeue.
					dequeuedAt := -1
					for i, e := range evs {
						if e.Kind == emu.EvPacketDequeued && e.Ov == id {
							dequeuedAt = i
						}
					}
					if completeAt < 0 || lastField < completeAt || dequeuedAt < lastField {
						t.Errorf("IFS docs, port: complete at %d, writes up to %d, dequeue at %d", completeAt, lastField, dequeuedAt)
					}
					return
				}
				switch {
				case !f.ifs() && routine && wpu != 0:
					t.Error("non-IFS: WPUCompleteOverlappedRequest used for a completion routine (WPUQueueApc's job)")
				case !f.ifs() && !routine && wpu != 1:
					t.Errorf("non-IFS: WPUCompleteOverlappedRequest called %d times", wpu)
				case (f.ifs() || !routine) && completeAt < lastField:
					t.Errorf("completion event at %d before the last field write at %d", completeAt, lastField)
				}
			})
		}
	})
}

// WSAOVERLAPPED, hEvent: without a completion routine it "should either
// contain a valid handle to a WSAEVENT object or be null". With an event the
// event is signalled at completion; with NULL the application polls
// WSAGetOverlappedResult (fWait=FALSE) until it reports the result.
func TestOverlappedHEventNullOrEvent(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			ev := f.event(f.A)
			withEv := &emu.Overlapped{HEvent: ev}
			null := &emu.Overlapped{}
			f.do(f.A, func(th *emu.Thread) {
				for _, ov := range []*emu.Overlapped{withEv, null} {
					err := th.WSASendMsg(f.tx, msgTo(f.rxAddr, "ev"), 0, nil, ov, nil)
					if err != nil && err != wso.WSA_IO_PENDING {
						t.Errorf("WSASendMsg: %v", err)
					}
				}
			})
			if pend {
				wantErr(t, "poll while pending", f.getResult(f.A, f.tx, null).err, wso.WSA_IO_INCOMPLETE)
				if f.signalled(ev) {
					t.Error("event signalled while pending")
				}
				f.settle()
			}
			if !f.signalled(ev) {
				t.Error("event not signalled at completion")
			}
			for _, ov := range []*emu.Overlapped{withEv, null} {
				if res := f.getResult(f.A, f.tx, ov); res.err != nil || res.n != 2 {
					t.Errorf("pend=%v: result %+v", pend, res)
				}
			}
		}
	})
}

// WSAOVERLAPPED, hEvent: "If the lpCompletionRoutine parameter of the call
// is non-null then applications are free to use this parameter as
// necessary" (WSASendMsg: "the hEvent parameter is ignored and can be used
// by the application to pass context information"). A bogus value works; a
// real event handle put there is neither reset at issue nor signalled at
// completion; the routine receives the record with hEvent as it was.
func TestOverlappedHEventFreeWithRoutine(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			on, off := f.event(f.A), f.event(f.A)
			f.do(f.A, func(th *emu.Thread) { th.WSASetEvent(on) })
			var log routineLog
			ovs := []*emu.Overlapped{{HEvent: emu.Handle(0xC0FFEE)}, {HEvent: on}, {HEvent: off}, {HEvent: off | 1}}
			f.do(f.A, func(th *emu.Thread) {
				for i, ov := range ovs {
					err := th.WSASendMsg(f.tx, msgTo(f.rxAddr, "ctx"), 0, nil, ov, log.routine(th, string(rune('0'+i)), nil))
					if err != nil && err != wso.WSA_IO_PENDING {
						t.Errorf("WSASendMsg %d: %v", i, err)
					}
				}
				// A receive with a routine and an event handle as context.
				var fl uint32
				err := th.WSARecv(f.rx, []emu.WSABUF{{Len: 8, Buf: make([]byte, 8)}}, nil, &fl, &emu.Overlapped{HEvent: off}, log.routine(th, "r", nil))
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("WSARecv: %v", err)
				}
			})
			if !f.signalled(on) || f.signalled(off) {
				t.Errorf("after issue: on=%v off=%v, want the events untouched", f.signalled(on), f.signalled(off))
			}
			f.settle()
			f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
			if len(log.calls) != 5 {
				t.Fatalf("routines ran: %v", log.tags())
			}
			for _, c := range log.calls {
				if c.err != 0 {
					t.Errorf("routine %s: dwError %d", c.tag, c.err)
				}
			}
			if !f.signalled(on) || f.signalled(off) {
				t.Errorf("after completion: on=%v off=%v, want the events untouched", f.signalled(on), f.signalled(off))
			}
			for i, ov := range ovs {
				if want := []emu.Handle{0xC0FFEE, on, off, off | 1}[i]; ov.HEvent != want {
					t.Errorf("hEvent %d changed to %#x", i, uint64(ov.HEvent))
				}
			}
		}
	})
}

// WSAOVERLAPPED, Offset/OffsetHigh: "Reserved for use by service providers";
// docs/windows-behaviour.md: an IFS provider never writes them for sockets. Sentinels
// put there survive success, truncation, error and cancellation; a non-IFS
// provider uses them for the error and the flags.
func TestOverlappedIFSLeavesOffsets(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		mk := func() *emu.Overlapped { return &emu.Overlapped{Offset: sentinel, OffsetHigh: sentinel} }
		okOv, truncOv, cancelOv, resetOv, shutOv := mk(), mk(), mk(), mk(), mk()
		f.pendingRecv(f.A, okOv, nil)
		f.sendTo(f.A, f.tx, f.rxAddr, "ok")
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 1, Buf: make([]byte, 1)}}, nil, &fl, truncOv, nil), wso.WSA_IO_PENDING)
		})
		f.sendTo(f.A, f.tx, f.rxAddr, "long")
		f.pendingRecv(f.A, cancelOv, nil)
		f.do(f.A, func(th *emu.Thread) { wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(f.rx), cancelOv), 0) })
		// Port unreachable on the sender's pending receive.
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(f.tx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, resetOv, nil), wso.WSA_IO_PENDING)
			dead := netip.MustParseAddrPort("127.0.0.1:9")
			var sent uint32
			wantErr(t, "send to a dead port", th.WSASendTo(f.tx, bufs("x"), &sent, 0, &dead, 16, nil, nil), 0)
		})
		f.pendingRecv(f.A, shutOv, nil)
		f.do(f.A, func(th *emu.Thread) { wantErr(t, "shutdown", th.Shutdown(f.rx, provider.SD_RECEIVE), 0) })
		want := map[string]struct {
			ov    *emu.Overlapped
			err   emu.Errno
			flags uint32
		}{
			"success":   {okOv, 0, 0},
			"truncated": {truncOv, wso.WSAEMSGSIZE, provider.MSG_TRUNC},
			"cancelled": {cancelOv, wso.WSA_OPERATION_ABORTED, 0},
			"reset":     {resetOv, wso.WSAECONNRESET, 0},
			"shutdown":  {shutOv, wso.WSAESHUTDOWN, 0},
		}
		if profile == emu.ProfileWindows {
			// Windows keeps a receive pending across shutdown (Wine's
			// sock.c, test_shutdown): it ends with the next datagram.
			f.sendTo(f.A, f.tx, f.rxAddr, "late")
			want["shutdown"] = struct {
				ov    *emu.Overlapped
				err   emu.Errno
				flags uint32
			}{shutOv, 0, 0}
		}
		for name, w := range want {
			if w.ov.LoadInternal() == 0x103 {
				t.Errorf("%s: still pending", name)
				continue
			}
			if f.ifs() {
				if w.ov.Offset != sentinel || w.ov.OffsetHigh != sentinel {
					t.Errorf("IFS %s: Offset %#x OffsetHigh %#x, want untouched", name, w.ov.Offset, w.ov.OffsetHigh)
				}
			} else if w.ov.OffsetHigh != uint32(w.err) || w.ov.Offset != w.flags {
				t.Errorf("non-IFS %s: OffsetHigh %d Offset %#x, want %d and %#x", name, w.ov.OffsetHigh, w.ov.Offset, w.err, w.flags)
			}
			s := f.rx
			if name == "reset" {
				s = f.tx
			}
			wantErr(t, name+" result", f.getResult(f.A, s, w.ov).err, w.err)
		}
	})
}
