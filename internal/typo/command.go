package typo

import (
	"regexp"
	"strings"
)

// separatorRE is a dash with white space (or the end of the text) on both
// sides: « — », « – », « - ». Unspaced dashes are words («кто-то») or
// ranges («1990–2000»).
var separatorRE = regexp.MustCompile(`(?:^|\s+)[—–-](?:\s+|$)`)

// ParseCommand splits the arguments of /typo <fragment> — <comment>. The
// split is at the LAST separator: a fragment is copied from news text,
// where spaced dashes are common, while a comment is typed and short.
func ParseCommand(args string) (fragment, comment string) {
	args = strings.TrimSpace(args)
	seps := separatorRE.FindAllStringIndex(args, -1)
	if len(seps) == 0 {
		return args, ""
	}
	last := seps[len(seps)-1]
	return strings.TrimSpace(args[:last[0]]), strings.TrimSpace(args[last[1]:])
}
