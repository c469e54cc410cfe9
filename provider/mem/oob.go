package mem

import wso "github.com/wsaemu/wsaemu/wsaoverlapped"

// Urgent ("out-of-band") data on stream sockets, as Windows' TCP gives it.
// A send with MSG_OOB marks its last byte urgent: that byte travels apart
// from the normal stream and waits, one per MSG_OOB send, in the
// receiver's urgent queue, where only a receive with MSG_OOB reads it.
// FIONREAD counts the normal bytes only, and SIOCATMARK answers FALSE
// while urgent bytes wait and TRUE otherwise. With SO_OOBINLINE set the
// urgent bytes are part of the normal stream: one sent then arrives as a
// normal byte (SIOCATMARK stays TRUE); urgent bytes that arrived before
// the option was set count in FIONREAD, are read by normal receives once
// the normal bytes before them are, and keep SIOCATMARK FALSE until then.
// The sequence is Wine's dlls/ws2_32/tests/sock.c test_fionread_siocatmark,
// whose checks without todo_wine hold on Windows.
// https://learn.microsoft.com/windows/win32/winsock/protocol-independent-out-of-band-data-2
// https://learn.microsoft.com/windows/win32/winsock/winsock-ioctls (SIOCATMARK)

// sendUrgent delivers the urgent byte of a MSG_OOB send from k (the last
// byte of bufs) and reports how many bytes it took from the send: 1, or
// 0 when there are none or the peer takes urgent data inline, so the
// whole send is normal data.
func (p *Mem) sendUrgent(k *sock, bufs []WSABUF, total int) int {
	peer := k.st.peer
	if total == 0 || !alive(k) || peer.st.oobinline {
		return 0
	}
	var last byte
	for i := len(bufs) - 1; i >= 0; i-- {
		if b := bufs[i]; b.Len > 0 {
			last = b.Buf[b.Len-1]
			break
		}
	}
	peer.st.oob = append(peer.st.oob, last)
	return 1
}

// putByte writes c at the start of the first buffer that has room.
func putByte(bufs []WSABUF, c byte) {
	for _, b := range bufs {
		if b.Len > 0 {
			b.Buf[0] = c
			return
		}
	}
}

// popOOB takes the oldest urgent byte waiting on k.
func popOOB(k *sock) byte {
	st := k.st
	c := st.oob[0]
	copy(st.oob, st.oob[1:])
	st.oob = st.oob[:len(st.oob)-1]
	return c
}

// takeInline gives a normal receive on k, with SO_OOBINLINE set and no
// normal bytes waiting, the oldest urgent byte.
func takeInline(k *sock, o *op) bool {
	if o.sx.total == 0 {
		o.status, o.n, o.flags = wso.STATUS_SUCCESS, 0, 0
		return true
	}
	if o.peek {
		putByte(o.bufs, k.st.oob[0])
	} else {
		putByte(o.bufs, popOOB(k))
	}
	o.sx.done = 1
	o.status, o.n, o.flags = wso.STATUS_SUCCESS, 1, 0
	return true
}

// recvOOB is a receive with MSG_OOB on a connected stream socket: the
// oldest urgent byte, at once. With SO_OOBINLINE set it fails with
// WSAEINVAL (the WSARecv page). With no urgent byte waiting it fails with
// WSAEINVAL too, as the BSD stack Winsock's TCP descends from answers (no
// Windows test records this case; a receive does not wait for urgent
// data here).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
func (p *Mem) recvOOB(k *sock, a recvArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	st := k.st
	if st.oobinline || len(st.oob) == 0 {
		return wso.WSAEINVAL
	}
	in := *a.flags
	total, _ := checkBufs(a.bufs)
	n := uint32(0)
	if total > 0 {
		putByte(a.bufs, popOOB(k))
		n = 1
	}
	if !overlappedCall(k, ov) {
		p.writeCounts(a, wso.STATUS_SUCCESS, n, 0, in)
		return 0
	}
	o := p.newOp(k, ov, routine, tid, a.bufs)
	o.sx = streamOp{kind: skRecv, total: total, done: int(n)}
	p.beginNonIFS(ov, routine)
	p.writeCounts(a, wso.STATUS_SUCCESS, n, 0, in)
	p.complete(o, wso.STATUS_SUCCESS, n, 0)
	return 0
}

// streamReadable is FIONREAD on a stream socket: the normal bytes
// waiting, and, with SO_OOBINLINE, the urgent ones too.
func streamReadable(k *sock) uint32 {
	n := uint32(k.st.rx.len())
	if k.st.oobinline {
		n += uint32(len(k.st.oob))
	}
	return n
}

// atMark is SIOCATMARK: TRUE (1) unless urgent bytes wait to be read.
func atMark(k *sock) uint32 {
	if k.st != nil && len(k.st.oob) > 0 {
		return 0
	}
	return 1
}
