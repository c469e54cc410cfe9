package spec

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/wsaemu/wsaemu/provider"
)

// Object is a declaration's decoded value: one of the *…Decl types. A
// scenario's declarations are decoded once, when it is read, like its
// calls; backends make the objects from these values.
type Object interface{ object() }

// ThreadDecl declares a thread.
type ThreadDecl struct{}

// EventDecl declares an event (manual-reset unless auto).
type EventDecl struct{ Manual, Signalled bool }

// SocketDecl declares a UDP or TCP socket, bound, listening or connected
// if asked.
type SocketDecl struct {
	AF            int32
	Stream        bool // tcp4, tcp6: SOCK_STREAM over IPPROTO_TCP
	Overlapped    bool // WSA_FLAG_OVERLAPPED (all but nonoverlapped)
	Bind, Connect *netip.AddrPort
	Listen        bool // listen (SOMAXCONN) after bind: a TCP socket with bind= only
}

// OverlappedDecl declares a WSAOVERLAPPED record.
type OverlappedDecl struct {
	// Event is the event whose handle goes in hEvent (RefNull: none).
	Event Ref
	// HEvent, when HasHEvent, is written to hEvent instead (hevent=N).
	HasHEvent bool
	HEvent    uint64
	// LowBit sets hEvent's low bit (no completion packet).
	LowBit bool
	// Fields are initial values of Internal, InternalHigh, Offset and
	// OffsetHigh, where Set says one was given.
	Fields [4]struct {
		Set bool
		V   uint64
	}
}

// BufferDecl declares a buffer: Init's bytes, or Len zero bytes.
type BufferDecl struct {
	Init []byte // nil for a sized buffer
	Len  int
}

// Size is the buffer's size in bytes.
func (b *BufferDecl) Size() int {
	if b.Init != nil {
		return len(b.Init)
	}
	return b.Len
}

// RoutineDecl declares a completion routine (or, with APC, a user APC);
// its call, if any, is the Decl's Does.
type RoutineDecl struct{ APC bool }

// PipeDecl declares a one-way pipe. Sync opens both ends synchronous;
// SyncRead and SyncWrite only one of them.
type PipeDecl struct {
	Message, Sync       bool
	SyncRead, SyncWrite bool
	// Capacity, when HasCapacity, is the pipe's buffer size.
	HasCapacity bool
	Capacity    int
}

// PortDecl declares an I/O completion port.
type PortDecl struct{}

// HandleDecl declares a named place for a handle a call makes
// (DuplicateHandle); it holds NULL until then.
type HandleDecl struct{}

func (*ThreadDecl) object()     {}
func (*EventDecl) object()      {}
func (*SocketDecl) object()     {}
func (*OverlappedDecl) object() {}
func (*BufferDecl) object()     {}
func (*RoutineDecl) object()    {}
func (*PipeDecl) object()       {}
func (*PortDecl) object()       {}
func (*HandleDecl) object()     {}

// OvFieldNames are the four fields, in OverlappedDecl.Fields order.
var OvFieldNames = [4]string{"Internal", "InternalHigh", "Offset", "OffsetHigh"}

// declWords are the bare words and the keys a declaration of each kind
// takes.
var declWords = map[string][2][]string{
	"thread":     {nil, nil},
	"event":      {{"manual", "auto", "signalled"}, nil},
	"socket":     {{"udp4", "udp6", "tcp4", "tcp6", "nonoverlapped", "listen"}, {"bind", "connect"}},
	"overlapped": {{"lowbit"}, {"event", "hevent", "Internal", "InternalHigh", "Offset", "OffsetHigh"}},
	"buffer":     {nil, nil},
	"routine":    {nil, nil},
	"apc":        {nil, nil},
	"pipe":       {{"byte", "message", "sync", "syncread", "syncwrite"}, {"capacity"}},
	"port":       {nil, nil},
	"handle":     {nil, nil},
}

// MaxBuffer is the largest buffer (or pipe capacity) a declaration may ask
// for.
const MaxBuffer = 1 << 20

// reservedName reports whether a name is a word steps give a meaning of
// its own (an object called "none" or "NULL" could never be named).
func reservedName(s string) bool {
	switch s {
	case "none", "NULL", "INFINITE", "INVALID_HANDLE_VALUE", "settle", "blocks", "untouched", "void":
		return true
	}
	return false
}

// decode decodes every declaration and every call of a parsed scenario.
func (sc *Scenario) decode() error {
	names := make(map[string]int, len(sc.Decls))
	for i, d := range sc.Decls {
		names[d.Name] = i
	}
	dec := &decoder{} // one for every call, its memory reused
	for i := range sc.Decls {
		d := &sc.Decls[i]
		obj, err := decodeDecl(sc.File, i, d, sc.Decls, names)
		if err != nil {
			return err
		}
		d.Obj = obj
		if d.Does != nil {
			if err := decodeCall(dec, sc.File, d.Does, sc.Decls, names); err != nil {
				return err
			}
		}
	}
	for i := range sc.Steps {
		st := &sc.Steps[i]
		if st.Call.Name == "settle" {
			continue
		}
		if err := decodeCall(dec, sc.File, &st.Call, sc.Decls, names); err != nil {
			return err
		}
	}
	sc.numberIOArgs()
	return nil
}

// numberIOArgs gives every call's IOArgs its Slot: the routines' calls
// first, then the steps', in order.
func (sc *Scenario) numberIOArgs() {
	n := 0
	number := func(op Op) {
		if x, ok := op.(interface{ ioArgs() *IOArgs }); ok {
			n++
			x.ioArgs().slot = n
		}
	}
	for _, d := range sc.Decls {
		if d.Does != nil {
			number(d.Does.Op)
		}
	}
	for _, st := range sc.Steps {
		number(st.Call.Op)
	}
}

func decodeDecl(file string, at int, d *Decl, decls []Decl, names map[string]int) (Object, error) {
	derr := func(format string, args ...any) error {
		return &ParseError{file, d.Line, fmt.Sprintf(format, args...)}
	}
	if !validName(d.Name) {
		return nil, derr("%s name %q: use letters, digits, _ and - (starting with a letter or _)", d.Kind, d.Name)
	}
	if reservedName(d.Name) {
		return nil, derr("%s name %q: that word means something in a step; choose another name", d.Kind, d.Name)
	}
	if d.Does != nil && d.Kind != "routine" && d.Kind != "apc" {
		return nil, derr("only a routine or apc has \"does\"")
	}
	if allowed, ok := declWords[d.Kind]; ok && d.Kind != "buffer" {
		for _, w := range d.Args.Pos {
			if !contains(allowed[0], w) {
				return nil, derr("%s %s: unknown word %q%s", d.Kind, d.Name, w, didYouMean(w, append(append([]string(nil), allowed[0]...), allowed[1]...)))
			}
		}
		for _, k := range d.Args.order() {
			if !contains(allowed[1], k) {
				return nil, derr("%s %s: unknown key %q%s", d.Kind, d.Name, k, didYouMean(k, allowed[1]))
			}
		}
	}
	switch d.Kind {
	case "thread":
		return &ThreadDecl{}, nil
	case "event":
		return &EventDecl{Manual: !d.Args.Has("auto"), Signalled: d.Args.Has("signalled")}, nil
	case "socket":
		s := &SocketDecl{AF: provider.AF_INET, Overlapped: !d.Args.Has("nonoverlapped"), Listen: d.Args.Has("listen")}
		kinds := 0
		for _, w := range []string{"udp4", "udp6", "tcp4", "tcp6"} {
			if d.Args.Has(w) {
				kinds++
			}
		}
		if kinds > 1 {
			return nil, derr("socket %s: give one of udp4, udp6, tcp4, tcp6", d.Name)
		}
		s.Stream = d.Args.Has("tcp4") || d.Args.Has("tcp6")
		if d.Args.Has("udp6") || d.Args.Has("tcp6") {
			s.AF = provider.AF_INET6
		}
		for _, k := range []string{"bind", "connect"} {
			v, ok := d.Args.Get(k)
			if !ok {
				continue
			}
			ap, err := netip.ParseAddrPort(v)
			if err != nil {
				return nil, derr("socket %s: bad address %q", d.Name, v)
			}
			if k == "bind" {
				s.Bind = &ap
			} else {
				s.Connect = &ap
			}
		}
		if s.Listen && (!s.Stream || s.Bind == nil || s.Connect != nil) {
			return nil, derr("socket %s: listen needs a tcp4 or tcp6 socket with bind= and no connect=", d.Name)
		}
		return s, nil
	case "overlapped":
		o := &OverlappedDecl{Event: Ref{Name: "none", Decl: RefNull}}
		if v, ok := d.Args.Get("event"); ok && v != "none" {
			i, ok := names[v]
			// The event must be declared before the record that names it.
			if !ok || i >= at || decls[i].Kind != "event" {
				return nil, derr("overlapped %s: %q is not a declared event", d.Name, v)
			}
			o.Event = Ref{Name: v, Decl: i}
		}
		if v, ok := d.Args.Get("hevent"); ok {
			n, err := ParseValue(v)
			if err != nil {
				return nil, derr("overlapped %s: hevent=%q: %v", d.Name, v, err)
			}
			o.HasHEvent, o.HEvent = true, n
		}
		o.LowBit = d.Args.Has("lowbit")
		for i, f := range OvFieldNames {
			if v, ok := d.Args.Get(f); ok {
				n, err := ParseValue(v)
				if err != nil {
					return nil, derr("overlapped %s: %s=%q: %v", d.Name, f, v, err)
				}
				o.Fields[i].Set, o.Fields[i].V = true, n
			}
		}
		return o, nil
	case "buffer":
		if len(d.Args.Pos) != 1 {
			return nil, derr("buffer %s: give a size or a \"quoted text\"", d.Name)
		}
		if s, ok := Quoted(d.Args.Pos[0]); ok {
			return &BufferDecl{Init: []byte(s)}, nil
		}
		n, err := strconv.Atoi(d.Args.Pos[0])
		if err != nil || n < 0 || n > MaxBuffer {
			return nil, derr("buffer %s: bad size %q (0 to %d)", d.Name, d.Args.Pos[0], MaxBuffer)
		}
		return &BufferDecl{Len: n}, nil
	case "routine", "apc":
		return &RoutineDecl{APC: d.Kind == "apc"}, nil
	case "pipe":
		p := &PipeDecl{Message: d.Args.Has("message"), Sync: d.Args.Has("sync"), SyncRead: d.Args.Has("syncread"), SyncWrite: d.Args.Has("syncwrite")}
		if v, ok := d.Args.Get("capacity"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > MaxBuffer {
				return nil, derr("pipe %s: bad capacity %q (0 to %d bytes)", d.Name, v, MaxBuffer)
			}
			p.HasCapacity, p.Capacity = true, n
		}
		return p, nil
	case "port":
		return &PortDecl{}, nil
	case "handle":
		return &HandleDecl{}, nil
	}
	return nil, derr("unknown declaration %q", d.Kind)
}
