// Command wsaemu runs the Winsock overlapped-I/O emulator.
//
//	wsaemu tour     run the built-in introductory scenarios and print each
//	                one's timeline with what happened and why
//
// Exit codes: 0 success, 1 a scenario failed, 2 bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: wsaemu <command> [flags]

commands:
  tour    run the built-in introductory scenarios, printing each timeline
          with an explanation

Run 'wsaemu <command> -h' for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "tour":
		return cmdTour(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "wsaemu: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func cmdTour(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tour", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.Int("stop", 0, "run only this stop of the tour (1-based; 0 = all)")
	jsonOut := fs.Bool("json", false, "print each stop's trace as JSON lines instead of text")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wsaemu tour: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *only < 0 || *only > len(tourStops) {
		fmt.Fprintf(stderr, "wsaemu tour: -stop must be between 1 and %d\n", len(tourStops))
		return 2
	}
	failed := 0
	for i, stop := range tourStops {
		if *only != 0 && *only != i+1 {
			continue
		}
		if err := stop.show(i+1, stdout, *jsonOut); err != nil {
			fmt.Fprintf(stderr, "tour stop %d (%s): %v\n", i+1, stop.title, err)
			failed++
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}
