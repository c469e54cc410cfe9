package spec

import (
	"strings"
	"testing"
)

// A scenario is decoded once, when it is read (issue 10, item 1): a bad
// call, argument or object name is a ParseError at its line before any
// backend runs.
func TestDecodeErrorsAtParse(t *testing.T) {
	head := "title t\nthread A\nevent ev\nbuffer b 4\noverlapped ov event=ev\nsocket s udp4\n"
	for _, tc := range []struct{ step, want string }{
		{"A: Frobnicate 1", `unknown call "Frobnicate"`},
		{"A: SleeEx 1", `unknown call "SleeEx" (did you mean "SleepEx"?)`},
		{"A: WSARecv s b ov2", `"ov2" is not a declared overlapped record (did you mean "ov"?)`},
		{"A: SleepEx soon", `SleepEx: bad time "soon"`},
		{"A: WSARecv s b nosuch", `WSARecv: "nosuch" is not a declared overlapped record`},
		{"A: WSARecv s nosuch ov", `WSARecv: "nosuch" is not a declared buffer`},
		{"A: WSARecv s b ov routine=b", `WSARecv: routine="b" is not a declared routine`},
		{"A: SetEvent nosuch", `SetEvent: unknown handle "nosuch"`},
		{"A: WSAIoctl s FROB", `WSAIoctl: unknown ioctl code "FROB"`},
		{"A: ReadFile s b ov len=9", `ReadFile: len="9"`},
		{"A: GetQueuedCompletionStatusEx s", "GetQueuedCompletionStatusEx: needs 3 arguments"},
	} {
		_, err := Parse("d.scenario", strings.NewReader(head+tc.step+"\n  return 0\n"))
		pe, ok := err.(*ParseError)
		if !ok || pe.Line != 7 || pe.File != "d.scenario" || !strings.Contains(pe.Msg, tc.want) {
			t.Errorf("%s: want d.scenario:7: …%s…, got %v", tc.step, tc.want, err)
		}
	}
	// A routine's call is decoded too.
	_, err := Parse("d.scenario", strings.NewReader("title t\nthread A\nroutine r does SleepEx soon\nA: SleepEx 0\n"))
	if pe, ok := err.(*ParseError); !ok || pe.Line != 3 {
		t.Errorf("routine's call: want an error at line 3, got %v", err)
	}
}

// Calls is the call table's name → usage map; every entry decodes into an
// Op whose Entry is its own.
func TestCallTable(t *testing.T) {
	if len(Calls) != len(table) || len(CallNames()) != len(table) {
		t.Fatalf("Calls has %d names, the table %d entries", len(Calls), len(table))
	}
	for _, e := range table {
		if Calls[e.Name] != e.Usage || !strings.HasPrefix(e.Usage, e.Name) {
			t.Errorf("%s: usage %q", e.Name, Calls[e.Name])
		}
	}
	sc, err := Parse("d.scenario", strings.NewReader("title t\nthread A\nport p\nA: GetQueuedCompletionStatusEx p 4 0 alertable\n"))
	if err != nil {
		t.Fatal(err)
	}
	op, ok := sc.Steps[0].Call.Op.(*GetQueuedCompletionStatusExCall)
	if !ok || op.Entry().Name != "GetQueuedCompletionStatusEx" || op.Count != 4 || op.Ms != 0 || !op.Alertable || op.Port.Decl != 1 {
		t.Fatalf("decoded %#v", sc.Steps[0].Call.Op)
	}
}
