// Command iocpecho runs the completion-port echo exchange of package
// iocpecho on loopback and prints an OK line; it exits 1 on failure.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wsaemu/wsaemu/examples/iocpecho"
	"github.com/wsaemu/wsaemu/windows"
)

func main() {
	var o iocpecho.Options
	flag.IntVar(&o.Workers, "workers", 3, "worker threads on the completion port")
	flag.IntVar(&o.Clients, "clients", 3, "client connections")
	flag.IntVar(&o.Messages, "messages", 4, "messages per client")
	flag.BoolVar(&o.WaitOnSkippedSuccess, "buggy", false, "seed bug (a): wait on the port for a receive that succeeded at once under the skip mode")
	flag.Parse()
	var res iocpecho.Result
	var err error
	if rerr := windows.Run(func() { res, err = iocpecho.Exchange(o) }); rerr != nil {
		err = rerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "iocpecho: FAIL:", err)
		os.Exit(1)
	}
	fmt.Printf("iocpecho: OK: %d clients x %d messages echoed by %d workers on one completion port (skip-on-success %v)\n", o.Clients, o.Messages, o.Workers, res.SkipOnSuccess)
}
