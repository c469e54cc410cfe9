// Command udproutine runs the completion-routine UDP exchange of package
// udproutine on loopback and prints an OK line; it exits 1 on failure.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wsaemu/wsaemu/examples/udproutine"
	"github.com/wsaemu/wsaemu/windows"
)

func main() {
	var o udproutine.Options
	flag.IntVar(&o.Datagrams, "datagrams", 16, "datagrams the client sends")
	flag.IntVar(&o.Receives, "receives", 3, "receives the server keeps posted")
	flag.BoolVar(&o.TrustIssueOrder, "buggy", false, "seed bug (b): the routine takes records in issue order")
	flag.Parse()
	var err error
	if rerr := windows.Run(func() { err = udproutine.Exchange(o) }); rerr != nil {
		err = rerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "udproutine: FAIL:", err)
		os.Exit(1)
	}
	fmt.Printf("udproutine: OK: %d datagrams taken through completion routines on %d posted receives\n", o.Datagrams, o.Receives)
}
