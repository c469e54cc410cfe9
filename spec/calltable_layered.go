package spec

import (
	"strconv"

	"github.com/wsaemu/wsaemu/provider"
)

// The call table's part for the protocol catalogue: WSAEnumProtocols,
// which shows a layered provider's protocol chains.

// CatalogMachine is the Machine's part for the catalogue calls.
type CatalogMachine interface {
	WSAEnumProtocols(*WSAEnumProtocolsCall) (Result, error)
}

// WSAEnumProtocolsCall is WSAEnumProtocolsW: Protocols nil lists every
// entry, otherwise the ones of those protocols; BufLen is
// *lpdwBufferLength on entry (-1: room for 32 entries).
type WSAEnumProtocolsCall struct {
	opBase
	Protocols []int32
	BufLen    int64
}

func (c *WSAEnumProtocolsCall) Run(m Machine) (Result, error) { return m.WSAEnumProtocols(c) }

// ProtocolOuts turns what WSAEnumProtocols gave into out-parameters: after
// a failure buflen (the size it asked for); after a success ifs and notifs (how many
// of the entries have XP1_IFS_HANDLES and how many do not: Go's
// internal/poll uses FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on sockets only
// when notifs is 0 for TCP), chains
// (entries with ChainLen above 1) and layers (entries with ChainLen 0).
func ProtocolOuts(infos []provider.WSAProtocolInfo, bufLen uint32, ok bool) []OutKV {
	if !ok {
		return []OutKV{{"buflen", strconv.FormatUint(uint64(bufLen), 10)}}
	}
	ifs, chains, layers := 0, 0, 0
	for _, e := range infos {
		if e.ServiceFlags1&provider.XP1_IFS_HANDLES != 0 {
			ifs++
		}
		switch {
		case e.ProtocolChain.ChainLen == provider.LAYERED_PROTOCOL:
			layers++
		case e.ProtocolChain.ChainLen > provider.BASE_PROTOCOL:
			chains++
		}
	}
	return []OutKV{{"ifs", strconv.Itoa(ifs)}, {"notifs", strconv.Itoa(len(infos) - ifs)},
		{"chains", strconv.Itoa(chains)}, {"layers", strconv.Itoa(layers)}}
}

var catalogTable = []*Entry{
	{Name: "WSAEnumProtocols", Usage: "WSAEnumProtocols [tcp] [udp] [buflen=N]   (no protocol: every entry)", Ret: RetCount, WSA: true,
		Outs: []string{"buflen", "ifs", "notifs", "chains", "layers"},
		decode: func(d *decoder) Op {
			c := &WSAEnumProtocolsCall{BufLen: -1}
			if d.has("tcp") {
				c.Protocols = append(c.Protocols, provider.IPPROTO_TCP)
			}
			if d.has("udp") {
				c.Protocols = append(c.Protocols, provider.IPPROTO_UDP)
			}
			if v, ok := d.kv("buflen"); ok {
				c.BufLen = int64(d.value(v, "bad buflen %q", v))
			}
			return c
		}},
}

func init() {
	for _, e := range catalogTable {
		table = append(table, e)
		entries[e.Name] = e
		Calls[e.Name] = e.Usage
	}
}
