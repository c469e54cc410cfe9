package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wsaemu/wsaemu/spec"
)

func newFlags(name, args string, stderr io.Writer, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wsaemu %s [flags] %s\n\n%s\n\nflags:\n", name, args, help)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses, turning -h into exit 0 and other errors into 2.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// onlyWith fails (usage) when a flag that only means something alongside
// another one is given without it: pairs are "flag", "needed flag".
func onlyWith(cmd string, set map[string]bool, stderr io.Writer, pairs ...string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if set[pairs[i]] && !set[pairs[i+1]] {
			fmt.Fprintf(stderr, "wsaemu %s: -%s only applies with -%s\n", cmd, pairs[i], pairs[i+1])
			return false
		}
	}
	return true
}

// load reads scenarios from paths (files or directories); with no paths it
// takes the built-in corpus.
func load(paths []string, stderr io.Writer) ([]*spec.Scenario, int) {
	return loadOn(paths, 1, stderr)
}

// loadOn is load parsing each directory's files on up to workers
// goroutines: the scenarios, and the first error in file order, are
// load's.
func loadOn(paths []string, workers int, stderr io.Writer) ([]*spec.Scenario, int) {
	var out []*spec.Scenario
	if len(paths) == 0 {
		for _, p := range spec.EmbeddedFiles() {
			sc, err := spec.ParseEmbedded(p)
			if err != nil {
				fmt.Fprintf(stderr, "wsaemu: %v\n", err)
				return nil, exitScenario
			}
			out = append(out, sc)
		}
		return out, 0
	}
	for _, p := range paths {
		files, err := spec.Collect(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(stderr, "wsaemu: %s: no such file or directory\n", p)
			} else {
				fmt.Fprintf(stderr, "wsaemu: %v\n", err)
			}
			return nil, exitScenario
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "wsaemu: %s: no %s files\n", p, spec.Ext)
			return nil, exitScenario
		}
		scs, errs := parseFiles(files, workers)
		for i := range files {
			if errs[i] != nil {
				fmt.Fprintf(stderr, "wsaemu: %v\n", errs[i])
				return nil, exitScenario
			}
			out = append(out, scs[i])
		}
	}
	return out, 0
}

// parseFiles parses files on up to workers goroutines, each file's
// scenario or error at its index.
func parseFiles(files []string, workers int) ([]*spec.Scenario, []error) {
	scs, errs := make([]*spec.Scenario, len(files)), make([]error, len(files))
	var next atomic.Int64
	parse := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(files) {
				return
			}
			scs[i], errs[i] = spec.ParseFile(files[i])
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < min(workers, len(files)); w++ {
		wg.Go(parse)
	}
	parse()
	wg.Wait()
	return scs, errs
}

// configs narrows a scenario's configurations to the -kind and -profile
// flags ("all" keeps every one the scenario names).
func configs(sc *spec.Scenario, kind, profile string) []spec.RunConfig {
	var out []spec.RunConfig
	for _, c := range spec.Configs(sc) {
		if (kind == "all" || kind == c.Kind) && (profile == "all" || profile == c.Profile) {
			out = append(out, c)
		}
	}
	return out
}

func validKindProfile(kind, profile string, stderr io.Writer) bool {
	if kind != "all" && kind != "nonifs" && kind != "ifs" && kind != "layered" {
		fmt.Fprintf(stderr, "wsaemu: -kind must be nonifs, ifs, layered or all, not %q\n", kind)
		return false
	}
	if profile != "all" && profile != "windows" && profile != "docs" {
		fmt.Fprintf(stderr, "wsaemu: -profile must be windows, docs or all, not %q\n", profile)
		return false
	}
	return true
}

// isScenarioErr reports whether a report failed because the scenario
// could not be run (a mistake in it, or a panic during the run) as opposed
// to an expectation failing.
func isScenarioErr(r *spec.Report) bool { return r.CouldNotRun() }

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}

// newEmulator makes the emulator backend that check, run and explore run
// scenarios on. The CLI tests replace it to inject a fault.
var newEmulator = func() *emulated.Emulator { return &emulated.Emulator{} }
