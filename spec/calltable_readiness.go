package spec

import (
	"strconv"
	"strings"
	"sync"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The call table's part for readiness: WSAEventSelect,
// WSAEnumNetworkEvents, WSAPoll and select.

// ReadinessMachine is the Machine's part for the readiness calls.
type ReadinessMachine interface {
	WSAEventSelect(*WSAEventSelectCall) (Result, error)
	WSAEnumNetworkEvents(*WSAEnumNetworkEventsCall) (Result, error)
	WSAPoll(*WSAPollCall) (Result, error)
	Select(*SelectCall) (Result, error)
}

// WSAEventSelectCall is WSAEventSelect.
type WSAEventSelectCall struct {
	opBase
	Socket Handle
	Event  Handle
	Mask   int32
}

// WSAEnumNetworkEventsCall is WSAEnumNetworkEvents; NullNE passes NULL
// for lpNetworkEvents.
type WSAEnumNetworkEventsCall struct {
	opBase
	Socket Handle
	Event  Handle
	NullNE bool
}

// PollFD is one WSAPOLLFD entry of a WSAPoll call.
type PollFD struct {
	Fd     Handle // INVALID_SOCKET (written -1) is a negative fd
	Events int16
}

// WSAPollCall is WSAPoll; NullFds passes NULL for fdArray (with nfds the
// number of entries written).
type WSAPollCall struct {
	opBase
	Fds     []PollFD
	Ms      int32
	NullFds bool
}

// SelectCall is select: each set is nil for NULL; Timeout nil is a NULL
// timeval, else milliseconds.
type SelectCall struct {
	opBase
	Read, Write, Except []Handle
	HasRead             bool
	HasWrite            bool
	HasExcept           bool
	Ms                  *uint32
}

func (c *WSAEventSelectCall) Run(m Machine) (Result, error)       { return m.WSAEventSelect(c) }
func (c *WSAEnumNetworkEventsCall) Run(m Machine) (Result, error) { return m.WSAEnumNetworkEvents(c) }
func (c *WSAPollCall) Run(m Machine) (Result, error)              { return m.WSAPoll(c) }
func (c *SelectCall) Run(m Machine) (Result, error)               { return m.Select(c) }

// TimedOut reports a WSAPoll or select that returned 0: nothing was
// ready before its timeout ran out.
func (c *WSAPollCall) TimedOut(r Result) bool { return !r.Blocked && r.Err == 0 && r.Ret == 0 }
func (c *SelectCall) TimedOut(r Result) bool  { return !r.Blocked && r.Err == 0 && r.Ret == 0 }

// EnumOutNames are WSAEnumNetworkEvents' out-parameters for the error
// codes, indexed by FD_*_BIT.
var EnumOutNames = [...]string{"readerr", "writeerr", "ooberr", "accepterr", "connecterr", "closeerr"}

// EnumOuts turns what WSAEnumNetworkEvents wrote into out-parameters:
// events (the FD_* bits recorded) and, for each recorded one, its error.
func EnumOuts(ne *provider.WSANETWORKEVENTS) []OutKV { return AppendEnumOuts(nil, ne) }

// AppendEnumOuts appends EnumOuts(ne) to out (at most 7 entries).
func AppendEnumOuts(out []OutKV, ne *provider.WSANETWORKEVENTS) []OutKV {
	out = append(out, OutKV{"events", fdPlus.text(uint64(uint32(ne.NetworkEvents)))})
	for b, n := range EnumOutNames {
		if ne.NetworkEvents&(1<<b) != 0 {
			v := "0"
			if e := ne.ErrorCode[b]; e != 0 {
				v = wso.Errno(e).Name()
			}
			out = append(out, OutKV{n, v})
		}
	}
	return out
}

// SetOuts reports one of select's sets after the call: NAME=count and
// NAME1, NAME2, ... the sockets left in it, by the names the call was
// given.
func SetOuts(name string, given []Handle, left []bool) []OutKV {
	return AppendSetOuts(nil, name, given, left)
}

// AppendSetOuts appends SetOuts(name, given, left) to dst.
func AppendSetOuts(dst []OutKV, name string, given []Handle, left []bool) []OutKV {
	n := 0
	for i := range given {
		if left[i] {
			n++
		}
	}
	dst = append(dst, OutKV{name, strconv.Itoa(n)})
	keys := setKeys(name)
	n = 0
	for i, h := range given {
		if left[i] {
			n++
			dst = append(dst, OutKV{keys.key(n), h.Name})
		}
	}
	return dst
}

// numberedKeys are the keys PREFIX1, PREFIX2, ... of numbered
// out-parameters, the first ones made once.
type numberedKeys struct {
	prefix string
	keys   [128]string
}

func newNumberedKeys(prefix string) *numberedKeys {
	k := &numberedKeys{prefix: prefix}
	for i := range k.keys {
		k.keys[i] = prefix + strconv.Itoa(i+1)
	}
	return k
}

// key is the key of number n (from 1).
func (k *numberedKeys) key(n int) string {
	if n >= 1 && n <= len(k.keys) && k.keys[n-1] != "" {
		return k.keys[n-1]
	}
	return k.prefix + strconv.Itoa(n)
}

var readKeys, writeKeys, exceptKeys = newNumberedKeys("read"), newNumberedKeys("write"), newNumberedKeys("except")

// setKeys are the numbered keys of select's set name.
func setKeys(name string) *numberedKeys {
	switch name {
	case "read":
		return readKeys
	case "write":
		return writeKeys
	case "except":
		return exceptKeys
	}
	return &numberedKeys{prefix: name} // none made: each key made when asked
}

var readinessTable = []*Entry{
	{Name: "WSAEventSelect", Usage: "WSAEventSelect <socket> <event|NULL> <mask>   (mask: FD_READ|FD_WRITE|... or 0)", Ret: RetInt, WSA: true,
		decode: func(d *decoder) Op {
			d.need(3)
			c := &WSAEventSelectCall{Socket: d.handle(d.pos(0)), Event: d.handle(d.pos(1))}
			m, err := ParseFlags(d.pos(2))
			if err != nil {
				d.fail("bad mask %q", d.pos(2))
			}
			c.Mask = int32(m)
			return c
		}},
	{Name: "WSAEnumNetworkEvents", Usage: "WSAEnumNetworkEvents <socket> <event|NULL> [nullne]", Ret: RetInt, WSA: true,
		Outs: append([]string{"events"}, EnumOutNames[:]...),
		decode: func(d *decoder) Op {
			d.need(2)
			return &WSAEnumNetworkEventsCall{Socket: d.handle(d.pos(0)), Event: d.handle(d.pos(1)), NullNE: d.has("nullne")}
		}},
	{Name: "WSAPoll", Usage: "WSAPoll <timeout-ms|INFINITE|-1> <socket:EVENTS>... [nullfds]   (socket -1: a negative fd)", Ret: RetCount, WSA: true,
		Outs: []string{"reventsN"},
		decode: func(d *decoder) Op {
			d.need(1)
			c := &WSAPollCall{NullFds: d.has("nullfds")}
			if t := d.pos(0); t == "-1" {
				c.Ms = -1
			} else {
				c.Ms = int32(d.ms(t))
			}
			for i := 1; i < len(d.c.Args.Pos); i++ {
				w := d.c.Args.Pos[i]
				if w == "nullfds" {
					continue
				}
				d.pos(i)
				fd, ev, ok := strings.Cut(w, ":")
				if !ok {
					d.fail("entry %q: want socket:EVENTS", w)
					break
				}
				f := PollFD{}
				if fd == "-1" {
					f.Fd = Handle{Name: fd, Decl: -1, Value: ^uint64(0)}
				} else {
					f.Fd = d.handle(fd)
				}
				e, err := ParseFlags(ev)
				if err != nil {
					d.fail("entry %q: bad events %q", w, ev)
				}
				f.Events = int16(e)
				c.Fds = append(c.Fds, f)
			}
			return c
		}},
	{Name: "select", Usage: "select [read=S,S...|none] [write=...] [except=...] <timeout=MS|NULL>   (a set not written is NULL)", Ret: RetCount, WSA: true,
		Outs: []string{"read", "readN", "write", "writeN", "except", "exceptN"},
		decode: func(d *decoder) Op {
			c := &SelectCall{}
			set := func(key string) ([]Handle, bool) {
				v, ok := d.kv(key)
				if !ok {
					return nil, false
				}
				hs := []Handle{}
				if v == "none" {
					return hs, true
				}
				// Any number: a set of more than FD_SETSIZE (64) sockets is
				// what a program that defines FD_SETSIZE larger passes.
				for _, n := range strings.Split(v, ",") {
					hs = append(hs, d.handle(n))
				}
				return hs, true
			}
			c.Read, c.HasRead = set("read")
			c.Write, c.HasWrite = set("write")
			c.Except, c.HasExcept = set("except")
			v, ok := d.kv("timeout")
			switch {
			case !ok:
				d.fail("needs timeout=MS or timeout=NULL: %s", d.entry.Usage)
			case v != "NULL":
				ms := d.ms(v)
				c.Ms = &ms
			}
			return c
		}},
}

func init() {
	for _, e := range readinessTable {
		table = append(table, e)
		entries[e.Name] = e
		Calls[e.Name] = e.Usage
	}
	for k, v := range map[string]uint64{
		"FD_READ": provider.FD_READ, "FD_WRITE": provider.FD_WRITE, "FD_OOB": provider.FD_OOB,
		"FD_ACCEPT": provider.FD_ACCEPT, "FD_CONNECT": provider.FD_CONNECT, "FD_CLOSE": provider.FD_CLOSE,
		"FD_ALL_EVENTS": provider.FD_ALL_EVENTS,
		"POLLRDNORM":    provider.POLLRDNORM, "POLLRDBAND": provider.POLLRDBAND, "POLLIN": provider.POLLIN,
		"POLLPRI": provider.POLLPRI, "POLLWRNORM": provider.POLLWRNORM, "POLLOUT": provider.POLLOUT,
		"POLLWRBAND": provider.POLLWRBAND, "POLLERR": provider.POLLERR, "POLLHUP": provider.POLLHUP,
		"POLLNVAL": provider.POLLNVAL,
	} {
		namedConst[k] = v
	}
}

// Timeout is WSAPoll's time-out when it is finite and not 0.
func (c *WSAPollCall) Timeout() (uint32, bool) {
	if c.Ms < 0 {
		return 0, false
	}
	return finite(uint32(c.Ms))
}

// Timeout is select's time-out when it is finite and not 0.
func (c *SelectCall) Timeout() (uint32, bool) {
	if c.Ms == nil {
		return 0, false
	}
	return finite(*c.Ms)
}

// PlusFlags reads bits joined with + (FD_READ+FD_WRITE, POLLRDNORM+POLLHUP),
// the way the readiness calls report their masks: | already separates
// alternatives in an expectation.
func PlusFlags(v string) (uint64, bool) { return plusFlags(v) }

// plusFlags is PlusFlags, reading each part in place.
func plusFlags(v string) (uint64, bool) {
	var f uint64
	for {
		p, rest, more := strings.Cut(v, "+")
		n, ok := parseValue(p)
		if !ok {
			return 0, false
		}
		f |= n
		if !more {
			return f, true
		}
		v = rest
	}
}

// fdNames and pollNames name the bits EnumOuts and PollOuts write.
var (
	fdNames   = []string{"FD_READ", "FD_WRITE", "FD_OOB", "FD_ACCEPT", "FD_CONNECT", "FD_CLOSE"}
	pollNames = []struct {
		bit  int16
		name string
	}{{provider.POLLRDNORM, "POLLRDNORM"}, {provider.POLLRDBAND, "POLLRDBAND"}, {provider.POLLPRI, "POLLPRI"},
		{provider.POLLWRNORM, "POLLWRNORM"}, {provider.POLLWRBAND, "POLLWRBAND"}, {provider.POLLERR, "POLLERR"},
		{provider.POLLHUP, "POLLHUP"}, {provider.POLLNVAL, "POLLNVAL"}}
)

// plusNames writes bits as names joined with + ("0" for none; a bit
// without a name as a number).
func plusNames(v uint64, name func(bit uint64) string) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	for b := uint64(1); b != 0 && b <= v; b <<= 1 {
		if v&b != 0 {
			parts = append(parts, name(b))
		}
	}
	return strings.Join(parts, "+")
}

func fdName(b uint64) string {
	for i, n := range fdNames {
		if b == 1<<i {
			return n
		}
	}
	return strconv.FormatUint(b, 10)
}

func pollName(b uint64) string {
	for _, p := range pollNames {
		if uint64(uint16(p.bit)) == b {
			return p.name
		}
	}
	return strconv.FormatUint(b, 10)
}

// PollOut is WSAPoll's out-parameter for entry i (from 0): reventsN.
func PollOut(i int, revents int16) OutKV {
	return OutKV{reventsKeys.key(i + 1), pollPlus.text(uint64(uint16(revents)))}
}

var reventsKeys = newNumberedKeys("revents")

// plusCache keeps plusNames' texts for one naming of the bits, so that the
// same bits rendered again make no new string. It is safe for concurrent
// use (explore's workers render at once).
type plusCache struct {
	name func(bit uint64) string
	mu   sync.RWMutex
	m    map[uint64]string
}

// plusKept bounds what a plusCache keeps (the masks a run meets are few).
const plusKept = 4096

func newPlusCache(name func(bit uint64) string) *plusCache {
	return &plusCache{name: name, m: map[uint64]string{}}
}

// text is plusNames(v, c.name).
func (c *plusCache) text(v uint64) string {
	if v == 0 {
		return "0"
	}
	c.mu.RLock()
	s, ok := c.m[v]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = plusNames(v, c.name)
	c.mu.Lock()
	if len(c.m) < plusKept {
		c.m[v] = s
	}
	c.mu.Unlock()
	return s
}

var fdPlus, pollPlus = newPlusCache(fdName), newPlusCache(pollName)
