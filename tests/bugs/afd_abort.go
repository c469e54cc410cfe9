package bugs

import (
	"encoding/binary"
	"math"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Leaving AFD_POLL_ABORT out of "readable".
//
// A poller built on IOCTL_AFD_POLL turns the events a program is
// interested in into AFD bits and the bits that come back into readiness.
// A reset connection reports AFD_POLL_ABORT, and nothing else a reader
// looks for: the reset throws away the data not yet read, so there is no
// AFD_POLL_RECEIVE, and it is not a FIN, so there is no
// AFD_POLL_DISCONNECT. mio once mapped AFD_POLL_ABORT to "write closed"
// only (tokio-rs/mio issue 1303, fixed by pull request 1304, which makes it
// read-closed as well, the way wepoll maps it to EPOLLHUP and libuv to
// readable): a task waiting only to read never heard that its peer had
// reset, and waited for ever.
//
// The client below waits, through AFD polls, for its socket to become
// readable, reads until a receive would block, and polls again, until it
// sees the end of the connection; the server sends one message and resets.
// Under the usual schedule the client runs again only after the server has
// sent and reset, so its one receive fails with WSAECONNRESET and it is
// done. When the client runs between the server's send and its reset, it
// reads the message, polls again, and the reset that follows completes no
// poll that leaves AFD_POLL_ABORT out: the server has finished and the
// client waits for ever, a deadlock.
//
// Clauses: afd.poll.only-signalled, afd.poll.pending-then-completes,
// closesocket.abortive. (No clause says which bit a reset sets: no
// Microsoft page documents the AFD poll, and Wine's afd.c asserts nothing
// about it; the emulator reports AFD_POLL_ABORT, the bit's meaning in the
// public definitions that wepoll and mio use.)

// afdReadable are the AFD bits the buggy poller asks for, and takes for
// readable, when a program wants to read.
const afdReadable = emu.AFD_POLL_RECEIVE | emu.AFD_POLL_DISCONNECT | emu.AFD_POLL_ACCEPT

// AFDAbortBuggy polls for afdReadable only.
func AFDAbortBuggy(t *emu.Thread, v *Verdict) {
	// BUG: a reset is AFD_POLL_ABORT, which is not among these bits.
	afdAbortRun(t, v, afdReadable)
}

// AFDAbortFixed also asks for AFD_POLL_ABORT and takes it for readable
// (read-closed): the receive that follows reports the reset.
func AFDAbortFixed(t *emu.Thread, v *Verdict) {
	afdAbortRun(t, v, afdReadable|emu.AFD_POLL_ABORT)
}

func afdAbortRun(t *emu.Thread, v *Verdict, readable uint32) {
	if !startup(t, v) {
		return
	}
	l, addr, ok := tcpListener(t, v)
	if !ok {
		return
	}
	server := spawn(t, v, func(t *emu.Thread) {
		a, err := t.Accept(l, nil, nil)
		if !v.setup("accept", err) {
			return
		}
		sendAll(t, v, a, "hello")
		abortiveClose(t, v, a)
	})
	c, ok := tcpConnect(t, v, addr)
	if !ok {
		return
	}
	var ret uint32
	one := binary.LittleEndian.AppendUint32(nil, 1)
	if !v.setup("FIONBIO", t.WSAIoctl(c, provider.FIONBIO, one, nil, &ret, nil, nil)) {
		return
	}
	ev, err := t.CreateEvent(true, false)
	if !v.setup("CreateEvent", err) {
		return
	}
	iosb := &emu.Overlapped{}
	in := &emu.AFD_POLL_INFO{Timeout: math.MaxInt64, NumberOfHandles: 1,
		Handles: []emu.AFD_POLL_HANDLE_INFO{{Handle: emu.Handle(c), Events: readable}}}
	out := &emu.AFD_POLL_INFO{Handles: make([]emu.AFD_POLL_HANDLE_INFO, 1)}
	buf := make([]byte, 16)
	got := ""
	for ended := false; !ended; {
		t.ResetEvent(ev)
		st, err := t.NtDeviceIoControlFile(emu.Handle(c), ev, iosb, emu.IOCTL_AFD_POLL, in, out)
		if !v.setup("IOCTL_AFD_POLL", err) {
			return
		}
		if st == wso.STATUS_PENDING {
			if _, err := t.WaitForSingleObject(ev, emu.INFINITE); !v.setup("WaitForSingleObject", err) {
				return
			}
		} else if st != wso.STATUS_SUCCESS {
			v.Breakf("IOCTL_AFD_POLL: %v", st)
			return
		}
		if out.NumberOfHandles != 1 || out.Handles[0].Events&readable == 0 {
			continue // nothing to read yet: poll again
		}
		// Readable (or read-closed): read until a receive would block.
		for {
			var n, fl uint32
			err := t.WSARecv(c, buf1(buf), &n, &fl, nil, nil)
			if err == wso.WSAEWOULDBLOCK {
				break
			}
			if err != nil || n == 0 {
				// WSAECONNRESET or the end of the stream: the peer is gone.
				ended = true
				break
			}
			got += string(buf[:n])
		}
	}
	if got != "" && got != "hello" {
		v.Breakf("client read %q, want \"hello\" or nothing (a reset may discard it)", got)
	}
	join(t, v, server)
	t.Closesocket(c)
	t.Closesocket(l)
	t.CloseHandle(ev)
}
