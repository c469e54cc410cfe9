package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// TransmitFile and TransmitPackets over the emulator's file-like handles,
// pipe ends: the system reads the handle on the provider's behalf.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_transmitpackets

// recvAll reads what s holds now (a non-overlapped receive of up to 64
// bytes).
func recvAll(t *testing.T, th *emu.Thread, s emu.SOCKET) string {
	t.Helper()
	b := make([]byte, 64)
	var got, fl uint32
	wantErr(t, "recv", th.WSARecv(s, []emu.WSABUF{{Len: 64, Buf: b}}, &got, &fl, nil, nil), 0)
	return string(b[:got])
}

// nNumberOfBytesToWrite 0 sends the whole file: for a pipe, until the
// writer closes. The head buffer and the data read so far go out while
// the pipe is empty; the request pends until the end, then the tail
// follows and it completes with the total.
func TestTransmitFilePipeToEnd(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		var pr, pw emu.Handle
		r.do(r.A, func(th *emu.Thread) {
			var err error
			pr, pw, err = th.CreatePipe(emu.PipeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("abc"), &n, &emu.Overlapped{}), 0)
			tfb := &emu.TransmitFileBuffers{Head: []byte("<"), Tail: []byte(">")}
			wantErr(t, "TransmitFile", th.TransmitFile(c, pr, 0, 0, ov, tfb, 0), wso.WSA_IO_PENDING)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != wso.WSA_IO_INCOMPLETE {
			t.Fatalf("with the writer open the transmit must still pend: %+v", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != "<abc" {
				t.Errorf("peer read %q while the pipe is open, want the head and the data so far", got)
			}
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("de"), &n, &emu.Overlapped{}), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != "de" {
				t.Errorf("peer read %q after the second write", got)
			}
			wantErr(t, "close writer", th.CloseHandle(pw), 0)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 7 {
			t.Fatalf("after the writer closed: %+v, want 7 bytes (head, 5 of data, tail)", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != ">" {
				t.Errorf("peer read %q at the end, want the tail", got)
			}
		})
	})
}

// A count sends that many bytes and leaves the rest in the pipe; a count
// beyond the data ends at the end of the data. nNumberOfBytesPerSend
// splits the file into blocks; the bytes are the same. Without a record
// the call returns once done.
func TestTransmitFilePipeCount(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		r.do(r.A, func(th *emu.Thread) {
			pr, pw, _ := th.CreatePipe(emu.PipeOptions{})
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("0123456789"), &n, &emu.Overlapped{}), 0)
			wantErr(t, "TransmitFile 4", th.TransmitFile(c, pr, 4, 3, nil, nil, 0), 0)
			if got := recvAll(t, th, s); got != "0123" {
				t.Errorf("peer read %q, want the first 4 bytes", got)
			}
			b := make([]byte, 16)
			wantErr(t, "the rest stays in the pipe", th.ReadFile(pr, b[:2], &n, &emu.Overlapped{}), 0)
			if string(b[:n]) != "45" {
				t.Errorf("ReadFile after the transmit read %q", b[:n])
			}
			wantErr(t, "close writer", th.CloseHandle(pw), 0)
			wantErr(t, "TransmitFile beyond the data", th.TransmitFile(c, pr, 100, 0, nil, nil, 0), 0)
			if got := recvAll(t, th, s); got != "6789" {
				t.Errorf("peer read %q, want what the pipe held", got)
			}
		})
	})
}

// The errors: a handle that is not a file-like one (closed, an event) is
// STATUS_INVALID_HANDLE, WSAENOTSOCK through ws2's mapping; a pipe's
// write end, not opened for reading, STATUS_ACCESS_DENIED (WSAEACCES);
// more than 2,147,483,646 bytes, WSAEINVAL (the page); an element both
// memory and file, WSAEINVAL (TRANSMIT_PACKETS_ELEMENT: mutually
// exclusive). Nothing is sent.
func TestTransmitFileErrors(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, _, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		r.do(r.A, func(th *emu.Thread) {
			pr, pw, _ := th.CreatePipe(emu.PipeOptions{})
			wantErr(t, "event handle", th.TransmitFile(c, ev, 0, 0, nil, nil, 0), wso.WSAENOTSOCK)
			wantErr(t, "write end", th.TransmitFile(c, pw, 0, 0, nil, nil, 0), wso.WSAEACCES)
			wantErr(t, "too many bytes", th.TransmitFile(c, pr, 2147483647, 0, nil, nil, 0), wso.WSAEINVAL)
			both := []emu.TransmitElement{{Flags: provider.TP_ELEMENT_MEMORY | provider.TP_ELEMENT_FILE, Len: 1, Buf: []byte("x"), File: pr}}
			wantErr(t, "memory and file", th.TransmitPackets(c, both, 0, nil, 0), wso.WSAEINVAL)
			wantErr(t, "close reader", th.CloseHandle(pr), 0)
			wantErr(t, "closed handle", th.TransmitFile(c, pr, 0, 0, nil, nil, 0), wso.WSAENOTSOCK)
		})
	})
}

// TransmitPackets with file elements between memory ones: in order; a
// ReadFile pending on the pipe gets the data before the transmit (the
// documented order); closing the pipe's read handle while the transmit
// waits ends it with STATUS_INVALID_HANDLE.
func TestTransmitPacketsPipe(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		rov := &emu.Overlapped{HEvent: r.event(r.A)}
		var pr, pw emu.Handle
		rb := make([]byte, 2)
		r.do(r.A, func(th *emu.Thread) {
			pr, pw, _ = th.CreatePipe(emu.PipeOptions{})
			els := []emu.TransmitElement{
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 2, Buf: []byte("[[")},
				{Flags: provider.TP_ELEMENT_FILE, Len: 3, File: pr},
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 2, Buf: []byte("]]")},
			}
			wantErr(t, "TransmitPackets", th.TransmitPackets(c, els, 0, ov, 0), wso.WSA_IO_PENDING)
			wantErr(t, "ReadFile", th.ReadFile(pr, rb, nil, rov), wso.ERROR_IO_PENDING)
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("xyzuvw"), &n, &emu.Overlapped{}), 0)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 7 {
			t.Fatalf("TransmitPackets: %+v, want 7 bytes", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			if string(rb) != "xy" {
				t.Errorf("the pending ReadFile got %q, want the first bytes", rb)
			}
			if got := recvAll(t, th, s); got != "[[zuv]]" {
				t.Errorf("peer read %q", got)
			}
			els := []emu.TransmitElement{{Flags: provider.TP_ELEMENT_FILE, File: pr}}
			wantErr(t, "second", th.TransmitPackets(c, els, 0, ov, 0), wso.WSA_IO_PENDING)
			if got := recvAll(t, th, s); got != "w" {
				t.Errorf("peer read %q", got)
			}
			wantErr(t, "close reader", th.CloseHandle(pr), 0)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != wso.WSAENOTSOCK && res.err != wso.ERROR_INVALID_HANDLE {
			t.Fatalf("after the read handle closed: %+v, want STATUS_INVALID_HANDLE's error", res)
		}
	})
}

// The sanitizer keeps watching the memory elements of a transmit that
// waits for its pipe: releasing one is a finding.
func TestTransmitFilePipeSanitizer(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile, emu.WithSanitizer(emu.SanitizeReport))
		_, c, _, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		head := []byte("head")
		r.do(r.A, func(th *emu.Thread) {
			pr, _, _ := th.CreatePipe(emu.PipeOptions{})
			wantErr(t, "TransmitFile", th.TransmitFile(c, pr, 0, 0, ov, &emu.TransmitFileBuffers{Head: head}, 0), wso.WSA_IO_PENDING)
		})
		r.do(r.A, func(th *emu.Thread) { th.ReleaseBuffer(head) })
		if len(r.s.Findings()) == 0 {
			t.Fatal("releasing the head buffer of a pending TransmitFile was not reported")
		}
	})
}

// Without a record the call blocks while the pipe has nothing (the
// TransmitFile page: with lpOverlapped NULL the function does not
// complete until the file has been sent), and returns TRUE once the
// writer, on another thread, has written and closed.
func TestTransmitFilePipeBlocking(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		var pr, pw emu.Handle
		r.do(r.A, func(th *emu.Thread) { pr, pw, _ = th.CreatePipe(emu.PipeOptions{}) })
		b := r.thread("B")
		var terr error = emu.Errno(0xdead)
		r.begin(r.A, func(th *emu.Thread) { terr = th.TransmitFile(c, pr, 0, 0, nil, nil, 0) })
		r.do(b, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("pipe"), &n, &emu.Overlapped{}), 0)
		})
		r.settle()
		if r.idle(r.A) {
			t.Fatal("TransmitFile returned while the writer is open")
		}
		r.do(b, func(th *emu.Thread) { wantErr(t, "close writer", th.CloseHandle(pw), 0) })
		r.settle()
		if !r.idle(r.A) {
			t.Fatal("TransmitFile still blocked after the writer closed")
		}
		wantErr(t, "TransmitFile", terr, 0)
		r.do(b, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != "pipe" {
				t.Errorf("peer read %q", got)
			}
		})
	})
}

// TF_DISCONNECT on a transmit that waits for its pipe: the end of the
// stream follows the pipe's data, once the writer has closed (the page:
// the disconnect starts after all the file data has been queued); with
// TF_REUSE_SOCKET the socket is then fit for AcceptEx.
func TestTransmitFilePipeDisconnect(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, c, s, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		var pw emu.Handle
		r.do(r.A, func(th *emu.Thread) {
			pr, w, _ := th.CreatePipe(emu.PipeOptions{})
			pw = w
			wantErr(t, "TransmitFile", th.TransmitFile(c, pr, 0, 0, ov, nil, provider.TF_DISCONNECT|provider.TF_REUSE_SOCKET), wso.WSA_IO_PENDING)
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("ab"), &n, &emu.Overlapped{}), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != "ab" {
				t.Errorf("peer read %q", got)
			}
			wantErr(t, "close writer", th.CloseHandle(pw), 0)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 2 {
			t.Fatalf("TransmitFile: %+v, want 2 bytes", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			if got := recvAll(t, th, s); got != "" {
				t.Errorf("peer read %q, want the end of the stream", got)
			}
			var n uint32
			if err := th.AcceptEx(l, c, make([]byte, 2*areaLen), 0, areaLen, areaLen, &n, &emu.Overlapped{}); !pendingOrDone(err) {
				t.Errorf("AcceptEx into the reused socket: %v", err)
			}
		})
	})
}
