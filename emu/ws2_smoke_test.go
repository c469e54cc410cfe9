package emu

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

func TestSmokeSockets(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(kind.String(), func(t *testing.T) {
			s := New(WithProviderKind(kind))
			st, _ := s.Stepper()
			a := st.NewThread("A")
			var rs, ss SOCKET
			var ra netip.AddrPort
			ov := &Overlapped{}
			buf := make([]byte, 4)
			var n, fl uint32
			st.Call(a, func(t1 *Thread) {
				var d WSAData
				if err := t1.WSAStartup(0x0202, &d); err != nil {
					t.Fatal(err)
				}
				rs, _ = t1.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
				ss, _ = t1.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
				ra = netip.MustParseAddrPort("127.0.0.1:5000")
				if err := t1.Bind(rs, &ra, 16); err != nil {
					t.Fatal(err)
				}
				ev, _ := t1.WSACreateEvent()
				ov.HEvent = ev
				err := t1.WSARecv(rs, []WSABUF{{Len: 4, Buf: buf}}, &n, &fl, ov, nil)
				if err != wso.WSA_IO_PENDING {
					t.Fatalf("recv: %v", err)
				}
				var sent uint32
				err = t1.WSASendTo(ss, []WSABUF{{Len: 6, Buf: []byte("hello!")}}, &sent, 0, &ra, 16, &Overlapped{}, nil)
				if err != nil {
					t.Fatalf("send: %v", err)
				}
				r, _ := t1.WSAWaitForMultipleEvents([]Handle{ev}, false, 0, false)
				t.Logf("wait %s", wso.WaitName(r))
				err = t1.WSAGetOverlappedResult(rs, ov, &n, false, &fl)
				t.Logf("result err=%v n=%d flags=%#x buf=%q", err, n, fl, buf)
				var got []string
				ov2 := &Overlapped{}
				fl = 0
				t1.WSARecv(rs, []WSABUF{{Len: 4, Buf: buf}}, &n, &fl, ov2, func(e, c uint32, o *Overlapped, f uint32) {
					got = append(got, Errno(e).Name())
				})
				t1.WSASendTo(ss, []WSABUF{{Len: 2, Buf: []byte("hi")}}, &sent, 0, &ra, 16, &Overlapped{}, nil)
				r = t1.SleepEx(0, true)
				t.Logf("sleep %s routines %v", wso.WaitName(r), got)
				t1.Closesocket(rs)
				err = t1.WSAGetOverlappedResult(rs, ov2, &n, false, &fl)
				t.Logf("after close: %v", err)
			})
			t.Log("\n" + s.Trace().String())
			s.Stop()
		})
	}
}
