//go:build windows

package native

import (
	"golang.org/x/sys/windows"

	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The stream-socket calls on the real ws2_32: listen, accept, WSAAccept.

var (
	pListen    = ws2.NewProc("listen")
	pAccept    = ws2.NewProc("accept")
	pWSAAccept = ws2.NewProc("WSAAccept")
)

func (m *machine) Listen(c *spec.ListenCall) (spec.Result, error) {
	r, e := call(pListen, uintptr(m.b.handle(c.Socket)), uintptr(c.Backlog))
	return intResult(r, e), nil
}

func (m *machine) Accept(c *spec.AcceptCall) (spec.Result, error) {
	return m.accept(&c.AcceptArgs, false), nil
}

func (m *machine) WSAAccept(c *spec.WSAAcceptCall) (spec.Result, error) {
	return m.accept(&c.AcceptArgs, true), nil
}

// accept calls accept, or WSAAccept with no condition function.
func (m *machine) accept(c *spec.AcceptArgs, wsa bool) spec.Result {
	sa, l := alloc(spec.SizeofSockaddrStorage), alloc(4)
	store32(l, uint32(c.Addrlen))
	psa, pl := addr(sa), addr(l)
	if c.NullAddr {
		psa, pl = 0, 0
	}
	args := []uintptr{uintptr(m.b.handle(c.Socket)), psa, pl}
	p := pAccept
	if wsa {
		p, args = pWSAAccept, append(args, 0, 0)
	}
	r, e := call(p, args...)
	if r == uintptr(windows.InvalidHandle) {
		return spec.Result{Err: wso.Errno(e)}
	}
	o := m.b.decls[c.Target.Decl]
	m.b.mu.Lock()
	o.h, o.closed = windows.Handle(r), false
	if c.Socket.Decl >= 0 {
		o.af = m.b.decls[c.Socket.Decl].af
	}
	m.b.mu.Unlock()
	out := spec.Result{Ret: 1}
	if !c.NullAddr {
		out.Outs.Has, out.Outs.Namelen = spec.OutAddr|spec.OutNamelen, load32(l)
		out.Outs.Addr, _ = readSockaddr(sa)
	}
	return out
}
