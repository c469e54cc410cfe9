package spec

// Limits on one scenario file. They keep the cost of reading and running a
// scenario bounded whatever the input: parsing is linear in the file's
// size, and past a limit the parser stops with an error naming it (with
// the file and line) instead of using unbounded memory or time.
const (
	// MaxFileSize is the largest scenario file, in bytes (4 MiB).
	MaxFileSize = 4 << 20
	// MaxLineLength is the longest line, in bytes, without its newline.
	MaxLineLength = 64 << 10
	// MaxNesting is how deeply either/or groups may nest.
	MaxNesting = 32
	// MaxDecls is the most declarations one scenario may make.
	MaxDecls = 100_000
	// MaxSteps is the most steps (calls and settles) one scenario may have.
	MaxSteps = 100_000
)
