package mem

import (
	"time"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Readiness: WSPEventSelect, WSPEnumNetworkEvents, WSPSelect and WSPPoll.
//
// One function, conditions, knows what holds on a socket right now (data
// to read, room to send, a connection to accept, the end of the stream, a
// reset, a failed connect). The three readiness interfaces read it:
//
//   - WSAEventSelect records network events. Each event of the mask is
//     "enabled" until it is recorded; it is recorded (and the event object
//     set) as soon as it is enabled and its condition holds; its
//     re-enabling function (recv for FD_READ, accept for FD_ACCEPT, a send
//     that fails with WSAEWOULDBLOCK for FD_WRITE; none for FD_CONNECT and
//     FD_CLOSE) enables it again. So an event that already holds when
//     WSAEventSelect or the re-enabling call runs is recorded at once, as
//     the WSAEventSelect page says.
//   - select and WSAPoll read the conditions when they are called, and a
//     blocking one waits for a change (changed wakes every waiter) and
//     reads them again.
//
// changed(k) is called wherever a condition of k may have changed; it is
// idempotent, so calling it too often costs time, never correctness. An
// AFD poll would be one more reader of conditions woken by changed.

// Conditions of a socket (cond bits).
const (
	cRead        uint32 = 1 << iota // data (or a datagram) to receive
	cWrite                          // a send would not block
	cAccept                         // a connection waits to be accepted
	cConnect                        // a connect ended (successfully or not)
	cConnectFail                    // ... and it failed
	cHup                            // the peer's FIN arrived, or the connection was reset
	cReset                          // the connection was reset or aborted
	cClosed                         // FD_CLOSE holds: a reset, or the peer's FIN with nothing left to read
)

// evsel is a socket's WSAEventSelect state.
type evsel struct {
	ev       Handle
	mask     uint32 // FD_* asked for
	enabled  uint32 // FD_* that may be recorded now
	recorded uint32 // FD_* recorded and not yet enumerated
	errs     [provider.FD_MAX_EVENTS]int32

	connDone bool  // a connect ended since the socket was made
	connErr  Errno // how
}

// conditions is the one place that knows a socket's current conditions.
func (p *Mem) conditions(k *sock) uint32 {
	var c uint32
	if k.rd.connDone {
		c |= cConnect
		if k.rd.connErr != 0 {
			c |= cConnectFail
		}
	}
	st := k.st
	if st == nil {
		if p.available(k) {
			c |= cRead
		}
		return c | cWrite
	}
	switch st.state {
	case stListening:
		if len(st.queue) > 0 {
			c |= cAccept
		}
	case stConnected:
		if st.rx.len() > 0 {
			c |= cRead
		}
		if st.reset != 0 {
			c |= cHup | cReset | cClosed
		} else if st.finIn {
			c |= cHup
			if st.rx.len() == 0 {
				c |= cClosed
			}
		}
		// After shutdown(SD_SEND) a send does not block (it fails at
		// once): the socket stays writable, as Wine shows.
		if st.reset == 0 && st.tx.len() < int(k.sndbuf) && st.sendq.head == nil {
			c |= cWrite
		}
	}
	return c
}

// closeErr is the error FD_CLOSE reports: 0 for the peer's graceful
// close, WSAECONNRESET for a reset by the peer, WSAECONNABORTED for an
// abort on this side.
func closeErr(k *sock) int32 {
	if k.st == nil || k.st.reset == 0 {
		return 0
	}
	return int32(k.st.reset.WSAError())
}

// changed is called where k's conditions may have changed: it records the
// enabled events that hold and wakes select and WSAPoll waiters.
func (p *Mem) changed(k *sock) {
	if k == nil {
		return
	}
	if k.rd.mask != 0 {
		p.record(k)
	}
	p.wakePollers()
	p.afdChanged(k.handle) // afd.go
}

// record records each enabled event of k's selection whose condition
// holds, and sets the event object when it recorded one.
func (p *Mem) record(k *sock) {
	r := &k.rd
	c := p.conditions(k)
	var now uint32
	if c&cRead != 0 {
		now |= provider.FD_READ
	}
	if c&cWrite != 0 && (k.st == nil || k.st.state == stConnected) {
		now |= provider.FD_WRITE
	}
	if c&cAccept != 0 {
		now |= provider.FD_ACCEPT
	}
	if c&cConnect != 0 {
		now |= provider.FD_CONNECT
	}
	if c&cClosed != 0 {
		now |= provider.FD_CLOSE
	}
	now &= r.mask & r.enabled
	if now == 0 {
		return
	}
	r.enabled &^= now
	r.recorded |= now
	if now&provider.FD_CONNECT != 0 {
		r.errs[provider.FD_CONNECT_BIT] = int32(r.connErr)
	}
	if now&provider.FD_CLOSE != 0 {
		r.errs[provider.FD_CLOSE_BIT] = closeErr(k)
	}
	for _, b := range [...]int{provider.FD_READ_BIT, provider.FD_WRITE_BIT, provider.FD_ACCEPT_BIT} {
		if now&(1<<b) != 0 {
			r.errs[b] = 0
		}
	}
	p.up.WPUSetEvent(r.ev)
}

// reenable is a re-enabling function's part: events enables again the
// events of k's selection, which are recorded at once if they hold.
func (p *Mem) reenable(s SOCKET, events uint32) {
	k, ok := p.socks.get(s)
	if !ok || k.rd.mask == 0 {
		return
	}
	k.rd.enabled |= events
	p.record(k)
}

// connectEnded notes that a connect on k ended (e is its error, 0 when it
// succeeded), for FD_CONNECT, select's sets and WSAPoll.
func (p *Mem) connectEnded(k *sock, e Errno) {
	k.rd.connDone, k.rd.connErr = true, e
	p.changed(k)
}

// recv is every receive's entry (WSPRecv, WSPRecvFrom, WSPRecvMsg): the
// receive, then FD_READ re-enabled, as the WSAEventSelect page lists recv,
// recvfrom, WSARecv, WSARecvEx, WSARecvFrom and WSARecvMsg as its
// re-enabling functions.
func (p *Mem) recv(s SOCKET, a recvArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	e := p.recvOnce(s, a, ov, routine, tid)
	p.reenable(s, provider.FD_READ)
	return e
}

// send is every send's entry: a send that fails with WSAEWOULDBLOCK
// re-enables FD_WRITE, the only way it is re-enabled (WSAEventSelect
// page).
func (p *Mem) send(s SOCKET, a sendArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	e := p.sendOnce(s, a, ov, routine, tid)
	if e == wso.WSAEWOULDBLOCK {
		p.reenable(s, provider.FD_WRITE)
	}
	return e
}

// inheritSelect gives a connection accepted from l the listener's
// selection: the WSAEventSelect page says the accepted socket has the
// listening socket's properties, its WSAEventSelect included.
func (p *Mem) inheritSelect(c, l *sock) {
	if l == nil || l.rd.mask == 0 {
		return
	}
	c.rd.ev, c.rd.mask, c.rd.enabled = l.rd.ev, l.rd.mask, l.rd.mask
	c.nonblocking = true
}

// WSPEventSelect implements WSPEventSelect: the network events in mask
// are recorded for s and ev is set when one is; the socket becomes
// non-blocking. It replaces any earlier selection: the events recorded
// for the earlier one are dropped, and every event of the new mask is
// enabled, so what holds now is recorded at once. A zero mask ends the
// selection; the socket stays non-blocking. A mask without an event
// object (NULL) is WSAEINVAL; bits no event has are ignored (both as Wine
// shows; the page names WSAEINVAL for "one of the specified parameters
// was invalid" only).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect
func (p *Mem) WSPEventSelect(s SOCKET, ev Handle, mask int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	mask &= provider.FD_ALL_EVENTS
	if mask != 0 && ev == 0 {
		return wso.WSAEINVAL
	}
	r := &k.rd
	r.recorded = 0
	r.errs = [provider.FD_MAX_EVENTS]int32{}
	if mask == 0 {
		r.ev, r.mask, r.enabled = 0, 0, 0
		return 0
	}
	r.ev, r.mask, r.enabled = ev, uint32(mask), uint32(mask)
	k.nonblocking = true
	p.record(k)
	return 0
}

// WSPEnumNetworkEvents implements WSPEnumNetworkEvents: the events
// recorded for s, with their error codes, go to *ne and are cleared; ev,
// when not 0, is reset at the same time. A NULL ne is WSAEFAULT.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents
func (p *Mem) WSPEnumNetworkEvents(s SOCKET, ev Handle, ne *provider.WSANETWORKEVENTS) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if ne == nil {
		return wso.WSAEFAULT
	}
	r := &k.rd
	ne.NetworkEvents = int32(r.recorded)
	for b := range ne.ErrorCode {
		ne.ErrorCode[b] = 0
		if r.recorded&(1<<b) != 0 {
			ne.ErrorCode[b] = r.errs[b]
		}
	}
	r.recorded = 0
	if ev != 0 {
		if e := p.up.WPUResetEvent(ev); e != 0 {
			return e
		}
	}
	return 0
}

// ---- select and WSAPoll ----

// pollEvents maps a socket's conditions to WSAPOLLFD revents bits (before
// the caller's events mask): POLLRDNORM for data or a connection to
// accept, POLLWRNORM for room to send (or a connect that succeeded),
// POLLHUP for a connection the peer ended ("disconnected or aborted", the
// WSAPOLLFD page), POLLERR as well when it was reset (an error), and
// POLLERR alone for a connect that failed (never connected: no hang-up).
func pollEvents(k *sock, c uint32) int16 {
	var r int16
	if c&(cRead|cAccept) != 0 {
		r |= provider.POLLRDNORM
	}
	if c&cWrite != 0 && (k.st == nil || k.st.state == stConnected) {
		r |= provider.POLLWRNORM
	}
	if c&cHup != 0 {
		r |= provider.POLLHUP
	}
	if c&cReset != 0 {
		r |= provider.POLLERR
	}
	if c&cConnectFail != 0 && (k.st == nil || k.st.state != stConnected) {
		r |= provider.POLLERR
	}
	return r
}

// pollAlways are the revents reported whatever events asked for.
const pollAlways = provider.POLLERR | provider.POLLHUP | provider.POLLNVAL

// WSPPoll does WSAPoll's work: each entry's revents is what holds of its
// events, plus POLLHUP, POLLERR and POLLNVAL (a handle that is not an open
// socket) whatever it asked for; a negative fd is ignored (revents 0).
// It returns how many entries have revents, waiting up to timeout
// milliseconds (< 0: for ever) for one. No entry at all, or none that is
// not ignored, is WSAEINVAL; events bits that mean nothing here (POLLPRI
// included) are ignored, as Wine shows.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsapoll
func (p *Mem) WSPPoll(fds []provider.WSAPOLLFD, timeout int32) (int, Errno) {
	if !p.started {
		return 0, wso.WSANOTINITIALISED
	}
	live := 0
	for i := range fds {
		if int64(fds[i].Fd) >= 0 {
			live++
		}
	}
	if live == 0 {
		return 0, wso.WSAEINVAL
	}
	check := func() int {
		n := 0
		for i := range fds {
			f := &fds[i]
			f.Revents = 0
			if int64(f.Fd) < 0 {
				continue
			}
			k, ok := p.socks.get(f.Fd)
			if !ok {
				f.Revents = provider.POLLNVAL
			} else {
				f.Revents = pollEvents(k, p.conditions(k)) & (f.Events | pollAlways)
			}
			if f.Revents != 0 {
				n++
			}
		}
		return n
	}
	ms := int64(timeout)
	if timeout < 0 {
		ms = -1
	}
	return p.waitReady(ms, check)
}

// WSPSelect implements WSPSelect: a socket stays in readfds when data (or
// the end of the stream, or a reset) can be received or a connection
// accepted; in writefds when a send would not block (after a non-blocking
// connect: when it succeeded); in exceptfds when a non-blocking connect
// failed (no out-of-band data here). A socket closed while select waits
// ends the wait and is counted, but not left in its set. It returns how
// many entries remain in the three sets together (with those), waiting up to timeout (nil: for ever) for
// one. Every set NULL or empty is WSAEINVAL, as is a negative timeout; a
// handle that is not a socket is WSAENOTSOCK. A set may hold more than
// FD_SETSIZE (64) sockets: Windows reads fd_count entries, and a program
// that defines FD_SETSIZE larger gets an fd_set that holds them
// (https://learn.microsoft.com/windows/win32/winsock/maximum-number-of-sockets-supported-2);
// only a count larger than the set's own array is refused, WSAEFAULT (the
// entries it names lie outside the program's memory, the page's WSAEFAULT).
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspselect
func (p *Mem) WSPSelect(readfds, writefds, exceptfds *provider.FDSet, timeout *provider.Timeval) (int, Errno) {
	if !p.started {
		return 0, wso.WSANOTINITIALISED
	}
	sets := [3]*provider.FDSet{readfds, writefds, exceptfds}
	var orig [3][]SOCKET
	total := 0
	for _, set := range sets {
		if set == nil {
			continue
		}
		if int(set.Count) > len(set.Array) {
			return 0, wso.WSAEFAULT
		}
		for _, h := range set.Array[:set.Count] {
			if _, ok := p.socks.get(h); !ok {
				return 0, wso.WSAENOTSOCK
			}
		}
		total += int(set.Count)
	}
	// The sets as given: select rewrites them in place, and a wait reads
	// them again after every change.
	var fit [64]SOCKET // FD_SETSIZE: the sets of most calls fit without an allocation
	given := fit[:0]
	if total > len(fit) {
		given = make([]SOCKET, 0, total)
	}
	for i, set := range sets {
		if set != nil {
			given = append(given, set.Array[:set.Count]...)
			orig[i] = given[len(given)-int(set.Count):]
		}
	}
	if total == 0 {
		return 0, wso.WSAEINVAL
	}
	if timeout != nil && (timeout.Sec < 0 || timeout.Usec < 0) {
		return 0, wso.WSAEINVAL
	}
	check := func() int {
		n := 0
		for i, set := range sets {
			if set == nil {
				continue
			}
			set.Count = 0
			for _, h := range orig[i] {
				if _, open := p.socks.get(h); !open {
					// Closed while select waited: it ends the wait and
					// is counted, but it is not left in the set (what
					// Wine shows for dlls/ws2_32/tests/sock.c,
					// test_select, whose ok() holds on Windows for the
					// count).
					n++
					continue
				}
				if selectReady(p, h, i) {
					set.Array[set.Count] = h
					set.Count++
					n++
				}
			}
		}
		return n
	}
	ms := int64(-1)
	if timeout != nil {
		ms = int64(timeout.Sec)*1000 + int64(timeout.Usec+999)/1000
	}
	return p.waitReady(ms, check)
}

// selectReady reports whether open socket h belongs in select's set i (0
// read, 1 write, 2 except).
func selectReady(p *Mem, h SOCKET, i int) bool {
	k, _ := p.socks.get(h)
	c := p.conditions(k)
	switch i {
	case 0:
		return c&(cRead|cAccept|cHup) != 0
	case 1:
		return c&cWrite != 0 && (k.st == nil || k.st.state == stConnected)
	}
	return c&cConnectFail != 0 && (k.st == nil || k.st.state != stConnected)
}

// waitReady runs check until it finds something or ms milliseconds (< 0:
// for ever) have passed on the virtual clock. The thread waits alertably,
// as Winsock's blocking calls do: APCs run and the wait goes on.
func (p *Mem) waitReady(ms int64, check func() int) (int, Errno) {
	if n := check(); n > 0 || ms == 0 {
		return n, 0
	}
	ev := p.internalEvent()
	p.pollers = append(p.pollers, ev)
	defer p.dropPoller(ev)
	deadline := p.up.Now() + time.Duration(max(ms, 0))*time.Millisecond
	for {
		wait := uint32(0xFFFFFFFF)
		if ms >= 0 {
			left := deadline - p.up.Now()
			if left <= 0 {
				return check(), 0
			}
			wait = uint32(min((left+time.Millisecond-1)/time.Millisecond, 0xFFFFFFFE))
		}
		r, e := p.up.WaitForSingleObjectEx(ev, wait, true)
		if e != 0 {
			return 0, e
		}
		if r == wso.WAIT_OBJECT_0 {
			p.up.WPUResetEvent(ev)
		}
		if n := check(); n > 0 {
			return n, 0
		}
		if r == uint32(wso.WAIT_TIMEOUT) {
			return 0, 0
		}
	}
}

// wakePollers sets the event of every select and WSAPoll waiting.
func (p *Mem) wakePollers() {
	for _, ev := range p.pollers {
		p.up.WPUSetEvent(ev)
	}
}

func (p *Mem) dropPoller(ev Handle) {
	for i, x := range p.pollers {
		if x == ev {
			p.pollers = append(p.pollers[:i], p.pollers[i+1:]...)
			break
		}
	}
	p.freeEvent(ev)
}
