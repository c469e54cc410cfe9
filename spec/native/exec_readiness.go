//go:build windows

package native

import (
	"encoding/binary"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The readiness calls on the real ws2_32: WSAEventSelect,
// WSAEnumNetworkEvents, WSAPoll, select.

var (
	pWSAEventSelect       = ws2.NewProc("WSAEventSelect")
	pWSAEnumNetworkEvents = ws2.NewProc("WSAEnumNetworkEvents")
	pWSAPoll              = ws2.NewProc("WSAPoll")
	pSelect               = ws2.NewProc("select")
)

// Layouts on 64-bit Windows.
const (
	sizeofNetworkEvents = 4 + 4*provider.FD_MAX_EVENTS // long lNetworkEvents; int iErrorCode[FD_MAX_EVENTS]
	sizeofPollFD        = 16                           // SOCKET fd; SHORT events; SHORT revents; padding
	sizeofFDSetHeader   = 8                            // u_int fd_count (padded); then SOCKET fd_array[FD_SETSIZE or more]
)

func (m *machine) WSAEventSelect(c *spec.WSAEventSelectCall) (spec.Result, error) {
	r, e := call(pWSAEventSelect, uintptr(m.b.handle(c.Socket)), uintptr(m.b.handle(c.Event)), uintptr(uint32(c.Mask)))
	return intResult(r, e), nil
}

func (m *machine) WSAEnumNetworkEvents(c *spec.WSAEnumNetworkEventsCall) (spec.Result, error) {
	ne := alloc(sizeofNetworkEvents)
	p := addr(ne)
	if c.NullNE {
		p = 0
	}
	r, e := call(pWSAEnumNetworkEvents, uintptr(m.b.handle(c.Socket)), uintptr(m.b.handle(c.Event)), p)
	out := intResult(r, e)
	if out.Err == 0 && !c.NullNE {
		var v provider.WSANETWORKEVENTS
		v.NetworkEvents = int32(load32(ne))
		for i := range v.ErrorCode {
			v.ErrorCode[i] = int32(load32(ne + 4 + 4*i))
		}
		out.Outs.More = spec.EnumOuts(&v)
	}
	return out, nil
}

func (m *machine) WSAPoll(c *spec.WSAPollCall) (spec.Result, error) {
	fds := alloc(sizeofPollFD * max(len(c.Fds), 1))
	for i, f := range c.Fds {
		o := fds + i*sizeofPollFD
		store64(o, uint64(m.b.handle(f.Fd)))
		binary.LittleEndian.PutUint16(arena[o+8:], uint16(f.Events))
		binary.LittleEndian.PutUint16(arena[o+10:], 0x5a5a)
	}
	p := addr(fds)
	if c.NullFds {
		p = 0
	}
	r, e := call(pWSAPoll, p, uintptr(len(c.Fds)), uintptr(c.Ms))
	if socketError(r) {
		return spec.Result{Ret: spec.SocketError, Err: wso.Errno(e)}, nil
	}
	out := spec.Result{Ret: uint64(uint32(r))}
	for i := range c.Fds {
		o := fds + i*sizeofPollFD
		out.Outs.More = append(out.Outs.More, spec.PollOut(i, int16(binary.LittleEndian.Uint16(arena[o+10:]))))
	}
	return out, nil
}

func (m *machine) Select(c *spec.SelectCall) (spec.Result, error) {
	given := [3][]spec.Handle{c.Read, c.Write, c.Except}
	has := [3]bool{c.HasRead, c.HasWrite, c.HasExcept}
	var sets [3]int
	var ptrs [3]uintptr
	for i := range sets {
		if !has[i] {
			continue
		}
		// An fd_set of FD_SETSIZE entries, or as many as given (a program
		// that defines FD_SETSIZE larger).
		sets[i] = alloc(sizeofFDSetHeader + 8*max(len(given[i]), provider.FD_SETSIZE))
		store32(sets[i], uint32(len(given[i])))
		for j, h := range given[i] {
			store64(sets[i]+8+8*j, uint64(m.b.handle(h)))
		}
		ptrs[i] = addr(sets[i])
	}
	var tv uintptr
	if c.Ms != nil {
		t := alloc(8)
		store32(t, *c.Ms/1000)
		store32(t+4, *c.Ms%1000*1000)
		tv = addr(t)
	}
	r, e := call(pSelect, 0, ptrs[0], ptrs[1], ptrs[2], tv)
	if socketError(r) {
		return spec.Result{Ret: spec.SocketError, Err: wso.Errno(e)}, nil
	}
	out := spec.Result{Ret: uint64(uint32(r))}
	for i, name := range [3]string{"read", "write", "except"} {
		if !has[i] {
			continue
		}
		left := make([]bool, len(given[i]))
		n := int(load32(sets[i]))
		for j, h := range given[i] {
			want := uint64(m.b.handle(h))
			for k := 0; k < n && k < max(len(given[i]), provider.FD_SETSIZE); k++ {
				if load64(sets[i]+8+8*k) == want {
					left[j] = true
				}
			}
		}
		out.Outs.More = append(out.Outs.More, spec.SetOuts(name, given[i], left)...)
	}
	return out, nil
}
