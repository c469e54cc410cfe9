package mem

import (
	"net/netip"
	"time"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type opState uint8

const (
	opFree     opState = iota
	opWaiting          // a receive queued for a datagram
	opDeferred         // result decided; completion waits for Fire
	opRoutine          // non-IFS: result written, intermediate APC queued
	opInternal         // a blocking call's own operation
)

// op is one overlapped operation the provider has accepted.
type op struct {
	slot int
	gen  uint64
	sock *sock

	ov      *Overlapped
	routine CompletionRoutine
	tid     WSATHREADID // a copy: the caller's struct may be reused at once
	send    bool
	peek    bool // MSG_PEEK: the datagram is copied but stays queued

	bufs    []WSABUF // captured before the issuing call returns
	from    *netip.AddrPort
	fromlen *int32
	msg     *WSAMSG

	// result
	status NTStatus
	n      uint32
	flags  uint32
	src    netip.AddrPort
	dst    netip.AddrPort
	done   bool // internal operations: finished

	ev Handle // internal operations: the event the blocked caller waits on

	sx streamOp    // stream sockets' own progress (stream_io.go)
	ax *acceptExOp // an AcceptEx request's own state (ext.go)
	tx *transmitOp // a transmit with file elements (ext.go)

	spare opSpare // records ax and tx use, kept across releases

	state      opState
	prev, next *op
}

// opList is a FIFO of operations.
type opList struct{ head, tail *op }

func (l *opList) push(o *op) {
	o.prev, o.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = o
	} else {
		l.head = o
	}
	l.tail = o
}

func (l *opList) remove(o *op) {
	if o.prev != nil {
		o.prev.next = o.next
	} else if l.head == o {
		l.head = o.next
	} else {
		return
	}
	if o.next != nil {
		o.next.prev = o.prev
	} else {
		l.tail = o.prev
	}
	o.prev, o.next = nil, nil
}

func (p *Mem) newOp(k *sock, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID, bufs []WSABUF) *op {
	var o *op
	if n := len(p.freeOps); n > 0 {
		o = p.ops[p.freeOps[n-1]]
		p.freeOps = p.freeOps[:n-1]
	} else {
		o = &op{slot: len(p.ops)}
		p.ops = append(p.ops, o)
	}
	p.nextGen++
	o.gen = p.nextGen
	o.sock, o.ov, o.routine = k, ov, routine
	if tid != nil {
		o.tid = *tid
	}
	o.bufs = append(o.bufs[:0], bufs...)
	return o
}

func (p *Mem) releaseOp(o *op) {
	o.clear()
	p.freeOps = append(p.freeOps, o.slot)
}

// clear makes o a free record, as a new one is but for the storage it
// keeps: its buffer list's and its spare records'.
func (o *op) clear() {
	slot, bufs, spare := o.slot, o.bufs, o.spare
	clear(bufs)
	spare.clear()
	*o = op{slot: slot, bufs: bufs[:0], spare: spare}
}

// opSpare is what an operation record keeps for the extension requests
// it may carry, so that an AcceptEx or a transmit reading a file does
// not make its state anew each time. Nothing in it is valid once the
// operation is released.
type opSpare struct {
	ax *acceptExOp
	tx *transmitOp
}

// acceptEx gives o's AcceptEx record, zeroed.
func (o *op) acceptEx() *acceptExOp {
	if o.spare.ax == nil {
		o.spare.ax = new(acceptExOp)
	}
	return o.spare.ax
}

// transmit gives o's transmit record, zeroed (with storage for its
// elements and the blocks it reads).
func (o *op) transmit() *transmitOp {
	if o.spare.tx == nil {
		o.spare.tx = new(transmitOp)
	}
	return o.spare.tx
}

// clear zeroes the spare records, keeping their storage (but blocks more
// than maxKeptBuf bytes in all).
func (s opSpare) clear() {
	if x := s.ax; x != nil {
		*x = acceptExOp{}
	}
	if x := s.tx; x != nil {
		clear(x.elems)
		blocks, size := x.blocks, 0
		for _, b := range blocks {
			size += cap(b)
		}
		if size > maxKeptBuf {
			blocks = nil
		}
		*x = transmitOp{elems: x.elems[:0], blocks: blocks}
	}
}

// ctx packs an operation's slot and generation into an APC or deferral
// context, so a stale context (the slot reused) is recognised.
func (o *op) ctx() uintptr { return uintptr(o.slot) | uintptr(o.gen)<<24 }

func (p *Mem) fromCtx(c uintptr) *op {
	slot := int(c & (1<<24 - 1))
	if slot >= len(p.ops) {
		return nil
	}
	o := p.ops[slot]
	if uint64(c>>24) != o.gen&(1<<40-1) {
		return nil
	}
	return o
}

// complete reports an operation's result through the path its kind uses.
//
// IFS: the I/O manager completes the kernel request (status block, event,
// routine or packet). Non-IFS, as LPWSPGETOVERLAPPEDRESULT describes: the
// provider writes OffsetHigh (the WSA error) and Offset (the flags); then
// for a completion routine it marks the record complete itself and queues
// its intermediate APC with WPUQueueApc; otherwise WPUCompleteOverlappedRequest
// writes InternalHigh and Internal and signals the event or the port.
func (p *Mem) complete(o *op, st NTStatus, n uint32, flags uint32) {
	if o.msg != nil && o.state != opInternal {
		// The flags reach the WSAMSG (for a blocking call's own
		// operation recvBlocking writes them). What a completion
		// routine's dwFlags gets is this provider's to say only for a
		// non-IFS socket (the SPI pages: the flags of the operation); for
		// an IFS socket the ws2 layer decides (Windows passes 0:
		// emu.ProfileDifferences).
		o.msg.Flags = p.msgFlagsOut(o, flags)
	}
	if o.state == opInternal {
		o.status, o.n, o.flags, o.done = st, n, flags, true
		p.up.WPUSetEvent(o.ev)
		return
	}
	k := o.sock
	if p.cfg.Kind == provider.IFS {
		ov := o.ov
		if o.send {
			flags = 0 // no flags are defined for sends
		}
		p.releaseOp(o)
		p.up.IFSCompleteRequest(k.handle, ov, st, n, flags)
		return
	}
	var err Errno
	if st != wso.STATUS_SUCCESS {
		err = st.WSAError()
	}
	obs := p.up.Observer()
	wso.SetProviderResult(o.ov, err, flags, obs)
	if o.routine != nil {
		wso.CompleteNonIFS(o.ov, n, obs)
		o.status, o.n, o.flags, o.state = st, n, flags, opRoutine
		if e := p.up.WPUQueueApc(&o.tid, p.apcRoutine(), o.ctx()); e != 0 {
			p.up.Note("completion routine dropped: its thread has exited")
			p.releaseOp(o)
		}
		return
	}
	ov := o.ov
	p.releaseOp(o)
	p.up.WPUCompleteOverlappedRequest(k.handle, ov, err, n)
}

// apcRoutine is p.runRoutine as the function WPUQueueApc takes, made
// once (a method value is an allocation).
func (p *Mem) apcRoutine() func(uintptr) {
	if p.trampoline == nil {
		p.trampoline = p.runRoutine
	}
	return p.trampoline
}

// runRoutine is the provider's intermediate APC: it runs on the issuing
// thread, in an alertable wait, and calls the application's completion
// routine. A routine for a socket whose routine is already running on the
// same thread's stack is held and run when that one returns, so routines
// for one socket never nest (the WSASend page's guarantee). Nesting is a
// matter of one thread's stack: another thread's routine for the socket
// runs in that thread's own wait, and is never held for, nor run on, this
// one.
func (p *Mem) runRoutine(c uintptr) {
	o := p.fromCtx(c)
	if o == nil || o.state != opRoutine {
		return
	}
	k, tid := o.sock, o.tid.Reserved
	for _, t := range k.inRoutine {
		if t == tid {
			k.held = append(k.held, o)
			return
		}
	}
	k.inRoutine = append(k.inRoutine, tid)
	defer k.leaveRoutine(tid)
	p.callRoutine(o)
	for h := k.takeHeld(tid); h != nil; h = k.takeHeld(tid) {
		p.callRoutine(h)
	}
}

// takeHeld removes and returns the oldest routine held for thread tid.
func (k *sock) takeHeld(tid uintptr) *op {
	for i, h := range k.held {
		if h.tid.Reserved == tid {
			copy(k.held[i:], k.held[i+1:])
			k.held[len(k.held)-1] = nil
			k.held = k.held[:len(k.held)-1]
			return h
		}
	}
	return nil
}

// leaveRoutine records that thread tid no longer runs a routine of k.
func (k *sock) leaveRoutine(tid uintptr) {
	for i, t := range k.inRoutine {
		if t == tid {
			k.inRoutine = append(k.inRoutine[:i], k.inRoutine[i+1:]...)
			return
		}
	}
}

func (p *Mem) callRoutine(o *op) {
	fn, ov := o.routine, o.ov
	var err Errno
	if o.status != wso.STATUS_SUCCESS {
		err = o.status.WSAError()
	}
	n, flags := o.n, o.flags
	if o.status.IsError() {
		n = 0 // "If an error occurs, this parameter is zero."
	}
	if o.send {
		flags = 0 // no flags are defined for sends
	}
	p.releaseOp(o)
	fn(uint32(err), n, ov, flags)
}

// Fire implements Deferrable: a deferred completion is delivered.
func (p *Mem) Fire(c uintptr) {
	o := p.fromCtx(c)
	if o == nil || o.state != opDeferred {
		return
	}
	p.finishDeferred(o)
}

func (p *Mem) finishDeferred(o *op) {
	if o.state != opDeferred {
		return
	}
	if o.send {
		o.sock.sends.remove(o)
	} else {
		o.sock.deferred.remove(o)
	}
	o.state = opWaiting
	p.writeRecvOuts(o)
	p.complete(o, o.status, o.n, o.flags)
}

func msDuration(ms uint32) time.Duration { return time.Duration(ms) * time.Millisecond }
