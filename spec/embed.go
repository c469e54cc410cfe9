package spec

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Corpus is the scenario corpus built into the binary, so that the tour
// and "check" with no path work anywhere.
//
//go:embed scenarios
var Corpus embed.FS

// TourFiles lists the tour's scenarios in order: those named in
// scenarios/tour.txt, then every scenario under scenarios/tour/ by name.
func TourFiles() []string {
	var out []string
	seen := map[string]bool{}
	if b, err := fs.ReadFile(Corpus, "scenarios/tour.txt"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			p := path.Join("scenarios", l)
			if _, err := fs.Stat(Corpus, p); err == nil && !seen[p] {
				out = append(out, p)
				seen[p] = true
			}
		}
	}
	var more []string
	fs.WalkDir(Corpus, "scenarios/tour", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, Ext) && !seen[p] {
			more = append(more, p)
		}
		return nil
	})
	sort.Strings(more)
	return append(out, more...)
}

// ParseEmbedded parses a scenario of the built-in corpus.
func ParseEmbedded(p string) (*Scenario, error) {
	f, err := Corpus.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(p, f)
}

// EmbeddedFiles lists every scenario of the built-in corpus.
func EmbeddedFiles() []string {
	var out []string
	fs.WalkDir(Corpus, "scenarios", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, Ext) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
