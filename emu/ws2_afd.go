package emu

import (
	"strings"
	"time"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The AFD poll (issue 13, item 3): NtDeviceIoControlFile with
// IOCTL_AFD_POLL, as mio/tokio, wepoll and libuv issue it on a socket's
// base handle or on a handle opened on \Device\Afd. No Microsoft page
// documents it; the layout and bits are those of the public definitions
// (see provider/afd.go) and the behaviour is what Wine's
// dlls/ws2_32/tests/afd.c asserts without todo_wine (test_poll,
// test_poll_exclusive); each rule below names its test.
//
// A poll is an I/O request of the I/O manager (request): its status block
// is the record's Internal (Status) and InternalHigh (Information), it
// completes through the one completion path (event, file object, port
// packet with the ApcContext as the packet's overlapped pointer: the
// status block's address as wepoll passes it, or a context of its own as
// mio passes it, NtDeviceIoControlFileContext),
// and CancelIoEx/NtCancelIoFileEx cancel it. What holds on a socket is
// the provider's to say (provider.AfdProvider, one conditions function);
// the provider tells the poller wherever it may have changed.

// The AFD poll's types, under the names wepoll and mio use.
const (
	IOCTL_AFD_POLL             = provider.IOCTL_AFD_POLL
	AFD_POLL_RECEIVE           = provider.AFD_POLL_RECEIVE
	AFD_POLL_RECEIVE_EXPEDITED = provider.AFD_POLL_RECEIVE_EXPEDITED
	AFD_POLL_SEND              = provider.AFD_POLL_SEND
	AFD_POLL_DISCONNECT        = provider.AFD_POLL_DISCONNECT
	AFD_POLL_ABORT             = provider.AFD_POLL_ABORT
	AFD_POLL_LOCAL_CLOSE       = provider.AFD_POLL_LOCAL_CLOSE
	AFD_POLL_CONNECT           = provider.AFD_POLL_CONNECT
	AFD_POLL_ACCEPT            = provider.AFD_POLL_ACCEPT
	AFD_POLL_CONNECT_FAIL      = provider.AFD_POLL_CONNECT_FAIL
)

// AFD_POLL_HANDLE_INFO is one entry of an AFD poll: the socket, the
// events asked for (on output: those signalled) and, for
// AFD_POLL_CONNECT_FAIL, the failure's NTSTATUS.
type AFD_POLL_HANDLE_INFO struct {
	Handle Handle
	Events uint32
	Status NTStatus
}

// AFD_POLL_INFO is the poll's input and output buffer. Timeout is a
// LARGE_INTEGER in 100 ns units: negative is relative, positive an
// absolute time on the virtual clock (100 ns units since the System
// started), 0 means "do not wait", and math.MaxInt64 never expires.
// Handles holds the entries; NumberOfHandles says how many count. In and
// out may be the same struct, as mio passes them.
type AFD_POLL_INFO struct {
	Timeout         int64
	NumberOfHandles uint32
	Exclusive       uint32
	Handles         []AFD_POLL_HANDLE_INFO
}

const afdOp = "NtDeviceIoControlFile"

// afdPoll is one outstanding poll.
type afdPoll struct {
	r         *request
	id        uint64 // r.id: the request may be reused once done
	in        []AFD_POLL_HANDLE_INFO
	out       *AFD_POLL_INFO
	timeout   int64
	exclusive bool
	timed     bool
}

// afdState is the ws2 layer's poller: outstanding polls in issue order.
type afdState struct {
	polls    []*afdPoll // their records: System.rec.polls
	watching bool
}

// afdDevice is a handle opened on \Device\Afd: a file object whose only
// use is to carry AFD polls (and their completion port).
type afdDevice struct {
	fileObject
}

func (d *afdDevice) kind() objKind { return kindFile }

// close implements object: closing the handle cancels its polls (the
// cleanup of a file object cancels its pending requests).
func (d *afdDevice) close(s *System, _ *Thread, h Handle) Errno {
	s.handles.remove(h)
	for r := d.pending.head; r != nil; {
		next := r.fileNext
		s.cancelRequest(r)
		r = next
	}
	return 0
}

func (d *afdDevice) cancel(s *System, r *request)                  { s.afdCancel(r) }
func (d *afdDevice) cancelAtThreadExit(s *System, _ *request) bool { return true }

// NtOpenAfd opens a handle on the AFD device, as wepoll and mio do with
// NtCreateFile on \Device\Afd\<anything>: any name under \Device\Afd opens
// it (Wine's afd.c, test_open_device); another name is
// STATUS_OBJECT_NAME_NOT_FOUND. The handle is overlapped, and can be
// associated with a completion port.
func (t *Thread) NtOpenAfd(name string) (Handle, NTStatus, error) {
	const fn = "NtCreateFile"
	if err := t.enter(fn, name); err != nil {
		return 0, 0, err
	}
	l := strings.ToLower(name)
	if l != `\device\afd` && !strings.HasPrefix(l, `\device\afd\`) {
		const notFound = NTStatus(0xC0000034) // STATUS_OBJECT_NAME_NOT_FOUND
		t.ok(fn, uint64(notFound))
		return 0, notFound, nil
	}
	d := t.s.ws2.rec.afds.get(t.s.reusable())
	d.overlapped = true
	d.dev = d
	d.handle = t.s.handles.add(d)
	t.ok(fn, 0)
	return d.handle, wso.STATUS_SUCCESS, nil
}

// NtDeviceIoControlFile implements NtDeviceIoControlFile for
// IOCTL_AFD_POLL on h, a socket or a \Device\Afd handle. ev, when not 0,
// is an event reset now and set at completion; iosb is the status block
// (Internal: Status, InternalHigh: Information) and also the ApcContext a
// port's packet carries, as wepoll and libuv pass them
// (NtDeviceIoControlFileContext names an ApcContext of its own). The
// result is STATUS_SUCCESS when the poll completed at once,
// STATUS_PENDING when it waits, or the error that refused it (the status
// block untouched):
//
//   - in or out nil, NumberOfHandles 0, or more entries than either
//     buffer holds: STATUS_INVALID_PARAMETER (test_poll);
//   - an entry that is not an open socket: STATUS_INVALID_HANDLE
//     (test_poll, "Passing any invalid sockets");
//   - another control code: STATUS_INVALID_DEVICE_REQUEST.
//
// A poll completes with STATUS_SUCCESS as soon as one of its entries has
// one of its events: out gets those entries only, in order, each with
// the events that hold, NumberOfHandles their number, Timeout the input's,
// and Information is the header plus the entries (test_poll). It is
// one-shot: a later change needs a new poll. AFD_POLL_LOCAL_CLOSE is
// reported for a socket closed while polled, whatever the entry asked for
// (test_poll, "Test closing a socket while polling on it"). Any number of
// polls may wait on one socket: a change completes every one it satisfies.
// A Timeout of 0 completes at once with STATUS_SUCCESS and no entries; a
// Timeout that expires completes with STATUS_TIMEOUT and no entries
// (test_poll). An Exclusive poll ends (STATUS_CANCELLED, no entries) the
// earlier exclusive polls on the same sockets, unless a non-exclusive poll
// waits on them too (test_poll_exclusive checks that the earlier one
// completes and that a non-exclusive one shields both; the status is
// ReactOS's driver's).
func (t *Thread) NtDeviceIoControlFile(h, ev Handle, iosb *Overlapped, code uint32, in, out *AFD_POLL_INFO) (NTStatus, error) {
	return t.ntDeviceIoControlFile(h, ev, nil, false, iosb, code, in, out)
}

// NtDeviceIoControlFileContext is NtDeviceIoControlFile with its own
// ApcContext, the way mio passes it (a pointer to its own state, apart
// from the status block). ApcContext is "used as the completion context
// if an I/O completion object has been associated with the file object"
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntdeviceiocontrolfile):
// the packet the poll posts to the handle's port carries apcContext as its
// overlapped pointer (lpOverlapped for GetQueuedCompletionStatus), while
// the status is written to iosb. A nil apcContext posts no packet at all
// (Wine's afd.c, test_poll_completion_port: a poll with a NULL ApcContext
// leaves the port empty; one with a value posts it, with the port's key).
// The emulator's packets carry records, so apcContext is a record too:
// any Overlapped the program uses as a token.
func (t *Thread) NtDeviceIoControlFileContext(h, ev Handle, apcContext, iosb *Overlapped, code uint32, in, out *AFD_POLL_INFO) (NTStatus, error) {
	return t.ntDeviceIoControlFile(h, ev, apcContext, true, iosb, code, in, out)
}

func (t *Thread) ntDeviceIoControlFile(h, ev Handle, ctx *Overlapped, ctxSet bool, iosb *Overlapped, code uint32, in, out *AFD_POLL_INFO) (NTStatus, error) {
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{}
		if ctxSet && ctx != iosb {
			c := uint64(s.OverlappedID(ctx))
			args.setFmt(argsAfdPollCtx, "", uint64(h), uint64(ev), c, uint64(s.OverlappedID(iosb)), uint64(code))
		} else {
			args.setFmt(argsAfdPoll, "", uint64(h), uint64(ev), uint64(s.OverlappedID(iosb)), uint64(code))
		}
	}
	if err := t.enterArgs(afdOp, args); err != nil {
		return 0, err
	}
	ret := func(st NTStatus) (NTStatus, error) {
		t.ok(afdOp, uint64(st))
		return st, nil
	}
	var f *fileObject
	switch o := s.handles.get(h).(type) {
	case *socket:
		f = &o.fileObject
	case *afdDevice:
		f = &o.fileObject
	default:
		return ret(wso.STATUS_INVALID_HANDLE)
	}
	if code != IOCTL_AFD_POLL {
		return ret(NTStatus(0xC0000010)) // STATUS_INVALID_DEVICE_REQUEST
	}
	if in == nil || out == nil || in.NumberOfHandles == 0 ||
		int(in.NumberOfHandles) > len(in.Handles) || int(in.NumberOfHandles) > len(out.Handles) {
		return ret(wso.STATUS_INVALID_PARAMETER)
	}
	ap, _ := s.ws2.prov.(provider.AfdProvider)
	if ap == nil || s.ws2.refs == 0 {
		return ret(wso.STATUS_INVALID_HANDLE)
	}
	for _, e := range in.Handles[:in.NumberOfHandles] {
		if _, _, ok := ap.AfdPollEvents(provider.SOCKET(e.Handle)); !ok {
			return ret(wso.STATUS_INVALID_HANDLE)
		}
	}
	var evo *event
	if ev != 0 {
		e, ok := s.handles.get(ev).(*event)
		if !ok {
			return ret(wso.STATUS_INVALID_HANDLE)
		}
		evo = e
	}
	if !s.ws2.afd.watching {
		ap.AfdWatch(s.afdChanged)
		s.ws2.afd.watching = true
	}
	w := &s.ws2.afd
	p := s.ws2.rec.polls.get(s.reusable())
	p.in = append(p.in[:0], in.Handles[:in.NumberOfHandles]...)
	p.out, p.timeout, p.exclusive, p.timed = out, in.Timeout, in.Exclusive != 0, false
	r := s.newRequest(t, f, afdOp, iosb, nil)
	r.event, r.noPort = evo, false // the event is the call's, not the record's
	if ctxSet {
		r.ctx, r.ctxSet, r.noPort = ctx, true, ctx == nil
	}
	p.r, p.id = r, r.id
	s.start(r)
	if p.exclusive {
		s.afdEndExclusive(p)
	}
	w.polls = append(w.polls, p)
	if s.afdCheck(p, ap, true) {
		return ret(wso.STATUS_SUCCESS)
	}
	switch {
	case p.timeout == 0:
		s.afdDone(p, wso.STATUS_SUCCESS, 0, true)
		return ret(wso.STATUS_SUCCESS)
	case p.timeout < 0:
		if d := -p.timeout; d < int64(1<<62)/100 {
			p.timed = true
			s.addTimer(s.now+time.Duration(d*100), fireAfdTimeout, p.id)
		}
	case p.timeout < int64(1<<62)/100:
		p.timed = true
		s.addTimer(time.Duration(p.timeout*100), fireAfdTimeout, p.id)
	}
	return ret(wso.STATUS_PENDING)
}

// afdCheck completes p if one of its entries has one of its events (a
// closed socket: AFD_POLL_LOCAL_CLOSE), reporting whether it did.
func (s *System) afdCheck(p *afdPoll, ap provider.AfdProvider, immediate bool) bool {
	out := p.out
	n := 0
	for _, e := range p.in {
		ev, st, ok := ap.AfdPollEvents(provider.SOCKET(e.Handle))
		if !ok {
			ev, st = AFD_POLL_LOCAL_CLOSE, 0
		} else {
			ev &= e.Events
			if ev&AFD_POLL_CONNECT_FAIL == 0 {
				st = 0
			}
		}
		if ev == 0 {
			continue
		}
		out.Handles[n] = AFD_POLL_HANDLE_INFO{Handle: e.Handle, Events: ev, Status: st}
		n++
	}
	if n == 0 {
		return false
	}
	s.afdDone(p, wso.STATUS_SUCCESS, n, immediate)
	return true
}

// afdDone completes p with status and n entries written.
func (s *System) afdDone(p *afdPoll, status NTStatus, n int, immediate bool) {
	w := &s.ws2.afd
	for i, x := range w.polls {
		if x == p {
			w.polls = append(w.polls[:i], w.polls[i+1:]...)
			break
		}
	}
	if p.timed {
		s.dropTimer(p.id)
	}
	p.out.NumberOfHandles = uint32(n)
	p.out.Timeout = p.timeout
	r := p.r
	r.immediate = immediate
	s.ws2.rec.polls.put(p)
	info := uint32(provider.AFD_POLL_INFO_HEADER + n*provider.AFD_POLL_HANDLE_INFO_SIZE)
	if status == wso.STATUS_CANCELLED {
		// A cancelled request carries no output: Information 0, as for
		// any request the I/O manager cancels.
		info = 0
	}
	s.finish(r, status, info)
}

// afdChanged is the provider's hook: every poll waiting on socket k is
// checked, oldest first.
func (s *System) afdChanged(k provider.SOCKET) {
	ap, _ := s.ws2.prov.(provider.AfdProvider)
	w := &s.ws2.afd
	for i := 0; i < len(w.polls); {
		p := w.polls[i]
		if p.watches(Handle(k)) && s.afdCheck(p, ap, false) {
			continue // p left the list
		}
		i++
	}
}

func (p *afdPoll) watches(h Handle) bool {
	for _, e := range p.in {
		if e.Handle == h {
			return true
		}
	}
	return false
}

// afdEndExclusive is an exclusive poll's arrival: the earlier exclusive
// polls on its sockets end, unless a non-exclusive poll waits on that
// socket (test_poll_exclusive).
func (s *System) afdEndExclusive(p *afdPoll) {
	w := &s.ws2.afd
	for _, e := range p.in {
		shielded := false
		for _, q := range w.polls {
			if !q.exclusive && q.watches(e.Handle) {
				shielded = true
				break
			}
		}
		if shielded {
			continue
		}
		for i := 0; i < len(w.polls); {
			q := w.polls[i]
			if q.exclusive && q.watches(e.Handle) {
				s.afdDone(q, wso.STATUS_CANCELLED, 0, false)
				continue
			}
			i++
		}
	}
}

// fireAfdTimeout is a poll's Timeout expiring: STATUS_TIMEOUT, no entries.
func fireAfdTimeout(s *System, id uint64) {
	for _, p := range s.ws2.afd.polls {
		if p.id == id {
			p.timed = false
			s.afdDone(p, wso.STATUS_TIMEOUT, 0, false)
			return
		}
	}
}

// afdCancel is the device's cancel for a poll: STATUS_CANCELLED, no
// entries.
func (s *System) afdCancel(r *request) {
	for _, p := range s.ws2.afd.polls {
		if p.r == r {
			s.afdDone(p, wso.STATUS_CANCELLED, 0, false)
			return
		}
	}
}

// NtCancelIoFileEx implements NtCancelIoFileEx: it asks to cancel the
// pending request on h that uses iosb (every one when iosb is nil);
// STATUS_NOT_FOUND when there is none.
func (t *Thread) NtCancelIoFileEx(h Handle, iosb *Overlapped) (NTStatus, error) {
	const fn = "NtCancelIoFileEx"
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHOv, a: argVals{uint64(h), uint64(s.OverlappedID(iosb))}}
	}
	if err := t.enterArgs(fn, args); err != nil {
		return 0, err
	}
	fl, ok := s.handles.get(h).(fileLike)
	if !ok {
		t.ok(fn, uint64(wso.STATUS_INVALID_HANDLE))
		return wso.STATUS_INVALID_HANDLE, nil
	}
	if !fl.cancelIO(s, iosb, nil) {
		t.ok(fn, uint64(wso.STATUS_NOT_FOUND))
		return wso.STATUS_NOT_FOUND, nil
	}
	t.ok(fn, 0)
	return wso.STATUS_SUCCESS, nil
}
