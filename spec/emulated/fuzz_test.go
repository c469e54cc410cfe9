package emulated

import (
	"bytes"
	"github.com/wsaemu/wsaemu/spec"
	"testing"
)

// FuzzParse feeds arbitrary text to the scenario parser and, when it
// parses, runs it on the emulator: neither may panic, whatever the input
// (the CLI's promise for bad input: a message with file:line, never a
// crash). The seed corpus is every scenario of the built-in corpus.
func FuzzParse(f *testing.F) {
	for _, p := range spec.EmbeddedFiles() {
		b, err := spec.Corpus.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("title x\nthread A\nA: SleepEx 0\n  return 0\n"))
	f.Add([]byte("title x\nthread A\nA: WSARecv nosuch b ov\n  either\n  or\n  end\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := spec.Parse("fuzz.scenario", bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*spec.ParseError); !ok {
				t.Fatalf("parse error without a place: %v", err)
			}
			return
		}
		if len(sc.Steps) > 200 || len(sc.Decls) > 100 {
			return // keep each run small
		}
		rep := spec.Run(sc, &Emulator{}, spec.RunConfig{Kind: "nonifs", Profile: "windows"})
		_ = rep.Failures()
	})
}
