package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/wsaemu/wsaemu/spec"
)

type checkResult struct {
	File     string   `json:"file"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Profile  string   `json:"profile"`
	Passed   bool     `json:"passed"`
	Failures []string `json:"failures,omitempty"`
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[FILE|DIR...]", stderr, "Check scenarios on the emulator under every provider kind and profile they\nname (default: the built-in corpus). Exit 1 if any expectation fails."+exhaustiveHelp+exhaustiveWorkHelp+completeHelp)
	kind := fs.String("kind", "all", "provider kind: nonifs, ifs, layered or all")
	profile := fs.String("profile", "all", "profile: windows, docs or all")
	jsonOut := fs.Bool("json", false, "one JSON object per run")
	quiet := fs.Bool("q", false, "print failures and the summary only")
	var xf exhaustiveFlags
	fs.BoolVar(&xf.on, "exhaustive", false, "run every schedule within -bound (see above) instead of the usual one")
	fs.IntVar(&xf.bound, "bound", 3, "-exhaustive: the most non-default decisions per schedule")
	fs.IntVar(&xf.maxRuns, "max-runs", 100000, "-exhaustive: the most runs per scenario and configuration (0: no limit)")
	fs.BoolVar(&xf.verbose, "v", false, "-exhaustive: list the results each step had, where it had more than one")
	fs.BoolVar(&xf.noPrune, "no-prune", false, "-exhaustive: run equivalent interleavings too (no reduction)")
	var cf completeFlags
	cf.register(fs)
	var xw exhaustiveWork
	xw.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !validKindProfile(*kind, *profile, stderr) {
		return exitUsage
	}
	if !onlyWith("check", setFlags(fs), stderr, "workers", "exhaustive", "shard", "exhaustive") {
		return exitUsage
	}
	if cf.complete || cf.list != "" {
		return checkComplete(stdout, stderr, fs, *kind, *profile, *quiet, xf, cf, xw)
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	if xf.on {
		return checkExhaustive(stdout, stderr, scs, *kind, *profile, xf, xw)
	}
	pass, fail, scenErr := 0, 0, 0
	enc := json.NewEncoder(stdout)
	// With -q the per-scenario lines are left out: a terminal gets one
	// updating progress line instead (nothing anywhere else).
	prog := newProgress(stderr)
	defer prog.clear()
	for i, sc := range scs {
		if *quiet && !*jsonOut {
			prog.show(fmt.Sprintf("checking %d/%d…", i+1, len(scs)))
		}
		for _, cfg := range configs(sc, *kind, *profile) {
			rep := spec.Run(sc, newEmulator(), cfg)
			res := checkResult{File: sc.File, Title: sc.Title, Kind: cfg.Kind, Profile: cfg.Profile, Passed: rep.Passed(), Failures: rep.Failures()}
			switch {
			case res.Passed:
				pass++
			case isScenarioErr(rep):
				scenErr++
			default:
				fail++
			}
			if *jsonOut {
				enc.Encode(res)
				continue
			}
			if res.Passed {
				if !*quiet {
					fmt.Fprintf(stdout, "ok    %s [%s/%s]\n", sc.File, cfg.Kind, cfg.Profile)
				}
				continue
			}
			prog.clear()
			fmt.Fprintf(stdout, "FAIL  %s [%s/%s] %s\n", sc.File, cfg.Kind, cfg.Profile, sc.Title)
			for _, f := range res.Failures {
				fmt.Fprintf(stdout, "      %s\n", f)
			}
		}
	}
	prog.clear()
	if !*jsonOut {
		fmt.Fprintf(stdout, "%d passed, %d failed\n", pass, fail+scenErr)
	}
	switch {
	case scenErr > 0:
		return exitScenario
	case fail > 0:
		return exitFailed
	}
	return exitOK
}
