package telegram

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIError is an answer of the Bot API with ok=false.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  time.Duration
	MigrateTo   int64
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
}

// Class is what the bot should do about an error.
type Class int

// The error classes of TELEGRAM.md.
const (
	ClassNone        Class = iota // no error
	ClassRetryAfter               // 429: wait RetryAfter for the scope, then retry
	ClassTransient                // 5xx, HTML page, network: back off with jitter
	ClassChatGone                 // blocked, deactivated, kicked, chat not found: mark inactive
	ClassMigrated                 // group became a supergroup: move and retry
	ClassBadEntities              // can't parse entities: resend as plain text
	ClassNotModified              // edit with the same content: success
	ClassBadRequest               // any other 4xx: permanent for this message
)

func (c Class) String() string {
	return [...]string{"ok", "retry_after", "transient", "chat_gone", "migrated",
		"bad_entities", "not_modified", "bad_request"}[c]
}

// Classify sorts an error from Call into a Class.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return ClassTransient
	}
	d := strings.ToLower(ae.Description)
	switch {
	case ae.Code == 429 || ae.RetryAfter > 0:
		return ClassRetryAfter
	case ae.MigrateTo != 0:
		return ClassMigrated
	case ae.Code >= 500 || ae.Code == 0:
		return ClassTransient
	case ae.Code == 403:
		return ClassChatGone
	case strings.Contains(d, "chat not found"), strings.Contains(d, "user not found"),
		strings.Contains(d, "bot was kicked"), strings.Contains(d, "chat_write_forbidden"),
		strings.Contains(d, "need administrator rights"), strings.Contains(d, "have no rights to send"):
		return ClassChatGone
	case strings.Contains(d, "can't parse entities"), strings.Contains(d, "can't find end of the entity"),
		strings.Contains(d, "unsupported start tag"):
		return ClassBadEntities
	case strings.Contains(d, "message is not modified"):
		return ClassNotModified
	}
	return ClassBadRequest
}

// GoneReason names why a chat is gone, for its record ("blocked", "deactivated", …).
func GoneReason(err error) string {
	var ae *APIError
	if !errors.As(err, &ae) {
		return "unknown"
	}
	d := strings.ToLower(ae.Description)
	for _, r := range []string{"blocked", "deactivated", "kicked", "not found", "initiate"} {
		if strings.Contains(d, r) {
			return strings.ReplaceAll(r, " ", "_")
		}
	}
	return "forbidden"
}

// RetryAfterOf returns how long a 429 asked to wait (at least one second).
func RetryAfterOf(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter
	}
	return time.Second
}
