package spec

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/provider"
)

// The call table's part for the Microsoft extension functions (mswsock):
// AcceptEx, GetAcceptExSockaddrs, ConnectEx, DisconnectEx, TransmitFile
// and TransmitPackets. A backend reaches them as a program does, through
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER); the guid= words of
// WSAIoctl name their GUIDs.

// ExtMachine is the Machine's part for the extension functions.
type ExtMachine interface {
	AcceptEx(*AcceptExCall) (Result, error)
	GetAcceptExSockaddrs(*GetAcceptExSockaddrsCall) (Result, error)
	ConnectEx(*ConnectExCall) (Result, error)
	DisconnectEx(*DisconnectExCall) (Result, error)
	TransmitFile(*TransmitFileCall) (Result, error)
	TransmitPackets(*TransmitPacketsCall) (Result, error)
}

// AreaLen is the default size of an AcceptEx address area: the largest
// SOCKADDR of the two families (SOCKADDR_IN6) and the 16 bytes the
// AcceptEx page asks for.
const AreaLen = provider.SizeofSockaddrInet6 + 16

// extGUIDs are the guid= words of WSAIoctl beyond sendmsg and recvmsg.
var extGUIDs = map[string]provider.GUID{
	"acceptex":             provider.WSAID_ACCEPTEX,
	"getacceptexsockaddrs": provider.WSAID_GETACCEPTEXSOCKADDRS,
	"connectex":            provider.WSAID_CONNECTEX,
	"disconnectex":         provider.WSAID_DISCONNECTEX,
	"transmitfile":         provider.WSAID_TRANSMITFILE,
	"transmitpackets":      provider.WSAID_TRANSMITPACKETS,
}

func init() {
	for k, v := range map[string]uint64{
		"SO_UPDATE_ACCEPT_CONTEXT":  provider.SO_UPDATE_ACCEPT_CONTEXT,
		"SO_UPDATE_CONNECT_CONTEXT": provider.SO_UPDATE_CONNECT_CONTEXT,
		"SO_CONNECT_TIME":           provider.SO_CONNECT_TIME,
		"TF_DISCONNECT":             provider.TF_DISCONNECT,
		"TF_REUSE_SOCKET":           provider.TF_REUSE_SOCKET,
		"TF_WRITE_BEHIND":           provider.TF_WRITE_BEHIND,
		"TF_USE_SYSTEM_THREAD":      provider.TF_USE_SYSTEM_THREAD,
		"TF_USE_KERNEL_APC":         provider.TF_USE_KERNEL_APC,
	} {
		namedConst[k] = v
	}
}

// AcceptExCall is AcceptEx: Buf holds RecvLen bytes of data, then the
// local and remote address areas.
type AcceptExCall struct {
	opBase
	Listen, Accept               Handle
	Buf                          Ref // NULL: no buffer
	RecvLen, LocalLen, RemoteLen uint32
	Ov                           Ref
	NullBytes                    bool
}

// GetAcceptExSockaddrsCall is GetAcceptExSockaddrs on a buffer AcceptEx
// filled, with the lengths that call was given.
type GetAcceptExSockaddrsCall struct {
	opBase
	Buf                          Ref
	RecvLen, LocalLen, RemoteLen uint32
}

// ConnectExCall is ConnectEx: Send (a buffer, or NULL) goes out once
// connected.
type ConnectExCall struct {
	opBase
	Socket    Handle
	To        *netip.AddrPort
	Namelen   int32
	Send      Ref
	Ov        Ref
	NullBytes bool
}

// DisconnectExCall is DisconnectEx.
type DisconnectExCall struct {
	opBase
	Socket          Handle
	Ov              Ref
	Flags, Reserved uint32
}

// TransmitFileCall is TransmitFile: the head and tail buffers (each a
// buffer or NULL) and the file (File.Decl -1 and Value 0: hFile NULL),
// of which Bytes are sent (0: to its end) in blocks of PerSend (0: the
// default).
type TransmitFileCall struct {
	opBase
	Socket         Handle
	Ov             Ref
	Head, Tail     Ref
	File           Handle
	Bytes, PerSend uint32
	Flags          uint32
}

// TransmitPacketsCall is TransmitPackets: one element per entry of Elems,
// memory (a buffer) or a file (a handle, with the bytes to send, 0: to
// its end).
type TransmitPacketsCall struct {
	opBase
	Socket   Handle
	Elems    []TransmitPacket
	Ov       Ref
	SendSize uint32
	Flags    uint32
}

// TransmitPacket is one TRANSMIT_PACKETS_ELEMENT of a TransmitPacketsCall:
// Buf for memory, otherwise File and Len.
type TransmitPacket struct {
	Buf  Ref
	File Handle
	Len  uint32
}

// IsFile reports whether the element is a file's.
func (e TransmitPacket) IsFile() bool { return e.File.Name != "" }

func (c *AcceptExCall) Run(m Machine) (Result, error)             { return m.AcceptEx(c) }
func (c *GetAcceptExSockaddrsCall) Run(m Machine) (Result, error) { return m.GetAcceptExSockaddrs(c) }
func (c *ConnectExCall) Run(m Machine) (Result, error)            { return m.ConnectEx(c) }
func (c *DisconnectExCall) Run(m Machine) (Result, error)         { return m.DisconnectEx(c) }
func (c *TransmitFileCall) Run(m Machine) (Result, error)         { return m.TransmitFile(c) }
func (c *TransmitPacketsCall) Run(m Machine) (Result, error)      { return m.TransmitPackets(c) }

var extTable = []*Entry{
	{Name: "AcceptEx", Usage: "AcceptEx <listen> <accept> <buf|NULL> <ov|NULL> [recv=N] [local=N] [remote=N] [nullbytes]   (recv: data bytes, default 0; local, remote: address areas, default 44)",
		Ret: RetBool, Outs: []string{"bytes"}, decode: func(d *decoder) Op {
			d.need(4)
			c := &AcceptExCall{Listen: d.handle(d.pos(0)), Accept: d.handle(d.pos(1)), LocalLen: AreaLen, RemoteLen: AreaLen}
			c.Buf = d.bufOrNull(d.pos(2))
			c.Ov = d.ov(d.pos(3))
			c.RecvLen, c.LocalLen, c.RemoteLen = d.areaLens(c.Buf, c.LocalLen)
			c.NullBytes = d.has("nullbytes")
			return c
		}},
	{Name: "GetAcceptExSockaddrs", Usage: "GetAcceptExSockaddrs <buf> [recv=N] [local=N] [remote=N]   (outs: addr and value, the local address and size; from and namelen, the remote ones)",
		Ret: RetVoid, Outs: []string{"addr", "value", "from", "namelen"}, decode: func(d *decoder) Op {
			d.need(1)
			c := &GetAcceptExSockaddrsCall{Buf: d.object(d.pos(0), "buffer")}
			c.RecvLen, c.LocalLen, c.RemoteLen = d.areaLens(c.Buf, AreaLen)
			return c
		}},
	{Name: "ConnectEx", Usage: "ConnectEx <socket> <addr:port> <ov|NULL> [send=buf] [nullbytes]", Ret: RetBool, Outs: []string{"bytes"}, decode: func(d *decoder) Op {
		d.need(3)
		c := &ConnectExCall{Socket: d.handle(d.pos(0)), Ov: d.ov(d.pos(2)), Send: Ref{Name: "NULL", Decl: RefNull}, NullBytes: d.has("nullbytes")}
		c.To, c.Namelen = d.addr(d.pos(1))
		if v, ok := d.kv("send"); ok {
			c.Send = d.object(v, "buffer")
		}
		return c
	}},
	{Name: "DisconnectEx", Usage: "DisconnectEx <socket> <ov|NULL> [flags=TF_REUSE_SOCKET] [reserved=N]", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		c := &DisconnectExCall{Socket: d.handle(d.pos(0)), Ov: d.ov(d.pos(1)), Flags: uint32(d.flags("flags"))}
		if v, ok := d.kv("reserved"); ok {
			c.Reserved = uint32(d.value(v, "reserved=%q", v))
		}
		return c
	}},
	{Name: "TransmitFile", Usage: "TransmitFile <socket> <ov|NULL> [file=handle] [bytes=N] [persend=N] [head=buf] [tail=buf] [flags=F]   (no file=: hFile NULL; bytes 0: the whole file)", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		c := &TransmitFileCall{Socket: d.handle(d.pos(0)), Ov: d.ov(d.pos(1)), Flags: uint32(d.flags("flags")),
			Head: Ref{Name: "NULL", Decl: RefNull}, Tail: Ref{Name: "NULL", Decl: RefNull}, File: Handle{Name: "NULL", Decl: -1}}
		if v, ok := d.kv("file"); ok {
			c.File = d.handle(v)
		}
		if v, ok := d.kv("bytes"); ok {
			c.Bytes = uint32(d.value(v, "bytes=%q", v))
		}
		if v, ok := d.kv("persend"); ok {
			c.PerSend = uint32(d.value(v, "persend=%q", v))
		}
		if v, ok := d.kv("head"); ok {
			c.Head = d.object(v, "buffer")
		}
		if v, ok := d.kv("tail"); ok {
			c.Tail = d.object(v, "buffer")
		}
		return c
	}},
	{Name: "TransmitPackets", Usage: "TransmitPackets <socket> <elem[,elem]> <ov|NULL> [sendsize=N] [flags=F]   (elem: a buffer (memory), or a handle such as p.r, optionally :N bytes (a file; without :N, to its end))", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(3)
		c := &TransmitPacketsCall{Socket: d.handle(d.pos(0)), Ov: d.ov(d.pos(2)), Flags: uint32(d.flags("flags"))}
		if v, ok := d.kv("sendsize"); ok {
			c.SendSize = uint32(d.value(v, "sendsize=%q", v))
		}
		for _, n := range strings.Split(d.pos(1), ",") {
			name, count, counted := strings.Cut(n, ":")
			if _, dc := d.decl(name); dc != nil && dc.Kind == "buffer" && !counted {
				c.Elems = append(c.Elems, TransmitPacket{Buf: d.object(name, "buffer")})
				continue
			}
			e := TransmitPacket{File: d.handle(name), Buf: Ref{Decl: RefNull}}
			if counted {
				e.Len = uint32(d.value(count, "element %q: count %q", n, count))
			}
			c.Elems = append(c.Elems, e)
		}
		return c
	}},
}

// bufOrNull resolves a buffer argument that may be NULL.
func (d *decoder) bufOrNull(v string) Ref {
	if v == "NULL" {
		return Ref{Name: "NULL", Decl: RefNull}
	}
	return d.object(v, "buffer")
}

// areaLens reads recv=, local= and remote= (local and remote default to
// area) and checks that the buffer holds them all.
func (d *decoder) areaLens(buf Ref, area uint32) (recv, local, remote uint32) {
	local, remote = area, area
	for _, kv := range []struct {
		k string
		p *uint32
	}{{"recv", &recv}, {"local", &local}, {"remote", &remote}} {
		if v, ok := d.kv(kv.k); ok {
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				d.fail("%s=%q", kv.k, v)
			}
			*kv.p = uint32(n)
		}
	}
	if buf.Valid() {
		if size := d.decls[buf.Decl].Obj.(*BufferDecl).Size(); uint64(size) < uint64(recv)+uint64(local)+uint64(remote) {
			d.fail("buffer %s holds %d bytes, fewer than recv+local+remote (%d)", buf.Name, size, recv+local+remote)
		}
	}
	return recv, local, remote
}
