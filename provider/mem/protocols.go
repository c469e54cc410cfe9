package mem

import "github.com/wsaemu/wsaemu/provider"

// BaseCatalogEntryID is the first catalogue entry id of the in-memory
// provider's protocols (UDP and TCP over IPv4 and IPv6, in that order);
// Config.CatalogEntryID, when set, replaces it.
const BaseCatalogEntryID = 1001

// WSPProtocols implements provider.Cataloguer: one base protocol entry
// (ChainLen BASE_PROTOCOL) per address family and socket type. An IFS
// provider's entries carry XP1_IFS_HANDLES: its handles are file objects
// that ReadFile, WriteFile and the I/O manager's completion modes work on.
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow
func (p *Mem) WSPProtocols() []provider.WSAProtocolInfo {
	id := p.cfg.CatalogEntryID
	if id == 0 {
		id = BaseCatalogEntryID
	}
	ifs := uint32(0)
	if p.cfg.Kind == provider.IFS {
		ifs = provider.XP1_IFS_HANDLES
	}
	udp := uint32(provider.XP1_CONNECTIONLESS|provider.XP1_MESSAGE_ORIENTED|provider.XP1_SUPPORT_BROADCAST|provider.XP1_SUPPORT_MULTIPOINT) | ifs
	tcp := uint32(provider.XP1_GUARANTEED_DELIVERY|provider.XP1_GUARANTEED_ORDER|provider.XP1_GRACEFUL_CLOSE|provider.XP1_EXPEDITED_DATA) | ifs
	out := make([]provider.WSAProtocolInfo, 0, 4)
	for i, af := range [...]int32{provider.AF_INET, provider.AF_INET6} {
		for _, e := range [...]struct {
			typ, proto int32
			flags      uint32
			name       string
		}{
			{provider.SOCK_DGRAM, provider.IPPROTO_UDP, udp, protocolNames[i][0]},
			{provider.SOCK_STREAM, provider.IPPROTO_TCP, tcp, protocolNames[i][1]},
		} {
			out = append(out, provider.WSAProtocolInfo{
				ServiceFlags1:  e.flags,
				ProviderFlags:  provider.PFL_MATCHES_PROTOCOL_ZERO,
				CatalogEntryId: id,
				ProtocolChain:  provider.WSAPROTOCOLCHAIN{ChainLen: provider.BASE_PROTOCOL},
				AddressFamily:  af,
				SocketType:     e.typ,
				Protocol:       e.proto,
				ProtocolName:   e.name,
			})
			id++
		}
	}
	return out
}

// protocolNames are the entries' names, by family (IPv4, IPv6) and type
// (UDP, TCP).
var protocolNames = [2][2]string{
	{"wsaemu in-memory UDP/IP", "wsaemu in-memory TCP/IP"},
	{"wsaemu in-memory UDP/IPv6", "wsaemu in-memory TCP/IPv6"},
}
