package emu

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// sanSockets starts Winsock on t and returns a bound receiver and a sender.
func sanSockets(t *testing.T, th *Thread) (rs, ws SOCKET, to netip.AddrPort) {
	t.Helper()
	var d WSAData
	if err := th.WSAStartup(0x0202, &d); err != nil {
		t.Fatal(err)
	}
	rs, _ = th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	ws, _ = th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	to = netip.MustParseAddrPort("127.0.0.1:6000")
	if err := th.Bind(rs, &to, 16); err != nil {
		t.Fatal(err)
	}
	return
}

func findingClauses(s *System) []string {
	var out []string
	for _, f := range s.Findings() {
		out = append(out, f.Clause)
	}
	return out
}

func kindsAndSanitizer(t *testing.T, mode SanitizerMode, body func(t *testing.T, s *System, st *Stepper, a *Thread)) {
	for _, k := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(k.String(), func(t *testing.T) {
			s := New(WithProviderKind(k), WithSanitizer(mode))
			defer s.Stop()
			st, _ := s.Stepper()
			body(t, s, st, st.NewThread("A"))
		})
	}
}

// WSASendMsg remarks: each outstanding overlapped operation must use its
// own WSAOVERLAPPED; reusing one whose receive is still pending is
// undefined and the sanitizer reports it with the clause.
func TestSanitizerOverlappedReuse(t *testing.T) {
	kindsAndSanitizer(t, SanitizeReport, func(t *testing.T, s *System, st *Stepper, a *Thread) {
		st.Call(a, func(th *Thread) {
			rs, _, _ := sanSockets(t, th)
			ov := &Overlapped{}
			var n, fl uint32
			b1, b2 := make([]byte, 8), make([]byte, 8)
			if err := th.WSARecv(rs, []WSABUF{{Len: 8, Buf: b1}}, &n, &fl, ov, nil); err != wso.WSA_IO_PENDING {
				t.Fatalf("first recv: %v", err)
			}
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: b2}}, &n, &fl, ov, nil)
		})
		if got := findingClauses(s); len(got) != 1 || got[0] != "wsaoverlapped.reuse-while-pending" {
			t.Fatalf("findings %v, want one wsaoverlapped.reuse-while-pending", got)
		}
		f := s.Findings()[0]
		if f.Thread != "A" || f.Seq == 0 || len(f.Excerpt) == 0 {
			t.Errorf("finding lacks thread, step or excerpt: %+v", f)
		}
	})
}

// A record whose operation has completed belongs to the program again:
// reusing it is fine and reports nothing.
func TestSanitizerReuseAfterCompletionIsFine(t *testing.T) {
	kindsAndSanitizer(t, SanitizeReport, func(t *testing.T, s *System, st *Stepper, a *Thread) {
		st.Call(a, func(th *Thread) {
			rs, ws, to := sanSockets(t, th)
			ov := &Overlapped{}
			var n, fl, sent uint32
			b := make([]byte, 8)
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: b}}, &n, &fl, ov, nil)
			th.WSASendTo(ws, []WSABUF{{Len: 2, Buf: []byte("hi")}}, &sent, 0, &to, 16, nil, nil)
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: b}}, &n, &fl, ov, nil)
			// An immediate error leaves the record the caller's: reuse is fine.
			var bad SOCKET = 0x1234
			ov2 := &Overlapped{}
			th.WSARecv(bad, []WSABUF{{Len: 8, Buf: b}}, &n, &fl, ov2, nil)
			th.WSARecv(bad, []WSABUF{{Len: 8, Buf: b}}, &n, &fl, ov2, nil)
		})
		if got := findingClauses(s); len(got) != 0 {
			t.Fatalf("findings %v, want none", got)
		}
	})
}

// LPWSPGETOVERLAPPEDRESULT: fWait may be TRUE only for event-based
// notification; asking with a completion routine is undefined.
func TestSanitizerWaitWithRoutine(t *testing.T) {
	s := New(WithSanitizer(SanitizeReport))
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	var rs SOCKET
	ov := &Overlapped{}
	st.Call(a, func(th *Thread) {
		rs, _, _ = sanSockets(t, th)
		var n, fl uint32
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, func(uint32, uint32, *Overlapped, uint32) {})
	})
	res, _ := st.Call(a, func(th *Thread) {
		var n, fl uint32
		th.WSAGetOverlappedResult(rs, ov, &n, true, &fl)
	})
	_ = res // without an event the wait fails or blocks; the finding is made first
	if got := findingClauses(s); len(got) != 1 || got[0] != "lpwspgetoverlappedresult.wait.event-only" {
		t.Fatalf("findings %v", got)
	}
}

// WSAOVERLAPPED / LPWSAOVERLAPPED_COMPLETION_ROUTINE: the record (and the
// buffers) must stay valid until the operation completes; releasing them
// earlier is reported, releasing them after is not.
func TestSanitizerRelease(t *testing.T) {
	kindsAndSanitizer(t, SanitizeReport, func(t *testing.T, s *System, st *Stepper, a *Thread) {
		st.Call(a, func(th *Thread) {
			rs, ws, to := sanSockets(t, th)
			ov := &Overlapped{}
			var n, fl, sent uint32
			b := make([]byte, 8)
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: b}}, &n, &fl, ov, nil)
			th.ReleaseBuffer(b)
			th.ReleaseOverlapped(ov)
			th.WSASendTo(ws, []WSABUF{{Len: 2, Buf: []byte("hi")}}, &sent, 0, &to, 16, nil, nil)
			th.ReleaseBuffer(b)
			th.ReleaseOverlapped(ov)
		})
		got := findingClauses(s)
		if len(got) != 2 || got[0] != "wsaoverlapped.release-while-pending" || got[1] != "wsaoverlapped.release-while-pending" {
			t.Fatalf("findings %v, want two wsaoverlapped.release-while-pending (before completion only)", got)
		}
	})
}

// An event closed while a pending operation still names it is reported.
func TestSanitizerEventClosedWhilePending(t *testing.T) {
	kindsAndSanitizer(t, SanitizeReport, func(t *testing.T, s *System, st *Stepper, a *Thread) {
		st.Call(a, func(th *Thread) {
			rs, _, _ := sanSockets(t, th)
			ev, _ := th.WSACreateEvent()
			ov := &Overlapped{HEvent: ev}
			var n, fl uint32
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil)
			th.WSACloseEvent(ev)
		})
		if got := findingClauses(s); len(got) != 1 || got[0] != "wsacloseevent.pending-operation" {
			t.Fatalf("findings %v", got)
		}
	})
}

// Ground-truth bug pattern: an auto-reset event taken by a plain wait is
// gone, so a later result wait on it for the same operation loses the
// wake-up.
func TestSanitizerAutoResetLostWakeup(t *testing.T) {
	s := New(WithSanitizer(SanitizeReport))
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	st.Call(a, func(th *Thread) {
		r, w, _ := th.CreatePipe(PipeOptions{})
		ev, _ := th.CreateEvent(false, false)
		ov := &Overlapped{HEvent: ev}
		buf := make([]byte, 4)
		var n uint32
		th.ReadFile(r, buf, &n, ov)
		// Another read with the same event completes and its signal is
		// taken by a plain wait.
		ov2 := &Overlapped{HEvent: ev}
		th.ReadFile(r, make([]byte, 4), &n, ov2)
		th.WriteFile(w, []byte("abcd"), &n, &Overlapped{})
		th.WaitForSingleObject(ev, 0)
		th.GetOverlappedResult(r, ov2, &n, true)
	})
	got := findingClauses(s)
	if len(got) != 1 || got[0] != "sync-overlapped-io.autoreset-result-wait" {
		t.Fatalf("findings %v", got)
	}
}

// Fail-fast mode: the run stops at the first finding and reports it as
// the error of the step; nothing runs after.
func TestSanitizerFailFast(t *testing.T) {
	s := New(WithSanitizer(SanitizeFailFast))
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	_, err := st.Call(a, func(th *Thread) {
		rs, _, _ := sanSockets(t, th)
		ov := &Overlapped{}
		var n, fl uint32
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil)
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil)
	})
	var se *SanitizerError
	if !errors.As(err, &se) || se.Finding.Clause != "wsaoverlapped.reuse-while-pending" {
		t.Fatalf("err %v, want a SanitizerError for wsaoverlapped.reuse-while-pending", err)
	}
	if _, err := st.Call(a, func(*Thread) {}); err == nil {
		t.Fatal("a step after a fail-fast finding ran")
	}
	// Goroutine driver: Run returns the finding.
	g := New(WithSanitizer(SanitizeFailFast))
	g.Go("main", func(th *Thread) {
		rs, _, _ := sanSockets(t, th)
		ov := &Overlapped{}
		var n, fl uint32
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil)
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil)
		th.Sleep(INFINITE)
	})
	if err := g.Run(); !errors.As(err, &se) {
		t.Fatalf("Run: %v, want SanitizerError", err)
	}
}

// WSASendMsg remarks: a blocking Winsock call inside an APC that
// interrupted a blocking Winsock call on the same thread is undefined.
func TestSanitizerBlockingCallInAPC(t *testing.T) {
	s := New(WithSanitizer(SanitizeReport))
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	b := st.NewThread("B")
	var rs SOCKET
	st.Call(a, func(th *Thread) { rs, _, _ = sanSockets(t, th) })
	// A blocks in a non-overlapped receive (an alertable wait inside).
	st.Call(a, func(th *Thread) {
		var n, fl uint32
		th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, nil, nil)
	})
	// B queues an APC to A that makes another blocking receive.
	st.Call(b, func(th *Thread) {
		th.QueueUserAPC(func(th *Thread, _ uintptr) {
			var n, fl uint32
			th.WSAIoctl(rs, provider.FIONBIO, []byte{1, 0, 0, 0}, nil, &n, nil, nil)
			th.WSARecv(rs, []WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, nil, nil)
		}, a.Handle(), 0)
	})
	got := findingClauses(s)
	if len(got) == 0 || got[0] != "wsasendmsg.blocking.apc-reentry-undefined" {
		t.Fatalf("findings %v", got)
	}
}
