package timeline

import (
	"sort"
	"strconv"
)

func sortStrings(s []string) { sort.Strings(s) }

func fmtMs(d interface{ Milliseconds() int64 }) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
