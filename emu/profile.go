package emu

// Profile picks between behaviours on which the pages and current Windows
// disagree. A behaviour the pages leave open in every profile is a Chooser
// decision, not a profile entry. Every difference is listed in
// ProfileDifferences.
type Profile uint8

const (
	// ProfileWindows follows current Windows (Vista and later) as recorded
	// in shared/reference/ground-truth.md.
	ProfileWindows Profile = iota
	// ProfileDocs follows the pages where they are specific.
	ProfileDocs
)

func (p Profile) String() string {
	switch p {
	case ProfileWindows:
		return "windows"
	case ProfileDocs:
		return "docs"
	}
	return "profile?"
}

// ParseProfile turns "windows" or "docs" into a Profile.
func ParseProfile(s string) (Profile, bool) {
	switch s {
	case "windows":
		return ProfileWindows, true
	case "docs":
		return ProfileDocs, true
	}
	return 0, false
}

// ProfileDifference is one behaviour on which the profiles differ.
type ProfileDifference struct {
	Behaviour string
	Docs      string
	Windows   string
	Source    string
}

// ProfileDifferences lists every behaviour the profiles decide, with where
// each side comes from.
var ProfileDifferences = []ProfileDifference{
	{
		Behaviour: "thread exit with I/O still pending on a file or pipe",
		Docs:      "every request the thread issued is cancelled (STATUS_CANCELLED)",
		Windows:   "requests on handles associated with a completion port stay pending and complete normally; others are cancelled",
		Source:    "LPWSPGETOVERLAPPEDRESULT remarks ('All I/O initiated by a given thread is canceled when that thread exits'); CancelIoEx page on thread-agnostic I/O; ground-truth.md 'Thread exit'",
	},
}

// cancelOnThreadExit says whether a request issued by an exiting thread on
// file f is cancelled.
func (p Profile) cancelOnThreadExit(portAssociated bool) bool {
	if p == ProfileDocs {
		return true
	}
	return !portAssociated
}
