package emu_test

// A System released to be reused (System.Release) must be invisible in
// what the next System built in its memory does: these tests run a
// program that fills every table, list and free list a System keeps for
// reuse, release it, and check that the next System is field for field
// what a new one is, and that a program run on it traces exactly (text
// and JSON), returns exactly the same handles and has exactly the same
// threads as on a new System.

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// rsResult is what a run of rsProgram shows of itself: its trace (text
// and JSON), every value the calls returned (handles included), its
// threads, its findings and its panics.
type rsResult struct {
	text, json string
	returned   []string
	threads    []string
	findings   []string
	panics     int
}

func (a *rsResult) diff(b *rsResult) string {
	switch {
	case a.text != b.text:
		return fmt.Sprintf("text traces differ:\n--- new\n%s\n--- reused\n%s", a.text, b.text)
	case a.json != b.json:
		return "JSON traces differ"
	case fmt.Sprint(a.returned) != fmt.Sprint(b.returned):
		return fmt.Sprintf("returned values differ:\nnew    %v\nreused %v", a.returned, b.returned)
	case fmt.Sprint(a.threads) != fmt.Sprint(b.threads):
		return fmt.Sprintf("threads differ:\nnew    %v\nreused %v", a.threads, b.threads)
	case fmt.Sprint(a.findings) != fmt.Sprint(b.findings):
		return fmt.Sprintf("findings differ:\nnew    %v\nreused %v", a.findings, b.findings)
	case a.panics != b.panics:
		return fmt.Sprintf("panics: %d new, %d reused", a.panics, b.panics)
	}
	return ""
}

// rsOptions are the options of every System these tests build: a seeded
// run, the sanitizer, coroutine threads (which Release needs), and the
// provider kind.
func rsOptions(seed uint64, kind provider.Kind, more ...emu.Option) []emu.Option {
	return append([]emu.Option{emu.WithSeed(seed), emu.WithSanitizer(emu.SanitizeReport), emu.WithHangTimeout(0),
		emu.WithProviderKind(kind), emu.WithSplits()}, more...)
}

// rsProgram runs, on s, a program that leaves something in every table a
// System keeps for reuse: handles of every kind (events, a duplicate,
// pipes, a named pipe and its client, sockets of both kinds, an AFD
// handle, a port), requests pending and completed, an AFD poll with a
// timer, system actions, completion routines and APCs, overlapped records
// the trace names, a sanitizer finding, a thread blocked in an alertable
// wait on the process, one exited, one ended by a panic, and one never
// given a command. It stops s and returns what the run showed.
func rsProgram(tb testing.TB, s *emu.System) *rsResult {
	st, err := s.Stepper()
	if err != nil {
		tb.Fatal(err)
	}
	res := &rsResult{}
	ret := func(format string, args ...any) { res.returned = append(res.returned, fmt.Sprintf(format, args...)) }
	a, b, c := st.NewThread("A"), st.NewThread("B"), st.NewThread("")
	d, e := st.NewThread("D"), st.NewThread("E")
	st.NewThread("idle")
	call := func(th *emu.Thread, fn func(th *emu.Thread)) {
		r, err := st.Call(th, fn)
		ret("step %s: %+v %v", th.Name(), r, err)
	}
	var ev, dup, port, rh, wh, np, cl, afd emu.Handle
	var cs, ss, us emu.SOCKET
	ovs := make([]*emu.Overlapped, 8)
	for i := range ovs {
		ovs[i] = &emu.Overlapped{}
	}
	buf := make([]byte, 64)
	var afdIn, afdOut emu.AFD_POLL_INFO
	call(a, func(th *emu.Thread) {
		var data emu.WSAData
		ret("WSAStartup %v", th.WSAStartup(0x0202, &data))
		ev, err = th.CreateEvent(true, false)
		ret("CreateEvent %#x %v", ev, err)
		sig, err := th.CreateEvent(false, true)
		ret("CreateEvent signalled %#x %v", sig, err)
		dup, err = th.DuplicateHandle(ev)
		ret("DuplicateHandle %#x %v", dup, err)
		port, err = th.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
		ret("port %#x %v", port, err)
		rh, wh, err = th.CreatePipe(emu.PipeOptions{Capacity: 4})
		ret("CreatePipe %#x %#x %v", rh, wh, err)
		var n uint32
		ret("WriteFile %v", th.WriteFile(wh, []byte("abcdef"), &n, ovs[0]))
		ret("ReadFile %v", th.ReadFileEx(rh, buf[:2], ovs[1], func(_ *emu.Thread, e, n uint32, ov *emu.Overlapped) { ret("read routine %d %d", e, n) }))
		np, err = th.CreateNamedPipe(`\\.\pipe\reuse`, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, 0, 2, 8, 8)
		ret("CreateNamedPipe %#x %v", np, err)
		ret("ConnectNamedPipe %v", th.ConnectNamedPipe(np, ovs[2]))
		cl, err = th.CreateFile(`\\.\pipe\reuse`, emu.GENERIC_READ|emu.GENERIC_WRITE, true)
		ret("CreateFile %#x %v", cl, err)
		_, err = th.CreateIoCompletionPort(cl, port, 7, 0)
		ret("associate %v", err)
		ret("ReadFile client %v", th.ReadFile(cl, buf[8:16], &n, ovs[3]))
		cs, ss = loopbackTCPPair(th, func(format string, args ...any) { ret("tcp: "+format, args...) })
		ret("tcp pair %#x %#x", cs, ss)
		bufs := []emu.WSABUF{{Len: 8, Buf: buf[16:24]}}
		var flags uint32
		ret("WSARecv %v", th.WSARecv(ss, bufs, &n, &flags, ovs[4], func(e, n uint32, ov *emu.Overlapped, f uint32) { ret("recv routine %d %d", e, n) }))
		ret("WSARecv again %v", th.WSARecv(ss, bufs, &n, &flags, ovs[4], nil)) // the record is in flight: a finding
		us, err = th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
		ret("udp %#x %v", us, err)
		ua := netip.AddrPortFrom(lo4, 0)
		ret("bind %v", th.Bind(us, &ua, 16))
		ret("WSAEventSelect %v", th.WSAEventSelect(us, ev, provider.FD_READ))
		rd := provider.NewFDSet(cs, us)
		got, err := th.Select(0, rd, nil, nil, &emu.Timeval{Sec: 0, Usec: 0})
		ret("select %d %v", got, err)
		var st emu.NTStatus
		afd, st, err = th.NtOpenAfd(`\Device\Afd\reuse`)
		ret("afd %#x %v %v", afd, st, err)
		afdIn = emu.AFD_POLL_INFO{Timeout: -50 * 10000, NumberOfHandles: 1, Handles: []emu.AFD_POLL_HANDLE_INFO{{Handle: emu.Handle(us), Events: emu.AFD_POLL_RECEIVE}}}
		afdOut = emu.AFD_POLL_INFO{Handles: make([]emu.AFD_POLL_HANDLE_INFO, 1)}
		st, err = th.NtDeviceIoControlFile(afd, 0, ovs[5], emu.IOCTL_AFD_POLL, &afdIn, &afdOut)
		ret("afd poll %v %v", st, err)
		ret("WSASend %v", th.WSASend(cs, []emu.WSABUF{{Len: 5, Buf: []byte("hello")}}, &n, 0, ovs[6], nil))
		ret("QueueUserAPC %v", th.QueueUserAPC(func(x *emu.Thread, p uintptr) { ret("apc %d on %s", p, x.Name()) }, b.Handle(), 9))
	})
	call(b, func(th *emu.Thread) {
		w, err := th.WaitForSingleObjectEx(^emu.Handle(0), emu.INFINITE, true) // the process: never signalled
		ret("B wait %d %v", w, err)
		w, err = th.WaitForSingleObjectEx(^emu.Handle(0), emu.INFINITE, true)
		ret("B wait again %d %v", w, err)
	})
	call(c, func(th *emu.Thread) {
		w, err := th.WaitForSingleObjectEx(ev, 20, true)
		ret("C wait %d %v", w, err)
		th.SleepEx(0, true)
	})
	call(d, func(th *emu.Thread) { th.ExitThread(3) })
	call(e, func(th *emu.Thread) { panic("E's own bug") })
	st.Settle()
	call(a, func(th *emu.Thread) {
		var n uint32
		var key uintptr
		var ov *emu.Overlapped
		err := th.GetQueuedCompletionStatus(port, &n, &key, &ov, 0)
		ret("GQCS %d %d %v", n, key, err)
		ret("WriteFile server %v", th.WriteFile(np, []byte("xy"), &n, ovs[7]))
		th.SleepEx(0, true)
		ret("close dup %v", th.CloseHandle(dup))
		ret("closesocket %v", th.Closesocket(cs))
	})
	st.Settle()
	for _, th := range s.Threads() {
		res.threads = append(res.threads, fmt.Sprintf("%d %s %#x exited=%v blocked=%v code=%d", th.ID(), th.Name(), th.Handle(), th.Exited(), th.Blocked(), th.ExitCode()))
	}
	for _, f := range s.Findings() {
		res.findings = append(res.findings, f.String())
	}
	res.panics = len(s.Panics())
	s.Stop()
	res.text = s.Trace().String()
	var js bytes.Buffer
	if err := s.Trace().WriteJSON(&js); err != nil {
		tb.Fatal(err)
	}
	res.json = js.String()
	return res
}

// TestReusedSystemIsNew runs program A on a pool's System, releases it,
// and builds the next System with the pool: it must be field for field
// what a new System is (right after New, Stepper and NewThread), and
// program B run on it must show exactly what B shows on a new System:
// nothing of A (handles, threads, requests, records, findings, timers,
// actions, named pipes) leaks into B.
func TestReusedSystemIsNew(t *testing.T) {
	for _, c := range []struct {
		name string
		kind provider.Kind
		more []emu.Option
	}{
		{"nonifs", provider.NonIFS, nil},
		{"ifs", provider.IFS, nil},
		{"layered", provider.NonIFS, []emu.Option{emu.WithLayeredProvider()}},
	} {
		kind := c.kind
		rsOptions := func(seed uint64, kind provider.Kind, more ...emu.Option) []emu.Option {
			return rsOptions(seed, kind, append(more, c.more...)...)
		}
		t.Run(c.name, func(t *testing.T) {
			p := emu.NewGoroutinePool()
			defer p.Close()
			reused := 0
			for seed := uint64(1); seed <= 20; seed++ {
				sa := emu.New(rsOptions(seed, kind, emu.WithGoroutinePool(p))...)
				rsProgram(t, sa)
				sa.Release()

				// Field for field, right after building.
				sb := emu.New(rsOptions(seed+100, kind, emu.WithGoroutinePool(p))...)
				if sb == sa {
					reused++
				}
				fresh := emu.NewFresh(rsOptions(seed+100, kind)...)
				for _, s := range []*emu.System{sb, fresh} {
					st, err := s.Stepper()
					if err != nil {
						t.Fatal(err)
					}
					st.NewThread("A")
					st.NewThread("")
				}
				if err := emu.SameAsNew(fresh, sb); err != nil {
					t.Fatalf("seed %d: the System built after a release differs from a new one: %v", seed, err)
				}
				sb.Stop()
				fresh.Stop()
				sb.Release()

				// What a program shows.
				sb = emu.New(rsOptions(seed+100, kind, emu.WithGoroutinePool(p))...)
				got := rsProgram(t, sb)
				want := rsProgram(t, emu.NewFresh(rsOptions(seed+100, kind)...))
				if d := want.diff(got); d != "" {
					t.Fatalf("seed %d: program B on a reused System: %s", seed, d)
				}
				sb.Release()
			}
			if reused == 0 {
				t.Errorf("no System was built in a released one's memory in 20 runs")
			}
		})
	}
}

// rsProgramIsRich guards the test above: the program leaves something in
// the tables reuse keeps (a trace long enough, a finding, a panic, blocked
// and exited threads).
func TestReuseProgramIsRich(t *testing.T) {
	r := rsProgram(t, emu.New(rsOptions(1, provider.NonIFS)...))
	if len(r.findings) == 0 || r.panics != 1 || len(r.threads) != 6 || len(r.text) < 4000 {
		t.Errorf("program: %d findings, %d panics, %d threads, %d bytes of trace\n%s", len(r.findings), r.panics, len(r.threads), len(r.text), r.text)
	}
}

// TestPropertyReusedSystemIsNew: for random kernel programs A and B
// (TestPropertyKernel's), B on the System A released to its pool traces
// exactly as B on a new System, with the same violations (none).
func TestPropertyReusedSystemIsNew(t *testing.T) {
	p := emu.NewGoroutinePool()
	defer p.Close()
	rapid.Check(t, func(rt *rapid.T) {
		cfgA := kpConfigGen().Draw(rt, "configA")
		stepsA := rapid.SliceOfN(kpStepGen(cfgA.Threads), 10, 60).Draw(rt, "stepsA")
		cfgB := kpConfigGen().Draw(rt, "configB")
		stepsB := rapid.SliceOfN(kpStepGen(cfgB.Threads), 10, 60).Draw(rt, "stepsB")
		seedA, seedB := rapid.Uint64().Draw(rt, "seedA"), rapid.Uint64().Draw(rt, "seedB")
		cfgA.Coroutines, cfgB.Coroutines = true, true
		mA := kpRun(rt, cfgA, stepsA, emu.SeededChooser(seedA), emu.WithGoroutinePool(p))
		mA.s.Release()
		got := kpRun(rt, cfgB, stepsB, emu.SeededChooser(seedB), emu.WithGoroutinePool(p))
		want := kpRun(rt, cfgB, stepsB, emu.SeededChooser(seedB))
		if g, w := got.s.Trace().String(), want.s.Trace().String(); g != w {
			rt.Fatalf("B on a reused System:\n%s\nB on a new one:\n%s", g, w)
		}
		if kpJoin(got.bad) != kpJoin(want.bad) {
			rt.Fatalf("violations differ: reused\n%s\nnew\n%s", kpJoin(got.bad), kpJoin(want.bad))
		}
		got.s.Release()
	})
}

// A run on a System built in a released one's memory allocates nothing
// of the System's own: New, Stepper, NewThread, the calls of a program,
// Stop and Release, run after run on one pool, with one trace.
func TestReusedSystemAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop Systems at random")
	}
	p := emu.NewGoroutinePool()
	defer p.Close()
	tr := &emu.Trace{}
	opts := []emu.Option{emu.WithHangTimeout(0), emu.WithGoroutinePool(p), emu.WithTrace(tr), emu.WithSanitizer(emu.SanitizeReport), emu.WithSeed(1)}
	buf, msg := make([]byte, 4), []byte("ab")
	lo := netip.AddrPortFrom(lo4, 0)
	opt, optlen := make([]byte, 4), int32(4)
	rd := emu.FDSet{Array: make([]emu.SOCKET, 1)}
	fds := make([]emu.WSAPOLLFD, 1)
	var tv emu.Timeval
	evs := make([]emu.Handle, 10)
	var addr netip.AddrPort
	var ov emu.Overlapped
	var failed error
	check := func(errs ...error) {
		for _, e := range errs {
			if e != nil && e != wso.ERROR_IO_PENDING && failed == nil {
				failed = e
			}
		}
	}
	for _, c := range []struct {
		name string
		max  float64 // allocations allowed
		prog func(th *emu.Thread)
	}{
		{"no calls", 0, func(th *emu.Thread) { check() }},
		{"kernel objects", 0, func(th *emu.Thread) {
			ev, err := th.CreateEvent(true, false)
			rh, wh, err2 := th.CreatePipe(emu.PipeOptions{Capacity: 8})
			var n uint32
			ov = emu.Overlapped{HEvent: ev}
			err3 := th.ReadFile(rh, buf, &n, &ov)
			err4 := th.WriteFile(wh, msg, &n, nil)
			port, err5 := th.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
			_, err6 := th.WaitForSingleObject(ev, emu.INFINITE) // blocks: the read completes as a system action
			check(err, err2, err3, err4, err5, err6)
			_ = port
		}},
		{"failing calls, a wait on many", 0, func(th *emu.Thread) {
			for i := range evs {
				evs[i], _ = th.CreateEvent(true, true)
			}
			_, err := th.WaitForMultipleObjects(evs, true, 0)
			_, err2 := th.WaitForMultipleObjects(evs[:5], false, 0)
			check(err, err2)
			if th.Closesocket(emu.SOCKET(evs[0])) == nil || th.CloseHandle(0x7ffc) == nil {
				check(errors.New("a call that must fail did not"))
			}
			th.WSAStartup(0x0202, &emu.WSAData{})
			if th.Closesocket(emu.SOCKET(evs[0])) != wso.WSAENOTSOCK {
				check(errors.New("closesocket of an event did not fail with WSAENOTSOCK"))
			}
		}},
		// The in-memory provider (provider/mem) allocates its own socket
		// records: two for each of the three sockets, one to queue the
		// accepted one. None of emu's.
		{"sockets", 7, func(th *emu.Thread) {
			var d emu.WSAData
			err := th.WSAStartup(0x0202, &d)
			l, err2 := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			err3 := th.Bind(l, &lo, 16)
			err4 := th.Listen(l, 1)
			var err5 error
			addr, err5 = th.Getsockname(l)
			c, err6 := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			err7 := th.Connect(c, &addr, 16)
			a, err8 := th.Accept(l, nil, nil)
			check(err, err2, err3, err4, err5, err6, err7, err8)
			err = th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_RCVBUF, opt)
			err2 = th.Getsockopt(c, provider.SOL_SOCKET, provider.SO_RCVBUF, opt, &optlen)
			ev, err3 := th.WSACreateEvent()
			err4 = th.WSAEventSelect(a, ev, provider.FD_READ)
			rd.Count, rd.Array[0] = 1, c
			_, err5 = th.Select(0, &rd, nil, nil, &tv)
			_, err6 = th.WSAPoll(fds, 0)
			err7 = th.Shutdown(c, provider.SD_SEND)
			err8 = th.Closesocket(c)
			check(err, err2, err3, err4, err5, err6, err7, err8)
		}},
	} {
		run := func() {
			s := emu.New(opts...)
			st, _ := s.Stepper()
			a := st.NewThread("A")
			st.NewThread("B")
			st.Call(a, c.prog)
			s.Stop()
			s.Release()
		}
		run()
		allocs := testing.AllocsPerRun(100, run)
		if failed != nil {
			t.Fatalf("%s: %v", c.name, failed)
		}
		if allocs > c.max {
			t.Errorf("%s: %.1f allocations a run, want at most %v", c.name, allocs, c.max)
		}
	}
}
