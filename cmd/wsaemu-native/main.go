//go:build windows

// Command wsaemu-native runs scenarios on the real Winsock of the system
// it runs on (Windows, or Wine) and writes one JSON line per scenario:
// what each step returned and which expectations failed.
//
//	wsaemu-native [-out FILE] [-inproc] SCENARIO-FILE-OR-DIR...
//
// Each scenario runs in a child process of its own (unless -inproc), so
// a crash or a thread stuck for ever costs one scenario, not the run.
// Scenarios that are not meant for real Winsock (non-IFS only, or the
// docs profile only) are listed as skipped. cmd/wsaemu-diff compares the
// output with the emulator.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/native"
)

func main() {
	out := flag.String("out", "", "write the JSON lines to this file (default: standard output)")
	inproc := flag.Bool("inproc", false, "run every scenario in this process")
	child := flag.Bool("child", false, "internal: run the one scenario named and print its line")
	timeout := flag.Duration("timeout", 90*time.Second, "time limit for one scenario")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wsaemu-native [-out FILE] [-inproc] SCENARIO-FILE-OR-DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *child {
		if flag.NArg() != 1 {
			os.Exit(2)
		}
		r := runOne(flag.Arg(0))
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var files []string
	for _, a := range flag.Args() {
		fs, err := spec.Collect(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wsaemu-native:", err)
			os.Exit(2)
		}
		files = append(files, fs...)
	}
	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wsaemu-native:", err)
			os.Exit(2)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	failed := 0
	for _, file := range files {
		start := time.Now()
		var r native.Result
		if *inproc {
			r = runOne(file)
		} else {
			r = runChild(file, *timeout)
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "wsaemu-native:", err)
			os.Exit(1)
		}
		verdict := "ok"
		switch {
		case r.Skipped != "":
			verdict = "skipped"
		case r.Unsupported:
			verdict = "unsupported"
		case !r.Passed:
			verdict = "FAIL"
			failed++
		}
		fmt.Fprintf(os.Stderr, "%-11s %s (%.1fs)\n", verdict, file, time.Since(start).Seconds())
	}
	fmt.Fprintf(os.Stderr, "%d scenarios, %d with failed expectations\n", len(files), failed)
}

// runOne parses and runs one scenario on the native backend.
func runOne(file string) native.Result {
	file = filepath.ToSlash(file)
	sc, err := spec.ParseFile(file)
	if err != nil {
		return native.Result{File: file, Kind: "native", Profile: "windows", Error: err.Error(), Failures: []string{err.Error()}}
	}
	if ok, why := native.Applies(sc); !ok {
		return native.Result{File: file, Title: sc.Title, Clauses: sc.Clauses, Kind: "native", Profile: "windows", Skipped: why, Passed: true}
	}
	// The scenarios bind fixed loopback ports. On a machine shared with
	// other runs (other checkouts' differential runs, a test suite) a port
	// may be taken for a moment: a run whose set-up found its address in
	// use never started its steps, so it is run again after a pause,
	// within a bound, instead of being recorded as a result.
	var r native.Result
	for try := 1; ; try++ {
		rep := spec.Run(sc, &native.Backend{}, spec.RunConfig{Kind: "ifs", Profile: "windows"})
		r = native.FromReport(rep, "native", "windows")
		if !setupAddrInUse(r) || try == bindTries {
			return r
		}
		time.Sleep(bindPause)
	}
}

// bindTries and bindPause bound runOne's retries of a run whose set-up
// found a port in use (about 30 s in all).
const (
	bindTries = 60
	bindPause = 500 * time.Millisecond
)

// setupAddrInUse reports whether a run stopped before its first step
// because a declared socket's address was in use.
func setupAddrInUse(r native.Result) bool {
	return len(r.Steps) == 0 && strings.Contains(r.Error, "WSAEADDRINUSE")
}

// startTries is how often runChild tries to start a child process.
const startTries = 4

// runChild runs one scenario in a child process.
func runChild(file string, limit time.Duration) native.Result {
	self, err := os.Executable()
	if err != nil {
		return crashed(file, err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var stdout, stderr bytes.Buffer
	// Under a loaded Wine, starting a process now and then fails at once
	// ("fork/exec ...: Internal error"): the child never ran, so start it
	// again, a few times at most.
	for try := 1; ; try++ {
		cmd := exec.CommandContext(ctx, self, "-child", file)
		stdout.Reset()
		stderr.Reset()
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err = cmd.Start(); err == nil {
			err = cmd.Wait()
			break
		}
		if try == startTries || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(try) * 200 * time.Millisecond)
	}
	var r native.Result
	if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &r); jerr == nil && r.File != "" {
		return r
	}
	why := "no result"
	if err != nil {
		why = err.Error()
	}
	if ctx.Err() != nil {
		why = fmt.Sprintf("timed out after %v", limit)
	}
	tail := strings.TrimSpace(stderr.String())
	if len(tail) > 2000 {
		tail = tail[len(tail)-2000:]
	}
	if tail != "" {
		why += ": " + tail
	}
	return crashed(file, why)
}

func crashed(file, why string) native.Result {
	file = filepath.ToSlash(file)
	msg := "native run crashed: " + why
	r := native.Result{File: file, Kind: "native", Profile: "windows", Error: msg, Failures: []string{msg}}
	if sc, err := spec.ParseFile(file); err == nil {
		r.Title, r.Clauses = sc.Title, sc.Clauses
	}
	return r
}
