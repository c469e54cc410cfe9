package emu

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// WSABUF and WSAMSG are the provider's types.
type (
	WSABUF = provider.WSABUF
	WSAMSG = provider.WSAMSG
)

type wsaOp uint8

const (
	opSend wsaOp = iota
	opSendTo
	opRecv
	opRecvFrom
	opSendMsg
	opRecvMsg
	opIoctl
	opAcceptEx // the extension functions (ws2_ext.go)
	opConnectEx
	opDisconnectEx
	opTransmit
)

// wsaCall holds one overlapped-capable call's arguments, so every such
// call goes through one issuing path without a closure per call.
type wsaCall struct {
	op       wsaOp
	bufs     []WSABUF
	n        *uint32
	flags    uint32
	flagsp   *uint32
	addr     *netip.AddrPort
	addrlen  int32
	addrlenp *int32
	msg      *WSAMSG
	code     uint32
	in, out  []byte
	ext      extArgs // the extension functions' own arguments (ws2_ext.go)
}

func (c *wsaCall) do(p provider.ServiceProvider, h SOCKET, ov *Overlapped, routine WSACompletionRoutine, tid *provider.WSATHREADID) Errno {
	switch c.op {
	case opSend:
		return p.WSPSend(h, c.bufs, c.n, c.flags, ov, routine, tid)
	case opSendTo:
		return p.WSPSendTo(h, c.bufs, c.n, c.flags, c.addr, c.addrlen, ov, routine, tid)
	case opRecv:
		return p.WSPRecv(h, c.bufs, c.n, c.flagsp, ov, routine, tid)
	case opRecvFrom:
		return p.WSPRecvFrom(h, c.bufs, c.n, c.flagsp, c.addr, c.addrlenp, ov, routine, tid)
	case opSendMsg:
		return p.WSPSendMsg(h, c.msg, c.flags, c.n, ov, routine, tid)
	case opRecvMsg:
		return p.WSPRecvMsg(h, c.msg, c.n, ov, routine, tid)
	case opAcceptEx, opConnectEx, opDisconnectEx, opTransmit:
		return c.doExt(p, h, ov, tid)
	default:
		return p.WSPIoctl(h, c.code, c.in, c.out, c.n, ov, routine, tid)
	}
}

// buffers appends the data buffers of the call to out, for the sanitizer.
func (c *wsaCall) buffers(out [][]byte) [][]byte {
	bufs := c.bufs
	if c.msg != nil {
		bufs = c.msg.Buffers
	}
	for _, b := range bufs {
		out = append(out, b.Buf)
	}
	return c.extBuffers(out)
}

// issue is the ws2 layer's one path for the calls that may be overlapped.
// It checks what ws2_32 checks (WSANOTINITIALISED, WSAENOTSOCK, a
// completion routine on a socket bound to a completion port: WSAEINVAL),
// passes the caller's WSATHREADID down, and for an IFS provider issues the
// kernel request first (Internal = STATUS_PENDING, event reset) so the
// provider's completion goes through the I/O manager. An immediate error
// leaves nothing behind: no event, routine or packet follows it.
func (t *Thread) issue(name string, h SOCKET, ov *Overlapped, routine WSACompletionRoutine, c *wsaCall) error {
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHOvRoutine, a: argVals{uint64(h), uint64(s.OverlappedID(ov)), b2u(routine != nil)}}
	}
	if c.op == opSendMsg && s.ws2.refs == 0 && s.profile == ProfileWindows {
		return t.sendMsgUninitialised(name, args)
	}
	if err := t.wsaEnterArgs(name, args); err != nil {
		return err
	}
	k, err := t.wsaSocket(name, h)
	if err != nil {
		return err
	}
	overlapped := k.overlapped && ov != nil
	if overlapped && routine != nil && k.port != nil {
		// A socket bound to a completion port reports there; it refuses
		// a completion routine (docs/windows-behaviour.md, "Completion ports").
		return t.fail(name, socketError, wso.WSAEINVAL)
	}
	if !overlapped {
		routine = nil
		if t.ws2.blocking > 0 && t.apcs.Depth() > 0 {
			s.finding(t, "wsasendmsg.blocking.apc-reentry-undefined",
				"%s is a blocking Winsock call made inside an APC that interrupted a blocking Winsock call on the same thread", name)
		}
		t.ws2.blocking++
		defer func() { t.ws2.blocking-- }()
	}
	// The provider copies the WSATHREADID; the thread's own copy saves an
	// allocation per call.
	tid := &t.ws2.tid
	*tid = provider.WSATHREADID{ThreadHandle: t.handle, Reserved: uintptr(t.id)}
	if k.ifs && overlapped && c.op == opIoctl && c.code == provider.SIO_GET_EXTENSION_FUNCTION_POINTER && c.n != nil {
		// ws2_32 answers an extension-function lookup itself: a GUID no
		// provider knows fails before any request exists, so the record
		// keeps its Internal (Wine's dlls/ws2_32/tests/sock.c,
		// test_get_extension_func, which passes on Windows).
		if e := c.do(s.ws2.prov, h, nil, nil, tid); e != 0 {
			return t.wsaResult(name, e)
		}
	}
	if overlapped && s.san.on() {
		z := &s.san
		z.scratch = c.buffers(z.scratch[:0])
		s.sanIssue(t, name, ov, routine != nil, z.scratch...)
		clear(z.scratch) // hold none of the caller's buffers alive
	}
	var r *request
	var id uint64
	if k.ifs && overlapped {
		if (c.op == opRecvMsg || len(k.recvMsgOvs) > 0) && s.profile.keepResultFlagsAfterRecvMsg() {
			k.noteIssue(ov, c.op == opRecvMsg)
		}
		r = s.newRequest(t, &k.fileObject, name, ov, nil)
		if routine != nil {
			r.wsaRoutine, r.apcKey = routine, uintptr(h)
			r.event, r.noPort = nil, false // hEvent is the caller's with a routine
		}
		s.start(r)
		id = r.id
	}
	prev := s.ws2.issuing
	s.ws2.issuing = r
	e := c.do(s.ws2.prov, h, ov, routine, tid)
	s.ws2.issuing = prev
	if r != nil && e != 0 && e != wso.WSA_IO_PENDING && r.id == id && r.state == reqWaiting {
		s.refuse(r)
	} else if r == nil && overlapped && e != 0 && e != wso.WSA_IO_PENDING {
		s.sanDone(ov) // the provider refused it: the record is the caller's again
	}
	if e == 0 {
		s.progressed() // done at once: data moved
	}
	if e == wso.WSA_IO_PENDING && s.poison && c.n != nil {
		*c.n = Poison
	}
	return t.wsaResult(name, e)
}

// sendMsgUninitialised answers WSASendMsg after the last WSACleanup
// (windows profile). WSASendMsg is an extension function, called through
// the pointer WSAIoctl handed out: its page answers WSANOTINITIALISED, and
// Wine was seen to answer WSAENOTSOCK. No Windows observation settles it:
// both are the model's (PointUnsettled).
//
//go:noinline
func (t *Thread) sendMsgUninitialised(name string, args *callArgs) error {
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	e := wso.WSANOTINITIALISED
	if t.s.choose(PointUnsettled, 2) == 1 {
		e = wso.WSAENOTSOCK
	}
	return t.fail(name, socketError, e)
}

// WSASend implements WSASend on a connected datagram socket. Overlapped:
// nil means it completed at once (*sent written, and the completion is
// still reported through the event, routine or port); WSA_IO_PENDING
// means it will complete later (*sent not written). A routine runs only in
// an alertable wait of this thread.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasend
func (t *Thread) WSASend(h SOCKET, bufs []WSABUF, sent *uint32, flags uint32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSASend", h, ov, routine, &wsaCall{op: opSend, bufs: bufs, n: sent, flags: flags})
}

// WSASendTo implements WSASendTo.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendto
func (t *Thread) WSASendTo(h SOCKET, bufs []WSABUF, sent *uint32, flags uint32, to *netip.AddrPort, tolen int32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSASendTo", h, ov, routine, &wsaCall{op: opSendTo, bufs: bufs, n: sent, flags: flags, addr: to, addrlen: tolen})
}

// WSARecv implements WSARecv on a datagram socket. A datagram longer than
// the buffers fails with WSAEMSGSIZE and fills the buffers; the rest is
// lost.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
func (t *Thread) WSARecv(h SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSARecv", h, ov, routine, &wsaCall{op: opRecv, bufs: bufs, n: recvd, flagsp: flags})
}

// WSARecvFrom implements WSARecvFrom: *from gets the sender at completion
// (it must stay valid until then).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom
func (t *Thread) WSARecvFrom(h SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, from *netip.AddrPort, fromlen *int32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSARecvFrom", h, ov, routine, &wsaCall{op: opRecvFrom, bufs: bufs, n: recvd, flagsp: flags, addr: from, addrlenp: fromlen})
}

// WSASendMsg implements WSASendMsg, the extension function
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_WSASENDMSG) hands out;
// here it is a method, and the pointer WSAIoctl returns is a token.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendmsg
func (t *Thread) WSASendMsg(h SOCKET, msg *WSAMSG, flags uint32, sent *uint32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSASendMsg", h, ov, routine, &wsaCall{op: opSendMsg, msg: msg, flags: flags, n: sent})
}

// WSARecvMsg implements LPFN_WSARECVMSG.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_wsarecvmsg
func (t *Thread) WSARecvMsg(h SOCKET, msg *WSAMSG, recvd *uint32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSARecvMsg", h, ov, routine, &wsaCall{op: opRecvMsg, msg: msg, n: recvd})
}

// WSAIoctl implements WSAIoctl (FIONBIO, FIONREAD,
// SIO_GET_EXTENSION_FUNCTION_POINTER, SIO_UDP_CONNRESET, SIO_FLUSH;
// anything else is WSAEINVAL).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaioctl
func (t *Thread) WSAIoctl(h SOCKET, code uint32, in, out []byte, returned *uint32, ov *Overlapped, routine WSACompletionRoutine) error {
	return t.issue("WSAIoctl", h, ov, routine, &wsaCall{op: opIoctl, code: code, in: in, out: out, n: returned})
}

// WSAGetOverlappedResult implements WSAGetOverlappedResult. ws2_32 first
// checks its socket table (a closed socket gives WSAENOTSOCK even for a
// finished record). For a non-IFS provider it asks WSPGetOverlappedResult.
// For an IFS provider it reads the record itself: STATUS_PENDING gives
// WSA_IO_INCOMPLETE, or with wait a non-alertable wait on hEvent (or on the
// socket when hEvent is NULL), after which Windows does not look at
// Internal again (docs/windows-behaviour.md); then *n = InternalHigh, *flags = Offset
// and the status is mapped by ws2_32's table (STATUS_BUFFER_OVERFLOW:
// WSAEMSGSIZE together with the bytes). Under the windows profile *flags
// is left alone when the record's last call on the socket was a
// WSARecvMsg (its flags are in the WSAMSG).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsagetoverlappedresult
func (t *Thread) WSAGetOverlappedResult(h SOCKET, ov *Overlapped, n *uint32, wait bool, flags *uint32) error {
	s := t.s
	const name = "WSAGetOverlappedResult"
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHOvWait, a: argVals{uint64(h), uint64(s.OverlappedID(ov)), b2u(wait)}}
	}
	if err := t.wsaEnterArgs(name, args); err != nil {
		return err
	}
	k, err := t.wsaSocket(name, h)
	if err != nil {
		return err
	}
	if ov == nil {
		return t.fail(name, 0, wso.WSAEFAULT)
	}
	// Windows leaves *lpdwFlags alone after a WSARecvMsg, whose flags go
	// to its WSAMSG (Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo:
	// the check that the flags keep the caller's value is todo_wine).
	keepFlags := k.ifs && s.profile.keepResultFlagsAfterRecvMsg() && k.lastIssuedRecvMsg(ov)
	if n != nil && flags != nil {
		if e := t.wsaGetOverlappedResult(name, h, k, ov, n, wait, flags, keepFlags); e != 0 {
			return t.fail(name, 0, e)
		}
		t.ok(name, 1)
		return nil
	}
	// A NULL out-parameter. The byte count is written when given (Wine's
	// sock.c test_ip_pktinfo reads the count a call with a NULL lpdwFlags
	// wrote on Windows). The windows profile then skips the NULL one and
	// reports the operation's result, as Wine does; the docs profile
	// fails with WSAEFAULT, which the page lists for either pointer.
	var tn, tf uint32
	e := t.wsaGetOverlappedResult(name, h, k, ov, &tn, wait, &tf, false)
	if e == wso.WSA_IO_INCOMPLETE || e == wso.WSA_INVALID_HANDLE {
		return t.fail(name, 0, e)
	}
	if n != nil {
		*n = tn
	}
	if s.profile.nullResultOutFaults() {
		return t.fail(name, 0, wso.WSAEFAULT)
	}
	if flags != nil && !keepFlags {
		*flags = tf
	}
	if e != 0 {
		return t.fail(name, 0, e)
	}
	t.ok(name, 1)
	return nil
}

// wsaGetOverlappedResult is WSAGetOverlappedResult once its arguments are
// checked: 0 when the operation succeeded, else the error to report.
// keepFlags leaves *flags alone (an IFS socket's record whose last call
// was a WSARecvMsg, windows profile).
func (t *Thread) wsaGetOverlappedResult(name string, h SOCKET, k *socket, ov *Overlapped, n *uint32, wait bool, flags *uint32, keepFlags bool) Errno {
	s := t.s
	if !k.ifs {
		if wait && ov.LoadInternal() == wso.WSS_OPERATION_IN_PROGRESS {
			s.sanResultWait(t, name, ov, false)
		}
		if ok, e := s.ws2.prov.WSPGetOverlappedResult(h, ov, n, wait, flags); !ok {
			return e
		}
		return 0
	}
	if NTStatus(ov.LoadInternal()) == wso.STATUS_PENDING {
		if !wait {
			return wso.WSA_IO_INCOMPLETE
		}
		s.sanResultWait(t, name, ov, false)
		wh := ov.HEvent &^ 1
		if wh == 0 {
			wh = Handle(h)
		}
		if e := t.resolveWaitables([]Handle{wh}, false); e != 0 {
			t.clearWait()
			return wso.WSA_INVALID_HANDLE
		}
		w := &t.w
		w.call, w.kind, w.alertable = name, waitObjects, false
		t.waitForObjects(INFINITE)
		t.clearWait()
	}
	st := NTStatus(ov.LoadInternal())
	*n = uint32(ov.LoadInternalHigh())
	if !keepFlags {
		*flags = ov.LoadOffset()
	}
	if st == wso.STATUS_PENDING || st.IsSuccess() {
		return 0
	}
	return st.WSAError()
}
