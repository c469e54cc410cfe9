package bugs

import (
	"encoding/binary"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// An AcceptEx that completes at once, asynchronously, and races its
// issuer: the completion port hands the packet to another thread before
// the issuing thread has recorded what the request was for.
//
// When a connection is already waiting in the backlog, AcceptEx can take
// it within the call, and a listener bound to a completion port still
// reports the result as a packet (it may even return ERROR_IO_PENDING and
// complete a moment later). The packet is queued before AcceptEx returns,
// and a worker thread blocked in GetQueuedCompletionStatus can take it
// while the issuer is still on its way from the call to the code that
// files the request in its table. The worker finds nothing filed for the
// record, takes the packet for a stray, and the connection is never
// served. Everything the completion handler needs must be in place before
// AcceptEx is called.
//
// Real project: zio's IOCP backend stored the new accept socket into its
// operation after calling AcceptEx; on a port shared by several threads
// the completion was sometimes processed first, against an uninitialised
// handle (lalinsky/zio issue #530, fixed by pull request #533 by
// publishing the handle before the call).
//
// Clauses: acceptex.port, acceptex.pending,
// sync-async-io.immediate-success-still-posts, getqueuedcompletionstatus.dequeue.

const raceReply = "served"

// AcceptRaceBuggy files the accept socket in the shared table after
// AcceptEx returns.
func AcceptRaceBuggy(t *emu.Thread, v *Verdict) { acceptRaceRun(t, v, false) }

// AcceptRaceFixed files it before calling AcceptEx (and takes it out
// again if the call fails at once).
func AcceptRaceFixed(t *emu.Thread, v *Verdict) { acceptRaceRun(t, v, true) }

// raceTable is the program's table of requests in flight, keyed by their
// record, guarded by an auto-reset event used as a lock.
type raceTable struct {
	mu      emu.Handle
	accepts map[*emu.Overlapped]emu.SOCKET
}

func (r *raceTable) lock(t *emu.Thread)   { t.WaitForSingleObject(r.mu, emu.INFINITE) }
func (r *raceTable) unlock(t *emu.Thread) { t.SetEvent(r.mu) }

// acceptRaceRun: the listener is bound to a port that a worker thread
// serves; a client connection is already waiting when the main thread
// issues AcceptEx; the worker serves the accepted connection (one request,
// one reply), and the client must get the reply.
func acceptRaceRun(t *emu.Thread, v *Verdict, fileFirst bool) {
	if !startup(t, v) {
		return
	}
	l, addr, ok := tcpListener(t, v)
	if !ok {
		return
	}
	port, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
	if !v.setup("CreateIoCompletionPort", err) || !associate(t, v, l, port, 1) {
		return
	}
	mu, err := t.CreateEvent(false, true)
	if !v.setup("CreateEvent", err) {
		return
	}
	tab := &raceTable{mu: mu, accepts: map[*emu.Overlapped]emu.SOCKET{}}
	const area = provider.SizeofSockaddrInet6 + 16
	buf := make([]byte, 2*area)
	ov := &emu.Overlapped{}
	stray := 0
	worker := spawn(t, v, func(t *emu.Thread) {
		for {
			var n uint32
			var key uintptr
			var got *emu.Overlapped
			err := t.GetQueuedCompletionStatus(port, &n, &key, &got, emu.INFINITE)
			if key == 2 {
				return // the quit packet
			}
			tab.lock(t)
			a, ok := tab.accepts[got]
			delete(tab.accepts, got)
			tab.unlock(t)
			if !ok {
				stray++ // not ours, as far as the table knows
				continue
			}
			if err != nil {
				v.Breakf("AcceptEx failed: %v", err)
				t.Closesocket(a)
				continue
			}
			lv := binary.LittleEndian.AppendUint64(nil, uint64(l))
			v.setup("SO_UPDATE_ACCEPT_CONTEXT", t.Setsockopt(a, provider.SOL_SOCKET, provider.SO_UPDATE_ACCEPT_CONTEXT, lv))
			if req, err := recvAll(t, a); err != nil || req != "hi" {
				v.Breakf("the worker got %q (%v), want %q", req, err, "hi")
			}
			sendAll(t, v, a, raceReply)
			v.setup("shutdown", t.Shutdown(a, provider.SD_SEND))
			t.Closesocket(a)
		}
	})
	// The client connects first: its connection waits in the backlog.
	c, ok := tcpConnect(t, v, addr)
	if !ok {
		return
	}
	a, ok := tcpSocket(t, v, false)
	if !ok {
		return
	}
	if fileFirst {
		tab.lock(t)
		tab.accepts[ov] = a
		tab.unlock(t)
	}
	var n uint32
	if err := t.AcceptEx(l, a, buf, 0, area, area, &n, ov); !pendingOK(err) {
		v.Breakf("AcceptEx: %v", err)
		tab.lock(t)
		delete(tab.accepts, ov)
		tab.unlock(t)
		t.Closesocket(a)
	} else if !fileFirst {
		// BUG: the packet may already be in the worker's hands.
		tab.lock(t)
		tab.accepts[ov] = a
		tab.unlock(t)
	}
	sendAll(t, v, c, "hi")
	v.setup("shutdown", t.Shutdown(c, provider.SD_SEND))
	// The client waits for the reply, but not for ever (SO_RCVTIMEO, one
	// second): a connection nobody serves would hang it.
	tmo := binary.LittleEndian.AppendUint32(nil, 1000)
	v.setup("SO_RCVTIMEO", t.Setsockopt(c, provider.SOL_SOCKET, provider.SO_RCVTIMEO, tmo))
	if got, err := recvAll(t, c); got != raceReply {
		v.Breakf("the client got %q (%v), want %q: the accepted connection was never served (%d stray packet(s))", got, err, raceReply, stray)
	}
	v.setup("PostQueuedCompletionStatus", t.PostQueuedCompletionStatus(port, 0, 2, nil))
	join(t, v, worker)
	if a, ok := tab.accepts[ov]; ok {
		t.Closesocket(a) // filed too late: never served
	}
	t.ReleaseOverlapped(ov)
	t.ReleaseBuffer(buf)
	t.Closesocket(c)
	t.Closesocket(l)
	t.CloseHandle(port)
	t.CloseHandle(mu)
}
