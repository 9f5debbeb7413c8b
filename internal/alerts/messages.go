package alerts

import "errors"

// Locale message ids of the replies (locales/alerts.*.toml). Template data
// is named beside each; plural ones go through Bundle.N.
const (
	MsgFollowOK       = "alerts_follow_ok"        // Phrase
	MsgUnfollowOK     = "alerts_unfollow_ok"      // Phrase
	MsgUnfollowAll    = "alerts_unfollow_all"     // plural: Count
	MsgUnfollowNone   = "alerts_unfollow_none"    // the list was already empty
	MsgFollowingHead  = "alerts_following_header" // Count, Max
	MsgFollowingEmpty = "alerts_following_empty"
	MsgMuteOK         = "alerts_mute_ok"    // Phrase
	MsgUnmuteOK       = "alerts_unmute_ok"  // Phrase
	MsgUnmuteAll      = "alerts_unmute_all" // plural: Count
	MsgUnmuteNone     = "alerts_unmute_none"
	MsgMutedHead      = "alerts_muted_header" // Count, Max
	MsgMutedEmpty     = "alerts_muted_empty"
	MsgListItem       = "alerts_list_item" // Phrase: one line of either list
	MsgReason         = "alerts_reason"    // Phrases: «упомянута: Комсомольская, Лебеди»

	MsgHelpFollow    = "alerts_help_follow"
	MsgHelpUnfollow  = "alerts_help_unfollow"
	MsgHelpFollowing = "alerts_help_following"
	MsgHelpMute      = "alerts_help_mute"
	MsgHelpUnmute    = "alerts_help_unmute"
)

// errorIDs maps each user error to its message; the list-specific ones have
// a follow and a mute variant.
var errorIDs = []struct {
	kind         error
	follow, mute string
}{
	{ErrEmpty, "alerts_err_empty", "alerts_err_empty"},
	{ErrTooLong, "alerts_err_too_long", "alerts_err_too_long"},
	{ErrInvalid, "alerts_err_invalid", "alerts_err_invalid"},
	{ErrTooCommon, "alerts_err_too_common", "alerts_err_too_common"},
	{ErrTooMany, "alerts_err_too_many_follow", "alerts_err_too_many_mute"},
	{ErrExists, "alerts_err_exists_follow", "alerts_err_exists_mute"},
	{ErrNotFound, "alerts_err_not_found_follow", "alerts_err_not_found_mute"},
}

// ErrorMessage gives the locale message for a user error returned by
// ParseArg, Follow, Mute, Unfollow or Unmute, with its template data (Phrase,
// Max). ok is false for any other error: the handler logs it and answers
// with its generic failure text.
func ErrorMessage(err error) (id string, data map[string]any, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return "", nil, false
	}
	for _, m := range errorIDs {
		if !errors.Is(e.Kind, m.kind) {
			continue
		}
		id = m.follow
		if e.Mute {
			id = m.mute
		}
		data = map[string]any{"Phrase": e.Phrase, "Max": MaxPhrases}
		if m.kind == ErrTooLong {
			data["Max"] = MaxPhraseRunes
		}
		return id, data, true
	}
	return "", nil, false
}
