//go:build windows

package native

import (
	"fmt"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

// recvMsg is where a WSARecvMsg's WSAMSG, name and control buffer live in
// the arena, so its outputs can be read once a pending receive completed.
type recvMsg struct {
	msg, from, ctl, ctlN int
}

var _ spec.MsgReader = (*Backend)(nil)

// keepMsg remembers the WSAMSG a WSARecvMsg with the record ov is given.
func (b *Backend) keepMsg(ov spec.Ref, msg, from, ctl, ctlN int) {
	if !ov.Valid() {
		return
	}
	if o, ok := b.objs[ov.Name]; ok {
		o.msg = &recvMsg{msg: msg, from: from, ctl: ctl, ctlN: ctlN}
	}
}

// Msg implements spec.MsgReader: the WSAMSG (name @0, namelen @8,
// Control.len @32, dwFlags @48) the last WSARecvMsg with the record was
// given, as it reads now.
func (b *Backend) Msg(ov string) (spec.MsgOuts, error) {
	o, ok := b.objs[ov]
	if !ok || o.decl.Kind != "overlapped" {
		return spec.MsgOuts{}, fmt.Errorf("%q is not a declared overlapped record", ov)
	}
	if o.msg == nil {
		return spec.MsgOuts{}, fmt.Errorf("msg %s: no WSARecvMsg was made with this record", ov)
	}
	b.collect(false)
	r := o.msg
	out := spec.MsgOuts{Flags: load32(r.msg + 48), Namelen: int32(load32(r.msg + 8)), ControlLen: load32(r.msg + 32)}
	if load64(r.msg) != 0 {
		out.From, _ = readSockaddr(r.from)
	}
	if r.ctlN > 0 {
		if a, _, ok := provider.ParsePktinfo(copyOut(r.ctl, min(int(out.ControlLen), r.ctlN))); ok {
			out.Dst = a
		}
	}
	return out, nil
}

// flagsArg is a receive's lpFlags holding in, and its address (0 for
// nullflags: the flags then read as untouched).
func flagsArg(in uint32, null bool) (int, uintptr) {
	if null {
		return newOut(), 0
	}
	fl := alloc(4)
	store32(fl, in)
	return fl, addr(fl)
}
