package emulated

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/trace"
)

// Free-form traces (docs/trace-format.md) are checked by translating them
// into the scenario language: every object the trace names becomes a
// declaration, every call a step, written in scenario words and decoded by
// the one call table (spec.Parse), so a call's arguments are read by the
// same decoder whether they came from a scenario or a recording. The
// shapes below say, for each call the format supports, which JSON argument
// becomes which scenario word; writing a trace from an emulator run
// (WriteFree) reads the same shapes the other way.

// argKind is how one JSON argument reads.
type argKind uint8

const (
	aHandle  argKind = iota // an object's id, or null (NULL)
	aHandles                // a list of ids, joined with commas
	aBufs                   // a list of buffers ({"len":N,"text"|"hex"})
	aOv                     // a record: null, "id", or {"id","hEvent","lowbit"}
	aAddr                   // "address:port"
	aMs                     // milliseconds; 4294967295 is INFINITE
	aNum                    // an unsigned number
	aBool                   // true writes the word named like the argument
	aRoutine                // a completion routine's id, or null
	aAPC                    // a user APC's id
)

// param is one argument of a call: its JSON name, how it reads, and how it
// is written in a scenario step: positional (key ""), as key=value, or,
// for aBool, as the bare word Key.
type param struct {
	JSON string
	Kind argKind
	Key  string
	// Optional arguments may be left out of a trace.
	Optional bool
}

// shape is a call the format supports: its scenario name and arguments.
type shape struct {
	Scenario string
	Params   []param
}

func pos(n string, k argKind) param { return param{JSON: n, Kind: k} }
func opt(n string, k argKind, key string) param {
	return param{JSON: n, Kind: k, Key: key, Optional: true}
}
func flag(n string) param { return param{JSON: n, Kind: aBool, Key: n, Optional: true} }

var sendRecv = []param{pos("s", aHandle), pos("buffers", aBufs), pos("ov", aOv), opt("routine", aRoutine, "routine"), opt("flags", aNum, "flags")}

// shapes are the calls a free-form trace may make, by the function's
// name (golang.org/x/sys/windows spells them the same way). The calls that
// make objects (socket, WSASocket, WSACreateEvent, CreateEvent, and
// CreateIoCompletionPort with no file) are declarations, not steps: see
// creators.
var shapes = map[string]shape{
	"WSAStartup":             {"WSAStartup", nil},
	"WSACleanup":             {"WSACleanup", nil},
	"SleepEx":                {"SleepEx", []param{pos("ms", aMs), flag("alertable")}},
	"Sleep":                  {"SleepEx", []param{pos("ms", aMs)}},
	"WaitForSingleObjectEx":  {"WaitForSingleObjectEx", []param{pos("h", aHandle), pos("ms", aMs), flag("alertable")}},
	"WaitForSingleObject":    {"WaitForSingleObjectEx", []param{pos("h", aHandle), pos("ms", aMs)}},
	"WaitForMultipleObjects": {"WaitForMultipleObjectsEx", []param{pos("handles", aHandles), pos("ms", aMs), flag("all")}},
	"WaitForMultipleObjectsEx": {"WaitForMultipleObjectsEx", []param{pos("handles", aHandles), pos("ms", aMs), flag("all"),
		flag("alertable")}},
	"WSAWaitForMultipleEvents": {"WSAWaitForMultipleEvents", []param{pos("events", aHandles), pos("ms", aMs), flag("all"), flag("alertable")}},
	"SetEvent":                 {"SetEvent", []param{pos("h", aHandle)}},
	"ResetEvent":               {"ResetEvent", []param{pos("h", aHandle)}},
	"WSASetEvent":              {"WSASetEvent", []param{pos("h", aHandle)}},
	"WSAResetEvent":            {"WSAResetEvent", []param{pos("h", aHandle)}},
	"WSACloseEvent":            {"WSACloseEvent", []param{pos("h", aHandle)}},
	"CloseHandle":              {"CloseHandle", []param{pos("h", aHandle)}},
	"QueueUserAPC":             {"QueueUserAPC", []param{pos("apc", aAPC), pos("thread", aHandle), opt("param", aNum, "param")}},
	"WSASend":                  {"WSASend", sendRecv},
	"WSASendTo": {"WSASendTo", []param{pos("s", aHandle), pos("buffers", aBufs), pos("to", aAddr), pos("ov", aOv),
		opt("routine", aRoutine, "routine"), opt("flags", aNum, "flags")}},
	"WSARecv":                            {"WSARecv", sendRecv},
	"WSARecvFrom":                        {"WSARecvFrom", sendRecv},
	"WSAGetOverlappedResult":             {"WSAGetOverlappedResult", []param{pos("s", aHandle), pos("ov", aOv), flag("wait")}},
	"GetOverlappedResult":                {"GetOverlappedResult", []param{pos("h", aHandle), pos("ov", aOv), flag("wait")}},
	"GetOverlappedResultEx":              {"GetOverlappedResultEx", []param{pos("h", aHandle), pos("ov", aOv), pos("ms", aMs), flag("alertable")}},
	"CancelIo":                           {"CancelIo", []param{pos("h", aHandle)}},
	"CancelIoEx":                         {"CancelIoEx", []param{pos("h", aHandle), pos("ov", aOv)}},
	"closesocket":                        {"closesocket", []param{pos("s", aHandle)}},
	"shutdown":                           {"shutdown", []param{pos("s", aHandle), pos("how", aNum)}},
	"bind":                               {"bind", []param{pos("s", aHandle), pos("addr", aAddr)}},
	"connect":                            {"connect", []param{pos("s", aHandle), pos("addr", aAddr)}},
	"listen":                             {"listen", []param{pos("s", aHandle), opt("backlog", aNum, "backlog")}},
	"accept":                             {"accept", []param{pos("s", aHandle)}},
	"getsockname":                        {"getsockname", []param{pos("s", aHandle)}},
	"getpeername":                        {"getpeername", []param{pos("s", aHandle)}},
	"CreateIoCompletionPort":             {"CreateIoCompletionPort", []param{pos("file", aHandle), pos("port", aHandle), opt("key", aNum, "key")}},
	"GetQueuedCompletionStatus":          {"GetQueuedCompletionStatus", []param{pos("port", aHandle), pos("ms", aMs)}},
	"GetQueuedCompletionStatusEx":        {"GetQueuedCompletionStatusEx", []param{pos("port", aHandle), pos("count", aNum), pos("ms", aMs), flag("alertable")}},
	"PostQueuedCompletionStatus":         {"PostQueuedCompletionStatus", []param{pos("port", aHandle), opt("bytes", aNum, "bytes"), opt("key", aNum, "key"), opt("ov", aOv, "ov")}},
	"SetFileCompletionNotificationModes": {"SetFileCompletionNotificationModes", []param{pos("h", aHandle), pos("flags", aNum)}},
}

// creators are the calls that make an object: in the translation, a
// declaration named by the call's "ret".
var creators = map[string]bool{"socket": true, "WSASocket": true, "WSASocketW": true, "WSACreateEvent": true, "CreateEvent": true, "CreateEventW": true}

// Supported lists the functions a free-form trace may call, sorted.
func Supported() []string {
	var out []string
	for n := range shapes {
		out = append(out, n)
	}
	for n := range creators {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// UnsupportedError is a trace calling a function the checker does not
// model (yet).
type UnsupportedError struct {
	Line int
	Fn   string
	Why  string
}

func (e *UnsupportedError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("line %d: unsupported call %s: %s", e.Line, e.Fn, e.Why)
	}
	return fmt.Sprintf("line %d: unsupported call %s (the checker models: %s)", e.Line, e.Fn, strings.Join(Supported(), ", "))
}

// freeItem is one observation of a thread, in its order.
type freeItem struct {
	ev   *trace.Event
	step int // the step of a call (index in the scenario's Steps), or -1
	// pre are the routine and APC runs recorded inside the call, before it
	// returned.
	pre []*trace.Event
}

// freeProgram is a trace translated: the scenario, and each thread's
// observations in order.
type freeProgram struct {
	tr      *trace.Trace
	sc      *spec.Scenario
	threads []string // in order of first appearance
	items   map[string][]freeItem
	// lineOf maps a scenario line to the trace line it came from.
	lineOf   map[int]int
	routines []string // declared routines and apcs
	cfg      spec.RunConfig
	content  map[string][]byte // buffers' bytes, by declared name
	hevents  map[string]bool   // events some record names in hEvent
	display  map[string]string // how a buffer is shown in timelines
	// draw, when set, collects a probe's steps for a picture (DrawFree).
	draw *freeDraw
}

// translator builds the scenario text of a trace.
type translator struct {
	decl    []string // declaration lines
	kinds   map[string]string
	ovEvent map[string]string // record -> "event lowbit" as first used
	steps   []string
	stepEv  []*trace.Event
	nbuf    int
	content map[string][]byte // buffers' bytes, by declared name
	display map[string]string // how a buffer is shown in timelines
}

func (t *translator) declare(line int, kind, id, rest string) error {
	if k, ok := t.kinds[id]; ok {
		if k == kind {
			return nil
		}
		return &trace.Error{Line: line, Msg: fmt.Sprintf("id %s names a %s and a %s", id, k, kind)}
	}
	t.kinds[id] = kind
	t.decl = append(t.decl, strings.TrimSpace(kind+" "+id+" "+rest))
	return nil
}

func lineErr(line int, format string, args ...any) error {
	return &trace.Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// translate turns a validated trace into a scenario and per-thread items.
func translate(tr *trace.Trace) (*freeProgram, error) {
	t := &translator{kinds: map[string]string{}, ovEvent: map[string]string{}, content: map[string][]byte{}, display: map[string]string{}}
	p := &freeProgram{tr: tr, items: map[string][]freeItem{}, lineOf: map[int]int{}}
	p.cfg = spec.RunConfig{Kind: "ifs", Profile: "windows"}
	if tr.Header.Provider != "" {
		p.cfg.Kind = tr.Header.Provider
	}
	if tr.Header.Profile != "" {
		p.cfg.Profile = tr.Header.Profile
	}
	// Threads first: a thread may be named (QueueUserAPC) before it
	// records anything.
	for i := range tr.Events {
		e := &tr.Events[i]
		if _, ok := p.items[e.Thread]; !ok {
			p.items[e.Thread] = nil
			p.threads = append(p.threads, e.Thread)
			if err := t.declare(e.Line, "thread", e.Thread, ""); err != nil {
				return nil, err
			}
		}
	}
	// Then the objects the creating calls made: a thread may use an
	// object another thread made, and the file need not list the
	// creation first (records of different threads are in any order).
	isCreation := func(e *trace.Event) bool {
		return e.Ev == trace.EvCall && (creators[e.Fn] || (e.Fn == "CreateIoCompletionPort" && isNullArg(e.Args["file"]) && isNullArg(e.Args["port"])))
	}
	for i := range tr.Events {
		if e := &tr.Events[i]; isCreation(e) {
			if err := t.creation(e); err != nil {
				return nil, err
			}
		}
	}
	pre := map[string][]*trace.Event{}
	for i := range tr.Events {
		e := &tr.Events[i]
		switch e.Ev {
		case trace.EvRoutine:
			if err := t.declare(e.Line, "routine", e.Routine, ""); err != nil {
				return nil, err
			}
			pre[e.Thread] = append(pre[e.Thread], e)
		case trace.EvAPC:
			if err := t.declare(e.Line, "apc", e.APC, ""); err != nil {
				return nil, err
			}
			pre[e.Thread] = append(pre[e.Thread], e)
		case trace.EvRead:
			if e.Depth > 0 {
				return nil, &UnsupportedError{Line: e.Line, Fn: "(read)", Why: "a read inside a completion routine or APC is not modelled yet"}
			}
			if k, ok := t.kinds[*e.Ov]; !ok || k != "overlapped" {
				return nil, lineErr(e.Line, "read of record %s, which no call before used as a record", *e.Ov)
			}
			if len(pre[e.Thread]) > 0 {
				return nil, &UnsupportedError{Line: e.Line, Fn: "(read)", Why: "a read inside a completion routine or APC"}
			}
			p.items[e.Thread] = append(p.items[e.Thread], freeItem{ev: e, step: -1})
		case trace.EvCall:
			if e.Depth > 0 {
				return nil, &UnsupportedError{Line: e.Line, Fn: e.Fn, Why: "calls made inside a completion routine or APC are not modelled yet"}
			}
			if isCreation(e) {
				if len(pre[e.Thread]) > 0 {
					return nil, lineErr(e.Line, "a routine or APC recorded inside %s, which never waits", e.Fn)
				}
				continue
			}
			words, err := t.callWords(e)
			if err != nil {
				return nil, err
			}
			p.items[e.Thread] = append(p.items[e.Thread], freeItem{ev: e, step: len(t.steps), pre: pre[e.Thread]})
			pre[e.Thread] = nil
			t.steps = append(t.steps, e.Thread+": "+words)
			t.stepEv = append(t.stepEv, e)
		}
	}
	for _, th := range p.threads {
		if l := pre[th]; len(l) > 0 {
			return nil, lineErr(l[0].Line, "a routine or APC run after thread %s's last call: it runs inside a call, which the trace must record (as unfinished, if it never returned)", th)
		}
	}
	var b strings.Builder
	b.WriteString("title free-form trace\n")
	for _, d := range t.decl {
		b.WriteString(d + "\n")
	}
	first := strings.Count(b.String(), "\n") + 1
	for i, s := range t.steps {
		b.WriteString(s + "\n")
		p.lineOf[first+i] = t.stepEv[i].Line
	}
	sc, err := spec.Parse("trace", strings.NewReader(b.String()))
	if err != nil {
		if pe, ok := err.(*spec.ParseError); ok {
			if l, ok := p.lineOf[pe.Line]; ok {
				return nil, lineErr(l, "%s", pe.Msg)
			}
			return nil, fmt.Errorf("the trace's objects do not make a valid machine: %s", pe.Msg)
		}
		return nil, err
	}
	if len(sc.Steps) != len(t.steps) {
		return nil, fmt.Errorf("internal: %d steps translated, %d read", len(t.steps), len(sc.Steps))
	}
	p.sc, p.content, p.display = sc, t.content, t.display
	p.hevents = map[string]bool{}
	for _, attrs := range t.ovEvent {
		if ev, ok := strings.CutPrefix(strings.Fields(attrs)[0], "event="); ok && ev != "none" {
			p.hevents[ev] = true
		}
	}
	for d := range sc.Decls {
		if k := sc.Decls[d].Kind; k == "routine" || k == "apc" {
			p.routines = append(p.routines, sc.Decls[d].Name)
		}
	}
	return p, nil
}

// shown writes a step's call for a timeline: its scenario words, with
// the buffers the translation made shown by their content or length.
func (p *freeProgram) shown(c spec.Call) string {
	w := strings.Fields(c.String())
	for i, x := range w {
		if !strings.HasPrefix(x, "_buf") {
			continue
		}
		parts := strings.Split(x, ",")
		for j, b := range parts {
			if d, ok := p.display[b]; ok {
				parts[j] = d
			}
		}
		w[i] = strings.Join(parts, ",")
	}
	return strings.Join(w, " ")
}

func isNullArg(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "0" || s == "-1" || s == "18446744073709551615"
}

// creation declares the object a creating call made.
func (t *translator) creation(e *trace.Event) error {
	r, err := trace.ParseRet(e.Ret)
	if e.Unfinished || err != nil || r.ID == "" {
		return &UnsupportedError{Line: e.Line, Fn: e.Fn, Why: "only a creation that succeeded (its \"ret\" the new object's id) is modelled"}
	}
	num := func(k string, def int64) (int64, error) {
		raw, ok := e.Args[k]
		if !ok {
			return def, nil
		}
		n, err := trace.Int(raw)
		if err != nil {
			return 0, lineErr(e.Line, "%s: argument %s: %v", e.Fn, k, err)
		}
		return n, nil
	}
	boolArg := func(k string) bool {
		var b bool
		_ = json.Unmarshal(e.Args[k], &b)
		return b
	}
	switch e.Fn {
	case "socket", "WSASocket", "WSASocketW":
		af, err1 := num("af", 2)
		typ, err2 := num("type", 2)
		fl, err3 := num("flags", 1)
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return err
			}
		}
		words := ""
		switch {
		case af == 2 && typ == 2:
			words = "udp4"
		case af == 23 && typ == 2:
			words = "udp6"
		case af == 2 && typ == 1:
			words = "tcp4"
		case af == 23 && typ == 1:
			words = "tcp6"
		default:
			return &UnsupportedError{Line: e.Line, Fn: e.Fn, Why: fmt.Sprintf("af %d type %d: the model has UDP and TCP over IPv4 (2) and IPv6 (23)", af, typ)}
		}
		if e.Fn != "socket" && fl&1 == 0 {
			words += " nonoverlapped"
		}
		return t.declare(e.Line, "socket", r.ID, words)
	case "WSACreateEvent":
		return t.declare(e.Line, "event", r.ID, "manual")
	case "CreateEvent", "CreateEventW":
		w := "auto"
		if boolArg("manual") {
			w = "manual"
		}
		if boolArg("initial") {
			w += " signalled"
		}
		return t.declare(e.Line, "event", r.ID, w)
	case "CreateIoCompletionPort":
		return t.declare(e.Line, "port", r.ID, "")
	}
	return &UnsupportedError{Line: e.Line, Fn: e.Fn}
}

// callWords writes a call as a scenario step's words, declaring the
// records, buffers and routines it names.
func (t *translator) callWords(e *trace.Event) (string, error) {
	sh, ok := shapes[e.Fn]
	if !ok {
		return "", &UnsupportedError{Line: e.Line, Fn: e.Fn}
	}
	known := map[string]bool{}
	words := []string{sh.Scenario}
	for _, pr := range sh.Params {
		known[pr.JSON] = true
		raw, present := e.Args[pr.JSON]
		if !present {
			if pr.Optional {
				continue
			}
			if pr.Kind == aOv && e.Fn == "CancelIoEx" {
				continue
			}
			return "", lineErr(e.Line, "%s: argument %q missing", e.Fn, pr.JSON)
		}
		w, err := t.word(e, pr, raw)
		if err != nil {
			return "", err
		}
		switch {
		case w == "":
		case pr.Kind == aBool:
			words = append(words, pr.Key)
		case pr.Key != "":
			words = append(words, pr.Key+"="+w)
		default:
			words = append(words, w)
		}
	}
	if e.Fn == "accept" {
		r, err := trace.ParseRet(e.Ret)
		target := r.ID
		if err != nil || target == "" {
			target = fmt.Sprintf("_accepted%d", e.Line)
		}
		if err := t.declare(e.Line, "handle", target, ""); err != nil {
			return "", err
		}
		words = append(words, target)
	}
	for _, k := range sortedRawKeys(e.Args) {
		if !known[k] {
			return "", lineErr(e.Line, "%s: unknown argument %q", e.Fn, k)
		}
	}
	return strings.Join(words, " "), nil
}

func (t *translator) word(e *trace.Event, pr param, raw json.RawMessage) (string, error) {
	bad := func(want string) error {
		return lineErr(e.Line, "%s: argument %s: %s is not %s", e.Fn, pr.JSON, string(raw), want)
	}
	switch pr.Kind {
	case aHandle, aRoutine, aAPC:
		if isNullArg(raw) {
			switch {
			case pr.Kind == aRoutine:
				return "", nil
			case pr.Kind == aHandle && strings.TrimSpace(string(raw)) != "null" && strings.TrimSpace(string(raw)) != "0":
				return "INVALID_HANDLE_VALUE", nil
			}
			return "NULL", nil
		}
		var id string
		if json.Unmarshal(raw, &id) != nil || !trace.ValidID(id) {
			return "", bad("an id")
		}
		switch pr.Kind {
		case aRoutine:
			return id, t.declare(e.Line, "routine", id, "")
		case aAPC:
			return id, t.declare(e.Line, "apc", id, "")
		}
		if _, ok := t.kinds[id]; !ok {
			return "", lineErr(e.Line, "%s: %s %s was never made (no call before returned it)", e.Fn, pr.JSON, id)
		}
		return id, nil
	case aHandles:
		var ids []string
		if json.Unmarshal(raw, &ids) != nil || len(ids) == 0 {
			return "", bad("a list of ids")
		}
		for _, id := range ids {
			if _, ok := t.kinds[id]; !ok || !trace.ValidID(id) {
				return "", lineErr(e.Line, "%s: %s names %s, which was never made", e.Fn, pr.JSON, id)
			}
		}
		return strings.Join(ids, ","), nil
	case aBufs:
		var bufs []trace.Buffer
		if json.Unmarshal(raw, &bufs) != nil || len(bufs) == 0 {
			return "", bad("a list of buffers")
		}
		var names []string
		for _, b := range bufs {
			data, given, err := b.Bytes()
			if err != nil || b.Len < 0 || b.Len > spec.MaxBuffer || (given && len(data) != b.Len) {
				return "", lineErr(e.Line, "%s: a buffer's len and content disagree, or it is larger than %d", e.Fn, spec.MaxBuffer)
			}
			t.nbuf++
			name := fmt.Sprintf("_buf%d", t.nbuf)
			// Declared by size; the bytes are put in when the machine
			// starts (freeProgram.fill), which keeps them out of the
			// scenario text and its line limit.
			if err := t.declare(e.Line, "buffer", name, strconv.Itoa(b.Len)); err != nil {
				return "", err
			}
			if given && b.Len > 0 {
				t.content[name] = data
			}
			t.display[name] = fmt.Sprintf("[%d]", b.Len)
			if given && b.Len > 0 {
				shown := data
				if len(shown) > 16 {
					shown = shown[:16]
				}
				t.display[name] = strconv.QuoteToASCII(string(shown))
				if len(shown) < len(data) {
					t.display[name] += "…"
				}
			}
			names = append(names, name)
		}
		return strings.Join(names, ","), nil
	case aOv:
		if isNullArg(raw) {
			return "NULL", nil
		}
		var rec trace.Record
		if json.Unmarshal(raw, &rec.ID) != nil {
			if json.Unmarshal(raw, &rec) != nil {
				return "", bad("a record")
			}
		}
		if !trace.ValidID(rec.ID) {
			return "", bad("a record with an id")
		}
		attrs := "event=none"
		if rec.HEvent != "" {
			if k := t.kinds[rec.HEvent]; k != "event" {
				return "", lineErr(e.Line, "%s: record %s: hEvent %s is not an event the trace made", e.Fn, rec.ID, rec.HEvent)
			}
			attrs = "event=" + rec.HEvent
		}
		if rec.LowBit {
			attrs += " lowbit"
		}
		if prev, ok := t.ovEvent[rec.ID]; ok {
			if prev != attrs && json.Unmarshal(raw, new(string)) != nil {
				return "", &UnsupportedError{Line: e.Line, Fn: e.Fn, Why: fmt.Sprintf("record %s used with another hEvent (%s, first %s): give each use its own id", rec.ID, attrs, prev)}
			}
			return rec.ID, nil
		}
		t.ovEvent[rec.ID] = attrs
		return rec.ID, t.declare(e.Line, "overlapped", rec.ID, attrs)
	case aAddr:
		var s string
		if json.Unmarshal(raw, &s) != nil || strings.ContainsAny(s, " \t\"") {
			return "", bad("an address")
		}
		return s, nil
	case aMs:
		n, err := trace.Int(raw)
		if err != nil {
			return "", bad("a number of milliseconds")
		}
		if uint32(n) == 0xFFFFFFFF {
			return "INFINITE", nil
		}
		return strconv.FormatUint(uint64(uint32(n)), 10), nil
	case aNum:
		n, err := trace.Int(raw)
		if err != nil {
			return "", bad("a number")
		}
		return strconv.FormatUint(uint64(n), 10), nil
	case aBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "", bad("true or false")
		}
		if b {
			return pr.Key, nil
		}
		return "", nil
	}
	return "", fmt.Errorf("internal: argument kind %d", pr.Kind)
}
