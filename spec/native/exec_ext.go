//go:build windows

package native

import (
	"sync/atomic"

	"golang.org/x/sys/windows"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The extension functions on the real ws2_32: each pointer is asked for
// once with WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) on the call's
// socket, as a program does, and called with syscall.SyscallN.

var acceptExFn, getAcceptExSockaddrsFn, connectExFn, disconnectExFn, transmitFileFn, transmitPacketsFn atomic.Uintptr

// winGUID is a GUID in x/sys/windows' shape.
func winGUID(g provider.GUID) windows.GUID {
	return windows.GUID{Data1: g.Data1, Data2: g.Data2, Data3: g.Data3, Data4: g.Data4}
}

// ext looks an extension function up on socket s, or, when s is not a
// socket the lookup works on (the call's errors are the function's to
// give), on a fresh one; a failed lookup is returned as the call's
// failure.
func ext(s windows.Handle, g provider.GUID, cache *atomic.Uintptr) (uintptr, spec.Result, bool) {
	fn, e := extension(s, winGUID(g), cache)
	if fn == 0 {
		t, done := lookupSocket()
		fn, e = extension(t, winGUID(g), cache)
		done()
	}
	if fn == 0 {
		return 0, spec.Result{Err: wso.Errno(e)}, false
	}
	return fn, spec.Result{}, true
}

// bufAt is a buffer argument's address and size (0, 0 for NULL).
func (b *Backend) bufAt(r spec.Ref) (uintptr, int) {
	if !r.Valid() {
		return 0, 0
	}
	o := b.decls[r.Decl]
	return addr(o.buf), o.n
}

// lookupSocket is a socket to ask for GetAcceptExSockaddrs, which takes
// none: a fresh one, closed after the lookup.
func lookupSocket() (windows.Handle, func()) {
	r, _ := call(pWSASocketW, provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP, 0, 0, 0)
	h := windows.Handle(r)
	return h, func() { call(pClosesocket, uintptr(h)) }
}

func (m *machine) AcceptEx(c *spec.AcceptExCall) (spec.Result, error) {
	l := m.b.handle(c.Listen)
	fn, out, ok := ext(l, provider.WSAID_ACCEPTEX, &acceptExFn)
	if !ok {
		return out, nil
	}
	cnt, pcnt := count(c.NullBytes)
	buf, _ := m.b.bufAt(c.Buf)
	r, e := callPtr(fn, uintptr(l), uintptr(m.b.handle(c.Accept)), buf, uintptr(c.RecvLen), uintptr(c.LocalLen), uintptr(c.RemoteLen), pcnt, m.b.ovAt(c.Ov))
	out = boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out, nil
}

func (m *machine) GetAcceptExSockaddrs(c *spec.GetAcceptExSockaddrsCall) (spec.Result, error) {
	fn := getAcceptExSockaddrsFn.Load()
	if fn == 0 {
		s, done := lookupSocket()
		fn, _ = extension(s, winGUID(provider.WSAID_GETACCEPTEXSOCKADDRS), &getAcceptExSockaddrsFn)
		done()
		if fn == 0 {
			return spec.Result{}, unsupported(c, "GetAcceptExSockaddrs could not be looked up")
		}
	}
	buf, _ := m.b.bufAt(c.Buf)
	lp, ll, rp, rl := newOut(), newOut(), newOut(), newOut()
	store64(lp, 0)
	store64(rp, 0)
	callPtr(fn, buf, uintptr(c.RecvLen), uintptr(c.LocalLen), uintptr(c.RemoteLen), addr(lp), addr(ll), addr(rp), addr(rl))
	out := spec.Result{}
	out.Outs.Has, out.Outs.Value, out.Outs.Namelen = spec.OutValue|spec.OutNamelen, load32(ll), load32(rl)
	base := addr(0)
	if p := uintptr(load64(lp)); p != 0 && p >= base {
		if ap, ok := readSockaddr(int(p - base)); ok {
			out.Outs.Has, out.Outs.Addr = out.Outs.Has|spec.OutAddr, ap
		}
	}
	if p := uintptr(load64(rp)); p != 0 && p >= base {
		if ap, ok := readSockaddr(int(p - base)); ok {
			out.Outs.Has, out.Outs.From = out.Outs.Has|spec.OutFrom, ap
		}
	}
	return out, nil
}

func (m *machine) ConnectEx(c *spec.ConnectExCall) (spec.Result, error) {
	s := m.b.handle(c.Socket)
	fn, out, ok := ext(s, provider.WSAID_CONNECTEX, &connectExFn)
	if !ok {
		return out, nil
	}
	cnt, pcnt := count(c.NullBytes)
	sa, n := sockaddrArg(c.To)
	if c.To != nil {
		n = int(c.Namelen)
	}
	buf, size := m.b.bufAt(c.Send)
	r, e := callPtr(fn, uintptr(s), sa, uintptr(n), buf, uintptr(size), pcnt, m.b.ovAt(c.Ov))
	out = boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out, nil
}

func (m *machine) DisconnectEx(c *spec.DisconnectExCall) (spec.Result, error) {
	s := m.b.handle(c.Socket)
	fn, out, ok := ext(s, provider.WSAID_DISCONNECTEX, &disconnectExFn)
	if !ok {
		return out, nil
	}
	r, e := callPtr(fn, uintptr(s), m.b.ovAt(c.Ov), uintptr(c.Flags), uintptr(c.Reserved))
	return boolResult(r, e), nil
}

func (m *machine) TransmitFile(c *spec.TransmitFileCall) (spec.Result, error) {
	s := m.b.handle(c.Socket)
	fn, out, ok := ext(s, provider.WSAID_TRANSMITFILE, &transmitFileFn)
	if !ok {
		return out, nil
	}
	var tfb uintptr
	if c.Head.Valid() || c.Tail.Valid() {
		// TRANSMIT_FILE_BUFFERS on 64-bit Windows: Head, HeadLength,
		// Tail, TailLength, each field 8-byte aligned.
		t := alloc(32)
		h, hn := m.b.bufAt(c.Head)
		tl, tn := m.b.bufAt(c.Tail)
		store64(t, uint64(h))
		store32(t+8, uint32(hn))
		store64(t+16, uint64(tl))
		store32(t+24, uint32(tn))
		tfb = addr(t)
	}
	r, e := callPtr(fn, uintptr(s), uintptr(m.b.handle(c.File)), uintptr(c.Bytes), uintptr(c.PerSend), m.b.ovAt(c.Ov), tfb, uintptr(c.Flags))
	return boolResult(r, e), nil
}

func (m *machine) TransmitPackets(c *spec.TransmitPacketsCall) (spec.Result, error) {
	s := m.b.handle(c.Socket)
	fn, out, ok := ext(s, provider.WSAID_TRANSMITPACKETS, &transmitPacketsFn)
	if !ok {
		return out, nil
	}
	// TRANSMIT_PACKETS_ELEMENT on 64-bit Windows: dwElFlags, cLength,
	// then the union: pBuffer at offset 8, or nFileOffset at 8 and hFile
	// at 16; 24 bytes each. A file element reads from the handle's
	// current position (nFileOffset -1).
	els := alloc(24 * len(c.Elems))
	for i, el := range c.Elems {
		if el.IsFile() {
			store32(els+24*i, provider.TP_ELEMENT_FILE)
			store32(els+24*i+4, el.Len)
			store64(els+24*i+8, ^uint64(0))
			store64(els+24*i+16, uint64(m.b.handle(el.File)))
			continue
		}
		p, n := m.b.bufAt(el.Buf)
		store32(els+24*i, provider.TP_ELEMENT_MEMORY)
		store32(els+24*i+4, uint32(n))
		store64(els+24*i+8, uint64(p))
	}
	r, e := callPtr(fn, uintptr(s), addr(els), uintptr(len(c.Elems)), uintptr(c.SendSize), m.b.ovAt(c.Ov), uintptr(c.Flags))
	return boolResult(r, e), nil
}
