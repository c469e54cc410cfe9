package spec

import (
	"testing"
)

// The expectations a run checks allocate nothing when they hold, and an
// either/or group whose first branch fails before another holds allocates
// nothing either: the failed branch's message is written into the
// evaluator's kept buffer and cut off again. Values compare as text, as
// numbers, as names, as + bits and as addresses with any port.
func TestEvaluatorHoldingAllocatesNothing(t *testing.T) {
	out := Outcome{Ret: "SOCKET_ERROR", Err: "WSA_IO_PENDING", Outs: map[string]string{
		"bytes": "untouched", "flags": "0", "from": "127.0.0.1:5000", "events": "FD_READ+FD_WRITE", "value": "259", "key": "1234567",
	}}
	line := func(w ...string) Expect { return Expect{Line: 1, Words: w} }
	exps := []Expect{
		line("return", "SOCKET_ERROR", "WSA_IO_PENDING", "bytes=untouched"),
		line("return", "0|SOCKET_ERROR", "WSAEWOULDBLOCK|WSA_IO_PENDING"),
		line("return", "SOCKET_ERROR|0"),
		line("bytes=untouched|0", "flags=0x0", "value=STATUS_PENDING", "key=1234567"),
		line("from=127.0.0.1:*", "events=FD_WRITE+FD_READ"),
		line("flags=\x00" + "0"),
		{Line: 2, Alts: [][]Expect{
			{line("return", "0"), line("bytes=5")},
			{line("return", "SOCKET_ERROR"), line("flags=1")},
			{{Line: 3, Alts: [][]Expect{{line("value=1")}, {line("return", "SOCKET_ERROR", "WSA_IO_PENDING")}}}},
		}},
	}
	ev := &evaluator{out: out, last: map[string]Completion{}}
	for _, e := range exps {
		if fs := ev.check(e); fs != nil {
			t.Fatalf("%s: %v", e, fs)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() {
		for _, e := range exps {
			ev.check(e)
		}
	}); allocs != 0 {
		t.Errorf("%v allocations checking %d holding expectations", allocs, len(exps))
	}
}

// Comparing values allocates nothing, whether they match or not.
func TestMatchValueAllocatesNothing(t *testing.T) {
	pairs := [][2]string{
		{"untouched", "untouched"}, {"0", "0x0"}, {"259", "STATUS_PENDING"}, {"untouched", "5|0"},
		{"SOCKET_ERROR", "0|1|2"}, {"[::1]:5000", "[::1]:*"}, {"FD_READ+FD_WRITE", "FD_WRITE+FD_READ"},
		{"10035", "WSAEWOULDBLOCK"}, {"x", "\x00x"}, {"", "none"}, {"127.0.0.1:5000", "5"}, {"127.0.0.1:5000", "127.0.0.2:*"},
	}
	if allocs := testing.AllocsPerRun(100, func() {
		for _, p := range pairs {
			matchValue(p[0], p[1])
		}
	}); allocs != 0 {
		t.Errorf("%v allocations comparing %d pairs", allocs, len(pairs))
	}
}
