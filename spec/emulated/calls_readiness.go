package emulated

import (
	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
)

// The readiness calls: WSAEventSelect, WSAEnumNetworkEvents, WSAPoll,
// select.

func (m *machine) WSAEventSelect(c *spec.WSAEventSelectCall) (spec.Result, error) {
	return intResult(m.t.WSAEventSelect(emu.SOCKET(m.e.handle(c.Socket)), m.e.handle(c.Event), c.Mask))
}

func (m *machine) WSAEnumNetworkEvents(c *spec.WSAEnumNetworkEventsCall) (spec.Result, error) {
	var ne emu.WSANETWORKEVENTS
	p := &ne
	if c.NullNE {
		p = nil
	}
	r, err := intResult(m.t.WSAEnumNetworkEvents(emu.SOCKET(m.e.handle(c.Socket)), m.e.handle(c.Event), p))
	if r.Err == 0 && err == nil && p != nil {
		r.Outs.More = spec.EnumOuts(p)
	}
	return r, err
}

func (m *machine) WSAPoll(c *spec.WSAPollCall) (spec.Result, error) {
	var fds []emu.WSAPOLLFD
	if !c.NullFds {
		fds = make([]emu.WSAPOLLFD, len(c.Fds))
		for i, f := range c.Fds {
			fds[i] = emu.WSAPOLLFD{Fd: emu.SOCKET(m.e.handle(f.Fd)), Events: f.Events, Revents: 0x5a5a}
		}
	}
	n, err := m.t.WSAPoll(fds, c.Ms)
	r, err := countResult(n, err)
	if r.Err == 0 && err == nil {
		for i, f := range fds {
			r.Outs.More = append(r.Outs.More, spec.PollOut(i, f.Revents))
		}
	}
	return r, err
}

func (m *machine) Select(c *spec.SelectCall) (spec.Result, error) {
	var sets [3]*emu.FDSet
	given := [3][]spec.Handle{c.Read, c.Write, c.Except}
	has := [3]bool{c.HasRead, c.HasWrite, c.HasExcept}
	for i := range sets {
		if !has[i] {
			continue
		}
		socks := make([]emu.SOCKET, len(given[i]))
		for j, h := range given[i] {
			socks[j] = emu.SOCKET(m.e.handle(h))
		}
		sets[i] = emu.NewFDSet(socks...)
	}
	var tv *emu.Timeval
	if c.Ms != nil {
		tv = &emu.Timeval{Sec: int32(*c.Ms / 1000), Usec: int32(*c.Ms%1000) * 1000}
	}
	n, err := m.t.Select(0, sets[0], sets[1], sets[2], tv)
	r, err := countResult(n, err)
	if r.Err == 0 && err == nil {
		for i, name := range [3]string{"read", "write", "except"} {
			if sets[i] == nil {
				continue
			}
			left := make([]bool, len(given[i]))
			for j := range given[i] {
				h := emu.SOCKET(m.e.handle(given[i][j]))
				for _, x := range sets[i].Array[:sets[i].Count] {
					if x == h {
						left[j] = true
					}
				}
			}
			r.Outs.More = append(r.Outs.More, spec.SetOuts(name, given[i], left)...)
		}
	}
	return r, err
}

// countResult reads a call that returns a count or SOCKET_ERROR.
func countResult(n int, err error) (spec.Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Ret: spec.SocketError, Err: en}, err
	}
	return spec.Result{Ret: uint64(n)}, err
}
