//go:build !windows || wsaemu

package windows

import (
	"testing"
	"unsafe"
)

// An overlapped receive reports through the event in its record. WSARecvFrom
// page: with an overlapped socket a receive that cannot complete at once
// fails with WSA_IO_PENDING, and hEvent is signalled when it completes;
// WSAGetOverlappedResult then gives the byte count, and lpFrom the sender.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom
func TestUDPEventCompletion(t *testing.T) { run(t, func() { bodyUDPEventCompletion(t) }) }

func bodyUDPEventCompletion(t *testing.T) {
	r, w, ok := udpPair(t, 5000)
	if !ok {
		return
	}
	ev, err := CreateEvent(nil, 1, 0, nil)
	if err != nil {
		t.Errorf("CreateEvent: %v", err)
		return
	}
	ov := Overlapped{HEvent: ev}
	buf := make([]byte, 64)
	b := bufOf(buf)
	var n, flags uint32
	var from RawSockaddrAny
	fromlen := int32(unsafe.Sizeof(from))
	err = WSARecvFrom(r, &b, 1, &n, &flags, &from, &fromlen, &ov, nil)
	if err != ERROR_IO_PENDING {
		t.Errorf("WSARecvFrom with nothing queued: got %v, want ERROR_IO_PENDING", err)
		return
	}
	if ev, err := WaitForSingleObject(ev, 0); ev != uint32(WAIT_TIMEOUT) || err != nil {
		t.Errorf("event before the datagram: got %#x, %v; want WAIT_TIMEOUT, nil", ev, err)
	}
	msg := []byte("hello")
	sb := bufOf(msg)
	var sent uint32
	if err := WSASendto(w, &sb, 1, &sent, 0, loopback(5000), nil, nil); err != nil || sent != 5 {
		t.Errorf("WSASendto: %v, sent %d", err, sent)
	}
	if got, err := WaitForSingleObject(ev, INFINITE); got != WAIT_OBJECT_0 || err != nil {
		t.Errorf("WaitForSingleObject: %#x, %v", got, err)
	}
	if err := WSAGetOverlappedResult(r, &ov, &n, false, &flags); err != nil || n != 5 {
		t.Errorf("WSAGetOverlappedResult: %v, n=%d; want nil, 5", err, n)
	}
	if string(buf[:n]) != "hello" {
		t.Errorf("buffer: %q", buf[:n])
	}
	wsa, err := Getsockname(w)
	if err != nil {
		t.Errorf("Getsockname: %v", err)
		return
	}
	sa, err := from.Sockaddr()
	if err != nil {
		t.Errorf("from.Sockaddr: %v", err)
		return
	}
	if got, want := sa.(*SockaddrInet4), wsa.(*SockaddrInet4); got.Port != want.Port || got.Addr != [4]byte{127, 0, 0, 1} {
		t.Errorf("sender %v, want 127.0.0.1:%d", *got, want.Port)
	}
	if fromlen != int32(unsafe.Sizeof(RawSockaddrInet4{})) {
		t.Errorf("fromlen %d, want sizeof(SOCKADDR_IN) = 16", fromlen)
	}
	if ov.Internal != 0 || ov.InternalHigh != 5 {
		t.Errorf("record after completion: Internal %#x InternalHigh %d; want 0 (STATUS_SUCCESS), 5", ov.Internal, ov.InternalHigh)
	}
}

// A completion routine runs as an APC, only in an alertable wait of the
// thread that issued the receive, and that wait returns WAIT_IO_COMPLETION.
// WSARecv page ("the completion routine ... will be invoked when the
// calling thread is in an alertable state"); SleepEx page (return value
// WAIT_IO_COMPLETION).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-sleepex
func TestUDPRoutineCompletion(t *testing.T) { run(t, func() { bodyUDPRoutineCompletion(t) }) }

func bodyUDPRoutineCompletion(t *testing.T) {
	r, w, ok := udpPair(t, 5001)
	if !ok {
		return
	}
	var ov Overlapped
	var from RawSockaddrAny
	fromlen := int32(unsafe.Sizeof(from))
	calls := 0
	var gotErr, gotN uint32
	var gotOv *Overlapped
	var fromInRoutine Sockaddr
	cb := NewCallback(func(errcode, n uint32, o *Overlapped, flags uint32) uintptr {
		calls++
		gotErr, gotN, gotOv = errcode, n, o
		fromInRoutine, _ = from.Sockaddr()
		return 0
	})
	buf := make([]byte, 16)
	b := bufOf(buf)
	var n, flags uint32
	if err := WSARecvFrom(r, &b, 1, &n, &flags, &from, &fromlen, &ov, routine(cb)); err != ERROR_IO_PENDING {
		t.Errorf("WSARecvFrom: %v, want ERROR_IO_PENDING", err)
		return
	}
	sb := bufOf([]byte("abc"))
	var sent uint32
	if err := WSASendto(w, &sb, 1, &sent, 0, loopback(5001), nil, nil); err != nil {
		t.Errorf("WSASendto: %v", err)
	}
	if got := SleepEx(0, false); got != 0 || calls != 0 {
		t.Errorf("non-alertable SleepEx: returned %#x with %d routine calls; want 0, 0", got, calls)
	}
	if got := SleepEx(INFINITE, true); got != WAIT_IO_COMPLETION {
		t.Errorf("alertable SleepEx: %#x, want WAIT_IO_COMPLETION", got)
	}
	if calls != 1 || gotErr != 0 || gotN != 3 || gotOv != &ov {
		t.Errorf("routine: %d calls, errcode %d, n %d, ov ok %v; want 1, 0, 3, true", calls, gotErr, gotN, gotOv == &ov)
	}
	if sa, ok := fromInRoutine.(*SockaddrInet4); !ok || sa.Addr != [4]byte{127, 0, 0, 1} {
		t.Errorf("lpFrom as the routine saw it: %#v", fromInRoutine)
	}
	if string(buf[:3]) != "abc" {
		t.Errorf("buffer %q", buf[:3])
	}
}

// A socket associated with a completion port reports there: the packet
// carries the key given at association, the byte count and the program's
// own record. CreateIoCompletionPort and GetQueuedCompletionStatus pages.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatus
func TestUDPPortCompletion(t *testing.T) { run(t, func() { bodyUDPPortCompletion(t) }) }

func bodyUDPPortCompletion(t *testing.T) {
	r, w, ok := udpPair(t, 5002)
	if !ok {
		return
	}
	port, err := CreateIoCompletionPort(InvalidHandle, 0, 0, 0)
	if err != nil {
		t.Errorf("CreateIoCompletionPort: %v", err)
		return
	}
	if _, err := CreateIoCompletionPort(r, port, 77, 0); err != nil {
		t.Errorf("associate: %v", err)
		return
	}
	var ov Overlapped
	buf := make([]byte, 16)
	b := bufOf(buf)
	var n, flags uint32
	if err := WSARecv(r, &b, 1, &n, &flags, &ov, nil); err != ERROR_IO_PENDING {
		t.Errorf("WSARecv: %v", err)
		return
	}
	var qn uint32
	var key uintptr
	var pov *Overlapped
	if err := GetQueuedCompletionStatus(port, &qn, &key, &pov, 0); err != WAIT_TIMEOUT || pov != nil {
		t.Errorf("empty port: %v, ov %p; want WAIT_TIMEOUT, nil", err, pov)
	}
	sb := bufOf([]byte("port!"))
	var sent uint32
	if err := WSASendto(w, &sb, 1, &sent, 0, loopback(5002), nil, nil); err != nil {
		t.Errorf("WSASendto: %v", err)
	}
	if err := GetQueuedCompletionStatus(port, &qn, &key, &pov, INFINITE); err != nil {
		t.Errorf("GetQueuedCompletionStatus: %v", err)
	}
	if pov != &ov || key != 77 || qn != 5 || string(buf[:5]) != "port!" {
		t.Errorf("packet: ov ok %v, key %d, n %d, data %q; want true, 77, 5, port!", pov == &ov, key, qn, buf[:5])
	}
	// A posted packet comes out of GetQueuedCompletionStatusEx as posted.
	var mine Overlapped
	if err := PostQueuedCompletionStatus(port, 9, 3, &mine); err != nil {
		t.Errorf("PostQueuedCompletionStatus: %v", err)
	}
	var es [4]OverlappedEntry
	var removed uint32
	if err := GetQueuedCompletionStatusEx(port, &es[0], uint32(len(es)), &removed, 0, false); err != nil {
		t.Errorf("GetQueuedCompletionStatusEx: %v", err)
	}
	if removed != 1 || es[0].Overlapped != &mine || es[0].CompletionKey != 3 || es[0].NumberOfBytesTransferred != 9 {
		t.Errorf("entries: removed %d, %+v", removed, es[0])
	}
	if err := CloseHandle(port); err != nil {
		t.Errorf("CloseHandle(port): %v", err)
	}
}
