package spec

import (
	"net/netip"
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
