package spec

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Issue 10: spec is the specification alone and the native backend talks
// to the real ws2_32 only, so neither links the emulator or the in-memory
// provider — not directly, not through another package. The native
// backend is checked as it is built for Windows.
func TestSpecAndNativeLinkNoEmulator(t *testing.T) {
	for _, c := range []struct {
		goos string
		pkgs []string
	}{
		{"", []string{".", "./native"}},
		{"windows", []string{".", "./native", "../cmd/wsaemu-native"}},
	} {
		cmd := exec.Command("go", append([]string{"list", "-deps"}, c.pkgs...)...)
		cmd.Env = os.Environ()
		if c.goos != "" {
			cmd.Env = append(cmd.Env, "GOOS="+c.goos)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %v (GOOS=%s): %v\n%s", c.pkgs, c.goos, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/wsaemu/wsaemu/emu" || dep == "github.com/wsaemu/wsaemu/provider/mem" {
				t.Errorf("%v (GOOS=%q) depend on %s", c.pkgs, c.goos, dep)
			}
		}
	}
}
