package spec

import (
	"sort"
	"strconv"
)

func sortStrings(s []string) { sort.Strings(s) }

func unquote(s string) (string, error) { return strconv.Unquote(s) }
