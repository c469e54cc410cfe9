package emulated

import (
	"slices"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

// The readiness calls: WSAEventSelect, WSAEnumNetworkEvents, WSAPoll,
// select.

func (m *machine) WSAEventSelect(c *spec.WSAEventSelectCall) (spec.Result, error) {
	return intResult(m.t.WSAEventSelect(emu.SOCKET(m.e.handle(c.Socket)), m.e.handle(c.Event), c.Mask))
}

func (m *machine) WSAEnumNetworkEvents(c *spec.WSAEnumNetworkEventsCall) (spec.Result, error) {
	p := one(&m.e.lent.nes)
	if c.NullNE {
		p = nil
	}
	r, err := intResult(m.t.WSAEnumNetworkEvents(emu.SOCKET(m.e.handle(c.Socket)), m.e.handle(c.Event), p))
	if r.Err == 0 && err == nil && p != nil {
		r.Outs.More = spec.AppendEnumOuts(m.e.lent.kvs.take(1 + len(spec.EnumOutNames))[:0], p)
	}
	return r, err
}

func (m *machine) WSAPoll(c *spec.WSAPollCall) (spec.Result, error) {
	var fds []emu.WSAPOLLFD
	if !c.NullFds {
		fds = m.e.lent.fds.take(len(c.Fds))
		for i, f := range c.Fds {
			fds[i] = emu.WSAPOLLFD{Fd: emu.SOCKET(m.e.handle(f.Fd)), Events: f.Events, Revents: 0x5a5a}
		}
	}
	n, err := m.t.WSAPoll(fds, c.Ms)
	r, err := countResult(n, err)
	if r.Err == 0 && err == nil && len(fds) > 0 {
		r.Outs.More = m.e.lent.kvs.take(len(fds))
		for i, f := range fds {
			r.Outs.More[i] = spec.PollOut(i, f.Revents)
		}
	}
	return r, err
}

// selectSets are select's three sets, in the order of their names.
var selectSets = [3]string{"read", "write", "except"}

func (m *machine) Select(c *spec.SelectCall) (spec.Result, error) {
	l := &m.e.lent
	var sets [3]*emu.FDSet
	given := [3][]spec.Handle{c.Read, c.Write, c.Except}
	has := [3]bool{c.HasRead, c.HasWrite, c.HasExcept}
	nkv := 0
	for i := range sets {
		if !has[i] {
			continue
		}
		s := l.socks.take(len(given[i]))
		for j, h := range given[i] {
			s[j] = emu.SOCKET(m.e.handle(h))
		}
		// As emu.NewFDSet makes it: room for FD_SETSIZE sockets, or more.
		arr := l.socks.take(max(len(s), provider.FD_SETSIZE))
		copy(arr, s)
		sets[i] = &l.sets.take(1)[0]
		*sets[i] = emu.FDSet{Count: uint32(len(s)), Array: arr}
		nkv += 1 + len(s)
	}
	var tv *emu.Timeval
	if c.Ms != nil {
		tv = &l.tvs.take(1)[0]
		*tv = emu.Timeval{Sec: int32(*c.Ms / 1000), Usec: int32(*c.Ms%1000) * 1000}
	}
	n, err := m.t.Select(0, sets[0], sets[1], sets[2], tv)
	r, err := countResult(n, err)
	if r.Err == 0 && err == nil {
		more := l.kvs.take(nkv)[:0]
		for i, name := range selectSets {
			if sets[i] == nil {
				continue
			}
			// The handles the arguments name now (a call of another
			// thread may have changed one while select waited).
			now := l.socks.take(len(given[i]))
			for j, h := range given[i] {
				now[j] = emu.SOCKET(m.e.handle(h))
			}
			left := l.bools.take(len(given[i]))
			stillIn(left, now, sets[i].Array[:sets[i].Count], l)
			more = spec.AppendSetOuts(more, name, given[i], left)
		}
		r.Outs.More = more
	}
	return r, err
}

// stillIn marks the sockets of given that are among left (what select
// left in a set): by search for small sets, or in a sorted copy of left.
func stillIn(mark []bool, given, left []emu.SOCKET, l *lentMem) {
	if len(given)*len(left) <= 256 {
		for j, h := range given {
			for _, x := range left {
				if x == h {
					mark[j] = true
				}
			}
		}
		return
	}
	sorted := l.socks.take(len(left))
	copy(sorted, left)
	slices.Sort(sorted)
	for j, h := range given {
		_, mark[j] = slices.BinarySearch(sorted, h)
	}
}

// countResult reads a call that returns a count or SOCKET_ERROR.
func countResult(n int, err error) (spec.Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Ret: spec.SocketError, Err: en}, err
	}
	return spec.Result{Ret: uint64(n)}, err
}
