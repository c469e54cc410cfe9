package emu_test

// FuzzAPI (issue 9, "a general safety net"): random sequences of calls over
// several threads, run under both drivers and both provider kinds. Whatever
// the calls (bad handle values, records reused while pending, closes in the
// middle of I/O), the run must end without a panic inside the emulator or
// the threads' code, must not hang (a deadlock or a livelock is a valid
// ending; the livelock budget bounds any run that stops progressing), and
// the same input with the same seed must give the same trace byte for byte.
//
//	go test -run '^$' -fuzz FuzzAPI -fuzztime 10s ./emu

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

const (
	fzMaxOps   = 256 // calls decoded from one input at most
	fzRecords  = 4   // records (and buffers) per thread
	fzBudget   = 20_000
	fzOpKinds  = 22
	fzBasePort = 6000
)

// fzOp is one decoded call: thread th makes call code with argument a.
type fzOp struct{ th, code, a uint8 }

// fzDecode turns the fuzz input into a thread count (2 to 4) and calls.
func fzDecode(data []byte) (int, []fzOp) {
	if len(data) == 0 {
		return 2, nil
	}
	n := 2 + int(data[0])%3
	var ops []fzOp
	for i := 1; i+2 < len(data) && len(ops) < fzMaxOps; i += 3 {
		ops = append(ops, fzOp{th: data[i] % uint8(n), code: data[i+1] % fzOpKinds, a: data[i+2]})
	}
	return n, ops
}

// fzWorld is what the calls of one run share: the handle values made so
// far (one emulated thread runs at a time, so the threads may share it),
// and each thread's records and buffers.
type fzWorld struct {
	handles []emu.Handle
	threads []*emu.Thread
	recs    [][fzRecords]emu.Overlapped
	bufs    [][fzRecords][]byte
	n       []uint32
}

// h picks a handle value: one made in this run, or a bad one.
func (w *fzWorld) h(a uint8) emu.Handle {
	bad := [...]emu.Handle{0, 0x10, 0x3, 0xFFFC, emu.INVALID_HANDLE_VALUE}
	if int(a)%8 == 7 || len(w.handles) == 0 {
		return bad[int(a/8)%len(bad)]
	}
	return w.handles[int(a)%len(w.handles)]
}

func (w *fzWorld) add(h emu.Handle, err error) {
	if err == nil && h != 0 {
		w.handles = append(w.handles, h)
	}
}

func fzAddr(a uint8) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), fzBasePort+uint16(a%4))
}

// do makes thread i's call op. Every wait has a short timeout except the
// blocking forms a program may legitimately use (a non-overlapped receive,
// a result query with wait set), which end in a deadlock at worst.
func (w *fzWorld) do(th *emu.Thread, i int, op fzOp) {
	a := op.a
	rec := &w.recs[i][a%fzRecords]
	buf := w.bufs[i][a%fzRecords]
	ms := [...]uint32{0, 1, 5}[int(a>>2)%3]
	alertable := a&0x20 != 0
	apc := func(t *emu.Thread, p uintptr) { t.SetLastError(emu.Errno(p)) }
	routine := func(dwError, n uint32, ov *emu.Overlapped, flags uint32) {}
	fileRoutine := func(t *emu.Thread, dwError, n uint32, ov *emu.Overlapped) {}
	switch op.code {
	case 0:
		w.add(th.CreateEvent(a&1 != 0, a&2 != 0))
	case 1:
		th.SetEvent(w.h(a))
	case 2:
		th.ResetEvent(w.h(a))
	case 3:
		th.WaitForSingleObjectEx(w.h(a), ms, alertable)
	case 4:
		th.WaitForMultipleObjectsEx([]emu.Handle{w.h(a), w.h(a / 3)}, a&0x40 != 0, ms, alertable)
	case 5:
		th.SleepEx(ms, alertable)
	case 6:
		target := w.threads[int(a)%len(w.threads)].Handle()
		if a&0x80 != 0 {
			target = w.h(a)
		}
		th.QueueUserAPC(apc, target, uintptr(a))
	case 7, 8:
		flags := uint32(provider.WSA_FLAG_OVERLAPPED)
		if op.code == 8 {
			flags = 0
		}
		h, err := th.WSASocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, flags)
		w.add(emu.Handle(h), err)
		if err == nil && a&1 == 0 {
			addr := fzAddr(a >> 1)
			th.Bind(h, &addr, provider.SizeofSockaddrInet4)
		}
	case 9:
		// Overlapped receive: with an event, a routine, or neither.
		*rec = emu.Overlapped{}
		var r emu.WSACompletionRoutine
		switch a >> 6 {
		case 1:
			rec.HEvent = w.h(a)
		case 2:
			r = routine
		}
		var fl uint32
		th.WSARecv(emu.SOCKET(w.h(a)), []emu.WSABUF{{Len: uint32(len(buf)), Buf: buf}}, &w.n[i], &fl, rec, r)
	case 10:
		// A receive without a record: blocks on a socket made without
		// WSA_FLAG_OVERLAPPED.
		var fl uint32
		th.WSARecv(emu.SOCKET(w.h(a)), []emu.WSABUF{{Len: uint32(len(buf)), Buf: buf}}, &w.n[i], &fl, nil, nil)
	case 11:
		to := fzAddr(a)
		var ov *emu.Overlapped
		var r emu.WSACompletionRoutine
		if a&0x40 != 0 {
			*rec = emu.Overlapped{}
			ov = rec
			if a&0x80 != 0 {
				r = routine
			}
		}
		th.WSASendTo(emu.SOCKET(w.h(a>>2)), []emu.WSABUF{{Len: uint32(a % 9), Buf: buf}}, &w.n[i], 0, &to, provider.SizeofSockaddrInet4, ov, r)
	case 12:
		rd, wr, err := th.CreatePipe(emu.PipeOptions{Capacity: int(a % 16), Synchronous: a&0x80 != 0})
		w.add(rd, err)
		w.add(wr, err)
	case 13:
		*rec = emu.Overlapped{}
		if a&0x40 != 0 {
			th.ReadFileEx(w.h(a), buf[:a%9], rec, fileRoutine)
		} else {
			th.ReadFile(w.h(a), buf[:a%9], &w.n[i], rec)
		}
	case 14:
		*rec = emu.Overlapped{}
		if a&0x40 != 0 {
			th.WriteFileEx(w.h(a), buf[:a%9], rec, fileRoutine)
		} else {
			th.WriteFile(w.h(a), buf[:a%9], &w.n[i], rec)
		}
	case 15:
		if a&1 == 0 {
			w.add(th.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, uint32(a%3)))
		} else {
			th.CreateIoCompletionPort(w.h(a>>1), w.h(a>>4), uintptr(a), 0)
		}
	case 16:
		var key uintptr
		var ov *emu.Overlapped
		th.GetQueuedCompletionStatus(w.h(a), &w.n[i], &key, &ov, ms)
	case 17:
		th.PostQueuedCompletionStatus(w.h(a), uint32(a), uintptr(a), rec)
	case 18:
		if a&1 == 0 {
			th.CancelIo(w.h(a >> 1))
		} else {
			th.CancelIoEx(w.h(a>>1), rec)
		}
	case 19:
		if a&1 == 0 {
			th.CloseHandle(w.h(a >> 1))
		} else {
			th.Closesocket(emu.SOCKET(w.h(a >> 1)))
		}
	case 20:
		var fl uint32
		if a&1 == 0 {
			th.WSAGetOverlappedResult(emu.SOCKET(w.h(a>>1)), rec, &w.n[i], a&0x80 != 0, &fl)
		} else {
			th.GetOverlappedResult(w.h(a>>1), rec, &w.n[i], a&0x80 != 0)
		}
	case 21:
		th.SetLastError(emu.Errno(a))
		th.GetLastError()
	}
}

// fzResult is how one run ended.
type fzResult struct {
	trace  string
	ending string // "ok", "deadlock", "livelock"
}

// fzRun runs the decoded calls once, under the step driver (step) or the
// goroutine driver, with the given provider kind and seed.
func fzRun(t *testing.T, n int, ops []fzOp, step bool, kind provider.Kind, seed uint64) fzResult {
	s := emu.New(emu.WithSeed(seed), emu.WithProviderKind(kind), emu.WithLivelockBudget(fzBudget))
	defer s.Stop()
	w := &fzWorld{recs: make([][fzRecords]emu.Overlapped, n), bufs: make([][fzRecords][]byte, n), n: make([]uint32, n)}
	for i := range w.bufs {
		for j := range w.bufs[i] {
			w.bufs[i][j] = make([]byte, 8)
		}
	}
	start := func(th *emu.Thread) {
		var d emu.WSAData
		th.WSAStartup(0x0202, &d)
	}
	ending := "ok"
	var runErr error
	if step {
		st, err := s.Stepper()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			w.threads = append(w.threads, st.NewThread(fmt.Sprint("T", i)))
		}
		for _, th := range w.threads {
			if _, err := st.Call(th, start); err != nil {
				t.Fatalf("WSAStartup step: %v", err)
			}
		}
		for k, op := range ops {
			i := int(op.th)
			th := w.threads[i]
			if th.Exited() || !st.Idle(th) {
				st.Settle() // its previous call may be released now
				continue
			}
			_, err := st.Call(th, func(th *emu.Thread) { w.do(th, i, op) })
			var le *emu.LivelockError
			if errors.As(err, &le) {
				runErr = err
				break
			}
			if k%4 == 3 {
				st.Settle()
			}
		}
		if runErr == nil {
			st.Settle()
			if d := st.Deadlocked(); d != nil {
				ending = "deadlock"
			}
		}
	} else {
		per := make([][]fzOp, n)
		for _, op := range ops {
			per[op.th] = append(per[op.th], op)
		}
		for i := 0; i < n; i++ {
			th, err := s.Go(fmt.Sprint("T", i), func(th *emu.Thread) {
				start(th)
				for _, op := range per[i] {
					w.do(th, i, op)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			w.threads = append(w.threads, th)
		}
		runErr = s.Run()
	}
	if ps := s.Panics(); len(ps) > 0 {
		t.Fatalf("a panic inside an emulated thread:\n%v\ntrace:\n%s", ps[0], s.Trace())
	}
	var dl *emu.DeadlockError
	var le *emu.LivelockError
	switch {
	case runErr == nil:
	case errors.As(runErr, &le):
		ending = "livelock"
	case errors.As(runErr, &dl):
		ending = "deadlock"
	default:
		t.Fatalf("run ended with %v\ntrace:\n%s", runErr, s.Trace())
	}
	return fzResult{trace: s.Trace().String(), ending: ending}
}

func FuzzAPI(f *testing.F) {
	// Seeds: the stale SetEvent on a blocking receive, an event
	// ping-pong, a socket round trip with each completion kind, pipes and
	// a port, closes and cancels in the middle of I/O.
	f.Add([]byte{0, 0, 8, 0, 0, 10, 0, 1, 1, 0x0F, 1, 19, 0x1F, 1, 11, 0}, uint64(1))
	f.Add([]byte{1, 0, 0, 1, 1, 1, 0, 2, 2, 0, 3, 0x20, 1, 5, 0x24, 2, 6, 1}, uint64(2))
	f.Add([]byte{2, 0, 7, 0, 1, 7, 2, 0, 9, 0x40, 0, 9, 0x80, 1, 11, 0x40, 0, 5, 0x24, 0, 20, 0, 1, 11, 0xC1, 0, 18, 1, 0, 19, 0}, uint64(3))
	f.Add([]byte{0, 0, 12, 0, 0, 15, 0, 0, 15, 1, 0, 13, 0x41, 1, 14, 2, 0, 16, 4, 1, 17, 3, 0, 16, 8, 1, 19, 0, 0, 5, 0x28}, uint64(4))
	f.Add([]byte{1, 0, 7, 0, 0, 15, 0, 0, 15, 3, 1, 9, 0, 2, 11, 0, 0, 16, 4, 1, 19, 1, 0, 16, 8, 2, 18, 0}, uint64(5))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		n, ops := fzDecode(data)
		for _, step := range []bool{true, false} {
			for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
				a := fzRun(t, n, ops, step, kind, seed)
				b := fzRun(t, n, ops, step, kind, seed)
				if a.trace != b.trace || a.ending != b.ending {
					t.Fatalf("step=%v %v: the same input and seed gave two runs (%s, %s); first difference at line %d",
						step, kind, a.ending, b.ending, firstDiff(a.trace, b.trace))
				}
			}
		}
	})
}

func firstDiff(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return i + 1
		}
	}
	return len(la) + 1
}
