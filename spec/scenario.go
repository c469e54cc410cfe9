package spec

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Scenario is one behaviour, written as a small text file: declarations of
// threads and objects, then steps ("on thread T, call X with these
// arguments") each followed by what must be observed afterwards.
type Scenario struct {
	File     string
	Title    string
	Text     []string // explanation lines (the "says" lines), for the tour
	Clauses  []string
	Kinds    []string // provider kinds it runs under: nonifs, ifs
	Profiles []string // windows, docs
	// EmulatorOnly, when set, is why the scenario means nothing on a real
	// system (it relies on the in-memory network, or checks emulator-only
	// detail); differential runs skip it and say why.
	EmulatorOnly string
	// Sources are the Wine conformance tests the scenario restates, as
	// "FILE FUNCTION" (source lines: for example
	// "dlls/ws2_32/tests/sock.c test_WSARecv"). Their assertions without
	// todo_wine hold on Windows.
	Sources []string
	Decls   []Decl
	Steps   []Step

	clauseLine map[string]int // where each clause was named, for errors
}

// Decl declares a thread or an object: Kind is the keyword (thread, event,
// socket, overlapped, buffer, routine, apc, pipe, port).
type Decl struct {
	Line int
	Kind string
	Name string
	Args Args
	Does *Call // routine/apc: a call the routine makes when it runs
	// Obj is the declaration decoded (set by Parse).
	Obj Object
}

// Step is one thing that happens: a call on a thread, or "settle".
type Step struct {
	Line   int
	Thread string // empty for settle
	Call   Call
	Expect []Expect
	Says   string // a short explanation printed in timelines
}

// Call is a call's name and arguments as written.
type Call struct {
	Line int
	Name string
	Args Args
	// Op is the call decoded through the call table (set by Parse; nil
	// for settle).
	Op Op
}

// Args are positional words and key=value pairs, in order.
type Args struct {
	Pos []string
	KV  map[string]string
}

// Get returns a key's value.
func (a Args) Get(k string) (string, bool) {
	v, ok := a.KV[k]
	return v, ok
}

// Has reports whether a bare word appears among the positional words.
func (a Args) Has(w string) bool {
	for _, p := range a.Pos {
		if p == w {
			return true
		}
	}
	return false
}

// String renders arguments back as written (positional, then sorted keys
// in their original order).
func (c Call) String() string {
	parts := append([]string{c.Name}, c.Args.words()...)
	return strings.Join(parts, " ")
}

func (a Args) words() []string {
	var out []string
	for _, p := range a.Pos {
		out = append(out, quoteIfNeeded(p))
	}
	for _, k := range a.order() {
		out = append(out, k+"="+quoteIfNeeded(a.KV[k]))
	}
	return out
}

func (a Args) order() []string {
	keys := make([]string, 0, len(a.KV))
	for k := range a.KV {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// Expect is one expectation line, or an either/or group of alternative
// branches (Alts), any one of which must hold in full.
type Expect struct {
	Line  int
	Words []string
	Alts  [][]Expect
}

func (e Expect) String() string {
	if e.Alts != nil {
		return fmt.Sprintf("either/or (%d branches)", len(e.Alts))
	}
	return strings.Join(e.Words, " ")
}

// ParseError is a problem in a scenario file, with its place.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error renders the problem with its place. Control characters from the
// scenario or its name are escaped, so none reaches a terminal.
func (e *ParseError) Error() string {
	return Printable(fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg))
}

// ParseFile reads and parses a scenario file.
func ParseFile(path string) (*Scenario, error) {
	// Opening a FIFO would block until a writer comes: only regular files.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(path, fi)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// lineReaders keeps the line readers of finished parses, so that loading
// a corpus (a thousand files) does not make a 64 KiB buffer for each.
var lineReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64*1024) }}

var declKinds = map[string]bool{
	"thread": true, "event": true, "socket": true, "overlapped": true, "buffer": true,
	"routine": true, "apc": true, "pipe": true, "port": true, "handle": true,
}

// Parse parses a scenario and validates it in full: every declaration,
// call, object name and expectation (every branch of every either/or).
// Every problem is reported with its line; the limits (MaxFileSize,
// MaxLineLength, MaxNesting, MaxDecls, MaxSteps) are errors too.
func Parse(name string, r io.Reader) (*Scenario, error) {
	sc := &Scenario{File: name}
	p := &parser{sc: sc, file: name, names: map[string]*Decl{}}
	// Lines are read with their newline, so size counts exactly the bytes
	// consumed: past MaxFileSize the error names the line that crossed it.
	br := lineReaders.Get().(*bufio.Reader)
	br.Reset(io.LimitReader(r, MaxFileSize+1))
	defer func() {
		br.Reset(nil) // not kept: the reader of this file
		lineReaders.Put(br)
	}()
	n, size := 0, 0
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, &ParseError{name, n + 1, err.Error()}
		}
		size += len(chunk)
		if size > MaxFileSize {
			return nil, &ParseError{name, n + 1, fmt.Sprintf("file larger than the limit of %d bytes (spec.MaxFileSize)", MaxFileSize)}
		}
		line := chunk
		if err == bufio.ErrBufferFull || long != nil {
			long = append(long, chunk...)
			if len(bytes.TrimRight(long, "\r\n")) > MaxLineLength {
				return nil, &ParseError{name, n + 1, fmt.Sprintf("line longer than the limit of %d bytes (spec.MaxLineLength)", MaxLineLength)}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			line, long = long, nil
		}
		if len(line) == 0 && err == io.EOF {
			break
		}
		n++
		line = bytes.TrimSuffix(line, []byte("\n"))
		if len(line) > MaxLineLength {
			return nil, &ParseError{name, n, fmt.Sprintf("line longer than the limit of %d bytes (spec.MaxLineLength)", MaxLineLength)}
		}
		if perr := p.line(n, string(line)); perr != nil {
			return nil, perr
		}
		if err == io.EOF {
			break
		}
	}
	if len(p.stack) > 0 {
		return nil, &ParseError{name, p.stack[len(p.stack)-1].line, "either without end"}
	}
	if sc.Title == "" {
		return nil, &ParseError{name, 1, "missing title line"}
	}
	if len(sc.Steps) == 0 {
		return nil, &ParseError{name, n, "no steps"}
	}
	if len(sc.Kinds) == 0 {
		sc.Kinds = []string{"nonifs", "ifs"}
	}
	if len(sc.Profiles) == 0 {
		sc.Profiles = []string{"windows", "docs"}
	}
	// Calls and declarations are decoded by the call table (one grammar);
	// validate checks what is left: names, clauses and every expectation.
	if err := sc.decode(); err != nil {
		return nil, err
	}
	if err := validate(sc, p.names); err != nil {
		return nil, err
	}
	return sc, nil
}

type group struct {
	line     int
	branches [][]Expect
}

type parser struct {
	sc    *Scenario
	file  string
	stack []*group
	names map[string]*Decl // declared names (pointers into sc.Decls are not kept: it grows)
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{p.file, line, fmt.Sprintf(format, args...)}
}

func (p *parser) line(n int, raw string) error {
	for i, r := range raw {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(raw[i:]); size <= 1 {
				return p.errf(n, "the line is not valid UTF-8 (byte %d)", i+1)
			}
		}
		if unicode.IsControl(r) && r != '\t' && r != '\r' {
			return p.errf(n, "control character %q in the line (byte %d): write it as an escape inside quotes", r, i+1)
		}
	}
	text := strings.TrimRight(raw, " \t\r")
	trim := strings.TrimSpace(text)
	if trim == "" || strings.HasPrefix(trim, "#") {
		return nil
	}
	if i := strings.Index(trim, " #"); i >= 0 && !insideQuotes(trim, i) {
		trim = strings.TrimSpace(trim[:i])
	}
	indented := text[0] == ' ' || text[0] == '\t'
	words, err := splitWords(trim)
	if err != nil {
		return p.errf(n, "%v", err)
	}
	if indented {
		return p.expectation(n, words, trim)
	}
	if len(p.stack) > 0 {
		return p.errf(n, "either without end before this line")
	}
	sc := p.sc
	head := words[0]
	switch {
	case head == "title":
		sc.Title = strings.TrimSpace(strings.TrimPrefix(trim, "title"))
	case head == "says":
		s := strings.TrimSpace(strings.TrimPrefix(trim, "says"))
		if len(sc.Steps) == 0 {
			sc.Text = append(sc.Text, s)
		} else {
			st := &sc.Steps[len(sc.Steps)-1]
			if st.Says != "" {
				st.Says += " "
			}
			st.Says += s
		}
	case head == "clause" || head == "clauses":
		if sc.clauseLine == nil {
			sc.clauseLine = map[string]int{}
		}
		for _, c := range words[1:] {
			if _, ok := sc.clauseLine[c]; !ok {
				sc.clauseLine[c] = n
			}
		}
		sc.Clauses = append(sc.Clauses, words[1:]...)
	case head == "kinds":
		for _, k := range words[1:] {
			if k != "nonifs" && k != "ifs" && k != "layered" {
				return p.errf(n, "unknown provider kind %q (want nonifs, ifs or layered)", k)
			}
		}
		sc.Kinds = words[1:]
	case head == "profiles":
		for _, k := range words[1:] {
			if k != "windows" && k != "docs" {
				return p.errf(n, "unknown profile %q (want windows or docs)", k)
			}
		}
		sc.Profiles = words[1:]
	case head == "source":
		if len(words) != 3 || !strings.HasPrefix(words[1], "dlls/") || !IsWineTestFunction(words[2]) {
			return p.errf(n, "source wants a Wine test file and function: source dlls/ws2_32/tests/sock.c test_WSARecv")
		}
		sc.Sources = append(sc.Sources, words[1]+" "+words[2])
	case head == "emulator-only":
		sc.EmulatorOnly = strings.TrimSpace(strings.TrimPrefix(trim, "emulator-only"))
		if sc.EmulatorOnly == "" {
			return p.errf(n, "emulator-only needs a reason")
		}
	case (head == "settle" || strings.HasSuffix(head, ":")) && len(sc.Steps) >= MaxSteps:
		return p.errf(n, "more than %d steps (spec.MaxSteps)", MaxSteps)
	case head == "settle" && len(words) > 1:
		return p.errf(n, "settle takes nothing more, not %q", words[1])
	case head == "settle":
		sc.Steps = append(sc.Steps, Step{Line: n, Call: Call{Line: n, Name: "settle"}})
	case declKinds[head]:
		if len(sc.Steps) > 0 {
			return p.errf(n, "declaration %q after the first step: declare everything first", head)
		}
		if len(words) < 2 {
			return p.errf(n, "%s needs a name", head)
		}
		d := Decl{Line: n, Kind: head, Name: words[1]}
		rest := words[2:]
		for i, w := range rest {
			if w == "does" {
				if i+1 >= len(rest) {
					return p.errf(n, "does needs a call")
				}
				c := Call{Line: n, Name: rest[i+1], Args: parseArgs(rest[i+2:])}
				d.Does = &c
				rest = rest[:i]
				break
			}
		}
		d.Args = parseArgs(rest)
		if o, ok := p.names[d.Name]; ok {
			return p.errf(n, "%q is already declared on line %d", d.Name, o.Line)
		}
		if len(sc.Decls) >= MaxDecls {
			return p.errf(n, "more than %d declarations (spec.MaxDecls)", MaxDecls)
		}
		sc.Decls = append(sc.Decls, d)
		p.names[d.Name] = &Decl{Line: d.Line, Kind: d.Kind, Name: d.Name}
	case strings.HasSuffix(head, ":"):
		th := strings.TrimSuffix(head, ":")
		if len(words) < 2 {
			return p.errf(n, "%s needs a call", head)
		}
		sc.Steps = append(sc.Steps, Step{Line: n, Thread: th, Call: Call{Line: n, Name: words[1], Args: parseArgs(words[2:])}})
	default:
		return p.errf(n, "cannot read %q: expected a declaration, a step \"T: Call args\", settle, or an indented expectation", head)
	}
	return nil
}

func (p *parser) expectation(n int, words []string, trim string) error {
	sc := p.sc
	if len(sc.Steps) == 0 {
		return p.errf(n, "expectation before any step")
	}
	add := func(e Expect) {
		if len(p.stack) > 0 {
			g := p.stack[len(p.stack)-1]
			g.branches[len(g.branches)-1] = append(g.branches[len(g.branches)-1], e)
			return
		}
		st := &sc.Steps[len(sc.Steps)-1]
		st.Expect = append(st.Expect, e)
	}
	switch words[0] {
	case "either":
		if len(p.stack) >= MaxNesting {
			return p.errf(n, "either/or nested deeper than %d (spec.MaxNesting)", MaxNesting)
		}
		p.stack = append(p.stack, &group{line: n, branches: [][]Expect{nil}})
	case "or":
		if len(p.stack) == 0 {
			return p.errf(n, "or without either")
		}
		g := p.stack[len(p.stack)-1]
		g.branches = append(g.branches, nil)
	case "end":
		if len(p.stack) == 0 {
			return p.errf(n, "end without either")
		}
		g := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		if len(g.branches) < 2 {
			return p.errf(g.line, "either needs at least one or")
		}
		add(Expect{Line: g.line, Alts: g.branches})
	case "says":
		st := &sc.Steps[len(sc.Steps)-1]
		s := strings.TrimSpace(strings.TrimPrefix(trim, "says"))
		if st.Says != "" {
			st.Says += " "
		}
		st.Says += s
	default:
		add(Expect{Line: n, Words: words})
	}
	return nil
}

func insideQuotes(s string, i int) bool {
	return strings.Count(s[:i], "\"")%2 == 1
}

// splitWords splits on blanks, keeping "quoted strings" (Go escapes
// allowed) as one word without their quotes.
func splitWords(s string) ([]string, error) {
	// Room for every run of non-blanks: the words, or more when a quoted
	// one holds blanks.
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			n++
		}
	}
	out := make([]string, 0, n)
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		if s[i] == '"' || strings.HasPrefix(s[i:], "=\"") {
			// handled below as part of a key="value" word
		}
		inQ := false
		for i < len(s) && (inQ || (s[i] != ' ' && s[i] != '\t')) {
			if s[i] == '\\' && inQ && i+1 < len(s) {
				i += 2
				continue
			}
			if s[i] == '"' {
				inQ = !inQ
			}
			i++
		}
		if inQ {
			return nil, fmt.Errorf("unterminated quoted string")
		}
		w, err := unquoteWord(s[start:i])
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty line")
	}
	return out, nil
}

func unquoteWord(w string) (string, error) {
	q := strings.IndexByte(w, '"')
	if q < 0 {
		return w, nil
	}
	if !strings.HasSuffix(w, "\"") || q == len(w)-1 {
		return "", fmt.Errorf("bad quoting in %s", w)
	}
	var b strings.Builder
	b.WriteString(w[:q])
	un, err := unquote(w[q:])
	if err != nil {
		return "", fmt.Errorf("bad quoted string %s: %v", w[q:], err)
	}
	b.WriteString(quotedMark)
	b.WriteString(un)
	return b.String(), nil
}

// quotedMark prefixes a word's value that was written in quotes, so "0"
// (a string) and 0 (a number) stay apart. It is a byte that cannot appear
// in a scenario line otherwise.
const quotedMark = "\x00"

// AsWritten shows a word as the scenario wrote it: a word given in quotes
// comes back in quotes.
func AsWritten(w string) string {
	if i := strings.Index(w, quotedMark); i >= 0 {
		return w[:i] + strconv.Quote(w[i+len(quotedMark):])
	}
	return w
}

// Keys returns the key=value arguments' keys, sorted.
func (a Args) Keys() []string { return a.order() }

// Quoted reports whether a word was written in quotes, and its text.
func Quoted(w string) (string, bool) {
	if i := strings.Index(w, quotedMark); i >= 0 {
		return w[i+1:], true
	}
	return w, false
}

func parseArgs(words []string) Args {
	a := Args{}
	for _, w := range words {
		if i := strings.IndexByte(w, '='); i > 0 && !strings.HasPrefix(w, quotedMark) {
			if a.KV == nil {
				a.KV = map[string]string{}
			}
			k, v := w[:i], w[i+1:]
			if v2, ok := Quoted(v); ok {
				v = quotedMark + v2
			}
			a.KV[k] = v
			continue
		}
		a.Pos = append(a.Pos, w)
	}
	return a
}
