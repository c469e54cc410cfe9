package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

const npName = `\\.\pipe\np-test`

// npServer makes a server end on th.
func (r *kioRig) npServer(th *emu.Thread, name string, openMode, pipeMode, max uint32) emu.Handle {
	r.tb.Helper()
	var h emu.Handle
	var err error
	r.do(th, func(t *emu.Thread) { h, err = t.CreateNamedPipe(name, openMode, pipeMode, max, 1024, 1024) })
	if err != nil {
		r.tb.Fatalf("CreateNamedPipe: %v", err)
	}
	return h
}

// npClient opens the pipe on th.
func (r *kioRig) npClient(th *emu.Thread, name string, overlapped bool) (emu.Handle, error) {
	r.tb.Helper()
	var h emu.Handle
	var err error
	r.do(th, func(t *emu.Thread) {
		h, err = t.CreateFile(name, emu.GENERIC_READ|emu.GENERIC_WRITE, overlapped)
	})
	return h, err
}

func (r *kioRig) waitZero(th *emu.Thread, h emu.Handle) uint32 {
	r.tb.Helper()
	var res uint32
	r.do(th, func(t *emu.Thread) { res, _ = t.WaitForSingleObjectEx(h, 0, false) })
	return res
}

// CreateNamedPipe's parameter checks (Wine's dlls/kernel32/tests/pipe.c,
// test_CreateNamedPipe and test_CreateNamedPipe_instances_must_match).
func TestCreateNamedPipeErrors(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	try := func(name string, open, mode, max uint32) error {
		var err error
		r.do(a, func(t *emu.Thread) { _, err = t.CreateNamedPipe(name, open, mode, max, 1024, 1024) })
		return err
	}
	kioWant(t, "not a pipe name", try("not a named pipe", emu.PIPE_ACCESS_DUPLEX, 0, 1), wso.ERROR_INVALID_NAME)
	kioWant(t, "NULL name", try("", emu.PIPE_ACCESS_DUPLEX, 0, 1), wso.ERROR_PATH_NOT_FOUND)
	kioWant(t, "byte pipe, message reads", try(npName, emu.PIPE_ACCESS_DUPLEX, emu.PIPE_READMODE_MESSAGE, 1), wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "no instances", try(npName, emu.PIPE_ACCESS_DUPLEX, 0, 0), wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "first", try(npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_FIRST_PIPE_INSTANCE, 0, 1), nil)
	kioWant(t, "over the maximum", try(npName, emu.PIPE_ACCESS_DUPLEX, 0, 1), wso.ERROR_PIPE_BUSY)
	kioWant(t, "first again", try(npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_FIRST_PIPE_INSTANCE, 0, 1), wso.ERROR_ACCESS_DENIED)
	kioWant(t, "other access", try(`\\.\PIPE\NP-TEST`, emu.PIPE_ACCESS_INBOUND, 0, 1), wso.ERROR_ACCESS_DENIED)
	// Bits real servers pass that change nothing locally are accepted.
	kioWant(t, "reject remote", try(`\\.\pipe\other`, emu.PIPE_ACCESS_DUPLEX|emu.WRITE_DAC, emu.PIPE_REJECT_REMOTE_CLIENTS, emu.PIPE_UNLIMITED_INSTANCES), nil)
	kioWant(t, "unknown mode bit", try(`\\.\pipe\other2`, emu.PIPE_ACCESS_DUPLEX, 0x100, 1), wso.ERROR_INVALID_PARAMETER)
}

// A client connects to a listening instance and completes the server's
// pending ConnectNamedPipe; both ends then read and write (Wine's
// dlls/kernel32/tests/pipe.c, create_overlapped_pipe and
// test_CreateNamedPipe).
func TestNamedPipeConnectAndDuplex(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	if _, err := r.npClient(a, npName, true); err != wso.ERROR_FILE_NOT_FOUND {
		t.Fatalf("client before the server: %v", err)
	}
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, emu.PIPE_TYPE_MESSAGE|emu.PIPE_READMODE_MESSAGE, 1)
	if r.waitZero(a, srv) != 0 {
		t.Fatal("a new server end is not signalled")
	}
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, ov) })
	kioWant(t, "ConnectNamedPipe", err, wso.ERROR_IO_PENDING)
	if r.signalled(ev) || r.waitZero(a, srv) == 0 {
		t.Fatal("pending listen: event or server signalled")
	}
	cli, err := r.npClient(a, npName, true)
	kioWant(t, "CreateFile", err, nil)
	if !r.signalled(ev) || kioStatus(ov) != wso.STATUS_SUCCESS {
		t.Fatalf("listen not completed: event %v, status %#x", r.signalled(ev), kioStatus(ov))
	}
	if _, err := r.npClient(a, npName, true); err != wso.ERROR_PIPE_BUSY {
		t.Fatalf("second client: %v", err)
	}
	r.do(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, &emu.Overlapped{}) })
	kioWant(t, "ConnectNamedPipe when connected", err, wso.ERROR_PIPE_CONNECTED)

	r.write(a, srv, "to client")
	r.write(a, cli, "to server")
	buf := make([]byte, 32)
	var n uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(cli, buf, &n, &emu.Overlapped{}) })
	if err != nil || string(buf[:n]) != "to client" {
		t.Fatalf("client read %q, %v", buf[:n], err)
	}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(srv, buf[:2], &n, &emu.Overlapped{}) })
	kioWant(t, "server message read of 2", err, wso.ERROR_MORE_DATA)
}

// DisconnectNamedPipe fails pending I/O on both ends with
// ERROR_PIPE_NOT_CONNECTED and cuts the client off (Wine's
// dlls/kernel32/tests/pipe.c, test_overlapped_transport and
// test_DisconnectNamedPipe); the server then takes no client until it
// listens again.
func TestNamedPipeDisconnect(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, 0, 1)
	cli, err := r.npClient(a, npName, true)
	kioWant(t, "CreateFile", err, nil)
	big := make([]byte, 3000)
	ovC, ovS := &emu.Overlapped{}, &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(cli, big, nil, ovC) })
	kioWant(t, "client write", err, wso.ERROR_IO_PENDING)
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(srv, big, nil, ovS) })
	kioWant(t, "server write", err, wso.ERROR_IO_PENDING)
	r.do(a, func(t *emu.Thread) { err = t.DisconnectNamedPipe(srv) })
	kioWant(t, "DisconnectNamedPipe", err, nil)
	if kioStatus(ovC) != wso.STATUS_PIPE_DISCONNECTED || kioStatus(ovS) != wso.STATUS_PIPE_DISCONNECTED {
		t.Fatalf("pending writes: %#x %#x", kioStatus(ovC), kioStatus(ovS))
	}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(cli, big, nil, &emu.Overlapped{}) })
	kioWant(t, "client read", err, wso.ERROR_PIPE_NOT_CONNECTED)
	r.do(a, func(t *emu.Thread) { err = t.PeekNamedPipe(srv, nil, nil, nil, nil) })
	kioWant(t, "server peek", err, wso.ERROR_BAD_PIPE)
	r.do(a, func(t *emu.Thread) { err = t.DisconnectNamedPipe(srv) })
	kioWant(t, "second disconnect", err, wso.ERROR_PIPE_NOT_CONNECTED)
	if _, err := r.npClient(a, npName, true); err != wso.ERROR_PIPE_BUSY {
		t.Fatalf("client of a disconnected server: %v", err)
	}
	ov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, ov) })
	kioWant(t, "listen again", err, wso.ERROR_IO_PENDING)
	_, err = r.npClient(a, npName, true)
	kioWant(t, "new client", err, nil)
	if kioStatus(ov) != wso.STATUS_SUCCESS {
		t.Fatalf("listen: %#x", kioStatus(ov))
	}
}

// Closing one end: the other end reads what is left, then
// ERROR_BROKEN_PIPE; its writes fail with ERROR_NO_DATA (Wine's
// dlls/kernel32/tests/pipe.c, test_CloseHandle); ConnectNamedPipe on a
// server whose client came and went gives ERROR_NO_DATA (test_nowait).
func TestNamedPipeCloseEnds(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, 0, 1)
	cli, _ := r.npClient(a, npName, true)
	r.write(a, cli, "left")
	var err error
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(cli) })
	kioWant(t, "close client", err, nil)
	buf := make([]byte, 8)
	var n uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(srv, buf, &n, &emu.Overlapped{}) })
	if err != nil || string(buf[:n]) != "left" {
		t.Fatalf("read what is left: %q %v", buf[:n], err)
	}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(srv, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "read after", err, wso.ERROR_BROKEN_PIPE)
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(srv, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "write after", err, wso.ERROR_NO_DATA)
	r.do(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, &emu.Overlapped{}) })
	kioWant(t, "connect after", err, wso.ERROR_NO_DATA)
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(srv) })
	kioWant(t, "close server", err, nil)
	// The name went with its last instance.
	if _, err := r.npClient(a, npName, true); err != wso.ERROR_FILE_NOT_FOUND {
		t.Fatalf("client after the last instance closed: %v", err)
	}
}

// A synchronous ConnectNamedPipe blocks until a client opens the pipe on
// another thread.
func TestNamedPipeBlockingConnect(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a, b := r.thread("A"), r.thread("B")
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX, 0, 1)
	var err error = wso.ERROR_GEN_FAILURE
	if r.call(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, nil) }) {
		t.Fatal("ConnectNamedPipe returned with no client")
	}
	if _, e := r.npClient(b, npName, false); e != nil {
		t.Fatal(e)
	}
	r.st.Settle()
	kioWant(t, "blocking connect", err, nil)
}

// PIPE_NOWAIT (Wine's dlls/kernel32/tests/pipe.c, test_nowait): a read
// with nothing to read is ERROR_NO_DATA; a write that does not fit writes
// what the waiting reads take, in a byte pipe.
func TestNamedPipeNowait(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	var srv emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) {
		srv, err = t.CreateNamedPipe(npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, emu.PIPE_NOWAIT, 1, 512, 512)
	})
	kioWant(t, "create", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.ConnectNamedPipe(srv, &emu.Overlapped{}) })
	kioWant(t, "nowait listen", err, wso.ERROR_PIPE_LISTENING)
	cli, _ := r.npClient(a, npName, true)
	buf := make([]byte, 600)
	var n uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(srv, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "nowait read", err, wso.ERROR_NO_DATA)
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(srv, buf[:513], &n, &emu.Overlapped{}) })
	if err != nil || n != 0 {
		t.Fatalf("write over the quota: %v, %d", err, n)
	}
	ov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(cli, buf[:1], nil, ov) })
	kioWant(t, "pending read", err, wso.ERROR_IO_PENDING)
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(srv, buf[:514], &n, &emu.Overlapped{}) })
	if err != nil || n != 1 || kioStatus(ov) != wso.STATUS_SUCCESS {
		t.Fatalf("514 into a 1-byte read: %v, %d, %#x", err, n, kioStatus(ov))
	}
}

// TransactNamedPipe writes its message and pends for the answer; on a pipe
// not read in message mode it fails with ERROR_BAD_PIPE, with data waiting
// with ERROR_PIPE_BUSY (Wine's dlls/kernel32/tests/pipe.c, test_transact
// and test_TransactNamedPipe).
func TestTransactNamedPipe(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows))
	a := r.thread("A")
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, emu.PIPE_TYPE_MESSAGE|emu.PIPE_READMODE_MESSAGE, 1)
	cli, _ := r.npClient(a, npName, true)
	out := make([]byte, 16)
	var err error
	r.do(a, func(t *emu.Thread) { err = t.TransactNamedPipe(cli, []byte("q"), out, nil, &emu.Overlapped{}) })
	kioWant(t, "byte read mode", err, wso.ERROR_BAD_PIPE)
	ov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.TransactNamedPipe(srv, []byte("ask"), out, nil, ov) })
	kioWant(t, "transact", err, wso.ERROR_IO_PENDING)
	buf := make([]byte, 8)
	var n uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(cli, buf, &n, &emu.Overlapped{}) })
	if err != nil || string(buf[:n]) != "ask" {
		t.Fatalf("client read %q, %v", buf[:n], err)
	}
	r.write(a, cli, "answer")
	if kioStatus(ov) != wso.STATUS_SUCCESS || ov.LoadInternalHigh() != 6 || string(out[:6]) != "answer" {
		t.Fatalf("transaction: %#x, %d, %q", kioStatus(ov), ov.LoadInternalHigh(), out[:6])
	}
	r.write(a, cli, "x")
	r.do(a, func(t *emu.Thread) { err = t.TransactNamedPipe(srv, []byte("ask"), out, nil, &emu.Overlapped{}) })
	kioWant(t, "data waiting", err, wso.ERROR_PIPE_BUSY)
}

// unsettledChooser takes alternative 1 at PointUnsettled and the usual
// alternative everywhere else.
type unsettledChooser struct{}

func (unsettledChooser) Choose(p emu.Point, n int) int {
	if p == emu.PointUnsettled {
		return 1
	}
	return 0
}

// A refused TransactNamedPipe on an overlapped handle, as Windows 8 and
// later refuse it: the call returns ERROR_IO_PENDING with the request
// already failed, its event set, GetOverlappedResult failing with the
// error and 0 bytes (Wine's dlls/kernel32/tests/pipe.c,
// overlapped_transact_failure, the branch it marks win8+), and a packet on
// the handle's port. The docs profile fails the call at once, as the page
// reads and Windows 7 did.
func TestTransactNamedPipeRefusalPends(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileWindows), emu.WithChooser(unsettledChooser{}))
	a := r.thread("A")
	srv := r.npServer(a, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, emu.PIPE_TYPE_MESSAGE|emu.PIPE_READMODE_MESSAGE, 1)
	cli, _ := r.npClient(a, npName, true)
	var port emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(cli, 0, 7, 0) })
	if err != nil {
		t.Fatalf("CreateIoCompletionPort: %v", err)
	}
	out := make([]byte, 16)
	for _, c := range []struct {
		what    string
		h       emu.Handle
		prepare func()
		want    error
	}{
		{"byte read mode", cli, func() {}, wso.ERROR_BAD_PIPE},
		{"data waiting", srv, func() { r.write(a, cli, "x") }, wso.ERROR_PIPE_BUSY},
	} {
		c.prepare()
		ev := r.event(a, true, false)
		ov := &emu.Overlapped{HEvent: ev}
		r.do(a, func(t *emu.Thread) { err = t.TransactNamedPipe(c.h, []byte("q"), out, nil, ov) })
		kioWant(t, c.what, err, wso.ERROR_IO_PENDING)
		if !r.signalled(ev) {
			t.Fatalf("%s: the event is not set when the call returns", c.what)
		}
		n, err := r.result(a, c.h, ov)
		kioWant(t, c.what+": GetOverlappedResult", err, c.want)
		if n != 0 {
			t.Fatalf("%s: GetOverlappedResult reports %d bytes", c.what, n)
		}
	}
	// Only the client is bound to the port: its refusal posted a failed
	// packet, then its write of "x" a successful one.
	var n uint32
	var key uintptr
	var got *emu.Overlapped
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
	if err != wso.ERROR_BAD_PIPE || key != 7 || n != 0 || got == nil {
		t.Fatalf("packet: err=%v key=%d n=%d ov=%p, want ERROR_BAD_PIPE, key 7, 0 bytes", err, key, n, got)
	}
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
	if err != nil || n != 1 {
		t.Fatalf("the write's packet: err=%v n=%d", err, n)
	}
	r.noPacket(a, port)

	d := newKioRig(t, emu.WithProfile(emu.ProfileDocs), emu.WithChooser(unsettledChooser{}))
	b := d.thread("B")
	d.npServer(b, npName, emu.PIPE_ACCESS_DUPLEX|emu.FILE_FLAG_OVERLAPPED, emu.PIPE_TYPE_MESSAGE|emu.PIPE_READMODE_MESSAGE, 1)
	dcli, _ := d.npClient(b, npName, true)
	d.do(b, func(t *emu.Thread) { err = t.TransactNamedPipe(dcli, []byte("q"), out, nil, &emu.Overlapped{}) })
	kioWant(t, "docs profile", err, wso.ERROR_BAD_PIPE)
}
