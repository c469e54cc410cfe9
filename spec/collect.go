package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Ext is a scenario file's name ending.
const Ext = ".scenario"

// Collect returns the scenario files at path: the file itself, or every
// scenario below a directory, in sorted order. Only regular files are
// taken (a symbolic link is followed): below a directory anything else
// named *.scenario (a FIFO, a device, a socket) is skipped, and given by
// name it is an error, since reading it could block for ever.
func Collect(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() {
			return nil, notRegular(path, fi)
		}
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, Ext) {
			return nil
		}
		if !d.Type().IsRegular() {
			fi, err := os.Stat(p) // a link: follow it
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		out = append(out, p)
		return nil
	})
	sort.Strings(out)
	return out, err
}

// notRegular is the error for a path that is not a regular file.
func notRegular(path string, fi os.FileInfo) error {
	what := "not a regular file"
	switch t := fi.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case t&fs.ModeDevice != 0:
		what = "a device, not a regular file"
	case t&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	}
	return &fs.PathError{Op: "read", Path: path, Err: errors.New(what)}
}

// Configs lists the configurations a scenario runs under: each provider
// kind and profile it names.
func Configs(sc *Scenario) []RunConfig {
	var out []RunConfig
	for _, k := range sc.Kinds {
		for _, p := range sc.Profiles {
			out = append(out, RunConfig{Kind: k, Profile: p})
		}
	}
	return out
}
