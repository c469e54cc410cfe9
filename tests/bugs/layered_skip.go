package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Turning on skip-on-success without asking whether a layered provider
// is in the way.
//
// With FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set on a socket, a request
// that succeeds at once posts no packet, so a reactor handles it inline.
// That holds only for IFS handles: behind a non-IFS layered service
// provider the layer reports every completion through
// WPUCompleteOverlappedRequest, which posts a packet whatever the mode
// (Microsoft's KB2568167). A reactor that sets the mode blindly handles an
// immediate success inline and later dequeues its packet as well, taking
// it for some other request. Go shipped this and then learned to check
// first: golang/go issue 22149 (an LSP installed by security software broke
// net I/O) led to the check in internal/poll that enumerates the protocol
// catalogue with WSAEnumProtocols and keeps the mode off unless every entry
// carries XP1_IFS_HANDLES; libuv has the same rule, and python-trio/trio
// issue 52 records the maintainers of both discussing it.
//
// Under the usual schedule every receive below completes at once (its
// datagram is queued) so the reactor never looks at the port, even with
// the layer installed: the stale packets sit there unseen. The pattern runs
// with emu.WithLayeredProvider(); as soon as one receive pends after one
// succeeded at once, the reactor dequeues the early packet and handles that
// receive a second time.
//
// Clauses: setfilecompletionnotificationmodes.ifs-lsp-only,
// setfilecompletionnotificationmodes.non-ifs-still-posts,
// layered.chain-not-ifs.

// LayeredSkipBuggy sets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on its socket
// without looking at the catalogue, handles each receive that succeeds at
// once inline, and dequeues a packet for each one that pended.
func LayeredSkipBuggy(t *emu.Thread, v *Verdict) {
	st, ok := immediateSetup(t, v)
	if !ok {
		return
	}
	// BUG: behind a non-IFS layer this mode does not hold back packets.
	if !v.setup("SetFileCompletionNotificationModes", t.SetFileCompletionNotificationModes(emu.Handle(st.rx), emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)) {
		return
	}
	layeredSkipReactor(t, v, st, true)
}

// LayeredSkipFixed does what Go's internal/poll does: it sets the mode
// only when every protocol in the catalogue has IFS handles, and otherwise
// takes every completion, immediate or not, from the port.
func LayeredSkipFixed(t *emu.Thread, v *Verdict) {
	st, ok := immediateSetup(t, v)
	if !ok {
		return
	}
	skip := ifsOnly(t, v)
	if skip && !v.setup("SetFileCompletionNotificationModes", t.SetFileCompletionNotificationModes(emu.Handle(st.rx), emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)) {
		return
	}
	layeredSkipReactor(t, v, st, skip)
}

// layeredSkipReactor posts the three receives; with skip it handles an
// immediate success inline, without it waits for the packet of every
// receive that did not fail at once.
func layeredSkipReactor(t *emu.Thread, v *Verdict, st *immediateState, skip bool) {
	packets := 0
	for i := range st.ovs {
		var n, fl uint32
		switch err := t.WSARecv(st.rx, buf1(st.bufs[i]), &n, &fl, st.ovs[i], nil); {
		case err == nil && skip:
			st.handle(v, i, n)
		case err == nil || err == wso.WSA_IO_PENDING:
			packets++
		default:
			v.Breakf("WSARecv %d: %v", i, err)
		}
	}
	for ; packets > 0; packets-- {
		i, n, ok := st.dequeue(t, v)
		if !ok {
			return
		}
		st.handle(v, i, n)
	}
	st.close(t)
}

// ifsOnly reports whether every protocol the catalogue lists has IFS
// handles: the question Go asks before it uses skip-on-success.
func ifsOnly(t *emu.Thread, v *Verdict) bool {
	var size uint32
	if _, err := t.WSAEnumProtocols(nil, nil, &size); err != wso.WSAENOBUFS {
		v.Breakf("setup: WSAEnumProtocols to size the buffer: %v", err)
		return false
	}
	buf := make([]provider.WSAProtocolInfo, size/provider.SizeofWSAPROTOCOL_INFOW)
	n, err := t.WSAEnumProtocols(nil, buf, &size)
	if !v.setup("WSAEnumProtocols", err) {
		return false
	}
	for _, e := range buf[:n] {
		if e.ServiceFlags1&provider.XP1_IFS_HANDLES == 0 {
			return false
		}
	}
	return true
}
