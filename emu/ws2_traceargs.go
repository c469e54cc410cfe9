package emu

// The ws2 layer's argument layouts that are not formats: bind's and
// connect's address, select's sets (see argLayout and traceargs.go).

import (
	"net/netip"
	"strconv"
)

// setHAddr makes a the arguments of bind and connect: socket h and the
// address ("0x8, 127.0.0.1:5000", "0x8, NULL"). An address the values
// cannot hold (one with an IPv6 zone, or not valid) is kept as text,
// rendered now.
func (a *callArgs) setHAddr(h SOCKET, ap *netip.AddrPort) {
	switch {
	case ap == nil:
		*a = callArgs{lay: argsHAddr, a: argVals{uint64(h), addrNil}}
	case ap.Addr().Is4():
		b := ap.Addr().As4()
		a4 := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		*a = callArgs{lay: argsHAddr, a: argVals{uint64(h), addr4 | uint64(ap.Port())<<8, a4}}
	case ap.Addr().Is6() && ap.Addr().Zone() == "":
		b := ap.Addr().As16()
		var hi, lo uint64
		for i := 0; i < 8; i++ {
			hi, lo = hi<<8|uint64(b[i]), lo<<8|uint64(b[8+i])
		}
		*a = callArgs{lay: argsHAddr, a: argVals{uint64(h), addr6 | uint64(ap.Port())<<8, hi, lo}}
	default:
		*a = callArgs{text: fmtHAddr(h, ap)}
	}
}

// The kinds of address argsHAddr keeps, in the low byte of its second
// word (the port above it).
const (
	addrNil = iota
	addr4
	addr6
)

// appendHAddr renders argsHAddr's values as fmtHAddr does.
func appendHAddr(b []byte, a *argVals) []byte {
	b = strconv.AppendUint(append(b, "0x"...), a[0], 16)
	b = append(b, ", "...)
	port := uint16(a[1] >> 8)
	switch a[1] & 0xff {
	case addr4:
		v := a[2]
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), port).AppendTo(b)
	case addr6:
		var x [16]byte
		for i := 0; i < 8; i++ {
			x[i], x[8+i] = byte(a[2]>>(56-8*i)), byte(a[3]>>(56-8*i))
		}
		return netip.AddrPortFrom(netip.AddrFrom16(x), port).AppendTo(b)
	}
	return append(b, "NULL"...)
}

// select's sets as argsSelect keeps them: a word each, with up to
// selectSetMax handles below 1<<selectBits, and the time-out in the
// fourth word (its presence in the first word's top bit).
const (
	selectSetMax  = 3
	selectBits    = 20
	selectSetNull = 0 // the word of a NULL set; one that is not holds its count + 1 in the low 3 bits, its handles above
	selectTimeout = 1 << 63
)

// setSelect makes a the arguments of select, or reports that the sets do
// not fit the values (too many handles, or a handle too large).
func (a *callArgs) setSelect(sets [3]*FDSet, timeout *Timeval) bool {
	*a = callArgs{lay: argsSelect}
	for i, f := range sets {
		if f == nil {
			continue
		}
		hs := f.Array[:min(int(f.Count), len(f.Array))]
		if len(hs) > selectSetMax {
			return false
		}
		w := uint64(len(hs) + 1)
		for j, h := range hs {
			if uint64(h) >= 1<<selectBits {
				return false
			}
			w |= uint64(h) << (3 + selectBits*j)
		}
		a.a[i] = w
	}
	if timeout != nil {
		a.a[0] |= selectTimeout
		a.a[3] = uint64(uint32(timeout.Sec)) | uint64(uint32(timeout.Usec))<<32
	}
	return true
}

// appendSelect renders argsSelect's values as fmtSelect does.
func appendSelect(b []byte, a *argVals) []byte {
	for i := 0; i < 3; i++ {
		w := a[i] &^ selectTimeout
		if w == selectSetNull {
			b = append(b, "NULL"...)
		} else {
			b = append(b, '{')
			for j := 0; j < int(w&7)-1; j++ {
				if j > 0 {
					b = append(b, ' ')
				}
				b = strconv.AppendUint(append(b, "0x"...), w>>(3+selectBits*j)&(1<<selectBits-1), 16)
			}
			b = append(b, '}')
		}
		b = append(b, ", "...)
	}
	if a[0]&selectTimeout == 0 {
		return append(b, "NULL"...)
	}
	b = strconv.AppendInt(append(b, '{'), int64(int32(a[3])), 10)
	b = strconv.AppendInt(append(b, ", "...), int64(int32(a[3]>>32)), 10)
	return append(b, '}')
}
