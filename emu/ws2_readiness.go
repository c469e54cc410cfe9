package emu

import (
	"strconv"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Readiness: WSAEventSelect, WSAEnumNetworkEvents, WSAPoll and select.
// The provider knows the sockets' conditions and records the network
// events (provider/mem/readiness.go); these calls check what ws2_32
// checks and hand over.

// The readiness types of the SPI contract, under the names programs use.
type (
	WSANETWORKEVENTS = provider.WSANETWORKEVENTS
	WSAPOLLFD        = provider.WSAPOLLFD
	FDSet            = provider.FDSet
	Timeval          = provider.Timeval
)

// NewFDSet returns an fd_set holding socks, with room for FD_SETSIZE (64)
// sockets or len(socks) if that is more (a program's larger FD_SETSIZE).
func NewFDSet(socks ...SOCKET) *FDSet { return provider.NewFDSet(socks...) }

// readiness is the provider's readiness part, or nil when it has none.
func (s *System) readiness() provider.ReadinessProvider {
	r, _ := s.ws2.prov.(provider.ReadinessProvider)
	return r
}

// socketReadiness checks that h is a socket, for the call name, and gives
// the provider's readiness calls; a provider without them fails the call
// with WSAEOPNOTSUPP.
func (t *Thread) socketReadiness(name string, h SOCKET) (provider.ReadinessProvider, error) {
	if _, err := t.wsaSocket(name, h); err != nil {
		return nil, err
	}
	r := t.s.readiness()
	if r == nil {
		return nil, t.wsaResult(name, wso.WSAEOPNOTSUPP)
	}
	return r, nil
}

// WSAEventSelect implements WSAEventSelect: the network events in mask
// are recorded for socket h and event ev is set when one is; h becomes
// non-blocking (FIONBIO cannot make it blocking again while a mask is
// set). A zero mask cancels the selection.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect
func (t *Thread) WSAEventSelect(h SOCKET, ev Handle, mask int32) error {
	const name = "WSAEventSelect"
	if err := t.wsaEnterFmt(name, argsEventSelect, uint64(h), uint64(ev), uint64(uint32(mask))); err != nil {
		return err
	}
	r, err := t.socketReadiness(name, h)
	if err != nil {
		return err
	}
	return t.wsaResult(name, r.WSPEventSelect(h, ev, mask))
}

// WSAEnumNetworkEvents implements WSAEnumNetworkEvents: the network
// events recorded for socket h since the last call, each with its error
// code, go to *ne and are cleared; ev, when not NULL, is reset.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents
func (t *Thread) WSAEnumNetworkEvents(h SOCKET, ev Handle, ne *WSANETWORKEVENTS) error {
	const name = "WSAEnumNetworkEvents"
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{lay: argsHH, a: argVals{uint64(h), uint64(ev)}}
	}
	if err := t.wsaEnterArgs(name, args); err != nil {
		return err
	}
	r, err := t.socketReadiness(name, h)
	if err != nil {
		return err
	}
	return t.wsaResult(name, r.WSPEnumNetworkEvents(h, ev, ne))
}

// WSAPoll implements WSAPoll: each entry's revents says which of its
// events hold (and POLLHUP, POLLERR, POLLNVAL whatever it asked for); a
// negative fd is ignored. It returns how many entries have revents,
// waiting up to timeout milliseconds on the virtual clock (negative: for
// ever; 0: not at all), alertably, as Winsock's blocking calls do. fds
// NULL is WSAEFAULT.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsapoll
func (t *Thread) WSAPoll(fds []WSAPOLLFD, timeout int32) (int, error) {
	const name = "WSAPoll"
	if err := t.wsaEnterFmt(name, argsPoll, uint64(len(fds)), uint64(uint32(timeout))); err != nil {
		return provider.SOCKET_ERROR, err
	}
	if fds == nil {
		return provider.SOCKET_ERROR, t.fail(name, socketError, wso.WSAEFAULT)
	}
	r := t.s.readiness()
	if r == nil {
		return provider.SOCKET_ERROR, t.fail(name, socketError, wso.WSAEOPNOTSUPP)
	}
	t.enterBlocking(name)
	n, e := r.WSPPoll(fds, timeout)
	t.ws2.blocking--
	if e != 0 {
		return provider.SOCKET_ERROR, t.fail(name, socketError, e)
	}
	t.ok(name, uint64(n))
	return n, nil
}

// Select implements select: readfds, writefds and exceptfds (each may be
// NULL) are rewritten to hold the sockets that are ready; the count of
// all three is returned. timeout NULL waits for ever, on the virtual
// clock, alertably; {0, 0} does not wait. nfds is ignored, as the page
// says.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-select
func (t *Thread) Select(nfds int32, readfds, writefds, exceptfds *FDSet, timeout *Timeval) (int, error) {
	const name = "select"
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{}
		if !args.setSelect([3]*FDSet{readfds, writefds, exceptfds}, timeout) {
			*args = callArgs{text: fmtSelect(readfds, writefds, exceptfds, timeout)}
		}
	}
	if err := t.wsaEnterArgs(name, args); err != nil {
		return provider.SOCKET_ERROR, err
	}
	r := t.s.readiness()
	if r == nil {
		return provider.SOCKET_ERROR, t.fail(name, socketError, wso.WSAEOPNOTSUPP)
	}
	t.enterBlocking(name)
	n, e := r.WSPSelect(readfds, writefds, exceptfds, timeout)
	t.ws2.blocking--
	if e != 0 {
		return provider.SOCKET_ERROR, t.fail(name, socketError, e)
	}
	t.ok(name, uint64(n))
	return n, nil
}

// enterBlocking starts a call that may block: one made inside an APC that
// interrupted a blocking Winsock call is reported, as accept does.
func (t *Thread) enterBlocking(name string) {
	if t.ws2.blocking > 0 && t.apcs.Depth() > 0 {
		t.s.finding(t, "wsasendmsg.blocking.apc-reentry-undefined",
			"%s is a blocking Winsock call made inside an APC that interrupted a blocking Winsock call on the same thread", name)
	}
	t.ws2.blocking++
}

// fmtSelect renders select's arguments, for sets argsSelect cannot keep.
func fmtSelect(readfds, writefds, exceptfds *FDSet, timeout *Timeval) string {
	var buf [128]byte
	b := buf[:0]
	for _, f := range [3]*FDSet{readfds, writefds, exceptfds} {
		if f == nil {
			b = append(b, "NULL"...)
		} else {
			b = append(b, '{')
			for i, h := range f.Array[:min(int(f.Count), len(f.Array))] {
				if i > 0 {
					b = append(b, ' ')
				}
				b = strconv.AppendUint(append(b, "0x"...), uint64(h), 16)
			}
			b = append(b, '}')
		}
		b = append(b, ", "...)
	}
	if timeout == nil {
		return string(append(b, "NULL"...))
	}
	b = strconv.AppendInt(append(b, '{'), int64(timeout.Sec), 10)
	b = strconv.AppendInt(append(b, ", "...), int64(timeout.Usec), 10)
	return string(append(b, '}'))
}
