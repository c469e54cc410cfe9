package emulated

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
)

// The stream-socket calls: listen, accept, WSAAccept.

func (m *machine) Listen(c *spec.ListenCall) (spec.Result, error) {
	return intResult(m.t.Listen(emu.SOCKET(m.e.handle(c.Socket)), c.Backlog))
}

func (m *machine) Accept(c *spec.AcceptCall) (spec.Result, error) {
	return m.accept(&c.AcceptArgs, m.t.Accept)
}

func (m *machine) WSAAccept(c *spec.WSAAcceptCall) (spec.Result, error) {
	return m.accept(&c.AcceptArgs, m.t.WSAAccept)
}

func (m *machine) accept(c *spec.AcceptArgs, fn func(emu.SOCKET, *netip.AddrPort, *int32) (emu.SOCKET, error)) (spec.Result, error) {
	a, l := one(&m.e.lent.addrs), one(&m.e.lent.i32s)
	*l = c.Addrlen
	pa, pl := a, l
	if c.NullAddr {
		pa, pl = nil, nil
	}
	h, err := fn(emu.SOCKET(m.e.handle(c.Socket)), pa, pl)
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Err: en}, err
	}
	m.e.objs[c.Target.Decl].h = emu.Handle(h)
	r := spec.Result{Ret: 1}
	if !c.NullAddr {
		r.Outs.Has, r.Outs.Addr, r.Outs.Namelen = spec.OutAddr|spec.OutNamelen, *a, uint32(*l)
	}
	return r, err
}
