package spec

import (
	"sort"
	"strconv"
)

func sortStrings(s []string) { sort.Strings(s) }

func unquote(s string) (string, error) { return strconv.Unquote(s) }

func fmtMs(d interface{ Milliseconds() int64 }) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
