package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// APIError is one error answer exactly as Telegram sends it; the HTTP status
// equals Code.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int   // seconds, sent as parameters.retry_after
	MigrateTo   int64 // sent as parameters.migrate_to_chat_id
}

func (e APIError) Error() string { return fmt.Sprintf("telegramtest: %d %s", e.Code, e.Description) }

// body is the JSON Telegram sends, with the same field order.
func (e APIError) body() []byte {
	type parameters struct {
		MigrateTo  int64 `json:"migrate_to_chat_id,omitempty"`
		RetryAfter int   `json:"retry_after,omitempty"`
	}
	type answer struct {
		OK          bool        `json:"ok"`
		Code        int         `json:"error_code"`
		Description string      `json:"description"`
		Parameters  *parameters `json:"parameters,omitempty"`
	}
	a := answer{Code: e.Code, Description: e.Description}
	if e.RetryAfter != 0 || e.MigrateTo != 0 {
		a.Parameters = &parameters{MigrateTo: e.MigrateTo, RetryAfter: e.RetryAfter}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Telegram does not escape <, > and & in descriptions
	_ = enc.Encode(a)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var notFound = APIError{Code: http.StatusNotFound, Description: "Not Found"}

func badRequest(what string) APIError {
	return APIError{Code: http.StatusBadRequest, Description: "Bad Request: " + what}
}

func forbidden(what string) APIError {
	return APIError{Code: http.StatusForbidden, Description: "Forbidden: " + what}
}

// TooManyRequests is a flood-control answer asking to wait retryAfter seconds.
func TooManyRequests(retryAfter int) APIError {
	return APIError{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// Blocked is what a send to a user who blocked the bot gets.
func Blocked() APIError { return forbidden("bot was blocked by the user") }

// Deactivated is what a send to a deleted account gets.
func Deactivated() APIError { return forbidden("user is deactivated") }

// Kicked is what a send to a group that removed the bot gets.
func Kicked() APIError { return forbidden("bot was kicked from the group chat") }

// CantInitiate is what a send to a user who never started the bot gets.
func CantInitiate() APIError { return forbidden("bot can't initiate conversation with a user") }

// ChatNotFound is what a send to an unknown chat gets.
func ChatNotFound() APIError { return badRequest("chat not found") }

// Migrated is what a send to a group upgraded to the supergroup newID gets.
func Migrated(newID int64) APIError {
	e := badRequest("group chat was upgraded to a supergroup chat")
	e.MigrateTo = newID
	return e
}

// CantParseEntities is what text with broken HTML markup gets.
func CantParseEntities() APIError {
	return badRequest(`can't parse entities: Unsupported start tag "p" at byte offset 0`)
}

// NotModified is what an edit that changes nothing gets.
func NotModified() APIError {
	return badRequest("message is not modified: specified new message content and reply markup " +
		"are exactly the same as a current content and reply markup of the message")
}

// QueryTooOld is what answering a stale callback query gets.
func QueryTooOld() APIError {
	return badRequest("query is too old and response timeout expired or query ID is invalid")
}

// Conflict is what getUpdates gets while another copy of the bot polls.
func Conflict() APIError {
	return APIError{Code: http.StatusConflict, Description: "Conflict: terminated by other getUpdates " +
		"request; make sure that only one bot instance is running"}
}

// Unauthorized is what a wrong or revoked token gets.
func Unauthorized() APIError {
	return APIError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
}

// ServerError is a JSON 5xx answer such as {"error_code":500,"description":"Internal Server Error"}.
func ServerError(code int) APIError {
	return APIError{Code: code, Description: http.StatusText(code)}
}

// nginxBadGateway is the page Telegram's front end gives when the API is down.
const nginxBadGateway = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"

func htmlReply() reply {
	return reply{status: http.StatusBadGateway, contentType: "text/html", body: []byte(nginxBadGateway)}
}

// rule is one injected failure or delay, applied to the next left calls.
type rule struct {
	left  int
	html  bool
	err   APIError
	delay time.Duration
}

// Hook may answer any call itself: handled, the HTTP status and the body.
type Hook func(c Call) (handled bool, status int, body string)

type faults struct {
	mu       sync.Mutex
	failures map[string][]rule // by lower-case method, applied in order
	delays   map[string][]rule
	chats    map[int64]APIError
	hook     Hook
}

// FailNext makes the next n calls of method fail with e.
func (s *Server) FailNext(method string, n int, e APIError) {
	s.faults.push(&s.faults.failures, method, rule{left: n, err: e})
}

// FailNextHTML makes the next n calls of method get nginx's HTML 502 page.
func (s *Server) FailNextHTML(method string, n int) {
	s.faults.push(&s.faults.failures, method, rule{left: n, html: true})
}

// DelayNext holds the next n calls of method for d (or until the client
// gives up), then answers them as usual.
func (s *Server) DelayNext(method string, n int, d time.Duration) {
	s.faults.push(&s.faults.delays, method, rule{left: n, delay: d})
}

// FailChat makes every send or edit to chatID fail with e until ClearChat.
func (s *Server) FailChat(chatID int64, e APIError) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.chats == nil {
		s.faults.chats = map[int64]APIError{}
	}
	s.faults.chats[chatID] = e
}

// ClearChat undoes FailChat.
func (s *Server) ClearChat(chatID int64) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	delete(s.faults.chats, chatID)
}

// SetHook installs h (nil removes it). It sees every authorised call first,
// before delays, failures and limits; it must not block.
func (s *Server) SetHook(h Hook) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.hook = h
}

func (f *faults) push(m *map[string][]rule, method string, r rule) {
	if r.left <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if *m == nil {
		*m = map[string][]rule{}
	}
	key := strings.ToLower(method)
	(*m)[key] = append((*m)[key], r)
}

// pop takes one use of the first rule queued for method.
func (f *faults) pop(mp *map[string][]rule, method string) (rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := *mp // read under the lock: push may create the map concurrently
	key := strings.ToLower(method)
	q := m[key]
	if len(q) == 0 {
		return rule{}, false
	}
	r := q[0]
	if q[0].left--; q[0].left <= 0 {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(m, key)
	} else {
		m[key] = q
	}
	return r, true
}

func (f *faults) nextFailure(method string) (rule, bool) { return f.pop(&f.failures, method) }

func (f *faults) nextDelay(method string) (time.Duration, bool) {
	r, ok := f.pop(&f.delays, method)
	return r.delay, ok
}

func (f *faults) chatFailure(c Call) (APIError, bool) {
	if !outgoingMethods[strings.ToLower(c.Method)] {
		return APIError{}, false
	}
	id, ok := chatIDOf(c)
	if !ok {
		return APIError{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, failing := f.chats[id]
	return e, failing
}

// runHook calls the hook outside the lock so it may use the Server.
func (f *faults) runHook(c Call) (reply, bool) {
	f.mu.Lock()
	h := f.hook
	f.mu.Unlock()
	if h == nil {
		return reply{}, false
	}
	handled, status, body := h(c)
	if !handled {
		return reply{}, false
	}
	if status == 0 {
		status = http.StatusOK // WriteHeader(0) would panic
	}
	return reply{status: status, contentType: "application/json", body: []byte(body)}, true
}
