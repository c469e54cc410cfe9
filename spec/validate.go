package spec

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Validation at read time: every declaration, step and expectation of a
// scenario (every branch of every either/or) is checked when the file is
// parsed, so a typo is a parse error with its line and a "did you mean",
// never an expectation that is silently ignored or compared as text.

// outParamKey reports whether an expectation may name this out-parameter:
// one that some call of the table reports. A table name ending in "N"
// stands for a numbered family (ov1, bytes2, ... for the entries of
// GetQueuedCompletionStatusEx).
func outParamKey(k string) bool {
	for _, e := range table {
		for _, o := range e.Outs {
			if o == k {
				return true
			}
			if p, ok := strings.CutSuffix(o, "N"); ok {
				if n, found := strings.CutPrefix(k, p); found && n != "" {
					if _, err := strconv.ParseUint(n, 10, 8); err == nil {
						return true
					}
				}
			}
		}
	}
	return false
}

// outParamKeys lists the out-parameter names, for messages and
// suggestions.
func outParamKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range table {
		for _, o := range e.Outs {
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	sort.Strings(out)
	return out
}

// routineKeys are the fields of one routine or APC call.
var routineKeys = []string{"err", "bytes", "flags", "ov", "thread", "param", "depth"}

// symbols are the names outcomes are reported under that ParseValue does
// not read as numbers.
var symbols = []string{
	"SOCKET_ERROR", "WAIT_OBJECT_0", "WAIT_ABANDONED", "WAIT_IO_COMPLETION",
	"WAIT_TIMEOUT", "WAIT_FAILED", "none", "untouched", "void", "NULL", "INVALID_SOCKET",
}

var expectKeywords = []string{"return", "finding", "thread", "event", "routine", "apc", "buffer", "msg", "says", "either", "or", "end"}

var (
	valueNamesOnce sync.Once
	valueNames     []string
)

// knownValueNames are the names a value may be written as, for
// suggestions: error names, constants and the outcome symbols.
func knownValueNames() []string {
	valueNamesOnce.Do(func() {
		seen := map[string]bool{}
		add := func(n string) {
			if !seen[n] {
				seen[n] = true
				valueNames = append(valueNames, n)
			}
		}
		for _, s := range symbols {
			add(s)
		}
		for c := 0; c < 12000; c++ {
			if e := wso.Errno(c); e.Known() {
				add(e.Name())
			}
		}
		for _, w := range wsaNames {
			add(w) // the WSA_ spellings of Win32 codes (render.go)
		}
		for k := range namedConst {
			add(k)
		}
		sort.Strings(valueNames)
	})
	return valueNames
}

var (
	clauseOnce sync.Once
	clauseIDs  map[string]bool
	clauseList []string
)

// knownClause reports whether the catalogue has a clause with this ID.
func knownClause(id string) bool {
	clauseOnce.Do(func() {
		clauseIDs = map[string]bool{}
		for _, c := range Catalog() {
			clauseIDs[c.ID] = true
			clauseList = append(clauseList, c.ID)
		}
	})
	return clauseIDs[id]
}

func (v *validator) clause(line int, id string) error {
	if !knownClause(id) {
		return v.errf(line, "unknown clause %q%s (wsaemu spec lists them)", id, didYouMean(id, clauseList))
	}
	return nil
}

type validator struct {
	file  string
	decls map[string]*Decl
	names []string // declared names, in order, for suggestions
}

func (v *validator) errf(line int, format string, args ...any) *ParseError {
	return &ParseError{File: v.file, Line: line, Msg: sprintf(format, args...)}
}

// kindOf returns the kind of a declared name, or "".
func (v *validator) kindOf(name string) string {
	if d, ok := v.decls[name]; ok {
		return d.Kind
	}
	return ""
}

// object checks that name is declared with one of the kinds.
func (v *validator) object(line int, name string, kinds ...string) error {
	k := v.kindOf(name)
	if k == "" {
		return v.errf(line, "%q is not declared%s", name, didYouMean(name, v.namesOf(kinds...)))
	}
	for _, want := range kinds {
		if k == want {
			return nil
		}
	}
	return v.errf(line, "%q is a %s, not a %s", name, k, strings.Join(kinds, " or "))
}

func (v *validator) namesOf(kinds ...string) []string {
	var out []string
	for _, n := range v.names {
		for _, k := range kinds {
			if v.decls[n].Kind == k {
				out = append(out, n)
			}
		}
	}
	return out
}

// value checks a wanted value: alternatives joined with |, each a number,
// a named code, an outcome symbol, a declared name, an address or quoted
// text.
func (v *validator) value(line int, w string) error {
	if _, ok := Quoted(w); ok {
		return nil
	}
	for _, alt := range strings.Split(w, "|") {
		if !v.valueOK(alt) {
			cands := append(append([]string(nil), knownValueNames()...), v.names...)
			return v.errf(line, "unknown value %q%s", alt, didYouMean(alt, cands))
		}
	}
	return nil
}

func (v *validator) valueOK(alt string) bool {
	if _, ok := Quoted(alt); ok {
		return true
	}
	if _, err := ParseValue(alt); err == nil {
		return true
	}
	if _, ok := PlusFlags(alt); ok {
		return true
	}
	for _, s := range symbols {
		if alt == s {
			return true
		}
	}
	for _, p := range []string{"WAIT_OBJECT_0+", "WAIT_ABANDONED+"} {
		if n, ok := strings.CutPrefix(alt, p); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return true
			}
		}
	}
	if _, ok := v.decls[alt]; ok {
		return true
	}
	if isAddress(alt) {
		return true
	}
	return alt == "?" // a routine's record that is not declared
}

func isAddress(s string) bool {
	if host, ok := strings.CutSuffix(s, ":*"); ok {
		s = host + ":1" // ADDR:* is an address with any non-zero port
	}
	if _, err := netip.ParseAddrPort(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// keyValue checks "k=v" against the allowed keys (nil: the out-parameters
// of the call table).
func (v *validator) keyValue(line int, kv string, keys []string) error {
	k, val, ok := strings.Cut(kv, "=")
	if !ok {
		return v.errf(line, "cannot read %q: want key=value", kv)
	}
	if keys == nil {
		if !outParamKey(k) {
			keys = outParamKeys()
			return v.errf(line, "unknown key %q (known: %s)%s", k, strings.Join(keys, ", "), didYouMean(k, keys))
		}
	} else if !contains(keys, k) {
		return v.errf(line, "unknown key %q (known: %s)%s", k, strings.Join(keys, ", "), didYouMean(k, keys))
	}
	switch k {
	case "thread":
		if _, q := Quoted(val); !q {
			for _, alt := range strings.Split(val, "|") {
				if err := v.object(line, alt, "thread"); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return v.value(line, val)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validate checks a parsed scenario as a whole.
func validate(sc *Scenario, decls map[string]*Decl) error {
	v := &validator{file: sc.File, decls: decls}
	for i := range sc.Decls {
		v.names = append(v.names, sc.Decls[i].Name)
	}
	for _, c := range sc.Clauses {
		if err := v.clause(sc.clauseLine[c], c); err != nil {
			return err
		}
	}
	hasThread := false
	for i := range sc.Decls {
		hasThread = hasThread || sc.Decls[i].Kind == "thread"
	}
	if !hasThread {
		return v.errf(1, "no thread declared")
	}
	for i := range sc.Steps {
		st := &sc.Steps[i]
		if st.Call.Name != "settle" {
			if err := v.object(st.Line, st.Thread, "thread"); err != nil {
				return err
			}
		}
		for _, e := range st.Expect {
			if err := v.expect(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// expect checks one expectation, and every branch of a group.
func (v *validator) expect(e Expect) error {
	if e.Alts != nil {
		for _, br := range e.Alts {
			for _, x := range br {
				if err := v.expect(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	w, line := e.Words, e.Line
	head := w[0]
	switch {
	case head == "return":
		return v.outcome(line, w[1:], true)
	case head == "finding":
		if len(w) != 2 {
			return v.errf(line, "finding takes one clause")
		}
		return v.clause(line, w[1])
	case head == "thread":
		if len(w) < 3 {
			return v.errf(line, "thread expectation: thread T blocked|running|returned VALUE...")
		}
		if err := v.object(line, w[1], "thread"); err != nil {
			return err
		}
		switch w[2] {
		case "blocked", "running":
			if len(w) != 3 {
				return v.errf(line, "thread %s %s takes nothing more", w[1], w[2])
			}
			return nil
		case "returned":
			return v.outcome(line, w[3:], false)
		}
		return v.errf(line, "thread %s: want blocked, running or returned, not %q%s", w[1], w[2], didYouMean(w[2], []string{"blocked", "running", "returned"}))
	case head == "event":
		if len(w) != 3 {
			return v.errf(line, "event expectation: event E signalled|clear")
		}
		if err := v.object(line, w[1], "event"); err != nil {
			return err
		}
		if w[2] != "signalled" && w[2] != "clear" {
			return v.errf(line, "event %s: want signalled or clear, not %q%s", w[1], w[2], didYouMean(w[2], []string{"signalled", "clear"}))
		}
		return nil
	case head == "routine" || head == "apc":
		if len(w) < 3 {
			return v.errf(line, "%s expectation: %s R ran N | last k=v... | call I k=v...", head, head)
		}
		if err := v.object(line, w[1], "routine", "apc"); err != nil {
			return err
		}
		return v.routine(line, w[1], w[2:])
	case head == "msg":
		return v.validateMsg(line, w)
	case head == "buffer":
		if len(w) != 3 {
			return v.errf(line, "buffer expectation: buffer B \"text\"")
		}
		if err := v.object(line, w[1], "buffer"); err != nil {
			return err
		}
		if _, q := Quoted(w[2]); !q {
			return v.errf(line, "buffer %s: write the wanted text in quotes", w[1])
		}
		return nil
	case strings.Contains(head, ".") && !strings.Contains(head, "="):
		name, field, _ := strings.Cut(head, ".")
		if err := v.object(line, name, "overlapped"); err != nil {
			return err
		}
		fields := []string{"Internal", "InternalHigh", "Offset", "OffsetHigh"}
		if !contains(fields, field) {
			return v.errf(line, "unknown field %q (Internal, InternalHigh, Offset, OffsetHigh)%s", field, didYouMean(field, fields))
		}
		if len(w) != 2 {
			return v.errf(line, "%s takes one value", head)
		}
		return v.value(line, w[1])
	case strings.Contains(head, "="):
		for _, kv := range w {
			if err := v.keyValue(line, kv, nil); err != nil {
				return err
			}
		}
		return nil
	}
	return v.errf(line, "cannot read expectation %q%s", strings.Join(w, " "), didYouMean(head, expectKeywords))
}

// outcome checks "VALUE [ERROR] [k=v...]" or "blocks".
func (v *validator) outcome(line int, w []string, mayBlock bool) error {
	if len(w) == 0 {
		return v.errf(line, "return needs a value")
	}
	if w[0] == "blocks" {
		if !mayBlock {
			return v.errf(line, "a returned call cannot block")
		}
		if len(w) != 1 {
			return v.errf(line, "return blocks takes nothing more")
		}
		return nil
	}
	if err := v.value(line, w[0]); err != nil {
		return err
	}
	rest := w[1:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		if err := v.value(line, rest[0]); err != nil {
			return err
		}
		rest = rest[1:]
	}
	for _, kv := range rest {
		if err := v.keyValue(line, kv, nil); err != nil {
			return err
		}
	}
	return nil
}

// routine checks "ran N", "last k=v...", "call I k=v...".
func (v *validator) routine(line int, name string, w []string) error {
	switch w[0] {
	case "ran":
		if len(w) != 2 {
			return v.errf(line, "%s ran needs one count", name)
		}
		for _, alt := range strings.Split(w[1], "|") {
			if n, err := strconv.Atoi(alt); err != nil || n < 0 {
				return v.errf(line, "%s ran: %q is not a count (a number, or counts joined with |)", name, alt)
			}
		}
		return nil
	case "last", "call":
		kvs := w[1:]
		if w[0] == "call" {
			if len(w) < 2 {
				return v.errf(line, "call needs an index (1 = first)")
			}
			if n, err := strconv.Atoi(w[1]); err != nil || n < 1 {
				return v.errf(line, "call needs an index (1 = first), not %q", w[1])
			}
			kvs = w[2:]
		}
		for _, kv := range kvs {
			if err := v.keyValue(line, kv, routineKeys); err != nil {
				return err
			}
		}
		return nil
	}
	return v.errf(line, "cannot read routine expectation %q (ran N, last k=v, call I k=v)%s", strings.Join(w, " "), didYouMean(w[0], []string{"ran", "last", "call"}))
}
