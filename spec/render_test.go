package spec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Render is the one place a typed result becomes scenario words: a
// Winsock call's error takes its WSA_ name (the same code), an
// out-parameter still holding Poison reads "untouched", a port call
// returns the port by the name the step gave it.
func TestRender(t *testing.T) {
	sc, err := Parse("r.scenario", strings.NewReader(`title t
thread A
port io
pipe p
socket s udp4
buffer b 8
overlapped ov
A: WSARecvFrom s b NULL
A: WSARecv s b ov
A: CreateIoCompletionPort p.r io key=1
A: CreateIoCompletionPort p.r io
A: GetQueuedCompletionStatusEx io 2 0
A: SleepEx 0 alertable
`))
	if err != nil {
		t.Fatal(err)
	}
	op := func(i int) Op { return sc.Steps[i].Call.Op }
	from := netip.MustParseAddrPort("127.0.0.1:5000")
	for _, tc := range []struct {
		op   Op
		r    Result
		want string
	}{
		{op(0), Result{Outs: Outs{Has: OutBytes | OutFlags | OutFrom, Bytes: 5, Flags: 0, From: from}}, "0 bytes=5 flags=0 from=127.0.0.1:5000"},
		{op(1), Result{Ret: SocketError, Err: wso.ERROR_IO_PENDING, Outs: Outs{Has: OutBytes | OutFlags, Bytes: Poison}}, "SOCKET_ERROR WSA_IO_PENDING bytes=untouched flags=0"},
		{op(2), Result{Ret: 1}, "io"},
		{op(3), Result{Err: wso.ERROR_INVALID_PARAMETER}, "NULL ERROR_INVALID_PARAMETER"},
		{op(4), Result{Ret: 1, Outs: Outs{Has: OutRemoved, Removed: 1, Entries: []PortEntry{{Ov: Ref{Name: "ov", Decl: 6}, Bytes: 3, Key: 1, Status: 0xC0000120}}}},
			"TRUE bytes1=3 key1=1 ov1=ov removed=1 status1=3221225760"},
		{op(4), Result{Err: wso.Errno(wso.WAIT_IO_COMPLETION), Outs: Outs{Has: OutRemoved, Removed: 0}}, "FALSE WAIT_IO_COMPLETION"},
		{op(5), Result{Ret: uint64(wso.WAIT_IO_COMPLETION)}, "WAIT_IO_COMPLETION"},
		{op(5), Result{Blocked: true}, "blocked"},
	} {
		if got := FormatOutcome(Render(tc.op, tc.r)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.op.Entry().Name, got, tc.want)
		}
	}
}

// renderCases are results of different shapes for the calls of
// renderScenario: each Has bit, entries, keys the backend names, the
// poison, addresses of both families, numbers past 100.
func renderCases(t *testing.T) (ops []Op, rs []Result) {
	t.Helper()
	sc, err := Parse("r.scenario", strings.NewReader(`title t
thread A
port io
socket s udp4
buffer b 8
overlapped ov
A: WSARecvFrom s b NULL
A: GetQueuedCompletionStatusEx io 3 0
A: select read=s timeout=0
A: WSAGetOverlappedResult s ov
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sc.Steps {
		ops = append(ops, st.Call.Op)
	}
	from4, from6 := netip.MustParseAddrPort("127.0.0.1:5000"), netip.MustParseAddrPort("[::1]:61234")
	ov := Ref{Name: "ov", Decl: 4}
	rs = []Result{
		{Outs: Outs{Has: OutBytes | OutFlags | OutFrom, Bytes: 5, Flags: 0, From: from4}},
		{Outs: Outs{Has: OutBytes | OutFlags | OutFrom, Bytes: 1234, Flags: 0x80000000, From: from6}},
		{Outs: Outs{Has: OutBytes | OutFlags, Bytes: Poison, Flags: 300}},
		{Ret: SocketError, Err: wso.ERROR_IO_PENDING, Outs: Outs{Has: OutBytes | OutFlags | OutFrom, Bytes: Poison}},
		{Ret: 1, Outs: Outs{Has: OutRemoved, Removed: 2, Entries: []PortEntry{{Ov: ov, Bytes: 300, Key: 7, Status: 0xC0000120}, {Ov: Ref{Name: "?", Decl: RefUnknown}, Bytes: 3}}}},
		{Ret: 1, Outs: Outs{Has: OutRemoved, Removed: 1, Entries: []PortEntry{{Ov: ov, Bytes: 300, Key: 7, Status: 0xC0000120}}}},
		{Outs: Outs{Has: OutRemoved, Removed: 0}},
		{Ret: 1, Outs: Outs{More: []OutKV{{"read", "1"}, {"read1", "s"}}}},
		{Ret: 1, Outs: Outs{Has: OutBytes, Bytes: 2, More: []OutKV{{"read", "2"}, {"bytes", "9"}, {"read", "3"}}}},
		{Ret: 1, Outs: Outs{Has: OutBytes | OutFlags | OutOv | OutValue | OutDst | OutLastError, Bytes: 700, Ov: ov, Value: 12345, Dst: from4.Addr(), LastErr: 997}},
		{Blocked: true},
	}
	return ops, rs
}

// A report renders each step's outcome into the map the step of its index
// kept from the last run: over the same call's last outcome (keeping the
// strings that read the same), or another call's, cleared. Either way the
// outcome is the one Render makes afresh, for every pair of results.
func TestRenderOverKeptMaps(t *testing.T) {
	ops, rs := renderCases(t)
	show := func(o Outcome) string { return FormatOutcome(o) + " " + fmt.Sprint(len(o.Outs)) }
	for _, opA := range ops {
		for _, a := range rs {
			for _, opB := range ops {
				for _, b := range rs {
					var k keptOuts
					m, same := k.take(opA)
					k.keep(opA, renderInto(opA, &a, m, same).Outs)
					m, same = k.take(opB)
					got := renderInto(opB, &b, m, same)
					k.keep(opB, got.Outs)
					if want := Render(opB, b); show(got) != show(want) {
						t.Fatalf("%s %+v after %s %+v: %q, want %q", opB.Entry().Name, b, opA.Entry().Name, a, show(got), show(want))
					}
				}
			}
		}
	}
}

// Rendering a step's outcome over the same call's kept map allocates
// nothing when the values read as they did (numbers past 100, addresses,
// completion entries included).
func TestRenderOverKeptMapAllocatesNothing(t *testing.T) {
	ops, rs := renderCases(t)
	for i, r := range rs {
		if len(r.Outs.More) > 0 || r.Blocked {
			continue
		}
		for _, op := range ops {
			var k keptOuts
			m, same := k.take(op)
			k.keep(op, renderInto(op, &r, m, same).Outs)
			if allocs := testing.AllocsPerRun(50, func() {
				m, same := k.take(op)
				k.keep(op, renderInto(op, &r, m, same).Outs)
			}); allocs != 0 {
				t.Errorf("%s, result %d: %v allocations", op.Entry().Name, i, allocs)
			}
		}
	}
}

// The keys and bit names rendered from tables made once read as the ones
// made each time: NAME followed by the number, and bits joined with +.
func TestKeptKeysAndNames(t *testing.T) {
	for _, k := range []*numberedKeys{readKeys, writeKeys, exceptKeys, reventsKeys, afdHandleKeys, afdEventsKeys, afdStatusKeys, {prefix: "other"}} {
		for n := 1; n <= 200; n++ {
			if got, want := k.key(n), k.prefix+strconv.Itoa(n); got != want {
				t.Fatalf("key %d: %q, want %q", n, got, want)
			}
		}
	}
	for _, c := range []*plusCache{fdPlus, pollPlus, afdPlus} {
		for v := uint64(0); v < 1<<12; v++ {
			for range 2 { // made, then kept
				if got, want := c.text(v), plusNames(v, c.name); got != want {
					t.Fatalf("%#x: %q, want %q", v, got, want)
				}
			}
		}
	}
}
