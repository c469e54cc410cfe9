package emulated

import (
	"fmt"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

var _ spec.MsgReader = (*Emulator)(nil)

// Msg implements spec.MsgReader: the WSAMSG the last WSARecvMsg with the
// record ov was given, as it reads now.
func (e *Emulator) Msg(ov string) (spec.MsgOuts, error) {
	o := e.lookup(ov)
	if o == nil || o.decl.Kind != "overlapped" {
		return spec.MsgOuts{}, fmt.Errorf("%q is not a declared overlapped record", ov)
	}
	m := o.msg
	if m == nil {
		return spec.MsgOuts{}, fmt.Errorf("msg %s: no WSARecvMsg was made with this record", ov)
	}
	out := spec.MsgOuts{Flags: m.Flags, Namelen: m.Namelen, ControlLen: m.Control.Len}
	if m.Name != nil && m.Name.IsValid() {
		out.From = *m.Name
	}
	if a, _, ok := provider.ParsePktinfo(m.Control.Buf[:min(int(m.Control.Len), len(m.Control.Buf))]); ok {
		out.Dst = a
	}
	return out, nil
}
