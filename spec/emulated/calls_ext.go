package emulated

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
)

// The extension functions: AcceptEx, GetAcceptExSockaddrs, ConnectEx,
// DisconnectEx, TransmitFile, TransmitPackets.

// buf is a buffer argument's bytes (nil for NULL).
func (e *Emulator) buf(r spec.Ref) []byte {
	if !r.Valid() {
		return nil
	}
	return e.objs[r.Decl].buf
}

func (m *machine) AcceptEx(c *spec.AcceptExCall) (spec.Result, error) {
	var n uint32 = spec.Poison
	r, err := boolResult(m.t.AcceptEx(emu.SOCKET(m.e.handle(c.Listen)), emu.SOCKET(m.e.handle(c.Accept)), m.e.buf(c.Buf),
		c.RecvLen, c.LocalLen, c.RemoteLen, count(&n, c.NullBytes), m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) GetAcceptExSockaddrs(c *spec.GetAcceptExSockaddrsCall) (spec.Result, error) {
	var local, remote netip.AddrPort
	p := uint32(spec.Poison)
	ls, rs := int32(p), int32(p)
	err := m.t.GetAcceptExSockaddrs(m.e.buf(c.Buf), c.RecvLen, c.LocalLen, c.RemoteLen, &local, &ls, &remote, &rs)
	r := spec.Result{}
	r.Outs.Has, r.Outs.Value, r.Outs.Namelen = spec.OutValue|spec.OutNamelen, uint32(ls), uint32(rs)
	if local.IsValid() {
		r.Outs.Has, r.Outs.Addr = r.Outs.Has|spec.OutAddr, local
	}
	if remote.IsValid() {
		r.Outs.Has, r.Outs.From = r.Outs.Has|spec.OutFrom, remote
	}
	_, err = errnoOf(err)
	return r, err
}

func (m *machine) ConnectEx(c *spec.ConnectExCall) (spec.Result, error) {
	var n uint32 = spec.Poison
	r, err := boolResult(m.t.ConnectEx(emu.SOCKET(m.e.handle(c.Socket)), c.To, c.Namelen, m.e.buf(c.Send), count(&n, c.NullBytes), m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) DisconnectEx(c *spec.DisconnectExCall) (spec.Result, error) {
	return boolResult(m.t.DisconnectEx(emu.SOCKET(m.e.handle(c.Socket)), m.e.ov(c.Ov), c.Flags, c.Reserved))
}

func (m *machine) TransmitFile(c *spec.TransmitFileCall) (spec.Result, error) {
	var tfb *emu.TransmitFileBuffers
	if c.Head.Valid() || c.Tail.Valid() {
		tfb = &emu.TransmitFileBuffers{Head: m.e.buf(c.Head), Tail: m.e.buf(c.Tail)}
	}
	return boolResult(m.t.TransmitFile(emu.SOCKET(m.e.handle(c.Socket)), m.e.handle(c.File), c.Bytes, c.PerSend, m.e.ov(c.Ov), tfb, c.Flags))
}

func (m *machine) TransmitPackets(c *spec.TransmitPacketsCall) (spec.Result, error) {
	els := make([]emu.TransmitElement, len(c.Elems))
	for i, el := range c.Elems {
		if el.IsFile() {
			els[i] = emu.TransmitElement{Flags: provider.TP_ELEMENT_FILE, Len: el.Len, File: m.e.handle(el.File)}
			continue
		}
		b := m.e.buf(el.Buf)
		els[i] = emu.TransmitElement{Flags: provider.TP_ELEMENT_MEMORY, Len: uint32(len(b)), Buf: b}
	}
	return boolResult(m.t.TransmitPackets(emu.SOCKET(m.e.handle(c.Socket)), els, c.SendSize, m.e.ov(c.Ov), c.Flags))
}
