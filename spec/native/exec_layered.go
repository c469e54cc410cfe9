//go:build windows

package native

import (
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

var pWSAEnumProtocolsW = ws2.NewProc("WSAEnumProtocolsW")

// Offsets in WSAPROTOCOL_INFOW (winsock2.h).
const (
	offServiceFlags1 = 0
	offCatalogEntry  = 36
	offChainLen      = 40
	offProtocol      = 92
)

// WSAEnumProtocols calls WSAEnumProtocolsW and reads back the fields the
// outs report.
func (m *machine) WSAEnumProtocols(c *spec.WSAEnumProtocolsCall) (spec.Result, error) {
	const max = 32
	buf := alloc(max * provider.SizeofWSAPROTOCOL_INFOW)
	lenOff := alloc(4)
	n := uint32(max * provider.SizeofWSAPROTOCOL_INFOW)
	if c.BufLen >= 0 {
		n = uint32(c.BufLen)
	}
	store32(lenOff, n)
	var protos uintptr
	if c.Protocols != nil {
		p := alloc(4 * (len(c.Protocols) + 1))
		for i, v := range c.Protocols {
			store32(p+4*i, uint32(v))
		}
		protos = addr(p)
	}
	r, e := call(pWSAEnumProtocolsW, protos, addr(buf), addr(lenOff))
	out := intResult(r, e)
	if out.Err == 0 {
		out.Ret = uint64(uint32(r))
	}
	var infos []provider.WSAProtocolInfo
	if out.Err == 0 {
		k := int(int32(uint32(r)))
		for i := 0; i < k && i < max; i++ {
			o := buf + i*provider.SizeofWSAPROTOCOL_INFOW
			infos = append(infos, provider.WSAProtocolInfo{
				ServiceFlags1:  load32(o + offServiceFlags1),
				CatalogEntryId: load32(o + offCatalogEntry),
				ProtocolChain:  provider.WSAPROTOCOLCHAIN{ChainLen: int32(load32(o + offChainLen))},
				Protocol:       int32(load32(o + offProtocol)),
			})
		}
	}
	out.Outs.More = spec.ProtocolOuts(infos, load32(lenOff), out.Err == 0)
	return out, nil
}
