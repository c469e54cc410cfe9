package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Ext is a scenario file's name ending.
const Ext = ".scenario"

// Collect returns the scenario files at path: the file itself, or every
// scenario below a directory, in sorted order.
func Collect(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, Ext) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
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
