//go:build !windows || wsaemu

package windows

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// WSASendMsg and WSARecvMsg over the program's WSAMsg: with IP_PKTINFO on,
// the receive's control buffer gets an IN_PKTINFO naming the datagram's
// destination, Name the sender, and Namelen/Control.Len/Flags are updated
// in the program's header. WSARecvMsg page (LPWSAMSG: "On output ...
// Control.len ... dwFlags"); IPPROTO_IP socket options page (IP_PKTINFO).
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_wsarecvmsg
// https://learn.microsoft.com/windows/win32/winsock/ipproto-ip-socket-options
func TestWSARecvMsg(t *testing.T) { run(t, func() { bodyWSARecvMsg(t) }) }

func bodyWSARecvMsg(t *testing.T) {
	r, w, ok := udpPair(t, 5010)
	if !ok {
		return
	}
	if err := SetsockoptInt(r, IPPROTO_IP, IP_PKTINFO, 1); err != nil {
		t.Errorf("IP_PKTINFO: %v", err)
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	ov := Overlapped{HEvent: ev}
	data := make([]byte, 32)
	db := bufOf(data)
	control := make([]byte, 64)
	var name RawSockaddrAny
	msg := WSAMsg{
		Name:        (*syscallRawSockaddrAny)(unsafe.Pointer(&name)),
		Namelen:     int32(unsafe.Sizeof(name)),
		Buffers:     &db,
		BufferCount: 1,
		Control:     bufOf(control),
	}
	var n uint32
	if err := WSARecvMsg(r, &msg, &n, &ov, nil); err != ERROR_IO_PENDING {
		t.Errorf("WSARecvMsg: %v, want ERROR_IO_PENDING", err)
		return
	}
	// The WSASendMsg page asks for a bound socket (the docs profile holds
	// the emulator to it).
	if err := Bind(w, loopback(0)); err != nil {
		t.Errorf("Bind: %v", err)
	}
	var to RawSockaddrAny
	s := []byte("msg!")
	sb := bufOf(s)
	smsg := WSAMsg{
		Name:        (*syscallRawSockaddrAny)(unsafe.Pointer(&to)),
		Namelen:     putAddrPortTo(&to, loopback4(5010)),
		Buffers:     &sb,
		BufferCount: 1,
	}
	var sent uint32
	if err := WSASendMsg(w, &smsg, 0, &sent, nil, nil); err != nil || sent != 4 {
		t.Errorf("WSASendMsg: %v, sent %d", err, sent)
	}
	if err := GetOverlappedResult(r, &ov, &n, true); err != nil || string(data[:n]) != "msg!" {
		t.Errorf("WSARecvMsg result: %v %q", err, data[:n])
	}
	if msg.Namelen != 16 {
		t.Errorf("Namelen %d, want 16 (SOCKADDR_IN)", msg.Namelen)
	}
	if sa, err := name.Sockaddr(); err != nil || sa.(*SockaddrInet4).Addr != [4]byte{127, 0, 0, 1} {
		t.Errorf("Name: %#v %v", sa, err)
	}
	hdr := (*WSACMSGHDR)(unsafe.Pointer(&control[0]))
	if msg.Control.Len == 0 || hdr.Level != IPPROTO_IP || hdr.Type != IP_PKTINFO {
		t.Errorf("control: len %d, header %+v; want an IPPROTO_IP/IP_PKTINFO message", msg.Control.Len, *hdr)
	} else {
		pi := (*IN_PKTINFO)(unsafe.Pointer(&control[unsafe.Sizeof(*hdr)]))
		if pi.Addr != [4]byte{127, 0, 0, 1} {
			t.Errorf("IN_PKTINFO address %v, want 127.0.0.1", pi.Addr)
		}
	}
}

// CancelIoEx completes the cancelled receive through the mechanism it
// asked for, with ERROR_OPERATION_ABORTED from GetOverlappedResult — or,
// when a datagram won the race, normally. CancelIoEx page ("If the
// operation has already completed ... the function fails with
// ERROR_NOT_FOUND"; cancelled operations complete with
// ERROR_OPERATION_ABORTED).
// https://learn.microsoft.com/windows/win32/fileio/cancelioex-func
func TestCancelIoEx(t *testing.T) { run(t, func() { bodyCancelIoEx(t) }) }

func bodyCancelIoEx(t *testing.T) {
	r, _, ok := udpPair(t, 5011)
	if !ok {
		return
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	ov := Overlapped{HEvent: ev}
	buf := make([]byte, 8)
	b := bufOf(buf)
	var n, flags uint32
	if err := WSARecv(r, &b, 1, &n, &flags, &ov, nil); err != ERROR_IO_PENDING {
		t.Errorf("WSARecv: %v", err)
		return
	}
	if err := CancelIoEx(r, &ov); err != nil {
		t.Errorf("CancelIoEx: %v", err)
	}
	// WSAGetOverlappedResult, not GetOverlappedResult: with a non-IFS
	// provider the record's Internal is not an NTSTATUS kernel32 can read.
	if err := WSAGetOverlappedResult(r, &ov, &n, true, &flags); err != WSA_OPERATION_ABORTED {
		t.Errorf("cancelled receive: %v, want WSA_OPERATION_ABORTED", err)
	}
	if err := CancelIoEx(r, &ov); err != ERROR_NOT_FOUND {
		t.Errorf("CancelIoEx of a finished record: %v, want ERROR_NOT_FOUND", err)
	}
}

// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an operation that succeeds at
// once queues no packet. SetFileCompletionNotificationModes page. The
// mode holds for an IFS provider's socket; a non-IFS provider's completion
// goes through WPUCompleteOverlappedRequest, which posts the packet
// anyway (the reason Go's net package checks for IFS providers before it
// sets the mode), so there either outcome passes.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
func TestSkipCompletionPort(t *testing.T) {
	if err := RunMachine(emu.New(emu.WithProviderKind(provider.IFS)), func() { bodySkipCompletionPort(t) }); err != nil {
		t.Fatal(err)
	}
}

func bodySkipCompletionPort(t *testing.T) {
	r, w, ok := udpPair(t, 5012)
	if !ok {
		return
	}
	port, _ := CreateIoCompletionPort(InvalidHandle, 0, 0, 0)
	CreateIoCompletionPort(r, port, 5, 0)
	if err := SetFileCompletionNotificationModes(r, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS); err != nil {
		t.Errorf("SetFileCompletionNotificationModes: %v", err)
	}
	s := []byte("x")
	sb := bufOf(s)
	var sent uint32
	WSASendto(w, &sb, 1, &sent, 0, loopback(5012), nil, nil)
	var ov Overlapped
	buf := make([]byte, 8)
	b := bufOf(buf)
	var n, flags uint32
	err := WSARecv(r, &b, 1, &n, &flags, &ov, nil)
	var qn uint32
	var key uintptr
	var pov *Overlapped
	switch err {
	case nil: // done at once: no packet (IFS)
		qerr := GetQueuedCompletionStatus(port, &qn, &key, &pov, 0)
		ifs := Machine().ProviderKind() == provider.IFS
		if (ifs && qerr != WAIT_TIMEOUT) || n != 1 {
			t.Errorf("immediate success with skip: port gave %v (want WAIT_TIMEOUT), n %d", qerr, n)
		}
	case ERROR_IO_PENDING: // the model may pend it: then the packet comes
		if qerr := GetQueuedCompletionStatus(port, &qn, &key, &pov, INFINITE); qerr != nil || pov != &ov || qn != 1 {
			t.Errorf("pending receive with skip: port gave %v, n %d", qerr, qn)
		}
	default:
		t.Errorf("WSARecv with a datagram queued: %v", err)
	}
}

// ReadFileEx's routine (a NewCallback token with the
// LPOVERLAPPED_COMPLETION_ROUTINE shape, here spelled with uintptr
// parameters) runs in an alertable wait with the byte count. ReadFileEx page.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfileex
func TestReadFileExRoutine(t *testing.T) { run(t, func() { bodyReadFileExRoutine(t) }) }

func bodyReadFileExRoutine(t *testing.T) {
	name := StringToUTF16Ptr(`\\.\pipe\wsaemu-rfx`)
	srv, err := CreateNamedPipe(name, PIPE_ACCESS_DUPLEX|FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE, 1, 64, 64, 0, nil)
	if err != nil {
		t.Errorf("CreateNamedPipe: %v", err)
		return
	}
	cli, err := CreateFile(name, GENERIC_READ|GENERIC_WRITE, 0, nil, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		t.Errorf("CreateFile: %v", err)
		return
	}
	var got [3]uintptr
	calls := 0
	cb := NewCallback(func(errcode, n, ov uintptr) uintptr {
		calls++
		got = [3]uintptr{errcode, n, ov}
		return 0
	})
	var ov Overlapped
	buf := make([]byte, 16)
	if err := ReadFileEx(srv, buf, &ov, cb); err != nil {
		t.Errorf("ReadFileEx: %v", err)
	}
	var n uint32
	var wov Overlapped
	wev, _ := CreateEvent(nil, 1, 0, nil)
	wov.HEvent = wev
	if err := WriteFile(cli, []byte("rfx"), &n, &wov); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WriteFile: %v", err)
	}
	if calls != 0 {
		t.Errorf("the routine ran outside an alertable wait")
	}
	if r := SleepEx(INFINITE, true); r != WAIT_IO_COMPLETION {
		t.Errorf("SleepEx: %#x", r)
	}
	if calls != 1 || got[0] != 0 || got[1] != 3 || got[2] != uintptr(unsafe.Pointer(&ov)) || string(buf[:3]) != "rfx" {
		t.Errorf("routine: %d calls with %v, data %q", calls, got, buf[:3])
	}
}

// WSAEventSelect sets the event when a datagram is readable; blocking
// Recvfrom and Sendto move it, and getsockopt reads SO_TYPE.
// WSAEventSelect page (FD_READ); getsockopt page (SO_TYPE).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect
func TestEventSelectAndBlockingCalls(t *testing.T) {
	run(t, func() { bodyEventSelectAndBlockingCalls(t) })
}

func bodyEventSelectAndBlockingCalls(t *testing.T) {
	r, w, ok := udpPair(t, 5013)
	if !ok {
		return
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	if err := WSAEventSelect(r, ev, FD_READ); err != nil {
		t.Errorf("WSAEventSelect: %v", err)
	}
	if got, _ := WaitForSingleObject(ev, 0); got != uint32(WAIT_TIMEOUT) {
		t.Errorf("event with nothing to read: %#x", got)
	}
	if err := Sendto(w, []byte("sel"), 0, loopback(5013)); err != nil {
		t.Errorf("Sendto: %v", err)
	}
	if got, _ := WaitForSingleObject(ev, INFINITE); got != WAIT_OBJECT_0 {
		t.Errorf("FD_READ event: %#x", got)
	}
	buf := make([]byte, 8)
	n, from, err := Recvfrom(r, buf, 0)
	if err != nil || string(buf[:n]) != "sel" {
		t.Errorf("Recvfrom: %d %v %q", n, err, buf[:n])
	} else if sa, ok := from.(*SockaddrInet4); !ok || sa.Addr != [4]byte{127, 0, 0, 1} {
		t.Errorf("Recvfrom sender %#v", from)
	}
	if typ, err := GetsockoptInt(r, SOL_SOCKET, SO_TYPE); err != nil || typ != SOCK_DGRAM {
		t.Errorf("SO_TYPE: %d %v, want SOCK_DGRAM", typ, err)
	}
}

// A blocking accept() takes the connection a client made with connect().
// accept page.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-accept
func TestAcceptConnect(t *testing.T) { run(t, func() { bodyAcceptConnect(t) }) }

func bodyAcceptConnect(t *testing.T) {
	var d WSAData
	WSAStartup(0x0202, &d)
	l, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err := Bind(l, loopback(6010)); err != nil {
		t.Errorf("Bind: %v", err)
	}
	Listen(l, 4)
	ev, _ := CreateEvent(nil, 1, 0, nil)
	Go(func() {
		c, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
		if err := Connect(c, loopback(6010)); err != nil {
			t.Errorf("Connect: %v", err)
		}
		WaitForSingleObject(ev, INFINITE)
		Closesocket(c)
	})
	a, sa, err := Accept(l)
	if err != nil {
		t.Errorf("Accept: %v", err)
	} else if p, ok := sa.(*SockaddrInet4); !ok || p.Addr != [4]byte{127, 0, 0, 1} || p.Port == 0 {
		t.Errorf("Accept address %#v", sa)
	}
	SetEvent(ev)
	Closesocket(a)
}

// tcpPair connects a client to a listener on 127.0.0.1:port with blocking
// calls and returns both ends.
func tcpPair(t *testing.T, port int) (c, a Handle, ok bool) {
	var d WSAData
	WSAStartup(0x0202, &d)
	l, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err := Bind(l, loopback(port)); err != nil {
		t.Errorf("Bind: %v", err)
		return 0, 0, false
	}
	Listen(l, 1)
	c, _ = Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err := Connect(c, loopback(port)); err != nil {
		t.Errorf("Connect: %v", err)
		return 0, 0, false
	}
	a, _, err := Accept(l)
	if err != nil {
		t.Errorf("Accept: %v", err)
		return 0, 0, false
	}
	Closesocket(l)
	return c, a, true
}

// TransmitFile with no file sends its head and tail buffers (the
// program's memory, named by address in TRANSMIT_FILE_BUFFERS);
// DisconnectEx then ends the connection, and the peer's receive
// completes with 0 bytes. TransmitFile page ("hFile ... can be NULL ...
// only the data in the head and tail buffers is transmitted");
// DisconnectEx page.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex
func TestTransmitFileDisconnectEx(t *testing.T) { run(t, func() { bodyTransmitFileDisconnectEx(t) }) }

func bodyTransmitFileDisconnectEx(t *testing.T) {
	c, a, ok := tcpPair(t, 6020)
	if !ok {
		return
	}
	head, tail := []byte("head-"), []byte("tail")
	tf := TransmitFileBuffers{
		Head: uintptr(unsafe.Pointer(&head[0])), HeadLength: uint32(len(head)),
		Tail: uintptr(unsafe.Pointer(&tail[0])), TailLength: uint32(len(tail)),
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	ov := Overlapped{HEvent: ev}
	if err := TransmitFile(c, 0, 0, 0, &ov, &tf, 0); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("TransmitFile: %v", err)
		return
	}
	var n, flags uint32
	if err := WSAGetOverlappedResult(c, &ov, &n, true, &flags); err != nil || n != 9 {
		t.Errorf("TransmitFile result: %v, %d bytes; want nil, 9", err, n)
	}
	runtime.KeepAlive(head) // TRANSMIT_FILE_BUFFERS holds them as addresses only
	runtime.KeepAlive(tail)
	buf := make([]byte, 16)
	got := 0
	for got < 9 {
		b := bufOf(buf[got:])
		var rn uint32
		if err := WSARecv(a, &b, 1, &rn, &flags, nil, nil); err != nil || rn == 0 {
			t.Errorf("WSARecv: %v, %d", err, rn)
			return
		}
		got += int(rn)
	}
	if string(buf[:got]) != "head-tail" {
		t.Errorf("received %q, want head-tail", buf[:got])
	}
	ResetEvent(ev)
	if err := DisconnectEx(c, &ov, 0, 0); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("DisconnectEx: %v", err)
	}
	if err := WSAGetOverlappedResult(c, &ov, &n, true, &flags); err != nil {
		t.Errorf("DisconnectEx result: %v", err)
	}
	b := bufOf(buf)
	var rn uint32
	if err := WSARecv(a, &b, 1, &rn, &flags, nil, nil); err != nil || rn != 0 {
		t.Errorf("receive after the peer's DisconnectEx: %v, %d bytes; want nil, 0", err, rn)
	}
}

// WSAEnumProtocols: a zero-length buffer fails with WSAENOBUFS and names
// the size needed (a multiple of sizeof(WSAPROTOCOL_INFOW), 628 bytes);
// the entries then say whether the provider's handles are IFS handles
// (XP1_IFS_HANDLES), which programs check before they set
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS. WSAEnumProtocolsW page;
// WSAPROTOCOL_INFOW page (dwServiceFlags1).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumprotocolsw
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow
func TestWSAEnumProtocols(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		err := RunMachine(emu.New(emu.WithProviderKind(kind)), func() {
			var d WSAData
			WSAStartup(0x0202, &d)
			if s := unsafe.Sizeof(WSAProtocolInfo{}); s != 628 {
				t.Errorf("sizeof(WSAProtocolInfo) = %d, want 628", s)
			}
			var need uint32
			if _, err := WSAEnumProtocols(nil, nil, &need); err != WSAENOBUFS || need == 0 || need%628 != 0 {
				t.Errorf("empty buffer: %v, need %d; want WSAENOBUFS and a multiple of 628", err, need)
				return
			}
			infos := make([]WSAProtocolInfo, need/628)
			protos := []int32{IPPROTO_UDP, 0}
			n, err := WSAEnumProtocols(&protos[0], &infos[0], &need)
			if err != nil || n < 1 {
				t.Errorf("WSAEnumProtocols(UDP): %d, %v", n, err)
				return
			}
			for _, e := range infos[:n] {
				if e.Protocol != IPPROTO_UDP {
					t.Errorf("entry for protocol %d, asked for UDP only", e.Protocol)
				}
				if ifs := e.ServiceFlags1&XP1_IFS_HANDLES != 0; ifs != (kind == provider.IFS) {
					t.Errorf("%v provider: XP1_IFS_HANDLES %v", kind, ifs)
				}
				if UTF16ToString(e.ProtocolName[:]) == "" {
					t.Errorf("entry without a protocol name")
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
