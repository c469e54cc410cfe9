package emu

import (
	"fmt"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/layered"
	"github.com/wsaemu/wsaemu/provider/mem"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// WithLayeredProvider installs a non-IFS layered service provider
// (provider/layered) above the in-memory provider, which then runs as an
// IFS base provider: the stack an application sees when a non-IFS LSP is
// installed. Sockets are the layer's handles; SIO_BASE_HANDLE gives the
// base's. It replaces WithProviderKind.
func WithLayeredProvider() Option {
	return func(s *System) {
		s.ws2.layered = true
		s.ws2.provKind = provider.NonIFS
	}
}

// Layered reports whether the System runs a layered provider above the
// base (WithLayeredProvider).
func (s *System) Layered() bool { return s.ws2.layered }

// newProvider builds the System's own provider stack.
func (s *System) newProvider() provider.ServiceProvider {
	if s.ws2.layered {
		cfg := s.providerConfig()
		cfg.Kind = provider.IFS
		return layered.New(mem.New(cfg))
	}
	if s.pool != nil {
		if m := s.pool.provider(); m != nil {
			m.Reset(s.providerConfig())
			return m
		}
	}
	return mem.New(s.providerConfig())
}

// setOverlapped records whether socket h was made for overlapped I/O; on
// the layered stack the base socket beneath it was made with the same
// flags, and a program that takes it with SIO_BASE_HANDLE uses it so.
func (s *System) setOverlapped(h SOCKET, ov bool) {
	if k, ok := s.handles.get(Handle(h)).(*socket); ok {
		k.overlapped = ov
		k.fileObject.overlapped = ov
	}
	if l, ok := s.ws2.prov.(*layered.Provider); ok {
		if b, ok := l.BaseSocket(h); ok {
			if k, ok := s.handles.get(Handle(b)).(*socket); ok {
				k.overlapped = ov
				k.fileObject.overlapped = ov
			}
		}
	}
}

// providerDescription is what WSAStartup says of the provider, made once
// for each provider there is.
func (s *System) providerDescription() string {
	const prefix = "wsaemu in-memory provider ("
	switch name := s.providerName(); name {
	case "layered nonifs over ifs":
		return prefix + "layered nonifs over ifs)"
	case "ifs":
		return prefix + "ifs)"
	case "nonifs":
		return prefix + "nonifs)"
	default:
		return prefix + name + ")"
	}
}

func (s *System) providerName() string {
	if s.ws2.layered {
		return "layered nonifs over ifs"
	}
	return s.ws2.provKind.String()
}

// WSAEnumProtocols implements WSAEnumProtocolsW: it writes into buf the
// catalogue entries whose protocol is one of protocols (all when
// protocols is nil; the list ends at its first 0, as the C array does)
// and returns how many. *bufLen is the buffer's size in bytes
// (provider.SizeofWSAPROTOCOL_INFOW per entry); when it is too small the
// call fails with WSAENOBUFS and *bufLen says the size needed.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumprotocolsw
func (t *Thread) WSAEnumProtocols(protocols []int32, buf []provider.WSAProtocolInfo, bufLen *uint32) (int, error) {
	s := t.s
	const name = "WSAEnumProtocols"
	if err := t.wsaEnterf(name, func() string { return fmt.Sprintf("%v", protocols) }); err != nil {
		return 0, err
	}
	if bufLen == nil {
		return 0, t.fail(name, socketError, wso.WSAEFAULT)
	}
	var all []provider.WSAProtocolInfo
	if c, ok := s.ws2.prov.(provider.Cataloguer); ok {
		all = c.WSPProtocols()
	}
	var match []provider.WSAProtocolInfo
	for _, e := range all {
		if protocolListed(protocols, e.Protocol) {
			match = append(match, e)
		}
	}
	need := uint32(len(match)) * provider.SizeofWSAPROTOCOL_INFOW
	if *bufLen < need || uint32(len(buf))*provider.SizeofWSAPROTOCOL_INFOW < need {
		*bufLen = need
		return 0, t.fail(name, socketError, wso.WSAENOBUFS)
	}
	copy(buf, match)
	t.ok(name, uint64(len(match)))
	return len(match), nil
}

func protocolListed(list []int32, p int32) bool {
	if list == nil {
		return true
	}
	for _, x := range list {
		if x == 0 {
			return false
		}
		if x == p {
			return true
		}
	}
	return false
}
