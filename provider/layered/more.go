package layered

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

var (
	_ provider.ServiceProvider   = (*Provider)(nil)
	_ provider.Extensions        = (*Provider)(nil)
	_ provider.ReadinessProvider = (*Provider)(nil)
	_ provider.Cataloguer        = (*Provider)(nil)
)

// ---- the extension functions ----

func (p *Provider) ext() provider.Extensions {
	x, _ := p.base.(provider.Extensions)
	return x
}

// WSPAcceptEx implements Extensions: both sockets are passed down as
// their base sockets; the request is the layer's.
func (p *Provider) WSPAcceptEx(listen, accept SOCKET, buf []byte, recvLen, localLen, remoteLen uint32, received *uint32, ov *Overlapped, tid *WSATHREADID) Errno {
	x := p.ext()
	if x == nil {
		return wso.WSAEOPNOTSUPP
	}
	acc := p.baseOf(accept)
	return p.issue(listen, ov, nil, tid, false, func(b SOCKET, o *Overlapped, _ CompletionRoutine, t *WSATHREADID) Errno {
		return x.WSPAcceptEx(b, acc, buf, recvLen, localLen, remoteLen, received, o, t)
	})
}

func (p *Provider) WSPConnectEx(s SOCKET, name *netip.AddrPort, namelen int32, send []byte, sent *uint32, ov *Overlapped, tid *WSATHREADID) Errno {
	x := p.ext()
	if x == nil {
		return wso.WSAEOPNOTSUPP
	}
	return p.issue(s, ov, nil, tid, true, func(b SOCKET, o *Overlapped, _ CompletionRoutine, t *WSATHREADID) Errno {
		return x.WSPConnectEx(b, name, namelen, send, sent, o, t)
	})
}

func (p *Provider) WSPDisconnectEx(s SOCKET, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno {
	x := p.ext()
	if x == nil {
		return wso.WSAEOPNOTSUPP
	}
	return p.issue(s, ov, nil, tid, true, func(b SOCKET, o *Overlapped, _ CompletionRoutine, t *WSATHREADID) Errno {
		return x.WSPDisconnectEx(b, o, flags, t)
	})
}

func (p *Provider) WSPTransmitPackets(s SOCKET, elems []provider.TransmitElement, sendSize uint32, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno {
	x := p.ext()
	if x == nil {
		return wso.WSAEOPNOTSUPP
	}
	return p.issue(s, ov, nil, tid, true, func(b SOCKET, o *Overlapped, _ CompletionRoutine, t *WSATHREADID) Errno {
		return x.WSPTransmitPackets(b, elems, sendSize, o, flags, t)
	})
}

// ---- readiness ----
//
// A layered provider that does not intercept select and WSAPoll passes
// them down with its handles replaced by the base provider's and the
// answers translated back, as the WSPSelect page asks of a layer.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspselect

func (p *Provider) rd() provider.ReadinessProvider {
	r, _ := p.base.(provider.ReadinessProvider)
	return r
}

func (p *Provider) WSPEventSelect(s SOCKET, ev provider.Handle, mask int32) Errno {
	r := p.rd()
	if r == nil {
		return wso.WSAEOPNOTSUPP
	}
	return r.WSPEventSelect(p.baseOf(s), ev, mask)
}

func (p *Provider) WSPEnumNetworkEvents(s SOCKET, ev provider.Handle, ne *provider.WSANETWORKEVENTS) Errno {
	r := p.rd()
	if r == nil {
		return wso.WSAEOPNOTSUPP
	}
	return r.WSPEnumNetworkEvents(p.baseOf(s), ev, ne)
}

// down rewrites a set's layer handles as base handles.
func (p *Provider) down(set *provider.FDSet) {
	if set == nil {
		return
	}
	for i := uint32(0); i < set.Count && int(i) < len(set.Array); i++ {
		set.Array[i] = p.baseOf(set.Array[i])
	}
}

// up rewrites a set's base handles as the layer's.
func (p *Provider) upSet(set *provider.FDSet) {
	if set == nil {
		return
	}
	for i := uint32(0); i < set.Count && int(i) < len(set.Array); i++ {
		set.Array[i] = p.layerOf(set.Array[i])
	}
}

func (p *Provider) layerOf(b SOCKET) SOCKET {
	if ls := p.byBase[b]; ls != nil {
		return ls.h
	}
	return b
}

func (p *Provider) WSPSelect(readfds, writefds, exceptfds *provider.FDSet, timeout *provider.Timeval) (int, Errno) {
	r := p.rd()
	if r == nil {
		return 0, wso.WSAEOPNOTSUPP
	}
	p.down(readfds)
	p.down(writefds)
	p.down(exceptfds)
	n, e := r.WSPSelect(readfds, writefds, exceptfds, timeout)
	p.upSet(readfds)
	p.upSet(writefds)
	p.upSet(exceptfds)
	return n, e
}

func (p *Provider) WSPPoll(fds []provider.WSAPOLLFD, timeout int32) (int, Errno) {
	r := p.rd()
	if r == nil {
		return 0, wso.WSAEOPNOTSUPP
	}
	for i := range fds {
		fds[i].Fd = p.baseOf(fds[i].Fd)
	}
	n, e := r.WSPPoll(fds, timeout)
	for i := range fds {
		fds[i].Fd = p.layerOf(fds[i].Fd)
	}
	return n, e
}

// ---- the catalogue ----

// WSPProtocols implements provider.Cataloguer: the layer's chains first
// (ChainLen 2: the layer's entry, then the base protocol's), then its own
// LAYERED_PROTOCOL entry (ChainLen 0), then the base's entries. A chain
// keeps its base protocol's flags except XP1_IFS_HANDLES: the layer's
// handles are not IFS handles.
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocolchain
func (p *Provider) WSPProtocols() []provider.WSAProtocolInfo {
	var base []provider.WSAProtocolInfo
	if c, ok := p.base.(provider.Cataloguer); ok {
		base = c.WSPProtocols()
	}
	out := make([]provider.WSAProtocolInfo, 0, 2*len(base)+1)
	for i, b := range base {
		e := b
		e.ServiceFlags1 &^= provider.XP1_IFS_HANDLES
		e.CatalogEntryId = CatalogEntryID + 1 + uint32(i)
		e.ProtocolChain = provider.WSAPROTOCOLCHAIN{ChainLen: 2}
		e.ProtocolChain.ChainEntries[0] = CatalogEntryID
		e.ProtocolChain.ChainEntries[1] = b.CatalogEntryId
		e.ProtocolName = "wsaemu layered over " + b.ProtocolName
		out = append(out, e)
	}
	out = append(out, provider.WSAProtocolInfo{
		CatalogEntryId: CatalogEntryID,
		ProtocolChain:  provider.WSAPROTOCOLCHAIN{ChainLen: provider.LAYERED_PROTOCOL},
		AddressFamily:  provider.AF_INET,
		SocketType:     provider.SOCK_STREAM,
		Protocol:       provider.IPPROTO_TCP,
		ProtocolName:   "wsaemu layered provider",
	})
	return append(out, base...)
}
