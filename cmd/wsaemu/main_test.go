package main

import (
	"errors"
	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI tests are testscript files under testdata/script: each runs the
// real command (built into the test binary) and checks its output and exit
// code.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wsaemu": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
		// wsaemu-faulty is the command with a fault injected into the
		// emulator: its Chooser panics at the first open decision, which
		// the emulator asks for inside an emulated thread's call (or in
		// its scheduler). What the CLI does with that is what it does
		// with any bug of the emulator.
		"wsaemu-faulty": func() {
			newEmulator = func() *emulated.Emulator { return &emulated.Emulator{Chooser: panicChooser{}} }
			os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// panicChooser stands for a bug inside the emulator.
type panicChooser struct{}

func (panicChooser) Choose(emu.Point, int) int { panic("injected fault: the chooser failed") }

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"exits": cmdExits, "mkfifo": cmdMkfifo,
		"longscenario": cmdLongScenario,
	}})
}

// cmdExits is "exits N PROGRAM ARGS...": run the program and require exit
// code N exactly (the README's codes: 0 ok, 1 an expectation failed, 2 bad
// usage, 3 a scenario could not be read or run). Its output is then
// available to stdout and stderr like exec's.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdLongScenario is "longscenario PATH N": write a scenario whose third
// line is N bytes long.
func cmdLongScenario(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: longscenario PATH N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	long := "#" + strings.Repeat("x", n-1)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte("title long\nthread A\n"+long+"\nA: SleepEx 0\n"), 0o644))
}
