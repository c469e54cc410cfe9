package emulated

import (
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

// WSAEnumProtocols asks the emulated catalogue.
func (m *machine) WSAEnumProtocols(c *spec.WSAEnumProtocolsCall) (spec.Result, error) {
	var protos []int32
	if c.Protocols != nil {
		protos = append(append(protos, c.Protocols...), 0)
	}
	buf := make([]provider.WSAProtocolInfo, 32)
	n := uint32(len(buf)) * provider.SizeofWSAPROTOCOL_INFOW
	if c.BufLen >= 0 {
		n = uint32(c.BufLen)
	}
	k, err := m.t.WSAEnumProtocols(protos, buf, &n)
	r, err := countResult(k, err)
	r.Outs.More = spec.ProtocolOuts(buf[:k], n, r.Err == 0 && err == nil)
	return r, err
}
