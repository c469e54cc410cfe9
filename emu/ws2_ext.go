package emu

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The Microsoft extension functions: AcceptEx, GetAcceptExSockaddrs,
// ConnectEx, DisconnectEx, TransmitFile and TransmitPackets. On Windows a
// program gets their addresses from WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)
// and mswsock passes the calls to the provider; here they are methods, the
// pointer WSAIoctl hands out is a token, and each call reaches the
// provider's provider.Extensions through the one issuing path of the
// overlapped calls (the record, the I/O manager, the sanitizer and the
// trace are the same as WSASend's). None of them takes a completion
// routine: event, port, or the socket handle report them.

// TransmitFileBuffers is TRANSMIT_FILE_BUFFERS: data sent before and
// after the file.
type TransmitFileBuffers struct {
	Head []byte
	Tail []byte
}

// TransmitElement is a TRANSMIT_PACKETS_ELEMENT: memory, or a file-like handle
// (a pipe end) the machine reads for the provider.
type TransmitElement = provider.TransmitElement

// extArgs are the extension functions' arguments beyond wsaCall's.
type extArgs struct {
	accept                    SOCKET
	recvLen, localLen, remLen uint32
	buf                       []byte
	elems                     []provider.TransmitElement
	sendSize                  uint32
}

func (c *wsaCall) doExt(p provider.ServiceProvider, h SOCKET, ov *Overlapped, tid *provider.WSATHREADID) Errno {
	x, ok := p.(provider.Extensions)
	if !ok {
		return wso.WSAEOPNOTSUPP
	}
	switch c.op {
	case opAcceptEx:
		return x.WSPAcceptEx(h, c.ext.accept, c.ext.buf, c.ext.recvLen, c.ext.localLen, c.ext.remLen, c.n, ov, tid)
	case opConnectEx:
		return x.WSPConnectEx(h, c.addr, c.addrlen, c.ext.buf, c.n, ov, tid)
	case opDisconnectEx:
		return x.WSPDisconnectEx(h, ov, c.flags, tid)
	default:
		return x.WSPTransmitPackets(h, c.ext.elems, c.ext.sendSize, ov, c.flags, tid)
	}
}

// extBuffers adds the extension functions' buffers to what the sanitizer
// watches while the request is in flight.
func (c *wsaCall) extBuffers(out [][]byte) [][]byte {
	if c.ext.buf != nil {
		out = append(out, c.ext.buf)
	}
	for _, e := range c.ext.elems {
		if e.Buf != nil {
			out = append(out, e.Buf)
		}
	}
	return out
}

// AcceptEx implements LPFN_ACCEPTEX: it accepts the next connection on
// the listening socket listen into accept, an open stream socket that is
// neither bound nor connected. buf receives the first recvLen bytes of
// data (recvLen 0: complete at the connection, without waiting for data),
// then the local and remote addresses in areas of localLen and remoteLen
// bytes, read back with GetAcceptExSockaddrs. It needs a record
// (ERROR_INVALID_PARAMETER without one) and usually pends
// (ERROR_IO_PENDING); the request belongs to the listening socket, whose
// port or event reports it. Until setsockopt(SO_UPDATE_ACCEPT_CONTEXT)
// the accepted socket answers getpeername, getsockname and shutdown as if
// it were not connected.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex
func (t *Thread) AcceptEx(listen, accept SOCKET, buf []byte, recvLen, localLen, remoteLen uint32, received *uint32, ov *Overlapped) error {
	s := t.s
	if ov != nil && s.ws2.provKind == provider.IFS && s.ws2.refs > 0 {
		if _, ok := s.handles.get(Handle(listen)).(*socket); !ok {
			// mswsock marks the record pending before it looks at the
			// handles (Wine's dlls/ws2_32/tests/sock.c, test_AcceptEx,
			// on Windows: Internal is STATUS_PENDING after WSAENOTSOCK).
			wso.BeginIFS(ov, s.observer())
		}
	}
	return t.issue("AcceptEx", listen, ov, nil, &wsaCall{op: opAcceptEx, n: received,
		ext: extArgs{accept: accept, buf: buf, recvLen: recvLen, localLen: localLen, remLen: remoteLen}})
}

// GetAcceptExSockaddrs implements LPFN_GETACCEPTEXSOCKADDRS: it reads the
// local and remote addresses AcceptEx wrote after the data in buf, with
// the same three lengths. An area of 0 bytes is not read: its address and
// size are left as they were (Windows leaves the local ones when
// localLen is 0, Wine's sock.c, test_AcceptEx).
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-getacceptexsockaddrs
func (t *Thread) GetAcceptExSockaddrs(buf []byte, recvLen, localLen, remoteLen uint32, local *netip.AddrPort, localSize *int32, remote *netip.AddrPort, remoteSize *int32) error {
	const name = "GetAcceptExSockaddrs"
	var args *callArgs
	if t.s.trace != nil { // the arguments are for the trace only
		args = &callArgs{}
		args.setFmt(argsLens3, "", uint64(recvLen), uint64(localLen), uint64(remoteLen))
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if uint64(len(buf)) >= uint64(recvLen)+uint64(localLen)+uint64(remoteLen) {
		area := buf[recvLen:]
		if localLen != 0 && local != nil && localSize != nil {
			if ap, n, ok := provider.ParseAcceptExArea(area[:localLen]); ok {
				*local, *localSize = ap, n
			}
		}
		if remoteLen != 0 && remote != nil && remoteSize != nil {
			if ap, n, ok := provider.ParseAcceptExArea(area[localLen : localLen+remoteLen]); ok {
				*remote, *remoteSize = ap, n
			}
		}
	}
	t.ok(name, 0)
	return nil
}

// ConnectEx implements LPFN_CONNECTEX: it connects the bound stream
// socket h to name (WSAEINVAL when h is not bound) and then sends send;
// it needs a record and pends, completing with the bytes sent, or with
// WSAECONNREFUSED (ERROR_CONNECTION_REFUSED from GetOverlappedResult)
// when nothing listens there. Until setsockopt(SO_UPDATE_CONNECT_CONTEXT)
// the socket answers connect with WSAEINVAL and getpeername and shutdown
// with WSAENOTCONN.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex
func (t *Thread) ConnectEx(h SOCKET, name *netip.AddrPort, namelen int32, send []byte, sent *uint32, ov *Overlapped) error {
	return t.issue("ConnectEx", h, ov, nil, &wsaCall{op: opConnectEx, addr: name, addrlen: namelen, n: sent, ext: extArgs{buf: send}})
}

// DisconnectEx implements LPFN_DISCONNECTEX: it ends the sending side of
// the connection (the peer reads the end of the stream; h can still
// receive); flags 0 or TF_REUSE_SOCKET, which makes h an open, unbound
// socket again for AcceptEx or ConnectEx; reserved must be 0 (WSAEINVAL).
// With a record it pends; without one it returns when done.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex
func (t *Thread) DisconnectEx(h SOCKET, ov *Overlapped, flags, reserved uint32) error {
	if reserved != 0 {
		if err := t.wsaEnterH("DisconnectEx", h); err != nil {
			return err
		}
		return t.fail("DisconnectEx", socketError, wso.WSAEINVAL)
	}
	return t.issue("DisconnectEx", h, ov, nil, &wsaCall{op: opDisconnectEx, flags: flags})
}

// TransmitFile implements TransmitFile: the head buffer, then the data of
// file, then the tail buffer go out in order on the connected stream
// socket h. file 0 (NULL) sends only the buffers; otherwise it is a
// file-like handle the machine reads on the provider's behalf (the
// emulator's are pipe ends, read as ReadFile on that handle would read
// them): bytesToWrite bytes of it, or with 0 everything until its data
// ends (a pipe: until the writer closes). While the pipe has nothing, the
// transmit waits; it goes on when data comes. bytesPerSend is the size
// of each block read and sent (0: the default). TF_DISCONNECT ends the
// sending side after the data; with TF_REUSE_SOCKET the socket is then
// open and unbound again, for AcceptEx. With a record it pends.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
func (t *Thread) TransmitFile(h SOCKET, file Handle, bytesToWrite, bytesPerSend uint32, ov *Overlapped, bufs *TransmitFileBuffers, flags uint32) error {
	var elems []provider.TransmitElement
	if bufs != nil {
		elems = append(elems, provider.TransmitElement{Flags: provider.TP_ELEMENT_MEMORY, Len: uint32(len(bufs.Head)), Buf: bufs.Head})
	}
	if file != 0 {
		elems = append(elems, provider.TransmitElement{Flags: provider.TP_ELEMENT_FILE, Len: bytesToWrite, File: file})
	}
	if bufs != nil {
		elems = append(elems, provider.TransmitElement{Flags: provider.TP_ELEMENT_MEMORY, Len: uint32(len(bufs.Tail)), Buf: bufs.Tail})
	}
	return t.issue("TransmitFile", h, ov, nil, &wsaCall{op: opTransmit, flags: flags, ext: extArgs{elems: elems, sendSize: bytesPerSend}})
}

// TransmitPackets implements LPFN_TRANSMITPACKETS: the elements' bytes
// (memory, or read from a file-like handle as TransmitFile reads its
// file) are sent in order on the connected stream socket h, as one send;
// sendSize is the block a file is read and sent in (0: the default);
// flags as TransmitFile's. With a record it pends.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_transmitpackets
func (t *Thread) TransmitPackets(h SOCKET, elems []TransmitElement, sendSize uint32, ov *Overlapped, flags uint32) error {
	return t.issue("TransmitPackets", h, ov, nil, &wsaCall{op: opTransmit, flags: flags, ext: extArgs{elems: elems, sendSize: sendSize}})
}

// pipeWake is a transmit waiting for a pipe's data: the provider's
// deferrable and its context, fired once.
type pipeWake struct {
	d   provider.Deferrable
	ctx uintptr
}

// wakeTransmits fires the transmits waiting on p once there is something
// for them: data (an empty message counts), the end (the writer closed),
// or the reader's handle gone. Each fires once, as a system action, in
// the order they began to wait; ReadFile requests pending on the pipe
// were served first (servePipe serves them before it calls this).
func (s *System) wakeTransmits(p *pipe) {
	if len(p.xwake) == 0 || !(p.unread() > 0 || p.mh < len(p.msgs) || p.wClosed || p.rClosed) {
		return
	}
	for i, w := range p.xwake {
		s.schedule(action{name: "provider", fire: fireProvider, arg: uint64(w.ctx), dfr: w.d})
		p.xwake[i] = pipeWake{}
	}
	p.xwake = p.xwake[:0]
}

// ReadHandle implements the upcall through which a provider's transmit
// reads its file: the handle must be a pipe end opened for reading
// (ERROR_INVALID_HANDLE, ERROR_ACCESS_DENIED), a named pipe's end must be
// connected. The read takes what ReadFile on that handle would take at
// once (a message read mode stops at a message's end) and never waits:
// when ReadFile requests are pending on the pipe it leaves the data to
// them, and when there is nothing it registers wake and reports ReadWait.
// The end of the data is the writer's close (ReadFile's
// ERROR_BROKEN_PIPE).
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
func (u *upcalls) ReadHandle(h Handle, buf []byte, wake provider.Deferrable, context uintptr) (int, provider.ReadState, Errno) {
	s := u.s
	if h&kernelHandleBit != 0 {
		return 0, 0, wso.ERROR_INVALID_HANDLE
	}
	pe, ok := s.handles.get(h).(*pipeEnd)
	switch {
	case !ok:
		return 0, 0, wso.ERROR_INVALID_HANDLE
	case !pe.canRead || pe.in == nil:
		return 0, 0, wso.ERROR_ACCESS_DENIED
	}
	if e := pe.stateError(); e != 0 {
		return 0, 0, e
	}
	if buf == nil {
		return 0, provider.ReadData, 0
	}
	p := pe.in
	switch {
	case p.readers.head == nil && p.readable(pe.readMsg):
		_, n := p.take(buf, pe.readMsg)
		s.servePipe(p) // room for waiting writers
		return int(n), provider.ReadData, 0
	case p.wClosed && p.readers.head == nil:
		return 0, provider.ReadEnd, 0
	}
	if wake != nil {
		p.xwake = append(p.xwake, pipeWake{wake, context})
	}
	return 0, provider.ReadWait, 0
}
