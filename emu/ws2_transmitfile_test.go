package emu_test

import (
	"net/netip"
	"testing"

	"pgregory.net/rapid"

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

// Property (issue 12): under any schedule the Chooser picks (pend or
// not, any split of the peer's receives), with the pipe's data written in
// any chunks before or after the transmit starts, a TransmitFile from a
// pipe completes exactly once, through the port, with the byte count of
// the head, the data it was asked for (all of it, or a count) and the
// tail; and the peer reads exactly those bytes, in order, then nothing
// more.
func TestTransmitFilePipePropertyRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		kind := provider.Kind(rapid.IntRange(0, 1).Draw(rt, "kind"))
		profile := emu.Profile(rapid.IntRange(0, 1).Draw(rt, "profile"))
		chunks := rapid.SliceOfN(rapid.SliceOfN(rapid.ByteRange('a', 'z'), 0, 6), 0, 4).Draw(rt, "chunks")
		early := rapid.IntRange(0, len(chunks)).Draw(rt, "early") // chunks written before the transmit
		count := uint32(rapid.IntRange(0, 12).Draw(rt, "count"))
		persend := uint32(rapid.IntRange(0, 4).Draw(rt, "persend"))
		msgMode := rapid.Bool().Draw(rt, "message")
		head, tail := []byte("<"), []byte(">")
		s := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithChooser(emu.RapidChooser(rt)))
		defer s.Stop()
		st, err := s.Stepper()
		if err != nil {
			rt.Fatal(err)
		}
		th := st.NewThread("A")
		var c, srv emu.SOCKET
		var port, pr, pw emu.Handle
		ov := &emu.Overlapped{}
		write := func(th *emu.Thread, b []byte) {
			var n uint32
			// The docs profile may pend a write that fits: it completes later.
			if err := th.WriteFile(pw, b, &n, &emu.Overlapped{}); err != nil && err != emu.Errno(0) && err != emu.Errno(wso.ERROR_IO_PENDING) {
				rt.Fatalf("WriteFile: %v", err)
			}
		}
		st.Call(th, func(th *emu.Thread) {
			var d emu.WSAData
			th.WSAStartup(0x0202, &d)
			l, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			bind := netip.AddrPortFrom(lo4, 0)
			th.Bind(l, &bind, 16)
			th.Listen(l, 1)
			laddr, _ := th.Getsockname(l)
			c, _ = th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			th.Connect(c, &laddr, 16)
			srv, _ = th.Accept(l, nil, nil)
			port, _ = th.CreateIoCompletionPort(emu.Handle(c), 0, 7, 0)
			mode := emu.PipeByte
			if msgMode {
				mode = emu.PipeMessage
			}
			pr, pw, _ = th.CreatePipe(emu.PipeOptions{Mode: mode, Capacity: 64})
			for _, b := range chunks[:early] {
				write(th, b)
			}
			if err := th.TransmitFile(c, pr, count, persend, ov, &emu.TransmitFileBuffers{Head: head, Tail: tail}, 0); err != emu.Errno(wso.WSA_IO_PENDING) {
				rt.Fatalf("TransmitFile: %v", err)
			}
		})
		for _, b := range chunks[early:] {
			st.Settle()
			st.Call(th, func(th *emu.Thread) { write(th, b) })
		}
		st.Settle()
		st.Call(th, func(th *emu.Thread) { th.CloseHandle(pw) })
		st.Settle()
		var all []byte
		for _, b := range chunks {
			all = append(all, b...)
		}
		data := all
		if count != 0 && int(count) < len(all) {
			data = all[:count]
		}
		want := string(head) + string(data) + string(tail)
		st.Call(th, func(th *emu.Thread) {
			packets := 0
			for {
				var n uint32
				var key uintptr
				var got *emu.Overlapped
				err := th.GetQueuedCompletionStatus(port, &n, &key, &got, 0)
				if got == nil {
					break
				}
				packets++
				if got != ov || err != nil || n != uint32(len(want)) {
					rt.Errorf("packet: ov %p err %v bytes %d, want %p, no error, %d bytes", got, err, n, ov, len(want))
				}
			}
			if packets != 1 {
				rt.Fatalf("%d packets, want exactly one", packets)
			}
			var nb uint32
			th.WSAIoctl(srv, provider.FIONBIO, []byte{1, 0, 0, 0}, nil, &nb, nil, nil)
			var recvd []byte
			for {
				b := make([]byte, 64)
				var n, fl uint32
				if err := th.WSARecv(srv, []emu.WSABUF{{Len: 64, Buf: b}}, &n, &fl, nil, nil); err != nil && err != emu.Errno(0) || n == 0 {
					break
				}
				recvd = append(recvd, b[:n]...)
			}
			if string(recvd) != want {
				rt.Fatalf("peer read %q, want %q", recvd, want)
			}
		})
	})
}

// CancelIoEx ends a transmit waiting for its pipe (WSA_OPERATION_ABORTED,
// the page's error for a cancelled request); the pipe's later data is
// not taken by it and stays for the pipe's next reader.
func TestTransmitFilePipeCancel(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, _, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		var pr, pw emu.Handle
		r.do(r.A, func(th *emu.Thread) {
			pr, pw, _ = th.CreatePipe(emu.PipeOptions{})
			wantErr(t, "TransmitFile", th.TransmitFile(c, pr, 0, 0, ov, nil, 0), wso.WSA_IO_PENDING)
			wantErr(t, "CancelIoEx", th.CancelIoEx(emu.Handle(c), ov), 0)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != wso.WSA_OPERATION_ABORTED {
			t.Fatalf("cancelled TransmitFile: %+v, want WSA_OPERATION_ABORTED", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "write", th.WriteFile(pw, []byte("kept"), &n, &emu.Overlapped{}), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			b := make([]byte, 8)
			var n uint32
			wantErr(t, "ReadFile", th.ReadFile(pr, b, &n, &emu.Overlapped{}), 0)
			if string(b[:n]) != "kept" {
				t.Errorf("ReadFile after the cancel read %q", b[:n])
			}
		})
	})
}
