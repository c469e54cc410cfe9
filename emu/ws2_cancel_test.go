package emu_test

// Cancellation and close: closesocket (LPWSPCLOSESOCKET), CancelIo,
// CancelIoEx, thread exit (the "All I/O initiated by a given thread is
// canceled when that thread exits" note of WSASendMsg,
// LPWSPGETOVERLAPPEDRESULT and WSAGetOverlappedResult) and shutdown.

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// aborted reports whether a record shows an operation that failed with
// WSA_OPERATION_ABORTED, read the way its provider kind writes it: an IFS
// record holds STATUS_CANCELLED in Internal; a non-IFS record holds the
// WSA error in OffsetHigh (LPWSPGETOVERLAPPEDRESULT, typical
// implementation). Either way no bytes were transferred.
func (r *w2) aborted(ov *emu.Overlapped) bool {
	if ov.LoadInternal() == 0x103 || ov.LoadInternalHigh() != 0 {
		return false
	}
	if r.ifs() {
		return emu.NTStatus(ov.LoadInternal()) == wso.STATUS_CANCELLED
	}
	return emu.Errno(ov.LoadOffsetHigh()) == wso.WSA_OPERATION_ABORTED
}

func pending(ov *emu.Overlapped) bool { return ov.LoadInternal() == 0x103 }

// LPWSPCLOSESOCKET, Remarks: "Any pending overlapped operations issued by
// any thread in this process are also canceled. Whatever completion action
// was specified for these overlapped operations is performed (for example,
// event, completion routine, or completion port). In this case, the pending
// overlapped operations fail with the error status WSA_OPERATION_ABORTED."
// Receives pending from three threads, each with its own mechanism, are all
// aborted by a fourth thread's closesocket; the routine runs on its own
// thread's next alertable wait. "Any blocking ... calls pending on the
// socket ... are canceled": a blocking receive on a fifth thread returns,
// with WSAEINTR (what Windows reports for a blocking call interrupted this
// way).
func TestCloseCancelsEveryThreadsIO(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B, C, D, E := f.thread("B"), f.thread("C"), f.thread("D"), f.thread("E")
		var log routineLog
		routineOv := &emu.Overlapped{HEvent: emu.Handle(0xC7)}
		ev := f.event(B)
		eventOv := &emu.Overlapped{HEvent: ev}
		pollOv := &emu.Overlapped{}
		f.do(f.A, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "A WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, routineOv, log.routine(th, "A", nil)), wso.WSA_IO_PENDING)
		})
		f.pendingRecv(B, eventOv, nil)
		f.pendingRecv(C, pollOv, nil)
		var blockErr error
		f.begin(D, func(th *emu.Thread) {
			var n, fl uint32
			blockErr = th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, &n, &fl, nil, nil)
		})
		f.do(E, func(th *emu.Thread) { wantErr(t, "closesocket", th.Closesocket(f.rx), 0) })
		if !f.signalled(ev) {
			t.Error("event mechanism: not signalled by closesocket")
		}
		for name, ov := range map[string]*emu.Overlapped{"event": eventOv, "poll": pollOv, "routine": routineOv} {
			if !f.aborted(ov) {
				t.Errorf("%s: record %+v, want WSA_OPERATION_ABORTED", name, ov.Snapshot())
			}
		}
		if !f.idle(D) {
			t.Fatal("blocking receive still blocked after closesocket")
		}
		wantErr(t, "blocking WSARecv interrupted by closesocket", blockErr, wso.WSAEINTR)
		if len(log.calls) != 0 {
			t.Error("routine ran before its thread waited alertably")
		}
		f.do(E, func(th *emu.Thread) { th.SleepEx(0, true) })
		if len(log.calls) != 0 {
			t.Error("routine ran on the thread that closed the socket")
		}
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		if c, ok := log.get("A"); !ok || c.err != uint32(wso.WSA_OPERATION_ABORTED) || c.n != 0 || c.thread != f.A.ID() {
			t.Errorf("routine %+v (called=%v)", c, ok)
		}
		// The handle is gone: WSAENOTSOCK from now on.
		wantErr(t, "WSAGetOverlappedResult after close", f.getResult(C, f.rx, pollOv).err, wso.WSAENOTSOCK)
		wantErr(t, "closesocket again", func() (err error) {
			f.do(E, func(th *emu.Thread) { err = th.Closesocket(f.rx) })
			return
		}(), wso.WSAENOTSOCK)
	})
}

// LPWSPCLOSESOCKET, as above, for the completion-port mechanism: one packet
// per aborted operation, carrying the record and ERROR_OPERATION_ABORTED
// (995), whichever thread issued it.
func TestCloseCancelsPortIO(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B := f.thread("B")
		p := f.port(f.A, f.rx, 0x42)
		ova, ovb := &emu.Overlapped{}, &emu.Overlapped{}
		f.pendingRecv(f.A, ova, nil)
		f.pendingRecv(B, ovb, nil)
		f.do(B, func(th *emu.Thread) { wantErr(t, "closesocket", th.Closesocket(f.rx), 0) })
		got := map[*emu.Overlapped]bool{}
		for range 2 {
			pk, ok := f.dequeue(f.A, p)
			if !ok {
				t.Fatal("missing packet")
			}
			wantErr(t, "packet status", pk.err, wso.ERROR_OPERATION_ABORTED)
			if pk.key != 0x42 || pk.n != 0 {
				t.Errorf("packet %+v", pk)
			}
			got[pk.ov] = true
		}
		if !got[ova] || !got[ovb] {
			t.Errorf("packets for %v, want both records", got)
		}
		if pk, ok := f.dequeue(f.A, p); ok {
			t.Errorf("extra packet %+v", pk)
		}
	})
}

// CancelIoEx: with lpOverlapped it cancels that one request; with NULL,
// every request on the handle, whichever thread issued it; "If there are
// no operations pending for the specified file handle and overlapped
// structure, the function fails and GetLastError returns ERROR_NOT_FOUND".
// Each cancelled receive completes through its mechanism with
// WSA_OPERATION_ABORTED; WSAGetOverlappedResult reports 995 (non-IFS:
// *lpcbTransfer not updated on failure; IFS: the byte count, 0, is
// written).
func TestCancelIoEx(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B, C := f.thread("B"), f.thread("C")
		ev1, ev2, ev3 := f.event(f.A), f.event(f.A), f.event(B)
		ov1, ov2, ov3 := &emu.Overlapped{HEvent: ev1}, &emu.Overlapped{HEvent: ev2}, &emu.Overlapped{HEvent: ev3}
		f.pendingRecv(f.A, ov1, nil)
		b2 := f.pendingRecv(f.A, ov2, nil)
		f.pendingRecv(B, ov3, nil)
		// One.
		f.do(C, func(th *emu.Thread) { wantErr(t, "CancelIoEx(s, ov1)", th.CancelIoEx(emu.Handle(f.rx), ov1), 0) })
		if !f.signalled(ev1) || !f.aborted(ov1) {
			t.Errorf("ov1 not aborted: %+v", ov1.Snapshot())
		}
		if f.signalled(ev2) || f.signalled(ev3) || !pending(ov2) || !pending(ov3) {
			t.Error("CancelIoEx(s, ov1) touched other operations")
		}
		res := f.getResult(f.A, f.rx, ov1)
		wantErr(t, "result of ov1", res.err, wso.WSA_OPERATION_ABORTED)
		if f.ifs() && res.n != 0 || !f.ifs() && res.n != sentinel {
			t.Errorf("*lpcbTransfer = %#x", res.n)
		}
		// Not found: a record that is not pending.
		f.do(C, func(th *emu.Thread) {
			wantErr(t, "CancelIoEx(s, finished ov1)", th.CancelIoEx(emu.Handle(f.rx), ov1), wso.ERROR_NOT_FOUND)
			wantErr(t, "CancelIoEx(s, unknown record)", th.CancelIoEx(emu.Handle(f.rx), &emu.Overlapped{}), wso.ERROR_NOT_FOUND)
		})
		// The next datagram goes to the oldest receive still waiting.
		f.sendTo(C, f.tx, f.rxAddr, "two")
		if r := f.getResult(f.A, f.rx, ov2); r.err != nil || r.n != 3 || string(b2[:3]) != "two" {
			t.Errorf("ov2 after the cancel of ov1: %+v %q", r, b2[:3])
		}
		// All, any thread's: C cancels B's.
		f.pendingRecv(f.A, ov1, nil)
		f.do(C, func(th *emu.Thread) { wantErr(t, "CancelIoEx(s, NULL)", th.CancelIoEx(emu.Handle(f.rx), nil), 0) })
		for i, ov := range []*emu.Overlapped{ov1, ov3} {
			if !f.aborted(ov) {
				t.Errorf("CancelIoEx(s, NULL): record %d not aborted: %+v", i, ov.Snapshot())
			}
		}
		if !f.signalled(ev3) {
			t.Error("B's event not signalled")
		}
		f.do(C, func(th *emu.Thread) {
			wantErr(t, "CancelIoEx(s, NULL) with nothing pending", th.CancelIoEx(emu.Handle(f.rx), nil), wso.ERROR_NOT_FOUND)
		})
	})
}

// CancelIo: it cancels "all pending input and output (I/O) operations that
// are issued by the calling thread for the specified file"; another
// thread's receive on the same socket stays pending and later completes
// with data.
func TestCancelIoCallingThreadOnly(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B := f.thread("B")
		ova, ovb := &emu.Overlapped{}, &emu.Overlapped{}
		f.pendingRecv(f.A, ova, nil)
		bb := f.pendingRecv(B, ovb, nil)
		f.do(f.A, func(th *emu.Thread) { wantErr(t, "CancelIo", th.CancelIo(emu.Handle(f.rx)), 0) })
		if !f.aborted(ova) {
			t.Errorf("A's receive not aborted: %+v", ova.Snapshot())
		}
		if !pending(ovb) {
			t.Fatalf("B's receive touched by A's CancelIo: %+v", ovb.Snapshot())
		}
		f.sendTo(f.A, f.tx, f.rxAddr, "bee")
		if r := f.getResult(B, f.rx, ovb); r.err != nil || r.n != 3 || string(bb[:3]) != "bee" {
			t.Errorf("B's receive: %+v %q", r, bb[:3])
		}
	})
}

// docs/windows-behaviour.md, "a cancelled operation may still complete successfully"
// (cancellation does not always win the race with completion): a pending
// in-memory send has already transmitted, so CancelIoEx finds it (TRUE) but
// it completes with its full count. Under a Chooser that leaves the cancel
// of an IFS request under way (PointCancel), a datagram arriving first
// completes the receive with data and the late cancel does nothing; a
// non-IFS provider cancels at once. Either way exactly one completion is
// reported.
func TestCancelLosesRace(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		t.Run("send", func(t *testing.T) {
			f := newSM(t, kind, profile, pendAlways())
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "won"), 0, nil, ov, nil), wso.WSA_IO_PENDING)
				wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(f.tx), ov), 0)
			})
			f.settle()
			if r := f.getResult(f.A, f.tx, ov); r.err != nil || r.n != 3 {
				t.Errorf("cancelled send: %+v, want its full count", r)
			}
			if d, _, _ := f.recvNow(f.A, f.rx, 8); d != "won" {
				t.Errorf("received %q", d)
			}
		})
		t.Run("recv", func(t *testing.T) {
			f := newSM(t, kind, profile, emu.WithChooser(emu.FuncChooser(func(p emu.Point, n int) int {
				if p == emu.PointCancel {
					return 1
				}
				return 0
			})))
			p := f.port(f.A, f.rx, 5)
			ov := &emu.Overlapped{}
			b := f.pendingRecv(f.A, ov, nil)
			f.do(f.A, func(th *emu.Thread) { wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(f.rx), ov), 0) })
			f.sendTo(f.A, f.tx, f.rxAddr, "fast")
			f.settle()
			pk, ok := f.dequeue(f.A, p)
			if !ok {
				t.Fatal("no completion")
			}
			if f.ifs() {
				if pk.err != nil || pk.n != 4 || string(b[:4]) != "fast" {
					t.Errorf("IFS: completion %+v %q, want the data (the cancel was still under way)", pk, b[:4])
				}
			} else {
				wantErr(t, "non-IFS: cancel at once", pk.err, wso.ERROR_OPERATION_ABORTED)
			}
			if pk, ok := f.dequeue(f.A, p); ok {
				t.Errorf("second completion %+v", pk)
			}
		})
	})
}

// WSASendMsg (and LPWSPGETOVERLAPPEDRESULT), Note: "All I/O initiated by a
// given thread is canceled when that thread exits. For overlapped sockets,
// pending asynchronous operations can fail if the thread is closed before
// the operations complete." The docs profile cancels (the receive fails
// with WSA_OPERATION_ABORTED through its event); the windows profile
// follows Vista and later (docs/windows-behaviour.md, Thread exit): the receive stays
// pending and completes normally when data arrives.
func TestThreadExitPendingIO(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		B := f.thread("B")
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		b := make([]byte, 8)
		f.do(B, func(th *emu.Thread) {
			var fl uint32
			wantErr(t, "WSARecv", th.WSARecv(f.rx, []emu.WSABUF{{Len: 8, Buf: b}}, nil, &fl, ov, nil), wso.WSA_IO_PENDING)
			th.ExitThread(3)
		})
		if !B.Exited() {
			t.Fatal("B did not exit")
		}
		if profile == emu.ProfileDocs {
			if !f.signalled(ev) || !f.aborted(ov) {
				t.Fatalf("docs: receive not aborted by the thread's exit: %+v", ov.Snapshot())
			}
			wantErr(t, "docs: result", f.getResult(f.A, f.rx, ov).err, wso.WSA_OPERATION_ABORTED)
			return
		}
		if f.signalled(ev) || !pending(ov) {
			t.Fatalf("windows: receive touched by the thread's exit: %+v", ov.Snapshot())
		}
		f.sendTo(f.A, f.tx, f.rxAddr, "later")
		if !f.signalled(ev) {
			t.Fatal("windows: receive did not complete after its thread exited")
		}
		if r := f.getResult(f.A, f.rx, ov); r.err != nil || r.n != 5 || string(b[:5]) != "later" {
			t.Errorf("windows: %+v %q", r, b[:5])
		}
	})
}

// WSARecv, WSAESHUTDOWN: "it is not possible to call WSARecv on a socket
// after shutdown has been invoked with how set to SD_RECEIVE or SD_BOTH".
// Receives already pending then fail with WSAESHUTDOWN through their
// mechanism (docs profile; on Windows they stay pending); later receives
// fail at once. SD_SEND leaves receives alone.
func TestShutdownReceive(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, how := range []int32{provider.SD_RECEIVE, provider.SD_BOTH, provider.SD_SEND} {
			f := newSM(t, kind, profile)
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			f.pendingRecv(f.A, ov, nil)
			f.do(f.A, func(th *emu.Thread) { wantErr(t, "shutdown", th.Shutdown(f.rx, how), 0) })
			if how == provider.SD_SEND {
				if f.signalled(ev) || !pending(ov) {
					t.Error("SD_SEND completed a pending receive")
				}
				f.sendTo(f.A, f.tx, f.rxAddr, "ok")
				if r := f.getResult(f.A, f.rx, ov); r.err != nil || r.n != 2 {
					t.Errorf("SD_SEND: receive %+v", r)
				}
				continue
			}
			if profile == emu.ProfileWindows {
				// Wine's sock.c, test_shutdown: on Windows the pending
				// receive survives and gets the next datagram.
				if f.signalled(ev) || !pending(ov) {
					t.Errorf("how=%d: windows: shutdown completed a pending receive", how)
				}
				f.sendTo(f.A, f.tx, f.rxAddr, "late")
				if r := f.getResult(f.A, f.rx, ov); r.err != nil || r.n != 4 {
					t.Errorf("how=%d: windows: pending receive after shutdown %+v", how, r)
				}
			} else {
				if !f.signalled(ev) {
					t.Errorf("how=%d: pending receive not completed", how)
				}
				wantErr(t, "pending receive after shutdown", f.getResult(f.A, f.rx, ov).err, wso.WSAESHUTDOWN)
			}
			f.do(f.A, func(th *emu.Thread) {
				var fl uint32
				wantErr(t, "new receive after shutdown", th.WSARecv(f.rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &emu.Overlapped{}, nil), wso.WSAESHUTDOWN)
			})
			// Datagrams sent to it are not queued.
			f.sendTo(f.A, f.tx, f.rxAddr, "lost")
			if n := f.queued(f.A, f.rx); n != 0 {
				t.Errorf("how=%d: %d bytes queued after shutdown", how, n)
			}
		}
	})
}
