package emu_test

import (
	"math"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The AFD poll's tests follow what Wine's dlls/ws2_32/tests/afd.c asserts
// without todo_wine (so on Windows): test_poll, test_poll_exclusive.

// afdInfo is a one-entry poll of s for events.
func afdInfo(timeout int64, exclusive bool, entries ...emu.AFD_POLL_HANDLE_INFO) *emu.AFD_POLL_INFO {
	in := &emu.AFD_POLL_INFO{Timeout: timeout, NumberOfHandles: uint32(len(entries)), Handles: entries}
	if exclusive {
		in.Exclusive = 1
	}
	return in
}

func entry(s emu.SOCKET, events uint32) emu.AFD_POLL_HANDLE_INFO {
	return emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(s), Events: events}
}

const afdWait = -1000 * 10000 // one second, relative, as test_poll waits

// afdPoll issues a poll on h with in and a fresh output buffer.
func (r *w2) afdPoll(th *emu.Thread, h, ev emu.Handle, iosb *emu.Overlapped, in *emu.AFD_POLL_INFO) (emu.NTStatus, *emu.AFD_POLL_INFO) {
	r.t.Helper()
	out := &emu.AFD_POLL_INFO{Handles: make([]emu.AFD_POLL_HANDLE_INFO, len(in.Handles))}
	var st emu.NTStatus
	r.do(th, func(th *emu.Thread) {
		var err error
		st, err = th.NtDeviceIoControlFile(h, ev, iosb, emu.IOCTL_AFD_POLL, in, out)
		if err != nil {
			r.t.Fatalf("NtDeviceIoControlFile: %v", err)
		}
	})
	return st, out
}

func wantAfd(t *testing.T, what string, iosb *emu.Overlapped, out *emu.AFD_POLL_INFO, status emu.NTStatus, want ...emu.AFD_POLL_HANDLE_INFO) {
	t.Helper()
	if got := emu.NTStatus(iosb.LoadInternal()); got != status {
		t.Errorf("%s: IO_STATUS_BLOCK.Status %v, want %v", what, got, status)
	}
	w := uintptr(provider.AFD_POLL_INFO_HEADER + len(want)*provider.AFD_POLL_HANDLE_INFO_SIZE)
	if status == wso.STATUS_CANCELLED {
		w = 0
	}
	if got := iosb.LoadInternalHigh(); got != w {
		t.Errorf("%s: Information %d, want %d", what, got, w)
	}
	if int(out.NumberOfHandles) != len(want) {
		t.Fatalf("%s: NumberOfHandles %d, want %d (%+v)", what, out.NumberOfHandles, len(want), out.Handles)
	}
	for i, w := range want {
		if out.Handles[i] != w {
			t.Errorf("%s: entry %d is %+v, want %+v", what, i, out.Handles[i], w)
		}
	}
}

// test_poll: a connected socket has AFD_POLL_SEND|AFD_POLL_CONNECT at once;
// data arriving completes a waiting AFD_POLL_RECEIVE poll through the
// completion port, the packet carrying the status block as its overlapped
// pointer and Information as its byte count.
func TestAfdPollReceiveThroughPort(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		var io emu.Overlapped
		st, out := r.afdPoll(r.A, emu.Handle(c), 0, &io, afdInfo(afdWait, false, entry(c, math.MaxUint32)))
		if st != wso.STATUS_SUCCESS {
			t.Fatalf("poll of a connected socket: %v, want STATUS_SUCCESS at once", st)
		}
		wantAfd(t, "connected", &io, out, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_SEND | emu.AFD_POLL_CONNECT})

		port := r.port(r.A, c, 7)
		st, out = r.afdPoll(r.A, emu.Handle(c), 0, &io, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_RECEIVE)))
		if st != wso.STATUS_PENDING {
			t.Fatalf("poll for RECEIVE with nothing queued: %v, want STATUS_PENDING", st)
		}
		if _, ok := r.dequeue(r.A, port); ok {
			t.Fatalf("a packet before any data arrived")
		}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "send", th.WSASend(s, bufs("data"), &n, 0, nil, nil), 0)
		})
		r.settle()
		pk, ok := r.dequeue(r.A, port)
		if !ok || pk.ov != &io || pk.key != 7 || pk.n != provider.AFD_POLL_INFO_HEADER+provider.AFD_POLL_HANDLE_INFO_SIZE || pk.err != nil {
			t.Fatalf("packet %+v (ok %v), want the status block, key 7, one entry's Information", pk, ok)
		}
		wantAfd(t, "data", &io, out, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_RECEIVE})
		if out.Timeout != afdWait {
			t.Errorf("output Timeout %d, want the input's", out.Timeout)
		}
	})
}

// test_poll: Timeout 0 completes at once with STATUS_SUCCESS and no
// entries; an expiring Timeout completes with STATUS_TIMEOUT and none.
func TestAfdPollTimeout(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, _ := r.listener(lo4)
		var io emu.Overlapped
		st, out := r.afdPoll(r.A, emu.Handle(l), 0, &io, afdInfo(0, false, entry(l, math.MaxUint32)))
		if st != wso.STATUS_SUCCESS {
			t.Fatalf("Timeout 0: %v, want STATUS_SUCCESS", st)
		}
		wantAfd(t, "Timeout 0", &io, out, wso.STATUS_SUCCESS)
		ev := r.event(r.A)
		st, out = r.afdPoll(r.A, emu.Handle(l), ev, &io, afdInfo(-100*10000, false, entry(l, math.MaxUint32)))
		if st != wso.STATUS_PENDING {
			t.Fatalf("Timeout 100 ms: %v, want STATUS_PENDING", st)
		}
		w := r.thread("W")
		r.begin(w, func(th *emu.Thread) {
			if res, err := th.WaitForSingleObject(ev, emu.INFINITE); err != nil || res != 0 {
				t.Errorf("wait for the poll's event: %d, %v", res, err)
			}
		})
		r.settle()
		if !r.idle(w) {
			t.Fatalf("the poll's Timeout did not end it")
		}
		wantAfd(t, "expired", &io, out, wso.STATUS_TIMEOUT)
		if now := r.s.Now(); now != 100*1e6 {
			t.Errorf("virtual clock %v, want 100ms", now)
		}
	})
}

// Several polls outstanding on one socket all complete with one change
// (issue 13: "events lost when two polls are outstanding on one socket");
// one whose events do not hold stays pending.
func TestAfdPollTwoOnOneSocket(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		var io1, io2, io3 emu.Overlapped
		st1, out1 := r.afdPoll(r.A, emu.Handle(c), 0, &io1, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_RECEIVE)))
		st2, out2 := r.afdPoll(r.A, emu.Handle(c), 0, &io2, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_RECEIVE|emu.AFD_POLL_DISCONNECT)))
		st3, _ := r.afdPoll(r.A, emu.Handle(c), 0, &io3, afdInfo(math.MaxInt64, false, entry(c, emu.AFD_POLL_ACCEPT)))
		if st1 != wso.STATUS_PENDING || st2 != wso.STATUS_PENDING || st3 != wso.STATUS_PENDING {
			t.Fatalf("polls: %v, %v, %v, want all pending", st1, st2, st3)
		}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "send", th.WSASend(s, bufs("x"), &n, 0, nil, nil), 0)
			wantErr(t, "shutdown", th.Shutdown(s, provider.SD_SEND), 0)
		})
		r.settle()
		wantAfd(t, "first poll", &io1, out1, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_RECEIVE})
		wantAfd(t, "second poll", &io2, out2, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_RECEIVE})
		if got := emu.NTStatus(io3.LoadInternal()); got != wso.STATUS_PENDING {
			t.Errorf("a poll for ACCEPT on a connected socket completed: %v", got)
		}
	})
}

// test_poll ("Test closing a socket while polling on it"): a poll through
// a \Device\Afd handle on a socket closed meanwhile completes with
// AFD_POLL_LOCAL_CLOSE, even for an entry that asked for no event.
func TestAfdPollLocalClose(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, _, _ := r.tcpPair(lo4)
		var afd emu.Handle
		r.do(r.A, func(th *emu.Thread) {
			var st emu.NTStatus
			afd, st, _ = th.NtOpenAfd(`\Device\Afd\wsaemu`)
			if st != wso.STATUS_SUCCESS {
				t.Fatalf("open \\Device\\Afd: %v", st)
			}
		})
		var io emu.Overlapped
		st, out := r.afdPoll(r.A, afd, 0, &io, afdInfo(afdWait, false, entry(c, 0)))
		if st != wso.STATUS_PENDING {
			t.Fatalf("poll with no events: %v, want STATUS_PENDING", st)
		}
		r.do(r.A, func(th *emu.Thread) { wantErr(t, "closesocket", th.Closesocket(c), 0) })
		r.settle()
		wantAfd(t, "closed", &io, out, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_LOCAL_CLOSE})
	})
}

// NtCancelIoFileEx ends a waiting poll with STATUS_CANCELLED and no
// entries; a second cancel finds nothing (STATUS_NOT_FOUND).
func TestAfdPollCancel(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, _, _ := r.tcpPair(lo4)
		var io emu.Overlapped
		_, out := r.afdPoll(r.A, emu.Handle(c), 0, &io, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_RECEIVE)))
		r.do(r.A, func(th *emu.Thread) {
			if st, _ := th.NtCancelIoFileEx(emu.Handle(c), &io); st != wso.STATUS_SUCCESS {
				t.Errorf("NtCancelIoFileEx: %v", st)
			}
		})
		r.settle()
		wantAfd(t, "cancelled", &io, out, wso.STATUS_CANCELLED)
		r.do(r.A, func(th *emu.Thread) {
			if st, _ := th.NtCancelIoFileEx(emu.Handle(c), &io); st != wso.STATUS_NOT_FOUND {
				t.Errorf("second NtCancelIoFileEx: %v, want STATUS_NOT_FOUND", st)
			}
		})
	})
}

// test_poll_exclusive: an exclusive poll ends the earlier exclusive poll
// on the same socket; a non-exclusive one waiting there shields both.
func TestAfdPollExclusive(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, _ := r.listener(lo4)
		var io1, io2, io3, io4 emu.Overlapped
		r.afdPoll(r.A, emu.Handle(l), 0, &io1, afdInfo(math.MaxInt64, true, entry(l, math.MaxUint32)))
		r.afdPoll(r.A, emu.Handle(l), 0, &io2, afdInfo(math.MaxInt64, true, entry(l, math.MaxUint32)))
		r.settle()
		if got := emu.NTStatus(io1.LoadInternal()); got == wso.STATUS_PENDING {
			t.Errorf("the first exclusive poll still waits after a second one")
		}
		if got := emu.NTStatus(io2.LoadInternal()); got != wso.STATUS_PENDING {
			t.Errorf("the second exclusive poll ended: %v", got)
		}
		r.do(r.A, func(th *emu.Thread) { th.NtCancelIoFileEx(emu.Handle(l), nil) })
		r.settle()
		r.afdPoll(r.A, emu.Handle(l), 0, &io3, afdInfo(math.MaxInt64, false, entry(l, math.MaxUint32)))
		r.afdPoll(r.A, emu.Handle(l), 0, &io4, afdInfo(math.MaxInt64, true, entry(l, math.MaxUint32)))
		r.afdPoll(r.A, emu.Handle(l), 0, &io1, afdInfo(math.MaxInt64, true, entry(l, math.MaxUint32)))
		r.settle()
		for i, io := range []*emu.Overlapped{&io3, &io4, &io1} {
			if got := emu.NTStatus(io.LoadInternal()); got != wso.STATUS_PENDING {
				t.Errorf("poll %d ended (%v) though a non-exclusive poll waits", i, got)
			}
		}
	})
}

// test_poll: an entry that is not a socket fails the call with
// STATUS_INVALID_HANDLE and leaves the status block alone; no entries is
// STATUS_INVALID_PARAMETER.
func TestAfdPollInvalid(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, _, _ := r.tcpPair(lo4)
		var io emu.Overlapped
		st, _ := r.afdPoll(r.A, emu.Handle(c), 0, &io, afdInfo(afdWait, false, entry(0xabacab, emu.AFD_POLL_RECEIVE), entry(c, emu.AFD_POLL_RECEIVE)))
		if st != wso.STATUS_INVALID_HANDLE || io.Internal != 0 || io.InternalHigh != 0 {
			t.Errorf("invalid entry: %v, status block %#x/%#x", st, io.Internal, io.InternalHigh)
		}
		st, _ = r.afdPoll(r.A, emu.Handle(c), 0, &io, afdInfo(afdWait, false))
		if st != wso.STATUS_INVALID_PARAMETER {
			t.Errorf("no entries: %v, want STATUS_INVALID_PARAMETER", st)
		}
	})
}

// NtDeviceIoControlFile's ApcContext "is used as the completion context if
// an I/O completion object has been associated with the file object"
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntdeviceiocontrolfile):
// the packet carries the ApcContext, not the status block, which still
// receives the status (mio passes them apart). Wine's afd.c,
// test_poll_completion_port, asserts both halves on Windows: a poll that
// completes with a NULL ApcContext posts nothing, one with a value posts
// that value with the port's key, for an immediate and a pending poll.
func TestAfdPollApcContext(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		port := r.port(r.A, c, 0)
		poll := func(ctx, iosb *emu.Overlapped, in *emu.AFD_POLL_INFO) (emu.NTStatus, *emu.AFD_POLL_INFO) {
			out := &emu.AFD_POLL_INFO{Handles: make([]emu.AFD_POLL_HANDLE_INFO, 1)}
			var st emu.NTStatus
			r.do(r.A, func(th *emu.Thread) {
				var err error
				st, err = th.NtDeviceIoControlFileContext(emu.Handle(c), 0, ctx, iosb, emu.IOCTL_AFD_POLL, in, out)
				if err != nil {
					t.Fatalf("NtDeviceIoControlFileContext: %v", err)
				}
			})
			return st, out
		}
		var io, ctx emu.Overlapped
		// A NULL ApcContext: the poll completes, the port stays empty.
		if st, out := poll(nil, &io, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_SEND))); st != wso.STATUS_SUCCESS {
			t.Fatalf("poll for SEND: %v, want STATUS_SUCCESS at once", st)
		} else {
			wantAfd(t, "NULL ApcContext", &io, out, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_SEND})
		}
		r.settle()
		if pk, ok := r.dequeue(r.A, port); ok {
			t.Fatalf("a packet (%+v) for a poll with a NULL ApcContext", pk)
		}
		// An ApcContext of its own, immediate: the packet carries it.
		if st, _ := poll(&ctx, &io, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_SEND))); st != wso.STATUS_SUCCESS {
			t.Fatalf("poll for SEND: %v, want STATUS_SUCCESS at once", st)
		}
		r.settle()
		pk, ok := r.dequeue(r.A, port)
		if !ok || pk.ov != &ctx || pk.key != 0 {
			t.Fatalf("packet %+v (ok %v), want the ApcContext with key 0", pk, ok)
		}
		// ... and pending: the status goes to the status block, the packet
		// carries the ApcContext.
		st, out := poll(&ctx, &io, afdInfo(afdWait, false, entry(c, emu.AFD_POLL_RECEIVE)))
		if st != wso.STATUS_PENDING {
			t.Fatalf("poll for RECEIVE with nothing queued: %v, want STATUS_PENDING", st)
		}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "send", th.WSASend(s, bufs("data"), &n, 0, nil, nil), 0)
		})
		r.settle()
		pk, ok = r.dequeue(r.A, port)
		if !ok || pk.ov != &ctx || pk.n != provider.AFD_POLL_INFO_HEADER+provider.AFD_POLL_HANDLE_INFO_SIZE || pk.err != nil {
			t.Fatalf("packet %+v (ok %v), want the ApcContext and one entry's Information", pk, ok)
		}
		if ctx.LoadInternal() != 0 || ctx.LoadInternalHigh() != 0 {
			t.Errorf("the ApcContext record was written (%#x, %#x): only the status block receives the status", ctx.LoadInternal(), ctx.LoadInternalHigh())
		}
		wantAfd(t, "pending", &io, out, wso.STATUS_SUCCESS, emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(c), Events: emu.AFD_POLL_RECEIVE})
	})
}
