package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI tests are testscript files under testdata/script: each runs the
// real command (built into the test binary) and checks its output and exit
// code.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wsaemu": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
