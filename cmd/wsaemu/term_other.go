//go:build !unix && !windows

package main

import "os"

// termWidth: no way to ask on this system; treated as not a terminal.
func termWidth(f *os.File) (int, bool) { return 0, false }
