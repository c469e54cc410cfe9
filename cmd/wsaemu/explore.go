package main

import (
	"fmt"
	"io"

	"github.com/wsaemu/wsaemu/spec"
)

func cmdExplore(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explore", "FILE|DIR", stderr, "Run scenarios under many schedules: every open decision (complete now or\npend, which routine runs first, which thread goes next, does a cancel win)\nis drawn from a seed. Reports every seed that breaks an expectation, with\nthe command that replays it.")
	seeds := fs.Int("seeds", 100, "how many seeds to try per scenario and configuration")
	start := fs.Uint64("start", 1, "first seed")
	kind := fs.String("kind", "all", "provider kind: nonifs, ifs or all")
	profile := fs.String("profile", "all", "profile: windows, docs or all")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wsaemu explore: name a scenario file or directory")
		return exitUsage
	}
	if *seeds < 1 || !validKindProfile(*kind, *profile, stderr) {
		if *seeds < 1 {
			fmt.Fprintln(stderr, "wsaemu explore: -seeds must be at least 1")
		}
		return exitUsage
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	bad := 0
	runs := 0
	for _, sc := range scs {
		for _, cfg := range configs(sc, *kind, *profile) {
			for i := 0; i < *seeds; i++ {
				c := cfg
				c.Seed, c.Seeded = *start+uint64(i), true
				rep := spec.Run(sc, &spec.Emulator{}, c)
				runs++
				if runs%500 == 0 {
					fmt.Fprintf(stderr, "explored %d runs…\n", runs)
				}
				if isScenarioErr(rep) {
					fmt.Fprintf(stderr, "wsaemu: %v\n", rep.Err)
					return exitScenario
				}
				if rep.Passed() {
					continue
				}
				bad++
				fmt.Fprintf(stdout, "FAIL  %s [%s/%s] seed %d\n", sc.File, c.Kind, c.Profile, c.Seed)
				for _, f := range rep.Failures() {
					fmt.Fprintf(stdout, "      %s\n", f)
				}
				fmt.Fprintf(stdout, "      replay: wsaemu replay -seed %d -kind %s -profile %s %s\n", c.Seed, c.Kind, c.Profile, sc.File)
				break
			}
		}
	}
	fmt.Fprintf(stdout, "%d runs, %d failing schedule(s)\n", runs, bad)
	if bad > 0 {
		return exitFailed
	}
	return exitOK
}

func cmdReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("replay", "FILE", stderr, "Re-run one schedule of a scenario (the seed explore reported) and print its\ntimeline and full trace.")
	seed := fs.Uint64("seed", 0, "the seed to replay (required)")
	kind := fs.String("kind", "nonifs", "provider kind: nonifs or ifs")
	profile := fs.String("profile", "windows", "profile: windows or docs")
	format := fs.String("format", "trace", "trace (full trace as text), json, or text (lanes)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || *seed == 0 {
		fmt.Fprintln(stderr, "wsaemu replay: give -seed N and one scenario file")
		return exitUsage
	}
	if !validKindProfile(*kind, *profile, stderr) || *kind == "all" || *profile == "all" {
		return exitUsage
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	rep := show(stdout, scs[0], spec.RunConfig{Kind: *kind, Profile: *profile, Seed: *seed, Seeded: true}, *format, spec.RunConfig{})
	for _, f := range rep.Failures() {
		fmt.Fprintf(stderr, "%s\n", f)
	}
	switch {
	case isScenarioErr(rep):
		return exitScenario
	case !rep.Passed():
		return exitFailed
	}
	return exitOK
}
