package emu

import (
	"strconv"
	"strings"
)

// argVals are the values an event keeps of a call's arguments (or a
// wait's terms), rendered only when the trace is shown (see argLayout).
type argVals [4]uint64

// argsFmt0 is the first format layout: the layouts of trace.go stay
// below it.
const argsFmt0 argLayout = 64

// Call argument lists given as formats. Each layout from argsFmt0 on names
// a format of argFormats: literal text, and verbs that each render the
// next value. The values are kept in the event's args, a 64-bit verb's in
// a word of its own, a 32-bit verb's in half of one (two in a row share a
// word); a %q renders the event's Text, which holds that string argument
// (a name the program gave, so keeping it costs nothing).
//
// The verbs, and the fmt verb of the text they reproduce:
//
//	%x  64-bit, hex with 0x       (%#x of an unsigned value)
//	%h  32-bit, hex with 0x       (%#x of an unsigned value)
//	%H  32-bit signed, hex        (%#x of an int32: -0x1)
//	%d  32-bit signed decimal     (%d of an int32)
//	%u  32-bit unsigned decimal   (%d of a uint32)
//	%D  64-bit signed decimal     (%d of an int)
//	%t  32-bit, true or false     (%v of a bool)
//	%m  32-bit, INFINITE or the unsigned decimal (a time-out in ms)
//	%q  the event's Text, quoted  (%q of a string)
const (
	argsCreateEvent     argLayout = argsFmt0 + iota // manual=, initial=
	argsCreateIOCP                                  // file, existing, key=, concurrency
	argsSetFCNM                                     // handle, flags
	argsCreateNamedPipe                             // name, openMode, pipeMode, maxInstances, outSize, inSize
	argsWaitNamedPipe                               // name, ms
	argsCreateFile                                  // name, access, overlapped=
	argsHMode                                       // handle, mode
	argsTransact                                    // handle, in=, out=, ov
	argsCreatePipe                                  // mode=, capacity=
	argsHLen                                        // handle, len=
	argsCode                                        // an exit code
	argsSignalAndWait                               // handle, handle, ms, alertable
	argsAfdPoll                                     // handle, event, ov, code
	argsAfdPollCtx                                  // handle, event, ctx ov, ov, code
	argsLens3                                       // three lengths
	argsEventSelect                                 // socket, event, mask
	argsPoll                                        // nfds=, timeout=
	argsHInt                                        // socket, an int (listen's backlog, shutdown's how)
	argsSetsockopt                                  // socket, level, name, len=
	argsGetsockopt                                  // socket, level, name
	argsFmtEnd
)

var argFormats = [argsFmtEnd - argsFmt0]string{
	argsCreateEvent - argsFmt0:     "manual=%t, initial=%t",
	argsCreateIOCP - argsFmt0:      "%x, %x, key=%x, %u",
	argsSetFCNM - argsFmt0:         "%x, %h",
	argsCreateNamedPipe - argsFmt0: "%q, %h, %h, %u, %u, %u",
	argsWaitNamedPipe - argsFmt0:   "%q, %m, false",
	argsCreateFile - argsFmt0:      "%q, %h, overlapped=%t",
	argsHMode - argsFmt0:           "%x, %h",
	argsTransact - argsFmt0:        "%x, in=%D, out=%D, ov%u",
	argsCreatePipe - argsFmt0:      "mode=%u, capacity=%D",
	argsHLen - argsFmt0:            "%x, len=%D",
	argsCode - argsFmt0:            "%u",
	argsSignalAndWait - argsFmt0:   "%x, %x, %m, %t",
	argsAfdPoll - argsFmt0:         "%x, %x, ov%u, %h",
	argsAfdPollCtx - argsFmt0:      "%x, %x, ctx ov%u, ov%u, %h",
	argsLens3 - argsFmt0:           "%u, %u, %u",
	argsEventSelect - argsFmt0:     "%x, %x, %H",
	argsPoll - argsFmt0:            "nfds=%D, timeout=%d",
	argsHInt - argsFmt0:            "%x, %d",
	argsSetsockopt - argsFmt0:      "%x, %H, %H, len=%D",
	argsGetsockopt - argsFmt0:      "%x, %H, %H",
}

// argVerb is one verb of a format, with the literal text before it and
// where its value is kept.
type argVerb struct {
	lit   string
	verb  byte
	slot  uint8 // the word of args
	shift uint8 // 32-bit verbs: 0 or 32
	wide  bool  // the value takes the whole word
}

// argProgram is a format parsed: its verbs, then the text after the last.
type argProgram struct {
	verbs []argVerb
	tail  string
}

var argPrograms [argsFmtEnd - argsFmt0]argProgram

func init() {
	for i, f := range argFormats {
		argPrograms[i] = parseArgFormat(f)
	}
}

// parseArgFormat lays a format's values out in the words of argVals. A
// format whose values do not fit is a mistake of this file: it panics.
func parseArgFormat(f string) argProgram {
	var p argProgram
	slot, half := 0, false // the next free word, and whether its high half is free
	for {
		i := strings.IndexByte(f, '%')
		if i < 0 {
			p.tail = f
			return p
		}
		v := argVerb{lit: f[:i], verb: f[i+1]}
		f = f[i+2:]
		switch v.verb {
		case 'q':
		case 'x', 'D':
			if half {
				slot, half = slot+1, false
			}
			v.slot, v.wide = uint8(slot), true
			slot++
		case 'h', 'H', 'd', 'u', 't', 'm':
			v.slot = uint8(slot)
			if half {
				v.shift = 32
				slot, half = slot+1, false
			} else {
				half = true
			}
		default:
			panic("emu: argument format verb %" + string(v.verb))
		}
		if slot > len(argVals{}) || (slot == len(argVals{}) && half) {
			panic("emu: argument format takes more than the event keeps: " + f)
		}
		p.verbs = append(p.verbs, v)
	}
}

// setFmt makes a the arguments of format layout lay: vals are the
// values of its verbs but %q, in order (32-bit ones as their bits: a
// signed value converted to uint32 first), and text the string of its %q.
func (a *callArgs) setFmt(lay argLayout, text string, vals ...uint64) {
	a.lay, a.text = lay, text
	i := 0
	for _, v := range argPrograms[lay-argsFmt0].verbs {
		if v.verb == 'q' {
			continue
		}
		if v.wide {
			a.a[v.slot] = vals[i]
		} else {
			a.a[v.slot] |= uint64(uint32(vals[i])) << v.shift
		}
		i++
	}
}

// appendFmt renders the arguments of a format layout.
func appendFmt(b []byte, lay argLayout, a *argVals, text string) []byte {
	p := &argPrograms[lay-argsFmt0]
	for _, v := range p.verbs {
		b = append(b, v.lit...)
		x := a[v.slot]
		if !v.wide {
			x = uint64(uint32(x >> v.shift))
		}
		switch v.verb {
		case 'x', 'h':
			b = strconv.AppendUint(append(b, "0x"...), x, 16)
		case 'H':
			if n := int64(int32(x)); n < 0 {
				b = strconv.AppendUint(append(b, "-0x"...), uint64(-n), 16)
			} else {
				b = strconv.AppendUint(append(b, "0x"...), x, 16)
			}
		case 'd':
			b = strconv.AppendInt(b, int64(int32(x)), 10)
		case 'u':
			b = strconv.AppendUint(b, x, 10)
		case 'D':
			b = strconv.AppendInt(b, int64(x), 10)
		case 't':
			b = strconv.AppendBool(b, x != 0)
		case 'm':
			if uint32(x) == INFINITE {
				b = append(b, "INFINITE"...)
			} else {
				b = strconv.AppendUint(b, x, 10)
			}
		case 'q':
			b = strconv.AppendQuote(b, text)
		}
	}
	return append(b, p.tail...)
}
