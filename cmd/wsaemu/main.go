// Command wsaemu runs the Winsock overlapped-I/O emulator on scenarios.
//
//	wsaemu tour                  the built-in introductory scenarios, each
//	                             timeline explained step by step
//	wsaemu run FILE|DIR          the timeline of any scenario
//	wsaemu check [FILE|DIR]      pass/fail of scenarios (default: the
//	                             built-in corpus), under every provider kind
//	                             and profile they name
//	wsaemu spec                  the clause catalogue and its coverage
//	wsaemu explore FILE -seeds N run under N schedules; report any that
//	                             breaks an expectation
//	wsaemu replay FILE -seed S   re-run one schedule and print its trace
//	wsaemu merge FILE...         join explore -shard i/n -json results
//
// Timelines and the catalogue fit the terminal's width: tour, run, replay
// and spec take -width N; without it COLUMNS, then the terminal's real
// width, then 80 columns when standard output is not a terminal.
//
// Exit codes: 0 success; 1 an expectation failed; 2 bad usage; 3 a
// scenario could not be read or run (missing file, syntax, unknown call or
// object), with file:line.
package main

import (
	"fmt"
	"io"
	"os"
)

const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitScenario = 3
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: wsaemu <command> [flags] [args]

commands:
  tour      run the built-in introductory scenarios, explaining each timeline
  run       print the timeline of a scenario file (or every file of a directory)
            or, with -trace FILE, of a recorded trace
  check     check scenarios (default: the built-in corpus); exit 1 on failure
  spec      print the clause catalogue and its coverage
  explore   run a scenario under many schedules and report any that fails
  replay    re-run one schedule of a scenario and print its full trace
  merge     join the -json results of explore's shards into one report
  check-trace  check runs recorded from a real Winsock against the model

Output fits the terminal's width (80 columns when it is not a terminal;
-width N or COLUMNS to choose). Exit codes: 0 ok, 1 an expectation failed,
2 bad usage, 3 a scenario could not be read or run. Run
'wsaemu <command> -h' for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"tour": cmdTour, "run": cmdRun, "check": cmdCheck, "spec": cmdSpec,
		"explore": cmdExplore, "replay": cmdReplay, "check-trace": cmdCheckTrace,
		"merge": cmdMerge,
	}
	if f, ok := cmds[args[0]]; ok {
		return f(args[1:], stdout, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "wsaemu: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
